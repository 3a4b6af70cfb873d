"""The catalogue through the API, and how a new edition of it reaches an existing database."""

from __future__ import annotations

import json

import pytest

from banqo_server.catalogue import CATALOGUE_FILE
from banqo_server.db import make_engine
from banqo_server.services import catalogue

SHIPPED = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


def test_domains_and_spheres_are_labelled_in_the_request_language(bank):
    french = bank.get("/catalogue/domains").json()
    english = bank.get("/catalogue/domains", headers={"Accept-Language": "en-CA"}).json()
    assert french["catalogue_version"] == SHIPPED["catalogue"]["version"]
    labels = {item["id"]: item["label"] for item in french["items"]}
    assert labels["teva-transport"] == "Transport"
    assert labels["habiletes-sociales"] == "Habiletés sociales"
    assert {item["id"]: item["label"] for item in english["items"]}["habiletes-sociales"] == "Social skills"
    kinds = [item["kind"] for item in french["items"]]
    assert kinds.count("domain") == 9 and kinds.count("sphere") == 8
    assert sum(item["goal_count"] for item in french["items"]) == len(SHIPPED["goals"])
    assert all(item["subdomains"] for item in french["items"])


def test_the_whole_catalogue_pages_through_in_order(bank):
    ids, cursor = [], None
    for _page in range(10):
        body = bank.get("/catalogue/goals", params={"limit": 200, **({"cursor": cursor} if cursor else {})}).json()
        ids += [goal["id"] for goal in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert ids == [goal["source"]["id"] for goal in SHIPPED["goals"]]


def test_a_sphere_goal_says_sphere_and_has_both_languages(bank):
    goal = bank.get("/catalogue/goals", params={"domain": "teva-transport", "limit": 1}).json()["items"][0]
    assert goal["sphere"] == "teva-transport" and goal["domain"] is None
    assert "{prénom}" in goal["text_fr"] and "{first_name}" in goal["text_en"]
    assert goal["parts_en"]["criterion"]


def test_search_is_accent_and_case_insensitive_in_the_request_language(bank):
    def ids(**params):
        return [goal["id"] for goal in bank.get("/catalogue/goals", params={"limit": 200, **params}).json()["items"]]

    assert ids(q="autobus") and ids(q="autobus") == ids(q="AUTOBUS")
    assert ids(q="ecrit") == ids(q="ÉCRIT") != []
    english = bank.get("/catalogue/goals", params={"q": "bus", "limit": 200}, headers={"Accept-Language": "en"})
    assert all("bus" in goal["text_en"].lower() for goal in english.json()["items"])
    secondary = ids(level="secondaire", domain="mathematique")
    assert secondary and all(
        "secondaire" in goal["levels"]
        for goal in SHIPPED["goals"]
        if goal["source"]["id"] in secondary
    )


def test_a_new_edition_reaches_the_database_without_touching_collections(bank, settings, tmp_path, clock):
    shipped = bank.get("/catalogue/goals", params={"limit": 1}).json()["items"][0]
    copy = bank.post("/collection/goals", {"catalogue_id": shipped["id"]}).json()

    edition = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    edition["catalogue"]["version"] = "2099.1.0"
    first = edition["goals"][0]
    first["behaviour"] = "lit une nouvelle formulation"
    first["text"] = first["text"].replace(shipped["parts_fr"]["behaviour"], first["behaviour"])
    removed = edition["goals"].pop()
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(edition, ensure_ascii=False), encoding="utf-8")

    engine = make_engine(settings.database_url)
    try:
        loaded = catalogue.sync(engine, clock(), path)
        assert loaded.changed and loaded.version == "2099.1.0" and loaded.goals == len(edition["goals"])
        assert not catalogue.sync(engine, clock(), path).changed  # the same file again: nothing to do
    finally:
        engine.dispose()

    updated = bank.get("/catalogue/goals", params={"limit": 1}).json()["items"][0]
    assert "nouvelle formulation" in updated["text_fr"]
    assert updated["catalogue_version"] == "2099.1.0"
    gone = bank.get("/catalogue/goals", params={"domain": removed["domain"], "limit": 200}).json()["items"]
    assert removed["source"]["id"] not in [goal["id"] for goal in gone]
    mine = bank.get(f"/collection/goals/{copy['id']}").json()
    assert mine == copy  # the teacher's copy is theirs: same text, same source edition, same version


@pytest.mark.empty_database
def test_the_shipped_file_is_loaded_once(settings, clock):
    engine = make_engine(settings.database_url)
    try:
        from banqo_server.migrations import upgrade

        upgrade(engine)
        assert catalogue.sync(engine, clock()).changed
        assert not catalogue.sync(engine, clock()).changed
    finally:
        engine.dispose()
