"""Fewer bytes to the terminal: send only the cells that changed, and scroll with the terminal's own scrolling.

Textual repaints every line of a region it refreshes: moving the highlight in a list of 11 lines rewrites the
11 lines, and scrolling it by one line rewrites them all again. Over SSH each of those bytes crosses the link
(``bench/bandwidth.py`` measured 3,555 bytes per arrow key, where vim writes about 220).

``ScreenMirror`` keeps what the terminal shows, cell by cell. For each frame Textual is about to write, it renders
the lines Textual touched, compares them with the mirror, and writes:

- for a block of lines that moved up or down (a list scrolled by a line or a page), the terminal's own scrolling
  inside a scroll region (DECSTBM, then IND or RI, as ncurses does), after which the lines are mostly in place;
- for each line still different, only the span from its first to its last changed cell, with one SGR sequence
  per change of style (Textual resets and restates the style for every segment).

It is a pure function of the frames: the mirror is dropped whenever the terminal may not show what it believes
(a new size, a resume after Ctrl+Z, a failure), and the next frame is then written whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import TYPE_CHECKING

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual._compositor import CompositorUpdate

if TYPE_CHECKING:
    from rich.console import Console
    from textual.strip import Strip

#: A cell: its character ("" for the second half of a wide character) and its style.
Cell = tuple[str, Style | None]
Row = list[Cell]

RESET = "\x1b[0m"
#: A block of lines is scrolled by the terminal when at least this many of them then match what it shows.
MIN_SCROLLED_LINES = 3


#: Characters that need a closer look: control characters, and those from U+0300 (combining marks, wide ones).
_SPECIAL = re.compile("[^\x20-\u02ff]")


def cells(segments: Iterable[Segment]) -> Row:
    """The cells of a line. Meta (what a click on a cell means) is not drawn: it is dropped, so that two lines
    that look the same compare equal."""
    row: Row = []
    append = row.append
    for text, style, control in segments:
        if control:
            continue
        if style is not None and style._meta:
            style = style.clear_meta_and_links()
        if not _SPECIAL.search(text):  # the common case, Latin letters and punctuation: one cell each
            row.extend(zip(text, repeat(style)))
            continue
        for char in text:
            width = get_character_cell_size(char)
            if width == 0:
                if row:  # a combining mark goes with the character before it
                    previous, previous_style = row[-1]
                    row[-1] = (previous + char, previous_style)
                continue
            append((char, style))
            if width == 2:
                append(("", style))
    return row


class MirroredUpdate(CompositorUpdate):
    """A frame already turned into bytes by ``ScreenMirror``; Textual writes it as it writes its own."""

    def __init__(self, text: str) -> None:
        self.text = text

    def render_segments(self, console: Console) -> str:
        return self.text


class ScreenMirror:
    """What the terminal shows; ``frame`` turns the lines that Textual touched into the bytes that change it."""

    def __init__(self) -> None:
        self.rows: list[Row | None] = []
        #: Each row's segments as last drawn: the same segments again are the same cells, without a look.
        self.drawn: list[tuple[Segment, ...] | None] = []
        self.width = 0

    def forget(self) -> None:
        """The terminal may show something else (resized, resumed, cleared): the next frame is written whole."""
        self.rows = []
        self.drawn = []
        self.width = 0

    def frame(self, width: int, height: int, lines: dict[int, Strip], console: Console) -> str:
        """The bytes that make the terminal show ``lines`` (line number → the whole new line)."""
        if width != self.width or len(self.rows) != height:
            self.rows = [None] * height
            self.drawn = [None] * height
            self.width = width
        new: dict[int, Row] = {}
        drawn: dict[int, tuple[Segment, ...]] = {}
        for y, strip in lines.items():
            if not 0 <= y < height:
                continue
            segments = tuple(strip)
            if segments != self.drawn[y] or self.rows[y] is None:
                new[y] = cells(segments)
                drawn[y] = segments
        out: list[str] = []
        self._scroll(new, out)
        colour_system = console._color_system
        for y in sorted(new):
            row = new[y]
            old = self.rows[y]
            span = _changed_span(old, row)
            if span is not None:
                start, end = span
                out.append(f"\x1b[{y + 1};{start + 1}H")
                out.append(_draw(row[start:end], colour_system, to_edge=end == width))
            self.rows[y] = row
            self.drawn[y] = drawn[y]
        return "".join(out)

    def _scroll(self, new: dict[int, Row], out: list[str]) -> None:
        """Scroll the blocks of changed lines that are the old ones moved up or down."""
        changed = [y for y, row in new.items() if self.rows[y] != row]
        for top, bottom in _runs(sorted(changed)):
            height = bottom - top + 1
            if height < MIN_SCROLLED_LINES + 1:
                continue
            best, best_matches = 0, 0
            for shift in range(1, max(2, height // 2 + 1)):
                for k in (shift, -shift):
                    matches = sum(
                        1 for y in range(top, bottom + 1)
                        if top <= y + k <= bottom and self.rows[y + k] is not None and self.rows[y + k] == new[y]
                    )
                    if matches > best_matches:
                        best, best_matches = k, matches
                if best_matches >= height - shift:  # no shift can match more lines than this one
                    break
            if best == 0 or best_matches < MIN_SCROLLED_LINES:
                continue
            out.append(RESET + f"\x1b[{top + 1};{bottom + 1}r")
            if best > 0:  # the content moved up: index at the bottom margin
                out.append(f"\x1b[{bottom + 1};1H" + "\x1bD" * best)
                self.rows[top:bottom + 1] = self.rows[top + best:bottom + 1] + [None] * best
                self.drawn[top:bottom + 1] = self.drawn[top + best:bottom + 1] + [None] * best
            else:  # moved down: reverse index at the top margin
                out.append(f"\x1b[{top + 1};1H" + "\x1bM" * -best)
                self.rows[top:bottom + 1] = [None] * -best + self.rows[top:bottom + 1 + best]
                self.drawn[top:bottom + 1] = [None] * -best + self.drawn[top:bottom + 1 + best]
            out.append("\x1b[r")


def _runs(lines: Sequence[int]) -> Iterable[tuple[int, int]]:
    """Consecutive line numbers as (first, last)."""
    start = previous = None
    for y in lines:
        if start is None:
            start = previous = y
        elif y == previous + 1:  # type: ignore[operator]
            previous = y
        else:
            yield start, previous  # type: ignore[misc]
            start = previous = y
    if start is not None:
        yield start, previous  # type: ignore[misc]


def _changed_span(old: Row | None, new: Row) -> tuple[int, int] | None:
    """[start, end) of the cells that differ; the whole line when the terminal's is unknown or of another length."""
    if old is None or len(old) != len(new):
        return (0, len(new)) if new else None
    if old == new:
        return None
    start = 0
    while old[start] == new[start]:
        start += 1
    end = len(new)
    while old[end - 1] == new[end - 1]:
        end -= 1
    # Never start on the second half of a wide character, nor end on its first half.
    while start > 0 and new[start][0] == "":
        start -= 1
    while end < len(new) and new[end][0] == "":
        end += 1
    return start, end


def _draw(row: Row, colour_system: object, *, to_edge: bool = False) -> str:
    """The cells' characters, with one SGR sequence each time the style changes, and a reset at the end.

    Blanks that reach the right edge are erased with EL (``CSI K``), as ncurses does, when their style shows
    nothing but a background colour: the terminal fills the erased cells with the current background.
    """
    blanks = 0
    if to_edge and colour_system is not None:
        style = row[-1][1] if row else None
        if style is None or not (style.reverse or style.underline or style.strike or style.overline):
            while blanks < len(row) and row[-1 - blanks] == (" ", style):
                blanks += 1
        if blanks < 4:  # EL and its style cost about as much as a few spaces
            blanks = 0
    out: list[str] = []
    current: object = ()  # nothing stated yet
    text: list[str] = []
    for char, style in row[: len(row) - blanks]:
        if style is not current:
            if style != current:
                if text:
                    out.append("".join(text))
                    text = []
                out.append(_sgr(style, colour_system))
            current = style
        text.append(char)
    if text:
        out.append("".join(text))
    if blanks:
        style = row[-1][1]
        if style != current:
            out.append(_sgr(style, colour_system))
        out.append("\x1b[K")
    out.append(RESET)
    return "".join(out)


def _sgr(style: Style | None, colour_system: object) -> str:
    """Reset, then state ``style`` (as Textual, nothing at all when there is no colour system)."""
    if style is None or colour_system is None:
        return RESET
    codes = style._make_ansi_codes(colour_system)  # type: ignore[arg-type]
    return f"\x1b[0;{codes}m" if codes else RESET
