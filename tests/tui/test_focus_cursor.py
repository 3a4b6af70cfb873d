"""Where the terminal's cursor goes (``banqo_tui.focus_cursor``): on the cell a screen reader should read.

Each test reads the screen Textual drew and checks the text under the cursor, so a cursor one row (or one
cell) off the highlighted element fails whatever the code computes.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Offset
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Input,
    OptionList,
    RadioButton,
    RadioSet,
    Static,
    Tabs,
    Tree,
)

from banqo_tui.focus_cursor import FOCUS_MARK, cursor_offset, mark_focus

from .conftest import SIZE, settle


class Widgets(App[None]):
    """One of each kind of focusable widget the dispatch knows, small enough to share 80×24."""

    CSS = """
    Screen { layout: grid; grid-size: 3; grid-rows: 7; }
    OptionList, DataTable, Tree { height: 6; }
    #wide { width: 30; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.animation_level = "none"  # as in the mode for screen readers (and the tabs' underline is quick)

    def compose(self) -> ComposeResult:
        yield OptionList(*[f"Option {number}" for number in range(20)], id="options")
        table: DataTable[str] = DataTable(id="table", cursor_type="row")
        table.add_columns("Nom", "Total")
        for number in range(12):
            table.add_row(f"Facture {number}", f"{number},00")
        yield table
        tree: Tree[None] = Tree("Racine", id="tree")
        for number in range(8):
            tree.root.add_leaf(f"Feuille {number}")
        tree.root.expand()
        yield tree
        yield Tabs("Alpha", "Beta", "Gamma", "Delta", id="tabs")
        yield RadioSet(RadioButton("Un"), RadioButton("Deux", value=True), RadioButton("Trois"), id="radios")
        yield Input("Tremblay", id="input")
        yield Button("OK", id="wide")
        yield Button("Ma collection (F5)", id="compact", compact=True)
        yield Checkbox("Recevoir", id="check")


def screen_lines(app: App[Any]) -> list[str]:
    """The screen as drawn, one string per row (the labels here are ASCII: one character, one cell)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def under_cursor(app: App[Any]) -> str:
    """The text from the cursor's cell to the end of its row."""
    offset = cursor_offset(app.focused)
    assert offset is not None
    return screen_lines(app)[offset.y][offset.x:]


async def focus(pilot: Any, selector: str) -> None:
    pilot.app.query_one(selector).focus()
    await settle(pilot, 2)


async def test_option_list_cursor_follows_the_highlight_even_scrolled():
    app = Widgets()
    async with app.run_test(size=SIZE) as pilot:
        await focus(pilot, "#options")
        assert under_cursor(app).startswith("Option 0")
        for key, expected in (("down", 1), ("down", 2), ("end", 19), ("up", 18), ("home", 0), ("pagedown", None)):
            await pilot.press(key)
            await pilot.pause()
            highlighted = app.query_one(OptionList).highlighted
            assert expected is None or highlighted == expected
            assert under_cursor(app).startswith(f"Option {highlighted} "), key
        assert app.query_one(OptionList).scroll_offset.y > 0  # the last moves scrolled the list


async def test_data_table_cursor_sits_on_the_cursor_row_as_it_scrolls():
    app = Widgets()
    async with app.run_test(size=SIZE) as pilot:
        await focus(pilot, "#table")
        for key in ("down", "down", "end", "up", "home", "end"):
            await pilot.press(key)
            await pilot.pause()
            row = app.query_one(DataTable).cursor_row
            assert under_cursor(app).startswith(f" Facture {row} "), key


async def test_tree_cursor_sits_on_the_cursor_line():
    app = Widgets()
    async with app.run_test(size=SIZE) as pilot:
        await focus(pilot, "#tree")
        await pilot.press("down", "down", "down")
        await pilot.pause()
        offset = cursor_offset(app.focused)
        assert offset is not None
        assert "Feuille 2" in screen_lines(app)[offset.y]


async def test_tabs_cursor_sits_on_the_active_tab_s_label():
    app = Widgets()
    async with app.run_test(size=SIZE) as pilot:
        await focus(pilot, "#tabs")
        for key, label in (("right", "Beta"), ("right", "Gamma"), ("right", "Delta"), ("right", "Alpha"),
                           ("left", "Delta")):
            await pilot.press(key)
            await pilot.pause()
            assert app.query_one(Tabs).active_tab.label.plain == label  # type: ignore[union-attr]
            assert under_cursor(app).startswith(label), key


async def test_radio_set_cursor_sits_on_the_button_the_arrows_are_on():
    app = Widgets()
    async with app.run_test(size=SIZE) as pilot:
        await focus(pilot, "#radios")
        assert under_cursor(app).split()[1] == "Un"  # Textual starts the arrows on the first button
        for key, label in (("down", "Deux"), ("down", "Trois"), ("up", "Deux")):
            await pilot.press(key)
            await pilot.pause()
            assert under_cursor(app).split()[1] == label, key
        assert app.query_one("#radios", RadioSet).pressed_button.label.plain == "Deux"  # type: ignore[union-attr]


async def test_input_cursor_is_the_drawn_cursor_even_at_the_end_of_the_value():
    app = Widgets()
    async with app.run_test(size=SIZE) as pilot:
        await focus(pilot, "#input")
        field = app.query_one(Input)
        await pilot.press("end")
        await pilot.pause()
        start = field.content_region.x
        assert cursor_offset(field) == Offset(start + len("Tremblay"), field.content_region.y)
        await pilot.press("home", "right", "right")
        await pilot.pause()
        assert under_cursor(app).startswith("emblay")


async def test_a_button_s_cursor_sits_on_its_centred_label_and_a_focus_mark_widens_it():
    app = Widgets()
    async with app.run_test(size=SIZE) as pilot:
        await focus(pilot, "#wide")
        assert under_cursor(app).startswith("OK ")
        await focus(pilot, "#compact")
        button = app.query_one("#compact", Button)
        width = button.outer_size.width
        mark_focus(button, True)
        await settle(pilot, 2)
        assert under_cursor(app).startswith(FOCUS_MARK + "Ma collection (F5)")  # the whole label, not cut
        assert button.outer_size.width == width + len(FOCUS_MARK)
        mark_focus(button, False)
        await settle(pilot, 2)
        assert under_cursor(app).startswith("Ma collection (F5)")


async def test_a_checkbox_s_cursor_starts_with_its_state():
    app = Widgets()
    async with app.run_test(size=SIZE) as pilot:
        await focus(pilot, "#check")
        offset = cursor_offset(app.focused)
        assert offset is not None
        assert screen_lines(app)[offset.y][offset.x + 3:].lstrip().startswith("Recevoir")


class Body(App[None]):
    """A focusable scrolling body whose first line has a blank above it, as « Votre résumé »."""

    CSS = "#greeting { margin: 1 0; } VerticalScroll { height: 8; }"

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=True):
            yield Static("Bonjour, Camille", id="greeting")
            for number in range(20):
                yield Static(f"Ligne {number}")


async def test_a_focused_container_s_cursor_is_on_its_first_line_shown_not_a_blank_margin():
    app = Body()
    async with app.run_test(size=SIZE) as pilot:
        await focus(pilot, "VerticalScroll")
        assert under_cursor(app).startswith("Bonjour, Camille")
        app.query_one(VerticalScroll).scroll_to(y=6, animate=False)
        await settle(pilot, 2)
        assert under_cursor(app).startswith("Ligne ")  # not the top of a greeting scrolled away


async def test_no_focus_no_cursor():
    assert cursor_offset(None) is None


async def test_banqo_places_the_cursor_before_each_frame_in_the_mode_for_screen_readers(make_app, config,
                                                                                         no_keyring):
    config.accessible = True
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab")  # from the email field back to the forms' switch, then on
        await settle(pilot, 2)
        focused = app.focused
        assert focused is not None
        await pilot.press("shift+tab", "shift+tab")
        await settle(pilot, 2)
        assert app.focused is not focused
        row = screen_lines(app)[app.cursor_position.y][app.cursor_position.x:]
        assert app.cursor_position == cursor_offset(app.focused)
        assert row.startswith(FOCUS_MARK), row  # a focused button of the sign-in screen: its « ▸ »
