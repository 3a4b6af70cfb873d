"""The demo account of `banqo --demo`."""

from sqlalchemy import func, select

from banqo_server.db import make_engine, make_session_factory
from banqo_server.demo import DEMO_EMAIL, ensure_demo_account
from banqo_server.models import Account


def test_demo_account_shows_a_plausible_history_from_the_first_launch(settings, api):
    summary = api.get("/me/summary", ensure_demo_account(settings)).json()
    assert summary["last_sign_in"]["device"] == "Portable à la maison"
    kinds = [entry["kind"] for entry in summary["recent_activity"]]
    assert kinds[0] == "signed_in" and kinds[-1] == "account_created" and len(kinds) == 6


def test_demo_account_is_created_once_and_each_token_works(settings, api):
    first = ensure_demo_account(settings)
    second = ensure_demo_account(settings)
    assert first != second

    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as db:
        assert db.scalar(select(func.count()).select_from(Account).where(Account.email == DEMO_EMAIL)) == 1
    engine.dispose()

    for token in (first, second):
        summary = api.get("/me/summary", token)
        assert summary.status_code == 200
    data = summary.json()
    assert (data["first_name"], data["last_name"]) == ("Camille", "Démo")
    assert len(data["recent_activity"]) >= 5
    assert data["last_sign_in"] is not None


def test_nobody_can_sign_in_to_the_demo_account_with_a_password(settings, api):
    ensure_demo_account(settings)
    for password in ("demo", "démo1234", "password"):
        assert api.sign_in(DEMO_EMAIL, password).status_code == 401


def test_demo_account_has_a_collection_learners_and_a_plan_to_show(settings, api):
    token = ensure_demo_account(settings)
    summary = api.get("/me/summary", token).json()
    assert summary["counts"]["goals"] == 6 and summary["counts"]["learners"] == 2
    (due,) = summary["plans_to_review"]
    assert due["learner_first_name"] == "Léa" and not due["overdue"]

    document = api.get(f"/plans/{due['id']}/document", token).json()
    assert document["plan"]["state"] == "active"
    first, second, third = document["goals"]
    assert first["goal"]["text"].count("Léa") == 1 and "{prénom}" not in first["goal"]["text"]
    assert [entry["value"] for entry in first["progress"]] == [40.0, 55.0, 70.0]
    assert first["goal"]["target"] == 80 and first["goal"]["means"]
    assert all(part["goal"]["deadline"] for part in (first, second, third))
    assert not any(part["goal"]["gaps"] for part in (first, second, third))
