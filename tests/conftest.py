"""What every part of the suite shares: a clock tests move by hand, and server settings cheap to test with."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

#: Argon2id at its lowest cost: the hash is still real, and the suite stays fast.
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost": 8, "argon2_parallelism": 1}


class MovableClock:
    """The server's clock, still unless a test moves it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow", action="store_true", help="also run the tests marked slow (scale, long fuzzing runs)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` run only when asked (``--run-slow`` or ``BANQO_RUN_SLOW=1``): CI stays short."""
    import os

    if config.getoption("--run-slow") or os.environ.get("BANQO_RUN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (or BANQO_RUN_SLOW=1)")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


_SQLITE_TEMPLATE: dict[str, Path] = {}


def _sqlite_template(folder: Path) -> Path:
    """A SQLite database migrated to the head with the catalogue loaded, made once per test process: copying it
    costs a millisecond where migrating a new file costs half a second, and most tests start from an empty
    database. (The migrations themselves are tested on new files: tests/server/test_server_migrations*.py.)"""
    if "file" not in _SQLITE_TEMPLATE:
        import sqlite3

        from banqo_server import migrations
        from banqo_server.db import make_engine
        from banqo_server.services import catalogue

        built = folder / "template-build.sqlite3"
        engine = make_engine(f"sqlite:///{built}")
        try:
            migrations.upgrade(engine)
            catalogue.sync(engine, MovableClock()())
        finally:
            engine.dispose()
        template = folder / "template.sqlite3"
        with sqlite3.connect(built) as source, sqlite3.connect(template) as copy:
            source.backup(copy)
        _SQLITE_TEMPLATE["file"] = template
    return _SQLITE_TEMPLATE["file"]


def start_from_template(database_url: str, folder: Path) -> None:
    """When ``database_url`` names a SQLite file that does not exist yet, put a copy of the template there."""
    import shutil

    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    target = Path(url.database)
    if target.exists() or url.database.startswith("file:"):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template(folder), target)


_POSTGRES: dict[str, Any] = {}


def _postgres_admin(base: str) -> Any:
    """An engine on the test database's server, outside any transaction (CREATE DATABASE needs that)."""
    if "admin" not in _POSTGRES:
        import atexit

        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        _POSTGRES["admin"] = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        atexit.register(_drop_postgres_template)
    return _POSTGRES["admin"]


def _postgres_template(base: str) -> str:
    """The name of a database migrated to the head with the catalogue loaded, made once per test process from
    ``base``'s server: a test's database is created from it in a few hundredths of a second, where migrating a
    new one takes half a second."""
    if "template" not in _POSTGRES:
        import os

        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        from banqo_server import migrations
        from banqo_server.db import make_engine
        from banqo_server.services import catalogue

        url = make_url(base)
        name = f"{url.database}_template_{os.getpid()}"
        with _postgres_admin(base).connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        _POSTGRES["template"] = name
        engine = make_engine(url.set(database=name))
        try:
            migrations.upgrade(engine)
            catalogue.sync(engine, MovableClock()())
        finally:
            engine.dispose()  # CREATE DATABASE … TEMPLATE needs the template free of connections
    return _POSTGRES["template"]


def _drop_postgres_template() -> None:
    from sqlalchemy import text

    name = _POSTGRES.pop("template", None)
    if name is not None:
        with _POSTGRES["admin"].connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    _POSTGRES.pop("admin").dispose()


@contextmanager
def postgres_database(*, migrated: bool = True, options: str = "") -> Iterator[str]:
    """A database of the test's own on the PostgreSQL server of ``BANQO_TEST_POSTGRES_URL`` (the test is skipped
    without it), dropped afterwards: a copy of a migrated template, or empty (``migrated=False``). ``options``
    go to the server with each connection (``-clock_timeout=200``)."""
    import os
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    base = os.environ.get("BANQO_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("BANQO_TEST_POSTGRES_URL not set")
    url = make_url(base)
    name = f"{url.database}_{uuid.uuid4().hex[:16]}"
    template = _postgres_template(base) if migrated else "template0"
    admin = _postgres_admin(base)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        url = url.set(database=name)
        if options:
            url = url.update_query_dict({"options": options})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:  # FORCE: a connection a failed test left open does not stop it
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def cheap_settings(
    tmp_path: Path, clock: MovableClock, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Callable[..., Any]:
    """Builds server ``Settings`` on the test's folder and clock, with cheap Argon2; keywords override. A new
    SQLite database starts as a copy of a migrated template (``start_from_template``), unless the test is marked
    ``empty_database``."""
    empty = request.node.get_closest_marker("empty_database") is not None

    def make(**overrides: Any) -> Any:
        from banqo_server.settings import Settings

        # No background billing task: tests run `billing.run` themselves, at the instant they choose.
        values: dict[str, Any] = {
            "data_dir": tmp_path / "server",
            "clock": clock,
            "billing_interval": None,
            **CHEAP_ARGON2,
        }
        values.update(overrides)
        settings = Settings(**values)
        if not empty:
            start_from_template(settings.database_url, tmp_path_factory.getbasetemp())
        return settings

    return make


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in a dict (unit tests only; the e2e test uses a real one)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A keyring in a dict for this test (the e2e tests use a real one)."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


class MailBox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1: what it received, as parsed messages."""

    def __init__(self) -> None:
        import threading
        from email.message import EmailMessage

        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._arrived = threading.Condition()
        self.url = ""
        self.at_data = threading.Event()  # a sender has sent its message's envelope and waits at DATA
        self._let_go = threading.Event()
        self._let_go.set()

    def hold(self) -> None:
        """Keep the next senders waiting at DATA (a slow mail server) until ``let_go``, or 10 s at most."""
        self.at_data.clear()
        self._let_go.clear()

    def let_go(self) -> None:
        self._let_go.set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        import asyncio
        from email import message_from_bytes, policy

        self.at_data.set()
        if not self._let_go.is_set():
            await asyncio.get_running_loop().run_in_executor(None, self._let_go.wait, 10.0)
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        """The first ``count`` messages, waiting up to ``timeout`` seconds for them; fails the test otherwise."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                pytest.fail(f"expected {count} mail message(s), the SMTP server received {len(self.messages)}")
            return list(self.messages[:count])

    @staticmethod
    def body(message: Any) -> str:
        """The plain-text body of a received message."""
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


@pytest.fixture
def mailbox() -> Iterator[MailBox]:
    """A local SMTP server for the test; ``mailbox.url`` is the ``BANQO_SMTP_URL`` that reaches it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = MailBox()
    controller = Controller(box, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    box.url = f"smtp://127.0.0.1:{port}"
    try:
        yield box
    finally:
        controller.stop()


@contextmanager
def small_file_system(folder: Path, size: str = "256k") -> Iterator[Path]:
    """A real, tiny file system (tmpfs of ``size``) mounted on ``folder`` for the block; the test is skipped where
    mounting is not allowed (it needs root)."""
    import subprocess

    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True, timeout=10, check=False)


def fill(folder: Path, leave: int) -> Path:
    """Fill ``folder``'s file system up to ENOSPC, then give back ``leave`` bytes; the filler file is returned."""
    import os

    filler = folder / "filler.bin"
    with filler.open("wb", buffering=0) as file:
        for _chunk in range(1024):  # 1024 × 4 KiB: far more than the 256 KiB there is
            try:
                file.write(b"\0" * 4096)
            except OSError:
                break
        else:
            raise AssertionError("the file system never filled up")
    os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler
