"""The server's periodic billing run, every ``settings.billing_interval``.

It starts with the first request the app answers — under uvicorn and in the terminal app's embedded server
alike (httpx's ASGI transport runs no lifespan) — and stops with the app. Several server processes may each
run it: ``billing.run`` locks each subscription it handles and skips those another run holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from banqo_server.services import billing

log = logging.getLogger("banqo_server.billing")


class BillingTask:
    def __init__(self, session_factory: Any, settings: Any, processor: Any) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.processor = processor
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def ensure_started(self) -> None:
        """Start the loop in the running event loop, once; nothing when the interval is None."""
        if not self.settings.billing or self.settings.billing_interval is None or self.running:
            return
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="banqo-billing")

    async def _loop(self) -> None:
        interval = self.settings.billing_interval.total_seconds()
        while True:
            try:
                report = await asyncio.to_thread(billing.run, self.session_factory, self.settings, self.processor)
                if report.renewed or report.declined or report.ended or report.purged or report.failed:
                    log.info("billing run: %s", report)
            except Exception:
                log.exception("billing run failed")
            await asyncio.sleep(interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None


class StartBillingTask:
    """ASGI middleware: makes sure the billing task runs once requests arrive."""

    def __init__(self, app: Any, task: BillingTask) -> None:
        self.app = app
        self.task = task

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.task.ensure_started()
        await self.app(scope, receive, send)
