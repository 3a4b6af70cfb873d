"""Fixtures of the terminal-app tests: the real API in-process, a test keyring, an 80×24 pilot."""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest
from keyring.backends import null

from banqo_tui import i18n
from banqo_tui.config import Config

SIZE = (80, 24)
PASSWORD = "une phrase de passe"
DEVICE = "Terminal de test"


@pytest.fixture(autouse=True)
def french_and_fixed_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """French interface, Montréal time (dates in snapshots do not depend on the machine)."""
    monkeypatch.setenv("TZ", "America/Toronto")
    time.tzset()
    i18n.setup("fr")
    yield
    i18n.setup("fr")
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def server_app(tmp_path: Path, cheap_settings: Callable[..., Any]) -> Any:
    from banqo_server.app import create_app

    return create_app(cheap_settings(database_url=f"sqlite:///{tmp_path / 'banqo-test.sqlite3'}"))


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """No usable keyring, as over SSH: the token lives in memory for the run."""
    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    return tmp_path / "state" / "accounts.json"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(server_url=None, language="fr", theme="banqo", data_dir=tmp_path / "data")


@pytest.fixture
def make_connection(server_app: Any, config: Config) -> Callable[[], Any]:
    """A ``Connection`` whose client talks to the in-process test server."""
    from banqo_tui.connection import Connection

    def make() -> Any:
        async def factory() -> Any:
            from banqo_tui.api.client import BanqoClient

            transport = httpx.ASGITransport(app=server_app, client=("127.0.0.1", 50000))
            return BanqoClient(
                "http://banqo.test", transport=transport, language=i18n.http_language(), retries=0
            )

        return Connection(config, client_factory=factory)

    return make


@pytest.fixture
def make_app(config: Config, make_connection: Callable[[], Any], state_file: Path) -> Callable[..., Any]:
    """A new ``BanqoApp`` on the test server: each call is a new run of the program."""
    from banqo_tui.app import BanqoApp
    from banqo_tui.credentials import CredentialStore

    def make(**overrides: Any) -> BanqoApp:
        credentials = overrides.pop("credentials", None) or CredentialStore(state_file, timeout=5)
        return BanqoApp(config, make_connection(), credentials, device=DEVICE, **overrides)

    return make


@pytest.fixture
def create_account(server_app: Any, clock: Any) -> Callable[..., Awaitable[None]]:
    """Create an account straight through the API (faster than typing it)."""

    async def create(
        email: str = "camille@example.org",
        first_name: str = "Camille",
        last_name: str = "Tremblay",
        password: str = PASSWORD,
    ) -> None:
        from banqo_tui.api.client import BanqoClient

        transport = httpx.ASGITransport(app=server_app, client=("127.0.0.1", 50001))
        async with BanqoClient("http://banqo.test", transport=transport, retries=0) as client:
            await client.accounts.sign_up(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                device="Ordinateur de l'école",
            )
            clock.advance(minutes=5)  # distinct moments: the activity list has one order
            await client.sessions.sign_out()
            clock.advance(minutes=5)

    return create


def _quiet(app: Any) -> bool:
    """Nothing under way in ``app``: no worker pending or running, no message or callback waiting in the app or
    in a widget of its screens, no animation running or scheduled."""
    from textual.worker import WorkerState

    if any(worker.state in (WorkerState.PENDING, WorkerState.RUNNING) for worker in app.workers):
        return False
    animator = app.animator
    if getattr(animator, "_animations", None) or getattr(animator, "_scheduled", None):
        return False
    pumps = [app]
    for screen in app.screen_stack:
        pumps.extend(screen.walk_children(with_self=True))
    return not any(pump._message_queue.qsize() or pump._next_callbacks for pump in pumps)


async def settle(pilot: Any, rounds: int = 6) -> None:
    """Let workers finish and the screen catch up: up to ``rounds`` rounds of waiting for the workers and then
    for the screen, and fewer once two rounds in a row ended with nothing under way (``_quiet``) — a round costs
    a repaint, and the tests settle thousands of times."""
    from textual.worker import WorkerFailed

    quiet_rounds = 0
    for _ in range(rounds):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerFailed:
            # A worker that fails is how some answers arrive (the sign-in that asks for the two-step code): the
            # app reports it itself (on_worker_state_changed) and the test checks what the screen shows. Caught
            # here only when the worker was still running as the wait began, so it used to fail under load.
            pass
        await pilot.pause()
        quiet_rounds = quiet_rounds + 1 if _quiet(pilot.app) else 0
        if quiet_rounds == 2:
            return


def keys(text: str) -> list[str]:
    """The key presses that type ``text``."""
    return ["space" if char == " " else char for char in text]


async def type_into(pilot: Any, field_id: str, text: str, *, keystrokes: bool = False) -> None:
    """Focus a field of the current screen and put ``text`` in it (typed key by key with ``keystrokes``)."""
    field = pilot.app.screen.query_one(f"#{field_id}")
    field.input.focus()
    await pilot.pause()
    if keystrokes:
        await pilot.press(*keys(text))
    else:
        field.input.insert_text_at_cursor(text)
        await pilot.pause()


def no_blink(app: Any) -> None:
    from textual.widgets import Input

    for widget in app.screen.query(Input):
        widget.cursor_blink = False


os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
# The SVG snapshots are drawn with BanqO's own theme: a truecolor terminal, whatever runs the tests (with
# TERM=xterm or NO_COLOR the app would take the terminal's 16 colours; test_terminal_snapshots checks those).
os.environ["COLORTERM"] = "truecolor"
os.environ.pop("NO_COLOR", None)
