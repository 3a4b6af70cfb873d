"""Alembic migrations, run programmatically: ``upgrade(engine_or_url)`` brings a database to the head.

The server migrates on start. When the database is already at ``HEAD`` this costs one small query and
Alembic is not even imported; ``tests/server/test_migrations.py`` checks ``HEAD`` against the scripts.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL

from banqo_server.db import make_engine

HEAD = "0007"
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


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer BanqO release: this server does not know its revision."""

    def __init__(self, revision: str) -> None:
        super().__init__(
            f"the database is at schema revision {revision}, newer than this banqo-server knows (its newest is "
            f"{HEAD}): a newer BanqO release has upgraded it. Run that release (or a later one) again; an older "
            "server cannot use this database, and nothing was changed in it."
        )
        self.revision = revision


def _run_alembic(engine: Engine) -> str:
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("path_separator", "os")
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite migrations recreate a table to alter it ("batch" mode): with foreign keys enforced,
            # dropping the old ``accounts`` would cascade and delete every session, goal and learner.
            # The pragma only takes effect outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_LOCK_KEY})
                found = current_revision(connection)
                if found is not None:
                    try:
                        ScriptDirectory.from_config(config).get_revision(found)
                    except CommandError:
                        raise SchemaTooNew(found) from None
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("the migrated database has rows whose foreign keys point nowhere")
                revision = current_revision(connection)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
    return revision or ""
