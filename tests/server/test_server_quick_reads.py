"""Quick reads (the search, the résumé, the lists: ``deps.quick``) run on threads of their own: a search is
answered at once while writes hold every thread of the shared pool — here, writes waiting for a database that
another process has locked."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import time
from dataclasses import replace
from typing import Any

import anyio.to_thread
import httpx
import psycopg
from sqlalchemy.engine import make_url

from banqo_server.app import create_app
from banqo_server.settings import Settings
from tests.server.conftest import PASSWORD

SHARED_THREADS = 2


class Locked:
    """Another process's lock on the goals: SQLite's write lock, or a PostgreSQL table lock that lets reads
    through and makes every insert wait."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite":
            self.connection: object = sqlite3.connect(url.database, isolation_level=None)
            self.connection.execute("BEGIN IMMEDIATE")  # type: ignore[attr-defined]
        else:
            dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
            self.connection = psycopg.connect(dsn)
            self.connection.execute("LOCK TABLE goals IN SHARE ROW EXCLUSIVE MODE")  # type: ignore[attr-defined]

    def release(self) -> None:
        self.connection.rollback()  # type: ignore[attr-defined]
        self.connection.close()  # type: ignore[attr-defined]


def test_a_search_is_answered_while_writes_hold_every_shared_thread(settings: Settings) -> None:
    app = create_app(settings)
    app.state.session_cache.ttl = 600  # no request reads (or refreshes) its session: only the goals are locked

    async def scenario() -> tuple[int, str, list[int], bool]:
        shared = anyio.to_thread.current_default_thread_limiter()
        shared.total_tokens = SHARED_THREADS
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://banqo.test/api/v1") as client:
            account = {"email": "rapide@example.org", "password": PASSWORD, "first_name": "Léa", "last_name": "T"}
            token = (await client.post("/accounts", json=account)).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            added = await client.post("/collection/goals", json={"text": "Lire un court texte."}, headers=headers)
            assert added.status_code == 201, added.text
            assert (await client.get("/collection/goals", params={"q": "lire"}, headers=headers)).status_code == 200

            lock = Locked(settings.database_url)
            try:
                writes = [
                    asyncio.ensure_future(
                        client.post("/collection/goals", json={"text": f"Écrire la phrase {n}."}, headers=headers)
                    )
                    for n in range(SHARED_THREADS)
                ]
                deadline = time.monotonic() + 10
                while shared.borrowed_tokens < SHARED_THREADS and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
                assert shared.borrowed_tokens == SHARED_THREADS  # both writes wait in the shared threads
                search = await asyncio.wait_for(
                    client.get("/collection/goals", params={"q": "lire"}, headers=headers), timeout=5
                )
                writes_waiting = not any(write.done() for write in writes)
            finally:
                lock.release()
            written = [answer.status_code for answer in await asyncio.wait_for(asyncio.gather(*writes), 30)]
            return search.status_code, search.json()["items"][0]["text"], written, writes_waiting

    try:
        status, text, written, writes_waiting = asyncio.run(scenario())
    finally:
        app.state.engine.dispose()
        app.state.processor.close()
    assert (status, text) == (200, "Lire un court texte.")
    assert writes_waiting  # the search did not need them to finish
    assert written == [201] * SHARED_THREADS  # and nothing was lost once the lock was gone


def test_the_quick_threads_follow_the_setting(settings: Settings) -> None:
    from banqo_server import deps

    async def sizes() -> list[float]:
        found = []
        for count in (1, 5):
            app = create_app(replace(settings, quick_threads=count))
            async with app.router.lifespan_context(app):
                found.append(deps._quick_threads().total_tokens)
            app.state.engine.dispose()
            app.state.processor.close()
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            found.append(deps._quick_threads().total_tokens)
        app.state.engine.dispose()
        app.state.processor.close()
        return found

    expected_default = 2 if settings.database_url.startswith("sqlite") else 8
    assert asyncio.run(sizes()) == [1, 5, expected_default]


def test_the_objects_built_at_start_are_kept_out_of_the_collector_while_the_app_runs(settings: Settings) -> None:
    app = create_app(settings)

    async def counts() -> tuple[int, int]:
        async with app.router.lifespan_context(app):
            running = gc.get_freeze_count()
        return running, gc.get_freeze_count()

    try:
        running, after = asyncio.run(counts())
    finally:
        app.state.engine.dispose()
        app.state.processor.close()
    assert running > 10_000  # the routes, the models, the catalogue…: a full collection skips them
    assert after == 0  # collectable again once the app has stopped (a process that goes on)


def test_the_routes_are_built_when_the_app_starts_not_at_the_first_requests(settings: Settings, monkeypatch) -> None:
    """FastAPI builds a router's routes (their dependencies and parameters) at the first request that reaches
    it, 15 to 50 ms a router; the app builds them all as it starts, so that no teacher waits for it."""
    import fastapi.dependencies.utils

    built: list[str] = []
    original = fastapi.dependencies.utils.get_dependant

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(kwargs.get("path", "?"))
        return original(*args, **kwargs)

    monkeypatch.setattr(fastapi.dependencies.utils, "get_dependant", counted)
    app = create_app(settings)

    async def first_requests() -> tuple[int, list[int]]:
        async with app.router.lifespan_context(app):
            at_start = len(built)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://banqo.test/api/v1") as client:
                paths = ("/health", "/collection/goals", "/plans", "/learners", "/me/summary", "/invoices")
                statuses = [(await client.get(path)).status_code for path in paths]
        return at_start, statuses

    try:
        at_start, statuses = asyncio.run(first_requests())
    finally:
        app.state.engine.dispose()
        app.state.processor.close()
    assert statuses == [200, 401, 401, 401, 401, 401]
    assert at_start > 50  # every route of the API, as it started
    assert len(built) == at_start, built[at_start:]  # and nothing more at the first requests
