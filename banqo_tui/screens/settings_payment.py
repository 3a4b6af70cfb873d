"""« Mes paramètres », tab « Méthode de paiement »: the card on file, and replacing it.

The card is said in words: « Visa •••• 4242 — expire en 12/2028 », and « Cette carte expire bientôt » when the
server flags it. « Ajouter une carte » / « Remplacer la carte » asks the server for a setup session with the
payment processor:

- a real processor hands back the address of its own page, shown as text and as a QR code (over SSH no
  browser is at hand: a phone reads the code); the card is entered there, never here;
- the ``sandbox`` processor (test mode) is completed here, in a small form: the number goes to the sandbox's
  own endpoint, which answers a token; only the token reaches the BanqO API.

The card number lives only in its field: never in a notification, a log or an attribute, and the field is
emptied once the card is saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from banqo_tui.api import errors
from banqo_tui.i18n import N_, _
from banqo_tui.screens.settings_privacy import _reason
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.field import Field, next_or_submit

if TYPE_CHECKING:
    from banqo_tui.api.models import Card, PaymentMethod, SetupSession
    from banqo_tui.app import BanqoApp

#: Card brands as people write them.
BRAND_NAMES = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "american_express": "American Express",
    "american express": "American Express",
}
DOTS = "••••"

#: The sandbox processor's test cards, as printed on a card (the same numbers as its own table), and what each
#: does. Shown only when the setup session is the sandbox's.
SANDBOX_TEST_CARDS = (
    ("4242 4242 4242 4242", N_("Visa, acceptée")),
    ("5555 5555 5555 4444", N_("Mastercard, acceptée")),
    ("3782 822463 10005", N_("American Express (CVC à 4 chiffres), acceptée")),
    ("4000 0000 0000 0002", N_("refusée au paiement")),
    ("4000 0000 0000 9995", N_("refusée au paiement : fonds insuffisants")),
    ("4000 0000 0000 0069", N_("refusée au paiement : carte expirée")),
    ("4000 0000 0000 0119", N_("refusée une fois, acceptée au deuxième essai")),
)

#: The sandbox's request fields, by the form field their messages go under (the expiry is typed once).
SANDBOX_FIELDS = {"number": "number", "exp_month": "expiry", "exp_year": "expiry", "cvc": "cvc"}


def brand_name(brand: str) -> str:
    """« Visa », « Mastercard », « American Express » (the processor's word for another brand)."""
    return BRAND_NAMES.get(brand.strip().lower(), brand.strip().title() or _("Carte"))


def card_label(brand: str, last4: str) -> str:
    """« Visa •••• 4242 »."""
    return f"{brand_name(brand)} {DOTS} {last4}"


def card_text(card: Card | None) -> str:
    """« Visa •••• 4242 — expire en 12/2028 », or « Aucune carte enregistrée. »."""
    if card is None:
        return _("Aucune carte enregistrée.")
    return _("{card} — expire en {month:02d}/{year}").format(
        card=card_label(card.brand, card.last4), month=card.exp_month, year=card.exp_year
    )


def card_warning(card: Card | None) -> str:
    """« Cette carte est expirée » / « Cette carte expire bientôt », when the server says so."""
    if card is None:
        return ""
    if card.expired:
        return _("Cette carte est expirée : remplacez-la pour que l'abonnement continue.")
    if card.expiring_soon:
        return _("Cette carte expire bientôt : remplacez-la avant la fin du mois de son expiration.")
    return ""


def split_expiry(typed: str) -> tuple[str, str]:
    """« 12/28 » → (« 12 », « 28 »); « 1228 » alike. What does not split goes as typed: the processor says why."""
    text = typed.strip()
    for separator in ("/", "-", " "):
        if separator in text:
            month, _sep, year = text.partition(separator)
            return month.strip(), year.strip()
    if text.isdigit() and len(text) == 4:
        return text[:2], text[2:]
    return text, ""


def NOT_BILLED_TEXT() -> str:  # noqa: N802 - a sentence, translated when said
    return _("Ce serveur BanqO ne facture pas : aucune carte n'est nécessaire.")


class PaymentPane(VerticalScroll):
    """The « Méthode de paiement » tab of « Mes paramètres »."""

    DEFAULT_CSS = """
    PaymentPane {
        height: 1fr;
    }
    PaymentPane #payment-card {
        text-style: bold;
    }
    PaymentPane #payment-card-warning {
        text-style: bold;
        color: $text-warning;
    }
    PaymentPane .payment--text {
        margin-bottom: 1;
    }
    PaymentPane .payment--status {
        height: auto;
        margin-top: 1;
        color: $text-error;
        text-style: bold;
    }
    PaymentPane .payment--status.-done {
        color: $text-success;
    }
    PaymentPane .payment--actions {
        height: 1;
        margin-top: 1;
    }
    PaymentPane .payment--actions ActionButton {
        margin-right: 2;
    }
    PaymentPane #payment-hosted, PaymentPane #payment-sandbox {
        height: auto;
        margin-top: 1;
    }
    PaymentPane #payment-hosted-url {
        text-style: bold;
        margin-bottom: 1;
    }
    PaymentPane Field {
        grid-columns: 22 1fr;
    }
    PaymentPane Field .field--label {
        width: 22;
    }
    PaymentPane Field .field--error {
        padding-left: 22;
    }
    PaymentPane #payment-test-cards {
        margin-top: 1;
        color: $text-muted;
    }
    """

    class CardChanged(Message):
        """A new card is on file (a past-due subscription may have been paid with it)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=False)
        self.payment_method: PaymentMethod | None = None
        #: The processor's session the form completes (None until asked for, and once used).
        self.session: SetupSession | None = None

    @property
    def banqo(self) -> BanqoApp:
        return self.app  # type: ignore[return-value]

    # --- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(_("Carte enregistrée"), classes="section-title", id="payment-title")
        yield Static(_("Chargement…"), id="payment-card", markup=False)
        yield Static("", id="payment-card-warning", markup=False)
        with Horizontal(classes="payment--actions"):
            yield ActionButton(_("Ajouter une carte"), id="payment-setup")
        yield Static("", id="payment-status", classes="payment--status", markup=False)
        yield Vertical(id="payment-hosted")
        with Vertical(id="payment-sandbox"):
            yield Static(
                _("Processeur de test : aucune vraie carte n'est débitée."), classes="payment--text", markup=False
            )
            yield Field(_("Numéro de la carte"), "number", id="payment-number", max_length=40,
                        placeholder="4242 4242 4242 4242")
            yield Field(_("Expiration (MM/AA)"), "expiry", id="payment-expiry", max_length=7, placeholder="12/28")
            yield Field(_("CVC"), "cvc", id="payment-cvc", max_length=8, placeholder="123")
            with Horizontal(classes="payment--actions"):
                yield ActionButton(_("Enregistrer la carte"), id="payment-save")
                yield ActionButton(_("Annuler"), id="payment-form-cancel")
            yield Static(self._test_cards_text(), id="payment-test-cards", markup=False)
        yield Static(
            _(
                "Le numéro de la carte va directement au processeur de paiement : BanqO n'en garde que la marque, "
                "les 4 derniers chiffres et l'expiration."
            ),
            classes="payment--text",
            id="payment-note",
            markup=False,
        )

    @staticmethod
    def _test_cards_text() -> str:
        lines = [_("Cartes de test (une expiration à venir, un CVC de 3 chiffres, 4 pour American Express) :")]
        width = max(len(number) for number, _effect in SANDBOX_TEST_CARDS)
        lines += [f"  {number:<{width}}  {_(effect)}" for number, effect in SANDBOX_TEST_CARDS]
        return "\n".join(lines)

    def on_mount(self) -> None:
        for part in ("#payment-card-warning", "#payment-status", "#payment-hosted", "#payment-sandbox"):
            self.query_one(part).display = False
        self.load()

    def field(self, name: str) -> Field:
        return self.query_one(f"#payment-{name}", Field)

    @property
    def form_fields(self) -> list[Field]:
        return [self.field("number"), self.field("expiry"), self.field("cvc")]

    # --- loading ---------------------------------------------------------------------------------

    @work(group="payment-load", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        client = await self.banqo.api()
        self.show(await client.payment_method.get())

    def tab_shown(self) -> None:
        """The tab came on screen: the card may have changed elsewhere."""
        if self.payment_method is not None and not self.query_one("#payment-sandbox").display:
            self.load()

    def show(self, method: PaymentMethod) -> None:
        self.payment_method = method
        if not method.billing:
            self.query_one("#payment-card", Static).update(NOT_BILLED_TEXT())
            for selector in (
                "#payment-title", "#payment-card-warning", "#payment-setup", "#payment-sandbox", "#payment-note"
            ):
                self.query_one(selector).display = False
            return
        self.query_one("#payment-card", Static).update(card_text(method.card))
        warning = self.query_one("#payment-card-warning", Static)
        text = card_warning(method.card)
        warning.update(text)
        warning.display = bool(text)
        self.query_one("#payment-setup", ActionButton).update(
            _("Remplacer la carte") if method.card is not None else _("Ajouter une carte")
        )

    def _status(self, text: str, *, problem: bool = True) -> None:
        status = self.query_one("#payment-status", Static)
        status.update(text)
        status.display = bool(text)
        status.set_class(not problem, "-done")

    # --- input -----------------------------------------------------------------------------------

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        button = event.button.id
        if button == "payment-setup":
            self.start_setup()
        elif button == "payment-save":
            self.save_card()
        elif button == "payment-form-cancel":
            self.close_form()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter goes to the next field of the card form, and saves from the last one."""
        if next_or_submit(self.form_fields, event.input.parent, self.save_card):
            event.stop()

    # --- the processor's session -----------------------------------------------------------------

    @work(group="payment-setup", exclusive=True, exit_on_error=False)
    async def start_setup(self) -> None:
        """Ask for a setup session, then show the processor's page or, in test mode, the card form."""
        self._status("")
        client = await self.banqo.api()
        session = await client.payment_method.setup()
        self.session = session
        if session.processor == "sandbox":
            self.query_one("#payment-hosted").display = False
            self.query_one("#payment-sandbox").display = True
            for field in self.form_fields:
                field.clear_error()
            self.field("number").focus_input()
        elif session.url:
            await self._show_hosted_page(session.url)
        else:
            self._status(
                _("Ce processeur de paiement ne propose pas de page pour saisir la carte : écrivez au soutien.")
            )

    async def _show_hosted_page(self, url: str) -> None:
        """The processor's page, as text and as a QR code for a phone.

        Completing that flow (the processor calling BanqO back, or the TUI polling for the session's token,
        then ``payment_method.replace``) belongs with the first real processor: this version of BanqO ships
        the sandbox only, completed in the form below.
        """
        from banqo_tui.widgets.qr import QrCode

        hosted = self.query_one("#payment-hosted", Vertical)
        await hosted.remove_children()
        parts: list[Static] = [
            Static(_("Saisissez la carte sur la page du processeur."), classes="payment--text", markup=False),
            Static(url, id="payment-hosted-url", markup=False),
        ]
        if not self.banqo.accessible:
            parts.append(QrCode(url, id="payment-hosted-qr"))
        await hosted.mount_all(parts)
        self.query_one("#payment-sandbox").display = False
        hosted.display = True

    def close_form(self) -> None:
        """Leave the form: what was typed is forgotten."""
        for field in self.form_fields:
            field.value = ""
            field.clear_error()
        self.session = None
        self.query_one("#payment-sandbox").display = False
        self.query_one("#payment-setup").focus()

    # --- the sandbox's form ----------------------------------------------------------------------

    def save_card(self) -> None:
        for field in self.form_fields:
            field.clear_error()
        missing = [field for field in self.form_fields if not field.value.strip()]
        for field in missing:
            field.set_error([_("Ce champ est obligatoire.")])
        if missing:
            missing[0].focus_input()
            return
        self._status(_("Enregistrement de la carte…"), problem=False)
        self._save_card()

    @work(group="payment-save", exclusive=True, exit_on_error=False)
    async def _save_card(self) -> None:
        """Card → sandbox processor → token → BanqO API. The number is read from its field here, and only here."""
        client = await self.banqo.api()
        month, year = split_expiry(self.field("expiry").value)
        session = self.session
        if session is None:
            session = self.session = await client.payment_method.setup()
        number = "".join(self.field("number").value.split())
        cvc = self.field("cvc").value.strip()
        answer = None
        for attempt in range(2):
            try:
                answer = await client.sandbox.confirm(
                    session.id, number=number, exp_month=month, exp_year=year, cvc=cvc
                )
                break
            except errors.ApiError as exc:
                if exc.errors:
                    self._place(exc.errors)
                    return
                if not isinstance(exc, errors.NotFound) or attempt:
                    raise
                # The session expired or was used: a new one, and the same card once more.
                session = self.session = await client.payment_method.setup()
        del number, cvc
        if answer is None:
            return
        self.session = None  # its token is single-use
        method = self.payment_method
        version = method.version if method is not None else 0
        try:
            saved = await client.payment_method.replace(version, answer.token)
        except errors.Conflict as exc:
            if exc.status != 412 and exc.current_version is None:
                raise
            self.show(await client.payment_method.get())
            self._status(
                _(
                    "La carte a été changée ailleurs (un autre appareil, une autre fenêtre) : voici celle "
                    "enregistrée maintenant. Rien n'a été remplacé; ce que vous avez tapé est toujours là. "
                    "Enregistrez de nouveau pour la remplacer."
                )
            )
            return
        except errors.ApiError as exc:
            if not exc.errors:
                raise
            self._status(" ".join(message for messages in exc.errors.values() for message in messages))
            return
        self._card_saved(saved)

    def _place(self, found: dict[str, list[str]]) -> None:
        """The processor's refusals under their fields (the month's and the year's both under the expiry);
        what it says about nothing typed goes to the status line. What was typed stays."""
        by_field: dict[str, list[str]] = {}
        others: list[str] = []
        for name, messages in found.items():
            target = SANDBOX_FIELDS.get(name)
            if target is None:
                others.extend(messages)
            else:
                by_field.setdefault(target, []).extend(messages)
        first: Field | None = None
        for field in self.form_fields:
            refused = by_field.get(field.name or "")
            if refused:
                field.set_error(refused)
                first = first or field
        self._status(" ".join(others) if others else _("La carte n'a pas été enregistrée : voyez sous les champs."))
        if first is not None:
            first.focus_input()

    def _card_saved(self, method: PaymentMethod) -> None:
        """The card is on file: its number and CVC leave the screen, the other tabs hear of it."""
        self.field("number").value = ""
        self.field("cvc").value = ""
        self.field("expiry").value = ""
        for field in self.form_fields:
            field.clear_error()
        self.query_one("#payment-sandbox").display = False
        self.show(method)
        card = method.card
        done = (
            _("Carte enregistrée : {card}").format(card=card_label(card.brand, card.last4))
            if card is not None
            else _("Carte enregistrée.")
        )
        self._status(done, problem=False)
        self.app.notify(done, markup=False)
        self.query_one("#payment-setup").focus()
        self.post_message(self.CardChanged())

    # --- failures --------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """This pane's workers report here (worker messages do not bubble).

        Field errors never go through ``report_error`` from the card form: a message naming a field that is
        not on screen would become a notification, and nothing about the card belongs in one.
        """
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        error = event.worker.error
        group = event.worker.group
        if group == "payment-load":
            self._status(_("La méthode de paiement n'a pas pu être lue : {reason}").format(reason=_reason(error)))
        elif group == "payment-setup":
            self._status(_("La saisie de la carte n'a pas pu commencer : {reason}").format(reason=_reason(error)))
        elif group == "payment-save":
            self._status(_("La carte n'a pas été enregistrée : {reason}").format(reason=_reason(error)))
        if isinstance(error, errors.NotSignedIn) or not isinstance(error, errors.ApiError) or not error.errors:
            self.banqo.report_error(error)
