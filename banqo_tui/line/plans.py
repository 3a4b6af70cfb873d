"""``banqo plans …``: the plans one a line, a whole plan as linear text in the screen's eight sections, the export
for the meeting; a new plan from the learner's folder, and a measure of an objective's progress."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from banqo_tui.i18n import _, format_number, ngettext
from banqo_tui.line.session import (
    EXIT_INVALID,
    EXIT_NOT_FOUND,
    EXIT_OK,
    LineModeError,
    LineSession,
    field_names,
    is_full_id,
    resolve,
    short_id,
    write_error,
)

if TYPE_CHECKING:
    from banqo_tui.api.client import BanqoClient
    from banqo_tui.api.errors import ApiError
    from banqo_tui.api.models import (
        LearnerGoal,
        Plan,
        PlanDocument,
        PlanGoal,
        PlanGoalDocument,
        PrioritisedItem,
        ProgressUnit,
        Review,
    )

#: « 3 sur 4 », « 3/4 », "3 out of 4": the n and the m of a ratio typed in one argument (the form has two fields).
_RATIO = re.compile(r"(?P<n>.+?)\s*(?:/|\bsur\b|\bout\s+of\b)\s*(?P<m>.+)", re.IGNORECASE)


def _unknown_plan(plan_id: str) -> LineModeError:
    return LineModeError(_("Aucun plan « {plan} » dans ce compte.").format(plan=plan_id), EXIT_NOT_FOUND)


async def find_plan_id(client: BanqoClient, wanted: str) -> str:
    """The id of the plan whose id is or begins with ``wanted`` (exit code 5 when none does, or several)."""
    from banqo_tui.screens.plans import plan_line

    if is_full_id(wanted):
        return wanted.lower()
    plans = await client.plans.list()
    unknown = _("Aucun plan « {plan} » dans ce compte.").format(plan=wanted)
    return resolve(wanted, plans, lambda plan: plan.id, plan_line, unknown).id


async def find_review_id(client: BanqoClient, plan_id: str, wanted: str) -> str:
    if is_full_id(wanted):
        return wanted.lower()
    unknown = _("Aucune révision « {review} » pour le plan « {plan} » dans ce compte.").format(
        review=wanted, plan=plan_id
    )
    return resolve(
        wanted, await client.plans.reviews(plan_id), lambda review: review.id, lambda review: str(review.number),
        unknown,
    ).id


async def run(session: LineSession, args: argparse.Namespace) -> int:
    from banqo_tui.api.errors import NotFound

    client = await session.signed_in()
    if args.action == "list":
        return await _list(session, client, args)
    if args.action == "new":
        return await _new(session, client, args)
    review = getattr(args, "review", None)
    try:
        plan_id = await find_plan_id(client, args.plan_id)
        if args.action == "progress":
            return await _progress(session, client, plan_id, args)
        review_id = await find_review_id(client, plan_id, review) if review else None
        if args.action == "show":
            return await _show(session, client, plan_id, review_id, args.json)
        return await _export(session, client, plan_id, review_id, args)
    except NotFound:
        if review:
            message = _("Aucune révision « {review} » pour le plan « {plan} » dans ce compte.")
        else:
            message = _("Aucun plan « {plan} » dans ce compte.")
        raise LineModeError(message.format(plan=args.plan_id, review=review), EXIT_NOT_FOUND) from None


async def _list(session: LineSession, client: BanqoClient, args: argparse.Namespace) -> int:
    from banqo_tui.line.learners import find_learner
    from banqo_tui.screens.plans import newest_first, plan_line

    learner_id = (await find_learner(client, args.learner)).id if args.learner else None
    plans = newest_first(await client.plans.list(learner_id=learner_id, state=args.state))
    if args.json:
        session.print_models(plans)
    else:
        today = await client.today() if plans else None
        session.say(*(f"{short_id(plan.id)}  {plan_line(plan, today)}" for plan in plans))
    return EXIT_OK


async def _export(
    session: LineSession, client: BanqoClient, plan_id: str, review_id: str | None, args: argparse.Namespace
) -> int:
    """The file as the server lays it out, written whole or not at all."""
    target = Path(args.output)
    try:
        await client.plans.export(plan_id, target, args.format, review_id=review_id)
    except OSError as exc:
        raise write_error(target, exc) from None
    session.say(_("Plan exporté dans {path}.").format(path=target))
    return EXIT_OK


async def _show(session: LineSession, client: BanqoClient, plan_id: str, review_id: str | None, as_json: bool) -> int:
    if review_id is not None:
        snapshot = await client.plans.snapshot(plan_id, review_id)
        if as_json:
            session.print_json(snapshot.model_dump(mode="json"))
        else:
            session.say(*plan_text(snapshot.document, snapshot.review))
        return EXIT_OK
    document = await client.plans.document(plan_id)
    if as_json:
        session.print_json(document.model_dump(mode="json"))
    else:
        session.say(*plan_text(document))
    return EXIT_OK


# --- a new plan, a measure ------------------------------------------------------------------------


def _refused(problems: dict[str, list[str]], *more: str) -> LineModeError:
    """« Valeur : … », one a line, exit code 2; a problem of no field typed here (a closed plan's state) is said
    alone."""
    names = field_names()
    lines = [
        _("{field} : {message}").format(field=names[field], message=message) if field in names else message
        for field, messages in problems.items()
        for message in messages
    ]
    return LineModeError("\n".join([*lines, *more]), EXIT_INVALID)


def _refused_by_server(exc: ApiError, *more: str) -> LineModeError | None:
    """The server's field messages as ``_refused`` says them; None when the refusal names no field (the
    command's own handling says it)."""
    return _refused(exc.errors, *more) if exc.errors and exc.status in {400, 409, 422} else None


async def _new(session: LineSession, client: BanqoClient, args: argparse.Namespace) -> int:
    """As « Nouveau plan » fills it in: the folder's goals (a transition annex's, those of a TEVA sphere) or the
    ``--goal`` ones; an annex attached to the learner's newest intervention plan that is not closed."""
    from banqo_tui.api.errors import ApiError
    from banqo_tui.api.models import PlanCreate, PlanKind, PlanState
    from banqo_tui.line.learners import find_learner
    from banqo_tui.plan_words import in_a_teva_sphere
    from banqo_tui.screens.plans import newest_first, plan_line

    learner = await find_learner(client, " ".join(args.learner))
    kind = PlanKind(args.kind)
    folder = await client.learners.goals(learner.id)
    if args.goal:
        unknown = _("Aucun objectif « {goal} » dans le dossier de {name}.")
        chosen = [
            resolve(wanted, folder, lambda filed: filed.goal.id, lambda filed: filed.text,
                    unknown.format(goal=wanted, name=learner.first_name))
            for wanted in args.goal
        ]
    else:
        chosen = [filed for filed in folder if kind is PlanKind.INTERVENTION or in_a_teva_sphere(filed.goal.domain)]
    parent_id: str | None = None
    if kind is PlanKind.TRANSITION:
        plans = await client.plans.list(learner_id=learner.id)
        parents = [plan for plan in plans if plan.kind is PlanKind.INTERVENTION and plan.state is not PlanState.CLOSED]
        parent_id = newest_first(parents)[0].id if parents else None
    body = PlanCreate(learner_id=learner.id, kind=kind, parent_plan_id=parent_id, goal_ids=_goal_ids(chosen))
    from banqo_tui.api.client import new_idempotency_key

    try:  # a key per command: the client may send it again when the connection drops, never starting two
        plan = await client.plans.create(body, new_idempotency_key())
    except ApiError as exc:
        hint = _("{name} n'a pas de plan d'intervention ouvert : commencez par celui-là ({command}).").format(
            name=learner.first_name, command=session.command(f"plans new {learner.first_name.replace(' ', '')}")
        )
        refused = _refused_by_server(exc, *([hint] if kind is PlanKind.TRANSITION and parent_id is None else []))
        raise refused or exc from None
    if args.json:
        session.print_json(plan.model_dump(mode="json"))
        return EXIT_OK
    session.say(
        f"{short_id(plan.id)}  {plan_line(plan, await client.today())}",
        ngettext(
            "{count} objectif repris de son dossier.", "{count} objectifs repris de son dossier.", plan.goal_count
        ).format(count=format_number(plan.goal_count)),
        _("Pour le lire : {command}.").format(command=session.command(f"plans show {short_id(plan.id)}")),
        _("Pour le remplir (participants, forces, besoins, moyens et cibles) : banqo, puis « Plans » (F7)."),
    )
    return EXIT_OK


def _goal_ids(chosen: list[LearnerGoal]) -> list[str]:
    """Each goal once, in the order given."""
    return list(dict.fromkeys(filed.goal.id for filed in chosen))


#: Digits shorter than this are an objective's number, never an id's beginning.
SHORTEST_ID_BEGINNING = 4


def _find_objective(goals: list[PlanGoal], wanted: str) -> tuple[int, PlanGoal]:
    """The objective numbered ``wanted`` as ``plans show`` numbers them (by position), else the one whose id begins
    with it; with its number. Exit code 5 when none does."""
    numbered = list(enumerate(sorted(goals, key=lambda goal: goal.position), 1))
    typed = wanted.strip()
    if typed.isdigit() and 1 <= int(typed) <= len(numbered):
        return numbered[int(typed) - 1]
    unknown = _("Aucun objectif « {goal} » dans ce plan.").format(goal=wanted)
    if typed.isdigit() and len(typed) < SHORTEST_ID_BEGINNING:
        # « 7 » in a plan of 2 objectives is a number out of range, not the beginning of an id that happens to
        # start with a 7 (one id in sixteen does).
        raise LineModeError(unknown, EXIT_NOT_FOUND)
    return resolve(typed, numbered, lambda item: item[1].id, lambda item: f"{item[0]}. {item[1].text}", unknown)


def _measure_parts(unit: ProgressUnit, typed: str) -> tuple[str, str]:
    """The texts of the form's measure fields from one typed value: « 3 sur 4 » → (« 3 », « 4 ») for a ratio;
    the value alone otherwise (the m left empty: the objective's)."""
    from banqo_tui.api.models import ProgressUnit

    found = _RATIO.fullmatch(typed.strip()) if unit is ProgressUnit.RATIO else None
    return (found["n"], found["m"]) if found else (typed, "")


async def _progress(session: LineSession, client: BanqoClient, plan_id: str, args: argparse.Namespace) -> int:
    """The measure read as « Nouvelle mesure » reads it, recorded, then the objective's progress sentence."""
    from banqo_tui.api.errors import ApiError
    from banqo_tui.api.models import ProgressEntryCreate
    from banqo_tui.progress import measure_text, progress_sentence, read_measure
    from banqo_tui.screens.plan import date_text
    from banqo_tui.screens.plan_goal_form import tidy

    number, goal = _find_objective(await client.plans.goals(plan_id), args.objective)
    value, out_of = _measure_parts(goal.unit, " ".join(args.value))
    values, problems = read_measure(goal.unit, args.date or "", value, out_of)
    if problems:
        raise _refused(problems)
    from banqo_tui.api.client import new_idempotency_key

    try:  # a key per command: the client may send it again when the connection drops, never recording two
        entry = await client.plans.add_progress(
            plan_id,
            ProgressEntryCreate(plan_goal_id=goal.id, note=tidy(args.note or ""), **values),
            new_idempotency_key(),
        )
    except ApiError as exc:
        raise _refused_by_server(exc) or exc from None
    if args.json:
        session.print_json(entry.model_dump(mode="json"))
        return EXIT_OK
    entries = await client.plans.progress(plan_id, goal.id)
    session.say(
        _("Mesure enregistrée : {measure}, le {date}.").format(
            measure=measure_text(goal, entry.value, entry.out_of), date=date_text(entry.on)
        ),
        f"{number}. {goal.text}",
        "   " + progress_sentence(goal, entries),
    )
    return EXIT_OK


# --- the plan as text ----------------------------------------------------------------------------


def plan_text(document: PlanDocument, snapshot: Review | None = None) -> list[str]:
    """The plan as the screen shows it, section after section, each under its numbered heading; a review's
    snapshot says so first."""
    from banqo_tui.plan_words import kind_label
    from banqo_tui.screens.plan import SECTIONS, date_text

    plan = document.plan
    lines = [_("{kind} de {name}").format(kind=kind_label(plan.kind), name=plan.learner_first_name)]
    if snapshot is not None:
        lines.append(
            _("Instantané de la révision n° {number} du {date} — lecture seule").format(
                number=snapshot.number, date=date_text(snapshot.held_on)
            )
        )
    sections = (
        _identification(document, snapshot is not None),
        _participants(plan),
        _items(plan.strengths, _("Aucune force indiquée.")),
        _items(plan.needs, _("Aucun besoin indiqué.")),
        _measures(plan),
        _objectives(document),
        _follow_up(document),
        _reviews(document.reviews),
    )
    for number, (section, body) in enumerate(zip(SECTIONS, sections, strict=True), 1):
        heading = f"{number} · {_(section)}"
        lines += ["", heading if number != 6 else heading + _objective_count(document), *body]
    return lines


def _identification(document: PlanDocument, snapshot: bool) -> list[str]:
    from banqo_tui.screens.plan import identification_lines

    return identification_lines(document, snapshot=snapshot, link_hint=False)


def _participants(plan: Plan) -> list[str]:
    from banqo_tui.plan_words import role_label

    return [f"• {role_label(participant)}" for participant in plan.participants] or [_("Aucun participant indiqué.")]


def _items(items: list[PrioritisedItem], empty: str) -> list[str]:
    from banqo_tui.screens.plan import items_text

    return items_text(items).splitlines() or [empty]


def _measures(plan: Plan) -> list[str]:
    return [
        _("Mesures d'adaptation"),
        *([f"• {line}" for line in plan.adaptations] or [_("Aucune.")]),
        _("Mesures de modification"),
        *([f"• {line}" for line in plan.modifications] or [_("Aucune.")]),
    ]


def _ordered_goals(document: PlanDocument) -> list[PlanGoalDocument]:
    return sorted(document.goals, key=lambda item: item.goal.position)


def _objective_count(document: PlanDocument) -> str:
    from banqo_tui.api.models import PlanGoalStatus

    goals = document.goals
    if not goals:
        return ""
    active = sum(1 for item in goals if item.goal.status is PlanGoalStatus.ACTIVE)
    return " — " + ngettext(
        "{count} objectif, {active} actif", "{count} objectifs, {active} actifs", len(goals)
    ).format(count=format_number(len(goals)), active=format_number(active))


def _groups(document: PlanDocument) -> Iterator[tuple[str | None, list[tuple[int, PlanGoalDocument]]]]:
    """The objectives, numbered as on screen; a transition plan's grouped by TEVA sphere."""
    from banqo_tui.api.models import PlanKind, TevaSphere
    from banqo_tui.plan_words import sphere_label

    numbered = list(enumerate(_ordered_goals(document), 1))
    if document.plan.kind is not PlanKind.TRANSITION:
        yield None, numbered
        return
    for sphere in [*TevaSphere, None]:
        members = [(number, item) for number, item in numbered if item.goal.sphere == sphere]
        if members:
            yield (sphere_label(sphere) if sphere is not None else _("Sphère non précisée")), members


def _objectives(document: PlanDocument) -> list[str]:
    from banqo_tui.api.models import PLAN_ACTIVE_GOALS_ADVISED
    from banqo_tui.screens.plan import goal_prompt

    lines: list[str] = []
    if document.plan.active_goal_count > PLAN_ACTIVE_GOALS_ADVISED:
        lines.append(_("Plus de cinq objectifs actifs : le guide du ministère recommande peu d'objectifs, travaillés "
                       "systématiquement."))
    for sphere, members in _groups(document):
        if sphere is not None:
            lines.append(f"— {sphere} —")
        for number, item in members:
            lines += goal_prompt(number, item.goal).splitlines()
    return lines or [_("Aucun objectif pour l'instant.")]


def _follow_up(document: PlanDocument) -> list[str]:
    """Each objective's progress: the sentence a screen reader reads instead of the chart, then the measures."""
    from banqo_tui.progress import in_date_order, measure_text, progress_sentence
    from banqo_tui.screens.plan import date_text

    lines: list[str] = []
    for number, item in enumerate(_ordered_goals(document), 1):
        goal = item.goal
        lines += [f"{number}. {goal.text}", "   " + progress_sentence(goal, item.progress)]
        for entry in in_date_order(item.progress):
            line = f"   • {date_text(entry.on)} : {measure_text(goal, entry.value, entry.out_of)}"
            lines.append(f"{line} — {entry.note}" if entry.note else line)
    return lines or [_("Aucun objectif pour l'instant.")]


def _reviews(reviews: list[Review]) -> list[str]:
    from banqo_tui.screens.plan import review_prompt

    ordered = sorted(reviews, key=lambda review: review.number)
    lines: list[str] = []
    for review in ordered:
        lines += review_prompt(review).splitlines()
        lines.append("   " + _("Identifiant de la révision : {id}.").format(id=review.id))
    return lines or [_("Aucune révision pour l'instant.")]
