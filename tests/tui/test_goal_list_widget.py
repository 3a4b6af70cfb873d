"""``GoalList``: a virtual list — only the visible lines are drawn, whatever the number of goals."""

from __future__ import annotations

from textual.app import App, ComposeResult

from banqo_tui.search import highlight_spans
from banqo_tui.widgets.goal_list import GoalList

from .conftest import SIZE


class ListApp(App[None]):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.described: list[int] = []
        self.highlighted: list[int | None] = []

    def describe(self, key: int) -> tuple[str, str]:
        self.described.append(key)
        return ("✓" if key % 2 else ""), f"Objectif numéro {key} : lire un texte à voix haute devant la classe " * 2

    def compose(self) -> ComposeResult:
        yield GoalList(self.describe, highlight=highlight_spans, marks=True, empty_text="Rien.")

    def on_mount(self) -> None:
        goal_list = self.query_one(GoalList)
        goal_list.set_rows(range(self.count), "lire")
        goal_list.focus()

    def on_goal_list_highlighted(self, event: GoalList.Highlighted) -> None:
        self.highlighted.append(event.key)


async def test_a_hundred_thousand_rows_draw_only_what_is_visible():
    app = ListApp(100_000)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        goal_list = app.query_one(GoalList)
        height = goal_list.scrollable_content_region.height
        assert len(set(app.described)) <= height + 1
        app.described.clear()
        await pilot.press("end")
        await pilot.pause()
        assert goal_list.cursor == 99_999 and app.highlighted[-1] == 99_999
        assert set(app.described) <= set(range(99_999 - height, 100_000))
        await pilot.press("pageup")
        assert goal_list.cursor == 99_999 - (height - 1)
        await pilot.press("home", "down", "pagedown")
        assert goal_list.cursor == 1 + height - 1
        await pilot.press("up")
        assert goal_list.cursor == height - 1


async def test_lines_are_cut_with_an_ellipsis_and_marked_without_colour():
    app = ListApp(3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        goal_list = app.query_one(GoalList)
        first = goal_list.render_line(0)
        text = first.text
        assert text.startswith("▸ ")  # the cursor line, marked by a sign
        assert text.rstrip().endswith("…") and first.cell_length == goal_list.scrollable_content_region.width
        second = goal_list.render_line(1).text
        assert second.startswith(" ✓ ")  # the mark column
        strong = [segment.text for segment in first if segment.style and segment.style.bold and
                  segment.style.underline and "goal" not in segment.text]
        assert "lire" in strong


async def test_new_rows_swap_without_new_widgets_and_an_empty_list_says_so():
    app = ListApp(50)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        goal_list = app.query_one(GoalList)
        children = list(goal_list.walk_children())
        goal_list.set_rows([], "")
        await pilot.pause()
        assert goal_list.render_line(0).text.strip() == "Rien."
        assert app.highlighted[-1] is None
        goal_list.set_rows(range(10, 20), "")
        await pilot.pause()
        assert goal_list.highlighted_key == 10
        assert list(goal_list.walk_children()) == children
