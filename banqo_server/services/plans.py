"""Plans d'intervention and transition annexes: plans, their objectives, progress entries, reviews, renewals.

Rules:

- Scoping: every query names the account in its WHERE clause. In a path, another account's id answers 404
  exactly like an unknown one (plans, objectives, progress entries, reviews; an objective of another plan of
  the same account too). An id given in a body (``learner_id``, ``parent_plan_id``, ``goal_ids``, ``goal_id``,
  ``plan_goal_id``) that is unknown or someone else's is a 422 at that field, with the same words for both.
- « Today » is the date in the seller's time zone (``today(settings)``): default dates, « not in the future »,
  and the résumé's due and overdue plans all use it.
- A plan starts ``draft``; ``draft → active → review → active``, anything → ``closed`` (``closed_on`` today when
  not given), ``closed → active`` reopens it (``closed_on`` cleared); any other move is a 422 at ``state``.
  A closed plan refuses every other change (its fields, objectives, progress, reviews) with a 409 at ``state``;
  it can still be renewed and deleted. Dates: neither the review date nor the closing date before the opening.
- A transition annex (TEVA) belongs to a non-closed intervention plan of the same learner, one non-closed annex
  per plan; each of its objectives has a sphere (given, or the sphere of the collection goal it comes from).
- An objective is a copy: from the learner's sub-collection (``goal_id``), or written there and then (``text``:
  added to « Ma collection » by the collection's own rules, as typed, and filed under the learner). The plan's
  copy has the first name filled in and a new ``lineage_id``: its identity across reviews and renewals. A goal
  is in a plan once. Measures: percent 0–100; ratio n of m (m ≥ 1); count ≥ 0; rubric levels 1 to m (m 2–10).
- Progress entries are immutable (added, deleted), dated no later than today, in the objective's unit.
- A review holds exactly one decision per active objective; its snapshot is the plan as it stood before the
  decisions took effect, with the review itself among its reviews, stored once and never recomputed. Then
  each decision takes effect (the objective keeps its id and lineage) and the plan is active again (or closed).
- Renewal (« reconduire »): once per plan; next year's plan copies the plan's fields and its active objectives
  (same lineage, no deadline, no progress); the plan is closed on the new opening date unless told otherwise; an
  intervention plan's open transition annex is renewed with it.
- Deleting a plan deletes its objectives, progress, reviews and transition annexes. Views are built with a fixed
  number of queries per page or document, never one per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from banqo_server.i18n import _
from banqo_server.idempotency import commit_or_earlier, earlier
from banqo_server.models import Goal, Learner, LearnerGoal, new_id
from banqo_server.models import Plan as PlanRow
from banqo_server.models import PlanGoal as PlanGoalRow
from banqo_server.models import PlanReview as ReviewRow
from banqo_server.models import ProgressEntry as ProgressRow
from banqo_server.models import ReviewDecision as DecisionRow
from banqo_server.services import catalogue, goals
from banqo_server.services.errors import Conflict, InvalidInput, NotFound, VersionMismatch
from banqo_server.services.learners import check_version
from banqo_server.services.paging import decode_cursor, decode_position, encode_cursor, encode_position
from banqo_server.settings import Settings
from banqo_tui.api.models import (
    PLAN_REVIEW_NOTICE_DAYS,
    ObjectiveHistory,
    ObjectiveHistoryStep,
    Participant,
    ParticipantRole,
    Plan,
    PlanCreate,
    PlanDocument,
    PlanDue,
    PlanGoal,
    PlanGoalCreate,
    PlanGoalDocument,
    PlanGoalStatus,
    PlanKind,
    PlanRenewal,
    PlanSnapshot,
    PlanState,
    PrioritisedItem,
    ProgressEntry,
    ProgressEntryCreate,
    ProgressUnit,
    Review,
    ReviewCreate,
    ReviewDecision,
    ReviewDecisionKind,
    TargetDirection,
    TevaSphere,
    fill_first_name,
    measurability_gaps,
)

#: The résumé lists at most this many plans to review.
DUE_LIST_MAX = 20
#: An objective is named by this many characters at most in a message.
NAMED_TEXT_MAX = 60
RUBRIC_LEVELS = (2, 10)
SPHERES = {sphere.value for sphere in TevaSphere}
#: The moves a plan's state can make (besides closing, allowed from any open state).
MOVES = {
    (PlanState.DRAFT, PlanState.ACTIVE),
    (PlanState.ACTIVE, PlanState.REVIEW),
    (PlanState.REVIEW, PlanState.ACTIVE),
    (PlanState.CLOSED, PlanState.ACTIVE),
}


def today(settings: Settings) -> date:
    """Today's date where the seller is (``settings.seller_timezone``)."""
    return Moment.of(settings).today


@dataclass(frozen=True)
class Moment:
    """When a change happens: the instant (stored) and the date it is where the seller is (for date rules)."""

    now: datetime
    today: date

    @classmethod
    def of(cls, settings: Settings) -> Moment:
        now = settings.now()
        return cls(now, now.astimezone(ZoneInfo(settings.seller_timezone)).date())


# --- messages -------------------------------------------------------------------------------------


def _closed_message() -> str:
    return _("Ce plan est fermé : rouvrez-le pour le modifier.")


def _no_learner_message() -> str:
    return _("Cet élève n'existe pas.")


def _no_plan_message() -> str:
    return _("Ce plan n'existe pas.")


def _not_filed_message(first_name: str) -> str:
    return _("Cet objectif n'est pas dans le dossier de {first_name}.").format(first_name=first_name)


def _named(text: str) -> str:
    """An objective named in a message: its text, cut at ``NAMED_TEXT_MAX`` characters."""
    cut = text if len(text) <= NAMED_TEXT_MAX else f"{text[: NAMED_TEXT_MAX - 1].rstrip()}…"
    return _("« {text} »").format(text=cut)


def _future_message() -> str:
    return _("Cette date est dans le futur.")


def _before_opening_message() -> str:
    return _("Cette date précède l'ouverture du plan.")


# --- cleaning -------------------------------------------------------------------------------------


def _participants(items: Sequence[Participant], field: str) -> list[dict[str, Any]]:
    """Roles as stored: an `other` role needs its name; the other roles never keep one."""
    cleaned: list[dict[str, Any]] = []
    for item in items:
        if item.role == ParticipantRole.OTHER:
            name = " ".join((item.other_role or "").split())
            if not name:
                raise InvalidInput({field: [_("Nommez le rôle « Autre » (par exemple : Ergothérapeute).")]})
            cleaned.append({"role": item.role.value, "other_role": name})
        else:
            cleaned.append({"role": item.role.value, "other_role": None})
    return cleaned


def _prioritised(items: Sequence[PrioritisedItem], field: str) -> list[dict[str, Any]]:
    """Strengths or needs: each written, sorted by priority (the given order within a priority)."""
    cleaned = []
    for item in items:
        text = item.text.strip()
        if not text:
            raise InvalidInput({field: [_("Écrivez chaque élément, ou retirez-le.")]})
        cleaned.append({"text": text, "priority": item.priority})
    return sorted(cleaned, key=lambda entry: entry["priority"])


def _lines(items: Iterable[str]) -> list[str]:
    """Means, adaptations, modifications: stripped, empty ones dropped."""
    return [line for line in (item.strip() for item in items) if line]


def _is_whole(value: float) -> bool:
    return float(value).is_integer()


def _percent_message() -> str:
    return _("Entrez un pourcentage entre 0 et 100.")


def _ratio_message(out_of: int) -> str:
    return _("Entrez un nombre entre 0 et {out_of} (n sur {out_of}).").format(out_of=out_of)


def _ratio_out_of_message() -> str:
    return _("Indiquez sur combien se mesure l'objectif (m de « n sur m », 1 ou plus).")


def _count_message() -> str:
    return _("Entrez un nombre entier de fois, 0 ou plus.")


def _rubric_message(out_of: int) -> str:
    return _("Entrez un niveau entier de 1 à {out_of}.").format(out_of=out_of)


def _rubric_levels_message() -> str:
    return _("Une grille compte de {low} à {high} niveaux.").format(low=RUBRIC_LEVELS[0], high=RUBRIC_LEVELS[1])


def _measure_problem(unit: ProgressUnit, value: float, out_of: int | None) -> str | None:
    """Why ``value`` is not a measure in ``unit`` (``out_of`` already checked), or None."""
    if unit == ProgressUnit.PERCENT:
        return None if 0 <= value <= 100 else _percent_message()
    if unit == ProgressUnit.RATIO:
        assert out_of is not None
        return None if 0 <= value <= out_of else _ratio_message(out_of)
    if unit == ProgressUnit.COUNT:
        return None if value >= 0 and _is_whole(value) else _count_message()
    assert out_of is not None
    return None if 1 <= value <= out_of and _is_whole(value) else _rubric_message(out_of)


def _check_target(unit: ProgressUnit, target: float | None, out_of: int | None) -> tuple[float | None, int | None]:
    """The objective's target and ``out_of`` as kept (``out_of`` only for ratio and rubric); 422 at the field."""
    if unit == ProgressUnit.RATIO:
        if out_of is None or out_of < 1:
            raise InvalidInput({"out_of": [_ratio_out_of_message()]})
    elif unit == ProgressUnit.RUBRIC:
        if out_of is None or not RUBRIC_LEVELS[0] <= out_of <= RUBRIC_LEVELS[1]:
            raise InvalidInput({"out_of": [_rubric_levels_message()]})
    else:
        out_of = None
    if target is not None:
        problem = _measure_problem(unit, target, out_of)
        if problem:
            raise InvalidInput({"target": [problem]})
    return target, out_of


# --- reading, scoped ------------------------------------------------------------------------------


def get_plan(db: Session, account_id: str, plan_id: str, *, lock: bool = False) -> PlanRow:
    """The account's plan (404 otherwise); ``lock`` holds its row until the commit (PostgreSQL), so that two
    changes of the same plan or of its parts never interleave."""
    statement = select(PlanRow).where(PlanRow.id == plan_id, PlanRow.account_id == account_id)
    if lock:
        statement = statement.with_for_update()
    plan = db.scalar(statement)
    if plan is None:
        raise NotFound()
    return plan


def _plan_goal(db: Session, account_id: str, plan: PlanRow, plan_goal_id: str) -> PlanGoalRow:
    goal = db.scalar(
        select(PlanGoalRow).where(
            PlanGoalRow.id == plan_goal_id, PlanGoalRow.plan_id == plan.id, PlanGoalRow.account_id == account_id
        )
    )
    if goal is None:
        raise NotFound()
    return goal


def _learner(db: Session, account_id: str, learner_id: str) -> Learner | None:
    return db.scalar(select(Learner).where(Learner.id == learner_id, Learner.account_id == account_id))


def _plan_learner(db: Session, account_id: str, plan: PlanRow) -> Learner:
    learner = _learner(db, account_id, plan.learner_id)
    if learner is None:  # a plan goes with its learner
        raise NotFound()
    return learner


def _editable(plan: PlanRow) -> None:
    if plan.state == PlanState.CLOSED:
        raise Conflict({"state": [_closed_message()]})


def _filed_goals(db: Session, account_id: str, learner_id: str, goal_ids: Sequence[str]) -> dict[str, Goal]:
    """Those of ``goal_ids`` that are in the learner's sub-collection (and the account's collection)."""
    if not goal_ids:
        return {}
    statement = (
        select(Goal)
        .join(LearnerGoal, LearnerGoal.goal_id == Goal.id)
        .where(
            LearnerGoal.learner_id == learner_id,
            Goal.account_id == account_id,
            Goal.deleted_at.is_(None),
            Goal.id.in_(goal_ids),
        )
    )
    return {goal.id: goal for goal in db.scalars(statement)}


# --- views ----------------------------------------------------------------------------------------


def plan_views(db: Session, account_id: str, rows: Sequence[PlanRow]) -> list[Plan]:
    """Wire plans with their first names and counts: five queries whatever the number of plans."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    learners = select(Learner.id, Learner.first_name).where(
        Learner.account_id == account_id, Learner.id.in_({row.learner_id for row in rows})
    )
    names = {learner_id: first_name for learner_id, first_name in db.execute(learners)}
    goal_counts: dict[str, int] = defaultdict(int)
    active_counts: dict[str, int] = defaultdict(int)
    statement = (
        select(PlanGoalRow.plan_id, PlanGoalRow.status, func.count())
        .where(PlanGoalRow.account_id == account_id, PlanGoalRow.plan_id.in_(ids))
        .group_by(PlanGoalRow.plan_id, PlanGoalRow.status)
    )
    for plan_id, status, count in db.execute(statement):
        goal_counts[plan_id] += count
        if status == PlanGoalStatus.ACTIVE:
            active_counts[plan_id] += count
    reviews = (
        select(ReviewRow.plan_id, func.count())
        .where(ReviewRow.account_id == account_id, ReviewRow.plan_id.in_(ids))
        .group_by(ReviewRow.plan_id)
    )
    review_counts = {plan_id: count for plan_id, count in db.execute(reviews)}
    next_ids: dict[str, str] = {}
    annex_ids: dict[str, str] = {}
    related = (
        select(PlanRow.id, PlanRow.kind, PlanRow.previous_plan_id, PlanRow.parent_plan_id)
        .where(
            PlanRow.account_id == account_id,
            PlanRow.previous_plan_id.in_(ids) | PlanRow.parent_plan_id.in_(ids),
        )
        .order_by(PlanRow.created_at, PlanRow.id)
    )
    for plan_id, kind, previous_id, parent_id in db.execute(related):
        if previous_id is not None:
            next_ids[previous_id] = plan_id
        if parent_id is not None and kind == PlanKind.TRANSITION:
            annex_ids[parent_id] = plan_id  # the latest wins
    return [
        Plan(
            id=row.id,
            learner_id=row.learner_id,
            learner_first_name=names.get(row.learner_id, ""),
            kind=PlanKind(row.kind),
            state=PlanState(row.state),
            parent_plan_id=row.parent_plan_id,
            previous_plan_id=row.previous_plan_id,
            next_plan_id=next_ids.get(row.id),
            annex_plan_id=annex_ids.get(row.id),
            opened_on=row.opened_on,
            review_due_on=row.review_due_on,
            closed_on=row.closed_on,
            participants=[Participant.model_validate(item) for item in row.participants],
            strengths=[PrioritisedItem.model_validate(item) for item in row.strengths],
            needs=[PrioritisedItem.model_validate(item) for item in row.needs],
            adaptations=list(row.adaptations),
            modifications=list(row.modifications),
            goal_count=goal_counts[row.id],
            active_goal_count=active_counts[row.id],
            review_count=review_counts.get(row.id, 0),
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
        for row in rows
    ]


def plan_view(db: Session, account_id: str, row: PlanRow) -> Plan:
    return plan_views(db, account_id, [row])[0]


def _goal_view(row: PlanGoalRow, progress_count: int) -> PlanGoal:
    return PlanGoal(
        id=row.id,
        plan_id=row.plan_id,
        lineage_id=row.lineage_id,
        goal_id=row.goal_id,
        position=row.position,
        text=row.text,
        sphere=TevaSphere(row.sphere) if row.sphere in SPHERES else None,
        means=list(row.means),
        responsible_roles=[Participant.model_validate(item) for item in row.responsible_roles],
        deadline=row.deadline,
        evaluation=row.evaluation,
        criterion=row.criterion,
        unit=ProgressUnit(row.unit),
        target=row.target,
        out_of=row.out_of,
        direction=TargetDirection(row.direction),
        status=PlanGoalStatus(row.status),
        gaps=measurability_gaps(row.text, row.criterion, row.evaluation, in_plan=True, deadline=row.deadline),
        progress_count=progress_count,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _progress_counts(db: Session, account_id: str, plan_goal_ids: Sequence[str]) -> dict[str, int]:
    if not plan_goal_ids:
        return {}
    statement = (
        select(ProgressRow.plan_goal_id, func.count())
        .where(ProgressRow.account_id == account_id, ProgressRow.plan_goal_id.in_(plan_goal_ids))
        .group_by(ProgressRow.plan_goal_id)
    )
    return {plan_goal_id: count for plan_goal_id, count in db.execute(statement)}


def goal_views(db: Session, account_id: str, rows: Sequence[PlanGoalRow]) -> list[PlanGoal]:
    counts = _progress_counts(db, account_id, [row.id for row in rows])
    return [_goal_view(row, counts.get(row.id, 0)) for row in rows]


def goal_view(db: Session, account_id: str, row: PlanGoalRow) -> PlanGoal:
    return goal_views(db, account_id, [row])[0]


def progress_view(row: ProgressRow) -> ProgressEntry:
    return ProgressEntry(
        id=row.id,
        plan_goal_id=row.plan_goal_id,
        lineage_id=row.lineage_id,
        on=row.measured_on,
        value=row.value,
        out_of=row.out_of,
        note=row.note,
        created_at=row.created_at,
    )


def review_views(db: Session, rows: Sequence[ReviewRow]) -> list[Review]:
    """Reviews (already scoped to the account) with their decisions: one query for the decisions."""
    decisions: dict[str, list[ReviewDecision]] = defaultdict(list)
    if rows:
        statement = (
            select(DecisionRow)
            .where(DecisionRow.review_id.in_([row.id for row in rows]))
            .order_by(DecisionRow.review_id, DecisionRow.position, DecisionRow.plan_goal_id)
        )
        for decision in db.scalars(statement):
            decisions[decision.review_id].append(
                ReviewDecision(
                    plan_goal_id=decision.plan_goal_id,
                    lineage_id=decision.lineage_id,
                    goal_text=decision.goal_text,
                    decision=ReviewDecisionKind(decision.decision),
                    note=decision.note,
                )
            )
    return [
        Review(
            id=row.id,
            plan_id=row.plan_id,
            number=row.number,
            held_on=row.held_on,
            note=row.note,
            decisions=decisions[row.id],
            next_review_on=row.next_review_on,
            created_at=row.created_at,
        )
        for row in rows
    ]


# --- plans ----------------------------------------------------------------------------------------


def page(
    db: Session,
    account_id: str,
    *,
    learner_id: str | None,
    state: PlanState | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Plan], str | None]:
    """The account's plans in the order they were created, optionally one learner's or in one state."""
    statement = select(PlanRow).where(PlanRow.account_id == account_id)
    if learner_id is not None:
        statement = statement.where(PlanRow.learner_id == learner_id)
    if state is not None:
        statement = statement.where(PlanRow.state == state.value)
    if cursor:
        moment, last_id = decode_cursor(cursor)
        statement = statement.where(
            (PlanRow.created_at > moment) | ((PlanRow.created_at == moment) & (PlanRow.id > last_id))
        )
    rows = list(db.scalars(statement.order_by(PlanRow.created_at, PlanRow.id).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    return plan_views(db, account_id, rows[:limit]), next_cursor


def _open_annex(db: Session, account_id: str, parent_id: str) -> PlanRow | None:
    """The intervention plan's transition annex that is not closed, if any."""
    return db.scalar(
        select(PlanRow)
        .where(
            PlanRow.account_id == account_id,
            PlanRow.parent_plan_id == parent_id,
            PlanRow.kind == PlanKind.TRANSITION.value,
            PlanRow.state != PlanState.CLOSED.value,
        )
        .order_by(PlanRow.created_at.desc(), PlanRow.id.desc())
        .limit(1)
    )


def _check_parent(db: Session, account_id: str, body: PlanCreate) -> str | None:
    """The parent's id of a new plan (a transition annex's intervention plan); 422 at ``parent_plan_id``."""
    if body.kind == PlanKind.INTERVENTION:
        if body.parent_plan_id is not None:
            raise InvalidInput(
                {"parent_plan_id": [_("Seule une annexe de transition se rattache à un plan d'intervention.")]}
            )
        return None
    if not body.parent_plan_id:
        raise InvalidInput(
            {"parent_plan_id": [_("Choisissez le plan d'intervention auquel rattacher cette annexe de transition.")]}
        )
    parent = db.scalar(
        select(PlanRow).where(PlanRow.id == body.parent_plan_id, PlanRow.account_id == account_id).with_for_update()
    )
    if parent is None:
        raise InvalidInput({"parent_plan_id": [_no_plan_message()]})
    if parent.kind != PlanKind.INTERVENTION or parent.learner_id != body.learner_id:
        raise InvalidInput(
            {"parent_plan_id": [_("Une annexe de transition se rattache à un plan d'intervention du même élève.")]}
        )
    if parent.state == PlanState.CLOSED:
        raise InvalidInput({"parent_plan_id": [_("Ce plan d'intervention est fermé.")]})
    if _open_annex(db, account_id, parent.id) is not None:
        raise InvalidInput({"parent_plan_id": [_("Ce plan d'intervention a déjà une annexe de transition ouverte.")]})
    return parent.id


def _new_plan_goal(
    plan: PlanRow, position: int, now: datetime, *, lineage_id: str | None = None, **fields: Any
) -> PlanGoalRow:
    return PlanGoalRow(
        id=new_id(),
        plan_id=plan.id,
        account_id=plan.account_id,
        lineage_id=lineage_id or new_id(),
        position=position,
        status=fields.pop("status", PlanGoalStatus.ACTIVE.value),
        version=1,
        created_at=now,
        updated_at=now,
        **fields,
    )


def _goal_sphere(goal: Goal) -> str | None:
    return goal.domain if goal.domain in SPHERES else None


def _copy_of(goal: Goal, learner: Learner) -> dict[str, Any]:
    """An objective's fields taken from a collection goal, the first name filled in."""
    return {
        "goal_id": goal.id,
        "text": fill_first_name(goal.text, learner.first_name),
        "sphere": _goal_sphere(goal),
        "means": [],
        "responsible_roles": [],
        "deadline": None,
        "evaluation": goal.measure or "",
        "criterion": goal.criterion or "",
        "unit": ProgressUnit.PERCENT.value,
        "target": None,
        "out_of": None,
        "direction": TargetDirection.AT_LEAST.value,
    }


def _needs_sphere_message() -> str:
    return _("Un objectif d'une annexe de transition appartient à une sphère : choisissez-la.")


def create(
    db: Session, account_id: str, body: PlanCreate, moment: Moment, idempotency_key: str | None = None
) -> PlanRow:
    """A new plan (``draft``), with the sub-collection goals of ``goal_ids`` as its objectives. Commits.
    With ``idempotency_key``, the plan an earlier request with that key created."""
    prior = earlier(db, PlanRow, idempotency_key, account_id=account_id)
    if prior is not None:
        return prior
    learner = _learner(db, account_id, body.learner_id)
    if learner is None:
        raise InvalidInput({"learner_id": [_no_learner_message()]})
    parent_id = _check_parent(db, account_id, body)
    opened_on = body.opened_on or moment.today
    if body.review_due_on is not None and body.review_due_on < opened_on:
        raise InvalidInput({"review_due_on": [_before_opening_message()]})
    participants = _participants(body.participants, "participants")
    wanted = list(dict.fromkeys(body.goal_ids))  # a goal once, in the order given
    found = _filed_goals(db, account_id, learner.id, wanted)
    missing = [goal_id for goal_id in wanted if goal_id not in found]
    if missing:
        raise InvalidInput({"goal_ids": [_not_filed_message(learner.first_name)]})
    if body.kind == PlanKind.TRANSITION:
        without = [found[goal_id].text for goal_id in wanted if _goal_sphere(found[goal_id]) is None]
        if without:
            message = _(
                "Un objectif d'une annexe de transition appartient à une sphère ; celui-ci n'en a pas : {goal}."
            )
            raise InvalidInput({"goal_ids": [message.format(goal=_named(text)) for text in without]})
    plan = PlanRow(
        id=new_id(),
        account_id=account_id,
        learner_id=learner.id,
        kind=body.kind.value,
        state=PlanState.DRAFT.value,
        parent_plan_id=parent_id,
        previous_plan_id=None,
        opened_on=opened_on,
        review_due_on=body.review_due_on,
        closed_on=None,
        participants=participants,
        strengths=[],
        needs=[],
        adaptations=[],
        modifications=[],
        idempotency_key=idempotency_key,
        version=1,
        created_at=moment.now,
        updated_at=moment.now,
    )
    try:
        db.add(plan)
        db.flush()
        for position, goal_id in enumerate(wanted, start=1):
            db.add(_new_plan_goal(plan, position, moment.now, **_copy_of(found[goal_id], learner)))
        db.commit()
    except IntegrityError:  # the same key at the same moment: the other request's plan
        db.rollback()
        prior = earlier(db, PlanRow, idempotency_key, account_id=account_id)
        if prior is None:
            raise
        return prior
    return plan


def _state_change(plan: PlanRow, wanted: PlanState, closed_on: date | None, moment: Moment) -> None:
    current = PlanState(plan.state)
    if wanted == current:
        return
    if wanted == PlanState.CLOSED:
        plan.state, plan.closed_on = wanted.value, closed_on or moment.today
        return
    if (current, wanted) not in MOVES:
        raise InvalidInput({"state": [_("Ce plan ne peut pas passer de cet état à celui-là.")]})
    plan.state = wanted.value
    if current == PlanState.CLOSED:
        plan.closed_on = None


def _fields(plan: PlanRow) -> tuple[Any, ...]:
    return (
        plan.state, plan.opened_on, plan.review_due_on, plan.closed_on, plan.participants, plan.strengths,
        plan.needs, plan.adaptations, plan.modifications,
    )


def change(
    db: Session, account_id: str, plan_id: str, changes: dict[str, Any], if_match: int | None, moment: Moment
) -> PlanRow:
    """Apply the fields sent (``changes``, from a ``PlanPatch``) after the version check. Commits."""
    plan = get_plan(db, account_id, plan_id, lock=True)
    check_version(plan.version, if_match)
    wanted_state = changes.get("state")
    reopening = set(changes) <= {"state"} and wanted_state in (None, PlanState.ACTIVE)
    if plan.state == PlanState.CLOSED and not reopening:
        raise Conflict({"state": [_closed_message()]})
    before = _fields(plan)
    if "opened_on" in changes:
        if changes["opened_on"] is None:
            raise InvalidInput({"opened_on": [_("Ce champ est obligatoire.")]})
        plan.opened_on = changes["opened_on"]
    if "review_due_on" in changes:
        plan.review_due_on = changes["review_due_on"]
    closed_on = changes.get("closed_on")
    if closed_on is not None and wanted_state != PlanState.CLOSED and plan.state != PlanState.CLOSED:
        raise InvalidInput({"closed_on": [_("Une date de fermeture va avec la fermeture du plan.")]})
    if wanted_state is not None:
        _state_change(plan, PlanState(wanted_state), closed_on, moment)
    if plan.review_due_on is not None and plan.review_due_on < plan.opened_on:
        raise InvalidInput({"review_due_on": [_before_opening_message()]})
    if plan.closed_on is not None and plan.closed_on < plan.opened_on:
        field = "closed_on" if closed_on is not None or "opened_on" not in changes else "opened_on"
        raise InvalidInput({field: [_("Un plan ne peut pas être fermé avant son ouverture.")]})
    if changes.get("participants") is not None:
        plan.participants = _participants(
            [Participant.model_validate(item) for item in changes["participants"]], "participants"
        )
    for name in ("strengths", "needs"):
        if changes.get(name) is not None:
            setattr(plan, name, _prioritised([PrioritisedItem.model_validate(item) for item in changes[name]], name))
    for name in ("adaptations", "modifications"):
        if changes.get(name) is not None:
            setattr(plan, name, _lines(changes[name]))
    if _fields(plan) == before:
        db.rollback()
        return get_plan(db, account_id, plan_id)
    plan.version += 1
    plan.updated_at = moment.now
    db.commit()
    return plan


def _delete_plans(db: Session, account_id: str, plan_ids: Sequence[str]) -> None:
    """Delete plans with everything of theirs, explicitly (no reliance on the database's cascades)."""
    if not plan_ids:
        return
    reviews = select(ReviewRow.id).where(ReviewRow.account_id == account_id, ReviewRow.plan_id.in_(plan_ids))
    goals_of = select(PlanGoalRow.id).where(PlanGoalRow.account_id == account_id, PlanGoalRow.plan_id.in_(plan_ids))
    options = {"synchronize_session": False}
    db.execute(delete(DecisionRow).where(DecisionRow.review_id.in_(reviews)).execution_options(**options))
    db.execute(delete(ReviewRow).where(ReviewRow.id.in_(reviews)).execution_options(**options))
    db.execute(
        delete(ProgressRow)
        .where(ProgressRow.account_id == account_id, ProgressRow.plan_goal_id.in_(goals_of))
        .execution_options(**options)
    )
    db.execute(delete(PlanGoalRow).where(PlanGoalRow.id.in_(goals_of)).execution_options(**options))
    for column in (PlanRow.previous_plan_id, PlanRow.parent_plan_id):
        db.execute(
            update(PlanRow)
            .where(PlanRow.account_id == account_id, column.in_(plan_ids), PlanRow.id.not_in(plan_ids))
            .values({column: None})
            .execution_options(**options)
        )
    db.execute(
        update(PlanRow)
        .where(PlanRow.account_id == account_id, PlanRow.id.in_(plan_ids))
        .values(previous_plan_id=None, parent_plan_id=None)
        .execution_options(**options)
    )
    db.execute(
        delete(PlanRow)
        .where(PlanRow.account_id == account_id, PlanRow.id.in_(plan_ids))
        .execution_options(**options)
    )


def remove(db: Session, account_id: str, plan_id: str, if_match: int | None) -> None:
    """Delete the plan, its objectives, progress, reviews and its transition annexes. Commits."""
    plan = get_plan(db, account_id, plan_id, lock=True)
    check_version(plan.version, if_match)
    annexes = list(
        db.scalars(select(PlanRow.id).where(PlanRow.account_id == account_id, PlanRow.parent_plan_id == plan.id))
    )
    _delete_plans(db, account_id, [plan.id, *annexes])
    db.commit()
    db.expunge_all()


def delete_all(db: Session, account_id: str) -> None:
    """Every plan of the account, with everything of theirs (account deletion, end of the grace period).
    Does not commit."""
    ids = list(db.scalars(select(PlanRow.id).where(PlanRow.account_id == account_id)))
    _delete_plans(db, account_id, ids)


# --- objectives -----------------------------------------------------------------------------------


def goal_page(
    db: Session, account_id: str, plan_id: str, *, limit: int, cursor: str | None
) -> tuple[list[PlanGoal], str | None]:
    plan = get_plan(db, account_id, plan_id)
    offset = decode_position(cursor) if cursor else 0
    statement = (
        select(PlanGoalRow)
        .where(PlanGoalRow.plan_id == plan.id, PlanGoalRow.account_id == account_id)
        .order_by(PlanGoalRow.position, PlanGoalRow.created_at, PlanGoalRow.id)
        .offset(offset)
        .limit(limit + 1)
    )
    rows = list(db.scalars(statement))
    next_cursor = encode_position(offset + limit) if len(rows) > limit else None
    return goal_views(db, account_id, rows[:limit]), next_cursor


def get_goal(db: Session, account_id: str, plan_id: str, plan_goal_id: str) -> PlanGoalRow:
    return _plan_goal(db, account_id, get_plan(db, account_id, plan_id), plan_goal_id)


@dataclass
class _Details:
    """An objective's fields other than its text, as checked."""

    sphere: str | None
    means: list[str]
    responsible_roles: list[dict[str, Any]]
    deadline: date | None
    evaluation: str
    criterion: str
    unit: str
    target: float | None
    out_of: int | None
    direction: str


def _details(plan: PlanRow, values: dict[str, Any]) -> _Details:
    """Check an objective's fields (merged: the stored ones with those sent); 422 at the field."""
    sphere = values.get("sphere")
    if plan.kind == PlanKind.TRANSITION and sphere is None:
        raise InvalidInput({"sphere": [_needs_sphere_message()]})
    deadline = values.get("deadline")
    if deadline is not None and deadline < plan.opened_on:
        raise InvalidInput({"deadline": [_("L'échéance précède l'ouverture du plan.")]})
    unit = ProgressUnit(values.get("unit") or ProgressUnit.PERCENT)
    target, out_of = _check_target(unit, values.get("target"), values.get("out_of"))
    return _Details(
        sphere=str(sphere) if sphere is not None else None,
        means=_lines(values.get("means") or []),
        responsible_roles=_participants(
            [Participant.model_validate(item) for item in values.get("responsible_roles") or []], "responsible_roles"
        ),
        deadline=deadline,
        evaluation=(values.get("evaluation") or "").strip(),
        criterion=(values.get("criterion") or "").strip(),
        unit=unit.value,
        target=target,
        out_of=out_of,
        direction=TargetDirection(values.get("direction") or TargetDirection.AT_LEAST).value,
    )


def _already_in_plan(db: Session, plan: PlanRow, goal_id: str) -> bool:
    return (
        db.scalar(
            select(func.count())
            .select_from(PlanGoalRow)
            .where(
                PlanGoalRow.plan_id == plan.id,
                PlanGoalRow.account_id == plan.account_id,
                PlanGoalRow.goal_id == goal_id,
            )
        )
        or 0
    ) > 0


def _twice_message() -> str:
    return _("Cet objectif est déjà dans ce plan.")


def _next_position(db: Session, plan: PlanRow) -> int:
    last = db.scalar(
        select(func.max(PlanGoalRow.position)).where(
            PlanGoalRow.plan_id == plan.id, PlanGoalRow.account_id == plan.account_id
        )
    )
    return (last or 0) + 1


def add_goal(
    db: Session,
    account_id: str,
    plan_id: str,
    body: PlanGoalCreate,
    *,
    language: str,
    moment: Moment,
    idempotency_key: str | None = None,
) -> PlanGoalRow:
    """Add an objective: a goal of the learner's sub-collection (``goal_id``), or one written now (``text``:
    added to the collection as typed and filed under the learner first). Commits. With ``idempotency_key``,
    the objective an earlier request with that key added."""
    plan = get_plan(db, account_id, plan_id, lock=True)
    prior = _earlier_goal(db, account_id, plan, idempotency_key)
    if prior is not None:
        return prior
    _editable(plan)
    learner = _plan_learner(db, account_id, plan)
    if (body.goal_id is None) == (body.text is None):
        message = _("Choisissez un objectif du dossier de l'élève, ou écrivez-en un.")
        raise InvalidInput({"goal_id": [message], "text": [message]})
    values = body.model_dump(exclude={"goal_id", "text"})
    if body.goal_id is not None:
        goal = _filed_goals(db, account_id, learner.id, [body.goal_id]).get(body.goal_id)
        if goal is None:
            raise InvalidInput({"goal_id": [_not_filed_message(learner.first_name)]})
        if _already_in_plan(db, plan, goal.id):
            raise Conflict({"goal_id": [_twice_message()]})
        values["sphere"] = values["sphere"] or _goal_sphere(goal)
        values["evaluation"] = goal.measure if body.evaluation is None else body.evaluation
        values["criterion"] = goal.criterion if body.criterion is None else body.criterion
        details = _details(plan, values)
    else:
        details = _details(plan, values)  # every check before the collection changes
        domain = details.sphere
        typed = goals.clean_text(body.text)
        existing = goals.find_same(db, account_id, goals.same_key(typed, domain)) if typed else None
        if existing is not None and _already_in_plan(db, plan, existing.id):
            raise Conflict({"goal_id": [_twice_message()]})
        goal, _created = goals.create(
            db,
            account_id,
            text=body.text,
            catalogue_id=None,
            language=None,
            domain=domain,
            tags=[],
            parts={"criterion": details.criterion or None, "measure": details.evaluation or None},
            learner_ids=[learner.id],
            default_language=language,
            idempotency_key=None,
            now=moment.now,
        )
        plan = get_plan(db, account_id, plan_id, lock=True)  # goals.create committed
        prior = _earlier_goal(db, account_id, plan, idempotency_key)
        if prior is not None:  # a request with the same key added it meanwhile
            return prior
        _editable(plan)
        if _already_in_plan(db, plan, goal.id):
            raise Conflict({"goal_id": [_twice_message()]})
    row = _new_plan_goal(
        plan,
        _next_position(db, plan),
        moment.now,
        goal_id=goal.id,
        text=fill_first_name(goal.text, learner.first_name),
        **vars(details),
    )
    row.idempotency_key = idempotency_key
    db.add(row)
    return commit_or_earlier(db, PlanGoalRow, idempotency_key, account_id=account_id, plan_id=plan.id) or row


def _earlier_goal(db: Session, account_id: str, plan: PlanRow, key: str | None) -> PlanGoalRow | None:
    return earlier(db, PlanGoalRow, key, account_id=account_id, plan_id=plan.id)


def _reorder(db: Session, plan: PlanRow, moved: PlanGoalRow, position: int) -> None:
    """Put ``moved`` at ``position`` (clamped) and number the plan's objectives 1, 2, 3…"""
    others = [
        row
        for row in db.scalars(
            select(PlanGoalRow)
            .where(PlanGoalRow.plan_id == plan.id, PlanGoalRow.account_id == plan.account_id)
            .order_by(PlanGoalRow.position, PlanGoalRow.created_at, PlanGoalRow.id)
        )
        if row.id != moved.id
    ]
    index = max(0, min(position - 1, len(others)))
    for number, row in enumerate([*others[:index], moved, *others[index:]], start=1):
        if row.position != number:
            row.position = number


GOAL_FIELDS = (
    "sphere", "means", "responsible_roles", "deadline", "evaluation", "criterion", "unit", "target", "out_of",
    "direction",
)


def change_goal(
    db: Session,
    account_id: str,
    plan_id: str,
    plan_goal_id: str,
    changes: dict[str, Any],
    if_match: int | None,
    moment: Moment,
) -> PlanGoalRow:
    """Apply the fields sent (``PlanGoalPatch``) after the objective's version check. Commits."""
    plan = get_plan(db, account_id, plan_id, lock=True)
    row = _plan_goal(db, account_id, plan, plan_goal_id)
    check_version(row.version, if_match)
    _editable(plan)
    before = (row.text, *(getattr(row, name) for name in GOAL_FIELDS), row.position)
    if "text" in changes:
        text = goals.clean_text(changes["text"])
        if not text:
            raise InvalidInput({"text": [_("Écrivez l'objectif.")]})
        row.text = text
    merged = {name: getattr(row, name) for name in GOAL_FIELDS}
    merged.update({name: value for name, value in changes.items() if name in GOAL_FIELDS})
    for name, value in vars(_details(plan, merged)).items():
        setattr(row, name, value)
    if changes.get("position") is not None:
        _reorder(db, plan, row, changes["position"])
    if (row.text, *(getattr(row, name) for name in GOAL_FIELDS), row.position) == before:
        db.rollback()
        return _plan_goal(db, account_id, get_plan(db, account_id, plan_id), plan_goal_id)
    row.version += 1
    row.updated_at = moment.now
    db.commit()
    return row


def remove_goal(db: Session, account_id: str, plan_id: str, plan_goal_id: str, if_match: int | None) -> None:
    """Delete an objective and its progress; the others are numbered again. Commits."""
    plan = get_plan(db, account_id, plan_id, lock=True)
    row = _plan_goal(db, account_id, plan, plan_goal_id)
    check_version(row.version, if_match)
    _editable(plan)
    db.execute(
        delete(ProgressRow)
        .where(ProgressRow.account_id == account_id, ProgressRow.plan_goal_id == row.id)
        .execution_options(synchronize_session=False)
    )
    db.delete(row)
    db.flush()
    remaining = db.scalars(
        select(PlanGoalRow)
        .where(PlanGoalRow.plan_id == plan.id, PlanGoalRow.account_id == account_id)
        .order_by(PlanGoalRow.position, PlanGoalRow.created_at, PlanGoalRow.id)
    )
    for number, other in enumerate(remaining, start=1):
        if other.position != number:
            other.position = number
    db.commit()


# --- progress -------------------------------------------------------------------------------------


def progress_page(
    db: Session, account_id: str, plan_id: str, *, plan_goal_id: str | None, limit: int, cursor: str | None
) -> tuple[list[ProgressEntry], str | None]:
    """The plan's progress entries by date (then as entered), optionally one objective's."""
    plan = get_plan(db, account_id, plan_id)
    offset = decode_position(cursor) if cursor else 0
    statement = (
        select(ProgressRow)
        .join(PlanGoalRow, PlanGoalRow.id == ProgressRow.plan_goal_id)
        .where(
            PlanGoalRow.plan_id == plan.id, PlanGoalRow.account_id == account_id, ProgressRow.account_id == account_id
        )
    )
    if plan_goal_id is not None:
        statement = statement.where(ProgressRow.plan_goal_id == plan_goal_id)
    statement = statement.order_by(ProgressRow.measured_on, ProgressRow.created_at, ProgressRow.id)
    rows = list(db.scalars(statement.offset(offset).limit(limit + 1)))
    next_cursor = encode_position(offset + limit) if len(rows) > limit else None
    return [progress_view(row) for row in rows[:limit]], next_cursor


def add_progress(
    db: Session,
    account_id: str,
    plan_id: str,
    body: ProgressEntryCreate,
    moment: Moment,
    idempotency_key: str | None = None,
) -> ProgressRow:
    """Record a measure of an objective of this plan, in its unit. Commits. With ``idempotency_key``, the
    entry an earlier request with that key recorded."""
    plan = get_plan(db, account_id, plan_id, lock=True)
    prior = earlier(db, ProgressRow, idempotency_key, account_id=account_id)
    if prior is not None:
        return prior
    _editable(plan)
    goal = db.scalar(
        select(PlanGoalRow).where(
            PlanGoalRow.id == body.plan_goal_id, PlanGoalRow.plan_id == plan.id, PlanGoalRow.account_id == account_id
        )
    )
    if goal is None:
        raise InvalidInput({"plan_goal_id": [_("Cet objectif n'est pas dans ce plan.")]})
    on = body.on or moment.today
    if on > moment.today:
        raise InvalidInput({"on": [_future_message()]})
    unit = ProgressUnit(goal.unit)
    out_of: int | None = None
    if unit == ProgressUnit.RATIO:
        out_of = body.out_of if body.out_of is not None else goal.out_of
        if out_of is None or out_of < 1:
            raise InvalidInput({"out_of": [_ratio_out_of_message()]})
    elif unit == ProgressUnit.RUBRIC:
        out_of = goal.out_of or RUBRIC_LEVELS[1]
    problem = _measure_problem(unit, body.value, out_of)
    if problem:
        raise InvalidInput({"value": [problem]})
    entry = ProgressRow(
        id=new_id(),
        plan_goal_id=goal.id,
        account_id=account_id,
        lineage_id=goal.lineage_id,
        measured_on=on,
        value=body.value,
        out_of=out_of,
        note=body.note.strip(),
        idempotency_key=idempotency_key,
        created_at=moment.now,
    )
    db.add(entry)
    return commit_or_earlier(db, ProgressRow, idempotency_key, account_id=account_id) or entry


def remove_progress(db: Session, account_id: str, plan_id: str, entry_id: str) -> None:
    """Delete a progress entry of this plan (entries are never changed, so no version). Commits."""
    plan = get_plan(db, account_id, plan_id, lock=True)
    entry = db.scalar(
        select(ProgressRow)
        .join(PlanGoalRow, PlanGoalRow.id == ProgressRow.plan_goal_id)
        .where(
            ProgressRow.id == entry_id,
            ProgressRow.account_id == account_id,
            PlanGoalRow.plan_id == plan.id,
            PlanGoalRow.account_id == account_id,
        )
    )
    if entry is None:
        raise NotFound()
    _editable(plan)
    db.delete(entry)
    db.commit()


# --- documents ------------------------------------------------------------------------------------


def _plan_goal_rows(db: Session, account_id: str, plan_id: str) -> list[PlanGoalRow]:
    return list(
        db.scalars(
            select(PlanGoalRow)
            .where(PlanGoalRow.plan_id == plan_id, PlanGoalRow.account_id == account_id)
            .order_by(PlanGoalRow.position, PlanGoalRow.created_at, PlanGoalRow.id)
        )
    )


def _progress_of(db: Session, account_id: str, plan_goal_ids: Sequence[str]) -> dict[str, list[ProgressEntry]]:
    found: dict[str, list[ProgressEntry]] = defaultdict(list)
    if plan_goal_ids:
        statement = (
            select(ProgressRow)
            .where(ProgressRow.account_id == account_id, ProgressRow.plan_goal_id.in_(plan_goal_ids))
            .order_by(ProgressRow.measured_on, ProgressRow.created_at, ProgressRow.id)
        )
        for row in db.scalars(statement):
            found[row.plan_goal_id].append(progress_view(row))
    return found


def _review_rows(db: Session, account_id: str, plan_ids: Sequence[str]) -> list[ReviewRow]:
    return list(
        db.scalars(
            select(ReviewRow)
            .where(ReviewRow.account_id == account_id, ReviewRow.plan_id.in_(plan_ids))
            .order_by(ReviewRow.plan_id, ReviewRow.number)
        )
    )


def _document(
    db: Session, account_id: str, plan: PlanRow, now: datetime, *, pending: Review | None = None
) -> PlanDocument:
    """The plan with its objectives, their progress and its reviews (and ``pending``, a review being recorded):
    a fixed number of queries."""
    parent = None
    if plan.parent_plan_id is not None:
        parent = db.scalar(
            select(PlanRow).where(PlanRow.id == plan.parent_plan_id, PlanRow.account_id == account_id)
        )
    views = plan_views(db, account_id, [plan, *([parent] if parent is not None else [])])
    rows = _plan_goal_rows(db, account_id, plan.id)
    progress = _progress_of(db, account_id, [row.id for row in rows])
    reviews = review_views(db, _review_rows(db, account_id, [plan.id]))
    plan_wire = views[0]
    if pending is not None:
        reviews.append(pending)
        plan_wire = plan_wire.model_copy(update={"review_count": len(reviews)})
    return PlanDocument(
        plan=plan_wire,
        goals=[
            PlanGoalDocument(goal=_goal_view(row, len(progress[row.id])), progress=progress[row.id]) for row in rows
        ],
        reviews=reviews,
        parent_plan=views[1] if parent is not None else None,
        generated_at=now,
    )


def document(db: Session, account_id: str, plan_id: str, now: datetime) -> PlanDocument:
    return _document(db, account_id, get_plan(db, account_id, plan_id), now)


# --- reviews --------------------------------------------------------------------------------------


def review_page(
    db: Session, account_id: str, plan_id: str, *, limit: int, cursor: str | None
) -> tuple[list[Review], str | None]:
    """The plan's reviews, oldest first."""
    plan = get_plan(db, account_id, plan_id)
    offset = decode_position(cursor) if cursor else 0
    statement = (
        select(ReviewRow)
        .where(ReviewRow.plan_id == plan.id, ReviewRow.account_id == account_id)
        .order_by(ReviewRow.number)
        .offset(offset)
        .limit(limit + 1)
    )
    rows = list(db.scalars(statement))
    next_cursor = encode_position(offset + limit) if len(rows) > limit else None
    return review_views(db, rows[:limit]), next_cursor


def _get_review(db: Session, account_id: str, plan: PlanRow, review_id: str) -> ReviewRow:
    review = db.scalar(
        select(ReviewRow).where(
            ReviewRow.id == review_id, ReviewRow.plan_id == plan.id, ReviewRow.account_id == account_id
        )
    )
    if review is None:
        raise NotFound()
    return review


def snapshot(db: Session, account_id: str, plan_id: str, review_id: str) -> PlanSnapshot:
    """A review and the plan as it stood then: the stored document, never recomputed."""
    review = _get_review(db, account_id, get_plan(db, account_id, plan_id), review_id)
    return PlanSnapshot(
        review=review_views(db, [review])[0], document=PlanDocument.model_validate(review.snapshot)
    )


def _check_decisions(body: ReviewCreate, active: list[PlanGoalRow], others: dict[str, PlanGoalRow]) -> None:
    """Exactly one decision per active objective; 422 at ``decisions`` naming the objectives."""
    active_ids = {row.id: row for row in active}
    given = [decision.plan_goal_id for decision in body.decisions]
    problems: list[str] = []
    missing = [row for row in active if row.id not in given]
    if missing:
        problems.append(
            _("Une décision manque pour : {goals}.").format(goals=", ".join(_named(row.text) for row in missing))
        )
    twice = [
        active_ids[goal_id] for goal_id in dict.fromkeys(given) if given.count(goal_id) > 1 and goal_id in active_ids
    ]
    if twice:
        problems.append(
            _("Une seule décision par objectif : {goals}.").format(goals=", ".join(_named(row.text) for row in twice))
        )
    inactive = [others[goal_id] for goal_id in dict.fromkeys(given) if goal_id in others]
    if inactive:
        problems.append(
            _("Ces objectifs ne sont plus actifs : {goals}.").format(
                goals=", ".join(_named(row.text) for row in inactive)
            )
        )
    if any(goal_id not in active_ids and goal_id not in others for goal_id in given):
        problems.append(_("Une décision vise un objectif qui n'est pas dans ce plan."))
    if problems:
        raise InvalidInput({"decisions": problems})
    for index, decision in enumerate(body.decisions):
        if decision.decision == ReviewDecisionKind.CHANGE_GOAL and not goals.clean_text(decision.new_text):
            raise InvalidInput({f"decisions.{index}.new_text": [_("Écrivez le nouvel objectif.")]})


def _apply(row: PlanGoalRow, decision: ReviewDecisionKind, new_text: str | None, new_means: list[str] | None) -> bool:
    """A decision's effect on its objective; True when the objective changed."""
    if decision == ReviewDecisionKind.CHANGE_MEANS:
        if new_means is None:
            return False
        row.means = _lines(new_means)
    elif decision == ReviewDecisionKind.CHANGE_GOAL:
        row.text = goals.clean_text(new_text)
        if new_means is not None:
            row.means = _lines(new_means)
    elif decision == ReviewDecisionKind.REACHED:
        row.status = PlanGoalStatus.REACHED.value
    elif decision == ReviewDecisionKind.CLOSED:
        row.status = PlanGoalStatus.CLOSED.value
    else:
        return False
    return True


def add_review(
    db: Session,
    account_id: str,
    plan_id: str,
    body: ReviewCreate,
    if_match: int | None,
    moment: Moment,
    idempotency_key: str | None = None,
) -> ReviewRow:
    """Record a review: its snapshot (the plan as it stood, this review included), its decisions, then their
    effects; the plan is active again, or closed. Commits. With ``idempotency_key``, the review an earlier
    request with that key recorded (before the version check: that request changed the version)."""
    plan = get_plan(db, account_id, plan_id, lock=True)
    prior = earlier(db, ReviewRow, idempotency_key, account_id=account_id, plan_id=plan.id)
    if prior is not None:
        return prior
    check_version(plan.version, if_match)
    _editable(plan)
    if plan.state == PlanState.DRAFT:
        raise Conflict({"state": [_("Un plan en brouillon n'a pas encore de révision : activez-le d'abord.")]})
    held_on = body.held_on or moment.today
    if held_on > moment.today:
        raise InvalidInput({"held_on": [_future_message()]})
    if held_on < plan.opened_on:
        raise InvalidInput({"held_on": [_before_opening_message()]})
    if body.next_review_on is not None and body.next_review_on < held_on:
        raise InvalidInput({"next_review_on": [_("La prochaine révision suit celle-ci.")]})
    rows = _plan_goal_rows(db, account_id, plan.id)
    active = [row for row in rows if row.status == PlanGoalStatus.ACTIVE]
    _check_decisions(body, active, {row.id: row for row in rows if row.status != PlanGoalStatus.ACTIVE})
    by_id = {row.id: row for row in active}
    number = (
        db.scalar(
            select(func.max(ReviewRow.number)).where(ReviewRow.plan_id == plan.id, ReviewRow.account_id == account_id)
        )
        or 0
    ) + 1
    ordered = sorted(body.decisions, key=lambda decision: by_id[decision.plan_goal_id].position)
    pending = Review(
        id=new_id(),
        plan_id=plan.id,
        number=number,
        held_on=held_on,
        note=body.note.strip(),
        decisions=[
            ReviewDecision(
                plan_goal_id=decision.plan_goal_id,
                lineage_id=by_id[decision.plan_goal_id].lineage_id,
                goal_text=by_id[decision.plan_goal_id].text,
                decision=decision.decision,
                note=decision.note.strip(),
            )
            for decision in ordered
        ],
        next_review_on=body.next_review_on,
        created_at=moment.now,
    )
    stood = _document(db, account_id, plan, moment.now, pending=pending)
    review = ReviewRow(
        id=pending.id,
        plan_id=plan.id,
        account_id=account_id,
        number=number,
        held_on=held_on,
        note=pending.note,
        next_review_on=body.next_review_on,
        snapshot=stood.model_dump(mode="json"),
        idempotency_key=idempotency_key,
        created_at=moment.now,
    )
    db.add(review)
    db.flush()
    for decision, kept in zip(ordered, pending.decisions, strict=True):
        goal = by_id[decision.plan_goal_id]
        db.add(
            DecisionRow(
                review_id=review.id,
                plan_goal_id=goal.id,
                lineage_id=goal.lineage_id,
                position=goal.position,
                goal_text=kept.goal_text,
                decision=decision.decision.value,
                note=kept.note,
            )
        )
        if _apply(goal, decision.decision, decision.new_text, decision.new_means):
            goal.version += 1
            goal.updated_at = moment.now
    if body.close_plan:
        plan.state, plan.closed_on = PlanState.CLOSED.value, held_on
    else:
        plan.state = PlanState.ACTIVE.value
    if body.next_review_on is not None:
        plan.review_due_on = body.next_review_on
    plan.version += 1
    plan.updated_at = moment.now
    try:
        db.commit()
    except IntegrityError:  # another review of the same plan at the same moment
        db.rollback()
        prior = earlier(db, ReviewRow, idempotency_key, account_id=account_id, plan_id=plan_id)
        if prior is not None:  # sent with the same key
            return prior
        raise VersionMismatch(get_plan(db, account_id, plan_id).version) from None
    return review


def review_view(db: Session, row: ReviewRow) -> Review:
    return review_views(db, [row])[0]


# --- renewal --------------------------------------------------------------------------------------


def _renew_one(
    db: Session, plan: PlanRow, *, opened_on: date, review_due_on: date | None, parent_id: str | None,
    close: bool, moment: Moment,
) -> PlanRow:
    renewed = PlanRow(
        id=new_id(),
        account_id=plan.account_id,
        learner_id=plan.learner_id,
        kind=plan.kind,
        state=PlanState.DRAFT.value,
        parent_plan_id=parent_id,
        previous_plan_id=plan.id,
        opened_on=opened_on,
        review_due_on=review_due_on,
        closed_on=None,
        participants=list(plan.participants),
        strengths=list(plan.strengths),
        needs=list(plan.needs),
        adaptations=list(plan.adaptations),
        modifications=list(plan.modifications),
        version=1,
        created_at=moment.now,
        updated_at=moment.now,
    )
    db.add(renewed)
    db.flush()
    continued = [row for row in _plan_goal_rows(db, plan.account_id, plan.id) if row.status == PlanGoalStatus.ACTIVE]
    for position, row in enumerate(continued, start=1):
        db.add(
            _new_plan_goal(
                renewed,
                position,
                moment.now,
                lineage_id=row.lineage_id,
                goal_id=row.goal_id,
                text=row.text,
                sphere=row.sphere,
                means=list(row.means),
                responsible_roles=list(row.responsible_roles),
                deadline=None,
                evaluation=row.evaluation,
                criterion=row.criterion,
                unit=row.unit,
                target=row.target,
                out_of=row.out_of,
                direction=row.direction,
            )
        )
    if close and plan.state != PlanState.CLOSED:
        plan.state, plan.closed_on = PlanState.CLOSED.value, opened_on
        plan.version += 1
        plan.updated_at = moment.now
    return renewed


def _renewed(db: Session, plan: PlanRow) -> bool:
    return db.scalar(
        select(PlanRow.id).where(PlanRow.account_id == plan.account_id, PlanRow.previous_plan_id == plan.id).limit(1)
    ) is not None


def renew(
    db: Session,
    account_id: str,
    plan_id: str,
    body: PlanRenewal,
    if_match: int | None,
    moment: Moment,
    idempotency_key: str | None = None,
) -> PlanRow:
    """« Reconduire »: next year's plan (and its transition annex's). Commits. With ``idempotency_key``, the
    plan an earlier renewal of this plan with that key made (not the 409 of a second renewal)."""
    plan = get_plan(db, account_id, plan_id, lock=True)
    prior = earlier(db, PlanRow, idempotency_key, account_id=account_id, previous_plan_id=plan.id)
    if prior is not None:
        return prior
    check_version(plan.version, if_match)
    if plan.kind == PlanKind.TRANSITION:
        raise Conflict({"plan": [_("Une annexe de transition se reconduit avec son plan d'intervention.")]})
    if _renewed(db, plan):
        raise Conflict({"plan": [_("Ce plan a déjà été reconduit.")]})
    opened_on = body.opened_on or moment.today
    if opened_on < plan.opened_on:
        raise InvalidInput({"opened_on": [_("Le nouveau plan s'ouvre après l'ouverture de celui-ci.")]})
    if body.review_due_on is not None and body.review_due_on < opened_on:
        raise InvalidInput({"review_due_on": [_before_opening_message()]})
    annex = _open_annex(db, account_id, plan.id)
    renewed = _renew_one(
        db, plan, opened_on=opened_on, review_due_on=body.review_due_on, parent_id=None,
        close=body.close_previous, moment=moment,
    )
    renewed.idempotency_key = idempotency_key
    if annex is not None and not _renewed(db, annex):
        _renew_one(
            db, annex, opened_on=opened_on, review_due_on=body.review_due_on, parent_id=renewed.id,
            close=body.close_previous, moment=moment,
        )
    db.commit()
    return renewed


# --- history --------------------------------------------------------------------------------------


def history(db: Session, account_id: str, plan_id: str, plan_goal_id: str) -> ObjectiveHistory:
    """The objective in every plan it was in (oldest first), with its progress and its decisions there."""
    start = get_goal(db, account_id, plan_id, plan_goal_id)
    statement = (
        select(PlanGoalRow, PlanRow)
        .join(PlanRow, PlanRow.id == PlanGoalRow.plan_id)
        .where(
            PlanGoalRow.account_id == account_id,
            PlanRow.account_id == account_id,
            PlanGoalRow.lineage_id == start.lineage_id,
        )
        .order_by(PlanRow.opened_on, PlanRow.created_at, PlanRow.id)
    )
    pairs = [(goal, plan) for goal, plan in db.execute(statement)]
    plans = plan_views(db, account_id, [plan for _goal, plan in pairs])
    progress = _progress_of(db, account_id, [goal.id for goal, _plan in pairs])
    reviews: dict[str, list[Review]] = defaultdict(list)
    for review in review_views(db, _review_rows(db, account_id, [plan.id for _goal, plan in pairs])):
        mine = [decision for decision in review.decisions if decision.lineage_id == start.lineage_id]
        if mine:
            reviews[review.plan_id].append(review.model_copy(update={"decisions": mine}))
    steps = [
        ObjectiveHistoryStep(
            plan=plan_wire,
            goal=_goal_view(goal, len(progress[goal.id])),
            progress=progress[goal.id],
            decisions=reviews[plan.id],
        )
        for (goal, plan), plan_wire in zip(pairs, plans, strict=True)
    ]
    return ObjectiveHistory(lineage_id=start.lineage_id, steps=steps)


# --- the résumé, the export -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewNotices:
    open: int
    due_soon: int
    overdue: int
    to_review: list[PlanDue]


def review_notices(db: Session, account_id: str, on: date) -> ReviewNotices:
    """The résumé's plan counts and the plans to review: overdue, or due within ``PLAN_REVIEW_NOTICE_DAYS``."""
    horizon = on + timedelta(days=PLAN_REVIEW_NOTICE_DAYS)
    open_plans = (PlanRow.account_id == account_id) & (PlanRow.state != PlanState.CLOSED.value)
    # The three counts in one pass over the account's open plans (COUNT of a CASE counts the rows it gives 1).
    due = PlanRow.review_due_on
    open_count, due_soon, overdue = db.execute(
        select(
            func.count(),
            func.count(case(((due >= on) & (due <= horizon), 1))),
            func.count(case((due < on, 1))),
        ).where(open_plans)
    ).one()
    statement = (
        select(PlanRow.id, PlanRow.kind, PlanRow.review_due_on, Learner.first_name)
        .join(Learner, Learner.id == PlanRow.learner_id)
        .where(open_plans, Learner.account_id == account_id, PlanRow.review_due_on <= horizon)
        .order_by(PlanRow.review_due_on, PlanRow.created_at, PlanRow.id)
        .limit(DUE_LIST_MAX)
    )
    listed = [
        PlanDue(id=plan_id, learner_first_name=first_name, kind=PlanKind(kind), review_due_on=due, overdue=due < on)
        for plan_id, kind, due, first_name in db.execute(statement)
        if due is not None  # always: the query asks for a date
    ]
    return ReviewNotices(open_count, due_soon, overdue, listed)


def sphere_labels(db: Session, language: str) -> dict[str, str]:
    """Each TEVA sphere's label in ``language`` (``fr`` or ``en``), from the catalogue."""
    return {
        area["id"]: area["labels"].get(language) or area["labels"]["fr"]
        for area in catalogue.state(db).areas
        if area["id"] in SPHERES
    }


def export_all(db: Session, account_id: str, now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every plan of the account as a ``PlanDocument``, and every review's snapshot, as JSON (data export)."""
    rows = list(
        db.scalars(select(PlanRow).where(PlanRow.account_id == account_id).order_by(PlanRow.created_at, PlanRow.id))
    )
    documents = [_document(db, account_id, row, now).model_dump(mode="json") for row in rows]
    reviews = _review_rows(db, account_id, [row.id for row in rows])
    order = {row.id: index for index, row in enumerate(rows)}
    reviews.sort(key=lambda review: (order[review.plan_id], review.number))
    snapshots = [
        PlanSnapshot(review=view, document=PlanDocument.model_validate(review.snapshot)).model_dump(mode="json")
        for review, view in zip(reviews, review_views(db, reviews), strict=True)
    ]
    return documents, snapshots
