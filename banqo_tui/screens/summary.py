"""« Votre résumé »: the account at a glance — counts, the subscription, last sign-in, recent activity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Static

from banqo_tui.i18n import N_, _, format_date, format_number, locale_name
from banqo_tui.screens.base import BanqoScreen, ScreenTitle
from banqo_tui.widgets.choice_list import ChoiceList

if TYPE_CHECKING:
    from datetime import date, datetime

    from banqo_tui.api.models import PlanDue, Summary

#: One sentence per ``ActivityKind`` value (the wire model is not imported here: start-up cost).
ACTIVITY_SENTENCES = {
    "account_created": N_("Compte créé"),
    "signed_in": N_("Connexion"),
    "signed_in_new_device": N_("Connexion depuis un nouvel appareil"),
    "signed_out": N_("Déconnexion"),
    "session_ended": N_("Session fermée depuis un autre appareil"),
    "sign_in_throttled": N_("Connexions suspendues après trop d'essais"),
    "sign_in_refused_totp": N_("Connexion refusée : code de validation en deux étapes manquant ou erroné"),
    "password_changed": N_("Mot de passe changé"),
    "password_reset_requested": N_("Code de réinitialisation du mot de passe demandé"),
    "password_reset": N_("Mot de passe réinitialisé par courriel"),
    "email_changed": N_("Adresse courriel changée"),
    "profile_changed": N_("Coordonnées modifiées"),
    "photo_changed": N_("Photo de profil changée"),
    "photo_removed": N_("Photo de profil retirée"),
    "totp_enabled": N_("Validation en deux étapes activée"),
    "totp_disabled": N_("Validation en deux étapes désactivée"),
    "recovery_code_used": N_("Code de récupération utilisé"),
    "promotional_email_changed": N_("Choix des courriels promotionnels modifié"),
    "data_exported": N_("Données exportées"),
    "support_message_sent": N_("Message envoyé au soutien"),
    "subscribed": N_("Abonnement souscrit"),
    "offer_switched": N_("Offre changée"),
    "offer_switch_scheduled": N_("Changement d'offre prévu à la fin de la période payée"),
    "subscription_cancelled": N_("Abonnement annulé"),
    "subscription_resumed": N_("Abonnement repris"),
    "subscription_renewed": N_("Abonnement renouvelé"),
    "subscription_ended": N_("Abonnement terminé"),
    "payment_declined": N_("Paiement refusé"),
    "payment_method_changed": N_("Carte de paiement changée"),
    "refund_issued": N_("Remboursement émis"),
    "data_deleted_after_end": N_("Collection, élèves et plans supprimés après la fin de l'abonnement"),
}

#: (attribute of ``SummaryCounts``, label), in the order shown.
COUNT_LABELS = (
    ("goals", N_("Objectifs dans ma collection")),
    ("learners", N_("Élèves")),
    ("plans_open", N_("Plans ouverts")),
    ("plans_due_soon", N_("Plans à réviser d'ici 30 jours")),
    ("plans_overdue", N_("Plans en retard")),
)


def moment(at: datetime) -> str:
    """A date and an hour without seconds, in local time: « 2 nov. 2026, 09 h 00 »."""
    from babel.dates import format_time

    local = at.astimezone() if at.tzinfo else at
    return _("{date}, {time}").format(
        date=format_date(local, "medium"), time=format_time(local, "short", locale=locale_name())
    )


def subscription_sentences(summary: Summary) -> list[str]:
    """The subscription and the card, in a few sentences: the trial's end, a payment in arrears, the end and
    the deletion of the data, a card that expires."""
    from banqo_tui.screens.settings_enrolment import deletion_text, failure_text, money, offer_name
    from banqo_tui.screens.settings_payment import card_label

    sentences: list[str] = []
    subscription = summary.subscription
    if subscription is not None and str(subscription.state) != "not_billed":
        state = str(subscription.state)
        if state == "trial":
            end = subscription.trial_end or subscription.current_period_end
            sentences.append(_("Essai gratuit jusqu'au {date}.").format(date=format_date(end, "long")))
        elif state == "active":
            sentences.append(_("Abonnement actif — {offer}.").format(offer=offer_name(subscription.offer)))
            charge = subscription.next_charge
            if charge is not None:
                sentences.append(
                    _("Prochain prélèvement le {date} : {total}.").format(
                        date=format_date(charge.at, "medium"), total=money(charge.amounts.total)
                    )
                )
        elif state == "past_due":
            sentences.append(_("Paiement en souffrance."))
            failure = failure_text(subscription)
            if failure:
                sentences.append(failure)
            sentences.append(_("Remplacez la carte dans Mes paramètres › Méthode de paiement."))
        elif state == "cancelled":
            sentences.append(
                _("Abonnement annulé : il prend fin le {date}.").format(
                    date=format_date(subscription.current_period_end, "long")
                )
            )
        elif state == "ended":
            ended = subscription.ended_at or subscription.current_period_end
            sentences.append(_("Abonnement terminé le {date}.").format(date=format_date(ended, "long")))
            deletion = deletion_text(subscription)
            if deletion:
                sentences.append(deletion)
    card = summary.card
    if card is not None and (card.expired or card.expiring_soon):
        text = (
            _("La carte {card} est expirée ({month:02d}/{year}) : remplacez-la dans Mes paramètres › Méthode de "
              "paiement.")
            if card.expired
            else _("La carte {card} expire bientôt ({month:02d}/{year}).")
        )
        sentences.append(
            text.format(card=card_label(card.brand, card.last4), month=card.exp_month, year=card.exp_year)
        )
    return sentences


def plan_due_line(plan: PlanDue, today: date | None = None) -> str:
    """« Léa — Plan d'intervention — révision le 12 décembre 2026, dans 10 jours » (or « en retard »)."""
    from banqo_tui.plan_words import kind_label
    from banqo_tui.screens.plans import due_words

    return _("{name} — {kind} — révision le {date}, {when}").format(
        name=plan.learner_first_name,
        kind=kind_label(plan.kind),
        date=format_date(plan.review_due_on, "long"),
        when=_("en retard") if plan.overdue else due_words(plan.review_due_on, today),
    )


def activity_sentence(kind: str) -> str:
    """What an activity entry means, in the interface's language."""
    source = ACTIVITY_SENTENCES.get(str(kind))
    return _(source) if source else str(kind)


class SummaryScreen(BanqoScreen):
    """« Votre résumé », loaded from the server in a worker; R reloads it."""

    DEFAULT_CSS = """
    SummaryScreen #subscription-actions {
        height: auto;
    }
    SummaryScreen #subscription-actions Button {
        margin-right: 1;
    }
    """

    BINDINGS = [
        Binding("r", "refresh", N_("Actualiser"), id="summary.refresh"),
        Binding("p", "plans_due", N_("Aller aux plans à réviser"), show=False, id="summary.plans_due"),
    ]

    def __init__(self) -> None:
        super().__init__(id="summary-screen")
        self.summary: Summary | None = None

    def compose(self) -> ComposeResult:
        yield ScreenTitle(_("Votre résumé"))
        with VerticalScroll(id="summary-body", can_focus=True):
            yield Static(_("Chargement du résumé…"), id="greeting", markup=False)
            yield Static("", id="counts", markup=False)
            yield Static(_("Plans à réviser (P, puis Entrée : ouvrir le plan)"), id="plans-due-title",
                         classes="section-title")
            yield ChoiceList(id="plans-due")
            yield Static(_("Abonnement"), id="subscription-title", classes="section-title")
            yield Static("", id="subscription", markup=False)
            with Horizontal(id="subscription-actions"):
                yield Button(_("Exporter mes données"), id="open-export", compact=True)
                yield Button(_("Me réabonner"), id="open-enrolment", compact=True)
            yield Static("", id="last-sign-in", markup=False)
            yield Static(_("Activité récente"), id="activity-title", classes="section-title")
            yield Static("", id="activity", markup=False)
            with Horizontal(id="summary-actions"):
                yield Button(_("Ma collection (F5)"), id="open-collection", compact=True)
                yield Button(_("Élèves (F6)"), id="open-learners", compact=True)
                yield Button(_("Mes paramètres (F3)"), id="open-settings", compact=True)
                yield Button(_("Actualiser (R)"), id="refresh-summary", compact=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        for part in ("#subscription-title", "#subscription", "#subscription-actions", "#plans-due-title",
                     "#plans-due"):
            self.query_one(part).display = False
        self.query_one("#summary-body").focus()
        self.load()

    def on_screen_resume(self) -> None:
        # Back from another screen (a subscription taken, a goal added): what it shows may have changed. Not on
        # the way out: signing out from a screen above passes through this one with the session already gone.
        if self.summary is not None and self.banqo.signed_in:
            self.load()

    def action_refresh(self) -> None:
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "plans_due":
            return self.summary is not None and bool(self.summary.plans_to_review)
        return True

    def action_plans_due(self) -> None:
        listing = self.query_one("#plans-due", ChoiceList)
        listing.focus()
        if listing.highlighted is None and listing.option_count:
            listing.highlighted = 0

    def on_option_list_option_selected(self, event: ChoiceList.OptionSelected) -> None:
        """Enter on a plan to review opens it (above the résumé: Escape comes back here)."""
        from banqo_tui.screens.plan import PlanScreen

        event.stop()
        if event.option.id is not None:
            self.app.push_screen(PlanScreen(event.option.id))

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "open-settings":
            await self.app.run_action("settings")
        elif event.button.id == "open-collection":
            await self.app.run_action("collection")
        elif event.button.id == "open-learners":
            await self.app.run_action("learners")
        elif event.button.id == "refresh-summary":
            self.load()
        elif event.button.id == "open-export":
            self.open_settings("privacy")
        elif event.button.id == "open-enrolment":
            self.open_settings("enrolment")

    def open_settings(self, tab: str) -> None:
        """« Mes paramètres » on the tab ``tab`` (above the résumé, as F3 opens it)."""
        from banqo_tui.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen(tab))

    @work(group="summary", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        """Fetch the résumé and show it."""
        client = await self.banqo.api()
        self.show_summary(await client.me.summary())

    def show_subscription(self, summary: Summary) -> None:
        """The « Abonnement » section: a few sentences; after the end, the ways to keep the data."""
        sentences = subscription_sentences(summary)
        self.query_one("#subscription-title").display = bool(sentences)
        text = self.query_one("#subscription", Static)
        text.update(" ".join(sentences))
        text.display = bool(sentences)
        subscription = summary.subscription
        ended = subscription is not None and str(subscription.state) == "ended"
        # Once the data is deleted, there is nothing left to export.
        kept = subscription is not None and subscription.data_deleted_at is None
        self.query_one("#open-export").display = ended and kept
        self.query_one("#subscription-actions").display = ended

    def show_plans_due(self, summary: Summary) -> None:
        """« Plans à réviser »: overdue and soon, soonest first; hidden when there are none."""

        from textual.content import Content
        from textual.widgets.option_list import Option

        plans = summary.plans_to_review
        listing = self.query_one("#plans-due", ChoiceList)
        today = self.banqo.today()
        listing.set_options(Option(Content(plan_due_line(plan, today)), id=plan.id) for plan in plans)
        for part in ("#plans-due-title", "#plans-due"):
            self.query_one(part).display = bool(plans)
        self.refresh_bindings()

    def show_summary(self, summary: Summary) -> None:
        self.summary = summary
        name = f"{summary.first_name} {summary.last_name}".strip()
        self.query_one("#greeting", Static).update(_("Bonjour, {name}").format(name=name))
        width = max(len(_(label)) for _attr, label in COUNT_LABELS) + 2
        lines = [
            "{label:<{width}}{count:>5}".format(
                # Translators: a count's label followed by its colon (French puts a space before it).
                label=_("{label} :").format(label=_(label)),
                width=width,
                count=format_number(getattr(summary.counts, attr)),
            )
            for attr, label in COUNT_LABELS
        ]
        self.query_one("#counts", Static).update("\n".join(lines))
        self.show_plans_due(summary)
        self.show_subscription(summary)
        last = summary.last_sign_in
        if last is None:
            text = _("Dernière connexion : Première connexion")
        else:
            text = _("Dernière connexion : {date}, {device}").format(date=moment(last.at), device=last.device)
        self.query_one("#last-sign-in", Static).update(text)
        if summary.recent_activity:
            activity = "\n".join(
                "• {date} — {what}{device}".format(
                    date=moment(entry.at),
                    what=activity_sentence(entry.kind),
                    device=f" ({entry.device})" if entry.device else "",
                )
                for entry in summary.recent_activity
            )
        else:
            activity = _("Aucune activité récente.")
        self.query_one("#activity", Static).update(activity)
