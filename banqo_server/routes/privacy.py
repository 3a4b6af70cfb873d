"""Privacy: ``/me/export``, ``/me/activity``, ``DELETE /me``."""

from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from banqo_server.deps import ApiRoute, CurrentSession, DbSession, PasswordsDep, SettingsDep
from banqo_server.problems import responses
from banqo_server.routes.views import activity_view
from banqo_server.services import activity, privacy
from banqo_tui.api.models import AccountDeletion, Activity, Page

router = APIRouter(tags=["privacy"], route_class=ApiRoute)

CHUNK_BYTES = 64 * 1024


@router.get(
    "/me/activity", response_model=Page[Activity], summary="My activity log", responses=responses(401, 422)
)
def list_activity(
    current: CurrentSession,
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[Activity]:
    """The account's activity (sign-ins, security and privacy changes), newest first; never any goal text."""
    rows, next_cursor = activity.page(db, current.account_id, limit=limit, cursor=cursor)
    items = [activity_view(row) for row in rows]
    return Page[Activity](items=items, next_cursor=next_cursor)


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    while chunk := file.read(CHUNK_BYTES):
        yield chunk


@router.get(
    "/me/export",
    summary="Export all my data",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "A zip archive: README.md, profile.json, collection.json, learners.json, plans.json, "
            "plan-snapshots.json, subscription.json, invoices.json, activity.json, sessions.json, "
            "support_messages.json and photo.jpg when there is one",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        },
        **responses(401),
    },
)
def export_data(current: CurrentSession, db: DbSession, settings: SettingsDep) -> StreamingResponse:
    """Everything of the account, structured (JSON files in a zip, described by its README in French and
    English); `Content-Length` gives the size so that a client can show progress."""
    archive = privacy.export(db, settings, current)
    headers = {
        "Content-Disposition": f'attachment; filename="{archive.filename}"',
        "Content-Length": str(archive.size),
        "Cache-Control": "no-store",
    }
    return StreamingResponse(
        _chunks(archive.file),
        media_type="application/zip",
        headers=headers,
        background=BackgroundTask(archive.file.close),
    )


@router.delete(
    "/me", status_code=204, summary="Delete my account", responses=responses(401, 422, 429)
)
def delete_account(
    body: AccountDeletion,
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    passwords: PasswordsDep,
) -> Response:
    """Delete the account and all its data: its password and its email typed again (`confirmation`) are
    required (422 on the field that is wrong). Every session of the account ends with it."""
    privacy.delete_account(
        db, settings, passwords, current, password=body.password, confirmation=body.confirmation
    )
    return Response(status_code=204)
