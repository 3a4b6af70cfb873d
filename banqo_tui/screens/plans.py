"""« Plans »: the plans d'intervention and transition annexes, newest first — everyone's, or one learner's — and
the dialog that starts a plan, pre-filled with the learner's sub-collection (every goal checked).

A plan is opened with Enter (``screens.plan``). From « Élèves », P on a learner lists that learner's plans, and
starts the first one straight away when there is none.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Footer, Input, Label, Select, SelectionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from banqo_tui.api import errors
from banqo_tui.api.client import new_idempotency_key
from banqo_tui.commands import ScreenCommands
from banqo_tui.i18n import N_, _, format_date, format_number, ngettext
from banqo_tui.screens.base import BanqoScreen, ScreenTitle
from banqo_tui.screens.dialogs import Dialog
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.choice_list import ChoiceList
from banqo_tui.widgets.field import Field

if TYPE_CHECKING:
    from banqo_tui.api.models import Learner, LearnerGoal, Plan, PlanKind


def due_words(due: date, today: date | None = None) -> str:
    """When a review falls, in words: « en retard », « aujourd'hui », « dans 12 jours »."""
    days = (due - (today or date.today())).days
    if days < 0:
        return _("en retard")
    if days == 0:
        return _("aujourd'hui")
    return ngettext("dans {count} jour", "dans {count} jours", days).format(count=format_number(days))


def review_text(plan: Plan, today: date | None = None) -> str:
    """« révision le 12 décembre 2026 (dans 15 jours) », « révision non prévue », or when it was closed."""
    from banqo_tui.api.models import PlanState

    if plan.state is PlanState.CLOSED:
        if plan.closed_on is not None:
            return _("fermé le {date}").format(date=format_date(plan.closed_on, "long"))
        return ""
    if plan.review_due_on is None:
        return _("révision non prévue")
    return _("révision le {date} ({when})").format(
        date=format_date(plan.review_due_on, "long"), when=due_words(plan.review_due_on, today)
    )


def plan_line(plan: Plan, today: date | None = None) -> str:
    """One plan in a list: « Léa — Plan d'intervention — En cours — révision le … (en retard) »."""
    from banqo_tui.plan_words import kind_label, state_label

    parts = [plan.learner_first_name, kind_label(plan.kind), state_label(plan.state), review_text(plan, today)]
    return " — ".join(part for part in parts if part)


def newest_first(plans: list[Plan]) -> list[Plan]:
    return sorted(plans, key=lambda plan: (plan.opened_on, plan.created_at), reverse=True)


def review_count_text(count: int) -> str:
    return ngettext("{count} révision", "{count} révisions", count).format(count=format_number(count))


class CheckList(SelectionList[str]):
    """A checklist whose box holds an X only when the line is checked: the state is not in colour alone.

    Each line is one option (long texts are cut with « … », as ``SelectionList`` draws them).
    """

    DEFAULT_CSS = """
    CheckList, CheckList:focus {
        height: auto;
        border: none;
        border-left: blank;
        padding: 0;
        background: $surface;
    }
    CheckList:focus {
        border-left: thick $accent;
    }
    CheckList > .option-list--option-highlighted, CheckList:focus > .option-list--option-highlighted {
        text-style: bold reverse;
    }
    """

    def render_line(self, y: int) -> Strip:
        from rich.segment import Segment
        from textual.widgets._toggle_button import ToggleButton

        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if selection.value in self.selected or len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        segments[1] = Segment(" ", segments[1].style, segments[1].control)
        return Strip(segments, strip.cell_length)


class PlansScreen(BanqoScreen):
    """« Plans », every learner's or one learner's (``learner_id``)."""

    COMMANDS = BanqoScreen.COMMANDS | {ScreenCommands}

    DEFAULT_CSS = """
    PlansScreen #plans-intro, PlansScreen #plans-status {
        padding: 0 1;
        height: auto;
    }
    PlansScreen #plans-intro {
        color: $text-muted;
    }
    PlansScreen #plans-count {
        text-style: bold;
        padding: 0 1;
        width: 100%;
    }
    PlansScreen #plans-list {
        height: 1fr;
        max-height: 100%;
    }
    """

    BINDINGS = [
        Binding("n", "new_plan", N_("Nouveau plan"), id="plans.new"),
        Binding("o", "open_plan", N_("Ouvrir le plan (ou Entrée)"), show=False, id="plans.open"),
        Binding("d", "delete", N_("Supprimer le plan"), id="plans.delete"),
        Binding("ctrl+r", "reload", N_("Recharger depuis le serveur"), show=False, id="plans.reload"),
        Binding("escape", "back", N_("Retour"), show=False, id="plans.back"),
    ]

    def __init__(self, learner_id: str | None = None, *, start_if_none: bool = False) -> None:
        super().__init__(id="plans-screen")
        #: Only this learner's plans (None: everyone's).
        self.learner_id = learner_id
        #: Open the new-plan dialog at once when the learner has no plan yet (P in « Élèves »).
        self.start_if_none = start_if_none
        self.learner: Learner | None = None
        self.plans: list[Plan] = []
        self.loaded = False

    def help_notes(self) -> list[str]:
        """For the help screen (F1)."""
        return [
            _("Un plan commence aussi depuis « Élèves » (F6) : P sur un élève, et le plan est pré-rempli avec "
              "son dossier."),
            _("Supprimer un plan supprime ses objectifs, leurs progrès, ses révisions et son annexe de transition; "
              "les objectifs restent dans « Ma collection »."),
        ]

    def compose(self) -> ComposeResult:
        yield ScreenTitle(_("Plans"), id="plans-title")
        yield Static(
            _("Les plus récents d'abord. Entrée : ouvrir le plan; N : en commencer un."),
            id="plans-intro",
            markup=False,
        )
        yield Label(_("Chargement…"), id="plans-count")
        yield ChoiceList(id="plans-list")
        yield Static("", id="plans-status", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.set_focus(self.plan_list)
        self.load()

    def on_screen_resume(self) -> None:
        # Back from a plan: its state, dates or objectives may have changed.
        if self.loaded and self.banqo.signed_in:  # not on the way out when signing out
            self.load()

    @property
    def plan_list(self) -> ChoiceList:
        return self.query_one("#plans-list", ChoiceList)

    @property
    def highlighted_plan(self) -> Plan | None:
        index = self.plan_list.highlighted
        return self.plans[index] if index is not None and 0 <= index < len(self.plans) else None

    def status(self, text: str) -> None:
        self.query_one("#plans-status", Static).update(text)

    # --- loading ------------------------------------------------------------------------------

    @work(group="plans-load", exclusive=True, exit_on_error=False)
    async def load(self, select: str | None = None) -> None:
        client = await self.banqo.api()
        if self.learner_id is not None and self.learner is None:
            self.learner = await client.learners.get(self.learner_id)
            self.query_one("#plans-title", ScreenTitle).update(
                _("Plans de {name}").format(name=self.learner.first_name)
            )
        self.show_plans(await client.plans.list(learner_id=self.learner_id), select)
        if self.start_if_none:
            self.start_if_none = False
            if not self.plans:
                self.action_new_plan()

    def show_plans(self, plans: list[Plan], select: str | None = None) -> None:
        previous = self.highlighted_plan
        wanted = select or (previous.id if previous else None)
        self.plans = newest_first(plans)
        self.loaded = True
        today = self.banqo.today()
        self.plan_list.set_options(Option(Content(plan_line(plan, today)), id=plan.id) for plan in self.plans)
        if self.plans:
            count = ngettext("{count} plan", "{count} plans", len(self.plans)).format(
                count=format_number(len(self.plans))
            )
            self.plan_list.highlighted = next(
                (index for index, plan in enumerate(self.plans) if plan.id == wanted), 0
            )
        elif self.learner is not None:
            count = _("{name} n'a pas encore de plan. N : en commencer un, pré-rempli avec son dossier.").format(
                name=self.learner.first_name
            )
        else:
            count = _("Aucun plan. N : commencer un plan (ou, dans « Élèves », P sur un élève).")
        self.query_one("#plans-count", Label).update(count)
        self.refresh_bindings()

    # --- keys ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open_plan", "delete"):
            return self.highlighted_plan is not None
        return True

    def on_option_list_option_highlighted(self, event: ChoiceList.OptionHighlighted) -> None:
        self.refresh_bindings()

    def on_option_list_option_selected(self, event: ChoiceList.OptionSelected) -> None:
        event.stop()
        self.action_open_plan()

    def action_open_plan(self) -> None:
        plan = self.highlighted_plan
        if plan is not None:
            self.open_plan(plan.id)

    def open_plan(self, plan_id: str) -> None:
        from banqo_tui.screens.plan import PlanScreen

        self.app.push_screen(PlanScreen(plan_id))

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def action_new_plan(self) -> None:
        def created(plan: Plan | None) -> None:
            if plan is None:
                self.set_focus(self.plan_list)
                return
            self.load(select=plan.id)
            self.open_plan(plan.id)

        self.app.push_screen(NewPlanDialog(self.learner_id), created)

    # --- deleting -----------------------------------------------------------------------------

    def action_delete(self) -> None:
        from banqo_tui.plan_words import kind_label
        from banqo_tui.screens.dialogs import ConfirmDialog
        from banqo_tui.screens.learners import goal_count_text

        plan = self.highlighted_plan
        if plan is None:
            return
        message = _(
            "Ce plan ({kind}, ouvert le {date}) sera supprimé avec tout ce qu'il contient : {goals}, leurs mesures "
            "de progrès et {reviews}."
        ).format(
            kind=kind_label(plan.kind),
            date=format_date(plan.opened_on, "long"),
            goals=goal_count_text(plan.goal_count),
            reviews=review_count_text(plan.review_count),
        )
        if plan.annex_plan_id is not None:
            message += " " + _("Son annexe, le plan de transition, sera supprimée aussi.")
        message += " " + _("Les objectifs restent dans « Ma collection » et dans le dossier de {name}.").format(
            name=plan.learner_first_name
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(plan)
            self.set_focus(self.plan_list)

        self.app.push_screen(
            ConfirmDialog(
                _("Supprimer le plan de {name}?").format(name=plan.learner_first_name),
                message,
                _("Supprimer le plan"),
            ),
            answered,
        )

    @work(group="plans-delete", exclusive=True, exit_on_error=False)
    async def _delete(self, plan: Plan) -> None:
        client = await self.banqo.api()
        try:
            await client.plans.delete(plan.id, plan.version)
        except errors.Conflict:
            self.notify(
                _("Ce plan a été modifié ailleurs : rien n'est supprimé. Vérifiez, puis recommencez."),
                severity="warning",
                markup=False,
            )
            self.load()
            return
        except errors.NotFound:
            pass  # already gone
        self.status(_("Le plan de {name} est supprimé.").format(name=plan.learner_first_name))
        self.load()


class NewPlanDialog(Dialog):
    """« Nouveau plan »: the learner, the kind (an annex names its intervention plan), the dates, and the goals of
    the learner's sub-collection to start with — all checked. Answers the created ``Plan``, or None."""

    #: The app keeps its navigation keys off while the dialog is open: the choices made would go with it.
    keeps_unsaved_text = True

    DEFAULT_CSS = """
    NewPlanDialog #new-plan-form {
        height: auto;
        max-height: 15;
    }
    NewPlanDialog Field .field--error, NewPlanDialog ChoiceField .field--error {
        min-height: 0;
    }
    NewPlanDialog ChoiceField {
        grid-columns: 18 1fr;
    }
    NewPlanDialog ChoiceField .field--error {
        padding-left: 18;
    }
    NewPlanDialog #new-plan-goals-label {
        margin-top: 1;
        text-style: bold;
    }
    NewPlanDialog CheckList {
        max-height: 8;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "create", N_("Créer le plan"), id="new_plan.create"),
        Binding("escape", "cancel", N_("Annuler"), id="new_plan.cancel"),
    ]

    def __init__(self, learner_id: str | None = None) -> None:
        super().__init__(id="new-plan-dialog")
        self.learner_id = learner_id
        self._create_key = new_idempotency_key()  # kept across failed saves: the plan is started once
        self.learners: list[Learner] = []
        self.learner_goals: list[LearnerGoal] = []
        #: The learner's intervention plans, newest first: an annex attaches to one of them.
        self.intervention_plans: list[Plan] = []

    def compose(self) -> ComposeResult:
        from banqo_tui.api.models import PlanKind
        from banqo_tui.plan_words import kind_label
        from banqo_tui.screens.goal_form import ChoiceField

        with Vertical(classes="dialog"):
            yield Static(_("Nouveau plan"), classes="dialog--title")
            with VerticalScroll(id="new-plan-form"):
                learner: Select[str] = Select([], prompt=_("Chargement…"), compact=True, id="new-plan-learner-select")
                yield ChoiceField(_("Élève"), "learner_id", learner, id="new-plan-learner")
                kind: Select[str] = Select(
                    [(kind_label(kind), str(kind)) for kind in PlanKind],
                    allow_blank=False,
                    value=str(PlanKind.INTERVENTION),
                    compact=True,
                    id="new-plan-kind-select",
                )
                yield ChoiceField(_("Type de plan"), "kind", kind, id="new-plan-kind")
                parent: Select[str] = Select([], prompt=_("Aucun plan d'intervention"), compact=True,
                                             id="new-plan-parent-select")
                yield ChoiceField(_("Annexe du plan"), "parent_plan_id", parent, id="new-plan-parent")
                yield Field(_("Ouvert le"), "opened_on", value=self.banqo.today().isoformat(),
                            placeholder=_("AAAA-MM-JJ"), max_length=40, id="new-plan-opened")
                yield Field(_("Révision prévue"), "review_due_on", required=False,
                            placeholder=_("AAAA-MM-JJ (facultatif)"), max_length=40, id="new-plan-review")
                yield Label(_("Objectifs de son dossier (Espace : cocher ou décocher)"), id="new-plan-goals-label")
                yield Static("", id="new-plan-goals-note", markup=False)
                yield CheckList(id="new-plan-goals")
            yield Static("", id="new-plan-error", markup=False)
            with Horizontal(classes="dialog--actions"):
                yield ActionButton(_("Créer le plan (Ctrl+S)"), id="new-plan-create")
                yield ActionButton(_("Annuler (Échap)"), id="new-plan-cancel")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#new-plan-parent").display = False
        self.query_one("#new-plan-learner-select", Select).focus()
        self.load_learners()

    # --- the parts ----------------------------------------------------------------------------

    @property
    def chosen_learner(self) -> Learner | None:
        value = self.query_one("#new-plan-learner-select", Select).value
        return next((learner for learner in self.learners if learner.id == value), None)

    @property
    def chosen_kind(self) -> PlanKind:
        from banqo_tui.api.models import PlanKind

        return PlanKind(str(self.query_one("#new-plan-kind-select", Select).value))

    @work(group="new-plan-learners", exclusive=True, exit_on_error=False)
    async def load_learners(self) -> None:
        from banqo_tui.screens.learners import alphabetical

        client = await self.banqo.api()
        self.learners = sorted(await client.learners.list(), key=alphabetical)
        select = self.query_one("#new-plan-learner-select", Select)
        select.set_options((learner.first_name, learner.id) for learner in self.learners)
        select.prompt = _("Choisissez un élève")
        if not self.learners:
            self.query_one("#new-plan-goals-note", Static).update(
                _("Aucun élève : ajoutez-en un dans « Élèves » (F6), puis revenez.")
            )
            return
        if self.learner_id is not None and any(learner.id == self.learner_id for learner in self.learners):
            select.value = self.learner_id
            self.query_one("#new-plan-kind-select", Select).focus()
        elif len(self.learners) == 1:
            select.value = self.learners[0].id

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "new-plan-learner-select":
            learner = self.chosen_learner
            if learner is not None:
                self.load_learner(learner)
        elif event.select.id == "new-plan-kind-select":
            self._show_parent()
            checklist = self.query_one("#new-plan-goals", CheckList)
            for goal in self.learner_goals:
                if self._prechecked(goal):
                    checklist.select(goal.goal.id)
                else:
                    checklist.deselect(goal.goal.id)
            learner = self.chosen_learner
            if learner is not None:
                self._show_goals_note(learner)

    @work(group="new-plan-learner", exclusive=True, exit_on_error=False)
    async def load_learner(self, learner: Learner) -> None:
        """The learner's sub-collection (every goal checked) and intervention plans (for an annex)."""
        from banqo_tui.api.models import PlanKind, PlanState
        from banqo_tui.plan_words import kind_label

        client = await self.banqo.api()
        goals = await client.learners.goals(learner.id)
        plans = await client.plans.list(learner_id=learner.id)
        self.learner_goals = goals
        self.intervention_plans = newest_first(
            [plan for plan in plans if plan.kind is PlanKind.INTERVENTION and plan.state is not PlanState.CLOSED]
        )
        checklist = self.query_one("#new-plan-goals", CheckList)
        checklist.clear_options()
        checklist.add_options((Content(goal.text), goal.goal.id, self._prechecked(goal)) for goal in goals)
        checklist.highlighted = 0 if goals else None
        self._show_goals_note(learner)
        parent = self.query_one("#new-plan-parent-select", Select)
        parent.set_options(
            (_("{kind} ouvert le {date}").format(kind=kind_label(plan.kind), date=format_date(plan.opened_on, "long")),
             plan.id)
            for plan in self.intervention_plans
        )
        if self.intervention_plans:
            parent.value = self.intervention_plans[0].id
        self._show_parent()

    def _show_goals_note(self, learner: Learner) -> None:
        """How many goals the folder holds, and which are checked, in words."""
        from banqo_tui.api.models import PlanKind

        count = len(self.learner_goals)
        if not count:
            text = _("Le dossier de {name} est vide : le plan commencera sans objectif (A, dans le plan, en ajoute).")
            text = text.format(name=learner.first_name)
        elif self.chosen_kind is PlanKind.TRANSITION:
            text = ngettext(
                "Pré-rempli avec son dossier : {count} objectif; ceux d'une sphère de la TEVA sont cochés.",
                "Pré-rempli avec son dossier : {count} objectifs; ceux d'une sphère de la TEVA sont cochés.",
                count,
            ).format(count=format_number(count))
        else:
            text = ngettext(
                "Pré-rempli avec son dossier : {count} objectif, coché.",
                "Pré-rempli avec son dossier : {count} objectifs, tous cochés.",
                count,
            ).format(count=format_number(count))
        self.query_one("#new-plan-goals-note", Static).update(text)

    def _prechecked(self, goal: LearnerGoal) -> bool:
        """Every goal of the folder; for a transition annex, those of a TEVA sphere (the others need one)."""
        from banqo_tui.api.models import PlanKind
        from banqo_tui.plan_words import in_a_teva_sphere

        if self.chosen_kind is PlanKind.TRANSITION:
            return in_a_teva_sphere(goal.goal.domain)
        return True

    def _show_parent(self) -> None:
        from banqo_tui.api.models import PlanKind

        self.query_one("#new-plan-parent").display = self.chosen_kind is PlanKind.TRANSITION

    # --- keys ---------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        if event.button.id == "new-plan-create":
            self.run_worker(self.action_create())
        elif event.button.id == "new-plan-cancel":
            self.dismiss(None)

    def _clear_errors(self) -> None:
        from banqo_tui.screens.goal_form import ChoiceField

        for field in self.query(Field):
            field.clear_error()
        for choice in self.query(ChoiceField):
            choice.clear_error()
        self.query_one("#new-plan-error", Static).update("")

    async def action_create(self) -> None:
        from banqo_tui.api.models import PlanCreate, PlanKind
        from banqo_tui.widgets.entry_line import settled

        for field in self.query(Field):
            await settled(field.input)
        self._clear_errors()
        problems: dict[str, list[str]] = {}
        learner = self.chosen_learner
        if learner is None:
            problems["learner_id"] = [_("Choisissez l'élève du plan.")]
        opened_on = self._date("opened_on", problems, required=True)
        review_due_on = self._date("review_due_on", problems)
        kind = self.chosen_kind
        parent_id: str | None = None
        if kind is PlanKind.TRANSITION:
            value = self.query_one("#new-plan-parent-select", Select).value
            parent_id = value if isinstance(value, str) else None
            if parent_id is None and learner is not None:
                problems["parent_plan_id"] = [
                    _("{name} n'a pas de plan d'intervention : commencez par celui-là, le plan de transition "
                      "s'y rattache.").format(name=learner.first_name)
                ]
        if problems or learner is None:
            self.show_field_errors(problems)
            return
        checked = set(self.query_one("#new-plan-goals", CheckList).selected)
        self._create(
            PlanCreate(
                learner_id=learner.id,
                kind=kind,
                parent_plan_id=parent_id,
                opened_on=opened_on,
                review_due_on=review_due_on,
                goal_ids=[goal.goal.id for goal in self.learner_goals if goal.goal.id in checked],
            )
        )

    def _date(self, name: str, problems: dict[str, list[str]], *, required: bool = False) -> date | None:
        """The date typed in the field ``name``; a problem noted when it cannot be read."""
        from banqo_tui.progress import read_date

        field = next(field for field in self.query(Field) if field.name == name)
        found, problem = read_date(field.value)
        if problem:
            problems[name] = [problem]
        elif found is None and required:
            problems[name] = [_("Ce champ est obligatoire.")]
        return found

    @work(group="new-plan-create", exclusive=True, exit_on_error=False)
    async def _create(self, body: Any) -> None:
        client = await self.banqo.api()
        self.dismiss(await client.plans.create(body, self._create_key))

    def show_field_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """Under the choice fields too; what has no field of its own goes under the form."""
        from banqo_tui.screens.goal_form import ChoiceField

        rest: dict[str, list[str]] = {}
        for name, messages in errors.items():
            choice = next((choice for choice in self.query(ChoiceField) if choice.name == name), None)
            if choice is not None:
                choice.set_error(messages)
                choice.select.focus()
            else:
                rest[name] = messages
        unplaced = super().show_field_errors(rest)
        if unplaced:
            self.query_one("#new-plan-error", Static).update(
                " ".join(message for messages in unplaced.values() for message in messages)
            )
        return {}
