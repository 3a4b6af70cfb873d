"""``ActionButton``: a one-line, keyboard-first button for the forms of the first screen."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static


class ActionButton(Static, can_focus=True):
    """A button that Enter, Space or a click presses, posting ``ActionButton.Pressed``.

    Textual's ``Button`` carries a large stylesheet (variants, hover and press effects) that costs about
    25 ms before the first frame (bench/startup); the sign-in form needs none of it.
    """

    DEFAULT_CSS = """
    ActionButton {
        width: auto;
        height: 1;
        padding: 0 1;
        background: $primary;
        color: $text;
        text-style: bold;
    }
    ActionButton:hover {
        background: $primary-lighten-1;
    }
    ActionButton:focus {
        text-style: bold reverse;
    }
    """

    BINDINGS = [Binding("enter,space", "press", show=False)]

    class Pressed(Message):
        """The button was pressed."""

        def __init__(self, button: ActionButton) -> None:
            super().__init__()
            self.button = button

        @property
        def control(self) -> ActionButton:
            return self.button

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(label, id=id, markup=False)

    def press(self) -> None:
        """Press the button, as Enter would."""
        self.post_message(self.Pressed(self))

    def action_press(self) -> None:
        self.press()

    def on_click(self) -> None:
        self.press()
