"""A burst of requests never stalls the server: no request waits for a thread of the pool while its session
holds a database connection (when every thread waits for a connection and every connection waits for a
thread, nothing moves until the pool's timeout — 30 s, then 503 for everyone)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import anyio.to_thread
import httpx
import pytest

from banqo_server.app import create_app
from tests.server.conftest import PASSWORD

THREADS = 2  # the thread pool of a server under a burst: every thread busy
BURST = 24  # more requests at once than the database pool has connections (5 + 10)


def _burst(settings, send: Callable[[httpx.AsyncClient, int, str], Awaitable[int]]) -> list[int]:
    """``send(client, n, token)`` for ``BURST`` tokens this process has not seen yet (each request reads its
    session from the database), all at once, on ``THREADS`` threads; the statuses, within 15 s."""
    app = create_app(settings)

    async def burst() -> list[int]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://banqo.test/api/v1") as client:
            body = {"email": "burst@example.org", "password": PASSWORD, "first_name": "Léa", "last_name": "T"}
            assert (await client.post("/accounts", json=body)).status_code == 201
            tokens = []
            for _ in range(BURST):
                answer = await client.post("/sessions", json={"email": body["email"], "password": PASSWORD})
                assert answer.status_code == 201, answer.text
                tokens.append(answer.json()["token"])
            app.state.session_cache = type(app.state.session_cache)()  # forget them: all misses
            sent = (send(client, n, token) for n, token in enumerate(tokens))
            return await asyncio.wait_for(asyncio.gather(*sent), timeout=20)

    started = time.monotonic()
    try:
        statuses = asyncio.run(burst())
    finally:
        app.state.engine.dispose()
        app.state.processor.close()
    assert time.monotonic() - started < 15
    return statuses


@pytest.mark.parametrize("path", ["/collection/goals?q=lire", "/me/summary", "/sessions", "/learners"])
def test_a_burst_of_newly_seen_tokens_is_answered_at_once_with_every_thread_busy(settings, path):
    async def read(client: httpx.AsyncClient, _n: int, token: str) -> int:
        return (await client.get(path, headers={"Authorization": f"Bearer {token}"})).status_code

    assert _burst(settings, read) == [200] * BURST


def test_a_burst_of_signed_in_support_messages_is_answered_at_once_with_every_thread_busy(settings):
    """``POST /support/messages`` reads the sender's session in a dependency of its own (a token is optional
    there): it ends its transaction in its thread before the route takes another."""

    async def write(client: httpx.AsyncClient, n: int, token: str) -> int:
        message = {"subject": f"Question {n}", "message": "Comment exporter ma collection?"}
        answer = await client.post("/support/messages", json=message, headers={"Authorization": f"Bearer {token}"})
        return answer.status_code

    statuses = _burst(settings, write)
    assert set(statuses) <= {201, 429} and 201 in statuses, statuses  # past the hourly limit: 429, said at once


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
