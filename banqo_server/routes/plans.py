"""``/plans``: plans d'intervention and transition annexes, their objectives, progress, reviews and exports.

The rules are in ``services/plans.py``; these routes read the request and shape the answer.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from banqo_server.deps import (
    ApiRoute,
    CurrentSession,
    DbSession,
    IfMatch,
    RequestLanguage,
    SettingsDep,
    quick,
    subscription_allows_writes,
)
from banqo_server.idempotency import REPEAT_DESCRIPTION, IdempotencyKey, answer_status
from banqo_server.problems import responses
from banqo_server.routes.views import with_etag
from banqo_server.services import plan_export, plans
from banqo_server.services.plans import Moment
from banqo_server.settings import Settings
from banqo_tui.api.models import (
    ObjectiveHistory,
    Page,
    Plan,
    PlanCreate,
    PlanDocument,
    PlanExportFormat,
    PlanGoal,
    PlanGoalCreate,
    PlanGoalPatch,
    PlanPatch,
    PlanRenewal,
    PlanSnapshot,
    PlanState,
    ProgressEntry,
    ProgressEntryCreate,
    Review,
    ReviewCreate,
)

router = APIRouter(
    prefix="/plans", tags=["plans"], dependencies=[Depends(subscription_allows_writes)], route_class=ApiRoute
)

Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=500)]

EXPORT_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The plan laid out for the meeting: PDF, DOCX or Markdown (`Content-Disposition` names it)",
        "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                "schema": {"type": "string", "format": "binary"}
            },
            "text/markdown": {"schema": {"type": "string"}},
        },
    }
}


@router.get("", response_model=Page[Plan], summary="List my plans", responses=responses(401, 422))
@quick
def list_plans(
    current: CurrentSession,
    db: DbSession,
    learner_id: Annotated[str | None, Query(max_length=40)] = None,
    state: Annotated[PlanState | None, Query()] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[Plan]:
    """The account's plans in the order they were created; `learner_id` and `state` narrow the list."""
    items, next_cursor = plans.page(
        db, current.account_id, learner_id=learner_id, state=state, limit=limit, cursor=cursor
    )
    return Page[Plan](items=items, next_cursor=next_cursor)


@router.post(
    "",
    response_model=Plan,
    status_code=201,
    summary="Start a plan",
    responses={200: {"model": Plan, "description": REPEAT_DESCRIPTION}, **responses(401, 402, 422)},
)
def create_plan(
    body: PlanCreate,
    response: Response,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> Plan:
    """A plan in `draft` for a learner, its objectives taken from the learner's sub-collection (`goal_ids`, in
    that order, the first name filled in). A transition annex names its intervention plan (`parent_plan_id`)."""
    row = plans.create(db, current.account_id, body, Moment.of(settings), idempotency_key)
    answer_status(response, db, row)
    response.headers["Location"] = f"{router.prefix}/{row.id}"
    return with_etag(response, plans.plan_view(db, current.account_id, row))


@router.get("/{plan_id}", response_model=Plan, summary="Read a plan", responses=responses(401, 404))
def read_plan(plan_id: str, response: Response, current: CurrentSession, db: DbSession) -> Plan:
    """The plan's own fields and counts, with its version in `ETag`."""
    row = plans.get_plan(db, current.account_id, plan_id)
    return with_etag(response, plans.plan_view(db, current.account_id, row))


@router.patch(
    "/{plan_id}",
    response_model=Plan,
    summary="Change a plan",
    responses=responses(401, 402, 404, 409, 412, 422, 428),
)
def change_plan(
    plan_id: str,
    body: PlanPatch,
    response: Response,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    if_match: IfMatch,
) -> Plan:
    """Change the fields sent (`If-Match`: the version read). A closed plan only reopens (`state`: `active`);
    any other change is a 409."""
    row = plans.change(
        db, current.account_id, plan_id, body.model_dump(exclude_unset=True), if_match, Moment.of(settings)
    )
    return with_etag(response, plans.plan_view(db, current.account_id, row))


@router.delete(
    "/{plan_id}", status_code=204, summary="Delete a plan", responses=responses(401, 404, 412, 428)
)
def delete_plan(plan_id: str, current: CurrentSession, db: DbSession, if_match: IfMatch) -> Response:
    """Delete the plan with its objectives, progress, reviews and transition annexes."""
    plans.remove(db, current.account_id, plan_id, if_match)
    return Response(status_code=204)


@router.get(
    "/{plan_id}/document",
    response_model=PlanDocument,
    summary="A plan with its objectives, progress and reviews",
    responses=responses(401, 404),
)
def plan_document(plan_id: str, current: CurrentSession, db: DbSession, settings: SettingsDep) -> PlanDocument:
    """Everything of the plan in one answer (what an export shows); an annex comes with its intervention plan."""
    return plans.document(db, current.account_id, plan_id, settings.now())


@router.get(
    "/{plan_id}/goals",
    response_model=Page[PlanGoal],
    summary="A plan's objectives",
    responses=responses(401, 404, 422),
)
def list_goals(
    plan_id: str, current: CurrentSession, db: DbSession, limit: Limit = 100, cursor: Cursor = None
) -> Page[PlanGoal]:
    """The objectives in their order (`position`)."""
    items, next_cursor = plans.goal_page(db, current.account_id, plan_id, limit=limit, cursor=cursor)
    return Page[PlanGoal](items=items, next_cursor=next_cursor)


@router.post(
    "/{plan_id}/goals",
    response_model=PlanGoal,
    status_code=201,
    summary="Add an objective to a plan",
    responses={200: {"model": PlanGoal, "description": REPEAT_DESCRIPTION}, **responses(401, 402, 404, 409, 422)},
)
def add_goal(
    plan_id: str,
    body: PlanGoalCreate,
    response: Response,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    language: RequestLanguage,
    idempotency_key: IdempotencyKey = None,
) -> PlanGoal:
    """A goal of the learner's sub-collection (`goal_id`), or one written now (`text`: it is also added to
    « Ma collection » and filed under the learner). A goal is in a plan once (409)."""
    row = plans.add_goal(
        db,
        current.account_id,
        plan_id,
        body,
        language=language,
        moment=Moment.of(settings),
        idempotency_key=idempotency_key,
    )
    answer_status(response, db, row)
    response.headers["Location"] = f"{router.prefix}/{plan_id}/goals/{row.id}"
    return with_etag(response, plans.goal_view(db, current.account_id, row))


@router.get(
    "/{plan_id}/goals/{plan_goal_id}",
    response_model=PlanGoal,
    summary="Read an objective",
    responses=responses(401, 404),
)
def read_goal(plan_id: str, plan_goal_id: str, response: Response, current: CurrentSession, db: DbSession) -> PlanGoal:
    row = plans.get_goal(db, current.account_id, plan_id, plan_goal_id)
    return with_etag(response, plans.goal_view(db, current.account_id, row))


@router.patch(
    "/{plan_id}/goals/{plan_goal_id}",
    response_model=PlanGoal,
    summary="Change an objective",
    responses=responses(401, 402, 404, 409, 412, 422, 428),
)
def change_goal(
    plan_id: str,
    plan_goal_id: str,
    body: PlanGoalPatch,
    response: Response,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    if_match: IfMatch,
) -> PlanGoal:
    """Change the fields sent (`If-Match`: the objective's version); `position` moves it among the others."""
    row = plans.change_goal(
        db,
        current.account_id,
        plan_id,
        plan_goal_id,
        body.model_dump(exclude_unset=True),
        if_match,
        Moment.of(settings),
    )
    return with_etag(response, plans.goal_view(db, current.account_id, row))


@router.delete(
    "/{plan_id}/goals/{plan_goal_id}",
    status_code=204,
    summary="Remove an objective",
    responses=responses(401, 404, 409, 412, 428),
)
def delete_goal(plan_id: str, plan_goal_id: str, current: CurrentSession, db: DbSession, if_match: IfMatch) -> Response:
    """Remove the objective and its progress from the plan (the collection goal stays)."""
    plans.remove_goal(db, current.account_id, plan_id, plan_goal_id, if_match)
    return Response(status_code=204)


@router.get(
    "/{plan_id}/goals/{plan_goal_id}/history",
    response_model=ObjectiveHistory,
    summary="An objective's history",
    responses=responses(401, 404),
)
def goal_history(plan_id: str, plan_goal_id: str, current: CurrentSession, db: DbSession) -> ObjectiveHistory:
    """The objective in every plan it was in (oldest first), with its progress and review decisions there."""
    return plans.history(db, current.account_id, plan_id, plan_goal_id)


@router.get(
    "/{plan_id}/progress",
    response_model=Page[ProgressEntry],
    summary="A plan's progress entries",
    responses=responses(401, 404, 422),
)
def list_progress(
    plan_id: str,
    current: CurrentSession,
    db: DbSession,
    plan_goal_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[ProgressEntry]:
    """The entries by date, optionally one objective's (`plan_goal_id`)."""
    items, next_cursor = plans.progress_page(
        db, current.account_id, plan_id, plan_goal_id=plan_goal_id, limit=limit, cursor=cursor
    )
    return Page[ProgressEntry](items=items, next_cursor=next_cursor)


@router.post(
    "/{plan_id}/progress",
    response_model=ProgressEntry,
    status_code=201,
    summary="Record progress",
    responses={
        200: {"model": ProgressEntry, "description": REPEAT_DESCRIPTION},
        **responses(401, 402, 404, 409, 422),
    },
)
def add_progress(
    plan_id: str,
    body: ProgressEntryCreate,
    response: Response,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> ProgressEntry:
    """A measure of an objective of this plan, in its unit, dated today or earlier."""
    row = plans.add_progress(db, current.account_id, plan_id, body, Moment.of(settings), idempotency_key)
    answer_status(response, db, row)
    return plans.progress_view(row)


@router.delete(
    "/{plan_id}/progress/{entry_id}",
    status_code=204,
    summary="Delete a progress entry",
    responses=responses(401, 404, 409),
)
def delete_progress(plan_id: str, entry_id: str, current: CurrentSession, db: DbSession) -> Response:
    """Entries are never changed, only deleted (so no `If-Match`)."""
    plans.remove_progress(db, current.account_id, plan_id, entry_id)
    return Response(status_code=204)


@router.get(
    "/{plan_id}/reviews",
    response_model=Page[Review],
    summary="A plan's reviews",
    responses=responses(401, 404, 422),
)
def list_reviews(
    plan_id: str, current: CurrentSession, db: DbSession, limit: Limit = 100, cursor: Cursor = None
) -> Page[Review]:
    """The reviews, oldest first, with their decisions."""
    items, next_cursor = plans.review_page(db, current.account_id, plan_id, limit=limit, cursor=cursor)
    return Page[Review](items=items, next_cursor=next_cursor)


@router.post(
    "/{plan_id}/reviews",
    response_model=Review,
    status_code=201,
    summary="Record a review",
    responses={
        200: {"model": Review, "description": REPEAT_DESCRIPTION},
        **responses(401, 402, 404, 409, 412, 422, 428),
    },
)
def add_review(
    plan_id: str,
    body: ReviewCreate,
    response: Response,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    if_match: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> Review:
    """One decision per active objective (`If-Match`: the plan's version, which the review increments). The
    plan as it stood is kept as the review's snapshot; then the decisions take effect. A repeat with the same
    `Idempotency-Key` answers the review recorded first, whatever `If-Match` says."""
    row = plans.add_review(db, current.account_id, plan_id, body, if_match, Moment.of(settings), idempotency_key)
    answer_status(response, db, row)
    response.headers["Location"] = f"{router.prefix}/{plan_id}/reviews/{row.id}"
    return plans.review_view(db, row)


@router.get(
    "/{plan_id}/reviews/{review_id}",
    response_model=PlanSnapshot,
    summary="A review and its snapshot",
    responses=responses(401, 404),
)
def read_review(plan_id: str, review_id: str, current: CurrentSession, db: DbSession) -> PlanSnapshot:
    """The review and the plan as it stood then (never recomputed)."""
    return plans.snapshot(db, current.account_id, plan_id, review_id)


def _file(
    db: DbSession,
    settings: Settings,
    document: PlanDocument,
    format: PlanExportFormat,
    language: str,
    review: Review | None = None,
) -> Response:
    """The exported file as an attachment; a review's snapshot is marked and named for its review."""
    exported = plan_export.render(
        document,
        format,
        language=language,
        sphere_labels=plans.sphere_labels(db, language),
        time_zone=settings.seller_timezone,
        title_note=plan_export.snapshot_note(review, language=language) if review is not None else None,
        review_number=review.number if review is not None else None,
    )
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )


@router.get(
    "/{plan_id}/reviews/{review_id}/export",
    summary="Export a review's snapshot",
    response_class=Response,
    responses={**EXPORT_CONTENT, **responses(401, 404, 422)},
)
def export_review(
    plan_id: str,
    review_id: str,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    language: RequestLanguage,
    format: Annotated[PlanExportFormat, Query()] = PlanExportFormat.PDF,
) -> Response:
    """The plan as it stood at this review, laid out for the meeting and marked as the review's snapshot."""
    snapshot = plans.snapshot(db, current.account_id, plan_id, review_id)
    return _file(db, settings, snapshot.document, format, language, snapshot.review)


@router.get(
    "/{plan_id}/export",
    summary="Export a plan",
    response_class=Response,
    responses={**EXPORT_CONTENT, **responses(401, 404, 422)},
)
def export_plan(
    plan_id: str,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    language: RequestLanguage,
    format: Annotated[PlanExportFormat, Query()] = PlanExportFormat.PDF,
) -> Response:
    """The plan laid out for the meeting (sections in the Quebec order, a signatures block): PDF, DOCX or
    Markdown."""
    document = plans.document(db, current.account_id, plan_id, settings.now())
    return _file(db, settings, document, format, language)


@router.post(
    "/{plan_id}/renewal",
    response_model=Plan,
    status_code=201,
    summary="Renew a plan for next year",
    responses={200: {"model": Plan, "description": REPEAT_DESCRIPTION}, **responses(401, 402, 404, 409, 412, 422, 428)},
)
def renew_plan(
    plan_id: str,
    body: PlanRenewal,
    response: Response,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    if_match: IfMatch,
    idempotency_key: IdempotencyKey = None,
) -> Plan:
    """« Reconduire »: next year's plan with the objectives still active (same `lineage_id`); this plan is
    closed on the new opening date unless `close_previous` is false. Once per plan (409); a repeat with the
    same `Idempotency-Key` answers the plan it made instead."""
    row = plans.renew(db, current.account_id, plan_id, body, if_match, Moment.of(settings), idempotency_key)
    answer_status(response, db, row)
    response.headers["Location"] = f"{router.prefix}/{row.id}"
    return with_etag(response, plans.plan_view(db, current.account_id, row))
