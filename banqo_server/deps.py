"""Annotated dependencies that routes declare: the database session, settings, and the checks themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from banqo_server.models import Account, AccountSession
from banqo_server.payments import PaymentProcessor
from banqo_server.services import auth
from banqo_server.services.passwords import Passwords
from banqo_server.settings import Settings

bearer_scheme = HTTPBearer(auto_error=False, description="The token answered by sign-up or sign-in.")


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in the thread pool, and
# that hop to a thread and back costs more than the dependency itself. Those that touch the database stay
# plain ``def`` (or hand their blocking part to the thread pool), so that the event loop never waits on it.


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session for the request; closed afterwards: in the thread pool when it holds a connection (giving it
    back to the pool rolls back, which is I/O), here when it holds none (no query was made, or the route closed
    it in its own thread when done, as the search does) — a hop to a thread and back costs more than that."""
    db = request.app.state.session_factory()  # no I/O: the connection is taken at the first query
    try:
        yield db
    finally:
        if db.in_transaction():
            await run_in_threadpool(db.close)
        else:
            db.close()


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_passwords(request: Request) -> Passwords:
    return request.app.state.passwords


async def get_processor(request: Request) -> PaymentProcessor:
    return request.app.state.processor


async def client_address(request: Request) -> str:
    """The client's address (the proxy's forwarded one when the server runs behind a trusted proxy)."""
    return request.client.host if request.client else "unknown"


DbSession = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PasswordsDep = Annotated[Passwords, Depends(get_passwords)]
ProcessorDep = Annotated[PaymentProcessor, Depends(get_processor)]
ClientAddress = Annotated[str, Depends(client_address)]


async def current_session(
    request: Request,
    db: DbSession,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> AccountSession:
    """The caller's active session; 401 with ``WWW-Authenticate: Bearer`` otherwise. A session authenticated
    in the last seconds is taken from the process's ``auth.SessionCache`` without a query (its bound there)."""
    token = credentials.credentials if credentials else None
    cache: auth.SessionCache | None = getattr(request.app.state, "session_cache", None)
    if cache is not None:
        remembered = cache.lookup(db, settings, token)
        if remembered is not None:
            return remembered
    return await run_in_threadpool(auth.authenticate, db, settings, token, cache)


CurrentSession = Annotated[AccountSession, Depends(current_session)]


def current_account(session: CurrentSession) -> Account:
    return session.account


CurrentAccount = Annotated[Account, Depends(current_account)]


async def if_match_version(
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


async def request_language() -> str:
    """``fr`` or ``en``: the language the request was answered in (from ``Accept-Language``)."""
    from banqo_server.i18n import current_language

    return current_language()[:2]


RequestLanguage = Annotated[str, Depends(request_language)]


async def subscription_allows_writes(
    request: Request, session: CurrentSession, db: DbSession, settings: SettingsDep
) -> None:
    """Once a subscription has ended, the collection and learners are read, exported and deleted, not added to or
    changed (402) — a router-wide check, so no route can forget it. Reads cost nothing here."""
    if request.method in {"POST", "PUT", "PATCH"}:
        from banqo_server.services import billing

        await run_in_threadpool(billing.check_writable, db, settings, session.account_id)
