"""Annotated dependencies that routes declare: the database session, settings, and the checks themselves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from banqo_server.models import Account, AccountSession
from banqo_server.payments import PaymentProcessor
from banqo_server.services import auth
from banqo_server.services.passwords import Passwords
from banqo_server.settings import Settings

bearer_scheme = HTTPBearer(auto_error=False, description="The token answered by sign-up or sign-in.")


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as db:
        yield db


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_passwords(request: Request) -> Passwords:
    return request.app.state.passwords


def get_processor(request: Request) -> PaymentProcessor:
    return request.app.state.processor


def client_address(request: Request) -> str:
    """The client's address (the proxy's forwarded one when the server runs behind a trusted proxy)."""
    return request.client.host if request.client else "unknown"


DbSession = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PasswordsDep = Annotated[Passwords, Depends(get_passwords)]
ProcessorDep = Annotated[PaymentProcessor, Depends(get_processor)]
ClientAddress = Annotated[str, Depends(client_address)]


def current_session(
    db: DbSession,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> AccountSession:
    """The caller's active session; 401 with ``WWW-Authenticate: Bearer`` otherwise."""
    return auth.authenticate(db, settings, credentials.credentials if credentials else None)


CurrentSession = Annotated[AccountSession, Depends(current_session)]


def current_account(session: CurrentSession) -> Account:
    return session.account


CurrentAccount = Annotated[Account, Depends(current_account)]


def if_match_version(
    if_match: Annotated[
        str | None,
        Header(description='The `ETag` of the version read (`"3"`); required to change or delete.'),
    ] = None,
) -> int | None:
    """The version named by ``If-Match`` (``"3"``, ``W/"3"`` or ``3``); None when absent (→ 428)."""
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        return -1  # never a current version: answered 412 with the current one
    return int(value)


IfMatch = Annotated[int | None, Depends(if_match_version)]


def request_language() -> str:
    """``fr`` or ``en``: the language the request was answered in (from ``Accept-Language``)."""
    from banqo_server.i18n import current_language

    return current_language()[:2]


RequestLanguage = Annotated[str, Depends(request_language)]


def subscription_allows_writes(
    request: Request, session: CurrentSession, db: DbSession, settings: SettingsDep
) -> None:
    """Once a subscription has ended, the collection and learners are read, exported and deleted, not added to or
    changed (402) — a router-wide check, so no route can forget it."""
    if request.method in {"POST", "PUT", "PATCH"}:
        from banqo_server.services import billing

        billing.check_writable(db, settings, session.account_id)
