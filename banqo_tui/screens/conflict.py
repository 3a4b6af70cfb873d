"""The goal changed elsewhere while it was being edited (412): the two versions side by side, nothing lost.

The teacher chooses: « Recharger » (take the version saved elsewhere), « Écraser » (save mine over it) or
« Continuer à modifier ». Their own text stays on screen — selectable and copyable (C copies it) — until the
dialog closes, and « Recharger » also puts it in the clipboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Label, Static, TextArea

from banqo_tui.i18n import N_, _
from banqo_tui.screens.base import BanqoScreen, ScreenTitle
from banqo_tui.widgets.action_button import ActionButton

Choice = Literal["reload", "overwrite", "continue"]


@dataclass(frozen=True)
class ConflictField:
    """One field of the object as it is now on the server (``theirs``) and as the teacher wrote it (``mine``)."""

    label: str
    theirs: str
    mine: str


def versions_text(fields: list[ConflictField], which: Literal["theirs", "mine"]) -> str:
    """A version as plain text: the first field whole, then « Label : value » for each other field that differs."""
    if not fields:
        return ""
    first, others = fields[0], fields[1:]
    lines = [getattr(first, which) or _("(vide)")]
    for field in others:
        if field.theirs != field.mine:
            lines.append(_("{label} : {value}").format(label=field.label, value=getattr(field, which) or _("(vide)")))
    return "\n".join(lines)


class ConflictScreen(BanqoScreen):
    """Answers « reload », « overwrite » or « continue » (Escape)."""

    #: The app keeps its navigation keys off while this is shown: the teacher's text would go with the screen.
    keeps_unsaved_text = True

    BINDINGS = [
        Binding("r", "choose('reload')", N_("Recharger (prendre la version enregistrée ailleurs)"),
                id="conflict.reload"),
        Binding("e", "choose('overwrite')", N_("Écraser (enregistrer ma version)"), id="conflict.overwrite"),
        Binding("escape", "choose('continue')", N_("Continuer à modifier"), id="conflict.continue"),
        Binding("c", "copy_mine", N_("Copier mon texte"), id="conflict.copy"),
    ]

    def __init__(self, fields: list[ConflictField], *, what: str | None = None) -> None:
        super().__init__(id="conflict-screen")
        self.fields = fields
        self.what = what or _("Cet objectif")
        self.mine_text = versions_text(fields, "mine")
        self.theirs_text = versions_text(fields, "theirs")

    def compose(self) -> ComposeResult:
        yield ScreenTitle(_("Modifié ailleurs — votre texte n'est pas perdu"))
        yield Static(
            _(
                "{what} a été modifié ailleurs (un autre appareil, une autre fenêtre) pendant que vous "
                "le modifiiez. Comparez, puis choisissez."
            ).format(what=self.what),
            id="conflict-explanation",
            markup=False,
        )
        with Horizontal(id="conflict-versions"):
            with Vertical(classes="conflict-version"):
                yield Label(_("Version enregistrée ailleurs :"), classes="conflict-label")
                yield TextArea(self.theirs_text, read_only=True, soft_wrap=True, compact=True, id="conflict-theirs")
            with Vertical(classes="conflict-version"):
                yield Label(_("Votre version (pas encore enregistrée) :"), classes="conflict-label")
                yield TextArea(self.mine_text, read_only=True, soft_wrap=True, compact=True, id="conflict-mine")
        with Horizontal(id="conflict-actions"):
            yield ActionButton(_("Recharger (R)"), id="conflict-reload")
            yield ActionButton(_("Écraser (E)"), id="conflict-overwrite")
            yield ActionButton(_("Continuer à modifier (Échap)"), id="conflict-continue")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        for area in self.query(TextArea):
            area.cursor_blink = False
        self.query_one("#conflict-mine", TextArea).focus()

    def action_choose(self, choice: Choice) -> None:
        if choice == "reload":
            # The teacher's text leaves the screen: it stays within reach in the clipboard.
            self.app.copy_to_clipboard(self.mine_text)
            self.app.notify(_("Votre version a été copiée dans le presse-papiers."))
        self.dismiss(choice)

    def action_copy_mine(self) -> None:
        self.app.copy_to_clipboard(self.mine_text)
        self.app.notify(_("Votre version a été copiée dans le presse-papiers."))

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        choices: dict[str | None, Choice] = {
            "conflict-reload": "reload",
            "conflict-overwrite": "overwrite",
            "conflict-continue": "continue",
        }
        choice = choices.get(event.button.id)
        if choice is not None:
            self.action_choose(choice)
