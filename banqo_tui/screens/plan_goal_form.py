"""Add an objective to a plan, or change one: the objective, its means, who is responsible, its deadline and how
its progress is measured.

An objective is taken from the learner's sub-collection, or written there and then (it also goes into « Ma
collection », filed under the learner: the screen says so). Enter goes to the next field and saves from the last
one; Ctrl+S saves from anywhere; Escape cancels (after asking, when something was typed). The server's refusals
are written under their fields and nothing typed is lost; a change saved elsewhere meanwhile (412) opens the
conflict dialog. After a save that leaves the objective unmeasurable, the form stays open and says what is
missing. The form answers the saved ``PlanGoal``, or None.

The pieces the other plan dialogs share live here too: ``PlanForm`` (their keys and saving rules), ``DateField``
and ``ControlField``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Input, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from banqo_tui.api import errors
from banqo_tui.api.client import new_idempotency_key
from banqo_tui.api.models import (
    PLAN_ACTIVE_GOALS_ADVISED,
    Participant,
    ParticipantRole,
    PlanGoalCreate,
    PlanGoalPatch,
    PlanKind,
    ProgressUnit,
    TargetDirection,
    TevaSphere,
)
from banqo_tui.i18n import N_, _, format_date
from banqo_tui.plan_words import DIRECTIONS, ROLES, UNITS, sphere_label
from banqo_tui.progress import gaps_sentence, read_date, read_number
from banqo_tui.screens.dialogs import Dialog
from banqo_tui.screens.settings_privacy import ConsentCheckbox
from banqo_tui.screens.support import TextAreaField
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.choice_list import ChoiceList
from banqo_tui.widgets.field import Field

if TYPE_CHECKING:
    from banqo_tui.api.models import LearnerGoal, Plan, PlanGoal

LABEL_WIDTH = 24
#: The option of the source list that opens the « new objective » field.
WRITE_NEW = "write-new"


def tidy(value: str) -> str:
    return " ".join(value.split())


def lines_of(text: str) -> list[str]:
    """The non-empty lines of a text area, tidied (« Moyens », one per line)."""
    return [tidy(line) for line in text.splitlines() if tidy(line)]


# --- shared pieces -----------------------------------------------------------------------------------


class DateField(Field):
    """A date typed as « 2027-06-15 » or « 15/06/2027 »; the line under it says the date read, in words."""

    def __init__(self, label: str, name: str, *, value: date | None = None, id: str | None = None) -> None:
        super().__init__(
            label,
            name,
            value=value.isoformat() if value else "",
            required=False,
            placeholder=_("AAAA-MM-JJ"),
            max_length=10,
            id=id,
        )
        self._said_for: str | None = None

    def on_mount(self) -> None:
        super().on_mount()
        self._say_date()

    def on_input_changed(self, event: Input.Changed) -> None:
        # A change already seen (typed before a save) leaves the save's error in place.
        if event.value != self._said_for:
            self._say_date()

    def _say_date(self) -> None:
        self._said_for = self.value
        found, _problem = read_date(self.value)
        self.set_hint(format_date(found, "full") if found else "")

    def set_error(self, messages: Iterable[str]) -> None:
        self._said_for = self.value
        super().set_error(messages)

    def read(self) -> tuple[date | None, str | None]:
        """(the date, None); (None, None) when empty; (None, the message) when it cannot be read."""
        return read_date(self.value)


class ControlField(Field):
    """A ``Field`` around another control (a list, a choice, boxes): its label, the control, its error line,
    found by ``show_field_errors`` like any field. ``wide`` puts the label above a control that needs the width."""

    DEFAULT_CSS = """
    ControlField {
        grid-rows: auto auto;
    }
    ControlField.-wide {
        layout: vertical;
    }
    ControlField.-wide .field--label {
        width: 100%;
    }
    ControlField.-wide .field--error {
        padding-left: 0;
    }
    ControlField Select {
        width: 1fr;
    }
    """

    def __init__(self, label: str, name: str, control: Widget, *, wide: bool = False, id: str | None = None) -> None:
        super().__init__(label, name, required=False, id=id)
        self.control = control
        self.set_class(wide, "-wide")

    def compose(self) -> ComposeResult:
        yield self._label
        yield self.control
        yield self._error

    def focus_input(self) -> None:
        self.screen.set_focus(self.control)


class MarkedChoiceList(ChoiceList):
    """A list whose highlighted option is the choice, marked « (•) » in its text (seen without colour or style,
    and read by a screen reader); ↑↓ choose."""

    CHOSEN_MARK = "(•)"
    OPEN_MARK = "( )"

    def __init__(self, choices: Sequence[tuple[str, str]], *, id: str | None = None) -> None:
        self.labels = [label for _option_id, label in choices]
        super().__init__(
            *[Option(self._prompt(index, False), id=option_id) for index, (option_id, _label) in enumerate(choices)],
            id=id,
        )

    def _prompt(self, index: int, chosen: bool) -> str:
        return f"{self.CHOSEN_MARK if chosen else self.OPEN_MARK} {self.labels[index]}"

    def on_mount(self) -> None:
        self.highlighted = 0

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        for index in range(self.option_count):
            self.replace_option_prompt_at_index(index, self._prompt(index, index == highlighted))

    @property
    def chosen_id(self) -> str | None:
        if self.highlighted is None:
            return None
        return self.get_option_at_index(self.highlighted).id


class PlanForm(Dialog):
    """A plan dialog that is a form: Enter goes on and saves from the last field, Ctrl+S saves, Escape cancels
    after asking when something was typed. Errors go under their fields; a failed save keeps everything."""

    #: The app keeps its navigation keys off while the form is open: the typed text would go with the screen.
    keeps_unsaved_text = True

    DEFAULT_CSS = f"""
    PlanForm > .dialog {{
        height: 1fr;
    }}
    PlanForm .plan-form--body {{
        height: 1fr;
    }}
    PlanForm Field {{
        grid-columns: {LABEL_WIDTH} 1fr;
    }}
    PlanForm Field .field--label {{
        width: {LABEL_WIDTH};
    }}
    PlanForm Field .field--error {{
        padding-left: {LABEL_WIDTH};
    }}
    PlanForm ControlField.-wide .field--error {{
        padding-left: 0;
    }}
    PlanForm TextAreaField {{
        grid-rows: 4 auto;
    }}
    PlanForm TextAreaField TextArea {{
        height: 4;
    }}
    PlanForm .plan-form--text {{
        margin-bottom: 1;
    }}
    PlanForm .plan-form--warning {{
        margin-bottom: 1;
        text-style: bold;
    }}
    PlanForm .plan-form--status {{
        height: auto;
    }}
    PlanForm .plan-form--status.-problem {{
        color: $text-error;
        text-style: bold;
    }}
    """

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Enregistrer"), priority=True, id="plan_form.save"),
        Binding("escape", "cancel", N_("Annuler"), id="plan_form.cancel"),
        # As on the goal form: the focus moves before the next typed keys are handed out.
        Binding("enter", "next_field", N_("Champ suivant; enregistre au dernier champ"), show=False,
                priority=True, id="plan_form.next_field"),
    ]

    #: The group of the workers that save: one save at a time.
    SAVE_GROUP = "plan-form"
    _saving = False

    # --- keys ----------------------------------------------------------------------------------

    def _input_fields(self) -> list[Field]:
        """The one-line fields in the order Tab reaches them (hidden ones left out)."""
        chain = self.focus_chain
        return [
            field
            for widget in chain
            if isinstance(widget, Input) and isinstance(field := widget.parent, Field)
            and not isinstance(field, (TextAreaField, ControlField))
        ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_field":
            return isinstance(self.focused, Input) and isinstance(self.focused.parent, Field)
        return True

    async def action_next_field(self) -> None:
        """Enter: the next field; from the last one, save."""
        fields = self._input_fields()
        if fields and self.focused is fields[-1].input:
            await self.action_save()
        else:
            self.focus_next()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    async def action_save(self) -> None:
        from banqo_tui.widgets.entry_line import settled

        if self._saving:
            return
        for field in self.query(Field):
            if not isinstance(field, (TextAreaField, ControlField)):
                await settled(field.input)  # what was typed before Ctrl+S is in the form
        self.status("")
        self.save()

    def save(self) -> None:
        """Check what was typed and start the saving worker (each form its own)."""
        raise NotImplementedError

    def changed(self) -> bool:
        """Whether something typed would be lost by closing the form."""
        raise NotImplementedError

    def answer(self) -> Any:
        """What the form answers when it is closed without saving (a form that saved and stayed open: that)."""
        return None

    def action_cancel(self) -> None:
        if not self.changed():
            self.dismiss(self.answer())
            return
        from banqo_tui.screens.dialogs import ConfirmDialog

        def answered(give_up: bool | None) -> None:
            if give_up:
                self.dismiss(self.answer())

        self.app.push_screen(
            ConfirmDialog(
                _("Abandonner vos modifications?"),
                _("Ce que vous avez tapé dans ce formulaire ne sera pas enregistré."),
                _("Abandonner"),
                _("Continuer à modifier"),
            ),
            answered,
        )

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        if event.button.id and event.button.id.endswith("-save"):
            self.run_worker(self.action_save())
        elif event.button.id and event.button.id.endswith("-cancel"):
            self.action_cancel()

    # --- errors --------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for field in self.query(Field):
            if field.errors:
                field.clear_error()

    def status(self, text: str, *, problem: bool = False) -> None:
        """Say ``text`` on the form's status line (what was saved, what is missing)."""
        for line in self.query(".plan-form--status").results(Static):
            line.update(text)
            line.set_class(problem, "-problem")

    def start_saving(self) -> None:
        """Called just before a saving worker starts: a second Ctrl+S meanwhile is ignored."""
        self._saving = True
        self.status(_("Enregistrement…"))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == self.SAVE_GROUP and event.state in (
            WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED
        ):
            self._saving = False
            if event.state == WorkerState.ERROR:
                self.status(_("Rien n'a été enregistré : ce que vous avez tapé est encore là."), problem=True)
        super().on_worker_state_changed(event)


# --- the objective's form ------------------------------------------------------------------------------


class PlanGoalForm(PlanForm):
    """« Ajouter un objectif » (``goal`` None) or « Modifier l'objectif »."""

    DEFAULT_CSS = """
    PlanGoalForm #plan-goal-roles-boxes {
        grid-size: 3;
        grid-columns: 18 20 1fr;
        grid-rows: 1;
        height: auto;
    }
    PlanGoalForm #plan-goal-roles-boxes Checkbox {
        width: auto;
    }
    PlanGoalForm #plan-goal-source-list {
        max-height: 8;
    }
    """

    def __init__(
        self,
        plan: Plan,
        goal: PlanGoal | None = None,
        *,
        learner_goals: Sequence[LearnerGoal] = (),
        taken_goal_ids: Collection[str] = (),
    ) -> None:
        super().__init__(id="plan-goal-form")
        self.plan = plan
        self.base = goal
        taken = set(taken_goal_ids)
        self.offered = [entry for entry in learner_goals if entry.goal.id not in taken]
        self.saved: PlanGoal | None = None
        self._create_key = new_idempotency_key()  # kept across failed saves: the objective is added once

    def answer(self) -> PlanGoal | None:
        return self.saved

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        goal = self.base
        with Vertical(classes="dialog"):
            yield Static(self._title(), id="plan-goal-title", classes="dialog--title", markup=False)
            with VerticalScroll(classes="plan-form--body", can_focus=False):
                if goal is None and self.plan.active_goal_count + 1 > PLAN_ACTIVE_GOALS_ADVISED:
                    yield Static(
                        _(
                            "Plus de cinq objectifs actifs : le guide du ministère recommande peu d'objectifs, "
                            "travaillés systématiquement."
                        ),
                        id="plan-goal-too-many",
                        classes="plan-form--warning",
                        markup=False,
                    )
                if goal is None and self.offered:
                    choices = [(entry.goal.id, entry.text) for entry in self.offered]
                    choices.append((WRITE_NEW, _("Écrire un nouvel objectif")))
                    yield ControlField(
                        _("Objectif de la sous-collection de {name} (↑↓ puis Entrée)").format(
                            name=self.plan.learner_first_name
                        ),
                        "goal_id",
                        MarkedChoiceList(choices, id="plan-goal-source-list"),
                        wide=True,
                        id="plan-goal-source",
                    )
                yield Field(
                    _("Texte de l'objectif"),
                    "text",
                    value=goal.text if goal else "",
                    max_length=2000,
                    id="plan-goal-text",
                )
                yield Static(
                    _("Il sera aussi ajouté à « Ma collection » et classé sous {name}.").format(
                        name=self.plan.learner_first_name
                    ),
                    id="plan-goal-text-note",
                    classes="plan-form--text",
                    markup=False,
                )
                if self.plan.kind is PlanKind.TRANSITION:
                    spheres: Select[str] = Select(
                        [(sphere_label(sphere), sphere.value) for sphere in TevaSphere],
                        prompt=_("Choisir une sphère"),
                        value=goal.sphere.value if goal and goal.sphere else Select.NULL,
                        compact=True,
                        id="plan-goal-sphere-select",
                    )
                    yield ControlField(_("Sphère (TEVA)"), "sphere", spheres, id="plan-goal-sphere")
                yield TextAreaField(
                    _("Moyens (un par ligne)"), "means", value="\n".join(goal.means) if goal else "",
                    id="plan-goal-means",
                )
                yield ControlField(
                    _("Responsables"), "responsible_roles", self._role_boxes(), wide=True, id="plan-goal-roles"
                )
                yield Field(
                    _("Autre rôle"),
                    "other_role",
                    value=self._other_role(goal),
                    required=False,
                    placeholder=_("Ergothérapeute"),
                    max_length=80,
                    id="plan-goal-other-role",
                )
                yield DateField(_("Échéance"), "deadline", value=goal.deadline if goal else None,
                                id="plan-goal-deadline")
                yield self._text_field(_("Modalités d'évaluation"), "evaluation", goal.evaluation if goal else "")
                yield self._text_field(_("Critère de réussite"), "criterion", goal.criterion if goal else "")
                units: Select[str] = Select(
                    [(_(label), unit.value) for unit, label in UNITS.items()],
                    allow_blank=False,
                    value=(goal.unit if goal else ProgressUnit.PERCENT).value,
                    compact=True,
                    id="plan-goal-unit-select",
                )
                yield ControlField(_("Unité de mesure"), "unit", units, id="plan-goal-unit")
                directions: Select[str] = Select(
                    [(_(label), direction.value) for direction, label in DIRECTIONS.items()],
                    allow_blank=False,
                    value=(goal.direction if goal else TargetDirection.AT_LEAST).value,
                    compact=True,
                    id="plan-goal-direction-select",
                )
                yield ControlField(_("Sens de la cible"), "direction", directions, id="plan-goal-direction")
                yield self._text_field(_("Cible"), "target", _number_value(goal.target if goal else None),
                                       max_length=20)
                yield self._text_field(_("Sur"), "out_of", _number_value(goal.out_of if goal else None),
                                       max_length=6)
                yield Static("", id="plan-goal-status", classes="plan-form--status", markup=False)
            with Horizontal(classes="dialog--actions"):
                yield ActionButton(_("Enregistrer (Ctrl+S)"), id="plan-goal-save")
                yield ActionButton(_("Annuler (Échap)"), id="plan-goal-cancel")
        yield Footer(compact=True, show_command_palette=False)

    def _title(self) -> str:
        if self.base is None:
            return _("Ajouter un objectif au plan de {name}").format(name=self.plan.learner_first_name)
        return _("Modifier l'objectif — plan de {name}").format(name=self.plan.learner_first_name)

    @staticmethod
    def _text_field(label: str, name: str, value: str, *, max_length: int = 1000) -> Field:
        return Field(label, name, value=value, required=False, max_length=max_length,
                     id=f"plan-goal-{name.replace('_', '-')}")

    def _role_boxes(self) -> Grid:
        chosen = {participant.role for participant in self.base.responsible_roles} if self.base else set()
        return Grid(
            *[
                ConsentCheckbox(_(label), role in chosen, id=f"plan-goal-role-{role.value}", compact=True)
                for role, label in ROLES.items()
            ],
            id="plan-goal-roles-boxes",
        )

    @staticmethod
    def _other_role(goal: PlanGoal | None) -> str:
        if goal is None:
            return ""
        return next(
            (p.other_role or "" for p in goal.responsible_roles if p.role is ParticipantRole.OTHER), ""
        )

    def on_mount(self) -> None:
        super().on_mount()
        self._show_parts()
        if self.base is None and self.offered:
            self.query_one("#plan-goal-source-list").focus()
        else:
            self.field("text").focus_input()

    def field(self, name: str) -> Field:
        return self.query_one(f"#plan-goal-{name.replace('_', '-')}", Field)

    # --- what shows ---------------------------------------------------------------------------

    def _writing_new(self) -> bool:
        """Adding, with « Écrire un nouvel objectif » chosen (or nothing else to choose from)."""
        if self.base is not None:
            return False
        if not self.offered:
            return True
        return self.query_one("#plan-goal-source-list", MarkedChoiceList).chosen_id == WRITE_NEW

    def _chosen_goal_id(self) -> str | None:
        if self.base is not None or not self.offered:
            return None
        chosen = self.query_one("#plan-goal-source-list", MarkedChoiceList).chosen_id
        return None if chosen == WRITE_NEW else chosen

    def _show_parts(self) -> None:
        """The new text only when written now; « Autre rôle » only when « Autre » is ticked; « Sur » only for the
        units that have one."""
        writing = self._writing_new()
        self.field("text").display = self.base is not None or writing
        self.query_one("#plan-goal-text-note").display = writing
        self.field("other_role").display = self._role_box(ParticipantRole.OTHER).value
        self.field("out_of").display = self._unit() in (ProgressUnit.RATIO, ProgressUnit.RUBRIC)

    def _role_box(self, role: ParticipantRole) -> Checkbox:
        return self.query_one(f"#plan-goal-role-{role.value}", Checkbox)

    def _unit(self) -> ProgressUnit:
        value = self.query_one("#plan-goal-unit-select", Select).value
        return ProgressUnit(value) if isinstance(value, str) else ProgressUnit.PERCENT

    def on_option_list_option_highlighted(self, event: ChoiceList.OptionHighlighted) -> None:
        event.stop()
        self._show_parts()

    def on_option_list_option_selected(self, event: ChoiceList.OptionSelected) -> None:
        """Enter on the list: on to the new text, or to the means."""
        event.stop()
        self._show_parts()
        self.call_after_refresh(self.focus_next)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._show_parts()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._show_parts()

    # --- values -------------------------------------------------------------------------------

    def _roles(self) -> list[Participant]:
        other = tidy(self.field("other_role").value)
        return [
            Participant(role=role, other_role=(other or None) if role is ParticipantRole.OTHER else None)
            for role in ROLES
            if self._role_box(role).value
        ]

    def read(self) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """What the form says, as the API takes it, and the problems found before asking the server."""
        problems: dict[str, list[str]] = {}
        deadline, problem = self.query_one("#plan-goal-deadline", DateField).read()
        if problem:
            problems["deadline"] = [problem]
        target, problem = read_number(self.field("target").value)
        if problem:
            problems["target"] = [problem]
        unit = self._unit()
        out_of: float | None = None
        if unit in (ProgressUnit.RATIO, ProgressUnit.RUBRIC):
            out_of, problem = read_number(self.field("out_of").value, whole=True)
            if problem:
                problems["out_of"] = [problem]
        sphere: TevaSphere | None = None
        if self.plan.kind is PlanKind.TRANSITION:
            chosen = self.query_one("#plan-goal-sphere-select", Select).value
            sphere = TevaSphere(chosen) if isinstance(chosen, str) else None
        direction = self.query_one("#plan-goal-direction-select", Select).value
        values: dict[str, Any] = {
            "text": tidy(self.field("text").value),
            "sphere": sphere,
            "means": lines_of(self.query_one("#plan-goal-means", TextAreaField).value),
            "responsible_roles": self._roles(),
            "deadline": deadline,
            "evaluation": tidy(self.field("evaluation").value),
            "criterion": tidy(self.field("criterion").value),
            "unit": unit,
            "direction": TargetDirection(direction) if isinstance(direction, str) else TargetDirection.AT_LEAST,
            "target": target,
            "out_of": int(out_of) if out_of is not None else None,
        }
        return values, problems

    @staticmethod
    def values_of(goal: PlanGoal) -> dict[str, Any]:
        return {
            "text": goal.text,
            "sphere": goal.sphere,
            "means": list(goal.means),
            "responsible_roles": list(goal.responsible_roles),
            "deadline": goal.deadline,
            "evaluation": goal.evaluation,
            "criterion": goal.criterion,
            "unit": goal.unit,
            "direction": goal.direction,
            "target": goal.target,
            "out_of": goal.out_of,
        }

    def changes(self, against: PlanGoal) -> dict[str, Any]:
        values, _problems = self.read()
        theirs = self.values_of(against)
        if self.plan.kind is not PlanKind.TRANSITION:
            values.pop("sphere")
        return {name: value for name, value in values.items() if theirs[name] != value}

    def changed(self) -> bool:
        if self.base is not None:
            return bool(self.changes(self.base))
        values, _problems = self.read()
        blank: dict[str, Any] = {"text": "", "means": [], "responsible_roles": [], "deadline": None, "evaluation": "",
                 "criterion": "", "target": None}
        return any(values[name] != value for name, value in blank.items())

    def load(self, goal: PlanGoal) -> None:
        """Show ``goal``'s values in the form."""
        self.field("text").value = goal.text
        if self.plan.kind is PlanKind.TRANSITION:
            self.query_one("#plan-goal-sphere-select", Select).value = goal.sphere.value if goal.sphere \
                else Select.NULL
        self.query_one("#plan-goal-means", TextAreaField).value = "\n".join(goal.means)
        chosen = {participant.role for participant in goal.responsible_roles}
        for role in ROLES:
            self._role_box(role).value = role in chosen
        self.field("other_role").value = self._other_role(goal)
        self.field("deadline").value = goal.deadline.isoformat() if goal.deadline else ""
        self.field("evaluation").value = goal.evaluation
        self.field("criterion").value = goal.criterion
        self.query_one("#plan-goal-unit-select", Select).value = goal.unit.value
        self.query_one("#plan-goal-direction-select", Select).value = goal.direction.value
        self.field("target").value = _number_value(goal.target)
        self.field("out_of").value = _number_value(goal.out_of)
        self._show_parts()

    # --- saving -------------------------------------------------------------------------------

    def save(self) -> None:
        self.clear_errors()
        values, problems = self.read()
        goal_id = self._chosen_goal_id()
        if (self.base is not None or goal_id is None) and not values["text"]:
            problems["text"] = [_("Écrivez l'objectif.")]
        if problems:
            self.show_field_errors(problems)
            return
        if self.base is None:
            self.start_saving()
            self._add(self._create_body(values, goal_id))
            return
        changes = self.changes(self.base)
        if not changes:
            self.dismiss(self.saved)
            return
        self.start_saving()
        self._update(self.base.version, changes)

    def _create_body(self, values: dict[str, Any], goal_id: str | None) -> PlanGoalCreate:
        fields = {name: value for name, value in values.items() if value not in (None, "", [])}
        fields.pop("text", None)
        if goal_id is None:
            fields["text"] = values["text"]
        else:
            fields["goal_id"] = goal_id
        return PlanGoalCreate(**fields)

    @work(group=PlanForm.SAVE_GROUP, exit_on_error=False)
    async def _add(self, body: PlanGoalCreate) -> None:
        client = await self.banqo.api()
        self.after_save(await client.plans.add_goal(self.plan.id, body, self._create_key))

    @work(group=PlanForm.SAVE_GROUP, exit_on_error=False)
    async def _update(self, version: int, changes: dict[str, Any]) -> None:
        client = await self.banqo.api()
        assert self.base is not None
        try:
            goal = await client.plans.update_goal(self.plan.id, self.base.id, version, PlanGoalPatch(**changes))
        except errors.Conflict as exc:
            if exc.current_version is None:
                raise
            self.status("")
            self._conflict(await client.plans.get_goal(self.plan.id, self.base.id))
            return
        except errors.NotFound:
            self.status("")
            self.field("text").set_error([_("Cet objectif a été retiré du plan ailleurs : il n'a pas été modifié.")])
            return
        self.after_save(goal)

    def after_save(self, goal: PlanGoal) -> None:
        """Saved: close, or stay and say what the objective still lacks to be measurable."""
        self.saved = goal
        if not goal.gaps:
            self.dismiss(goal)
            return
        # From now on the form changes the saved objective.
        self.base = goal
        self.query_one("#plan-goal-title", Static).update(self._title())
        for source in self.query("#plan-goal-source"):
            source.display = False
        self.load(goal)
        self.status(
            _("Objectif enregistré. {gaps} Complétez puis Ctrl+S, ou Échap pour fermer.").format(
                gaps=gaps_sentence(goal.gaps)
            )
        )
        self.query_one("#plan-goal-status").scroll_visible()

    def _conflict(self, current: PlanGoal) -> None:
        from banqo_tui.screens.conflict import ConflictField, ConflictScreen

        mine, _problems = self.read()
        theirs = self.values_of(current)
        labels = {
            "text": _("Texte"),
            "means": _("Moyens"),
            "responsible_roles": _("Responsables"),
            "deadline": _("Échéance"),
            "evaluation": _("Modalités d'évaluation"),
            "criterion": _("Critère de réussite"),
            "unit": _("Unité de mesure"),
            "direction": _("Sens de la cible"),
            "target": _("Cible"),
            "out_of": _("Sur"),
        }
        fields = [ConflictField(label, _shown(theirs[name]), _shown(mine[name])) for name, label in labels.items()]

        def chosen(choice: str | None) -> None:
            # Whatever the choice, the version now seen is the one to change: a later save is made knowingly.
            self.base = current
            if choice == "reload":
                self.load(current)
                self.notify(_("La version enregistrée ailleurs est chargée dans le formulaire."))
            elif choice == "overwrite":
                changes = self.changes(current)
                if changes:
                    self.start_saving()
                    self._update(current.version, changes)
                    return
            self.field("text").focus_input()

        self.app.push_screen(ConflictScreen(fields), chosen)

    def show_field_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """The server names list items (``means.2``, ``responsible_roles.0.other_role``): each goes under its
        field."""
        placed: dict[str, list[str]] = {}
        for name, messages in errors.items():
            parts = name.split(".")
            key = "other_role" if parts[-1] == "other_role" else parts[0]
            placed.setdefault(key, []).extend(messages)
        return super().show_field_errors(placed)


def _number_value(value: float | None) -> str:
    """A number as it goes back into a field (« 80 », « 2.5 »)."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _shown(value: Any) -> str:
    """A value of the form in the conflict dialog, in words."""
    from banqo_tui.plan_words import role_label, unit_label

    if value is None:
        return ""
    if isinstance(value, ProgressUnit):
        return unit_label(value)
    if isinstance(value, TargetDirection):
        return _(DIRECTIONS[value])
    if isinstance(value, date):
        return format_date(value, "long")
    if isinstance(value, float | int):
        return _number_value(value)
    if isinstance(value, list):
        return "; ".join(role_label(item) if isinstance(item, Participant) else str(item) for item in value)
    return str(value)

