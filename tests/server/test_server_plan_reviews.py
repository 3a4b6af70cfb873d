"""Reviews (révisions): one decision per active objective and its effect, a snapshot later edits never change,
« reconduire » with the continued objectives keeping their identity, and an objective's history across years."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.plan_helpers import Planner, errors

TEXTS = [
    "{prénom} lit dix mots fréquents 4 fois sur 5.",
    "{prénom} range son casier avant la cloche.",
    "{prénom} demande de l'aide en levant la main.",
    "{prénom} compte par bonds de 5 jusqu'à 100.",
    "{prénom} attend son tour au jeu de ballon.",
]
KINDS = ["continue", "change_means", "change_goal", "reached", "closed"]


@pytest.fixture
def lea(api: Any) -> Planner:
    return Planner(api.client, api.signed_up()["token"])


@pytest.fixture
def plan(lea: Planner) -> dict[str, Any]:
    """An active plan for « Léa », opened on 1 September, with five objectives that have means."""
    student = lea.learner("Léa")
    goals = [lea.goal(text, student) for text in TEXTS]
    made = lea.plan(student, goals, opened_on="2026-09-01", review_due_on="2026-11-15")
    for goal in lea.goals(made["id"]):
        lea.changed(f"/plans/{made['id']}/goals/{goal['id']}", {"means": [f"Moyen {goal['position']}"]}, version=1)
    return lea.activate(made["id"])


def five_decisions(goals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    decisions = [
        {"plan_goal_id": goal["id"], "decision": kind, "note": f"Note {kind}"}
        for goal, kind in zip(goals, KINDS, strict=True)
    ]
    decisions[1]["new_means"] = ["Tableau de routines", "  "]
    decisions[2]["new_text"] = "Léa lève la main et attend qu'on la nomme."
    decisions[2]["new_means"] = ["Carton rouge-vert"]
    return decisions


def test_a_review_records_one_decision_per_objective_and_applies_each(lea, plan):
    before = lea.goals(plan["id"])
    answer = lea.review(plan["id"], five_decisions(before), note="Rencontre du 2 novembre", next_review_on="2027-02-01")
    assert answer.status_code == 201, answer.text
    review = answer.json()
    assert (review["number"], review["held_on"], review["next_review_on"]) == (1, "2026-11-02", "2027-02-01")
    assert [(item["decision"], item["goal_text"]) for item in review["decisions"]] == [
        (kind, goal["text"]) for kind, goal in zip(KINDS, before, strict=True)
    ]
    assert [item["lineage_id"] for item in review["decisions"]] == [goal["lineage_id"] for goal in before]

    after = lea.goals(plan["id"])
    assert [goal["id"] for goal in after] == [goal["id"] for goal in before]
    assert [goal["lineage_id"] for goal in after] == [goal["lineage_id"] for goal in before]
    assert [goal["status"] for goal in after] == ["active", "active", "active", "reached", "closed"]
    assert [goal["means"] for goal in after] == [
        ["Moyen 1"], ["Tableau de routines"], ["Carton rouge-vert"], ["Moyen 4"], ["Moyen 5"]
    ]
    assert after[2]["text"] == "Léa lève la main et attend qu'on la nomme."
    assert [goal["version"] for goal in after] == [2, 3, 3, 3, 3]
    now = lea.get_plan(plan["id"])
    assert (now["state"], now["review_due_on"], now["version"], now["review_count"]) == (
        "active", "2027-02-01", plan["version"] + 1, 1
    )
    assert (now["goal_count"], now["active_goal_count"]) == (5, 3)
    assert [item["id"] for item in lea.read(f"/plans/{plan['id']}/reviews")["items"]] == [review["id"]]


def test_a_review_needs_exactly_one_decision_per_active_objective(lea, plan, clock):
    goals = lea.goals(plan["id"])
    path = f"/plans/{plan['id']}/reviews"
    decisions = five_decisions(goals)
    version = plan["version"]

    missing = errors(lea.call("POST", path, {"decisions": decisions[:3]}, version=version))["decisions"]
    assert len(missing) == 1 and "Léa compte par bonds de 5" in missing[0] and "Léa attend son tour" in missing[0]
    doubled = errors(lea.call("POST", path, {"decisions": [*decisions, decisions[0]]}, version=version))
    assert "Léa lit dix mots" in doubled["decisions"][0]
    unknown = [*decisions, {"plan_goal_id": "0" * 32, "decision": "continue"}]
    assert "pas dans ce plan" in errors(lea.call("POST", path, {"decisions": unknown}, version=version))["decisions"][0]
    no_text = [dict(item) for item in decisions]
    no_text[2]["new_text"] = "  "
    assert list(errors(lea.call("POST", path, {"decisions": no_text}, version=version))) == ["decisions.2.new_text"]
    future = {"decisions": decisions, "held_on": "2026-11-03"}
    assert list(errors(lea.call("POST", path, future, version=version))) == ["held_on"]
    assert lea.call("POST", path, {"decisions": decisions}).status_code == 428
    stale = lea.call("POST", path, {"decisions": decisions}, version=version - 1)
    assert stale.status_code == 412 and stale.json()["current_version"] == version
    assert lea.read(path)["items"] == []

    assert lea.call("POST", path, {"decisions": decisions}, version=version).status_code == 201
    # Reached and closed objectives get no decision any more.
    clock.advance(days=1)
    again = lea.call("POST", path, {"decisions": decisions}, version=version + 1)
    long_text = "Léa lève la main et attend qu'on la nomme."
    assert errors(again)["decisions"] == [
        "Ces objectifs ne sont plus actifs : « Léa compte par bonds de 5 jusqu'à 100. », "
        "« Léa attend son tour au jeu de ballon. »."
    ]
    second = lea.review(plan["id"], [{"plan_goal_id": goal["id"], "decision": "continue"} for goal in goals[:3]])
    assert second.status_code == 201 and second.json()["number"] == 2
    assert [item["goal_text"] for item in second.json()["decisions"]][2] == long_text


def test_long_objectives_are_named_by_their_first_sixty_characters(lea):
    student = lea.learner("Léa")
    long = "{prénom} " + "lit un texte de plus en plus long " * 5
    made = lea.plan(student, [lea.goal(long, student)])
    lea.activate(made["id"])
    [message] = errors(lea.review(made["id"], []))["decisions"]
    named = "Léa lit un texte de plus en plus long lit un texte de plus…"
    assert f"« {named} »" in message and len(named) <= 60


def test_a_draft_plan_has_no_review_yet(lea):
    student = lea.learner("Léa")
    draft = lea.plan(student)
    answer = lea.review(draft["id"], [])
    assert answer.status_code == 409
    assert answer.json()["errors"] == {
        "state": ["Un plan en brouillon n'a pas encore de révision : activez-le d'abord."]
    }


def test_a_snapshot_shows_the_plan_as_it_stood_whatever_comes_later(lea, plan, clock):
    goals = lea.goals(plan["id"])
    lea.progress(plan["id"], goals[0]["id"], 40, on="2026-10-01")
    review = lea.review(plan["id"], five_decisions(goals)).json()
    path = f"/plans/{plan['id']}/reviews/{review['id']}"
    snapshot = lea.read(path)
    document = snapshot["document"]
    assert snapshot["review"] == review
    # As it stood before the decisions took effect, with this review among its reviews.
    assert [item["goal"]["text"] for item in document["goals"]] == [goal["text"] for goal in goals]
    assert [item["goal"]["status"] for item in document["goals"]] == ["active"] * 5
    assert [item["goal"]["means"] for item in document["goals"]] == [[f"Moyen {n}"] for n in range(1, 6)]
    assert [item["value"] for item in document["goals"][0]["progress"]] == [40]
    assert document["reviews"] == [review]
    assert (document["plan"]["state"], document["plan"]["version"]) == ("active", plan["version"])

    # Later: an objective rewritten, progress added, an objective removed, a second review.
    clock.advance(days=10)
    current = lea.goals(plan["id"])
    lea.changed(f"/plans/{plan['id']}/goals/{current[0]['id']}", {"text": "Léa lit vingt mots."}, version=2)
    lea.progress(plan["id"], current[0]["id"], 90)
    assert lea.call("DELETE", f"/plans/{plan['id']}/goals/{current[1]['id']}", version=3).status_code == 204
    left = [goal for goal in lea.goals(plan["id"]) if goal["status"] == "active"]
    assert lea.review(plan["id"], [{"plan_goal_id": g["id"], "decision": "reached"} for g in left]).status_code == 201
    assert lea.patch_plan(plan["id"], {"state": "closed"}).status_code == 200

    assert lea.read(path) == snapshot
    assert lea.read(f"/plans/{plan['id']}/document")["goals"][0]["goal"]["text"] == "Léa lit vingt mots."
    reviews = lea.read(f"/plans/{plan['id']}/reviews")["items"]
    assert [item["number"] for item in reviews] == [1, 2]
    second = lea.read(f"/plans/{plan['id']}/reviews/{reviews[1]['id']}")["document"]
    assert [item["number"] for item in second["reviews"]] == [1, 2]
    assert [item["goal"]["text"] for item in second["goals"]][0] == "Léa lit vingt mots."


def test_a_review_can_close_the_plan(lea, plan):
    goals = lea.goals(plan["id"])
    decisions = [{"plan_goal_id": goal["id"], "decision": "reached"} for goal in goals]
    assert lea.review(plan["id"], decisions, held_on="2026-10-30", close_plan=True).status_code == 201
    closed = lea.get_plan(plan["id"])
    assert (closed["state"], closed["closed_on"], closed["active_goal_count"]) == ("closed", "2026-10-30", 0)


def test_renewal_continues_the_active_objectives_with_their_identity(lea, plan):
    student_id = plan["learner_id"]
    annex = lea.plan({"id": student_id}, kind="transition", parent_plan_id=plan["id"])
    job = lea.add_goal(annex["id"], text="{prénom} visite un milieu de travail.", sphere="teva-emploi")
    goals = lea.goals(plan["id"])
    lea.changed(f"/plans/{plan['id']}/goals/{goals[0]['id']}", {"deadline": "2027-06-01"}, version=2)
    lea.progress(plan["id"], goals[0]["id"], 40, on="2026-10-01")
    lea.progress(plan["id"], goals[0]["id"], 70, on="2026-11-01")
    lea.patch_plan(plan["id"], {"strengths": [{"text": "Curieuse"}], "modifications": ["Moins de questions"]})
    assert lea.review(plan["id"], five_decisions(goals)).status_code == 201

    version = lea.get_plan(plan["id"])["version"]
    assert lea.call("POST", f"/plans/{plan['id']}/renewal", {}).status_code == 428
    early = lea.call("POST", f"/plans/{plan['id']}/renewal", {"opened_on": "2026-08-01"}, version=version)
    assert list(errors(early)) == ["opened_on"]
    answer = lea.call(
        "POST", f"/plans/{plan['id']}/renewal", {"opened_on": "2027-08-28", "review_due_on": "2027-11-15"},
        version=version,
    )
    assert answer.status_code == 201, answer.text
    renewed = answer.json()
    assert answer.headers["location"] == f"/plans/{renewed['id']}"
    assert (renewed["state"], renewed["opened_on"], renewed["review_due_on"], renewed["previous_plan_id"]) == (
        "draft", "2027-08-28", "2027-11-15", plan["id"]
    )
    assert (renewed["strengths"], renewed["modifications"]) == ([{"text": "Curieuse", "priority": 1}],
                                                                ["Moins de questions"])
    continued = lea.goals(renewed["id"])
    assert [goal["lineage_id"] for goal in continued] == [goal["lineage_id"] for goal in goals[:3]]
    assert not {goal["id"] for goal in continued} & {goal["id"] for goal in goals}
    assert [goal["text"] for goal in continued] == [
        goals[0]["text"], goals[1]["text"], "Léa lève la main et attend qu'on la nomme."
    ]
    assert [goal["means"] for goal in continued] == [["Moyen 1"], ["Tableau de routines"], ["Carton rouge-vert"]]
    assert [(goal["deadline"], goal["progress_count"], goal["position"]) for goal in continued] == [
        (None, 0, 1), (None, 0, 2), (None, 0, 3)
    ]
    old = lea.get_plan(plan["id"])
    assert (old["state"], old["closed_on"], old["next_plan_id"]) == ("closed", "2027-08-28", renewed["id"])
    # The transition annex is renewed with its plan.
    new_annex_id = renewed["annex_plan_id"]
    assert new_annex_id is not None
    new_annex = lea.get_plan(new_annex_id)
    assert (new_annex["parent_plan_id"], new_annex["previous_plan_id"]) == (renewed["id"], annex["id"])
    assert [goal["lineage_id"] for goal in lea.goals(new_annex_id)] == [job["lineage_id"]]
    assert lea.get_plan(annex["id"])["state"] == "closed"

    again = lea.call("POST", f"/plans/{plan['id']}/renewal", {}, version=old["version"])
    assert again.status_code == 409 and again.json()["errors"] == {"plan": ["Ce plan a déjà été reconduit."]}

    # The history of a continued objective spans both plans.
    history = lea.read(f"/plans/{renewed['id']}/goals/{continued[0]['id']}/history")
    assert history["lineage_id"] == goals[0]["lineage_id"]
    steps = history["steps"]
    assert [step["plan"]["id"] for step in steps] == [plan["id"], renewed["id"]]
    assert [step["goal"]["id"] for step in steps] == [goals[0]["id"], continued[0]["id"]]
    assert [entry["value"] for entry in steps[0]["progress"]] == [40, 70]
    assert steps[1]["progress"] == []
    [decided] = steps[0]["decisions"]
    assert [(item["decision"], item["note"]) for item in decided["decisions"]] == [("continue", "Note continue")]
    assert steps[1]["decisions"] == []
    same = lea.read(f"/plans/{plan['id']}/goals/{goals[0]['id']}/history")
    assert same == history
    reached = lea.read(f"/plans/{plan['id']}/goals/{goals[3]['id']}/history")["steps"]
    assert len(reached) == 1 and reached[0]["decisions"][0]["decisions"][0]["decision"] == "reached"


def test_a_closed_plan_can_be_renewed_and_stays_as_it_was_closed(lea, plan, clock):
    closed = lea.patch_plan(plan["id"], {"state": "closed", "closed_on": "2026-10-31"}).json()
    clock.advance(days=2)
    renewed = lea.made(f"/plans/{plan['id']}/renewal", {}, version=closed["version"])
    assert renewed["opened_on"] == "2026-11-04"
    assert len(lea.goals(renewed["id"])) == 5
    old = lea.get_plan(plan["id"])
    assert (old["closed_on"], old["version"], old["next_plan_id"]) == ("2026-10-31", closed["version"], renewed["id"])


def test_renewal_can_keep_the_previous_plan_open(lea, plan):
    renewed = lea.made(f"/plans/{plan['id']}/renewal", {"close_previous": False}, version=plan["version"])
    assert lea.get_plan(plan["id"])["state"] == "active"
    assert lea.get_plan(renewed["id"])["state"] == "draft"
