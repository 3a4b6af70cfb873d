"""Database engine and sessions: SQLite (default, WAL) or PostgreSQL through psycopg 3."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalise_url(url: str | URL) -> URL:
    """The URL with a driver SQLAlchemy can use here: plain ``postgresql://`` means psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # First, so that the next pragmas too wait no longer than this for another process's lock.
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    return set_pragmas


def make_engine(url: str | URL, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Engine:
    """An engine for ``url``; creates the SQLite file's folder and sets its pragmas on every connection
    (``busy_timeout_ms``: how long SQLite waits for another process's lock before "database is locked")."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    database = parsed.database or ""
    in_memory = database in {"", ":memory:"} or database.startswith("file::memory:")
    if in_memory:
        # One connection shared by every thread, or each would see its own empty database.
        engine = create_engine(parsed, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000})
    event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
    event.listen(engine, "before_cursor_execute", _sqlite_lock_for_update)
    return engine


def _sqlite_lock_for_update(
    _connection: Any, cursor: Any, _statement: str, _parameters: Any, context: Any, _executemany: bool
) -> None:
    """``SELECT … FOR UPDATE`` on SQLite, which has no row locks: the transaction takes the database's write lock
    before it reads (``BEGIN IMMEDIATE``), as PostgreSQL locks the rows read. A change checked against what it read
    (``If-Match``) then cannot interleave with another: without it, six changes sent at once with the same version
    were all accepted, each overwriting the one before.

    sqlite3 opens a transaction only before a write; a connection already in one has written, so it holds the
    write lock and reads what is committed."""
    compiled = getattr(context, "compiled", None)
    if compiled is None or getattr(compiled.statement, "_for_update_arg", None) is None:
        return
    if not cursor.connection.in_transaction:
        cursor.execute("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
