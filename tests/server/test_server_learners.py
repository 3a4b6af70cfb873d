"""Learners by first name only: refusals that explain why, the digit for a second « Léa », sub-collections."""

from __future__ import annotations

import pytest


def add_learner(bank, name):
    return bank.post("/learners", {"first_name": name})


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("Léa Tremblay", "sans nom de famille"),
        ("lea@exemple.ca", "adresse courriel"),
        ("514 555-1234", "numéro de téléphone"),
        ("+1 (514) 555-1234", "numéro de téléphone"),
        ("12345", "seulement de chiffres"),
        ("A" * 41, "40 caractères"),
        ("", "obligatoire"),
        ("Léa!", "que des lettres"),
    ],
)
def test_what_is_not_a_first_name_is_refused_with_the_reason(bank, typed, reason):
    answer = add_learner(bank, typed)
    assert answer.status_code == 422
    messages = answer.json()["errors"]["first_name"]
    assert len(messages) == 1 and reason in messages[0], messages
    assert bank.get("/learners").json()["items"] == []


def test_the_anonymity_reason_is_given(bank):
    message = add_learner(bank, "Léa Tremblay").json()["errors"]["first_name"][0]
    assert "anonyme" in message and "trait d'union" in message


@pytest.mark.parametrize(
    ("name", "shown"),
    [("Léa", "Léa"), ("Marie-Ève", "Marie-Ève"), ("N’Dri", "N’Dri"), ("O'Neil", "O'Neil"), ("ZOÉ", "Zoé"),
     ("  jean-philippe  ", "Jean-Philippe")],
)
def test_first_names_of_every_shape_are_accepted(bank, name, shown):
    answer = add_learner(bank, name)
    assert answer.status_code == 201, answer.text
    assert answer.json()["first_name"] == shown
    assert answer.headers["etag"] == '"1"'


def test_a_second_lea_becomes_lea_2_then_lea_3(bank):
    names = [add_learner(bank, name).json()["first_name"] for name in ("Léa", "Léa", "LÉA", "lea")]
    assert names == ["Léa", "Léa 2", "Léa 3", "Lea 4"]  # capitals tidied; accents as typed
    listed = [learner["first_name"] for learner in bank.get("/learners").json()["items"]]
    assert sorted(listed) == sorted(names)


def test_another_account_has_its_own_lea(make_bank, bank):
    add_learner(bank, "Léa")
    other = make_bank("autre@example.org")
    assert add_learner(other, "Léa").json()["first_name"] == "Léa"


def test_rename_follows_the_same_rules_and_the_version(bank):
    lea = add_learner(bank, "Léa").json()
    add_learner(bank, "Zoé")
    path = f"/learners/{lea['id']}"
    assert bank.patch(path, {"first_name": "Léana"}).status_code == 428
    refused = bank.patch(path, {"first_name": "Léana Roy"}, headers={"If-Match": '"1"'})
    assert refused.status_code == 422 and "first_name" in refused.json()["errors"]
    renamed = bank.patch(path, {"first_name": "Zoé"}, headers={"If-Match": '"1"'})
    assert renamed.status_code == 200
    assert renamed.json()["first_name"] == "Zoé 2" and renamed.json()["version"] == 2
    stale = bank.patch(path, {"first_name": "Léa"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["current_version"] == 2


def test_sub_collection_fills_in_the_first_name(bank):
    lea = add_learner(bank, "Léa").json()
    lea2 = add_learner(bank, "Léa").json()
    goal = bank.add("Pendant la lecture, {prénom} suit la ligne avec son doigt 4 fois sur 5.")
    filed = bank.post(f"/learners/{lea2['id']}/goals", {"goal_id": goal["id"]})
    assert filed.status_code == 201
    again = bank.post(f"/learners/{lea2['id']}/goals", {"goal_id": goal["id"]})
    assert again.status_code == 200
    items = bank.get(f"/learners/{lea2['id']}/goals").json()["items"]
    assert [item["text"] for item in items] == ["Pendant la lecture, Léa suit la ligne avec son doigt 4 fois sur 5."]
    assert items[0]["goal"]["text"].startswith("Pendant la lecture, {prénom}")
    assert bank.get(f"/learners/{lea['id']}/goals").json()["items"] == []
    assert bank.get(f"/learners/{lea2['id']}").json()["goal_count"] == 1
    assert bank.get(f"/collection/goals/{goal['id']}").json()["learner_ids"] == [lea2["id"]]


def test_remove_a_goal_from_a_sub_collection_keeps_it_in_the_collection(bank):
    lea = add_learner(bank, "Léa").json()
    goal = bank.add("Lire 10 mots", learner_ids=[lea["id"]])
    assert bank.delete(f"/learners/{lea['id']}/goals/{goal['id']}").status_code == 204
    assert bank.get(f"/learners/{lea['id']}/goals").json()["items"] == []
    assert bank.delete(f"/learners/{lea['id']}/goals/{goal['id']}").status_code == 404
    assert bank.texts() == ["Lire 10 mots"]


def test_deleting_a_learner_takes_the_sub_collection_not_the_goals(bank):
    lea = add_learner(bank, "Léa").json()
    bank.add("Lire 10 mots", learner_ids=[lea["id"]])
    path = f"/learners/{lea['id']}"
    assert bank.delete(path).status_code == 428
    assert bank.delete(path, headers={"If-Match": '"1"'}).status_code == 204
    assert bank.get(path).status_code == 404
    assert bank.get("/learners").json()["items"] == []
    assert bank.texts() == ["Lire 10 mots"]
    assert bank.get("/collection/goals").json()["items"][0]["learner_ids"] == []


def test_filing_needs_a_goal_of_my_collection(bank, make_bank):
    lea = add_learner(bank, "Léa").json()
    other = make_bank("autre@example.org")
    theirs = other.add("Leur objectif")
    answer = bank.post(f"/learners/{lea['id']}/goals", {"goal_id": theirs["id"]})
    assert answer.status_code == 422
    assert answer.json()["errors"]["goal_id"] == ["Cet objectif n'est pas dans votre collection."]
    zoe = other.post("/learners", {"first_name": "Zoé"}).json()
    refused = bank.post("/collection/goals", {"text": "x", "learner_ids": [zoe["id"]]})
    assert refused.status_code == 422 and "learner_ids" in refused.json()["errors"]


def test_another_account_cannot_see_or_touch_my_learners(make_bank, bank):
    lea = add_learner(bank, "Léa").json()
    goal = bank.add("Lire", learner_ids=[lea["id"]])
    intruder = make_bank("autre@example.org")
    mine = f"/learners/{lea['id']}"
    unknown = "/learners/" + "0" * 32
    calls = [
        lambda path: intruder.get(path),
        lambda path: intruder.patch(path, {"first_name": "Zoé"}, headers={"If-Match": '"1"'}),
        lambda path: intruder.delete(path, headers={"If-Match": '"1"'}),
        lambda path: intruder.get(f"{path}/goals"),
        lambda path: intruder.post(f"{path}/goals", {"goal_id": goal["id"]}),
        lambda path: intruder.delete(f"{path}/goals/{goal['id']}"),
    ]
    for call in calls:
        answer, reference = call(mine), call(unknown)
        assert answer.status_code == 404
        assert answer.json() == reference.json()
    assert intruder.get("/learners").json()["items"] == []
    assert bank.get(mine).json()["first_name"] == "Léa"
    assert len(bank.get(f"{mine}/goals").json()["items"]) == 1
