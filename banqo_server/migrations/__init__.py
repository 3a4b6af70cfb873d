"""Alembic migrations, run programmatically: ``upgrade(engine_or_url)`` brings a database to the head.

The server migrates on start. When the database is already at ``HEAD`` this costs one small query and
Alembic is not even imported; ``tests/server/test_migrations.py`` checks ``HEAD`` against the scripts.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL

from banqo_server.db import make_engine

HEAD = "0006"
SCRIPT_LOCATION = Path(__file__).parent
VERSION_TABLE = "alembic_version"
# Arbitrary constant: serialises migrations of several processes starting at once on one PostgreSQL.
_POSTGRES_LOCK_KEY = 0x0BA9_0001


def current_revision(connection: Connection) -> str | None:
    """The revision stored in the database, or None for an empty one."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def upgrade(target: Engine | str | URL) -> str:
    """Migrate the database of ``target`` (an engine or a URL) to the head; return the revision reached."""
    engine = target if isinstance(target, Engine) else make_engine(target)
    try:
        with engine.connect() as connection:
            if current_revision(connection) == HEAD:
                return HEAD
        return _run_alembic(engine)
    finally:
        if engine is not target:
            engine.dispose()


def _run_alembic(engine: Engine) -> str:
    from alembic import command
    from alembic.config import Config

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_LOCK_KEY})
        config = Config()
        config.set_main_option("script_location", str(SCRIPT_LOCATION))
        config.set_main_option("path_separator", "os")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        revision = current_revision(connection)
    return revision or ""
