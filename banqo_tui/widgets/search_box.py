"""``SearchBox``: an input that hands each new value to the screen at once, in the same frame.

Textual's ``Input.Changed`` reaches the screen a few message hops after the input has asked for its own repaint,
so the results would be drawn one or two frames (16–33 ms) after the letter. Called from the value's watcher,
the search runs while the input handles the key, and the list is drawn in the frame that shows the letter.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input


class SearchBox(Input):
    """An ``Input`` whose ``on_value`` runs as soon as its value changes (``Changed`` is still posted)."""

    def __init__(self, *, on_value: Callable[[str], None], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.on_value = on_value

    def watch_value(self, value: str) -> None:
        self.on_value(value)
