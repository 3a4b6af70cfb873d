"""``/collection``: « Ma collection », the teacher's goals; import and export in the exchange format."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

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
from banqo_server.problems import responses
from banqo_server.routes.views import goal_document, goal_view, page_json, with_etag
from banqo_server.services import exchange, goals
from banqo_server.services.errors import TooLarge
from banqo_tui.api.models import Goal, GoalCreate, GoalPatch, ImportReport, Page

router = APIRouter(
    prefix="/collection", tags=["collection"], dependencies=[Depends(subscription_allows_writes)], route_class=ApiRoute
)

GOAL_PARTS = ("condition", "behaviour", "criterion", "measure")


@router.get("/goals", response_model=Page[Goal], summary="List my goals", responses=responses(401, 422))
@quick
def list_goals(
    current: CurrentSession,
    db: DbSession,
    q: Annotated[str | None, Query(max_length=200, description="Words, each the start of a word")] = None,
    domain: Annotated[str | None, Query(max_length=60)] = None,
    tag: Annotated[str | None, Query(max_length=41)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The collection in the order goals were added; `q` matches text and tags, case and accents ignored."""
    rows, next_cursor = goals.page(db, current.account_id, q=q, domain=domain, tag=tag, limit=limit, cursor=cursor)
    filed = goals.learner_ids(db, [row.id for row in rows])
    # The hot path (every keystroke of a search): the page is written as JSON straight from the rows, with the
    # model's fields and inert texts (views.goal_document), not built as models, validated and encoded.
    items = [goal_document(row, filed[row.id]) for row in rows]
    return Response(page_json(items, next_cursor), media_type="application/json")


@router.post(
    "/goals",
    response_model=Goal,
    status_code=201,
    summary="Add a goal",
    responses={200: {"model": Goal, "description": "The same goal was already there"}, **responses(401, 402, 422)},
)
def create_goal(
    body: GoalCreate,
    response: Response,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    language: RequestLanguage,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=80, description="Repeating a create with the same key answers the goal created first"),
    ] = None,
) -> Goal:
    """Write a goal (`text`) or copy one from the catalogue (`catalogue_id`), optionally filed under learners.
    The same text in the same domain, or the same `Idempotency-Key`, answers the existing goal with 200."""
    row, created = goals.create(
        db,
        current.account_id,
        text=body.text,
        catalogue_id=body.catalogue_id,
        language=body.language,
        domain=body.domain,
        tags=body.tags,
        parts={name: getattr(body, name) for name in GOAL_PARTS},
        learner_ids=body.learner_ids,
        default_language=language,
        idempotency_key=idempotency_key,
        now=settings.now(),
    )
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"{router.prefix}/goals/{row.id}"
    return with_etag(response, goal_view(row, goals.learner_ids(db, [row.id])[row.id]))


@router.get("/goals/{goal_id}", response_model=Goal, summary="Read a goal", responses=responses(401, 404))
@quick
def read_goal(goal_id: str, response: Response, current: CurrentSession, db: DbSession) -> Goal:
    """One goal, with its version in `ETag`."""
    row = goals.get(db, current.account_id, goal_id)
    return with_etag(response, goal_view(row, goals.learner_ids(db, [row.id])[row.id]))


@router.patch(
    "/goals/{goal_id}",
    response_model=Goal,
    summary="Change a goal",
    responses=responses(402, 401, 404, 409, 412, 422, 428),
)
def change_goal(
    goal_id: str,
    body: GoalPatch,
    response: Response,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    if_match: IfMatch,
) -> Goal:
    """Change the fields sent; `If-Match` must name the version read (428 without it, 412 when stale)."""
    row = goals.update(db, current.account_id, goal_id, body.model_dump(exclude_unset=True), if_match, settings.now())
    return with_etag(response, goal_view(row, goals.learner_ids(db, [row.id])[row.id]))


@router.delete(
    "/goals/{goal_id}",
    status_code=204,
    summary="Delete a goal",
    responses=responses(401, 404, 412, 422, 428),
)
def delete_goal(
    goal_id: str, current: CurrentSession, db: DbSession, settings: SettingsDep, if_match: IfMatch
) -> Response:
    """Delete a goal (and its filings under learners); it can be restored for 10 minutes."""
    goals.remove(db, current.account_id, goal_id, if_match, settings.now())
    return Response(status_code=204)


@router.post(
    "/goals/{goal_id}/restore",
    response_model=Goal,
    summary="Undo the deletion of a goal",
    responses=responses(402, 401, 404, 409),
)
def restore_goal(
    goal_id: str, response: Response, current: CurrentSession, db: DbSession, settings: SettingsDep
) -> Goal:
    """Bring back a goal deleted less than 10 minutes ago, with its filings under learners."""
    row = goals.restore(db, current.account_id, goal_id, settings.now())
    return with_etag(response, goal_view(row, goals.learner_ids(db, [row.id])[row.id]))


@router.get(
    "/export",
    summary="Export my collection",
    response_class=Response,
    responses={
        200: {
            "description": "The collection in the exchange format",
            "content": {"application/json": {}, "text/csv": {}},
        },
        **responses(401, 422),
    },
)
def export_collection(
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Response:
    """Every goal of the collection with its parts, domain, tags, source and learners (docs/formats/)."""
    now = settings.now()
    stamp = now.strftime("%Y-%m-%d")
    if format == "csv":
        body, media_type = exchange.export_csv(db, current.account_id), "text/csv; charset=utf-8"
    else:
        body, media_type = exchange.export_json(db, current.account_id, now), "application/json"
    disposition = f'attachment; filename="banqo-collection-{stamp}.{format}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


@router.post(
    "/import",
    response_model=ImportReport,
    summary="Import goals",
    responses=responses(402, 401, 413, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "An exchange-format file (docs/formats/): JSON or CSV",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def import_collection(
    request: Request,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    language: RequestLanguage,
    dry_run: Annotated[bool, Query(description="Check and count, import nothing")] = False,
) -> ImportReport:
    """Import a file: every row is checked first; one refused row refuses the file (422, `errors` keyed
    `"<row>.<field>"`) and nothing is imported. The same text in the same domain is never imported twice."""
    limit = exchange.MAX_IMPORT_BYTES
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    media_type = request.headers.get("content-type", "")
    return await run_in_threadpool(
        exchange.import_goals,
        db,
        current.account_id,
        raw,
        media_type,
        default_language=language,
        dry_run=dry_run,
        now=settings.now(),
    )
