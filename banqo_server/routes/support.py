"""Support: ``/support/messages`` (« Des questions? Contactez-nous! »)."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from banqo_server.deps import ApiRoute, ClientAddress, DbSession, SettingsDep, bearer_scheme, released
from banqo_server.i18n import http_language
from banqo_server.idempotency import REPEAT_DESCRIPTION, IdempotencyKey, answer_status
from banqo_server.models import AccountSession
from banqo_server.problems import responses
from banqo_server.services import auth, support
from banqo_tui.api.models import SupportMessageCreate, SupportReceipt

router = APIRouter(tags=["support"], route_class=ApiRoute)


def optional_session(
    db: DbSession,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> AccountSession | None:
    """The caller's session when a token is sent (an unknown or ended one is still a 401), else None."""
    if credentials is None:
        return None
    return released(db, auth.authenticate, db, settings, credentials.credentials)  # its connection back first


OptionalSession = Annotated[AccountSession | None, Depends(optional_session)]


@router.post(
    "/support/messages",
    response_model=SupportReceipt,
    status_code=201,
    summary="Write to support",
    responses={200: {"model": SupportReceipt, "description": REPEAT_DESCRIPTION}, **responses(401, 422, 429)},
    # Signed in or not: the token is optional (`{}` is the requirement "no credentials").
    openapi_extra={"security": [{}]},
)
def send_message(
    body: SupportMessageCreate,
    request: Request,
    response: Response,
    background: BackgroundTasks,
    current: OptionalSession,
    db: DbSession,
    settings: SettingsDep,
    address: ClientAddress,
    idempotency_key: IdempotencyKey = None,
) -> SupportReceipt:
    """Signed in or not. Every message is kept, then mailed to the server's support address when it has
    one; signed in, an empty `from` means the account's email. At most 5 messages per 10 minutes per
    sender address or account (429 on `from`)."""
    row = support.receive(
        db,
        settings,
        session=current,
        from_=body.from_,
        subject=body.subject,
        message=body.message,
        language=http_language(),
        address=address,
        idempotency_key=idempotency_key,
    )
    answer_status(response, db, row)
    if support.can_send(settings) and response.status_code == 201:  # a repeat's message is on its way already
        background.add_task(support.deliver_later, request.app.state.session_factory, settings, row.id)
    return SupportReceipt(id=row.id, received_at=row.created_at)
