"""The schema: migrated on start, by `banqo-server migrate`, and in step with the ORM models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from banqo_server import migrations
from banqo_server.cli import main
from banqo_server.db import make_engine
from banqo_server.models import Base


@pytest.mark.empty_database
def test_the_app_migrates_its_database_on_start(client, settings):
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        assert migrations.current_revision(connection) == migrations.HEAD
        assert {"accounts", "sessions", "sign_in_throttles", "activity"} <= set(inspect(connection).get_table_names())
    engine.dispose()


def test_migrate_command_creates_the_schema_in_an_empty_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BANQO_DATA_DIR", str(tmp_path / "donnees"))
    monkeypatch.delenv("BANQO_DATABASE_URL", raising=False)
    assert main(["migrate"]) == 0
    assert (tmp_path / "donnees" / "banqo.sqlite3").exists()
    assert migrations.HEAD in capsys.readouterr().out
    assert main(["migrate"]) == 0  # again: nothing to do


def test_head_constant_matches_the_migration_scripts():
    config = Config()
    config.set_main_option("script_location", str(migrations.SCRIPT_LOCATION))
    assert ScriptDirectory.from_config(config).get_current_head() == migrations.HEAD


def test_migrations_match_the_orm_models(settings):
    engine = make_engine(settings.database_url)
    migrations.upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
