"""The client against the real API, in-process (httpx ASGITransport around create_app)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from banqo_tui.api.client import BanqoClient


@pytest.fixture
def server_app(cheap_settings):
    from banqo_server.app import create_app

    return create_app(cheap_settings())


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
