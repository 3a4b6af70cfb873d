"""``ChoiceList``: an ``OptionList`` whose highlighted line is bold reversed, and marked « ▸ » when it has the focus."""

from __future__ import annotations

from rich.segment import Segment
from textual import events
from textual.geometry import Offset
from textual.strip import Strip
from textual.widgets import OptionList

from banqo_tui.focus_cursor import FOCUS_MARK


class ChoiceList(OptionList):
    """Textual's option list, its cursor readable without colour (« ▸ », then bold and reverse video) and its
    focus ring BanqO's. The terminal's cursor goes on the « ▸ » (``focus_cursor``)."""

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

    def on_focus(self, _event: events.Focus) -> None:
        self.refresh()  # the « ▸ » marks the focus: it comes and goes with it

    def on_blur(self, _event: events.Blur) -> None:
        self.refresh()

    def terminal_cursor(self) -> Offset:
        """On the highlighted line's « ▸ »; with nothing highlighted (an empty list's sentence), on the text."""
        from banqo_tui.focus_cursor import option_list_cursor

        offset = option_list_cursor(self)
        if offset is None:
            region = self.scrollable_content_region
            return Offset(region.x + len(FOCUS_MARK), region.y)
        return offset

    def _get_left_gutter_width(self) -> int:
        return len(FOCUS_MARK)

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            index, line_offset = self._lines[round(self.scroll_offset.y) + y]
        except IndexError:
            return strip
        marked = self.has_focus and index == self.highlighted and line_offset == 0
        mark = FOCUS_MARK if marked else " " * len(FOCUS_MARK)
        style = next(iter(strip), Segment("")).style or self.rich_style
        return Strip([Segment(mark, style), *strip], strip.cell_length + len(mark))
