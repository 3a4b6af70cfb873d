"""« Nouvelle mesure »: one progress entry of an objective — its date, the measure in the objective's unit, a note.

The unit and the target are said above the fields, so the measure is typed on the right scale; « n sur m » takes
two fields, m filled in from the objective. Enter goes to the next field and saves from the note. The form
answers the saved ``ProgressEntry`` (the plan screen redraws the chart and can open the form again for the next
measure), or None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from banqo_tui.api.client import new_idempotency_key
from banqo_tui.api.models import ProgressEntryCreate, ProgressUnit
from banqo_tui.i18n import _
from banqo_tui.plan_words import unit_label
from banqo_tui.progress import read_measure, target_text
from banqo_tui.screens.plan_goal_form import DateField, PlanForm, tidy
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.field import Field

if TYPE_CHECKING:
    from banqo_tui.api.models import Plan, PlanGoal, ProgressEntry


def measure_label(unit: ProgressUnit) -> str:
    """The label of the measure's field, in the unit's words."""
    labels = {
        ProgressUnit.PERCENT: _("Mesure (%)"),
        ProgressUnit.RATIO: _("Réussites (n)"),
        ProgressUnit.COUNT: _("Nombre de fois"),
        ProgressUnit.RUBRIC: _("Niveau atteint"),
    }
    return labels[unit]


class ProgressEntryForm(PlanForm):
    """Record a measure of ``goal``."""

    DEFAULT_CSS = """
    ProgressEntryForm > .dialog {
        height: auto;
    }
    ProgressEntryForm .plan-form--body {
        height: auto;
    }
    """

    def __init__(self, plan: Plan, goal: PlanGoal) -> None:
        super().__init__(id="progress-entry-form")
        self.plan = plan
        self.goal = goal
        self.today = self.banqo.today()  # the server's calendar: its « in the future » is what counts
        self._create_key = new_idempotency_key()  # kept across failed saves: the entry is recorded once

    def compose(self) -> ComposeResult:
        goal = self.goal
        with Vertical(classes="dialog"):
            yield Static(_("Nouvelle mesure — plan de {name}").format(name=self.plan.learner_first_name),
                         classes="dialog--title", markup=False)
            with VerticalScroll(classes="plan-form--body", can_focus=False):
                yield Static(goal.text, id="progress-goal-text", classes="plan-form--text", markup=False)
                yield Static(
                    _("Unité : {unit}. Cible : {target}.").format(unit=unit_label(goal.unit), target=target_text(goal)),
                    id="progress-unit",
                    classes="plan-form--text",
                    markup=False,
                )
                yield DateField(_("Date"), "on", value=self.today, id="progress-on")
                yield Field(measure_label(goal.unit), "value", max_length=20, id="progress-value")
                if goal.unit is ProgressUnit.RATIO:
                    yield Field(
                        _("Sur (m)"),
                        "out_of",
                        value=str(goal.out_of) if goal.out_of else "",
                        max_length=6,
                        id="progress-out-of",
                    )
                yield Field(_("Note"), "note", required=False, max_length=1000, id="progress-note")
                yield Static("", classes="plan-form--status", markup=False)
            with Horizontal(classes="dialog--actions"):
                yield ActionButton(_("Enregistrer (Ctrl+S)"), id="progress-save")
                yield ActionButton(_("Annuler (Échap)"), id="progress-cancel")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.field("value").focus_input()

    def field(self, name: str) -> Field:
        return self.query_one(f"#progress-{name.replace('_', '-')}", Field)

    def changed(self) -> bool:
        on = self.field("on").value.strip()
        return bool(
            self.field("value").value.strip() or tidy(self.field("note").value)
            or (on and on != self.today.isoformat())
        )

    def read(self) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """What the form says, as the API takes it, and the problems found before asking the server."""
        ratio = self.goal.unit is ProgressUnit.RATIO
        values, problems = read_measure(
            self.goal.unit,
            self.field("on").value,
            self.field("value").value,
            self.field("out_of").value if ratio else "",
        )
        values["note"] = tidy(self.field("note").value)
        return values, problems

    def save(self) -> None:
        self.clear_errors()
        values, problems = self.read()
        if problems:
            self.show_field_errors(problems)
            return
        body = ProgressEntryCreate(plan_goal_id=self.goal.id, **values)
        self.start_saving()
        self._add(body)

    @work(group=PlanForm.SAVE_GROUP, exit_on_error=False)
    async def _add(self, body: ProgressEntryCreate) -> None:
        client = await self.banqo.api()
        entry: ProgressEntry = await client.plans.add_progress(self.plan.id, body, self._create_key)
        self.dismiss(entry)
