"""Check boxes and radio buttons whose state is a character, not a colour.

Textual draws a check box « ▐X▌ » whether it is checked or not, and every radio button « ▐●▌ »: only the colour
of the X or the dot says which. Here the X and the dot are there only when on. In the mode for screen readers
the half blocks (read aloud as « right half block ») become brackets: « [X] Mode adapté », « (•) Français »; so
they do with the terminal's own 16 colours.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widgets import Checkbox, RadioButton, RadioSet


def _accessible(widget: Checkbox | RadioButton) -> bool:
    """Brackets in the mode for screen readers, and with the terminal's 16 colours: there Textual draws the half
    blocks black on black, and an empty box is not seen at all."""
    app = widget.app
    return bool(getattr(app, "accessible", False) or getattr(app, "native_ansi_color", False))


class MarkedCheckbox(Checkbox):
    """« X » when checked, blank when not."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "X" if self.value else " "
        if _accessible(self):
            return Content.assemble("[", (self.BUTTON_INNER, self.get_visual_style("toggle--button")), "]")
        return super()._button


class MarkedRadioButton(RadioButton):
    """« ● » on the chosen button only."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "●" if self.value else " "
        if _accessible(self):
            return Content.assemble("(", ("•" if self.value else " ", self.get_visual_style("toggle--button")), ")")
        return super()._button


class MarkedRadioSet(RadioSet):
    """A radio set whose arrows start on the chosen button (Textual starts on the first): a screen reader then
    reads the current choice when the focus arrives."""

    def on_focus(self, _event: events.Focus) -> None:
        if self.pressed_index >= 0:
            self._selected = self.pressed_index
