"""Pages of « Ma collection » (the search's hot path): written as JSON straight from the rows, byte for byte what
the ``Goal`` model writes; paged by search, tag, domain and cursor without losing or repeating a goal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from banqo_server.db import make_engine, make_session_factory
from banqo_server.routes import api_router
from banqo_server.routes.views import goal_view
from banqo_server.services import goals
from banqo_tui.api.models import Goal, Page


def all_pages(bank: Any, **params: Any) -> list[str]:
    """Every goal's text, page after page of 4, following ``next_cursor``."""
    seen: list[str] = []
    cursor = None
    for _page in range(50):
        answer = bank.get("/collection/goals", params={"limit": 4, **params, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert len(body["items"]) <= 4
        seen += [goal["text"] for goal in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            return seen
    raise AssertionError("more than 50 pages")


def test_a_page_is_byte_for_byte_what_the_goal_model_writes(bank, settings, clock):
    learner = bank.post("/learners", {"first_name": "Zoé"}).json()
    shipped = bank.get("/catalogue/goals", params={"limit": 1}).json()["items"][0]
    bank.post("/collection/goals", {"catalogue_id": shipped["id"], "language": "en"})
    clock.advance(microseconds=120_000)
    bank.add(
        'Lire « 20 » mots\nen 1 minute \\ "vite"',
        domain="lecture",
        tags=["fluidité", "étape-1"],
        condition="Devant un texte de son niveau",
        criterion="20 mots",
        learner_ids=[learner["id"]],
    )
    clock.advance(microseconds=1)
    raw = bank.add("Écrire BRUT")
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as connection:  # behind the API's back, as an old row or another server could hold it
            connection.execute(
                text("UPDATE goals SET text = :text WHERE id = :id"),
                {"text": "Écrire \x1b[2J\x1b]0;t\x07 \u009b", "id": raw["id"]},
            )
        answer = bank.get("/collection/goals")
        assert answer.status_code == 200
        with make_session_factory(engine)() as db:
            rows, next_cursor = goals.page(
                db, raw_account(db, raw["id"]), q=None, domain=None, tag=None, limit=100, cursor=None
            )
            filed = goals.learner_ids(db, [row.id for row in rows])
            expected = Page[Goal](items=[goal_view(row, filed[row.id]) for row in rows], next_cursor=next_cursor)
    finally:
        engine.dispose()
    assert len(expected.items) == 3
    assert answer.content == expected.model_dump_json().encode()
    shown = {goal["id"]: goal for goal in answer.json()["items"]}
    assert shown[raw["id"]]["text"] == "Écrire ␛[2J␛]0;t␇ \ufffd"  # inert, as every text the API answers
    assert shown[raw["id"]]["created_at"].endswith(".120001Z")


def raw_account(db: Any, goal_id: str) -> str:
    return db.execute(text("SELECT account_id FROM goals WHERE id = :id"), {"id": goal_id}).scalar_one()


def test_pages_of_a_search_a_tag_and_a_domain_lose_and_repeat_nothing_even_at_one_instant(bank):
    # All at one instant of the clock: the pages are ordered, and continued, by id after the time.
    expected_all = []
    for number in range(23):
        tagged = number % 3 == 0
        text_ = f"Objectif {number:02d} {'lecture' if number % 2 else 'calcul'}"
        if number % 5 == 0:
            text_ += " étape-1 dans le texte"  # the tag's words in the text: found by a search, not by the tag
        bank.add(text_, tags=["étape-1"] if tagged else [], domain="lecture" if number % 2 else None)
        expected_all.append((number, text_, tagged))
    in_order = [goal["text"] for goal in bank.get("/collection/goals", params={"limit": 200}).json()["items"]]
    assert sorted(in_order) == sorted(entry[1] for entry in expected_all)

    assert all_pages(bank) == in_order
    assert all_pages(bank, q="lecture") == [t for t in in_order if "lecture" in t]
    assert all_pages(bank, q="obj lec") == [t for t in in_order if "lecture" in t]
    tagged = {entry[1] for entry in expected_all if entry[2]}
    assert all_pages(bank, tag="étape-1") == [t for t in in_order if t in tagged]
    assert all_pages(bank, tag="étape-1", q="calcul") == [t for t in in_order if t in tagged and "calcul" in t]
    assert all_pages(bank, domain="lecture") == [t for t in in_order if "lecture" in t.split()[2]]
    assert all_pages(bank, q="introuvable") == []


def test_no_path_of_one_router_is_answered_by_another(tmp_path):
    """The routers are matched in the order of ``api_router`` (the most used first); that order must not change
    which route answers a path, so no route's pattern may match another router's path."""
    import re

    from fastapi.routing import APIRoute

    routes: list[APIRoute] = []

    def walk(router: Any) -> None:
        for route in router.routes:
            if hasattr(route, "original_router"):
                walk(route.original_router)
            elif isinstance(route, APIRoute):
                routes.append(route)

    walk(api_router())
    assert len(routes) > 60
    clashes = [
        (route.path, other.path)
        for route in routes
        for other in routes
        if route.endpoint.__module__ != other.endpoint.__module__
        and route.methods & other.methods
        and other.path_regex.match(re.sub(r"\{[^}]+\}", "x1", route.path))
    ]
    assert clashes == []
