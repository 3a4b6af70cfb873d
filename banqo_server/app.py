"""``create_app(settings)``: the BanqO API as an ASGI application."""

from __future__ import annotations

import copy
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.types import Message, Scope

from banqo_server import __version__, limits, problems
from banqo_server.billing_task import BillingTask, StartBillingTask
from banqo_server.db import make_engine, make_session_factory
from banqo_server.deps import QUICK_THREADS, use_quick_threads
from banqo_server.i18n import LanguageMiddleware
from banqo_server.migrations import upgrade
from banqo_server.payments import processor_for
from banqo_server.routes import API_PREFIX, api_router
from banqo_server.services import auth, billing, catalogue
from banqo_server.services.passwords import Passwords
from banqo_server.settings import Settings

DESCRIPTION = (
    "The BanqO API: accounts, sessions, the teacher's summary, the goal bank (catalogue, collection, "
    "learners). Errors are RFC 9457 "
    "`application/problem+json` with per-field messages in `errors`, translated from `Accept-Language` "
    "(fr-CA by default, en-CA)."
)


async def ready_routes(app: FastAPI) -> None:
    """Build every route before the first request. FastAPI builds a router's routes (their dependencies, the
    models of their parameters) at the first request that reaches the router: 15 to 50 ms a router, paid by the
    first teachers after each start. A request for a path that no route has is matched against every route."""

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: Message) -> None:
        pass  # its 404 goes nowhere

    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/-",
        "raw_path": b"/-",
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "client": None,
        "server": None,
    }
    await app.router(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API on ``settings``' database (migrated to the head first); ``Settings.from_env()`` by default."""
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    upgrade(engine)
    catalogue.sync(engine, settings.now())

    billing.check_seller(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        use_quick_threads(settings.quick_threads or QUICK_THREADS.get(engine.dialect.name, 8))
        await ready_routes(app)
        # What was built until now (routes, models, the catalogue…) lives as long as the process: out of the
        # collector's reach, a full collection scans thousands of objects instead of 200,000 — a pause of 2 ms
        # instead of 120 ms in the middle of requests.
        gc.collect()
        gc.freeze()
        yield
        gc.unfreeze()  # collectable again (a process that goes on: tests, one app after another)
        await app.state.billing_task.stop()
        engine.dispose()
        close_processor = getattr(app.state.processor, "close", None)
        if close_processor is not None:
            close_processor()

    app = FastAPI(
        title="BanqO API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    # Sessions authenticated in the last 2 s skip the token's database read (bound: services/auth.SessionCache).
    app.state.session_cache = auth.SessionCache()
    app.state.passwords = Passwords(
        settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
    )
    app.state.processor = processor_for(settings)
    app.state.billing_task = BillingTask(app.state.session_factory, settings, app.state.processor)
    problems.install(app)
    limits.install(app, settings)  # inside the language middleware: its refusals are translated
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(StartBillingTask, task=app.state.billing_task)
    app.include_router(api_router())
    if settings.payment_processor == "sandbox":
        from banqo_server.routes import sandbox_processor

        app.include_router(sandbox_processor.router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _openapi_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _openapi_document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with error answers under ``application/problem+json`` where they really are."""
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                if status[:1] in {"4", "5"} and "application/json" in content:
                    content[problems.PROBLEM_MEDIA_TYPE] = content.pop("application/json")
            if "requestBody" in operation:  # every body passes through ``limits.BodyLimit``
                for status, answer in _BODY_ANSWERS.items():
                    operation.setdefault("responses", {}).setdefault(status, copy.deepcopy(answer))
            # Any operation may meet a database locked by another process or out of reach.
            operation.setdefault("responses", {}).setdefault("503", copy.deepcopy(_UNAVAILABLE_ANSWER))
    return document


_UNAVAILABLE_ANSWER: dict[str, Any] = {
    "description": "The database is busy (locked by another process) or out of reach: nothing was changed; "
    "retry after `Retry-After` seconds",
    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    "content": {problems.PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


_BODY_ANSWERS: dict[str, dict[str, Any]] = {
    "413": {
        "description": "The body is too large (`BANQO_MAX_BODY_BYTES`, 1 MiB by default; the import and the photo "
        "have their own limits): refused before it is read whole",
        "content": {problems.PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    },
    "415": {
        "description": "The body is compressed (`Content-Encoding`): the server never decompresses a request",
        "content": {problems.PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    },
}
