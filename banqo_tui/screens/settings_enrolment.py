"""« Mes paramètres », tab « Inscription »: the subscription in words, the offers, the rules, billing details.

Everything is said in words (no state in colour alone): « Essai gratuit jusqu'au 2 décembre 2026 (aucune
carte requise) », « Actif — offre mensuelle », « Paiement en souffrance »… The offers are a keyboard list;
S subscribes or switches to the highlighted one after a dialog that states what is charged now and the rule,
X cancels (at the end of the period paid), R resumes a cancelled subscription. The rules are stated on screen
in plain sentences, with the server's figures (retry days, days the data is kept).

Offers are never called "plans" here: a plan is a plan d'intervention.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from banqo_tui.api import errors
from banqo_tui.commands import translate_bindings
from banqo_tui.i18n import N_, _, format_date, format_money, locale_name
from banqo_tui.screens.settings_privacy import _reason
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.choice_list import ChoiceList
from banqo_tui.widgets.field import Field

if TYPE_CHECKING:
    from banqo_tui.api.models import Offer, Offers, Subscription
    from banqo_tui.app import BanqoApp

#: The server's offer ids, by interval, for when the offers are not at hand (« Votre résumé »).
KNOWN_INTERVALS = {"trial": "trial", "monthly": "month", "yearly": "year"}
#: « L'offre mensuelle… »: an offer named in a sentence, by interval.
OFFER_NAMES = {"trial": N_("essai gratuit"), "month": N_("offre mensuelle"), "year": N_("offre annuelle")}
#: « Mensuel — 9,00 $ par mois + taxes »: an offer in the list, by interval.
OFFER_TITLES = {"month": N_("Mensuel"), "year": N_("Annuel")}
#: What the price is for, by interval.
PRICE_PERIODS = {"month": N_("par mois"), "year": N_("par année")}
#: Billing details printed on invoices: at most this many characters (``BILLING_DETAILS_MAX_LENGTH``).
BILLING_DETAILS_MAX = 300


def money(cents: int) -> str:
    """Integer cents as dollars: « 10,35 $ » in French, "$10.35" in English."""
    return format_money(cents, "CAD")


def _long_date(moment: datetime) -> str:
    return format_date(moment, "long")


def _date(moment: datetime) -> str:
    return format_date(moment, "medium")


def offer_interval(offer_id: str, offers: Offers | None = None) -> str:
    """``month``, ``year`` or ``trial`` for an offer id (from the offers when known)."""
    if offers is not None:
        for offer in offers.items:
            if offer.id == offer_id:
                return str(offer.interval)
    return KNOWN_INTERVALS.get(offer_id, offer_id)


def offer_name(offer_id: str, offers: Offers | None = None) -> str:
    """« offre mensuelle », « offre annuelle » (the id itself for an offer this version does not know)."""
    name = OFFER_NAMES.get(offer_interval(offer_id, offers))
    return _(name) if name else offer_id


def offer_line(offer: Offer) -> str:
    """« Mensuel — 9,00 $ par mois + taxes (10,35 $ taxes comprises) »."""
    interval = str(offer.interval)
    title = OFFER_TITLES.get(interval)
    period = PRICE_PERIODS.get(interval)
    return _("{title} — {price} {period} + taxes ({total} taxes comprises)").format(
        title=_(title) if title else offer.id,
        price=money(offer.price.subtotal),
        period=_(period) if period else "",
        total=money(offer.price.total),
    )


def state_text(subscription: Subscription, offers: Offers | None = None) -> str:
    """The subscription's state in words: « Actif — offre mensuelle », « Annulé — prend fin le … »…"""
    state = str(subscription.state)
    if state == "not_billed":
        return _("Ce serveur BanqO ne facture pas : aucun abonnement n'est nécessaire, rien n'expire.")
    if state == "trial":
        end = subscription.trial_end or subscription.current_period_end
        return _("Essai gratuit jusqu'au {date} (aucune carte requise)").format(date=_long_date(end))
    if state == "active":
        return _("Actif — {offer}").format(offer=offer_name(subscription.offer, offers))
    if state == "past_due":
        return _("Paiement en souffrance — {offer}").format(offer=offer_name(subscription.offer, offers))
    if state == "cancelled":
        return _("Annulé — prend fin le {date}").format(date=_long_date(subscription.current_period_end))
    ended = subscription.ended_at or subscription.current_period_end
    return _("Terminé le {date}").format(date=_long_date(ended))


def failure_text(subscription: Subscription) -> str:
    """The last declined charge: the server's reason, and when BanqO tries again."""
    failure = subscription.payment_failure
    if failure is None:
        return ""
    text = failure.message
    if failure.next_retry_at is not None:
        text += " " + _("Nouvel essai le {date}.").format(date=_date(failure.next_retry_at))
    return text


def deletion_text(subscription: Subscription) -> str:
    """After the end: when the collection, learners and plans are (or were) deleted."""
    if subscription.data_deleted_at is not None:
        return _("Votre collection, vos élèves et vos plans ont été supprimés le {date}.").format(
            date=_long_date(subscription.data_deleted_at)
        )
    if subscription.data_deletion_at is not None:
        return _("Votre collection, vos élèves et vos plans seront supprimés le {date}.").format(
            date=_long_date(subscription.data_deletion_at)
        )
    return ""


def period_text(subscription: Subscription) -> str:
    """« Période en cours : du 2 nov. 2026 au 2 déc. 2026 » (nothing once ended)."""
    if str(subscription.state) == "ended":
        return ""
    return _("Période en cours : du {start} au {end}").format(
        start=_date(subscription.current_period_start), end=_date(subscription.current_period_end)
    )


def next_charge_text(subscription: Subscription) -> str:
    """« Prochain prélèvement le 2 déc. 2026 : 10,35 $ (9,00 $ + TPS 0,45 $ + TVQ 0,90 $) »."""
    charge = subscription.next_charge
    if charge is None:
        return ""
    amounts = charge.amounts
    text = _("Prochain prélèvement le {date} : {total} ({subtotal} + TPS {gst} + TVQ {qst})").format(
        date=_date(charge.at),
        total=money(amounts.total),
        subtotal=money(amounts.subtotal),
        gst=money(amounts.gst),
        qst=money(amounts.qst),
    )
    if charge.credit > 0:
        text += _(", dont un crédit de {credit}").format(credit=money(charge.credit))
    return text


def pending_text(subscription: Subscription, offers: Offers | None = None) -> str:
    """« L'offre mensuelle remplacera l'offre annuelle le 2 nov. 2027 »."""
    if not subscription.pending_offer:
        return ""
    return _("L'{new} remplacera l'{old} le {date}.").format(
        new=offer_name(subscription.pending_offer, offers),
        old=offer_name(subscription.offer, offers),
        date=_date(subscription.current_period_end),
    )


def subscription_lines(subscription: Subscription, offers: Offers | None = None) -> list[str]:
    """What the pane says under the state: the failure, the period, the next charge, the switch, the deletion."""
    lines = [
        failure_text(subscription),
        period_text(subscription),
        next_charge_text(subscription),
        pending_text(subscription, offers),
        deletion_text(subscription),
    ]
    return [line for line in lines if line]


def _day_list(days: list[int]) -> str:
    from babel.lists import format_list

    return format_list([str(day) for day in days], locale=locale_name())


def rule_trial() -> str:
    return _("Vous payez aujourd'hui; les jours d'essai qui restent s'ajoutent à votre première période.")


def rule_to_yearly() -> str:
    return _(
        "Le changement se fait tout de suite : la partie non utilisée du mois payé, au prorata du temps "
        "restant, est déduite de la facture annuelle."
    )


def rule_to_monthly() -> str:
    return _("Le changement se fait à la fin de l'année payée : rien n'est perdu.")


def rule_retries(offers: Offers) -> str:
    return _(
        "Après un paiement refusé, BanqO réessaie {days} jours après l'échéance; sans paiement, l'abonnement "
        "prend fin."
    ).format(days=_day_list(offers.retry_days))


def rule_end(offers: Offers) -> str:
    return _(
        "À la fin de l'abonnement, votre collection, vos élèves et vos plans sont conservés {grace_days} jours, "
        "puis supprimés. Exportez-les ou réabonnez-vous avant."
    ).format(grace_days=offers.grace_days)


def _after_colon(sentence: str) -> str:
    """A sentence that follows a colon starts in lower case (in French as in English)."""
    return sentence[:1].lower() + sentence[1:]


def rules(offers: Offers) -> list[str]:
    """The rules of the offers, in plain sentences, each introduced by the case it covers."""
    return [
        _("De l'essai à un abonnement : {rule}").format(rule=_after_colon(rule_trial())),
        _("De mensuel à annuel : {rule}").format(rule=_after_colon(rule_to_yearly())),
        _("D'annuel à mensuel : {rule}").format(rule=_after_colon(rule_to_monthly())),
        rule_retries(offers),
        rule_end(offers),
    ]


def change_explanation(subscription: Subscription, chosen: Offer, offers: Offers) -> str:
    """What choosing ``chosen`` does, for the confirmation dialog: what is charged now, and the rule."""
    state = str(subscription.state)
    new = offer_name(chosen.id, offers)
    interval = str(chosen.interval)
    current_interval = offer_interval(subscription.offer, offers)
    if state == "trial":
        return " ".join((
            _("Vous vous abonnez à l'{offer} : {total} taxes comprises seront prélevés aujourd'hui sur votre "
              "carte.").format(offer=new, total=money(chosen.price.total)),
            rule_trial(),
        ))
    if state == "ended":
        return _(
            "Vous vous abonnez de nouveau, à l'{offer} : {total} taxes comprises seront prélevés aujourd'hui sur "
            "votre carte, pour une période qui commence aujourd'hui."
        ).format(offer=new, total=money(chosen.price.total))
    if state == "past_due":
        return _(
            "BanqO tente de nouveau le paiement en souffrance de l'{offer} sur la carte enregistrée, tout de "
            "suite."
        ).format(offer=new)
    if chosen.id == subscription.offer:
        if state == "cancelled":
            return _(
                "Votre abonnement reprend, sans interruption : rien n'est prélevé aujourd'hui; le prochain "
                "prélèvement aura lieu le {date}."
            ).format(date=_date(subscription.current_period_end))
        return _(
            "Vous gardez l'{offer} : le changement d'offre prévu est annulé. Rien n'est prélevé aujourd'hui."
        ).format(offer=new)
    if interval == "year" and current_interval == "month":
        return " ".join((
            _(
                "Vous passez à l'{offer}. Montant prélevé aujourd'hui : {total} taxes comprises, moins la partie "
                "non utilisée du mois payé (le montant exact figurera sur la facture)."
            ).format(offer=new, total=money(chosen.price.total)),
            rule_to_yearly(),
        ))
    if interval == "month" and current_interval == "year":
        return " ".join((
            _(
                "Vous passez à l'{offer} à partir du {date} : rien n'est prélevé aujourd'hui; ensuite, {total} "
                "taxes comprises chaque mois."
            ).format(offer=new, date=_date(subscription.current_period_end), total=money(chosen.price.total)),
            rule_to_monthly(),
        ))
    return _("Vous passez à l'{offer} ({total} taxes comprises).").format(offer=new, total=money(chosen.price.total))


class OfferList(ChoiceList):
    """The offers, one line each; Enter chooses the highlighted one."""


class EnrolmentPane(VerticalScroll):
    """The « Inscription » tab of « Mes paramètres »."""

    DEFAULT_CSS = """
    EnrolmentPane {
        height: 1fr;
    }
    EnrolmentPane #enrolment-state {
        text-style: bold;
    }
    EnrolmentPane .enrolment--text {
        margin-bottom: 1;
    }
    EnrolmentPane .enrolment--status {
        height: auto;
        color: $text-error;
        text-style: bold;
    }
    EnrolmentPane .enrolment--status.-done {
        color: $text-success;
    }
    EnrolmentPane OfferList {
        height: auto;
        max-height: 4;
    }
    EnrolmentPane .enrolment--actions {
        height: 1;
        margin-top: 1;
    }
    EnrolmentPane .enrolment--actions ActionButton {
        margin-right: 2;
    }
    EnrolmentPane #enrolment-billing-details {
        grid-size: 1;
        grid-columns: 1fr;
        grid-rows: 1 1 auto;
    }
    EnrolmentPane #enrolment-billing-details .field--label {
        width: 100%;
    }
    EnrolmentPane #enrolment-billing-details .field--error {
        column-span: 1;
        padding-left: 0;
    }
    """

    BINDINGS = [
        Binding("s", "choose_offer", N_("Choisir l'offre"), id="enrolment.choose"),
        Binding("x", "cancel_subscription", N_("Annuler l'abonnement"), id="enrolment.cancel"),
        Binding("r", "resume", N_("Reprendre"), id="enrolment.resume"),
        Binding("ctrl+s", "save_details", N_("Enregistrer"), id="enrolment.save"),
    ]

    class Changed(Message):
        """The subscription changed here (an invoice may have been issued)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=False)
        translate_bindings(self)
        self.subscription: Subscription | None = None
        self.offers: Offers | None = None
        #: The billing details as last read: a field the teacher changed keeps its text on a reload.
        self._details_loaded: str | None = None
        #: Whether the status line says that a card is missing (a card added makes it stale).
        self._to_payment = False

    @property
    def banqo(self) -> BanqoApp:
        return self.app  # type: ignore[return-value]

    # --- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(_("Chargement de l'inscription…"), id="enrolment-state", markup=False)
        yield Static("", id="enrolment-details", classes="enrolment--text", markup=False)
        yield Static("", id="enrolment-status", classes="enrolment--status", markup=False)
        with Horizontal(classes="enrolment--actions", id="enrolment-status-actions"):
            yield ActionButton(_("Aller à Méthode de paiement"), id="enrolment-go-payment")

        yield Static(_("Offres"), classes="section-title")
        yield OfferList(id="enrolment-offers")
        with Horizontal(classes="enrolment--actions"):
            yield ActionButton(_("S'abonner à l'offre choisie (S)"), id="enrolment-choose")
            yield ActionButton(_("Annuler l'abonnement (X)"), id="enrolment-cancel")
            yield ActionButton(_("Reprendre l'abonnement (R)"), id="enrolment-resume")

        yield Static(_("Les règles"), classes="section-title")
        yield Static("", id="enrolment-rules", markup=False)

        yield Static(_("Facturation"), classes="section-title")
        yield Field(
            _("Renseignements de facturation (école, bon de commande)"),
            "billing_details",
            id="enrolment-billing-details",
            required=False,
            max_length=BILLING_DETAILS_MAX,
        )
        with Horizontal(classes="enrolment--actions"):
            yield ActionButton(_("Enregistrer (Ctrl+S)"), id="enrolment-save-details")

    def on_mount(self) -> None:
        self.query_one("#enrolment-status").display = False
        self.query_one("#enrolment-status-actions").display = False
        for button in ("#enrolment-choose", "#enrolment-cancel", "#enrolment-resume"):
            self.query_one(button).display = False
        self.load()

    @property
    def details_field(self) -> Field:
        return self.query_one("#enrolment-billing-details", Field)

    @property
    def offer_list(self) -> OfferList:
        return self.query_one("#enrolment-offers", OfferList)

    # --- loading ---------------------------------------------------------------------------------

    @work(group="enrolment-load", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        """Fetch the offers and the subscription, and show them."""
        client = await self.banqo.api()
        if self.offers is None:
            self.offers = await client.subscription.offers()
            self._show_offers(self.offers)
        self.show(await client.subscription.get())

    def tab_shown(self) -> None:
        """The tab came on screen: what another tab did (a card added) may have changed the subscription."""
        if self.subscription is not None:
            self.load()

    def card_changed(self) -> None:
        """A card was added in « Méthode de paiement »: a « no card » message is stale; a payment in arrears may
        have been made with it."""
        if self._to_payment:
            self._status("")
        self.load()

    def _show_offers(self, offers: Offers) -> None:
        self.query_one("#enrolment-rules", Static).update("\n".join(f"• {rule}" for rule in rules(offers)))

    def _paid_offers(self) -> list[Offer]:
        return [offer for offer in self.offers.items if str(offer.interval) != "trial"] if self.offers else []

    def show(self, subscription: Subscription) -> None:
        """Say the subscription's state, and offer what can be done from it."""
        previous = self.subscription
        self.subscription = subscription
        offers = self.offers
        state = str(subscription.state)
        self.query_one("#enrolment-state", Static).update(state_text(subscription, offers))
        if state == "not_billed":
            for child in self.children:
                child.display = child.id == "enrolment-state"
            self.refresh_bindings()
            return
        lines = subscription_lines(subscription, offers)
        if state == "past_due":
            # The way out of arrears is a working card: said here, and one key press away (the button below).
            lines.append(
                _("Remplacez la carte dans « Méthode de paiement » : BanqO réessaiera le paiement tout de suite.")
            )
        self.query_one("#enrolment-details", Static).update("\n".join(lines))

        listing = self.offer_list
        highlighted = listing.highlighted
        paid = self._paid_offers()
        options = []
        for offer in paid:
            line = offer_line(offer)
            if offer.id == subscription.offer and state != "trial":
                line += " " + _("(actuelle)")
            elif offer.id == subscription.pending_offer:
                line += " " + _("(prévue)")
            options.append(Option(Content(line), id=offer.id))
        listing.set_options(options)
        if options:
            ids = [offer.id for offer in paid]
            if highlighted is None or previous is None:
                highlighted = ids.index(subscription.offer) if subscription.offer in ids else 0
            listing.highlighted = min(highlighted, len(options) - 1)

        self.query_one("#enrolment-status-actions").display = state == "past_due" or self._to_payment
        choose = self.query_one("#enrolment-choose", ActionButton)
        choose.update(
            _("S'abonner à l'offre choisie (S)") if state in ("trial", "ended") else _("Passer à l'offre choisie (S)")
        )
        choose.display = bool(options) and state != "past_due"
        self._show_button("#enrolment-cancel", state in ("active", "past_due"))
        self._show_button("#enrolment-resume", state == "cancelled")

        details = self.details_field
        if self._details_loaded is None and not details.value or details.value == self._details_loaded:
            details.value = subscription.billing_details
        self._details_loaded = subscription.billing_details
        details.set_hint(_("Imprimés sur vos prochaines factures; les factures déjà émises ne changent pas."))
        self.refresh_bindings()

    def _show_button(self, selector: str, shown: bool) -> None:
        button = self.query_one(selector)
        if button.display and not shown and button.has_focus:
            self.offer_list.focus()
        button.display = shown

    def _past_due(self) -> bool:
        return self.subscription is not None and str(self.subscription.state) == "past_due"

    # --- status ----------------------------------------------------------------------------------

    def _status(self, text: str, *, problem: bool = True, to_payment: bool = False) -> None:
        """The answer to what the teacher just did, brought into view (with the way to « Méthode de paiement »
        when a card is what is missing)."""
        status = self.query_one("#enrolment-status", Static)
        status.update(text)
        status.display = bool(text)
        status.set_class(not problem, "-done")
        self._to_payment = to_payment
        self.query_one("#enrolment-status-actions").display = to_payment or self._past_due()
        if to_payment:
            self.query_one("#enrolment-go-payment").focus(scroll_visible=False)
        if text:
            # The state and this answer, read together at the top (once laid out: the line has no place yet).
            self.call_after_refresh(self.scroll_home, animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = str(self.subscription.state) if self.subscription is not None else None
        if state == "not_billed" and action in ("choose_offer", "cancel_subscription", "resume", "save_details"):
            return False
        if action == "choose_offer":
            return state is not None and state != "past_due" and bool(self._paid_offers())
        if action == "cancel_subscription":
            return state in ("active", "past_due")
        if action == "resume":
            return state == "cancelled"
        return True

    # --- input -----------------------------------------------------------------------------------

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        actions = {
            "enrolment-choose": self.action_choose_offer,
            "enrolment-cancel": self.action_cancel_subscription,
            "enrolment-resume": self.action_resume,
            "enrolment-save-details": self.action_save_details,
            "enrolment-go-payment": self.go_to_payment,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            action()

    def on_option_list_option_selected(self, event: ChoiceList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.choose(event.option.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save_details()

    def go_to_payment(self) -> None:
        show_tab = getattr(self.screen, "show_tab", None)
        if show_tab is not None:
            show_tab("payment")

    # --- subscribe, switch, resume ---------------------------------------------------------------

    def action_choose_offer(self) -> None:
        listing = self.offer_list
        if listing.highlighted is None:
            return
        offer_id = listing.get_option_at_index(listing.highlighted).id
        if offer_id:
            self.choose(offer_id)

    def choose(self, offer_id: str) -> None:
        """Ask, then subscribe or switch to ``offer_id`` (saying what is charged now and the rule)."""
        from banqo_tui.screens.dialogs import ConfirmDialog

        subscription, offers = self.subscription, self.offers
        if subscription is None or offers is None:
            return
        chosen = next((offer for offer in offers.items if offer.id == offer_id), None)
        if chosen is None:
            return
        state = str(subscription.state)
        if state == "past_due":
            self._status(
                _("Un paiement est en souffrance : remplacez d'abord la carte dans « Méthode de paiement »; BanqO "
                  "réessaiera le paiement tout de suite."),
                to_payment=True,
            )
            return
        if state == "active" and offer_id == subscription.offer and not subscription.pending_offer:
            self.app.notify(_("C'est déjà votre offre."), markup=False)
            return
        if state in ("active", "cancelled") and offer_id == subscription.pending_offer:
            self.app.notify(_("Ce changement d'offre est déjà prévu."), markup=False)
            return
        title = _("S'abonner") if state in ("trial", "ended") else _("Changer d'offre")
        if state == "cancelled" and offer_id == subscription.offer:
            title = _("Reprendre l'abonnement")
        explanation = change_explanation(subscription, chosen, offers)
        version = subscription.version

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._change(offer_id, self.details_field.value, version)
            else:
                self.offer_list.focus()

        self.app.push_screen(ConfirmDialog(title, explanation, _("Confirmer")), answered)

    def action_resume(self) -> None:
        subscription = self.subscription
        if subscription is None or str(subscription.state) != "cancelled":
            return
        self.choose(subscription.offer)

    async def _answer(self, request: Awaitable[Subscription]) -> Subscription | None:
        """The subscription a change answers; None when it was refused: a change made elsewhere is reloaded and
        said, reasons tied to fields are put under them (and in the status line). Other failures go up."""
        try:
            return await request
        except errors.Conflict as exc:
            if exc.status != 412 and exc.current_version is None:
                raise
            await self._changed_elsewhere()
        except errors.ApiError as exc:
            if not exc.errors:
                raise
            self._place(exc)
        return None

    @work(group="enrolment-change", exclusive=True, exit_on_error=False)
    async def _change(self, offer_id: str, details: str, version: int) -> None:
        self._status("")
        self.details_field.clear_error()
        client = await self.banqo.api()
        subscription = await self._answer(client.subscription.change(version, offer_id, billing_details=details))
        if subscription is None:
            return
        self._details_loaded = None if self.details_field.value != details else details
        self.show(subscription)
        done = _("Abonnement changé : {state}.").format(state=state_text(subscription, self.offers))
        self._status(done, problem=False)
        self.app.notify(done, markup=False)
        self.post_message(self.Changed())

    def _place(self, exc: errors.ApiError) -> None:
        """The server's refusal: the billing details' messages under their field, the others in the status line
        (with the way to « Méthode de paiement » when a card is what is missing)."""
        found = dict(exc.errors)
        details = found.pop("billing_details", None)
        if details:
            self.details_field.set_error(details)
        payment = found.pop("payment_method", None)
        others = [message for messages in found.values() for message in messages]
        if payment:
            self._status(" ".join([*payment, *others]), to_payment=True)
        elif others:
            self._status(" ".join(others))
        if details and not payment:
            self.details_field.focus_input()

    async def _changed_elsewhere(self) -> None:
        """412: nothing changed; show the subscription as it is now, keep what was typed, and say so."""
        client = await self.banqo.api()
        self.show(await client.subscription.get())
        self._status(
            _(
                "Votre abonnement a été modifié ailleurs (un autre appareil, une autre fenêtre) depuis son "
                "chargement : rien n'a été changé. Voici son état actuel; ce que vous avez tapé est toujours là. "
                "Vérifiez, puis recommencez."
            )
        )
        self.app.notify(_("Abonnement modifié ailleurs : rien n'a été changé."), severity="warning", markup=False)

    # --- cancel ----------------------------------------------------------------------------------

    def action_cancel_subscription(self) -> None:
        from banqo_tui.screens.dialogs import ConfirmDialog

        subscription, offers = self.subscription, self.offers
        if subscription is None or str(subscription.state) not in ("active", "past_due"):
            return
        grace = offers.grace_days if offers is not None else 0
        if str(subscription.state) == "past_due":
            message = _(
                "Aucun paiement n'a été reçu pour la période en cours : l'abonnement prendra fin aujourd'hui. "
                "Votre collection, vos élèves et vos plans seront ensuite conservés {grace} jours, puis supprimés."
            ).format(grace=grace)
        else:
            message = _(
                "Votre abonnement restera en vigueur jusqu'au {date} : rien n'est perdu d'ici là, et vous pourrez "
                "le reprendre avant cette date. Ensuite, votre collection, vos élèves et vos plans seront "
                "conservés {grace} jours, puis supprimés."
            ).format(date=_long_date(subscription.current_period_end), grace=grace)
        version = subscription.version

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._cancel(version)
            else:
                self.query_one("#enrolment-cancel").focus()

        self.app.push_screen(
            ConfirmDialog(
                _("Annuler l'abonnement?"), message, _("Annuler l'abonnement"), _("Garder l'abonnement")
            ),
            answered,
        )

    @work(group="enrolment-change", exclusive=True, exit_on_error=False)
    async def _cancel(self, version: int) -> None:
        self._status("")
        client = await self.banqo.api()
        subscription = await self._answer(client.subscription.cancel(version))
        if subscription is None:
            return
        self.show(subscription)
        done = _("Abonnement annulé : {state}.").format(state=state_text(subscription, self.offers))
        self._status(done, problem=False)
        self.app.notify(done, markup=False)
        self.post_message(self.Changed())

    # --- billing details -------------------------------------------------------------------------

    def action_save_details(self) -> None:
        subscription = self.subscription
        if subscription is None:
            return
        field = self.details_field
        field.clear_error()
        if len(field.value) > BILLING_DETAILS_MAX:
            field.set_error([_("Au plus {count} caractères.").format(count=BILLING_DETAILS_MAX)])
            return
        if field.value == subscription.billing_details:
            self.app.notify(_("Aucun changement à enregistrer."), markup=False)
            return
        self._save_details(field.value, subscription.version)

    @work(group="enrolment-details", exclusive=True, exit_on_error=False)
    async def _save_details(self, details: str, version: int) -> None:
        self._status("")
        client = await self.banqo.api()
        subscription = await self._answer(client.subscription.set_billing_details(version, details))
        if subscription is None:
            return
        self._details_loaded = None
        self.details_field.value = subscription.billing_details
        self.show(subscription)
        self.app.notify(_("Renseignements de facturation enregistrés."), markup=False)

    # --- failures --------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """This pane's workers report here (worker messages do not bubble): the status line says it too."""
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        error = event.worker.error
        if event.worker.group == "enrolment-load":
            self._status(_("L'inscription n'a pas pu être chargée : {reason}").format(reason=_reason(error)))
        elif event.worker.group == "enrolment-change":
            self._status(_("L'abonnement n'a pas été changé : {reason}").format(reason=_reason(error)))
        elif event.worker.group == "enrolment-details":
            self._status(
                _("Les renseignements n'ont pas été enregistrés : {reason}").format(reason=_reason(error))
            )
        self.banqo.report_error(error, field_target=self.screen)
