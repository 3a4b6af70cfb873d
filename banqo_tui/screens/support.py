"""« Des questions? Contactez-nous! »: the support form, signed in or not (F9, or the sign-in screen's button).

The server checks every field (email shape, required fields, lengths) and the rate limit; its messages are
written under the fields they concern. What was typed stays on every failure; a sent message empties the form.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Footer, Input, Static, TextArea
from textual.worker import Worker, WorkerState

from banqo_tui.api.client import new_idempotency_key
from banqo_tui.api.models import SUPPORT_SUBJECT_MAX_LENGTH
from banqo_tui.i18n import N_, _
from banqo_tui.screens.base import BanqoScreen, ScreenTitle
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.field import Field


class TextAreaField(Field):
    """A ``Field`` whose input is a several-line ``TextArea``: its label beside it, its error line under it,
    found by ``BanqoScreen.show_field_errors`` like any other field."""

    DEFAULT_CSS = """
    TextAreaField {
        grid-rows: 7 auto;
    }
    TextAreaField TextArea {
        width: 1fr;
        height: 7;
        background: $panel;
        border: none;
        padding: 0;
    }
    TextAreaField TextArea:focus {
        background: $panel-lighten-2;
        border: none;
    }
    TextAreaField.-invalid TextArea {
        background: $error 20%;
    }
    """

    def __init__(self, label: str, name: str, *, value: str = "", id: str | None = None) -> None:
        super().__init__(label, name, id=id)
        self.text_area = TextArea(
            value,
            soft_wrap=True,
            tab_behavior="focus",
            compact=True,
            id=f"{id}-text" if id else None,
        )

    def compose(self) -> ComposeResult:
        yield self._label
        yield self.text_area
        yield self._error

    def on_mount(self) -> None:
        if getattr(self.app, "accessible", False):
            self.text_area.cursor_blink = False

    @property
    def value(self) -> str:
        return self.text_area.text

    @value.setter
    def value(self, text: str) -> None:
        self.text_area.load_text(text)

    def set_error(self, messages: Iterable[str]) -> None:
        super().set_error(messages)
        self.text_area.tooltip = self.input.tooltip

    def clear_error(self) -> None:
        super().clear_error()
        self.text_area.tooltip = None

    def focus_input(self) -> None:
        self.screen.set_focus(self.text_area)


class SupportScreen(BanqoScreen):
    """The support form; Ctrl+S sends it, Escape goes back to the screen it was opened from."""

    BINDINGS = [
        Binding("ctrl+s", "send", N_("Envoyer"), priority=True, id="support.send"),
        Binding("escape", "back", N_("Retour"), id="support.back"),
    ]

    DEFAULT_CSS = """
    #support-body {
        padding: 0 1;
    }
    #support-intro {
        margin-bottom: 1;
    }
    #support-actions {
        height: 1;
    }
    #support-actions ActionButton {
        margin-right: 2;
    }
    #support-actions #support-send {
        margin-left: 19;
    }
    #support-status {
        margin-top: 1;
        color: $text-muted;
    }
    """

    def __init__(self) -> None:
        super().__init__(id="support-screen")
        self._sending = False
        #: The message and key of a send that failed: the same message sent again reuses the key, so that a
        #: first attempt the server received but could not answer does not reach support twice.
        self._failed_send: tuple[tuple[str, str, str], str] | None = None

    def compose(self) -> ComposeResult:
        yield ScreenTitle(_("Des questions? Contactez-nous!"))
        with VerticalScroll(id="support-body"):
            yield Static(
                _(
                    "Une question, un problème, une suggestion? Écrivez-nous : nous vous répondrons sous peu, "
                    "à l'adresse que vous indiquez."
                ),
                id="support-intro",
                markup=False,
            )
            yield Field(
                _("Votre courriel"),
                "from",
                value=self.banqo.account_email or "",
                id="support-from",
                max_length=320,
            )
            yield Field(_("Objet"), "subject", id="support-subject", max_length=SUPPORT_SUBJECT_MAX_LENGTH)
            yield TextAreaField(_("Message"), "message", id="support-message")
            with Horizontal(id="support-actions"):
                yield ActionButton(_("Envoyer (Ctrl+S)"), id="support-send")
                yield ActionButton(_("Politique de confidentialité (F10)"), id="support-privacy")
            yield Static("", id="support-status", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        start = self.field("support-subject") if self.field("support-from").value else self.field("support-from")
        start.focus_input()

    def field(self, field_id: str) -> Field:
        return self.query_one(f"#{field_id}", Field)

    @property
    def fields(self) -> list[Field]:
        return list(self.query(Field))

    @property
    def keeps_unsaved_text(self) -> bool:
        """A message being written: the app's signed-in keys (F2, F3…) would lose it, so they wait."""
        return bool(self.field("support-subject").value.strip() or self.field("support-message").value.strip())

    def help_notes(self) -> list[str]:
        return [
            _("Entrée passe au champ suivant; dans le message, elle commence une nouvelle ligne."),
            _("Rien de ce que vous tapez n'est effacé si l'envoi échoue."),
        ]

    # --- sending ---------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a one-line field goes to the next field."""
        event.stop()
        self.focus_next()

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        if event.button.id == "support-send":
            self.action_send()
        elif event.button.id == "support-privacy":
            self.banqo.action_privacy()

    def action_send(self) -> None:
        """Send the form once each field has handled the keys typed before Ctrl+S (typing ahead, a paste)."""
        if self._sending:
            return
        widgets: list[Widget] = [self.field("support-from").input, self.field("support-subject").input,
                                 self.query_one(TextArea)]

        def settle(remaining: list[Widget]) -> None:
            if remaining:
                remaining[0].call_later(settle, remaining[1:])
            else:
                self._send_now()

        settle(widgets)

    def _send_now(self) -> None:
        for field in self.fields:
            field.clear_error()
        self._sending = True
        self._status(_("Envoi en cours…"))
        self._send(
            self.field("support-from").value.strip(),
            self.field("support-subject").value.strip(),
            self.field("support-message").value,
        )

    @work(group="support", exit_on_error=False)
    async def _send(self, from_: str, subject: str, message: str) -> None:
        client = await self.banqo.api()
        failed, content = self._failed_send, (from_, subject, message)
        key = failed[1] if failed is not None and failed[0] == content else new_idempotency_key()
        self._failed_send = None
        try:
            await client.support.send(from_=from_, subject=subject, message=message, idempotency_key=key)
        except Exception:
            self._failed_send = (content, key)
            raise
        self._sent()

    def _sent(self) -> None:
        self.field("support-subject").value = ""
        self.field("support-message").value = ""
        text = _("Message envoyé. Nous vous répondrons sous peu.")
        self._status(text)
        self.app.notify(text)
        self.field("support-subject").focus_input()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "support" and event.state in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._sending = False
            if event.state != WorkerState.SUCCESS:
                self._status(_("Le message n'est pas parti; ce que vous avez tapé est toujours là."))
        # BanqoScreen's handler runs too (Textual calls each class's), and reports the failure.

    def _status(self, text: str) -> None:
        self.query_one("#support-status", Static).update(text)

    # --- leaving ---------------------------------------------------------------------------------

    def action_back(self) -> None:
        """Back to the previous screen; a message being written is only dropped once the teacher says so."""
        if not self.keeps_unsaved_text:
            self.app.pop_screen()
            return
        from banqo_tui.screens.dialogs import ConfirmDialog

        def answered(drop: bool | None) -> None:
            if drop:
                self.app.pop_screen()

        self.app.push_screen(
            ConfirmDialog(
                _("Abandonner ce message?"),
                _("Le message n'a pas été envoyé : ce que vous avez tapé sera perdu."),
                _("Abandonner"),
                _("Continuer à écrire"),
            ),
            answered,
        )
