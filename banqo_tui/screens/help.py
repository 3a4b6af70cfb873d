"""F1: the keys of the screen underneath and the global keys, with what they do."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from banqo_tui.commands import global_keys, key_label, screen_keys
from banqo_tui.i18n import N_, _
from banqo_tui.screens.base import BanqoScreen, ScreenTitle

#: Longest line before the details of a key go to a line of their own (80 columns, minus margins).
MAX_LINE = 74


class HelpScreen(BanqoScreen):
    """The keys, as plain lines a screen reader reads in order."""

    BINDINGS = [
        Binding("escape", "close", N_("Fermer"), id="help.close", show=False),
    ]

    def __init__(self, for_screen: Screen[Any]) -> None:
        super().__init__(id="help-screen")
        self.screen_lines = screen_keys(for_screen)
        #: What the screen says of itself beyond its keys (``help_notes()``, when it has one).
        notes = getattr(for_screen, "help_notes", None)
        self.screen_notes: list[str] = list(notes()) if callable(notes) else []

    def lines(self) -> list[str]:
        """The help as text lines (also what the tests read)."""
        width = 8
        lines = [_("Touches de cet écran")]
        if self.screen_lines:
            lines += [f"  {key:<{width}} {description}" for key, description in self.screen_lines]
        else:
            lines.append("  " + _("Aucune touche propre à cet écran."))
        if self.screen_notes:
            lines += ["", *(f"  {note}" for note in self.screen_notes)]
        lines += ["", _("Touches globales")]
        for key, description, details in global_keys(self.app):
            line = f"  {key:<{width}} {description} — {details}"
            if len(line) <= MAX_LINE:
                lines.append(line)
            else:
                lines += [f"  {key:<{width}} {description}", f"  {'':<{width}}   {details}"]
        lines += [
            "",
            _("Dans un formulaire"),
            "  {key:<{width}} {text}".format(
                key=key_label("tab"), width=width, text=_("Champ suivant (Maj+Tab : précédent)")
            ),
            "  {key:<{width}} {text}".format(
                key=key_label("enter"),
                width=width,
                text=_("Champ suivant; envoie le formulaire au dernier champ"),
            ),
        ]
        return lines

    def compose(self) -> ComposeResult:
        yield ScreenTitle(_("Aide — touches (Échap ou F1 pour fermer)"))
        with VerticalScroll(id="help-body", can_focus=True):
            yield Static("\n".join(self.lines()), id="help-text", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.app.pop_screen()
