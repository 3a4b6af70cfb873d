"""« Révision »: for each active objective, one of the five decisions with a note; a new text or new means when the
decision changes them; a general note, the next review's date, and whether the plan closes.

A copy of the plan as it stands is kept with the review (the form says so). The form scrolls: the focused field
stays in view at 80×24 however many objectives there are. A plan changed elsewhere meanwhile (412) opens the
conflict dialog: « Recharger » closes the form (the plan screen reloads the plan), « Écraser » records the review
over the change, « Continuer à modifier » keeps the form. The form answers the saved ``Review``, or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Footer, Static

from banqo_tui.api import errors
from banqo_tui.api.client import new_idempotency_key
from banqo_tui.api.models import PlanGoalStatus, ReviewCreate, ReviewDecisionCreate, ReviewDecisionKind
from banqo_tui.i18n import _, format_date, ngettext
from banqo_tui.plan_words import DECISIONS, decision_label, goal_status_label, state_label
from banqo_tui.screens.plan_goal_form import ControlField, DateField, MarkedChoiceList, PlanForm, lines_of, tidy
from banqo_tui.screens.settings_privacy import ConsentCheckbox
from banqo_tui.screens.support import TextAreaField
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.choice_list import ChoiceList
from banqo_tui.widgets.field import Field

if TYPE_CHECKING:
    from banqo_tui.api.models import Plan, PlanGoal, Review

#: The decisions in the order offered (1 to 5).
DECISION_ORDER = list(DECISIONS)
#: The decisions that come with new means (and, for one, a new text).
NEW_MEANS = (ReviewDecisionKind.CHANGE_MEANS, ReviewDecisionKind.CHANGE_GOAL)


class DecisionList(MarkedChoiceList):
    """The five decisions; the highlighted one is the decision, marked « (•) ». ↑↓ or 1 to 5 choose; Enter goes
    on to the next field."""

    BINDINGS = [
        Binding(str(number), f"choose({number - 1})", show=False, id=f"review.decision_{number}")
        for number in range(1, len(DECISION_ORDER) + 1)
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            [(decision.value, f"{number}. {decision_label(decision)}")
             for number, decision in enumerate(DECISION_ORDER, start=1)],
            id=id,
        )

    @property
    def decision(self) -> ReviewDecisionKind:
        return DECISION_ORDER[self.highlighted or 0]

    def action_choose(self, index: int) -> None:
        self.highlighted = index


class ReviewForm(PlanForm):
    """The review of ``plan``, over its active ``goals``."""

    DEFAULT_CSS = """
    ReviewForm .review--goal {
        height: auto;
        margin-bottom: 1;
    }
    ReviewForm .review--goal-text {
        text-style: bold;
    }
    ReviewForm #review-problems {
        height: auto;
        color: $text-error;
        text-style: bold;
    }
    ReviewForm #review-close {
        width: 100%;
        margin: 1 0;
    }
    """

    def __init__(self, plan: Plan, goals: Sequence[PlanGoal]) -> None:
        super().__init__(id="review-form")
        self.plan = plan
        self.version = plan.version
        self._create_key = new_idempotency_key()  # kept across failed saves: the review is recorded once
        self.goals = sorted(
            (goal for goal in goals if goal.status is PlanGoalStatus.ACTIVE), key=lambda goal: goal.position
        )
        self.today = self.banqo.today()  # the server's calendar: its « in the future » is what counts

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("Révision du plan de {name}").format(name=self.plan.learner_first_name),
                         classes="dialog--title", markup=False)
            with VerticalScroll(classes="plan-form--body", can_focus=False):
                yield Static(
                    _(
                        "Une copie du plan tel qu'il est aujourd'hui sera gardée avec cette révision; elle ne "
                        "changera plus. Pour chaque objectif : ↑↓ ou 1 à 5 choisissent la décision."
                    ),
                    classes="plan-form--text",
                    markup=False,
                )
                yield DateField(_("Date de la révision"), "held_on", value=self.today, id="review-held-on")
                yield Static("", id="review-problems", markup=False)
                if not self.goals:
                    yield Static(_("Ce plan n'a aucun objectif actif."), classes="plan-form--text")
                for index, goal in enumerate(self.goals):
                    with Vertical(classes="review--goal", id=f"review-goal-{index}"):
                        yield Static(
                            _("Objectif {number} : {text}").format(number=index + 1, text=goal.text),
                            classes="review--goal-text",
                            markup=False,
                        )
                        yield ControlField(
                            _("Décision"),
                            f"decisions.{index}.decision",
                            DecisionList(id=f"review-decision-{index}-list"),
                            wide=True,
                            id=f"review-decision-{index}",
                        )
                        yield Field(_("Note"), f"decisions.{index}.note", required=False, max_length=1000,
                                    id=f"review-note-{index}")
                        yield Field(_("Nouveau texte"), f"decisions.{index}.new_text", value=goal.text,
                                    max_length=2000, id=f"review-new-text-{index}")
                        yield TextAreaField(_("Nouveaux moyens"), f"decisions.{index}.new_means",
                                            value="\n".join(goal.means), id=f"review-new-means-{index}")
                yield Field(_("Note générale"), "note", required=False, max_length=2000, id="review-note")
                yield ConsentCheckbox(_("Fermer le plan après cette révision"), False, id="review-close",
                                      compact=True)
                yield DateField(_("Prochaine révision"), "next_review_on", id="review-next")
                yield Static("", classes="plan-form--status", markup=False)
            with Horizontal(classes="dialog--actions"):
                yield ActionButton(_("Enregistrer la révision (Ctrl+S)"), id="review-save")
                yield ActionButton(_("Annuler (Échap)"), id="review-cancel")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self._show_parts()
        if self.goals:
            self.query_one("#review-decision-0-list", DecisionList).focus()
        else:
            self.query_one("#review-held-on", DateField).focus_input()

    def decision_list(self, index: int) -> DecisionList:
        return self.query_one(f"#review-decision-{index}-list", DecisionList)

    def _show_parts(self) -> None:
        """« Nouveau texte » only for a changed objective; « Nouveaux moyens » when the means change."""
        for index in range(len(self.goals)):
            decision = self.decision_list(index).decision
            self.query_one(f"#review-new-text-{index}").display = decision is ReviewDecisionKind.CHANGE_GOAL
            self.query_one(f"#review-new-means-{index}").display = decision in NEW_MEANS

    def on_option_list_option_highlighted(self, event: ChoiceList.OptionHighlighted) -> None:
        event.stop()
        self._show_parts()

    def on_option_list_option_selected(self, event: ChoiceList.OptionSelected) -> None:
        """Enter on a decision: on to its note."""
        event.stop()
        self.focus_next()

    # --- values -------------------------------------------------------------------------------

    def read(self) -> tuple[ReviewCreate | None, dict[str, list[str]]]:
        """The review as the API takes it, or None and the problems found before asking the server."""
        problems: dict[str, list[str]] = {}
        held_on, problem = self.query_one("#review-held-on", DateField).read()
        if problem:
            problems["held_on"] = [problem]
        next_review_on, problem = self.query_one("#review-next", DateField).read()
        if problem:
            problems["next_review_on"] = [problem]
        decisions = [self._decision(index, goal) for index, goal in enumerate(self.goals)]
        if problems:
            return None, problems
        return ReviewCreate(
            held_on=held_on,
            note=tidy(self.query_one("#review-note", Field).value),
            decisions=decisions,
            next_review_on=next_review_on,
            close_plan=self.query_one("#review-close", Checkbox).value,
        ), problems

    def _decision(self, index: int, goal: PlanGoal) -> ReviewDecisionCreate:
        decision = self.decision_list(index).decision
        return ReviewDecisionCreate(
            plan_goal_id=goal.id,
            decision=decision,
            note=tidy(self.query_one(f"#review-note-{index}", Field).value),
            new_text=tidy(self.query_one(f"#review-new-text-{index}", Field).value)
            if decision is ReviewDecisionKind.CHANGE_GOAL else None,
            new_means=lines_of(self.query_one(f"#review-new-means-{index}", TextAreaField).value)
            if decision in NEW_MEANS else None,
        )

    def changed(self) -> bool:
        if self.query_one("#review-note", Field).value.strip() or self.query_one("#review-close", Checkbox).value:
            return True
        if self.query_one("#review-next", Field).value.strip():
            return True
        return any(
            self.decision_list(index).decision is not ReviewDecisionKind.CONTINUE
            or self.query_one(f"#review-note-{index}", Field).value.strip()
            for index in range(len(self.goals))
        )

    # --- saving -------------------------------------------------------------------------------

    def save(self) -> None:
        self.clear_errors()
        self.query_one("#review-problems", Static).update("")
        body, problems = self.read()
        if body is None:
            self.show_field_errors(problems)
            return
        self.start_saving()
        self._record(self.version, body)

    @work(group=PlanForm.SAVE_GROUP, exit_on_error=False)
    async def _record(self, version: int, body: ReviewCreate) -> None:
        client = await self.banqo.api()
        try:
            review: Review = await client.plans.review(self.plan.id, version, body, self._create_key)
        except errors.Conflict as exc:
            if exc.current_version is None:
                raise
            self.status("")
            current = await client.plans.get(self.plan.id)
            self._conflict(current, await client.plans.goals(self.plan.id), body)
            return
        self.dismiss(review)

    def _conflict(self, current: Plan, goals: list[PlanGoal], mine: ReviewCreate) -> None:
        from banqo_tui.screens.conflict import ConflictField, ConflictScreen

        now = {goal.id: goal for goal in goals}
        fields = [
            ConflictField(
                _("Plan"),
                ngettext("{state} — {count} révision", "{state} — {count} révisions", current.review_count).format(
                    state=state_label(current.state), count=current.review_count
                ),
                _("Révision du {date}").format(date=format_date(mine.held_on or self.today, "long")),
            )
        ]
        for index, (goal, decision) in enumerate(zip(self.goals, mine.decisions, strict=True)):
            there = now.get(goal.id)
            fields.append(
                ConflictField(
                    _("Objectif {number}").format(number=index + 1),
                    _("{text} ({status})").format(text=there.text, status=goal_status_label(there.status))
                    if there else _("(retiré du plan)"),
                    " — ".join(part for part in (decision_label(decision.decision), decision.note) if part),
                )
            )

        def chosen(choice: str | None) -> None:
            self.version = current.version
            if choice == "reload":
                self.app.notify(
                    _("Le plan a été modifié ailleurs : il est rechargé. Votre révision n'a pas été enregistrée."),
                    markup=False,
                )
                self.dismiss(None)
            elif choice == "overwrite":
                self.start_saving()
                self._record(current.version, mine)

        self.app.push_screen(ConflictScreen(fields, what=_("Ce plan")), chosen)

    def show_field_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """``decisions`` (a decision missing, or too many) above the objectives; ``decisions.{i}`` at the i-th."""
        placed: dict[str, list[str]] = {}
        general: list[str] = []
        for name, messages in errors.items():
            parts = name.split(".")
            if parts[0] == "decisions" and len(parts) == 1:
                general.extend(messages)
            elif parts[0] == "decisions" and len(parts) == 2:
                placed.setdefault(f"{name}.decision", []).extend(messages)
            else:
                placed.setdefault(name, []).extend(messages)
        if general:
            problems = self.query_one("#review-problems", Static)
            problems.update(_("Erreur : {message}").format(message=" ".join(general)))
            problems.scroll_visible()
        return super().show_field_errors(placed)
