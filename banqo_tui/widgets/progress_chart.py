"""``ProgressChart``: an objective's measures against its target, as a small text chart and as a sentence.

The chart is drawn with shapes (bars, a dotted target line, the scale in numbers), so it reads without colour; the
sentence under it says the same for a screen reader. Nothing in it moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from banqo_tui.progress import chart_lines, progress_sentence

if TYPE_CHECKING:
    from banqo_tui.api.models import PlanGoal, ProgressEntry


class ProgressChart(Vertical):
    """``show(goal, entries)`` draws the chart; it may be called before the widget is mounted."""

    DEFAULT_CSS = """
    ProgressChart {
        width: 76;
        max-width: 100%;
        height: auto;
    }
    ProgressChart #progress-chart-plot {
        width: 100%;
        height: auto;
    }
    ProgressChart #progress-chart-sentence {
        width: 100%;
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.goal: PlanGoal | None = None
        self.entries: list[ProgressEntry] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="progress-chart-plot", markup=False)
        yield Static("", id="progress-chart-sentence", markup=False)

    def on_mount(self) -> None:
        self._draw()

    def show(self, goal: PlanGoal | None, entries: Sequence[ProgressEntry]) -> None:
        """Draw ``goal``'s ``entries`` (nothing when ``goal`` is None)."""
        self.goal = goal
        self.entries = list(entries)
        if self.is_mounted:
            self._draw()

    def _draw(self) -> None:
        plot = self.query_one("#progress-chart-plot", Static)
        sentence = self.query_one("#progress-chart-sentence", Static)
        if self.goal is None:
            plot.update("")
            sentence.update("")
            return
        # In the mode for screen readers the drawing (box characters, read one by one) gives way to its sentence.
        drawn = not getattr(self.app, "accessible", False)
        plot.display = drawn
        plot.update("\n".join(chart_lines(self.goal, self.entries)) if drawn else "")
        sentence.update(progress_sentence(self.goal, self.entries))
