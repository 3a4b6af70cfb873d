"""The client in front of a server whose database another process has locked: it waits what ``Retry-After``
asks and tries again (reads; writes only when a repeat cannot do the work twice), then succeeds, or says
plainly what is going on. The server is the real app on a real SQLite file; the lock, a real second process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from banqo_tui.api import errors
from banqo_tui.api.client import BanqoClient
from tests.conftest import CHEAP_ARGON2, MovableClock
from tests.server.test_server_faults import BUSY, LockHolder

PASSWORD = "une phrase de passe"


@pytest.fixture(scope="module")
def fault_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One server for the module (each test signs up its own teacher): starting one costs seconds."""
    from banqo_server.app import create_app
    from banqo_server.settings import Settings

    folder = tmp_path_factory.mktemp("client-faults")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'banqo.sqlite3'}",
        data_dir=folder,
        clock=MovableClock(),
        billing_interval=None,
        sqlite_busy_timeout_ms=200,
        **CHEAP_ARGON2,
    )
    app = create_app(settings)
    yield app
    app.state.engine.dispose()
    app.state.processor.close()


class CountingTransport(httpx.ASGITransport):
    """The app in-process, counting the requests that reach it by method."""

    def __init__(self, app: Any) -> None:
        super().__init__(app=app, client=("127.0.0.1", 50000))
        self.sent: dict[str, int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent[request.method] = self.sent.get(request.method, 0) + 1
        return await super().handle_async_request(request)


@pytest.fixture
def transport(fault_app: Any) -> CountingTransport:
    return CountingTransport(fault_app)


@pytest.fixture
async def api(transport: CountingTransport, request: pytest.FixtureRequest) -> AsyncIterator[BanqoClient]:
    email = f"{request.node.name[:40]}@example.org"
    async with BanqoClient("http://banqo.test", transport=transport, retries=2, retry_backoff=0.05) as client:
        await client.accounts.sign_up(email=email, password=PASSWORD, first_name="Léa", last_name="Roy")
        yield client


def database(app: Any) -> Path:
    return Path(app.state.engine.url.database)


#: How long the other process holds the lock in the retry test: well past the server's busy timeout (0.2 s), so
#: that the first attempt gets its 503 even when a loaded machine is slow to send it, and under the client's
#: first wait (``Retry-After: 1``), so that the second attempt lands.
HELD = 0.8


async def release_after(holder: LockHolder, seconds: float) -> None:
    await asyncio.sleep(seconds)
    await asyncio.to_thread(holder.release)


async def test_a_read_waits_what_retry_after_asks_then_succeeds_or_says_why(api: BanqoClient, fault_app: Any) -> None:
    fault_app.state.engine.dispose()  # so that a backup tool's exclusive mode can lock out readers too
    holder = LockHolder(database(fault_app), "exclusive")
    try:
        started = time.monotonic()
        with pytest.raises(errors.ServiceUnavailable) as raised:
            await api.me.summary()
        given_up = time.monotonic() - started
        assert raised.value.message == BUSY
        assert raised.value.retry_after == 1
        assert 2.0 <= given_up < 6.0  # two waits of Retry-After: 1 s, then the error

        releasing = asyncio.create_task(release_after(holder, HELD))
        started = time.monotonic()
        summary = await api.me.summary()
        assert time.monotonic() - started >= 1.0  # the second attempt came after Retry-After
        await releasing
    finally:
        holder.stop()
    assert summary.first_name == "Léa"


async def test_idempotent_writes_are_sent_again_and_land_once_and_others_are_not_sent_again(
    api: BanqoClient, fault_app: Any, transport: CountingTransport
) -> None:
    goal = await api.collection.create("Compter jusqu'à 20")
    holder = LockHolder(database(fault_app))
    try:
        transport.sent.clear()
        with pytest.raises(errors.ServiceUnavailable) as raised:
            await api.learners.create("Zoé")  # a plain POST: a repeat could create it twice
        assert transport.sent == {"POST": 1}
        assert raised.value.message == BUSY
        transport.sent.clear()
        releasing = asyncio.create_task(release_after(holder, HELD))
        created = await api.collection.create("Lire un mot", idempotency_key="typed-once")
        await releasing
        holder = LockHolder(database(fault_app))
        releasing = asyncio.create_task(release_after(holder, HELD))
        changed = await api.collection.update(goal.id, goal.version, text="Compter jusqu'à 30")
        await releasing
    finally:
        holder.stop()
    assert transport.sent["POST"] >= 2 and transport.sent["PATCH"] >= 2
    assert await api.learners.list() == []
    assert changed.version == goal.version + 1
    assert sorted(item.text for item in await api.collection.list()) == ["Compter jusqu'à 30", created.text]


async def test_a_long_retry_after_or_a_bare_503_is_said_at_once() -> None:
    calls = 0

    async def maintenance(scope: Any, receive: Any, send: Any) -> None:  # a proxy in front, during maintenance
        nonlocal calls
        calls += 1
        await send({"type": "http.response.start", "status": 503, "headers": [(b"retry-after", b"600")]})
        await send({"type": "http.response.body", "body": b"<html>Maintenance</html>"})

    transport = httpx.ASGITransport(app=maintenance)
    async with BanqoClient("http://banqo.test", transport=transport, retries=2, retry_backoff=0.01) as client:
        with pytest.raises(errors.ServiceUnavailable) as raised:
            await client.health()
    assert calls == 1
    assert raised.value.retry_after == 600
    assert raised.value.message == "Le serveur BanqO est momentanément indisponible. Réessayez dans quelques instants."
