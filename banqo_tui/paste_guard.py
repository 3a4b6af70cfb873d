"""A pasted text is text, whatever it holds: escape characters inside a bracketed paste never become keys.

A terminal in bracketed-paste mode sends ``ESC [200~``, the pasted text, then ``ESC [201~``. Textual's parser
(8.x) reads an ESC inside the paste as the start of an escape sequence and hands the characters that follow it
to the application as key presses instead of pasted text: pasting ``a ESC [2J b`` followed by a line break
typed ``[``, ``2``, ``J``, ``b`` and Enter into the screen (Enter submits a form; a lone ESC closes a dialog).

``PasteGuard`` sits in front of the parser: between the paste's start and end markers, every ESC that does
not begin the end marker becomes its visible picture ``␛`` (U+241B, what ``inert`` shows it as), so the
parser sees plain text and delivers the whole paste as one ``Paste`` event. The end marker may arrive split
across two reads: a trailing fragment that could begin it is held until the next read. Outside a paste nothing
is held or changed (a lone ESC is the Escape key).

``install()`` makes Textual's Linux driver use ``GuardedParser``; ``banqo_tui.app`` calls it at start.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

ESC = "\x1b"
PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
ESC_PICTURE = "\u241b"


def _held_back(text: str, marker: str) -> int:
    """How many characters at the end of ``text`` could be the beginning of ``marker`` (0 when none)."""
    for size in range(min(len(marker) - 1, len(text)), 0, -1):
        if marker.startswith(text[-size:]):
            return size
    return 0


class PasteGuard:
    """Feeds on the terminal's input as it arrives; returns it with the ESCs inside pastes made pictures."""

    def __init__(self) -> None:
        self.pasting = False
        self._pending = ""

    def __call__(self, data: str) -> str:
        text, self._pending = self._pending + data, ""
        out: list[str] = []
        position = 0
        while position < len(text):
            if not self.pasting:
                start = text.find(PASTE_START, position)
                if start < 0:
                    out.append(text[position:])
                    break
                out.append(text[position : start + len(PASTE_START)])
                position = start + len(PASTE_START)
                self.pasting = True
                continue
            end = text.find(PASTE_END, position)
            if end < 0:
                rest = text[position:]
                held = _held_back(rest, PASTE_END)
                out.append(rest[: len(rest) - held].replace(ESC, ESC_PICTURE))
                self._pending = rest[len(rest) - held :]
                break
            out.append(text[position:end].replace(ESC, ESC_PICTURE) + PASTE_END)
            position = end + len(PASTE_END)
            self.pasting = False
        return "".join(out)

    def flush(self) -> str:
        """What is held back (the input ended in the middle of a paste), as text."""
        pending, self._pending = self._pending, ""
        return pending.replace(ESC, ESC_PICTURE)


def guarded_parser_class() -> type[Any]:
    """Textual's ``XTermParser`` with a ``PasteGuard`` in front of ``feed`` (imported late: Textual reads its
    settings when first imported, see ``banqo_tui.terminal``)."""
    from textual._xterm_parser import XTermParser

    class GuardedParser(XTermParser):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._paste_guard = PasteGuard()

        def feed(self, data: str) -> Iterable[Any]:
            if not data:  # the end of input: what was held goes first
                held = self._paste_guard.flush()
                if held:
                    yield from super().feed(held)
                yield from super().feed(data)
                return
            yield from super().feed(self._paste_guard(data))

    return GuardedParser


def install() -> None:
    """Make Textual's Linux driver read its input through the guard (once; harmless to call again)."""
    from textual.drivers import linux_driver

    if getattr(linux_driver.XTermParser, "_banqo_guarded", False):
        return
    parser = guarded_parser_class()
    parser._banqo_guarded = True
    linux_driver.XTermParser = parser
