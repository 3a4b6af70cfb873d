"""The database held by someone else: another process locking the SQLite file (a `sqlite3` shell in
``BEGIN EXCLUSIVE``, a backup tool), a PostgreSQL lock time-out, a PostgreSQL out of reach. The API answers a
translated 503 with ``Retry-After`` (never a 500), changes nothing, and works again once the lock is gone."""

from __future__ import annotations

import io
import os
import selectors
import sqlite3
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import text
from sqlalchemy.engine import make_url

from banqo_server.app import create_app
from banqo_server.db import make_engine
from banqo_server.problems import database_unavailable
from banqo_server.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from tests.conftest import CHEAP_ARGON2, MovableClock, fill, postgres_database, small_file_system
from tests.server.conftest import Api, Bank

BUSY = "Le serveur BanqO est momentanément occupé : rien n'a été enregistré. Réessayez dans quelques secondes."
BUSY_TIMEOUT_MS = 200

#: Holds the write lock of a SQLite file until a line arrives on its standard input (or 30 s pass).
#: ``exclusive`` also takes SQLite's exclusive locking mode, as some backup tools do: then even reads wait.
HOLDER = """
import sqlite3, sys, select
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
if sys.argv[2] == "exclusive":
    connection.execute("PRAGMA locking_mode=EXCLUSIVE")
connection.execute("BEGIN EXCLUSIVE")
connection.execute("CREATE TABLE IF NOT EXISTS holder_marker (x INTEGER)")
print("locked", flush=True)
select.select([sys.stdin], [], [], 30)
connection.execute("ROLLBACK")
connection.close()
print("released", flush=True)
"""


def _read_line(process: subprocess.Popen[str], timeout: float = 10.0) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError("the lock holder did not answer in time")
    return process.stdout.readline().strip()


class LockHolder:
    """A real second process holding ``BEGIN EXCLUSIVE`` on a SQLite file from ``start`` to ``release``."""

    def __init__(self, database: Path, mode: str = "write") -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(database), mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert _read_line(self.process) == "locked"
        except BaseException:
            self.stop()
            raise

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert _read_line(self.process) == "released"
        assert self.process.wait(timeout=10) == 0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@contextmanager
def locked_by_another_process(database: Path, mode: str = "write") -> Iterator[LockHolder]:
    """The lock held for the block's duration."""
    holder = LockHolder(database, mode)
    try:
        yield holder
        holder.release()
    finally:
        holder.stop()


@pytest.fixture(scope="module")
def sqlite_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One server for the module's SQLite tests (each signs up its own teacher): starting one costs seconds."""
    folder = tmp_path_factory.mktemp("faults")
    return Settings(
        database_url=f"sqlite:///{folder / 'banqo.sqlite3'}",
        data_dir=folder,
        clock=MovableClock(),
        billing_interval=None,
        sqlite_busy_timeout_ms=BUSY_TIMEOUT_MS,
        **CHEAP_ARGON2,
    )


@pytest.fixture(scope="module")
def sqlite_api(sqlite_settings: Settings) -> Iterator[Api]:
    app = create_app(sqlite_settings)
    try:
        yield Api(TestClient(app))
    finally:
        app.state.engine.dispose()
        app.state.processor.close()


def database_file(settings: Settings) -> Path:
    return Path(make_url(settings.database_url).database or "")


def assert_busy(answer: Any) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "1"
    body = answer.json()
    assert body["detail"] == BUSY
    assert body["title"] == "Service indisponible"
    assert body["retry_after"] == 1


def integrity(database: Path) -> str:
    connection = sqlite3.connect(database)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def test_a_write_while_another_process_holds_the_lock_is_a_503_and_changes_nothing(
    sqlite_api: Api, sqlite_settings: Settings
) -> None:
    bank = Bank(sqlite_api, "ecrit@example.org")
    first = bank.add("Compter jusqu'à 20")
    new_goal = {"text": "Lire un mot de trois lettres"}
    key = {"Idempotency-Key": "fault-1"}
    rename = {"text": "Compter jusqu'à 30"}
    if_match = {"If-Match": f'"{first["version"]}"'}

    with locked_by_another_process(database_file(sqlite_settings)):
        assert_busy(bank.post("/collection/goals", new_goal, headers=key))
        assert_busy(bank.patch(f"/collection/goals/{first['id']}", rename, headers=if_match))
        # Reads go on meanwhile (WAL): the teacher still sees the collection as it was.
        assert bank.texts() == ["Compter jusqu'à 20"]

    database = database_file(sqlite_settings)
    assert integrity(database) == "ok"
    assert bank.texts() == ["Compter jusqu'à 20"]
    assert bank.get(f"/collection/goals/{first['id']}").json()["version"] == first["version"]

    # The very same requests, once the lock is released, succeed (the key was not spent by the refusal).
    created = bank.post("/collection/goals", new_goal, headers=key)
    assert created.status_code == 201, created.text
    changed = bank.patch(f"/collection/goals/{first['id']}", rename, headers=if_match)
    assert changed.status_code == 200, changed.text
    assert sorted(bank.texts()) == ["Compter jusqu'à 30", "Lire un mot de trois lettres"]
    assert integrity(database) == "ok"


def test_signing_in_while_the_file_is_locked_is_a_503_and_reading_goes_on(
    sqlite_api: Api, sqlite_settings: Settings
) -> None:
    token = sqlite_api.signed_up("connexion@example.org")["token"]
    with locked_by_another_process(database_file(sqlite_settings)):
        assert_busy(sqlite_api.sign_in("connexion@example.org"))  # a sign-in writes its session
        assert sqlite_api.get("/me/summary", token).status_code == 200
    assert sqlite_api.sign_in("connexion@example.org").status_code == 201
    assert integrity(database_file(sqlite_settings)) == "ok"


def test_a_backup_tool_locking_out_even_readers_gets_503_then_the_same_read_works(
    sqlite_api: Api, sqlite_settings: Settings
) -> None:
    """SQLite's exclusive locking mode (some backup tools) keeps new connections from even reading; it can
    only be taken while the server has no connection open (after a restart, or before the pool grows)."""
    token = sqlite_api.signed_up("sauvegarde@example.org")["token"]
    engine = sqlite_api.client.app.state.engine  # type: ignore[attr-defined]
    engine.dispose()
    with locked_by_another_process(database_file(sqlite_settings), "exclusive"):
        assert_busy(sqlite_api.get("/me/summary", token))
    summary = sqlite_api.get("/me/summary", token)
    assert summary.status_code == 200, summary.text
    assert integrity(database_file(sqlite_settings)) == "ok"


def test_a_photo_refused_because_the_database_is_locked_leaves_no_file(
    sqlite_api: Api, sqlite_settings: Settings
) -> None:
    bank = Bank(sqlite_api, "photo-verrou@example.org")
    folder = sqlite_settings.photos_dir
    files_before = set(folder.iterdir()) if folder.exists() else set()
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(image, "PNG")
    headers = {**bank.headers, "Content-Type": "image/png"}
    with locked_by_another_process(database_file(sqlite_settings)):
        assert_busy(bank.api.client.put("/api/v1/me/profile/photo", content=image.getvalue(), headers=headers))
    assert (set(folder.iterdir()) if folder.exists() else set()) == files_before  # no file left behind
    assert bank.get("/me/profile").json()["photo"] is None
    stored = bank.api.client.put("/api/v1/me/profile/photo", content=image.getvalue(), headers=headers)
    assert stored.status_code == 200, stored.text
    assert len(set(folder.iterdir()) - files_before) == 1


@pytest.fixture
def full_photo_store(sqlite_settings: Settings) -> Iterator[Path]:
    """A real, tiny file system (tmpfs, 256 KiB) mounted as the photo folder; needs the right to mount."""
    with small_file_system(sqlite_settings.photos_dir) as folder:
        yield folder


def png(image: Image.Image) -> bytes:
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def test_a_full_photo_store_is_a_507_and_keeps_the_previous_photo_whole(
    sqlite_api: Api, sqlite_settings: Settings, full_photo_store: Path
) -> None:
    bank = Bank(sqlite_api, "disque-plein@example.org")
    put = "/api/v1/me/profile/photo"
    headers = {**bank.headers, "Content-Type": "image/png"}
    first = bank.api.client.put(put, content=png(Image.new("RGB", (40, 30), (200, 30, 30))), headers=headers)
    assert first.status_code == 200, first.text
    kept = bank.get("/me/profile/photo").content
    before = bank.get("/me/profile").json()
    files_before = sorted(path.name for path in full_photo_store.iterdir())
    assert len(files_before) == 1
    filler = fill(full_photo_store, leave=16 * 1024)  # room for a part of the next photo, not all of it

    noise = png(Image.frombytes("RGB", (512, 512), os.urandom(512 * 512 * 3)))  # ~190 KB once re-encoded
    refused = bank.api.client.put(put, content=noise, headers=headers)

    assert refused.status_code == 507, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == "Le serveur n'a pas pu enregistrer la photo. Réessayez plus tard."
    # No temporary file left behind, the previous photo's file still there.
    assert sorted(path.name for path in full_photo_store.iterdir()) == sorted([*files_before, filler.name])
    assert bank.get("/me/profile").json() == before  # same row: photo, size, version
    assert bank.get("/me/profile/photo").content == kept

    filler.unlink()  # the operator frees some space: the same upload goes through
    stored = bank.api.client.put(put, content=noise, headers=headers)
    assert stored.status_code == 200, stored.text
    assert stored.json()["photo"]["size"] > 100_000
    files_after = [path.name for path in full_photo_store.iterdir()]
    assert len(files_after) == 1 and files_after != files_before  # the previous photo's file went away
    assert integrity(database_file(sqlite_settings)) == "ok"


def test_the_busy_timeout_is_a_setting() -> None:
    assert Settings.from_env({"BANQO_SQLITE_BUSY_TIMEOUT_MS": "250"}).sqlite_busy_timeout_ms == 250
    assert Settings.from_env({}).sqlite_busy_timeout_ms == 10_000


@pytest.fixture
def postgres_url() -> Iterator[str]:
    # How an operator bounds lock waits on PostgreSQL: ``options=-c lock_timeout=…`` in the URL.
    with postgres_database(options="-clock_timeout=200") as url:
        yield url


@pytest.mark.postgres
def test_a_postgresql_lock_timeout_is_a_503_and_changes_nothing(
    postgres_url: str, tmp_path: Path, cheap_settings: Callable[..., Settings]
) -> None:
    app = create_app(cheap_settings(database_url=postgres_url, data_dir=tmp_path))
    other = make_engine(postgres_url)
    try:
        bank = Bank(Api(TestClient(app)))
        first = bank.add("Compter jusqu'à 20")
        with other.connect() as holder:  # another process's long transaction (a migration, a manual fix)
            holder.execute(text("LOCK TABLE goals IN ACCESS EXCLUSIVE MODE"))
            answer = bank.post("/collection/goals", {"text": "Lire"}, headers={"Idempotency-Key": "pg-1"})
            assert_busy(answer)
            holder.rollback()
        assert bank.texts() == ["Compter jusqu'à 20"]
        again = bank.post("/collection/goals", {"text": "Lire"}, headers={"Idempotency-Key": "pg-1"})
        assert again.status_code == 201, again.text
        assert sorted(bank.texts()) == ["Compter jusqu'à 20", "Lire"]
        assert first["text"] == "Compter jusqu'à 20"
    finally:
        other.dispose()
        app.state.engine.dispose()
        app.state.processor.close()


def test_a_postgresql_that_refuses_connections_is_told_apart_from_a_defect() -> None:
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/banqo?connect_timeout=2")
    try:
        with pytest.raises(Exception) as raised:
            engine.connect().close()
    finally:
        engine.dispose()
    assert database_unavailable(raised.value) == "unreachable"
    assert database_unavailable(ValueError("a defect")) is None
