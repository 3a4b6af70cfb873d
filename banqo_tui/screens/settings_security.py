"""« Mes paramètres », tab « Sécurité »: change the password, the signed-in devices, two-factor sign-in.

Three sections, each usable by keyboard alone:

- « Changer le mot de passe »: the current password and the new one twice (the two must match, checked here);
  the server's refusals appear under their fields. Every other session of the account ends, and the
  notification says how many did.
- « Appareils connectés »: the account's active sessions, this terminal's marked « (cet appareil) » in words;
  X or Delete ends the highlighted one after a confirmation (this terminal's own: « Se déconnecter »).
- « Validation en deux étapes »: its state in words; « Activer… » shows the secret (as text and as a QR code)
  and asks for a first code, then shows the ten recovery codes once; « Désactiver… » asks for the password.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Input, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from banqo_tui.api import errors
from banqo_tui.commands import ACTIONS_BY_NAME, key_label, translate_bindings
from banqo_tui.i18n import N_, _, format_date, ngettext
from banqo_tui.screens.dialogs import ConfirmDialog, Dialog
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.choice_list import ChoiceList
from banqo_tui.widgets.field import Field, next_or_submit

if TYPE_CHECKING:
    from banqo_tui.api.client import BanqoClient
    from banqo_tui.api.models import SessionInfo, TotpEnabled, TotpSetup
    from banqo_tui.app import BanqoApp

#: The secret is shown in groups of this many characters, easier to copy by hand.
SECRET_GROUP = 4
#: How many digits a code from an authenticator app has.
TOTP_DIGITS = 6


def group_secret(secret: str, size: int = SECRET_GROUP) -> str:
    """« JBSWY3DPEHPK3PXP » → « JBSW Y3DP EHPK 3PXP »."""
    compact = "".join(secret.split()).upper()
    return " ".join(compact[start:start + size] for start in range(0, len(compact), size))


def password_changed_notice(sessions_ended: int) -> str:
    """What the notification says after a password change: how many other sessions were ended."""
    if sessions_ended == 0:
        return _("Mot de passe changé. Aucune autre session n'était ouverte.")
    return ngettext(
        "Mot de passe changé. {count} autre session a été fermée.",
        "Mot de passe changé. {count} autres sessions ont été fermées.",
        sessions_ended,
    ).format(count=sessions_ended)


def session_lines(session: SessionInfo) -> tuple[str, str, str]:
    """A session in words: the device (this one marked), when it was opened, when it was last used (local time)."""
    from banqo_tui.screens.summary import moment

    device = session.device
    if session.current:
        device = _("{device} (cet appareil)").format(device=device)
    return (
        device,
        _("ouverte le {moment}").format(moment=moment(session.created_at)),
        _("dernière activité : {moment}").format(moment=moment(session.last_used_at)),
    )


def totp_state_text(enabled: bool, since: datetime | None) -> str:
    if not enabled:
        return _(
            "État : désactivée. Une fois activée, BanqO demande à chaque connexion, en plus du mot de passe, "
            "un code à 6 chiffres d'une application d'authentification de votre téléphone."
        )
    if since is None:
        return _("État : activée. Chaque connexion demande un code de votre application d'authentification.")
    local = since.astimezone() if since.tzinfo else since
    return _(
        "État : activée depuis le {date}. Chaque connexion demande un code de votre application d'authentification."
    ).format(date=format_date(local, "long"))


def _password_fields_checked(fields: list[Field], new: Field, confirm: Field) -> bool:
    """Required fields filled and the new password typed twice alike; messages under the fields otherwise."""
    for field in fields:
        field.clear_error()
    missing = [field for field in fields if field.required and not field.value]
    for field in missing:
        field.set_error([_("Ce champ est obligatoire.")])
    if missing:
        missing[0].focus_input()
        return False
    if new.value != confirm.value:
        confirm.set_error([_("Les deux nouveaux mots de passe ne sont pas identiques. Tapez le même deux fois.")])
        confirm.focus_input()
        return False
    return True


class SessionList(ChoiceList):
    """The signed-in devices; X or Delete asks to end the highlighted one."""

    BINDINGS = [
        Binding("x,delete", "end_session", N_("Fermer la session choisie"), id="security.end_session"),
    ]

    class EndRequested(Message):
        """End the session ``session_id`` (after a confirmation)."""

        def __init__(self, session_id: str) -> None:
            super().__init__()
            self.session_id = session_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        translate_bindings(self)

    def action_end_session(self) -> None:
        index = self.highlighted
        if index is None:
            return
        option = self.get_option_at_index(index)
        if option.id:
            self.post_message(self.EndRequested(option.id))


class SecurityPane(VerticalScroll):
    """The « Sécurité » tab of « Mes paramètres »."""

    DEFAULT_CSS = """
    SecurityPane {
        height: 1fr;
    }
    SecurityPane .section-title {
        margin-top: 1;
    }
    SecurityPane #security-password-title {
        margin-top: 0;
    }
    SecurityPane Field {
        grid-columns: 22 1fr;
    }
    SecurityPane Field .field--label {
        width: 22;
    }
    SecurityPane Field .field--error {
        padding-left: 22;
    }
    SecurityPane ActionButton {
        margin: 0 2 0 0;
    }
    SecurityPane .security-actions {
        height: 1;
        padding-left: 23;
    }
    SecurityPane .security-text {
        margin-bottom: 1;
    }
    SecurityPane SessionList {
        height: auto;
        max-height: 9;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        # Not focusable itself: Tab goes straight to the fields, the list and the buttons, which scroll into view.
        super().__init__(id=id, can_focus=False)
        self.sessions: list[SessionInfo] = []
        #: Whether two-factor sign-in is on (None until read from the server).
        self.two_factor: bool | None = None

    @property
    def banqo(self) -> BanqoApp:
        return self.app  # type: ignore[return-value]

    # --- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(_("Changer le mot de passe"), id="security-password-title", classes="section-title")
        yield Field(
            _("Mot de passe actuel"), "current_password", password=True, id="security-current-password",
            max_length=512,
        )
        yield Field(_("Nouveau mot de passe"), "new_password", password=True, id="security-new-password",
                    max_length=512)
        yield Field(
            _("Répétez le nouveau"), "new_password_confirm", password=True, id="security-new-password-confirm",
            max_length=512,
        )
        with Horizontal(classes="security-actions"):
            yield ActionButton(_("Changer le mot de passe"), id="security-change-password")

        yield Static(_("Appareils connectés"), classes="section-title")
        yield Static(_("Chargement des sessions…"), id="security-sessions-status", classes="security-text",
                     markup=False)
        yield SessionList(id="security-sessions")

        yield Static(_("Validation en deux étapes"), classes="section-title")
        yield Static(_("Chargement…"), id="security-totp-state", classes="security-text", markup=False)
        with Horizontal(classes="security-actions", id="security-totp-actions"):
            yield ActionButton(_("Activer…"), id="security-totp-enable")
            yield ActionButton(_("Désactiver…"), id="security-totp-disable")

    def on_mount(self) -> None:
        self.query_one("#security-totp-enable").display = False
        self.query_one("#security-totp-disable").display = False
        self.load_sessions()
        self.load_totp_state()

    def field(self, field_id: str) -> Field:
        return self.query_one(f"#{field_id}", Field)

    @property
    def password_fields(self) -> list[Field]:
        return [
            self.field("security-current-password"),
            self.field("security-new-password"),
            self.field("security-new-password-confirm"),
        ]

    @property
    def session_list(self) -> SessionList:
        return self.query_one("#security-sessions", SessionList)

    # --- errors ----------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed request: messages under this tab's fields, or as a notification (workers do not bubble)."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.banqo.report_error(event.worker.error, field_target=self.screen)

    # --- input -----------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter goes to the next password field, and changes the password from the last one."""
        if next_or_submit(self.password_fields, event.input.parent, self.change_password):
            event.stop()

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        button = event.button.id
        if button == "security-change-password":
            event.stop()
            self.change_password()
        elif button == "security-totp-enable":
            event.stop()
            self.start_totp_setup()
        elif button == "security-totp-disable":
            event.stop()
            self.app.push_screen(TotpDisableDialog(), self._totp_disabled)

    # --- « Changer le mot de passe » -------------------------------------------------------------

    def change_password(self) -> None:
        current, new, confirm = self.password_fields
        if _password_fields_checked(self.password_fields, new, confirm):
            self._change_password(current.value, new.value)

    @work(group="security-password", exclusive=True, exit_on_error=False)
    async def _change_password(self, current_password: str, new_password: str) -> None:
        client = await self.banqo.api()
        try:
            answer = await client.me.change_password(current_password, new_password)
        except errors.TooManyRequests as exc:
            # Too many wrong current passwords: said under that field, with the wait.
            from banqo_tui.app import retry_delay_text

            current = self.field("security-current-password")
            current.set_error(
                exc.errors.get("current_password")
                or [" ".join(part for part in (exc.message, retry_delay_text(exc.retry_after)) if part)]
            )
            current.focus_input()
            return
        for field in self.password_fields:
            field.value = ""
            field.clear_error()
        self.app.notify(password_changed_notice(answer.sessions_ended), markup=False)
        self.load_sessions()

    # --- « Appareils connectés » ------------------------------------------------------------------

    @work(group="security-sessions", exclusive=True, exit_on_error=False)
    async def load_sessions(self) -> None:
        client = await self.banqo.api()
        sessions = await client.sessions.list()
        self.show_sessions(sessions)

    def show_sessions(self, sessions: list[SessionInfo]) -> None:
        """List this terminal's session first, then the others, newest first (the server's order)."""
        listing = self.session_list
        previous = listing.highlighted
        previous_id = listing.get_option_at_index(previous).id if previous is not None else None
        self.sessions = sorted(sessions, key=lambda session: not session.current)
        options = []
        for session in self.sessions:
            device, opened, used = session_lines(session)
            options.append(Option(Content.assemble((device, "bold"), "\n  ", opened, "\n  ", used), id=session.id))
        listing.set_options(options)
        ids = [session.id for session in self.sessions]
        if ids:
            listing.highlighted = ids.index(previous_id) if previous_id in ids else 0
        others = len(self.sessions) - 1
        status = ngettext(
            "{count} session ouverte. X ou Suppr : fermer la session choisie.",
            "{count} sessions ouvertes. X ou Suppr : fermer la session choisie.",
            len(self.sessions),
        ).format(count=len(self.sessions))
        if others <= 0:
            status = _("Aucun autre appareil n'est connecté à votre compte.")
        self.query_one("#security-sessions-status", Static).update(status)

    def on_session_list_end_requested(self, event: SessionList.EndRequested) -> None:
        event.stop()
        session = next((item for item in self.sessions if item.id == event.session_id), None)
        if session is None:
            return
        if session.current:
            sign_out = ACTIONS_BY_NAME["sign_out"]
            self.app.notify(
                _("C'est la session de cet appareil : pour la fermer, utilisez « {action} » ({key}).").format(
                    action=_(sign_out.description), key=key_label(sign_out.key)
                ),
                severity="warning",
                markup=False,
            )
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._end_session(session)

        self.app.push_screen(
            ConfirmDialog(
                _("Fermer une session"),
                _("Fermer la session « {device} »? Cet appareil devra se reconnecter avec le mot de passe.").format(
                    device=session.device
                ),
                _("Fermer la session"),
            ),
            answered,
        )

    @work(group="security-end-session", exclusive=True, exit_on_error=False)
    async def _end_session(self, session: SessionInfo) -> None:
        client = await self.banqo.api()
        try:
            await client.sessions.end(session.id)
        except errors.NotFound:
            self.app.notify(_("Cette session était déjà fermée."), markup=False)
        else:
            self.app.notify(_("Session fermée : {device}.").format(device=session.device), markup=False)
        self.load_sessions()
        self.session_list.focus()

    # --- « Validation en deux étapes » ------------------------------------------------------------

    @work(group="security-totp", exclusive=True, exit_on_error=False)
    async def load_totp_state(self) -> None:
        client = await self.banqo.api()
        profile = await client.me.profile()
        since = await self._totp_enabled_at(client) if profile.two_factor else None
        self.show_totp_state(profile.two_factor, since)

    @staticmethod
    async def _totp_enabled_at(client: BanqoClient) -> datetime | None:
        """When two-factor sign-in was last turned on, from the account's activity (None when unknown)."""
        from banqo_tui.api.models import ActivityKind

        try:
            entries = await client.me.activity()
        except (errors.ApiError, errors.ProtocolError):
            return None
        return next((entry.at for entry in entries if entry.kind == ActivityKind.TOTP_ENABLED), None)

    def show_totp_state(self, enabled: bool, since: datetime | None) -> None:
        self.two_factor = enabled
        self.query_one("#security-totp-state", Static).update(totp_state_text(enabled, since))
        enable = self.query_one("#security-totp-enable")
        disable = self.query_one("#security-totp-disable")
        moved = self.screen.focused in (enable, disable)
        enable.display = not enabled
        disable.display = enabled
        if moved:
            (disable if enabled else enable).focus()

    @work(group="security-totp-setup", exclusive=True, exit_on_error=False)
    async def start_totp_setup(self) -> None:
        client = await self.banqo.api()
        setup = await client.me.totp_setup()
        self.app.push_screen(TotpSetupDialog(setup), self._totp_confirmed)

    def _totp_confirmed(self, enabled: TotpEnabled | None) -> None:
        if enabled is None:
            return
        self.app.notify(_("Validation en deux étapes activée."), markup=False)
        self.load_totp_state()
        self.app.push_screen(RecoveryCodesDialog(enabled.recovery_codes))

    def _totp_disabled(self, disabled: bool | None) -> None:
        if disabled:
            self.app.notify(_("Validation en deux étapes désactivée."), markup=False)
            self.load_totp_state()


class TotpSetupDialog(Dialog):
    """The new secret as text and as a QR code, and a first code from the app to confirm it.

    At 80×24 the QR code (left) and the instructions with the code field (right) fit side by side; on a
    smaller terminal, or with a longer address in the code, the dialog scrolls. In screen-reader mode there
    is no QR code: the secret is typed into the app.
    """

    BINDINGS = [Binding("escape", "cancel", N_("Annuler"), id="totp_setup.cancel")]

    DEFAULT_CSS = """
    TotpSetupDialog > .dialog {
        width: 80;
        border: none;
        border-left: thick $accent;
        border-right: thick $accent;
    }
    TotpSetupDialog .dialog--title {
        margin-bottom: 0;
    }
    TotpSetupDialog #totp-setup-body {
        height: auto;
    }
    TotpSetupDialog QrCode {
        margin-right: 1;
    }
    TotpSetupDialog #totp-setup-side {
        width: 1fr;
        height: auto;
    }
    TotpSetupDialog #totp-secret {
        text-style: bold;
    }
    TotpSetupDialog .totp-step {
        margin-top: 1;
    }
    TotpSetupDialog Field .field--error {
        padding-left: 0;
    }
    """

    def __init__(self, setup: TotpSetup) -> None:
        super().__init__(id="totp-setup-dialog")
        self.setup = setup

    def compose(self) -> ComposeResult:
        from banqo_tui.widgets.qr import QrCode, compact_otpauth_uri

        accessible = getattr(self.app, "accessible", False)
        with VerticalScroll(classes="dialog"):
            yield Static(_("Activer la validation en deux étapes"), classes="dialog--title")
            with Horizontal(id="totp-setup-body"):
                if not accessible:
                    yield QrCode(compact_otpauth_uri(self.setup.uri), id="totp-qr")
                with Vertical(id="totp-setup-side"):
                    if accessible:
                        first = _("1. Dans l'application d'authentification de votre téléphone, ajoutez un "
                                  "compte et tapez cette clé :")
                    else:
                        first = _("1. Avec l'application d'authentification de votre téléphone, lisez ce code "
                                  "QR, ou tapez cette clé :")
                    yield Static(first, markup=False)
                    yield Static(
                        _("Clé : {secret}").format(secret=group_secret(self.setup.secret)),
                        id="totp-secret",
                        markup=False,
                    )
                    yield Static(
                        _("2. Tapez le code à {digits} chiffres que l'application affiche.").format(
                            digits=self.setup.digits
                        ),
                        classes="totp-step",
                        markup=False,
                    )
                    yield Field(_("Code"), "code", id="totp-code", max_length=20)
                    with Horizontal(classes="dialog--actions"):
                        yield ActionButton(_("Confirmer"), id="totp-confirm")
                        yield ActionButton(_("Annuler"), id="totp-cancel")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#totp-code", Field).focus_input()
        self.query_one(".dialog", VerticalScroll).scroll_home(animate=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.confirm()

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        if event.button.id == "totp-confirm":
            self.confirm()
        else:
            self.dismiss(None)

    def confirm(self) -> None:
        field = self.query_one("#totp-code", Field)
        field.clear_error()
        code = "".join(field.value.split())
        if not (code.isdigit() and len(code) == self.setup.digits):
            field.set_error(
                [_("Tapez les {digits} chiffres que l'application affiche.").format(digits=self.setup.digits)]
            )
            field.focus_input()
            return
        self._enable(code)

    @work(group="totp-enable", exclusive=True, exit_on_error=False)
    async def _enable(self, code: str) -> None:
        client = await self.banqo.api()
        enabled = await client.me.totp_enable(code)
        self.dismiss(enabled)


class RecoveryCodesDialog(Dialog):
    """The ten recovery codes, shown this once; only « J'ai noté mes codes » closes it."""

    DEFAULT_CSS = """
    RecoveryCodesDialog #recovery-codes {
        margin: 0 0 0 2;
        text-style: bold;
    }
    """

    def __init__(self, codes: list[str]) -> None:
        super().__init__(id="recovery-codes-dialog")
        self.codes = list(codes)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(_("Vos codes de récupération"), classes="dialog--title")
            yield Static(
                _("Notez ces codes maintenant : ils ne seront plus jamais affichés. Chacun ne sert qu'une fois."),
                classes="dialog--text",
                markup=False,
            )
            yield Static("\n".join(self.codes), id="recovery-codes", markup=False)
            yield Static(
                _("Sans votre téléphone, tapez l'un d'eux à la place du code de validation."),
                classes="dialog--text totp-step",
                markup=False,
            )
            with Horizontal(classes="dialog--actions"):
                yield ActionButton(_("J'ai noté mes codes"), id="recovery-codes-done")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#recovery-codes-done").focus()

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        self.dismiss(None)


class TotpDisableDialog(Dialog):
    """Turn two-factor sign-in off, after the password; answers True once done."""

    BINDINGS = [Binding("escape", "cancel", N_("Annuler"), id="totp_disable.cancel")]

    def __init__(self) -> None:
        super().__init__(id="totp-disable-dialog")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("Désactiver la validation en deux étapes"), classes="dialog--title")
            yield Static(
                _("Sans elle, le mot de passe suffira pour se connecter. Pour confirmer, tapez votre mot de "
                  "passe."),
                classes="dialog--text",
                markup=False,
            )
            yield Field(_("Mot de passe"), "password", password=True, id="totp-disable-password", max_length=512)
            with Horizontal(classes="dialog--actions"):
                yield ActionButton(_("Annuler"), id="totp-disable-cancel")
                yield ActionButton(_("Désactiver"), id="totp-disable-confirm")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(Field).focus_input()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.confirm()

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        if event.button.id == "totp-disable-confirm":
            self.confirm()
        else:
            self.dismiss(False)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def confirm(self) -> None:
        field = self.query_one(Field)
        field.clear_error()
        if not field.value:
            field.set_error([_("Ce champ est obligatoire.")])
            field.focus_input()
            return
        self._disable(field.value)

    @work(group="totp-disable", exclusive=True, exit_on_error=False)
    async def _disable(self, password: str) -> None:
        client = await self.banqo.api()
        await client.me.totp_disable(password)
        self.dismiss(True)
