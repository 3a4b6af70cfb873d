"""``GoalList``: a virtual list of goals, one line each, for collections of 100,000 goals.

A ``ScrollView`` on the Line API: only the visible lines are drawn (``render_line``), each from the row's key
through ``describe``. New search results swap the sequence of keys and refresh: no widget is built or removed,
so a keystroke costs the search and about a dozen lines. The words of the search are shown in bold and
underlined (and in the accent colour), the cursor line starts with « ▸ »: nothing depends on colour alone.
The terminal's cursor is put on the highlighted line, so that a screen reader follows it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Offset, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

K = TypeVar("K")

CURSOR_MARK = "▸"
ELLIPSIS = "…"

#: (mark, text) of a row: the mark is one character (« ✓ ») or empty.
Describe = Callable[[Any], tuple[str, str]]
Highlight = Callable[[str, str], list[tuple[int, int]]]


class GoalList(ScrollView, Generic[K], can_focus=True):
    """One line per goal: ↑/↓, PgUp/PgDn, Home/End move the cursor; ``Highlighted`` says which goal it is on."""

    DEFAULT_CSS = """
    GoalList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 0;  /* the screen says which rows are shown (visible_rows): fewer bytes */
        border-left: blank;
        background: $surface;
    }
    GoalList:focus {
        border-left: thick $accent;
    }
    GoalList > .goal-list--cursor {
        background: $panel;
        text-style: bold;
    }
    GoalList:focus > .goal-list--cursor {
        background: $primary 60%;
        text-style: bold;
    }
    GoalList > .goal-list--highlight {
        color: $text-accent;
        text-style: bold underline;
    }
    GoalList > .goal-list--mark {
        color: $text-success;
        text-style: bold;
    }
    GoalList > .goal-list--empty {
        color: $text-muted;
        text-style: italic;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "goal-list--cursor",
        "goal-list--highlight",
        "goal-list--mark",
        "goal-list--empty",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", show=False),
        Binding("down", "cursor_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        """The cursor is on another goal (``key`` is None when the list is empty)."""

        def __init__(self, goal_list: GoalList[Any], key: Any, index: int) -> None:
            super().__init__()
            self.goal_list = goal_list
            self.key = key
            self.index = index

        @property
        def control(self) -> GoalList[Any]:
            return self.goal_list

    def __init__(
        self,
        describe: Describe,
        *,
        highlight: Highlight | None = None,
        marks: bool = False,
        empty_text: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.describe = describe
        self.highlight = highlight
        #: Whether a column is kept for the rows' marks (« ✓ already in the collection »).
        self.marks = marks
        self.empty_text = empty_text
        self._rows: Sequence[K] = ()
        self._query = ""
        self._last_key: object = object()

    # --- the rows -----------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[K]:
        return self._rows

    @property
    def words(self) -> str:
        """The search whose words are highlighted."""
        return self._query

    @property
    def highlighted_key(self) -> K | None:
        if not self._rows or not 0 <= self.cursor < len(self._rows):
            return None
        return self._rows[self.cursor]

    def set_rows(self, rows: Sequence[K], query: str = "", *, cursor: int | None = 0) -> None:
        """Show ``rows`` (any sequence: a search result is read lazily), the words of ``query`` highlighted.

        ``cursor`` is where the cursor goes (None: stays at the same index, within the new rows).
        """
        self._rows = rows
        self._query = query
        count = len(rows)
        size = Size(0, count)
        if size != self.virtual_size:
            # Not through the reactive, which lays out the whole screen (~9 ms at 80×24) at every keystroke:
            # only the scrollbar and the scroll limits depend on the number of rows.
            self.set_reactive(GoalList.virtual_size, size)
            self._scroll_update(size)
        wanted = self.cursor if cursor is None else cursor
        self.cursor = max(0, min(wanted, count - 1)) if count else 0
        self.refresh()

    def refresh_rows(self) -> None:
        """The rows' texts or marks changed (not their order): draw them again."""
        self._last_key = object()
        self.cursor = self.cursor
        self.refresh()

    # --- the cursor ---------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        count = len(self._rows)
        return max(0, min(value, count - 1)) if count else 0

    def watch_cursor(self, _old: int, index: int) -> None:
        self._scroll_to_cursor()
        self._place_terminal_cursor()
        self.refresh()
        key = self.highlighted_key
        if key is not self._last_key or key is None:
            self._last_key = key
            self.post_message(self.Highlighted(self, key, index))

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def visible_rows(self) -> tuple[int, int] | None:
        """(first, last) rows on screen, from 1, when the list is longer than its view; else None.

        The list has no scroll bar: its thumb moves by eighths of a cell, so each scroll rewrote several cells
        of it (about 140 bytes per key over SSH, ``bench/bandwidth.py``); the screen's count line says this.
        """
        height = self.scrollable_content_region.height
        count = len(self._rows)
        if height <= 0 or count <= height:
            return None
        first = round(self.scroll_offset.y) + 1
        return first, min(count, first + height - 1)

    def terminal_cursor(self) -> Offset | None:
        """Where a screen reader looks: the highlighted line's « ▸ » (``banqo_tui.focus_cursor``)."""
        region = self.scrollable_content_region
        line = self.cursor - round(self.scroll_offset.y)
        if region.height and 0 <= line < region.height:
            return Offset(region.x, region.y + line)
        return None

    def _place_terminal_cursor(self) -> None:
        if not self.has_focus:
            return
        offset = self.terminal_cursor()
        if offset is not None:
            self.app.cursor_position = offset

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._place_terminal_cursor()

    def on_focus(self, _event: events.Focus) -> None:
        self._place_terminal_cursor()
        self.refresh()

    def on_blur(self, _event: events.Blur) -> None:
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        self._scroll_to_cursor()

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= self._page()

    def action_page_down(self) -> None:
        self.cursor += self._page()

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._rows) - 1

    def on_click(self, event: events.Click) -> None:
        line = event.y - self.scrollable_content_region.y + self.region.y + round(self.scroll_offset.y)
        if 0 <= line < len(self._rows):
            self.cursor = line

    # --- drawing ------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = round(self.scroll_offset.y) + y
        base = self.rich_style
        if not self._rows:
            if y == 0 and self.empty_text:
                style = base + self.get_component_rich_style("goal-list--empty")
                return Strip([Segment(set_cell_size("  " + self.empty_text, width), style)], width)
            return Strip.blank(width, base)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        return self._render_row(self._rows[index], index == self.cursor, width, base)

    def _render_row(self, key: K, is_cursor: bool, width: int, base: Style) -> Strip:
        mark, full_text = self.describe(key)
        row_style = base + self.get_component_rich_style("goal-list--cursor") if is_cursor else base
        segments = [Segment(CURSOR_MARK if is_cursor else " ", row_style)]
        used = 1
        if self.marks:
            mark_cell = set_cell_size(mark, 1) if mark else " "
            segments.append(Segment(mark_cell, row_style + self.get_component_rich_style("goal-list--mark")))
            used += 1
        segments.append(Segment(" ", row_style))
        used += 1
        room = max(0, width - used)
        # Every character takes at least one cell: what lies beyond ``room`` characters is never shown (the
        # highlight still sees the word cut at the edge whole).
        end = full_text.find(" ", room)
        text = full_text if end < 0 else full_text[: end + 1]
        shown = text
        if cell_len(text) > room:
            shown = set_cell_size(text, max(0, room - 1)).rstrip() + ELLIPSIS if room else ""
            cut = len(shown) - 1
        else:
            cut = len(shown)
        spans = self.highlight(text, self._query) if self.highlight and self._query else []
        if spans:
            strong = row_style + self.get_component_rich_style("goal-list--highlight")
            at = 0
            for start, end in spans:
                start, end = min(start, cut), min(end, cut)
                if start >= end:
                    continue
                if start > at:
                    segments.append(Segment(shown[at:start], row_style))
                segments.append(Segment(shown[start:end], strong))
                at = end
            segments.append(Segment(shown[at:], row_style))
        else:
            segments.append(Segment(shown, row_style))
        filled = used + cell_len(shown)
        if filled < width:
            segments.append(Segment(" " * (width - filled), row_style))
        return Strip(segments, width)
