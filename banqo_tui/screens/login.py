"""The first screen: sign in, or create an account. Drawn before anything heavy is imported."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Footer, Input, Static
from textual.worker import Worker, WorkerState

from banqo_tui.api import errors
from banqo_tui.i18n import N_, _
from banqo_tui.screens.base import BanqoScreen, ScreenTitle
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.field import Field

SIGN_IN_TAB = "sign-in"
SIGN_UP_TAB = "sign-up"


def server_description(label: str) -> str:
    """The server this run talks to, in words."""
    if label == "local":
        return _("BanqO sur cet ordinateur")
    if label == "demo":
        return _("compte de démonstration sur cet ordinateur")
    return label


class SignInScreen(BanqoScreen):
    """« Se connecter » and « Créer un compte », each a short form whose errors appear under their fields.

    When the account asks for a second step, the server's refusal names the ``totp`` field: « Code de
    validation » appears, and the next submit sends it with the email and the password.
    """

    DEFAULT_CSS = """
    #sign-in-links {
        height: auto;
        margin-top: 1;
    }
    #sign-in-links ActionButton {
        margin-right: 2;
        background: $boost;
        color: $text;
        text-style: underline;
    }
    #sign-in-links ActionButton:focus {
        text-style: bold reverse;
    }
    """

    BINDINGS = [
        # Priority bindings, like Tab: the focus moves before the keys typed next are handed to a field.
        Binding("f5", "show_tab('sign-in')", N_("Se connecter"), key_display="F5", priority=True,
                id="sign_in.sign_in_tab"),
        Binding("f6", "show_tab('sign-up')", N_("Créer un compte"), key_display="F6", priority=True,
                id="sign_in.sign_up_tab"),
        Binding("ctrl+r", "retry_connection", N_("Réessayer"), id="sign_in.retry"),
        # Priority, like F5: Ctrl+O (« Se déconnecter » once signed in) is not offered by the app here.
        Binding("ctrl+o", "forgot_password", N_("Mot de passe oublié"), priority=True, id="sign_in.forgot_password"),
        # A priority binding, so that the focus moves before the next typed keys are read (typing ahead).
        Binding("enter", "next_field", N_("Champ suivant, ou envoyer au dernier champ"), show=False,
                priority=True, id="sign_in.next_field"),
    ]

    def __init__(self, email: str | None = None) -> None:
        super().__init__(id="sign-in-screen")
        self._initial_email = email or ""
        self._busy = False
        self._retry_shown = False

    # --- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Only the sign-in form is built for the first frame; « Créer un compte » is built on its first visit.
        yield ScreenTitle("BanqO")
        with Center():
            with Vertical(id="sign-in-form"):
                yield Static(
                    _("Plans d'intervention et de transition à partir d'une banque d'objectifs."),
                    id="tagline",
                )
                yield Static(self._switch_line(SIGN_IN_TAB), id="form-switch")
                with ContentSwitcher(id="sign-in-forms", initial=SIGN_IN_TAB):
                    with Vertical(id=SIGN_IN_TAB, classes="form"):
                        yield Field(
                            _("Courriel"),
                            "email",
                            value=self._initial_email,
                            id="sign-in-email",
                            max_length=320,
                        )
                        yield Field(
                            _("Mot de passe"),
                            "password",
                            password=True,
                            id="sign-in-password",
                            max_length=512,
                        )
                        totp = Field(
                            _("Code de validation"),
                            "totp",
                            id="sign-in-totp",
                            max_length=20,
                            placeholder=_("6 chiffres, ou un code de récupération"),
                        )
                        totp.display = False
                        yield totp
                        yield ActionButton(_("Se connecter"), id="sign-in-submit")
                    yield Vertical(id=SIGN_UP_TAB, classes="form")
                with Horizontal(id="sign-in-links"):
                    yield ActionButton(_("Mot de passe oublié?"), id="sign-in-forgot")
                    yield ActionButton(_("Des questions? Contactez-nous!"), id="sign-in-support")
                yield Static("", id="connection-status", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    @staticmethod
    def _switch_line(active: str) -> Content:
        """« Se connecter (F5) · Créer un compte (F6) », the shown form marked by ▸ and in bold, not by colour."""
        parts = []
        for tab, label, key in (
            (SIGN_IN_TAB, _("Se connecter"), "F5"),
            (SIGN_UP_TAB, _("Créer un compte"), "F6"),
        ):
            text = f"{label} ({key})"
            if tab == active:
                parts.append(Content.styled(f"▸ {text}", "bold underline"))
            else:
                parts.append(Content(f"  {text}"))
        return Content("   ").join(parts)

    async def _build_sign_up_form(self) -> None:
        form = self.query_one(f"#{SIGN_UP_TAB}", Vertical)
        if form.children:
            return
        await form.mount_all(
            [
                Field(_("Prénom"), "first_name", id="sign-up-first-name", max_length=200),
                Field(_("Nom"), "last_name", id="sign-up-last-name", max_length=200),
                Field(_("Courriel"), "email", id="sign-up-email", max_length=320),
                Field(_("Mot de passe"), "password", password=True, id="sign-up-password", max_length=512),
                ActionButton(_("Créer le compte"), id="sign-up-submit"),
            ]
        )

    def on_mount(self) -> None:
        self.watch(self.app, "connection_state", self._show_connection_state)
        self.call_after_refresh(self.banqo.first_frame_drawn)
        if not self.banqo.exit_after_first_frame:
            # Built right after the first frame, so that F6 switches at once and what is typed next lands there.
            self.call_after_refresh(self._build_sign_up_form)
        if self._initial_email:
            self.field("sign-in-password").focus_input()
        else:
            self.field("sign-in-email").focus_input()

    # --- helpers ---------------------------------------------------------------------------------

    def field(self, field_id: str) -> Field:
        return self.query_one(f"#{field_id}", Field)

    @property
    def active_tab(self) -> str:
        return self.query_one(ContentSwitcher).current or SIGN_IN_TAB

    def _pane_fields(self, tab: str | None = None) -> list[Field]:
        """The fields of a form that are shown (« Code de validation » only once the server asks for it)."""
        pane = self.query_one(f"#{tab or self.active_tab}", Vertical)
        return [field for field in pane.query(Field) if field.display]

    def _field_is_active(self, field: Widget) -> bool:
        return field in self._pane_fields()

    def prefill_email(self, email: str) -> None:
        """Fill in the last email used, unless the teacher has started typing one."""
        email_field = self.field("sign-in-email")
        if email_field.value:
            return
        email_field.value = email
        if self.focused is None or self.focused is email_field.input:
            self.field("sign-in-password").focus_input()

    def _show_connection_state(self, state: str) -> None:
        status = self.query_one("#connection-status", Static)
        label = self.banqo.connection.label if self.banqo.connection else self.banqo.config.server_label
        if self._busy and state in ("connecting", "ready"):
            status.update(_("Vérification en cours…"))
        elif state == "connecting":
            status.update(_("Connexion au serveur…"))
        elif state == "ready":
            status.update(_("Serveur : {server}").format(server=server_description(label)))
        else:
            problem = self.banqo.connection_problem or _("Le serveur ne répond pas.")
            status.update(_("{problem} Ctrl+R : réessayer.").format(problem=problem))
        problem = state in ("unreachable", "failed")
        status.set_class(problem, "-problem")
        if problem != self._retry_shown:  # the footer is rebuilt on each refresh: only when Ctrl+R comes or goes
            self._retry_shown = problem
            self.refresh_bindings()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._show_connection_state(self.banqo.connection_state)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry_connection":
            return self.banqo.connection_state in ("unreachable", "failed")
        if action == "next_field":
            return self._focused_field() is not None
        return True

    def _focused_field(self) -> Field | None:
        focused = self.focused
        if isinstance(focused, Input) and isinstance(focused.parent, Field):
            return focused.parent
        return None

    async def action_show_tab(self, tab: str) -> None:
        """Show the « Se connecter » or « Créer un compte » form, its first empty field focused."""
        if tab == SIGN_UP_TAB and not self.query_one(f"#{SIGN_UP_TAB}", Vertical).children:
            await self._build_sign_up_form()  # only when F6 comes within the first frame's instant
        self.query_one(ContentSwitcher).current = tab
        self.query_one("#form-switch", Static).update(self._switch_line(tab))
        self.query_one("#sign-in-forgot").display = tab == SIGN_IN_TAB
        fields = self._pane_fields(tab)
        empty = [field for field in fields if not field.value]
        (empty or fields)[0].focus_input()

    def action_retry_connection(self) -> None:
        self.banqo.connect()

    def action_forgot_password(self) -> None:
        """« Mot de passe oublié »: a code by email, then a new password; the email typed here goes along."""
        from banqo_tui.screens.password_reset import PasswordResetScreen

        self.app.push_screen(PasswordResetScreen(email=self.field("sign-in-email").value.strip()))

    def password_was_reset(self, email: str) -> None:
        """Back from « Mot de passe oublié »: the email filled in, ready for the new password."""
        if self.active_tab != SIGN_IN_TAB:
            self.query_one(ContentSwitcher).current = SIGN_IN_TAB
            self.query_one("#form-switch", Static).update(self._switch_line(SIGN_IN_TAB))
            self.query_one("#sign-in-forgot").display = True
        for field in (self.field("sign-in-email"), self.field("sign-in-password"), self.field("sign-in-totp")):
            field.clear_error()
        self.field("sign-in-email").value = email
        self.field("sign-in-password").value = ""
        self.field("sign-in-totp").value = ""
        self.field("sign-in-password").focus_input()

    def show_field_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """A second step asked for (``totp``): « Code de validation » appears, with the server's message."""
        if "totp" in errors and self.active_tab == SIGN_IN_TAB:
            totp = self.field("sign-in-totp")
            if not totp.display:
                # The first time, the server only asks for the code: guidance, not an error.
                totp.display = True
                totp.set_hint(" ".join(errors["totp"]))
                totp.focus_input()
                errors = {name: messages for name, messages in errors.items() if name != "totp"}
        return super().show_field_errors(errors)

    # --- input -----------------------------------------------------------------------------------

    def action_next_field(self) -> None:
        """Enter goes to the next field, and submits the form from the last one."""
        current = self._focused_field()
        fields = self._pane_fields()
        if current not in fields:
            return
        index = fields.index(current)
        if index + 1 < len(fields):
            self.set_focus(fields[index + 1].input)
        else:
            self.submit()

    async def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        if event.button.id == "sign-in-submit":
            self.submit(SIGN_IN_TAB)
        elif event.button.id == "sign-up-submit":
            self.submit(SIGN_UP_TAB)
        elif event.button.id == "sign-in-forgot":
            self.action_forgot_password()
        elif event.button.id == "sign-in-support":
            await self.app.run_action("support")

    def submit(self, tab: str | None = None) -> None:
        """Check the form of ``tab`` (the active one by default) and send it to the server.

        Keys typed ahead (a paste, a burst over SSH) may still wait in a field's queue when Enter, a priority
        binding, runs: the form is read only once each field has handled what was sent to it before.
        """
        tab = tab or self.active_tab
        fields = self._pane_fields(tab)

        def settle(remaining: list[Field]) -> None:
            if remaining:
                remaining[0].input.call_later(settle, remaining[1:])
            else:
                self._submit_now(tab, fields)

        settle(list(fields))

    def _submit_now(self, tab: str, fields: list[Field]) -> None:
        for field in fields:
            field.clear_error()
        missing = [field for field in fields if field.required and not field.value.strip()]
        for field in missing:
            field.set_error([_("Ce champ est obligatoire.")])
        if missing:
            missing[0].focus_input()
            return
        values = {field.name or "": field.value for field in fields}
        self._set_busy(True)
        if tab == SIGN_IN_TAB:
            self._sign_in(values["email"].strip(), values["password"], values.get("totp", "").strip() or None)
        else:
            self._sign_up(values)

    @work(group="auth", exclusive=True, exit_on_error=False)
    async def _sign_in(self, email: str, password: str, totp: str | None = None) -> None:
        client = await self.banqo.api()
        answer = await client.sessions.sign_in(
            email=email, password=password, device=self.banqo.device, totp=totp
        )
        self.banqo.signed_in_with(answer)

    @work(group="auth", exclusive=True, exit_on_error=False)
    async def _sign_up(self, values: dict[str, str]) -> None:
        client = await self.banqo.api()
        answer = await client.accounts.sign_up(
            email=values["email"].strip(),
            password=values["password"],
            first_name=values["first_name"].strip(),
            last_name=values["last_name"].strip(),
            device=self.banqo.device,
        )
        self.banqo.signed_in_with(answer)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "auth" or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        self._set_busy(False)
        error = event.worker.error
        if isinstance(error, errors.InvalidCredentials) and "totp" not in error.errors:
            # Wrong email or password: the password goes (wrong, or meant for another email); the email stays.
            self.field("sign-in-password").value = ""
