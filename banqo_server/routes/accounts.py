"""``POST /accounts``: sign up."""

from typing import Annotated

from fastapi import APIRouter, Header

from banqo_server.deps import ApiRoute, ClientAddress, DbSession, PasswordsDep, SettingsDep
from banqo_server.i18n import http_language
from banqo_server.problems import responses
from banqo_server.routes.views import token_view
from banqo_server.services import accounts
from banqo_server.services.auth import device_label
from banqo_tui.api.models import SessionToken, SignUp

router = APIRouter(tags=["accounts"], route_class=ApiRoute)


@router.post(
    "/accounts",
    response_model=SessionToken,
    status_code=201,
    summary="Sign up",
    responses=responses(409, 422, 429),
)
def sign_up(
    body: SignUp,
    db: DbSession,
    settings: SettingsDep,
    passwords: PasswordsDep,
    address: ClientAddress,
    user_agent: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> SessionToken:
    """Create an account and sign it in: the answer carries the new session's token."""
    new = accounts.NewAccount(body.email, body.password, body.first_name, body.last_name, http_language())
    token, session = accounts.sign_up(
        db, settings, passwords, new, device=device_label(body.device, user_agent), address=address
    )
    return token_view(token, session)
