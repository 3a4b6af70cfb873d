"""An objective's whole history: every plan it was in (oldest first, across reviews and « reconduire »), its text as
it stood there, its measures and the reviews' decisions, in words; one chart over all its measures.

Plain text from top to bottom, so that a screen reader reads it in order and the text can be selected. Escape goes
back to the plan.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from banqo_tui.i18n import N_, _, format_date
from banqo_tui.plan_words import decision_label, goal_status_label, kind_label
from banqo_tui.progress import in_date_order, measure_text
from banqo_tui.screens.base import BanqoScreen, ScreenTitle
from banqo_tui.widgets.progress_chart import ProgressChart

if TYPE_CHECKING:
    from banqo_tui.api.models import ObjectiveHistory, ObjectiveHistoryStep

HISTORY_GROUP = "objective-history"


def school_year(opened_on: date) -> str:
    """« 2026-2027 »: the school year (July to June) a plan was opened in."""
    start = opened_on.year if opened_on.month >= 7 else opened_on.year - 1
    return f"{start}-{start + 1}"


def step_text(step: ObjectiveHistoryStep) -> str:
    """One plan's part of the history, as lines of text."""
    plan, goal = step.plan, step.goal
    heading = _("{year} — ouvert le {date}").format(
        year=school_year(plan.opened_on), date=format_date(plan.opened_on, "long")
    )
    if plan.closed_on:
        heading += _(", fermé le {date}").format(date=format_date(plan.closed_on, "long"))
    lines = [
        f"{heading} ({kind_label(plan.kind)})",
        _("Objectif : {text}").format(text=goal.text),
        _("État : {status}").format(status=goal_status_label(goal.status)),
        _("Mesures :"),
    ]
    entries = in_date_order(step.progress)
    for entry in entries:
        parts = [format_date(entry.on, "long"), measure_text(goal, entry.value, entry.out_of)]
        if entry.note:
            parts.append(entry.note)
        lines.append("  " + " — ".join(parts))
    if not entries:
        lines.append("  " + _("Aucune mesure dans ce plan."))
    lines.append(_("Décisions :"))
    decided = False
    for review in step.decisions:
        for decision in review.decisions:
            decided = True
            said = _("Révision {number} du {date} : {decision}").format(
                number=review.number, date=format_date(review.held_on, "long"),
                decision=decision_label(decision.decision),
            )
            lines.append("  " + " — ".join(part for part in (said, decision.note) if part))
    if not decided:
        lines.append("  " + _("Aucune révision dans ce plan."))
    return "\n".join(lines)


class ObjectiveHistoryScreen(BanqoScreen):
    """« Historique de l'objectif », over the plan screen."""

    DEFAULT_CSS = """
    ObjectiveHistoryScreen #objective-history {
        padding: 0 1;
    }
    ObjectiveHistoryScreen #objective-history-status {
        height: auto;
        margin-bottom: 1;
    }
    ObjectiveHistoryScreen #objective-history-chart {
        margin-bottom: 1;
    }
    ObjectiveHistoryScreen .objective-history--step {
        height: auto;
        margin-bottom: 1;
    }
    """

    BINDINGS = [Binding("escape", "back", N_("Retour au plan"), id="objective_history.back")]

    def __init__(self, plan_id: str, plan_goal_id: str) -> None:
        super().__init__(id="objective-history-screen")
        self.plan_id = plan_id
        self.plan_goal_id = plan_goal_id
        self.history: ObjectiveHistory | None = None

    def compose(self) -> ComposeResult:
        yield ScreenTitle(_("Historique de l'objectif"))
        # Focusable, so that ↑↓ and the page keys move through a long history.
        with VerticalScroll(id="objective-history"):
            yield Static(_("Chargement…"), id="objective-history-status", markup=False)
            yield ProgressChart(id="objective-history-chart")
            yield Vertical(id="objective-history-steps")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#objective-history").focus()
        self.load()

    @work(group=HISTORY_GROUP, exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        client = await self.banqo.api()
        await self.show_history(await client.plans.history(self.plan_id, self.plan_goal_id))

    async def show_history(self, history: ObjectiveHistory) -> None:
        self.history = history
        steps = history.steps
        status = self.query_one("#objective-history-status", Static)
        chart = self.query_one(ProgressChart)
        if not steps:
            status.update(_("Cet objectif n'a pas encore d'historique."))
            chart.show(None, [])
            return
        latest = steps[-1].goal
        status.update(latest.text)
        chart.show(latest, [entry for step in steps for entry in step.progress])
        container = self.query_one("#objective-history-steps", Vertical)
        await container.remove_children()
        await container.mount_all(
            Static(step_text(step), classes="objective-history--step", markup=False) for step in steps
        )

    def action_back(self) -> None:
        self.dismiss(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == HISTORY_GROUP and event.state == WorkerState.ERROR:
            from banqo_tui.screens.settings_privacy import _reason

            self.query_one("#objective-history-status", Static).update(
                _("L'historique n'a pas pu être chargé : {reason}").format(
                    reason=_reason(event.worker.error) if event.worker.error else ""
                )
            )
        super().on_worker_state_changed(event)
