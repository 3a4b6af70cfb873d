"""Annotated dependencies that routes declare: the database session, settings, and the checks themselves."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any, TypeVar

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar
from fastapi import Depends, Header, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from banqo_server.models import Account, AccountSession
from banqo_server.payments import PaymentProcessor
from banqo_server.services import auth
from banqo_server.services.passwords import Passwords
from banqo_server.settings import Settings

T = TypeVar("T")

bearer_scheme = HTTPBearer(auto_error=False, description="The token answered by sign-up or sign-in.")


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in the thread pool, and
# that hop to a thread and back costs more than the dependency itself. Those that touch the database stay
# plain ``def`` (or hand their blocking part to the thread pool), so that the event loop never waits on it.
# None of them takes a lock (``FOR UPDATE``): the route runs on another thread than its dependencies, and a
# request holding a lock while waiting for a thread can stop every thread that waits for that lock.


# No request may wait for a thread while its session holds a pooled connection: with every thread of the pool
# waiting for a connection and every connection held by a request waiting for a thread, the server would stand
# still until the pool's timeout (30 s), then answer 503 — seen with bursts of requests whose tokens were not
# cached. So the dependencies that query in a thread end their transaction there (``released``), and sessions
# are closed on threads of their own (``_closing``), never behind requests waiting for a connection.
_CLOSING: RunVar[CapacityLimiter] = RunVar("banqo_closing_limiter")


def _limiter(threads: RunVar[CapacityLimiter], default_size: int) -> CapacityLimiter:
    """This event loop's limiter in ``threads``, made of ``default_size`` threads on first use."""
    try:
        return threads.get()
    except LookupError:
        limiter = CapacityLimiter(default_size)
        threads.set(limiter)
        return limiter


def _closing() -> CapacityLimiter:
    """The threads that give connections back to the pool."""
    return _limiter(_CLOSING, 16)


_QUICK: RunVar[CapacityLimiter] = RunVar("banqo_quick_limiter")
QUICK_THREADS = {"sqlite": 2, "postgresql": 8}  # default sizes of the quick reads' threads, by database


def quick(endpoint: Callable[..., T]) -> Callable[..., T]:
    """Marks a route as a quick read (the search, the résumé, a list…): short indexed reads (the résumé may
    also write an old account's trial, once). ``ApiRoute`` runs those on a few threads of their own
    (``quick_threads``) instead of the shared pool."""
    endpoint.banqo_quick = True  # type: ignore[attr-defined]
    return endpoint


def use_quick_threads(count: int) -> None:
    """Size this event loop's quick-read threads (called by the app's lifespan, from its settings)."""
    _QUICK.set(CapacityLimiter(count))


def _quick_threads() -> CapacityLimiter:
    """The quick reads' threads: sized by the lifespan, or SQLite's default where it did not run (tests)."""
    return _limiter(_QUICK, QUICK_THREADS["sqlite"])


class ApiRoute(APIRoute):
    """The API's routes (every router's ``route_class``). A plain ``def`` route runs in a thread, where it ends
    its session's transaction when it returns (rolled back: a route commits what it writes), so that its
    connection is back in the pool before anything else happens; FastAPI then validates its answer on the event
    loop (the route is seen as ``async``), without another hop to a thread. Objects read stay usable: a rollback
    reloads them when they are read again.

    Quick reads (``@quick``) run on a few threads of their own, all others on the shared pool (anyio's, 40
    threads). Python runs one thread at a time: twenty searches on twenty threads spend their time handing that
    lock over, and the throughput drops by a third (docs/decisions.md); a write waiting for SQLite's lock, or a
    PDF being drawn, never holds up a search either."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _in_thread(endpoint, quick=getattr(endpoint, "banqo_quick", False))
        super().__init__(path, endpoint, **kwargs)


def _in_thread(endpoint: Callable[..., T], *, quick: bool) -> Callable[..., Awaitable[T]]:
    def run(kwargs: dict[str, Any]) -> T:
        result = endpoint(**kwargs)  # a route that raises leaves its session to get_db (closed on its own thread)
        for value in kwargs.values():
            if isinstance(value, Session) and value.in_transaction():
                value.rollback()
        return result

    @functools.wraps(endpoint)
    async def in_thread(**kwargs: Any) -> T:
        limiter = _quick_threads() if quick else None
        return await to_thread.run_sync(run, kwargs, limiter=limiter)

    return in_thread


def released(db: Session, work: Callable[..., T], *args: Any) -> T:
    """``work(*args)``, then the session's transaction ended (committed: nothing is pending after a read, and
    the objects read stay loaded), so that its connection goes back to the pool before the next hop."""
    result = work(*args)
    if db.in_transaction():
        db.commit()
    return result


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session for the request; closed afterwards: here when it holds no connection (no query was made, or
    ``ApiRoute`` ended its transaction in the route's thread) — a hop to a thread and back costs more than that —
    and on a closing thread when it still holds one (a route that raised, say: giving the connection back to
    the pool rolls back, which is I/O)."""
    db = request.app.state.session_factory()  # no I/O: the connection is taken at the first query
    try:
        yield db
    finally:
        if db.in_transaction():
            await to_thread.run_sync(db.close, limiter=_closing())
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
    return await run_in_threadpool(released, db, auth.authenticate, db, settings, token, cache)


CurrentSession = Annotated[AccountSession, Depends(current_session)]


def current_account(session: CurrentSession, db: DbSession) -> Account:
    return released(db, lambda: session.account)  # a session from the cache loads its account here


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

        await run_in_threadpool(released, db, billing.check_writable, db, settings, session.account_id)
