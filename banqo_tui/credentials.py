"""Where the session token lives: the system keyring, or this run's memory when there is none.

The token (never the password) is stored under service ``banqo`` and user ``<email>@<server>``. Keyring
calls run in a thread with a time-out, since a locked or absent Secret Service can hang. Nothing secret is
ever written to a plain file; the only file kept here is the last email used per server, so that the next
run knows which keyring entry to read.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

SERVICE = "banqo"
KEYRING_TIMEOUT = 5.0

log = logging.getLogger(__name__)


def keyring_user(email: str, server_label: str) -> str:
    return f"{email.strip().lower()}@{server_label}"


def _usable_keyring() -> Any | None:
    """The keyring backend if a real one is configured, else None (imports keyring: call in a thread)."""
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return None
    try:
        from keyring.backends import chainer

        if isinstance(backend, chainer.ChainerBackend) and not chainer.ChainerBackend.backends:
            return None
    except ImportError:  # pragma: no cover - older keyring
        pass
    if getattr(backend, "priority", 1) <= 0:
        return None
    return backend


class CredentialStore:
    """Tokens by account and server, in the keyring when one is usable, else in memory for this run."""

    def __init__(self, state_file: Path | None = None, *, timeout: float = KEYRING_TIMEOUT) -> None:
        self._state_file = state_file
        self._timeout = timeout
        self._memory: dict[str, str] = {}
        self._backend: Any | None = None
        #: None until the keyring was tried; then whether it is usable.
        self.available: bool | None = None

    # --- the keyring ------------------------------------------------------------------------

    async def _call(self, function: Callable[[], Any]) -> Any:
        return await asyncio.wait_for(asyncio.to_thread(function), self._timeout)

    async def _ensure_backend(self) -> Any | None:
        if self.available is None:
            try:
                self._backend = await self._call(_usable_keyring)
            except Exception as exc:  # noqa: BLE001 - any failure means "no usable keyring"
                log.info("no usable keyring: %r", exc)
                self._backend = None
            self.available = self._backend is not None
        return self._backend

    def _give_up_keyring(self, exc: BaseException) -> None:
        log.info("keyring failed, keeping tokens in memory: %r", exc)
        self._backend = None
        self.available = False

    async def load(self, email: str, server_label: str) -> str | None:
        """The stored token for this account on this server, if any."""
        user = keyring_user(email, server_label)
        if user in self._memory:
            return self._memory[user]
        backend = await self._ensure_backend()
        if backend is None:
            return None
        try:
            token = await self._call(lambda: backend.get_password(SERVICE, user))
        except Exception as exc:  # noqa: BLE001
            self._give_up_keyring(exc)
            return None
        return token if isinstance(token, str) and token else None

    async def save(self, email: str, server_label: str, token: str) -> bool:
        """Keep the token; True when it went to the keyring, False when it lives in memory only."""
        user = keyring_user(email, server_label)
        backend = await self._ensure_backend()
        if backend is not None:
            try:
                await self._call(lambda: backend.set_password(SERVICE, user, token))
                self._memory.pop(user, None)
                return True
            except Exception as exc:  # noqa: BLE001
                self._give_up_keyring(exc)
        self._memory[user] = token
        return False

    async def delete(self, email: str, server_label: str) -> None:
        """Forget the token of this account on this server, wherever it is."""
        user = keyring_user(email, server_label)
        self._memory.pop(user, None)
        backend = await self._ensure_backend()
        if backend is None:
            return
        try:
            await self._call(lambda: backend.delete_password(SERVICE, user))
        except Exception as exc:  # noqa: BLE001 - absent entry or locked keyring: nothing more to do
            log.debug("keyring delete: %r", exc)

    # --- which account was used last (not a secret) -----------------------------------------

    @property
    def state_file(self) -> Path:
        if self._state_file is None:
            from banqo_tui.config import state_dir

            self._state_file = state_dir() / "accounts.json"
        return self._state_file

    def _read_state(self) -> dict[str, Any]:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_state(self, data: dict[str, Any]) -> None:
        try:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            tmp.replace(self.state_file)
        except OSError as exc:
            log.info("cannot write %s: %r", self.state_file, exc)

    def last_email(self, server_label: str) -> str | None:
        value = self._read_state().get("last_email", {}).get(server_label)
        return value if isinstance(value, str) else None

    def remember_email(self, server_label: str, email: str) -> None:
        data = self._read_state()
        data.setdefault("last_email", {})[server_label] = email.strip()
        self._write_state(data)

    def forget_email(self, server_label: str) -> None:
        data = self._read_state()
        data.get("last_email", {}).pop(server_label, None)
        self._write_state(data)
