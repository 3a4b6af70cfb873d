"""A burst of requests never stalls the server: no request waits for a thread of the pool while its session
holds a database connection (when every thread waits for a connection and every connection waits for a
thread, nothing moves until the pool's timeout — 30 s, then 503 for everyone)."""

from __future__ import annotations

import asyncio
import time

import anyio.to_thread
import httpx
import pytest

from banqo_server.app import create_app
from tests.server.conftest import PASSWORD

THREADS = 2  # the thread pool of a server under a burst: every thread busy
BURST = 24  # more requests at once than the database pool has connections (5 + 10)


@pytest.mark.parametrize("path", ["/collection/goals?q=lire", "/me/summary", "/sessions", "/learners"])
def test_a_burst_of_newly_seen_tokens_is_answered_at_once_with_every_thread_busy(settings, path):
    app = create_app(settings)

    async def burst() -> list[int]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://banqo.test/api/v1") as client:
            body = {"email": "burst@example.org", "password": PASSWORD, "first_name": "Léa", "last_name": "T"}
            assert (await client.post("/accounts", json=body)).status_code == 201
            # Tokens this process has not seen yet: each request reads its session from the database.
            tokens = []
            for _ in range(BURST):
                answer = await client.post("/sessions", json={"email": body["email"], "password": PASSWORD})
                assert answer.status_code == 201, answer.text
                tokens.append(answer.json()["token"])
            app.state.session_cache = type(app.state.session_cache)()  # forget them: all misses

            async def one(token: str) -> int:
                answer = await client.get(path, headers={"Authorization": f"Bearer {token}"})
                return answer.status_code

            return await asyncio.wait_for(asyncio.gather(*(one(token) for token in tokens)), timeout=20)

    started = time.monotonic()
    try:
        statuses = asyncio.run(burst())
    finally:
        app.state.engine.dispose()
        app.state.processor.close()
    assert statuses == [200] * BURST
    assert time.monotonic() - started < 15


def test_a_burst_of_signed_in_support_messages_is_answered_at_once_with_every_thread_busy(settings):
    """``POST /support/messages`` reads the sender's session in a dependency of its own (a token is optional
    there): it ends its transaction in its thread before the route takes another."""
    app = create_app(settings)

    async def burst() -> list[int]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://banqo.test/api/v1") as client:
            body = {"email": "aide@example.org", "password": PASSWORD, "first_name": "Léa", "last_name": "T"}
            assert (await client.post("/accounts", json=body)).status_code == 201
            tokens = []
            for _ in range(BURST):
                answer = await client.post("/sessions", json={"email": body["email"], "password": PASSWORD})
                assert answer.status_code == 201, answer.text
                tokens.append(answer.json()["token"])

            async def one(n: int, token: str) -> int:
                message = {"subject": f"Question {n}", "message": "Comment exporter ma collection?"}
                answer = await client.post(
                    "/support/messages", json=message, headers={"Authorization": f"Bearer {token}"}
                )
                return answer.status_code

            return await asyncio.wait_for(asyncio.gather(*(one(n, t) for n, t in enumerate(tokens))), timeout=20)

    started = time.monotonic()
    try:
        statuses = asyncio.run(burst())
    finally:
        app.state.engine.dispose()
        app.state.processor.close()
    assert set(statuses) <= {201, 429} and 201 in statuses, statuses  # past the hourly limit: 429, said at once
    assert time.monotonic() - started < 15


def test_every_route_of_the_api_releases_its_connection_before_its_answer_is_validated():
    """Every router's ``route_class`` is ``ApiRoute`` (see deps.py): a new router cannot forget it."""
    from banqo_server.deps import ApiRoute
    from banqo_server.routes import api_router

    def routes(router) -> list:
        found = []
        for route in router.routes:
            found += routes(route.original_router) if hasattr(route, "original_router") else [route]
        return found

    every = routes(api_router())
    assert len(every) > 60
    assert [route.path for route in every if not isinstance(route, ApiRoute)] == []


def test_changes_of_one_subscription_at_once_never_hold_its_lock_while_waiting_for_a_thread(settings):
    """Changing the subscription locks its row (``SELECT … FOR UPDATE``) for the whole change. Were the lock
    taken in one hop to a thread and the change made in another, more changes at once than threads would
    stand still for good on PostgreSQL: every thread waiting for the row, its holder waiting for a thread."""
    app = create_app(settings)
    changes = THREADS * 3

    async def at_once() -> list[int]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://banqo.test/api/v1") as client:
            body = {"email": "verrou@example.org", "password": PASSWORD, "first_name": "Léa", "last_name": "T"}
            token = (await client.post("/accounts", json=body)).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            current = await client.get("/subscription", headers=headers)
            assert current.status_code == 200, current.text
            version = current.headers["ETag"]

            async def change(n: int) -> int:
                answer = await client.patch(
                    "/subscription",
                    json={"billing_details": f"École des Érables, bon de commande {n}"},
                    headers={**headers, "If-Match": version},
                )
                return answer.status_code

            return await asyncio.wait_for(asyncio.gather(*(change(n) for n in range(changes))), timeout=20)

    started = time.monotonic()
    try:
        statuses = asyncio.run(at_once())
    finally:
        app.state.engine.dispose()
        app.state.processor.close()
    assert sorted(statuses) == [200] + [412] * (changes - 1)  # one change made, the others told it is stale
    assert time.monotonic() - started < 15
