"""``/learners``: learners by first name only, and their sub-collections."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from banqo_server.deps import (
    ApiRoute,
    CurrentSession,
    DbSession,
    IfMatch,
    SettingsDep,
    quick,
    subscription_allows_writes,
)
from banqo_server.idempotency import REPEAT_DESCRIPTION, IdempotencyKey, answer_status
from banqo_server.problems import responses
from banqo_server.routes.views import goal_view, learner_view, with_etag
from banqo_server.services import goals, learners
from banqo_tui.api.models import (
    Learner,
    LearnerCreate,
    LearnerGoal,
    LearnerGoalLink,
    LearnerPatch,
    Page,
    fill_first_name,
)

router = APIRouter(
    prefix="/learners", tags=["learners"], dependencies=[Depends(subscription_allows_writes)], route_class=ApiRoute
)



@router.get("", response_model=Page[Learner], summary="List my learners", responses=responses(401, 422))
@quick
def list_learners(
    current: CurrentSession,
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[Learner]:
    """The account's learners in the order they were added, with the size of each sub-collection."""
    rows, next_cursor = learners.page(db, current.account_id, limit=limit, cursor=cursor)
    counts = learners.goal_counts(db, [row.id for row in rows])
    return Page[Learner](items=[learner_view(row, counts.get(row.id, 0)) for row in rows], next_cursor=next_cursor)


@router.post(
    "",
    response_model=Learner,
    status_code=201,
    summary="Add a learner",
    responses={200: {"model": Learner, "description": REPEAT_DESCRIPTION}, **responses(402, 401, 422)},
)
def create_learner(
    body: LearnerCreate,
    response: Response,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> Learner:
    """A first name only: a surname, an email, a phone number or digits alone are refused with the reason.
    When the name is taken the server adds a digit (« Léa 2 »)."""
    row = learners.create(db, current.account_id, body.first_name, settings.now(), idempotency_key)
    answer_status(response, db, row)
    response.headers["Location"] = f"{router.prefix}/{row.id}"
    return with_etag(response, learner_view(row))


@router.get("/{learner_id}", response_model=Learner, summary="Read a learner", responses=responses(401, 404))
@quick
def read_learner(learner_id: str, response: Response, current: CurrentSession, db: DbSession) -> Learner:
    row = learners.get(db, current.account_id, learner_id)
    return with_etag(response, learner_view(row, learners.goal_counts(db, [row.id]).get(row.id, 0)))


@router.patch(
    "/{learner_id}",
    response_model=Learner,
    summary="Rename a learner",
    responses=responses(402, 401, 404, 412, 422, 428),
)
def rename_learner(
    learner_id: str,
    body: LearnerPatch,
    response: Response,
    current: CurrentSession,
    db: DbSession,
    if_match: IfMatch,
) -> Learner:
    """Same rules as adding; `If-Match` must name the version read."""
    row = learners.rename(db, current.account_id, learner_id, body.first_name, if_match)
    return with_etag(response, learner_view(row, learners.goal_counts(db, [row.id]).get(row.id, 0)))


@router.delete(
    "/{learner_id}",
    status_code=204,
    summary="Delete a learner",
    responses=responses(401, 404, 412, 422, 428),
)
def delete_learner(learner_id: str, current: CurrentSession, db: DbSession, if_match: IfMatch) -> Response:
    """Delete the learner, their sub-collection and their plans (with the plans' objectives, progress, reviews
    and snapshots); the goals stay in « Ma collection »."""
    learners.delete(db, current.account_id, learner_id, if_match)
    return Response(status_code=204)


@router.get(
    "/{learner_id}/goals",
    response_model=Page[LearnerGoal],
    summary="A learner's goals",
    responses=responses(401, 404, 422),
)
@quick
def learner_goals(
    learner_id: str,
    current: CurrentSession,
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[LearnerGoal]:
    """The learner's sub-collection in the order goals were filed, each text with the first name filled in."""
    learner, rows, next_cursor = learners.filed_goals(db, current.account_id, learner_id, limit=limit, cursor=cursor)
    filed = goals.learner_ids(db, [goal.id for _filing, goal in rows])
    items = [
        LearnerGoal(
            learner_id=learner.id,
            filed_at=filing.filed_at,
            text=fill_first_name(goal.text, learner.first_name),
            goal=goal_view(goal, filed[goal.id]),
        )
        for filing, goal in rows
    ]
    return Page[LearnerGoal](items=items, next_cursor=next_cursor)


@router.post(
    "/{learner_id}/goals",
    response_model=LearnerGoal,
    status_code=201,
    summary="File a goal under a learner",
    responses={200: {"model": LearnerGoal, "description": "Already filed"}, **responses(401, 402, 404, 422)},
)
def file_goal(
    learner_id: str,
    body: LearnerGoalLink,
    response: Response,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
) -> LearnerGoal:
    """File a goal of « Ma collection » under the learner (200 when it already was)."""
    filing, created = learners.file_goal(db, current.account_id, learner_id, body.goal_id, settings.now())
    response.status_code = 201 if created else 200
    learner = learners.get(db, current.account_id, learner_id)
    goal = goals.get(db, current.account_id, body.goal_id)
    return LearnerGoal(
        learner_id=learner.id,
        filed_at=filing.filed_at,
        text=fill_first_name(goal.text, learner.first_name),
        goal=goal_view(goal, goals.learner_ids(db, [goal.id])[goal.id]),
    )


@router.delete(
    "/{learner_id}/goals/{goal_id}",
    status_code=204,
    summary="Take a goal out of a learner's sub-collection",
    responses=responses(401, 404),
)
def unfile_goal(learner_id: str, goal_id: str, current: CurrentSession, db: DbSession) -> Response:
    """The goal stays in « Ma collection »."""
    learners.unfile_goal(db, current.account_id, learner_id, goal_id)
    return Response(status_code=204)
