"""``ChoiceList``: an ``OptionList`` whose highlighted line is marked without colour (bold, reversed)."""

from __future__ import annotations

from textual.widgets import OptionList


class ChoiceList(OptionList):
    """Textual's option list, its cursor readable on a monochrome terminal and its focus ring BanqO's."""

    DEFAULT_CSS = """
    ChoiceList, ChoiceList:focus {
        border: none;
        border-left: blank;
        padding: 0;
        background: $surface;
    }
    ChoiceList:focus {
        border-left: thick $accent;
    }
    ChoiceList > .option-list--option-highlighted, ChoiceList:focus > .option-list--option-highlighted {
        text-style: bold reverse;
    }
    """
