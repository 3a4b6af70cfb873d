"""``/sessions``: sign in, list the signed-in devices, end one, sign out."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from banqo_server.deps import ApiRoute, ClientAddress, CurrentSession, DbSession, PasswordsDep, SettingsDep
from banqo_server.problems import responses
from banqo_server.routes.views import session_view, token_view
from banqo_server.services import auth
from banqo_tui.api.models import ActivityKind, Page, SessionInfo, SessionToken, SignIn

router = APIRouter(tags=["sessions"], route_class=ApiRoute)


@router.post(
    "/sessions",
    response_model=SessionToken,
    status_code=201,
    summary="Sign in",
    responses=responses(401, 422, 429),
)
def sign_in(
    body: SignIn,
    db: DbSession,
    settings: SettingsDep,
    passwords: PasswordsDep,
    address: ClientAddress,
    user_agent: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> SessionToken:
    """Open a session with an email and a password; a wrong one answers 401 on the `password` field.

    When the account has two-factor sign-in, `totp` must also hold the 6-digit code of the authenticator app
    (each code works once) or one of the account's recovery codes (`xxxxx-xxxxx`, each works once). Without it,
    or with a wrong or used one, the answer is 401 on the `totp` field — only once the password is right."""
    token, session = auth.sign_in(
        db,
        settings,
        passwords,
        email=body.email,
        password=body.password,
        device=auth.device_label(body.device, user_agent),
        address=address,
        totp_code=body.totp,
    )
    return token_view(token, session)


@router.get(
    "/sessions",
    response_model=Page[SessionInfo],
    summary="List signed-in devices",
    responses=responses(401, 422),
)
def list_sessions(
    current: CurrentSession,
    db: DbSession,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[SessionInfo]:
    """The account's active sessions, newest first; the caller's own is flagged `current`."""
    rows, next_cursor = auth.active_sessions(db, settings, current.account_id, limit=limit, cursor=cursor)
    return Page[SessionInfo](items=[session_view(row, current.id) for row in rows], next_cursor=next_cursor)


@router.delete("/sessions/current", status_code=204, summary="Sign out", responses=responses(401))
def sign_out(current: CurrentSession, db: DbSession, settings: SettingsDep) -> Response:
    """End the caller's session: its token stops working."""
    auth.end_session(db, settings, current.account_id, current.id, ActivityKind.SIGNED_OUT)
    return Response(status_code=204)


@router.delete(
    "/sessions/{session_id}", status_code=204, summary="End a session", responses=responses(401, 404, 422)
)
def end_session(session_id: str, current: CurrentSession, db: DbSession, settings: SettingsDep) -> Response:
    """End one of the account's sessions (another device); any other id answers 404."""
    auth.end_session(db, settings, current.account_id, session_id, ActivityKind.SESSION_ENDED)
    return Response(status_code=204)
