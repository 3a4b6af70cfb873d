"""The client against the real API, in-process (httpx ASGITransport around create_app)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from banqo_tui.api.client import BanqoClient


def cheap_settings(tmp_path: Path, **overrides):
    from banqo_server.settings import Settings

    return Settings(data_dir=tmp_path, argon2_time_cost=1, argon2_memory_cost=1024, argon2_parallelism=1,
                    **overrides)


@pytest.fixture
def server_app(tmp_path: Path):
    from banqo_server.app import create_app

    return create_app(cheap_settings(tmp_path))


@pytest.fixture
async def client(server_app) -> AsyncIterator[BanqoClient]:
    transport = httpx.ASGITransport(app=server_app, client=("127.0.0.1", 50000))
    async with BanqoClient("http://banqo.test", transport=transport) as api:
        yield api


@pytest.fixture
def new_client(server_app):
    """Another client of the same server (another device, another teacher)."""
    made: list[BanqoClient] = []

    def make(language: str = "fr-CA") -> BanqoClient:
        transport = httpx.ASGITransport(app=server_app, client=("127.0.0.1", 50001))
        api = BanqoClient("http://banqo.test", transport=transport, language=language)
        made.append(api)
        return api

    yield make
