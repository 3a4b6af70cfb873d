"""Where the terminal's cursor goes: on the focused element, whatever it is.

Screen readers and braille displays reading a terminal follow its cursor. Textual moves the cursor for text
inputs only (``Input``, ``TextArea``); everywhere else it stays where the last input left it, so a screen
reader keeps reading an old line. ``cursor_offset`` answers, for the focused widget, the cell that stands for
it: the highlighted row of a list, the cursor cell (or row) of a table, the tree's cursor line, the active tab,
the selected radio button, the start of a button's label, the first line shown of a container. ``BanqoApp``
asks it before each frame is written, so every screen and dialog is covered from this one place; a widget of
ours that knows better defines ``terminal_cursor() -> Offset | None``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from textual.errors import NoWidget
from textual.geometry import Offset, Region

if TYPE_CHECKING:
    from textual.widget import Widget


def _is(widget: Widget, module: str, name: str) -> bool:
    """``isinstance(widget, textual.widgets.<name>)`` without importing the widget's module: a widget whose
    class was never imported cannot have the focus, and importing Textual's lists, tables and trees here would
    cost the first frame about 18 ms (``bench/startup.py``)."""
    loaded = sys.modules.get(f"textual.widgets.{module}")
    kind = getattr(loaded, name, None) if loaded is not None else None
    return kind is not None and isinstance(widget, kind)


def _visible(widget: Widget) -> Region:
    """The part of ``widget`` on screen (a widget scrolled half out of its container is clipped)."""
    try:
        return widget.screen.find_widget(widget).visible_region
    except (NoWidget, LookupError, AttributeError):
        return widget.region


def _clamp(offset: Offset, visible: Region) -> Offset | None:
    if not visible:
        return None
    if visible.contains_point(offset):
        return offset
    x = min(max(offset.x, visible.x), visible.right - 1)
    y = min(max(offset.y, visible.y), visible.bottom - 1)
    return Offset(x, y)


def _line(widget: Widget, line: int) -> Offset:
    """The first cell of virtual line ``line`` of a scrolling widget."""
    region = widget.scrollable_content_region
    return Offset(region.x, region.y + line - round(widget.scroll_offset.y))


def option_list_cursor(widget: Widget) -> Offset | None:
    highlighted = getattr(widget, "highlighted", None)
    if highlighted is None:
        return None
    try:
        line = widget._index_to_line[highlighted]  # type: ignore[attr-defined]
    except (KeyError, AttributeError):
        return None
    return _line(widget, line)


def _data_table(widget: Widget) -> Offset | None:
    from textual.widgets import DataTable

    assert isinstance(widget, DataTable)
    if not widget.row_count:
        return None
    coordinate = widget.cursor_coordinate
    try:
        cell = widget._get_cell_region(coordinate)
    except (KeyError, IndexError, LookupError):
        return None
    region = widget.scrollable_content_region
    x = cell.x if widget.cursor_type == "cell" else 0
    scroll_x = round(widget.scroll_offset.x) if cell.x >= widget.fixed_columns else 0
    return Offset(region.x + x - scroll_x, region.y + cell.y - round(widget.scroll_offset.y))


def _input(widget: Widget) -> Offset:
    """The cell of the text cursor as the input draws it.

    Textual's ``Input.cursor_screen_offset`` counts one cell more when the cursor is at the end of the value
    (room to scroll), so the terminal's cursor sat one cell right of the drawn one.
    """
    from textual.widgets import Input

    assert isinstance(widget, Input)
    region = widget.content_region
    cell = widget._position_to_cell(widget.cursor_position)
    return Offset(region.x + cell - round(widget.scroll_offset.x), region.y)


def _button(widget: Widget) -> Offset:
    """The first cell of a button's label: Textual centres it in the button (« ▸ » included)."""
    from rich.cells import cell_len
    from textual.content import Content
    from textual.widgets import Button

    assert isinstance(widget, Button)
    region = widget.content_region
    lines = Content.from_text(widget.label, markup=False).plain.splitlines() or [""]
    width = max(cell_len(line) for line in lines)
    spare_x, spare_y = max(region.width - width, 0), max(region.height - len(lines), 0)
    styles = widget.styles
    x = {"center": spare_x // 2, "right": spare_x}.get(styles.content_align_horizontal, 0)
    y = {"middle": spare_y // 2, "bottom": spare_y}.get(styles.content_align_vertical, 0)
    return Offset(region.x + x, region.y + y)


def _first_shown_child(widget: Widget) -> Offset | None:
    """A focused container (a scrolling body, a plan's section): the first cell of its first child on screen.

    Its own top-left is often a blank row (the first child's top margin) or a line scrolled away.
    """
    visible = _visible(widget)
    for child in widget.children:
        region = child.content_region
        if child.display and region and region.bottom > visible.y:
            return region.offset
    return None


def cursor_offset(widget: Widget | None) -> Offset | None:
    """The screen cell standing for the focused ``widget``; None when Textual already places it (text)."""
    if widget is None:
        return None
    found: Any = widget  # its class is known only by the checks below
    own = getattr(widget, "terminal_cursor", None)
    if callable(own):
        offset = own()
    elif _is(widget, "_input", "Input"):
        offset = _input(widget)
    elif _is(widget, "_text_area", "TextArea"):
        offset = found.cursor_screen_offset
    elif _is(widget, "_option_list", "OptionList"):
        offset = option_list_cursor(widget)
    elif _is(widget, "_data_table", "DataTable"):
        offset = _data_table(widget)
    elif _is(widget, "_tree", "Tree"):
        line = found.cursor_line
        offset = _line(widget, line) if line >= 0 else None
    elif _is(widget, "_tabs", "Tabs"):
        tab = found.active_tab
        offset = tab.content_region.offset if tab is not None else None
    elif _is(widget, "_radio_set", "RadioSet"):
        buttons = list(widget.query("RadioButton"))
        index = found._selected  # where the arrows are, not what is pressed
        chosen = buttons[index] if index is not None and 0 <= index < len(buttons) else None
        offset = chosen.content_region.offset if chosen is not None else None
    elif _is(widget, "_list_view", "ListView"):
        child = found.highlighted_child
        offset = child.region.offset if child is not None else None
    elif _is(widget, "_button", "Button"):
        offset = _button(widget)
    else:
        offset = _first_shown_child(widget)
    if offset is None:
        offset = widget.content_region.offset
    return _clamp(offset, _visible(widget))


#: Put before the label of a focused button in the mode for screen readers (the focus is not in colour alone).
FOCUS_MARK = "▸ "


def mark_focus(widget: Widget, focused: bool) -> None:
    """The mode for screen readers, on each focus change: « ▸ » before a focused button's label (Textual's
    ``Button``, ours, check boxes and radio buttons) and no blinking text cursor."""
    from textual.content import Content

    from banqo_tui.widgets.action_button import ActionButton

    target: Any = widget  # its class is known only by the checks below
    if _is(widget, "_input", "Input") or _is(widget, "_text_area", "TextArea"):
        target.cursor_blink = False
        return
    if isinstance(widget, ActionButton):
        text = str(widget.content)
        if focused and not text.startswith(FOCUS_MARK):
            widget.update(FOCUS_MARK + text)
        elif not focused and text.startswith(FOCUS_MARK):
            widget.update(text[len(FOCUS_MARK):])
        return
    if _is(widget, "_button", "Button") or _is(widget, "_toggle_button", "ToggleButton"):
        label = Content.from_text(target.label, markup=False)
        if focused and not label.plain.startswith(FOCUS_MARK):
            target.label = Content(FOCUS_MARK) + label
        elif not focused and label.plain.startswith(FOCUS_MARK):
            target.label = label[len(FOCUS_MARK):]
        else:
            return
        # A label is not a layout change for Textual: a button as wide as its label would cut the mark's two
        # cells off its end (« ▸ Ma collection (F »).
        widget.refresh(layout=True)
