"""A database from every earlier release migrates: built at that release's revision, filled with the rows a
teacher had then, upgraded by starting the server, and used (sign in with the old password, read, change).
A database from a newer release makes the server refuse to start, saying why."""

from __future__ import annotations

import functools
import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, MetaData, Table, text

from banqo_server import migrations
from banqo_server.app import create_app
from banqo_server.cli import main
from banqo_server.db import make_engine
from banqo_server.settings import Settings
from banqo_tui.api.models import fold
from tests.server.conftest import Api, bearer

#: Every test here builds its schema itself, from an empty database.
pytestmark = pytest.mark.empty_database

#: Each revision shipped in a release, oldest first; 0006 and 0007 (the head) belong to the release being built.
RELEASES = ("0001", "0002", "0003", "0004", "0005")
PASSWORD = "ma vieille phrase de passe"
OLD_TOKEN = "jeton-de-la-version-precedente-0123456789"
EMAIL = "ancienne@example.org"
NOW = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # the tests' clock (tests/conftest.py)


@functools.cache
def old_password_hash() -> str:
    """As releases stored it: an argon2-cffi Argon2id hash, its costs in it (cheap ones here, for speed)."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


def migrate_to(engine: Engine, revision: str) -> None:
    """The schema exactly as release ``revision`` left it (its own migration scripts, run up to it)."""
    from alembic import command
    from alembic.config import Config

    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(migrations.SCRIPT_LOCATION))
        config.set_main_option("path_separator", "os")
        config.attributes["connection"] = connection
        # From nothing: on a database already migrated, alembic would find nothing to do and the test would
        # run on the head's schema.
        assert migrations.current_revision(connection) is None, "migrate_to needs an empty database"
        command.upgrade(config, revision)


def ident(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:32]


ACCOUNT, LEARNER, GOAL, BINNED, PLAN, PLAN_GOAL = (
    ident(name) for name in ("account", "learner", "goal", "binned", "plan", "plan-goal")
)


def insert(connection: Connection, table: str, *rows: dict[str, Any]) -> None:
    """Rows into ``table`` as its schema stands at that revision (read from the database itself)."""
    reflected = Table(table, MetaData(), autoload_with=connection)
    unknown = {name for row in rows for name in row} - set(reflected.columns.keys())
    assert not unknown, f"{table} has no {unknown} at this revision"
    for row in rows:  # one by one: a many-row insert would take the first row's columns for all
        connection.execute(reflected.insert().values(**row))


def fill(connection: Connection, revision: str) -> None:
    """What a teacher had in a database of release ``revision``."""
    insert(
        connection,
        "accounts",
        {
            "id": ACCOUNT,
            "email": EMAIL,
            "password_hash": old_password_hash(),
            "first_name": "Hélène",
            "last_name": "Côté",
            "language": "fr-CA",
            "created_at": NOW - timedelta(days=200),
            "version": 3,
        },
    )
    insert(
        connection,
        "sessions",
        {
            "id": ident("session"),
            "account_id": ACCOUNT,
            "token_hash": hashlib.sha256(OLD_TOKEN.encode()).hexdigest(),
            "device": "Portable de la classe",
            "created_at": NOW - timedelta(days=3),
            "last_used_at": NOW - timedelta(days=1),
            "expires_at": NOW + timedelta(days=60),
        },
    )
    insert(
        connection,
        "activity",
        {"id": ident("act-1"), "account_id": ACCOUNT, "at": NOW - timedelta(days=200), "kind": "account_created"},
        {
            "id": ident("act-2"),
            "account_id": ACCOUNT,
            "at": NOW - timedelta(days=3),
            "kind": "signed_in",
            "device": "Portable de la classe",
        },
    )
    if revision >= "0002":
        goal_text, binned_text = "Lire à voix haute une phrase de cinq mots", "Attacher ses lacets"
        common = {"account_id": ACCOUNT, "language": "fr", "domain": None, "source_kind": "own", "version": 2}
        insert(
            connection,
            "goals",
            {
                **common,
                "id": GOAL,
                "text": goal_text,
                "tags": ["lecture", "oral"],
                "search": fold(" ".join([goal_text, "lecture", "oral"])),
                "same_key": hashlib.sha256(f"{fold(goal_text)}\x00".encode()).hexdigest(),
                "created_at": NOW - timedelta(days=100),
                "updated_at": NOW - timedelta(days=90),
            },
            {
                **common,
                "id": BINNED,
                "text": binned_text,
                "tags": [],
                "search": fold(binned_text),
                "same_key": None,  # in the bin
                "created_at": NOW - timedelta(days=80),
                "updated_at": NOW - timedelta(minutes=5),
                "deleted_at": NOW - timedelta(minutes=5),
            },
        )
        insert(
            connection,
            "learners",
            {
                "id": LEARNER,
                "account_id": ACCOUNT,
                "first_name": "Zoé",
                "name_key": fold("Zoé"),
                "version": 1,
                "created_at": NOW - timedelta(days=95),
            },
        )
        insert(
            connection, "learner_goals", {"learner_id": LEARNER, "goal_id": GOAL, "filed_at": NOW - timedelta(days=94)}
        )
    if revision >= "0003":
        connection.execute(
            text("UPDATE accounts SET phone = :phone, address_city = :city, promotional_email = :promo WHERE id = :id"),
            {"phone": "514-555-0199", "city": "Trois-Rivières", "promo": True, "id": ACCOUNT},
        )
    if revision >= "0004":
        insert(
            connection,
            "subscriptions",
            {
                "id": ident("subscription"),
                "account_id": ACCOUNT,
                "offer": "trial",
                "state": "trial",
                "started_at": NOW - timedelta(days=10),
                "trial_end": NOW + timedelta(days=20),
                "current_period_start": NOW - timedelta(days=10),
                "current_period_end": NOW + timedelta(days=20),
                "version": 1,
            },
        )
    if revision >= "0005":
        insert(
            connection,
            "plans",
            {
                "id": PLAN,
                "account_id": ACCOUNT,
                "learner_id": LEARNER,
                "kind": "intervention",
                "state": "active",
                "opened_on": date(2026, 9, 8),
                "review_due_on": date(2026, 12, 18),
                "participants": [],
                "strengths": [],
                "needs": [],
                "adaptations": [],
                "modifications": [],
                "version": 4,
                "created_at": NOW - timedelta(days=55),
                "updated_at": NOW - timedelta(days=20),
            },
        )
        insert(
            connection,
            "plan_goals",
            {
                "id": PLAN_GOAL,
                "plan_id": PLAN,
                "account_id": ACCOUNT,
                "lineage_id": ident("lineage"),
                "goal_id": GOAL,
                "position": 1,
                "text": "Zoé lira à voix haute une phrase de cinq mots",
                "means": [],
                "responsible_roles": [],
                "evaluation": "Observation en classe",
                "criterion": "4 fois sur 5",
                "unit": "ratio",
                "target": 4.0,
                "out_of": 5,
                "direction": "at_least",
                "status": "active",
                "version": 2,
                "created_at": NOW - timedelta(days=55),
                "updated_at": NOW - timedelta(days=20),
            },
        )
        insert(
            connection,
            "progress_entries",
            {
                "id": ident("progress"),
                "plan_goal_id": PLAN_GOAL,
                "account_id": ACCOUNT,
                "lineage_id": ident("lineage"),
                "measured_on": date(2026, 10, 15),
                "value": 3.0,
                "out_of": 5,
                "note": "Avec un peu d'aide",
                "created_at": NOW - timedelta(days=18),
            },
        )


def start_server(settings: Settings) -> tuple[Any, Api]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    app = create_app(settings)
    return app, Api(TestClient(app))


@pytest.mark.parametrize("release", RELEASES)
def test_a_database_of_every_earlier_release_migrates_and_works(release: str, settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        migrate_to(engine, release)
        with engine.begin() as connection:
            fill(connection, release)
    finally:
        engine.dispose()

    app, api = start_server(settings)  # migrates to the head on start
    try:
        with app.state.engine.connect() as connection:
            assert migrations.current_revision(connection) == migrations.HEAD
        old = bearer(OLD_TOKEN)
        summary = api.get("/me/summary", OLD_TOKEN)  # a session opened before the upgrade goes on
        assert summary.status_code == 200, summary.text
        signed_in = api.sign_in(EMAIL, PASSWORD)
        assert signed_in.status_code == 201, signed_in.text
        token = signed_in.json()["token"]
        profile = api.get("/me/profile", token).json()
        assert (profile["first_name"], profile["last_name"], profile["email"]) == ("Hélène", "Côté", EMAIL)
        if release >= "0003":
            assert profile["phone"] == "514-555-0199"
        if release < "0002":
            learner = api.client.post("/api/v1/learners", json={"first_name": "Zoé"}, headers=old)
            assert learner.status_code == 201, learner.text
            return

        goals = api.get("/collection/goals", token).json()["items"]
        assert [goal["text"] for goal in goals] == ["Lire à voix haute une phrase de cinq mots"]
        assert goals[0]["tags"] == ["lecture", "oral"]
        learners = api.get("/learners", token).json()["items"]
        assert [learner["first_name"] for learner in learners] == ["Zoé"]
        filed = api.get(f"/learners/{LEARNER}/goals", token).json()["items"]
        assert [goal["goal"]["id"] for goal in filed] == [GOAL]
        restored = api.client.post(f"/api/v1/collection/goals/{BINNED}/restore", headers=bearer(token))
        assert restored.status_code == 200, restored.text  # binned 5 minutes before: still restorable

        if release >= "0005":
            plans = api.get("/plans", token, params={"learner_id": LEARNER}).json()["items"]
            assert [(plan["id"], plan["state"], plan["version"], plan["goal_count"]) for plan in plans] == [
                (PLAN, "active", 4, 1)
            ]
            document = api.get(f"/plans/{PLAN}/document", token)
            assert document.status_code == 200, document.text
            assert "Zoé lira à voix haute une phrase de cinq mots" in document.text
            assert "Avec un peu d'aide" in document.text  # the progress entry

        # A change, as the teacher would make one the day after the upgrade.
        changed = api.client.patch(
            f"/api/v1/collection/goals/{GOAL}",
            json={"text": "Lire à voix haute une phrase de six mots"},
            headers={**bearer(token), "If-Match": '"2"'},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["version"] == 3
        learner = api.client.post(
            "/api/v1/learners", json={"first_name": "Zoé"}, headers={**bearer(token), "Idempotency-Key": "new-1"}
        )
        assert learner.status_code == 201, learner.text
        assert learner.json()["first_name"] == "Zoé 2"
    finally:
        app.state.engine.dispose()
        app.state.processor.close()


def test_a_database_from_a_newer_release_stops_the_server_with_a_clear_message(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(settings.database_url)
    try:
        migrations.upgrade(engine)
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    finally:
        engine.dispose()

    with pytest.raises(migrations.SchemaTooNew) as raised:
        create_app(settings)
    assert "0099" in str(raised.value) and migrations.HEAD in str(raised.value)

    monkeypatch.setenv("BANQO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BANQO_DATA_DIR", str(settings.data_dir))
    assert main(["migrate"]) == 2
    said = capsys.readouterr().err
    assert said.startswith("banqo-server: ") and "0099" in said and "newer" in said
    assert "Traceback" not in said
    # Nothing was touched: the newer release still finds its database as it left it.
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            assert migrations.current_revision(connection) == "0099"
    finally:
        engine.dispose()


def test_revisions_are_ordered_like_their_names() -> None:
    """``fill`` compares revisions as strings: they must stay zero-padded and in order."""
    assert sorted(RELEASES) == list(RELEASES) and all(len(release) == 4 for release in RELEASES)
    assert RELEASES[-1] < migrations.HEAD
