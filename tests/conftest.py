"""What every part of the suite shares: a clock tests move by hand, and server settings cheap to test with."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def cheap_settings(tmp_path: Path, clock: MovableClock) -> Callable[..., Any]:
    """Builds server ``Settings`` on the test's folder and clock, with cheap Argon2; keywords override."""

    def make(**overrides: Any) -> Any:
        from banqo_server.settings import Settings

        values: dict[str, Any] = {"data_dir": tmp_path / "server", "clock": clock, **CHEAP_ARGON2}
        values.update(overrides)
        return Settings(**values)

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
