"""The progress chart at 80×24: bars at the measures' heights, the target as a dotted line on its row of the scale,
the dates under it, everything within 76 columns, and the sentence a screen reader reads under it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import Static

from banqo_tui.api.models import PlanGoal, ProgressEntry, ProgressUnit, TargetDirection
from banqo_tui.progress import BAR, TARGET_GLYPH, progress_sentence
from banqo_tui.widgets.progress_chart import ProgressChart

from .conftest import SIZE

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def goal(**fields: object) -> PlanGoal:
    values: dict[str, object] = {"id": "g1", "plan_id": "p1", "lineage_id": "l1", "position": 1,
                                 "text": "Léa lit à voix haute.", "version": 1, "created_at": NOW,
                                 "updated_at": NOW, "target": 80}
    values.update(fields)
    return PlanGoal.model_validate(values)


def entries(*values: float, out_of: int | None = None) -> list[ProgressEntry]:
    days = [date(2026, 9, 5), date(2026, 9, 19), date(2026, 10, 3), date(2026, 10, 17)]
    return [ProgressEntry(id=f"e{index}", plan_goal_id="g1", lineage_id="l1", on=days[index], value=value,
                          out_of=out_of, created_at=NOW) for index, value in enumerate(values)]


class ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ProgressChart(id="chart")


def text_of(widget: Static) -> str:
    """What a ``Static`` shows, as plain text."""
    shown = widget.render()
    assert isinstance(shown, Content)
    return shown.plain


async def shown(objective: PlanGoal, measures: list[ProgressEntry]) -> tuple[list[str], str]:
    """The chart's lines and its sentence, as the terminal shows them."""
    app = ChartApp()
    async with app.run_test(size=SIZE) as pilot:
        chart = app.query_one(ProgressChart)
        chart.show(objective, measures)
        await pilot.pause()
        plot = text_of(app.query_one("#progress-chart-plot", Static))
        sentence = text_of(app.query_one("#progress-chart-sentence", Static))
        assert chart.region.width <= 76
        assert chart.region.bottom <= SIZE[1]
    return plot.split("\n"), sentence


def label_row(lines: list[str], label: str) -> int:
    """The row whose scale label is ``label``."""
    return next(row for row, line in enumerate(lines) if line.lstrip().startswith(label + " "))


def bar_tops(lines: list[str], count: int) -> list[int]:
    """The top row of each of the first ``count`` bars (bars are two columns wide, three apart)."""
    start = lines[0].index("┤") + 2
    tops = []
    for index in range(count):
        column = start + 3 * index
        rows = [row for row, line in enumerate(lines) if line[column:column + 2] == BAR]
        assert rows, f"no bar {index}"
        tops.append(min(rows))
    return tops


async def test_three_rising_measures_under_the_target_line() -> None:
    objective = goal()
    measures = entries(40, 55, 70)
    lines, sentence = await shown(objective, measures)
    target_row = label_row(lines, "80")
    assert TARGET_GLYPH * 5 in lines[target_row]
    assert lines[target_row].endswith("au moins 80 %")
    tops = bar_tops(lines, 3)
    assert tops[0] > tops[1] > tops[2] > target_row  # rising, all under the target
    assert "5 sept." in lines[-1] and "3 oct." in lines[-1]
    assert all(len(line) <= 76 for line in lines)
    assert sentence == progress_sentence(objective, measures)
    assert sentence.startswith("3 mesures du 5 septembre au 3 octobre 2026 : 40 %, 55 %, 70 %.")


async def test_a_ratio_is_drawn_on_the_objectives_scale() -> None:
    objective = goal(unit=ProgressUnit.RATIO, target=4, out_of=5)
    measures = entries(2, 3) + entries(8, 8, 8, out_of=10)[2:]  # 2/5, 3/5, then 8/10 (= 4 of 5)
    lines, sentence = await shown(objective, measures)
    assert lines[0].lstrip().startswith("5 ")
    target_row = label_row(lines, "4")
    assert lines[target_row].endswith("au moins 4 sur 5")
    tops = bar_tops(lines, 3)
    assert tops[0] > tops[1] > target_row >= tops[2]  # the last one reaches the line
    assert "8 sur 10" in sentence and "La dernière mesure atteint la cible" in sentence


async def test_at_most_bars_above_the_line_have_not_reached_it() -> None:
    objective = goal(unit=ProgressUnit.COUNT, target=2, direction=TargetDirection.AT_MOST)
    measures = entries(5, 3, 1)
    lines, sentence = await shown(objective, measures)
    target_row = label_row(lines, "2")
    assert TARGET_GLYPH in lines[target_row] and lines[target_row].endswith("au plus 2 fois")
    tops = bar_tops(lines, 3)
    assert tops[0] < tops[1] < target_row < tops[2]  # falling; only the last is under the line
    assert sentence.endswith("La dernière mesure atteint la cible; la tendance baisse, dans le bon sens.")


async def test_no_measure_shows_the_scale_the_target_and_says_so() -> None:
    lines, sentence = await shown(goal(), [])
    assert TARGET_GLYPH in lines[label_row(lines, "80")]
    assert BAR not in "\n".join(lines)
    assert sentence == "Aucune mesure encore. Cible : au moins 80 %."
