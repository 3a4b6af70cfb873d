"""Which BanqO API the app talks to, and the client for it.

With no server configured, the API runs in this process (httpx ``ASGITransport`` around
``banqo_server.app.create_app``) on a SQLite file in the user's data folder: same client, same contract,
no port opened. ``--server URL`` talks to a remote ``banqo-server``; ``--demo`` runs the embedded API on a
separate demo database holding a sample account.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from banqo_tui.config import Config

if TYPE_CHECKING:
    from banqo_tui.api.client import BanqoClient

ClientFactory = Callable[[], Awaitable["BanqoClient"]]

EMBEDDED_BASE_URL = "http://banqo.embedded"
DEMO_DATABASE = "demo.sqlite3"


def embedded_settings(data_dir: Path, *, demo: bool = False) -> Any:
    """The in-process server's settings: the environment's, with the database in ``data_dir``."""
    import os

    from banqo_server.settings import DATABASE_FILE, Settings, sqlite_url

    settings = Settings.from_env()
    if not os.environ.get("BANQO_BILLING"):
        # BanqO on the teacher's own computer bills no one, and never deletes her data for want of a card;
        # the demo shows the subscription screens with the sandbox processor.
        settings = replace(settings, billing=demo)
    if demo:
        return replace(settings, data_dir=data_dir, database_url=sqlite_url(data_dir / DEMO_DATABASE))
    if os.environ.get("BANQO_DATABASE_URL"):
        return settings
    return replace(settings, data_dir=data_dir, database_url=sqlite_url(data_dir / DATABASE_FILE))


def _prepare_data_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    try:
        path.chmod(0o700)  # the database holds the teacher's collection: readable by its owner only
    except OSError:
        pass


class Connection:
    """The API this run uses; builds its client on first use (slow: call it in a worker)."""

    def __init__(self, config: Config, client_factory: ClientFactory | None = None) -> None:
        self.config = config
        self._factory = client_factory
        self._client: BanqoClient | None = None
        self._lock = asyncio.Lock()
        self._settings: Any = None
        self._app: Any = None

    @property
    def label(self) -> str:
        return self.config.server_label

    @property
    def is_demo(self) -> bool:
        return self.config.demo

    @property
    def is_embedded(self) -> bool:
        return self.config.server_url is None

    async def client(self) -> BanqoClient:
        """The client, built once: for the embedded default this starts the API in-process."""
        async with self._lock:
            if self._client is None:
                self._client = await (self._factory() if self._factory else self._build())
            return self._client

    async def _build(self) -> BanqoClient:
        from banqo_tui.api.client import BanqoClient
        from banqo_tui.i18n import http_language

        if self.config.server_url:
            return BanqoClient(self.config.server_url, language=http_language())
        transport = await asyncio.to_thread(self._embedded_transport)
        return BanqoClient(EMBEDDED_BASE_URL, language=http_language(), transport=transport, retries=0)

    def _embedded_transport(self) -> Any:
        import httpx

        from banqo_server.app import create_app

        settings = embedded_settings(self.config.data_dir, demo=self.config.demo)
        if settings.database_url.startswith("sqlite"):
            _prepare_data_dir(self.config.data_dir)
        self._settings = settings
        self._app = create_app(settings)
        return httpx.ASGITransport(app=self._app, client=("127.0.0.1", 0))

    async def demo_token(self) -> str:
        """A fresh session token of the demo account (demo mode only)."""
        if not self.is_demo:
            raise RuntimeError("not in demo mode")
        await self.client()
        from banqo_server.demo import ensure_demo_account

        settings = self._settings or embedded_settings(self.config.data_dir, demo=True)
        return await asyncio.to_thread(ensure_demo_account, settings)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._app is not None:
            await self._app.state.billing_task.stop()  # the embedded server's periodic billing run
            self._app = None
