"""F4: every notification of this run, newest first, with its time and its severity in words."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from banqo_tui.i18n import N_, _
from banqo_tui.screens.base import BanqoScreen, ScreenTitle


class MessagesScreen(BanqoScreen):
    """The messages log (``BanqoApp.messages``)."""

    BINDINGS = [
        Binding("escape", "close", N_("Fermer"), id="messages.close", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="messages-screen")

    def lines(self) -> list[str]:
        """One line per message: « 14:02:07 — Erreur — Courriel ou mot de passe incorrect. »"""
        entries = self.banqo.messages.newest_first()
        if not entries:
            return [_("Aucun message pour l'instant.")]
        return [
            "{time} — {severity} — {text}".format(
                time=entry.at.strftime("%H:%M:%S"),
                severity=entry.severity_name,
                text=f"{entry.title} : {entry.text}" if entry.title else entry.text,
            )
            for entry in entries
        ]

    def compose(self) -> ComposeResult:
        yield ScreenTitle(_("Messages (Échap ou F4 pour fermer)"))
        with VerticalScroll(id="messages-body", can_focus=True):
            yield Static("\n".join(self.lines()), id="messages-text", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#messages-body").focus()
        self._shown = len(self.banqo.messages)
        self.set_interval(1.0, self._refresh_when_new)

    def _refresh_when_new(self) -> None:
        """A message that arrives while the log is open is added to it."""
        if len(self.banqo.messages) != self._shown:
            self._shown = len(self.banqo.messages)
            self.query_one("#messages-text", Static).update("\n".join(self.lines()))

    def action_close(self) -> None:
        self.app.pop_screen()
