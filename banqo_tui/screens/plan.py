"""One plan, in the sections of the Quebec process, each reachable by its digit (1 to 8):

1 Identification, 2 Participants, 3 Forces, 4 Besoins, 5 Mesures, 6 Objectifs, 7 Suivi (the chart of the
highlighted objective, its sentence, its measures), 8 Révisions (Enter opens a review's snapshot, read-only).

The whole plan comes in one call (``client.plans.document``) and every section is plain text read top to bottom.
The objectives' own dialogs (add, edit, progress, review, export, history) come from their modules; the plan's own
fields are edited here, in small dialogs that save with If-Match: a change made elsewhere meanwhile opens the
conflict dialog, the teacher's text kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Input, Label, SelectionList, Static, TextArea
from textual.widgets.option_list import Option

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
    from textual.app import App

    from banqo_tui.api.models import (
        Plan,
        PlanDocument,
        PlanGoal,
        PlanGoalDocument,
        PlanSnapshot,
        PlanState,
        PrioritisedItem,
        Review,
    )
    from banqo_tui.screens.conflict import ConflictField

#: The sections, in the order of the Quebec process; each one's digit is its place here.
SECTIONS = (
    N_("Identification"),
    N_("Participants"),
    N_("Forces"),
    N_("Besoins"),
    N_("Mesures d'adaptation et de modification"),
    N_("Objectifs"),
    N_("Suivi"),
    N_("Révisions"),
)

#: Keys that change the plan: hidden on a closed plan and in a snapshot.
EDIT_ACTIONS = frozenset({
    "add_goal", "edit_goal", "progress", "remove_goal", "review", "renew",
    "edit_identification", "edit_participants", "edit_strengths", "edit_needs", "edit_measures",
})
#: Keys that need a highlighted objective.
GOAL_ACTIONS = frozenset({"edit_goal", "progress", "remove_goal", "history"})


def progress_count_text(count: int) -> str:
    return ngettext("{count} mesure de progrès", "{count} mesures de progrès", count).format(
        count=format_number(count)
    )


def items_text(items: Iterable[PrioritisedItem]) -> str:
    """Forces or besoins, one a line, by priority: « 1. Lit avec plaisir »."""
    ordered = sorted(items, key=lambda item: item.priority)
    return "\n".join(f"{item.priority}. {item.text}" for item in ordered)


def lines_text(lines: Iterable[str]) -> str:
    return "\n".join(lines)


def date_text(value: date | None) -> str:
    return format_date(value, "long") if value is not None else ""


def goal_prompt(number: int, goal: PlanGoal) -> str:
    """An objective as the list shows it (and a screen reader reads it): its text, then one line per part."""
    from banqo_tui.plan_words import goal_status_label, roles_text
    from banqo_tui.progress import gaps_sentence, target_text

    none = _("(aucun)")
    lines = [f"{number}. {goal.text}"]
    lines.append("   " + _("Moyens : {means}").format(means="; ".join(goal.means) or none))
    lines.append("   " + _("Responsables : {roles}").format(roles=roles_text(goal.responsible_roles)))
    lines.append("   " + _("Échéance : {date}").format(date=date_text(goal.deadline) or _("(aucune)")))
    evaluation = [_("Évaluation : {text}").format(text=goal.evaluation or _("(à préciser)")),
                  _("Critère : {text}").format(text=goal.criterion or _("(à préciser)"))]
    if goal.target is not None:
        evaluation.append(_("cible : {target}").format(target=target_text(goal)))
    lines.append("   " + " — ".join(evaluation))
    lines.append("   " + " — ".join(
        (goal_status_label(goal.status), progress_count_text(goal.progress_count), gaps_sentence(goal.gaps))
    ))
    return "\n".join(lines)


def review_prompt(review: Review) -> str:
    """A review, its decisions in words, one per objective."""
    from banqo_tui.plan_words import decision_label

    title = _("Révision n° {number} du {date}").format(number=review.number, date=date_text(review.held_on))
    lines = [f"{title} — {review.note}" if review.note else title]
    for decision in review.decisions:  # the decision first: the objective's text can be long
        line = "   • " + decision_label(decision.decision)
        lines.append(f"{line} — {decision.note}" if decision.note else line)
        lines.append(f"     {decision.goal_text}")
    if review.next_review_on is not None:
        lines.append("   " + _("Révision suivante prévue le {date}.").format(date=date_text(review.next_review_on)))
    return "\n".join(lines)


def allowed_states(state: PlanState) -> list[PlanState]:
    """The states a plan may go to from ``state``: draft → active, active ⇄ review, any → closed, closed → active."""
    from banqo_tui.api.models import PlanState

    return {
        PlanState.DRAFT: [PlanState.ACTIVE, PlanState.CLOSED],
        PlanState.ACTIVE: [PlanState.REVIEW, PlanState.CLOSED],
        PlanState.REVIEW: [PlanState.ACTIVE, PlanState.CLOSED],
        PlanState.CLOSED: [PlanState.ACTIVE],
    }[state]


def identification_lines(
    document: PlanDocument, *, snapshot: bool, link_hint: bool, today: date | None = None
) -> list[str]:
    """Section 1, « Identification », one fact a line (the screen and ``banqo plans show``): a snapshot's
    review date is a date, not « dans 12 jours »; ``link_hint`` adds the key that opens a linked plan."""
    from banqo_tui.api.models import PlanKind, PlanState
    from banqo_tui.plan_words import kind_label, state_label
    from banqo_tui.screens.plans import due_words

    plan = document.plan
    lines = [
        _("Prénom : {name}").format(name=plan.learner_first_name),
        _("Type : {kind}").format(kind=kind_label(plan.kind)),
        _("État : {state}").format(state=state_label(plan.state)),
        _("Ouvert le : {date}").format(date=date_text(plan.opened_on)),
    ]
    if plan.review_due_on is None:
        lines.append(_("Révision prévue : aucune date"))
    elif plan.state is PlanState.CLOSED or snapshot:
        lines.append(_("Révision prévue : {date}").format(date=date_text(plan.review_due_on)))
    else:
        lines.append(_("Révision prévue : {date} ({when})").format(
            date=date_text(plan.review_due_on), when=due_words(plan.review_due_on, today)
        ))
    if plan.closed_on is not None:
        lines.append(_("Fermé le : {date}").format(date=date_text(plan.closed_on)))
    links: list[str] = []
    if plan.kind is PlanKind.TRANSITION:
        parent = document.parent_plan
        links.append(
            _("Annexe du plan d'intervention ouvert le {date}.").format(date=date_text(parent.opened_on))
            if parent is not None else _("Annexe d'un plan d'intervention.")
        )
    elif plan.annex_plan_id is not None:
        links.append(_("Ce plan a une annexe : un plan de transition."))
    if plan.previous_plan_id is not None:
        links.append(_("Ce plan reconduit celui de l'année précédente."))
    if plan.next_plan_id is not None:
        links.append(_("Ce plan a été reconduit pour l'année suivante."))
    if links and link_hint:
        links[-1] += " " + _("O : ouvrir le plan lié.")
    lines += links
    lines.append(_("Identifiant (pour « banqo plans export ») : {id}").format(id=plan.id))
    return lines


def section_heading(number: int) -> str:
    """« 6 · Objectifs »."""
    return f"{number} · {_(SECTIONS[number - 1])}"


class PlanSection(Vertical, can_focus=True):
    """One section: its heading, then its text, read in order; the focus comes to it with its digit."""

    DEFAULT_CSS = """
    PlanSection {
        height: auto;
        padding: 0 1 1 0;
        border-left: blank;
    }
    PlanSection:focus {
        border-left: thick $accent;
    }
    PlanSection .plan-section--heading {
        text-style: bold;
        color: $text-accent;
    }
    PlanSection:focus .plan-section--heading {
        text-style: bold underline;
    }
    PlanSection .plan-section--subheading {
        text-style: bold;
        margin-top: 1;
    }
    PlanSection ChoiceList {
        height: auto;
        max-height: 75vh;
    }
    PlanSection .plan-section--note {
        color: $text-warning;
        text-style: bold;
    }
    """

    def __init__(self, number: int) -> None:
        super().__init__(id=f"plan-section-{number}")
        self.number = number

    def on_focus(self, _event: events.Focus) -> None:
        self._mark(True)

    def on_blur(self, _event: events.Blur) -> None:
        self._mark(False)

    def _mark(self, focused: bool) -> None:
        """« ▸ » before the heading of the section that has the focus (bold and underline are not read)."""
        from banqo_tui.focus_cursor import FOCUS_MARK

        for heading in self.query(f"#plan-heading-{self.number}"):
            heading.update((FOCUS_MARK if focused else "") + section_heading(self.number))


class ListSection(PlanSection, can_focus=False):
    """A section whose list takes the focus (objectives, reviews): one stop for Tab, not two."""


class ChoicePicker(Dialog):
    """Choose one of a few things (the plan's next state, a linked plan); answers its id, or None."""

    BINDINGS = [Binding("escape", "cancel", N_("Annuler"), id="choice_picker.cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__(id="choice-picker")
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog--title", markup=False)
            yield ChoiceList(*[Option(Content(label), id=key) for key, label in self.choices], id="choice-picker-list")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        listing = self.query_one(ChoiceList)
        listing.focus()
        listing.highlighted = 0

    def on_option_list_option_selected(self, event: ChoiceList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


class PlanScreen(BanqoScreen):
    """A plan; with ``snapshot``, a review's snapshot of it, read-only."""

    COMMANDS = BanqoScreen.COMMANDS | {ScreenCommands}

    DEFAULT_CSS = """
    PlanScreen #plan-banner {
        height: auto;
        padding: 0 1;
        background: $warning 25%;
        text-style: bold;
    }
    PlanScreen #plan-body {
        padding: 0 1 0 0;
    }
    PlanScreen #plan-reviews-hint, PlanScreen #plan-progress-goal {
        color: $text-muted;
    }
    """

    BINDINGS = [
        # The four keys of the footer (80 columns); the others are in the help (F1) and the palette.
        Binding("e", "edit_goal", N_("Modifier l'objectif"), id="plan.edit_goal"),
        Binding("p", "progress", N_("Noter un progrès"), id="plan.progress"),
        Binding("a", "add_goal", N_("Ajouter un objectif"), id="plan.add_goal"),
        Binding("v", "review", N_("Révision"), id="plan.review"),
        Binding("x", "export", N_("Exporter"), show=False, id="plan.export"),
        Binding("s", "state", N_("Changer l'état du plan"), show=False, id="plan.state"),
        Binding("h", "history", N_("Historique de l'objectif"), show=False, id="plan.history"),
        Binding("d", "remove_goal", N_("Retirer l'objectif du plan"), show=False, id="plan.remove_goal"),
        Binding("delete", "remove_goal", N_("Retirer l'objectif du plan"), show=False, id="plan.remove_goal_key"),
        Binding("c", "renew", N_("Reconduire le plan"), show=False, id="plan.renew"),
        Binding("i", "edit_identification", N_("Modifier les dates du plan"), show=False,
                id="plan.edit_identification"),
        Binding("t", "edit_participants", N_("Modifier les participants"), show=False, id="plan.edit_participants"),
        Binding("f", "edit_strengths", N_("Modifier les forces"), show=False, id="plan.edit_strengths"),
        Binding("b", "edit_needs", N_("Modifier les besoins"), show=False, id="plan.edit_needs"),
        Binding("m", "edit_measures", N_("Modifier les mesures"), show=False, id="plan.edit_measures"),
        Binding("o", "open_linked", N_("Ouvrir le plan lié (précédent, suivant, annexe)"), show=False,
                id="plan.open_linked"),
        Binding("1", "section(1)", N_("Aller à : Identification"), show=False, id="plan.section_1"),
        Binding("2", "section(2)", N_("Aller à : Participants"), show=False, id="plan.section_2"),
        Binding("3", "section(3)", N_("Aller à : Forces"), show=False, id="plan.section_3"),
        Binding("4", "section(4)", N_("Aller à : Besoins"), show=False, id="plan.section_4"),
        Binding("5", "section(5)", N_("Aller à : Mesures"), show=False, id="plan.section_5"),
        Binding("6", "section(6)", N_("Aller à : Objectifs"), show=False, id="plan.section_6"),
        Binding("7", "section(7)", N_("Aller à : Suivi"), show=False, id="plan.section_7"),
        Binding("8", "section(8)", N_("Aller à : Révisions"), show=False, id="plan.section_8"),
        Binding("ctrl+r", "reload", N_("Recharger depuis le serveur"), show=False, id="plan.reload"),
        Binding("escape", "back", N_("Retour"), show=False, id="plan.back"),
    ]

    def __init__(self, plan_id: str, *, snapshot: PlanSnapshot | None = None) -> None:
        super().__init__(id="plan-snapshot-screen" if snapshot is not None else "plan-screen")
        self.plan_id = plan_id
        #: A review's snapshot shown read-only (None: the plan as it is now).
        self.snapshot = snapshot
        self.document: PlanDocument | None = snapshot.document if snapshot is not None else None
        #: The objectives in the list's order; None for a sphere's heading line (transition annex).
        self.goal_rows: list[PlanGoalDocument | None] = []
        #: Objective id → its number in the plan (1, 2…), as the list says it.
        self.goal_numbers: dict[str, int] = {}
        self.reviews: list[Review] = []
        #: The objective to highlight once the plan is read again (one just added).
        self._select_after_load: str | None = None

    def help_notes(self) -> list[str]:
        """For the help screen (F1)."""
        return [
            _("Les chiffres 1 à 8 mènent aux sections : 1 Identification, 2 Participants, 3 Forces, 4 Besoins, "
              "5 Mesures, 6 Objectifs, 7 Suivi, 8 Révisions."),
            _("Entrée sur un objectif : le modifier (comme E); sur une révision : son instantané, en lecture seule."),
            _("Forces et besoins : un par ligne, précédé de sa priorité (« 1. Lit avec plaisir »)."),
            _("Un plan fermé se lit sans se modifier : S le rouvre."),
        ]

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from banqo_tui.widgets.progress_chart import ProgressChart

        yield ScreenTitle(_("Plan"), id="plan-title")
        yield Static("", id="plan-banner", markup=False)
        with VerticalScroll(id="plan-body"):
            with PlanSection(1):
                yield self._heading(1)
                yield Static(_("Chargement…"), id="plan-identification", markup=False)
            with PlanSection(2):
                yield self._heading(2)
                yield Static("", id="plan-participants", markup=False)
            with PlanSection(3):
                yield self._heading(3)
                yield Static("", id="plan-strengths", markup=False)
            with PlanSection(4):
                yield self._heading(4)
                yield Static("", id="plan-needs", markup=False)
            with PlanSection(5):
                yield self._heading(5)
                yield Static(_("Mesures d'adaptation"), classes="plan-section--subheading")
                yield Static("", id="plan-adaptations", markup=False)
                yield Static(_("Mesures de modification"), classes="plan-section--subheading")
                yield Static(
                    _("Une modification change les attentes envers l'élève : ce qui lui est demandé, et donc ce qui "
                      "est évalué, diffère des exigences du programme."),
                    id="plan-modifications-note",
                    markup=False,
                )
                yield Static("", id="plan-modifications", markup=False)
            with ListSection(6):
                yield self._heading(6)
                yield Static("", id="plan-goals-warning", classes="plan-section--note", markup=False)
                yield ChoiceList(id="plan-goals")
            with PlanSection(7):
                yield self._heading(7)
                yield Static("", id="plan-progress-goal", markup=False)
                yield ProgressChart(id="plan-chart")
                yield Static("", id="plan-progress-entries", markup=False)
            with ListSection(8):
                yield self._heading(8)
                yield ChoiceList(id="plan-reviews")
                yield Static("", id="plan-reviews-hint", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    @staticmethod
    def _heading(number: int) -> Static:
        return Static(section_heading(number), id=f"plan-heading-{number}", classes="plan-section--heading",
                      markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#plan-banner").display = False
        self.set_focus(self.query_one("#plan-section-1", PlanSection))
        if self.document is not None:
            self.show_document(self.document)
        else:
            self.load()

    def on_screen_resume(self) -> None:
        # Back from a dialog or another screen: what they saved (or another device did) shows at once.
        if self.snapshot is None and self.document is not None and self.banqo.signed_in:  # not on signing out
            self.load()

    @property
    def body(self) -> VerticalScroll:
        return self.query_one("#plan-body", VerticalScroll)

    @property
    def goal_list(self) -> ChoiceList:
        return self.query_one("#plan-goals", ChoiceList)

    @property
    def review_list(self) -> ChoiceList:
        return self.query_one("#plan-reviews", ChoiceList)

    @property
    def plan(self) -> Plan | None:
        return self.document.plan if self.document is not None else None

    @property
    def highlighted_goal(self) -> PlanGoalDocument | None:
        index = self.goal_list.highlighted
        return self.goal_rows[index] if index is not None and 0 <= index < len(self.goal_rows) else None

    @property
    def closed(self) -> bool:
        from banqo_tui.api.models import PlanState

        return self.plan is not None and self.plan.state is PlanState.CLOSED

    @property
    def read_only(self) -> bool:
        return self.snapshot is not None or self.closed

    # --- loading ------------------------------------------------------------------------------

    @work(group="plan-load", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        client = await self.banqo.api()
        self.show_document(await client.plans.document(self.plan_id))

    def show_document(self, document: PlanDocument) -> None:
        from banqo_tui.plan_words import kind_label

        kept = self.highlighted_goal
        select = self._select_after_load or (kept.goal.id if kept is not None else None)
        self._select_after_load = None
        self.document = document
        plan = document.plan
        self.query_one("#plan-title", ScreenTitle).update(
            _("{kind} de {name}").format(kind=kind_label(plan.kind), name=plan.learner_first_name)
        )
        self._show_banner(plan)
        self._show_identification(document)
        self._show_texts(plan)
        self._show_goals(document, select)
        self._show_reviews(document.reviews)
        self.show_progress()
        self.refresh_bindings()

    def _show_banner(self, plan: Plan) -> None:
        banner = self.query_one("#plan-banner", Static)
        if self.snapshot is not None:
            review = self.snapshot.review
            banner.update(
                _("Instantané de la révision n° {number} du {date} — lecture seule").format(
                    number=review.number, date=date_text(review.held_on)
                )
                + ". " + _("X : l'exporter; Échap : revenir au plan.")
                + " " + _("Identifiant de la révision : {id}.").format(id=review.id)
            )
        elif self.closed:
            text = _("Ce plan est fermé : il se lit sans se modifier. S : le rouvrir.")
            if plan.closed_on is not None:
                text = _("Plan fermé le {date}.").format(date=date_text(plan.closed_on)) + " " + text
            banner.update(text)
        banner.display = self.snapshot is not None or self.closed

    def _show_identification(self, document: PlanDocument) -> None:
        lines = identification_lines(document, snapshot=self.snapshot is not None,
                                     link_hint=self.snapshot is None, today=self.banqo.today())
        self.query_one("#plan-identification", Static).update("\n".join(lines))

    def _show_texts(self, plan: Plan) -> None:
        """Participants, forces, besoins and the measures, with what key fills each one when it is empty."""
        from banqo_tui.plan_words import role_label

        editable = not self.read_only

        def shown(text: str, empty: str, hint: str) -> str:
            if text:
                return text
            return f"{empty} {hint}" if editable else empty

        self.query_one("#plan-participants", Static).update(shown(
            "\n".join(f"• {role_label(participant)}" for participant in plan.participants),
            _("Aucun participant indiqué."), _("T : les indiquer."),
        ))
        self.query_one("#plan-strengths", Static).update(shown(
            items_text(plan.strengths), _("Aucune force indiquée."), _("F : les écrire."),
        ))
        self.query_one("#plan-needs", Static).update(shown(
            items_text(plan.needs), _("Aucun besoin indiqué."), _("B : les écrire."),
        ))
        self.query_one("#plan-adaptations", Static).update(shown(
            "\n".join(f"• {line}" for line in plan.adaptations), _("Aucune."), _("M : les écrire."),
        ))
        self.query_one("#plan-modifications", Static).update(shown(
            "\n".join(f"• {line}" for line in plan.modifications), _("Aucune."), _("M : les écrire."),
        ))

    def _show_goals(self, document: PlanDocument, select: str | None) -> None:
        from banqo_tui.api.models import PLAN_ACTIVE_GOALS_ADVISED, PlanGoalStatus, PlanKind
        from banqo_tui.plan_words import sphere_label

        goals = sorted(document.goals, key=lambda item: item.goal.position)
        self.goal_numbers = {item.goal.id: number for number, item in enumerate(goals, 1)}
        rows: list[PlanGoalDocument | None] = []
        options: list[Option] = []
        if document.plan.kind is PlanKind.TRANSITION:
            from banqo_tui.api.models import TevaSphere

            spheres: list[TevaSphere | None] = [*TevaSphere, None]
            for sphere in spheres:
                members = [item for item in goals if item.goal.sphere == sphere]
                if not members:
                    continue
                label = sphere_label(sphere) if sphere is not None else _("Sphère non précisée")
                options.append(Option(Content.styled(f"— {label} —", "bold"), disabled=True))
                rows.append(None)
                for item in members:
                    options.append(self._goal_option(item))
                    rows.append(item)
        else:
            for item in goals:
                options.append(self._goal_option(item))
                rows.append(item)
        if not options:
            empty = _("Aucun objectif pour l'instant.")
            options.append(Option(Content(empty if self.read_only else f"{empty} {_('A : en ajouter un.')}"),
                                  disabled=True))
            rows.append(None)
        self.goal_rows = rows
        listing = self.goal_list
        listing.set_options(options)
        ids = [row.goal.id if row is not None else None for row in rows]
        if select is not None and select in ids:
            listing.highlighted = ids.index(select)
        else:
            listing.highlighted = next((index for index, row in enumerate(rows) if row is not None), None)
        active = sum(1 for item in goals if item.goal.status is PlanGoalStatus.ACTIVE)
        heading = f"6 · {_(SECTIONS[5])}"
        if goals:
            heading += " — " + ngettext(
                "{count} objectif, {active} actif", "{count} objectifs, {active} actifs", len(goals)
            ).format(count=format_number(len(goals)), active=format_number(active))
        self.query_one("#plan-heading-6", Static).update(heading)
        warning = self.query_one("#plan-goals-warning", Static)
        too_many = document.plan.active_goal_count > PLAN_ACTIVE_GOALS_ADVISED
        warning.update(
            _("Plus de cinq objectifs actifs : le guide du ministère recommande peu d'objectifs, travaillés "
              "systématiquement.") if too_many else ""
        )
        warning.display = too_many

    def _goal_option(self, item: PlanGoalDocument) -> Option:
        return Option(Content(goal_prompt(self.goal_numbers[item.goal.id], item.goal)), id=item.goal.id)

    def _show_reviews(self, reviews: Sequence[Review]) -> None:
        listing = self.review_list
        ordered = sorted(reviews, key=lambda review: review.number)
        self.reviews = ordered
        if ordered:
            listing.set_options(Option(Content(review_prompt(review)), id=review.id) for review in ordered)
            listing.highlighted = len(ordered) - 1
        else:
            empty = _("Aucune révision pour l'instant.")
            listing.set_options([Option(Content(empty if self.read_only else f"{empty} {_('V : en faire une.')}"),
                                        disabled=True)])
        hint = self.query_one("#plan-reviews-hint", Static)
        hint.update(_("Entrée : voir l'instantané de la révision choisie (lecture seule).")
                    if ordered and self.snapshot is None else "")
        hint.display = bool(ordered) and self.snapshot is None

    def show_progress(self) -> None:
        """Section 7: the highlighted objective's chart, its sentence and its measures, one a line."""
        from banqo_tui.progress import measure_text
        from banqo_tui.widgets.progress_chart import ProgressChart

        item = self.highlighted_goal
        chart = self.query_one("#plan-chart", ProgressChart)
        heading = f"7 · {_(SECTIONS[6])}"
        about = self.query_one("#plan-progress-goal", Static)
        entries = self.query_one("#plan-progress-entries", Static)
        if item is None:
            chart.show(None, [])
            about.update(_("Choisissez un objectif dans la section 6 : son suivi s'affiche ici."))
            entries.update("")
            self.query_one("#plan-heading-7", Static).update(heading)
            return
        goal = item.goal
        self.query_one("#plan-heading-7", Static).update(
            heading + " — " + _("objectif {number}").format(number=self.goal_numbers.get(goal.id, "?"))
        )
        about.update(goal.text)
        progress = sorted(item.progress, key=lambda entry: (entry.on, entry.created_at))
        chart.show(goal, progress)
        if progress:
            lines = []
            for entry in progress:
                line = f"• {date_text(entry.on)} : {measure_text(goal, entry.value, entry.out_of)}"
                lines.append(f"{line} — {entry.note}" if entry.note else line)
            entries.update("\n".join(lines))
        else:
            empty = _("Aucune mesure de progrès pour l'instant.")
            entries.update(empty if self.read_only else f"{empty} {_('P : en noter une.')}")

    # --- keys ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        plan = self.plan
        if plan is None:
            return action in ("reload", "back", "section")
        if action in EDIT_ACTIONS and self.read_only:
            return False
        if action == "state":
            return self.snapshot is None
        if action in GOAL_ACTIONS:
            return self.highlighted_goal is not None
        if action == "review":
            return bool(self._active_goals())
        if action == "renew":
            return plan.next_plan_id is None
        if action == "open_linked":
            return bool(self._linked_plans())
        if action == "reload":
            return self.snapshot is None
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_option_list_option_highlighted(self, event: ChoiceList.OptionHighlighted) -> None:
        if event.option_list is self.goal_list:
            self.show_progress()
            self.refresh_bindings()

    def on_option_list_option_selected(self, event: ChoiceList.OptionSelected) -> None:
        event.stop()
        if event.option_list is self.goal_list:
            if self.check_action("edit_goal", ()):
                self.action_edit_goal()
            else:
                self.action_section(7)
        elif event.option_list is self.review_list and self.snapshot is None:
            review = next((review for review in self.reviews if review.id == event.option.id), None)
            if review is not None:
                self.open_snapshot(review)

    def action_section(self, number: int) -> None:
        """Bring section ``number`` to the top and put the focus in it."""
        section = self.query_one(f"#plan-section-{number}", PlanSection)
        self.body.scroll_to_widget(section, animate=False, top=True, immediate=True)
        target = {6: self.goal_list, 8: self.review_list}.get(number, section)
        target.focus(scroll_visible=False)

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def _active_goals(self) -> list[PlanGoal]:
        from banqo_tui.api.models import PlanGoalStatus

        if self.document is None:
            return []
        return [item.goal for item in sorted(self.document.goals, key=lambda item: item.goal.position)
                if item.goal.status is PlanGoalStatus.ACTIVE]

    # --- objectives ---------------------------------------------------------------------------

    def action_add_goal(self) -> None:
        self._add_goal()

    @work(group="plan-add-goal", exclusive=True, exit_on_error=False)
    async def _add_goal(self) -> None:
        from banqo_tui.screens.plan_goal_form import PlanGoalForm

        plan, document = self.plan, self.document
        if plan is None or document is None:
            return
        client = await self.banqo.api()
        learner_goals = await client.learners.goals(plan.learner_id)
        taken = [item.goal.goal_id for item in document.goals if item.goal.goal_id]
        self.app.push_screen(PlanGoalForm(plan, learner_goals=learner_goals, taken_goal_ids=taken),
                             self._goal_saved)

    def _goal_saved(self, goal: PlanGoal | None) -> None:
        # The plan is read again as the screen resumes (``on_screen_resume``), with this objective highlighted.
        if goal is not None:
            self._select_after_load = goal.id
            self.notify(_("Objectif enregistré."), timeout=3)

    def action_edit_goal(self) -> None:
        from banqo_tui.screens.plan_goal_form import PlanGoalForm

        item, plan = self.highlighted_goal, self.plan
        if item is None or plan is None:
            return
        self.app.push_screen(PlanGoalForm(plan, item.goal), self._goal_saved)

    def action_progress(self) -> None:
        from banqo_tui.screens.plan_progress_form import ProgressEntryForm

        item, plan = self.highlighted_goal, self.plan
        if item is None or plan is None:
            return

        # Saved, the measure shows as the screen resumes: the plan is read again, chart and sentence with it.
        self.app.push_screen(ProgressEntryForm(plan, item.goal))

    def action_history(self) -> None:
        from banqo_tui.screens.objective_history import ObjectiveHistoryScreen

        item = self.highlighted_goal
        if item is not None:
            self.app.push_screen(ObjectiveHistoryScreen(self.plan_id, item.goal.id))

    def action_remove_goal(self) -> None:
        from banqo_tui.screens.dialogs import ConfirmDialog

        item, plan = self.highlighted_goal, self.plan
        if item is None or plan is None:
            return
        goal = item.goal

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove_goal(goal)
            self.goal_list.focus()

        self.app.push_screen(
            ConfirmDialog(
                _("Retirer cet objectif du plan?"),
                _("« {text} » sera retiré du plan avec ses {progress}. Il reste dans « Ma collection » et dans le "
                  "dossier de {name}.").format(
                    text=goal.text, progress=progress_count_text(goal.progress_count), name=plan.learner_first_name
                ),
                _("Retirer l'objectif"),
            ),
            answered,
        )

    @work(group="plan-remove-goal", exclusive=True, exit_on_error=False)
    async def _remove_goal(self, goal: PlanGoal) -> None:
        client = await self.banqo.api()
        try:
            await client.plans.remove_goal(self.plan_id, goal.id, goal.version)
        except errors.Conflict as exc:
            if exc.current_version is None:
                raise
            self._changed_elsewhere()
            return
        except errors.NotFound:
            pass  # already out of the plan
        self.notify(_("Objectif retiré du plan."), timeout=3)
        self.load()

    def _changed_elsewhere(self) -> None:
        self.notify(
            _("Ce plan a été modifié ailleurs : rien n'est changé. Il est rechargé; vérifiez, puis recommencez."),
            severity="warning",
            markup=False,
        )
        self.load()

    # --- reviews, export, renewal, state --------------------------------------------------------

    def action_review(self) -> None:
        from banqo_tui.screens.plan_review_form import ReviewForm

        plan = self.plan
        if plan is None:
            return

        self.app.push_screen(ReviewForm(plan, self._active_goals()))  # read again as the screen resumes

    def open_snapshot(self, review: Review) -> None:
        self._open_snapshot(review.id)

    @work(group="plan-snapshot", exclusive=True, exit_on_error=False)
    async def _open_snapshot(self, review_id: str) -> None:
        client = await self.banqo.api()
        snapshot = await client.plans.snapshot(self.plan_id, review_id)
        self.app.push_screen(PlanScreen(self.plan_id, snapshot=snapshot))

    def action_export(self) -> None:
        from banqo_tui.screens.plan_export_dialog import PlanExportDialog

        plan = self.plan
        if plan is None:
            return
        review = self.snapshot.review if self.snapshot is not None else None
        self.app.push_screen(PlanExportDialog(plan, review))

    def action_renew(self) -> None:
        from banqo_tui.screens.dialogs import ConfirmDialog

        plan = self.plan
        if plan is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._renew(plan)

        self.app.push_screen(
            ConfirmDialog(
                _("Reconduire le plan de {name}?").format(name=plan.learner_first_name),
                _("Un nouveau plan s'ouvre pour l'année qui vient, avec les objectifs encore en cours : chacun garde "
                  "son identité et tout son historique (progrès, révisions). Ce plan-ci sera fermé et restera "
                  "lisible."),
                _("Reconduire le plan"),
            ),
            answered,
        )

    @work(group="plan-renew", exclusive=True, exit_on_error=False)
    async def _renew(self, plan: Plan) -> None:
        client = await self.banqo.api()
        try:
            # A key of its own: the client may then send it again when the connection drops.
            renewed = await client.plans.renew(plan.id, plan.version, idempotency_key=new_idempotency_key())
        except errors.Conflict as exc:
            if exc.current_version is None:
                raise
            self._changed_elsewhere()
            return
        self.notify(_("Plan reconduit : voici le plan de l'année qui vient."), timeout=4)
        show_plan_instead(self.app, renewed.id)

    def action_state(self) -> None:
        from banqo_tui.plan_words import state_label

        plan = self.plan
        if plan is None:
            return

        def chosen(state: str | None) -> None:
            if state is not None:
                self._change_state(plan, state)

        self.app.push_screen(
            ChoicePicker(
                _("État du plan — maintenant : {state}").format(state=state_label(plan.state)),
                [(str(state), state_label(state)) for state in allowed_states(plan.state)],
            ),
            chosen,
        )

    @work(group="plan-state", exclusive=True, exit_on_error=False)
    async def _change_state(self, plan: Plan, state: str) -> None:
        from banqo_tui.api.models import PlanPatch, PlanState
        from banqo_tui.plan_words import state_label

        client = await self.banqo.api()
        try:
            changed = await client.plans.update(plan.id, plan.version, PlanPatch(state=PlanState(state)))
        except errors.Conflict as exc:
            if exc.current_version is None:
                raise
            self._changed_elsewhere()
            return
        self.notify(_("État du plan : {state}.").format(state=state_label(changed.state)), timeout=3)
        self.load()

    # --- linked plans -------------------------------------------------------------------------

    def _linked_plans(self) -> list[tuple[str, str]]:
        """(plan id, what it is to this plan) of the plans this one links to."""
        plan = self.plan
        if plan is None or self.snapshot is not None:
            return []
        links = [
            (plan.parent_plan_id, _("Le plan d'intervention dont ce plan est l'annexe")),
            (plan.annex_plan_id, _("Son annexe : le plan de transition")),
            (plan.previous_plan_id, _("Le plan de l'année précédente")),
            (plan.next_plan_id, _("Le plan de l'année suivante")),
        ]
        return [(plan_id, label) for plan_id, label in links if plan_id is not None]

    def action_open_linked(self) -> None:
        links = self._linked_plans()
        if len(links) == 1:
            show_plan_instead(self.app, links[0][0])
        elif links:
            def chosen(plan_id: str | None) -> None:
                if plan_id is not None:
                    show_plan_instead(self.app, plan_id)

            self.app.push_screen(ChoicePicker(_("Ouvrir quel plan?"), links), chosen)

    # --- the plan's own fields ------------------------------------------------------------------

    def _edit(self, editor: PlanFieldsEditor) -> None:
        def saved(plan: Plan | None) -> None:
            if plan is not None:  # shown as the screen resumes and reads the plan again
                self.notify(_("Plan mis à jour."), timeout=3)

        self.app.push_screen(editor, saved)

    def action_edit_identification(self) -> None:
        if self.plan is not None:
            self._edit(DatesEditor(self.plan))

    def action_edit_participants(self) -> None:
        if self.plan is not None:
            self._edit(ParticipantsEditor(self.plan))

    def action_edit_strengths(self) -> None:
        if self.plan is not None:
            self._edit(ItemsEditor(self.plan, "strengths"))

    def action_edit_needs(self) -> None:
        if self.plan is not None:
            self._edit(ItemsEditor(self.plan, "needs"))

    def action_edit_measures(self) -> None:
        if self.plan is not None:
            self._edit(MeasuresEditor(self.plan))


def show_plan_instead(app: App[Any], plan_id: str) -> None:
    """Replace the plan on screen by the plan ``plan_id`` (one plan screen at a time: they share their id)."""

    async def replace() -> None:
        await app.pop_screen()
        await app.push_screen(PlanScreen(plan_id))

    app.run_worker(replace(), group="plan-replace", exclusive=True, exit_on_error=False)


# --- editors of the plan's own fields -------------------------------------------------------------

ITEM_LINE = re.compile(r"^\s*(\d+)\s*[.):-]\s*(.*)$")
BULLET = re.compile(r"^\s*[-•*]\s+")


def parse_items(text: str) -> tuple[list[PrioritisedItem], list[str]]:
    """Forces or besoins from lines « 2. texte »; a line without a number takes its place in the list."""
    from banqo_tui.api.models import PLAN_ITEM_MAX_LENGTH, PLAN_LIST_MAX_ITEMS, PrioritisedItem

    items: list[PrioritisedItem] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        matched = ITEM_LINE.match(raw)
        priority, body = (int(matched[1]), matched[2]) if matched else (len(items) + 1, BULLET.sub("", raw))
        body = " ".join(body.split())
        if not body:
            problems.append(_("Ligne {line} : écrivez le texte après la priorité.").format(line=number))
        elif not 1 <= priority <= 99:
            problems.append(_("Ligne {line} : la priorité va de 1 à 99.").format(line=number))
        elif len(body) > PLAN_ITEM_MAX_LENGTH:
            problems.append(_("Ligne {line} : au plus {count} caractères.").format(
                line=number, count=format_number(PLAN_ITEM_MAX_LENGTH)))
        else:
            items.append(PrioritisedItem(text=body, priority=priority))
    if len(items) > PLAN_LIST_MAX_ITEMS:
        problems.append(_("Au plus {count} lignes.").format(count=format_number(PLAN_LIST_MAX_ITEMS)))
    return items, problems


def parse_lines(text: str) -> tuple[list[str], list[str]]:
    """Measures, one a line (a leading « - » or « • » is dropped)."""
    from banqo_tui.api.models import PLAN_ITEM_MAX_LENGTH, PLAN_LIST_MAX_ITEMS

    lines: list[str] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = " ".join(BULLET.sub("", raw).split())
        if not line:
            continue
        if len(line) > PLAN_ITEM_MAX_LENGTH:
            problems.append(_("Ligne {line} : au plus {count} caractères.").format(
                line=number, count=format_number(PLAN_ITEM_MAX_LENGTH)))
        lines.append(line)
    if len(lines) > PLAN_LIST_MAX_ITEMS:
        problems.append(_("Au plus {count} lignes.").format(count=format_number(PLAN_LIST_MAX_ITEMS)))
    return lines, problems


class PlanFieldsEditor(Dialog):
    """A dialog over some of the plan's own fields, saved with If-Match; answers the saved ``Plan``, or None.

    A change saved elsewhere meanwhile (412) opens the conflict dialog with both versions: « Recharger » shows
    theirs here, « Écraser » sends mine again over the version now current, « Continuer » keeps editing (the
    next save knowingly replaces the version now seen). Subclasses say which fields, how they are shown and read.
    """

    keeps_unsaved_text = True

    DEFAULT_CSS = """
    PlanFieldsEditor Field .field--error {
        min-height: 0;
    }
    PlanFieldsEditor TextArea {
        height: 8;
        background: $panel;
    }
    PlanFieldsEditor .plan-editor--label {
        text-style: bold;
    }
    PlanFieldsEditor .plan-editor--hint {
        color: $text-muted;
    }
    PlanFieldsEditor #plan-editor-error {
        color: $text-error;
        text-style: bold;
        height: auto;
    }
    PlanFieldsEditor CheckList {
        max-height: 9;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Enregistrer"), id="plan_editor.save"),
        Binding("escape", "cancel", N_("Annuler"), id="plan_editor.cancel"),
    ]

    def __init__(self, plan: Plan, *, id: str) -> None:
        super().__init__(id=id)
        #: The version being changed: the plan as read, or as seen in the conflict dialog.
        self.plan = plan

    # What subclasses provide.

    def dialog_title(self) -> str:
        raise NotImplementedError

    def compose_fields(self) -> ComposeResult:
        raise NotImplementedError

    def show_values(self, plan: Plan) -> None:
        """Put ``plan``'s values in the fields."""
        raise NotImplementedError

    def read(self, problems: dict[str, list[str]]) -> dict[str, Any]:
        """The fields' values, as ``PlanPatch`` takes them; what cannot be read goes in ``problems``."""
        raise NotImplementedError

    def values_of(self, plan: Plan) -> dict[str, Any]:
        """``plan``'s values of the same fields as ``read``."""
        raise NotImplementedError

    def conflict_fields(self, theirs: Plan, mine: dict[str, Any]) -> list[ConflictField]:
        raise NotImplementedError

    # The shared part.

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.dialog_title(), classes="dialog--title", markup=False)
            yield from self.compose_fields()
            yield Static("", id="plan-editor-error", markup=False)
            with Horizontal(classes="dialog--actions"):
                yield ActionButton(_("Enregistrer (Ctrl+S)"), id="plan-editor-save")
                yield ActionButton(_("Annuler (Échap)"), id="plan-editor-cancel")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.show_values(self.plan)
        self.query("Input, TextArea, SelectionList").first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        if event.button.id == "plan-editor-save":
            self.run_worker(self.action_save())
        elif event.button.id == "plan-editor-cancel":
            self.action_cancel()

    def changes(self, against: Plan, mine: dict[str, Any]) -> dict[str, Any]:
        theirs = self.values_of(against)
        return {name: value for name, value in mine.items() if theirs[name] != value}

    def action_cancel(self) -> None:
        if not self.changes(self.plan, self.read({})):
            self.dismiss(None)
            return
        from banqo_tui.screens.dialogs import ConfirmDialog

        def answered(give_up: bool | None) -> None:
            if give_up:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog(
                _("Abandonner vos modifications?"),
                _("Ce que vous avez changé dans le plan ne sera pas enregistré."),
                _("Abandonner"),
                _("Continuer à modifier"),
            ),
            answered,
        )

    async def action_save(self) -> None:
        from banqo_tui.widgets.entry_line import settled

        for widget in [*self.query(Input), *self.query(TextArea)]:
            await settled(widget)  # what was typed before Ctrl+S is in the form
        for field in self.query(Field):
            field.clear_error()
        self.query_one("#plan-editor-error", Static).update("")
        problems: dict[str, list[str]] = {}
        mine = self.read(problems)
        if problems:
            self.show_field_errors(problems)
            return
        changes = self.changes(self.plan, mine)
        if not changes:
            self.dismiss(None)
            return
        self._save(self.plan.version, changes, mine)

    @work(group="plan-editor", exclusive=True, exit_on_error=False)
    async def _save(self, version: int, changes: dict[str, Any], mine: dict[str, Any]) -> None:
        from banqo_tui.api.models import PlanPatch

        client = await self.banqo.api()
        try:
            plan = await client.plans.update(self.plan.id, version, PlanPatch(**changes))
        except errors.Conflict as exc:
            if exc.current_version is None:
                raise
            self._conflict(await client.plans.get(self.plan.id), mine)
            return
        self.dismiss(plan)

    def _conflict(self, current: Plan, mine: dict[str, Any]) -> None:
        from banqo_tui.screens.conflict import ConflictScreen

        def chosen(choice: str | None) -> None:
            # Whatever the choice, the version now seen is the one changed: a later save is made knowingly.
            self.plan = current
            if choice == "reload":
                self.show_values(current)
                self.notify(_("La version enregistrée ailleurs est chargée dans le formulaire."))
            elif choice == "overwrite":
                changes = self.changes(current, mine)
                if changes:
                    self._save(current.version, changes, mine)
                else:
                    self.dismiss(current)

        self.app.push_screen(ConflictScreen(self.conflict_fields(current, mine), what=_("Ce plan")), chosen)

    def show_field_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """Under their fields; the others (a list's lines) under the form."""
        unplaced = super().show_field_errors(errors)
        if unplaced:
            self.query_one("#plan-editor-error", Static).update(
                "\n".join(message for messages in unplaced.values() for message in messages)
            )
        return {}


class DatesEditor(PlanFieldsEditor):
    """« I »: the plan's dates (opening, planned review, and closing for a closed plan)."""

    FIELDS = (
        ("opened_on", N_("Ouvert le")),
        ("review_due_on", N_("Révision prévue")),
        ("closed_on", N_("Fermé le")),
    )

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan, id="plan-dates-editor")

    def dialog_title(self) -> str:
        return _("Identification — les dates du plan de {name}").format(name=self.plan.learner_first_name)

    def _names(self) -> list[str]:
        from banqo_tui.api.models import PlanState

        names = ["opened_on", "review_due_on"]
        return [*names, "closed_on"] if self.plan.state is PlanState.CLOSED else names

    def compose_fields(self) -> ComposeResult:
        yield Static(_("Dates en AAAA-MM-JJ ou JJ/MM/AAAA; vide : aucune date."),
                     classes="plan-editor--hint")
        names = self._names()
        for name, label in self.FIELDS:
            if name in names:
                yield Field(_(label), name, required=name == "opened_on", placeholder=_("AAAA-MM-JJ"),
                            max_length=40, id=f"plan-dates-{name}")

    def show_values(self, plan: Plan) -> None:
        for field in self.query(Field):
            value = getattr(plan, field.name or "")
            field.value = value.isoformat() if value is not None else ""

    def read(self, problems: dict[str, list[str]]) -> dict[str, Any]:
        from banqo_tui.progress import read_date

        values: dict[str, Any] = {}
        for field in self.query(Field):
            name = field.name or ""
            values[name], problem = read_date(field.value)
            if problem:
                problems[name] = [problem]
            elif name == "opened_on" and values[name] is None:
                problems[name] = [_("Ce champ est obligatoire.")]
        return values

    def values_of(self, plan: Plan) -> dict[str, Any]:
        return {name: getattr(plan, name) for name in self._names()}

    def conflict_fields(self, theirs: Plan, mine: dict[str, Any]) -> list[ConflictField]:
        from banqo_tui.screens.conflict import ConflictField

        def shown(value: date | None) -> str:
            return value.isoformat() if value is not None else ""

        return [ConflictField(_(label), shown(getattr(theirs, name)), shown(mine.get(name)))
                for name, label in self.FIELDS if name in mine]


class ParticipantsEditor(PlanFieldsEditor):
    """« T »: who takes part, by role (a checklist), and other roles typed in (« Ergothérapeute »)."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan, id="plan-participants-editor")

    def dialog_title(self) -> str:
        return _("Participants — par rôle, jamais par nom")

    def compose_fields(self) -> ComposeResult:
        yield Label(_("Rôles (Espace : cocher ou décocher)"), classes="plan-editor--label")
        from banqo_tui.screens.plans import CheckList

        yield CheckList(id="plan-participants-roles")
        yield Field(_("Autres rôles"), "other_roles", required=False, placeholder=_("Ergothérapeute, Orthophoniste"),
                    max_length=400, id="plan-participants-other")
        yield Static(_("Séparés par des virgules."), classes="plan-editor--hint")

    def show_values(self, plan: Plan) -> None:
        from banqo_tui.api.models import ParticipantRole
        from banqo_tui.plan_words import ROLES

        present = {participant.role for participant in plan.participants}
        roles = self.query_one("#plan-participants-roles", SelectionList)
        roles.clear_options()
        roles.add_options(
            (_(label), str(role), role in present) for role, label in ROLES.items() if role is not ParticipantRole.OTHER
        )
        roles.highlighted = 0
        self.query_one("#plan-participants-other", Field).value = ", ".join(
            participant.other_role or "" for participant in plan.participants
            if participant.role is ParticipantRole.OTHER
        )

    def read(self, problems: dict[str, list[str]]) -> dict[str, Any]:
        from banqo_tui.api.models import Participant, ParticipantRole

        checked = set(self.query_one("#plan-participants-roles", SelectionList).selected)
        participants = [Participant(role=role) for role in ParticipantRole
                        if role is not ParticipantRole.OTHER and str(role) in checked]
        others = [" ".join(part.split()) for part in re.split(r"[,;]", self.query_one(
            "#plan-participants-other", Field).value)]
        for other in others:
            if len(other) > 80:
                problems["other_roles"] = [_("Un rôle tient en 80 caractères au plus.")]
            elif other:
                participants.append(Participant(role=ParticipantRole.OTHER, other_role=other))
        return {"participants": participants}

    def values_of(self, plan: Plan) -> dict[str, Any]:
        return {"participants": list(plan.participants)}

    def conflict_fields(self, theirs: Plan, mine: dict[str, Any]) -> list[ConflictField]:
        from banqo_tui.plan_words import roles_text
        from banqo_tui.screens.conflict import ConflictField

        return [ConflictField(_("Participants"), roles_text(theirs.participants), roles_text(mine["participants"]))]


class ItemsEditor(PlanFieldsEditor):
    """« F » and « B »: forces or besoins, one a line with its priority (« 1. Lit avec plaisir »)."""

    LABELS = {"strengths": N_("Forces"), "needs": N_("Besoins")}

    def __init__(self, plan: Plan, part: str) -> None:
        super().__init__(plan, id=f"plan-{part}-editor")
        #: ``strengths`` or ``needs``.
        self.part = part

    def dialog_title(self) -> str:
        return _("{part} de {name}").format(part=_(self.LABELS[self.part]), name=self.plan.learner_first_name)

    def compose_fields(self) -> ComposeResult:
        yield Static(
            _("Une par ligne, précédée de sa priorité : « 1. texte » (1 est la première). Tab : quitter la zone."),
            classes="plan-editor--hint",
        )
        yield TextArea(soft_wrap=True, compact=True, id="plan-items-text")

    @property
    def area(self) -> TextArea:
        return self.query_one("#plan-items-text", TextArea)

    def show_values(self, plan: Plan) -> None:
        self.area.text = items_text(getattr(plan, self.part))

    def read(self, problems: dict[str, list[str]]) -> dict[str, Any]:
        items, found = parse_items(self.area.text)
        if found:
            problems[self.part] = found
        return {self.part: items}

    def values_of(self, plan: Plan) -> dict[str, Any]:
        return {self.part: sorted(getattr(plan, self.part), key=lambda item: item.priority)}

    def changes(self, against: Plan, mine: dict[str, Any]) -> dict[str, Any]:
        # Compared in priority order: only a real change is sent.
        return super().changes(against, {self.part: sorted(mine[self.part], key=lambda item: item.priority)})

    def conflict_fields(self, theirs: Plan, mine: dict[str, Any]) -> list[ConflictField]:
        from banqo_tui.screens.conflict import ConflictField

        return [ConflictField(_(self.LABELS[self.part]), items_text(getattr(theirs, self.part)),
                              items_text(mine[self.part]))]


class MeasuresEditor(PlanFieldsEditor):
    """« M »: adaptation and modification measures, kept apart, one a line."""

    DEFAULT_CSS = """
    MeasuresEditor TextArea {
        height: 5;
    }
    """

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan, id="plan-measures-editor")

    def dialog_title(self) -> str:
        return _("Mesures de {name} — une par ligne").format(name=self.plan.learner_first_name)

    def compose_fields(self) -> ComposeResult:
        yield Label(_("Mesures d'adaptation (les attentes restent les mêmes)"), classes="plan-editor--label")
        yield TextArea(soft_wrap=True, compact=True, id="plan-adaptations-text")
        yield Label(_("Mesures de modification"), classes="plan-editor--label")
        yield Static(_("Une modification change les attentes envers l'élève : ce qui lui est demandé, et donc ce qui "
                       "est évalué, diffère des exigences du programme."), classes="plan-editor--hint")
        yield TextArea(soft_wrap=True, compact=True, id="plan-modifications-text")

    def show_values(self, plan: Plan) -> None:
        self.query_one("#plan-adaptations-text", TextArea).text = lines_text(plan.adaptations)
        self.query_one("#plan-modifications-text", TextArea).text = lines_text(plan.modifications)

    def read(self, problems: dict[str, list[str]]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in ("adaptations", "modifications"):
            values[name], found = parse_lines(self.query_one(f"#plan-{name}-text", TextArea).text)
            if found:
                problems[name] = found
        return values

    def values_of(self, plan: Plan) -> dict[str, Any]:
        return {"adaptations": list(plan.adaptations), "modifications": list(plan.modifications)}

    def conflict_fields(self, theirs: Plan, mine: dict[str, Any]) -> list[ConflictField]:
        from banqo_tui.screens.conflict import ConflictField

        return [
            ConflictField(_("Mesures d'adaptation"), lines_text(theirs.adaptations), lines_text(mine["adaptations"])),
            ConflictField(_("Mesures de modification"), lines_text(theirs.modifications),
                          lines_text(mine["modifications"])),
        ]

