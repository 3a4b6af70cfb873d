"""« Mot de passe oublié »: a code sent by email, then a new password.

Step 1 asks for the account's email and has the server send a code (its answer is the same whether or not
an account has this email, and is shown as the server words it). Step 2 takes the code received by email and
the new password, typed twice. Success goes back to the sign-in screen, the email filled in. A server that
sends no mail says so, and that is shown plainly.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Input, Static

from banqo_tui.api import errors
from banqo_tui.i18n import N_, _
from banqo_tui.screens.base import BanqoScreen, ScreenTitle
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.field import Field, next_or_submit

#: The request fields the server may name for the code (it travels in the path).
CODE_FIELD_NAMES = ("code", "token")


class PasswordResetScreen(BanqoScreen):
    """Two short forms, one after the other; Escape goes back to the sign-in screen."""

    DEFAULT_CSS = """
    #reset-body {
        padding: 0 1;
    }
    #reset-body Field {
        grid-columns: 24 1fr;
    }
    #reset-body Field .field--label {
        width: 24;
    }
    #reset-body Field .field--error {
        padding-left: 24;
    }
    #reset-body .reset-text {
        margin: 1 0 1 1;
    }
    #reset-body .reset-actions {
        height: 1;
        padding-left: 25;
    }
    #reset-status {
        margin: 1 0 0 1;
        text-style: bold;
    }
    #reset-confirm-step {
        height: auto;
    }
    """

    BINDINGS = [
        Binding("escape", "back", N_("Retour à la connexion"), id="password_reset.back"),
    ]

    def __init__(self, email: str = "") -> None:
        super().__init__(id="password-reset-screen")
        self.initial_email = email
        #: The email the code was asked for (step 2 goes back to the sign-in screen with it).
        self.requested_email = ""

    def compose(self) -> ComposeResult:
        yield ScreenTitle(_("Mot de passe oublié"))
        with VerticalScroll(id="reset-body"):
            yield Static(
                _("Tapez le courriel de votre compte : BanqO vous enverra un code pour choisir un nouveau "
                  "mot de passe."),
                classes="reset-text",
                markup=False,
            )
            yield Field(_("Courriel"), "email", value=self.initial_email, id="reset-email", max_length=320)
            with Horizontal(classes="reset-actions"):
                yield ActionButton(_("Envoyer le code"), id="reset-request")
            yield Static("", id="reset-status", markup=False)
            with Vertical(id="reset-confirm-step"):
                yield Static(
                    _("Tapez le code reçu par courriel (il ne sert qu'une fois), puis votre nouveau mot de passe "
                      "deux fois."),
                    classes="reset-text",
                    markup=False,
                )
                yield Field(
                    _("Code reçu par courriel"), "code", id="reset-code", max_length=40, placeholder="ABCD-EFGH-JKLM"
                )
                yield Field(_("Nouveau mot de passe"), "new_password", password=True, id="reset-new-password",
                            max_length=512)
                yield Field(
                    _("Répétez le nouveau"),
                    "new_password_confirm",
                    password=True,
                    id="reset-new-password-confirm",
                    max_length=512,
                )
                with Horizontal(classes="reset-actions"):
                    yield ActionButton(_("Changer le mot de passe"), id="reset-confirm")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#reset-confirm-step").display = False
        self.query_one("#reset-status").display = False
        self.field("reset-email").focus_input()
        email_input = self.field("reset-email").input
        email_input.cursor_position = len(email_input.value)

    def field(self, field_id: str) -> Field:
        return self.query_one(f"#{field_id}", Field)

    @property
    def confirm_fields(self) -> list[Field]:
        return [self.field("reset-code"), self.field("reset-new-password"), self.field("reset-new-password-confirm")]

    def _field_is_active(self, field: object) -> bool:
        """The server's messages go to the fields on screen."""
        node = field
        while node is not None and node is not self:
            if getattr(node, "display", True) is False:
                return False
            node = getattr(node, "parent", None)
        return True

    def status(self, text: str) -> None:
        status = self.query_one("#reset-status", Static)
        status.update(text)
        status.display = bool(text)

    # --- input -----------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        owner = event.input.parent
        if owner is self.field("reset-email"):
            self.request_code()
            return
        next_or_submit(self.confirm_fields, owner, self.confirm)

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        if event.button.id == "reset-request":
            self.request_code()
        elif event.button.id == "reset-confirm":
            self.confirm()

    def action_back(self) -> None:
        self.app.pop_screen()

    # --- step 1: the code by email ---------------------------------------------------------------

    def request_code(self) -> None:
        field = self.field("reset-email")
        field.clear_error()
        email = field.value.strip()
        if not email:
            field.set_error([_("Ce champ est obligatoire.")])
            field.focus_input()
            return
        self.status(_("Envoi de la demande…"))
        self._request(email)

    @work(group="password-reset", exclusive=True, exit_on_error=False)
    async def _request(self, email: str) -> None:
        client = await self.banqo.api()
        try:
            answer = await client.password_resets.request(email)
        except errors.TooManyRequests as exc:
            from banqo_tui.app import retry_delay_text

            self.status("")
            messages = exc.errors.get("email") or [
                " ".join(part for part in (exc.message, retry_delay_text(exc.retry_after)) if part)
            ]
            self.field("reset-email").set_error(messages)
            self.field("reset-email").focus_input()
            return
        except errors.ApiError as exc:
            if exc.errors or exc.status < 500:
                self.status("")
                raise
            # No mail can be sent from this server (503): said plainly, on the screen.
            self.status(exc.message)
            return
        self.requested_email = email
        self.status(answer.detail)
        step = self.query_one("#reset-confirm-step")
        first_time = not step.display
        step.display = True
        if first_time or not self.field("reset-code").value:
            self.field("reset-code").focus_input()

    # --- step 2: the code and the new password ---------------------------------------------------

    def confirm(self) -> None:
        code, new, again = self.confirm_fields
        for field in self.confirm_fields:
            field.clear_error()
        missing = [field for field in self.confirm_fields if not field.value.strip()]
        for field in missing:
            field.set_error([_("Ce champ est obligatoire.")])
        if missing:
            missing[0].focus_input()
            return
        if new.value != again.value:
            again.set_error([_("Les deux nouveaux mots de passe ne sont pas identiques. Tapez le même deux fois.")])
            again.focus_input()
            return
        self._confirm(code.value.strip(), new.value)

    @work(group="password-reset", exclusive=True, exit_on_error=False)
    async def _confirm(self, code: str, new_password: str) -> None:
        client = await self.banqo.api()
        try:
            await client.password_resets.confirm(code, new_password)
        except errors.ApiError as exc:
            if isinstance(exc, errors.TooManyRequests) or not exc.errors:
                if exc.status >= 500:
                    raise
                # A wrong, used or expired code: said under the code, the passwords kept.
                self.field("reset-code").set_error([exc.message])
                self.field("reset-code").focus_input()
                return
            field_errors: dict[str, list[str]] = {}
            for name, messages in exc.errors.items():
                key = "code" if name in CODE_FIELD_NAMES else name
                field_errors.setdefault(key, []).extend(messages)
            for messages in self.show_field_errors(field_errors).values():
                for message in messages:
                    self.app.notify(message, severity="error", markup=False)
            return
        self._back_to_sign_in()

    def _back_to_sign_in(self) -> None:
        from banqo_tui.screens.login import SignInScreen

        email = self.requested_email or self.field("reset-email").value.strip()
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        self.app.pop_screen()
        if isinstance(below, SignInScreen):
            below.password_was_reset(email)
        self.app.notify(_("Mot de passe changé : connectez-vous avec le nouveau."), markup=False)
