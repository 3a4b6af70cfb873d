"""Another account gets 404 on every plan route with a teacher's ids — snapshots, history, document and exports
included — exactly like an unknown id, and the teacher's plan is unchanged afterwards. The list of routes comes
from the application, so a new route cannot escape this test."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from tests.server.plan_helpers import API, Planner, errors

#: Every plan route under ``/plans/{plan_id}``, with a body that would be accepted from the owner.
CALLS: dict[tuple[str, str], Any] = {
    ("GET", "/plans/{plan_id}"): None,
    ("PATCH", "/plans/{plan_id}"): {"strengths": [{"text": "Écrit par un autre compte"}]},
    ("DELETE", "/plans/{plan_id}"): None,
    ("GET", "/plans/{plan_id}/document"): None,
    ("GET", "/plans/{plan_id}/export"): None,
    ("GET", "/plans/{plan_id}/goals"): None,
    ("POST", "/plans/{plan_id}/goals"): {"text": "Un objectif d'un autre compte."},
    ("GET", "/plans/{plan_id}/goals/{plan_goal_id}"): None,
    ("PATCH", "/plans/{plan_id}/goals/{plan_goal_id}"): {"text": "Réécrit par un autre compte."},
    ("DELETE", "/plans/{plan_id}/goals/{plan_goal_id}"): None,
    ("GET", "/plans/{plan_id}/goals/{plan_goal_id}/history"): None,
    ("GET", "/plans/{plan_id}/progress"): None,
    ("POST", "/plans/{plan_id}/progress"): {"plan_goal_id": "{plan_goal_id}", "value": 99},
    ("DELETE", "/plans/{plan_id}/progress/{entry_id}"): None,
    ("GET", "/plans/{plan_id}/reviews"): None,
    ("POST", "/plans/{plan_id}/reviews"): {"decisions": [{"plan_goal_id": "{plan_goal_id}", "decision": "closed"}]},
    ("GET", "/plans/{plan_id}/reviews/{review_id}"): None,
    ("GET", "/plans/{plan_id}/reviews/{review_id}/export"): None,
    ("POST", "/plans/{plan_id}/renewal"): {},
}


def plan_routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) of the application under ``/plans/{…}``, without the API prefix (included routers
    are walked by ``iter_route_contexts``)."""
    return {
        (method, route.path.removeprefix(API))
        for route in iter_route_contexts(app.routes)
        if route.path.startswith(f"{API}/plans/{{")
        for method in route.methods or ()
    }


def filled(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [filled(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: filled(item, ids) for key, item in value.items()}
    return value


@pytest.fixture
def owner(api: Any) -> Planner:
    return Planner(api.client, api.signed_up("lea@example.org")["token"])


@pytest.fixture
def intruder(api: Any) -> Planner:
    return Planner(api.client, api.signed_up("marc@example.org")["token"])


def build(teacher: Planner, first_name: str) -> dict[str, Any]:
    """An active plan with an objective, progress and a review; its ids and versions."""
    student = teacher.learner(first_name)
    goal = teacher.goal(f"{{prénom}} lit dix mots fréquents, comme {first_name}.", student)
    plan = teacher.plan(student, [goal])
    teacher.activate(plan["id"])
    [plan_goal] = teacher.goals(plan["id"])
    entry = teacher.progress(plan["id"], plan_goal["id"], 40)
    answer = teacher.review(plan["id"], [{"plan_goal_id": plan_goal["id"], "decision": "continue"}])
    assert answer.status_code == 201, answer.text
    return {
        "learner_id": student["id"],
        "goal_id": goal["id"],
        "plan_id": plan["id"],
        "plan_goal_id": plan_goal["id"],
        "entry_id": entry["id"],
        "review_id": answer.json()["id"],
    }


def everything(teacher: Planner, ids: dict[str, str]) -> dict[str, Any]:
    """What the owner reads of the plan: enough to see any change."""
    plan = f"/plans/{ids['plan_id']}"
    return {
        "document": {**teacher.read(f"{plan}/document"), "generated_at": None},
        "progress": teacher.read(f"{plan}/progress"),
        "reviews": teacher.read(f"{plan}/reviews"),
        "snapshot": teacher.read(f"{plan}/reviews/{ids['review_id']}"),
        "history": teacher.read(f"{plan}/goals/{ids['plan_goal_id']}/history"),
        "plans": teacher.read("/plans"),
        "collection": teacher.read("/collection/goals"),
    }


def test_the_table_covers_every_plan_route(api):
    assert plan_routes(api.client.app) == set(CALLS), "a plan route is missing from CALLS (or CALLS names a gone one)"


def test_another_account_gets_404_on_every_plan_route_and_changes_nothing(owner, intruder):
    ids = build(owner, "Léa")
    intruder_ids = build(intruder, "Gaspard")
    before = everything(owner, ids)
    version = owner.get_plan(ids["plan_id"])["version"]

    for (method, template), body in CALLS.items():
        path = template.format(**ids)
        answer = intruder.call(method, path, filled(body, ids), version=version, params={"format": "md"})
        assert answer.status_code == 404, f"{method} {template}: {answer.status_code} {answer.text}"
        assert answer.json()["detail"] == "Cette ressource n'existe pas."
        # The intruder's own plan with the owner's objective, entry or review: 404 too.
        if template.count("{") > 1:
            mixed = template.format(**{**ids, "plan_id": intruder_ids["plan_id"]})
            answer = intruder.call(method, mixed, filled(body, intruder_ids), version=1, params={"format": "md"})
            assert answer.status_code == 404, f"{method} {template} (mixed): {answer.status_code} {answer.text}"

    assert everything(owner, ids) == before


def test_an_objective_of_another_plan_of_the_same_account_is_404_in_a_path(owner):
    ids = build(owner, "Léa")
    other = build(owner, "Zoé")
    for (method, template), body in CALLS.items():
        if template.count("{") > 1:
            path = template.format(**{**other, "plan_id": ids["plan_id"]})
            answer = owner.call(method, path, filled(body, other), version=1, params={"format": "md"})
            assert answer.status_code == 404, f"{method} {template}: {answer.status_code} {answer.text}"


def test_ids_of_another_account_in_a_body_are_refused_like_unknown_ones(owner, intruder):
    ids = build(owner, "Léa")
    mine = build(intruder, "Gaspard")
    same_as_unknown = [
        ("/plans", {"learner_id": ids["learner_id"]}, {"learner_id": "0" * 32}, "learner_id"),
        (
            "/plans",
            {"learner_id": mine["learner_id"], "goal_ids": [ids["goal_id"]]},
            {"learner_id": mine["learner_id"], "goal_ids": ["0" * 32]},
            "goal_ids",
        ),
        (
            "/plans",
            {"learner_id": mine["learner_id"], "kind": "transition", "parent_plan_id": ids["plan_id"]},
            {"learner_id": mine["learner_id"], "kind": "transition", "parent_plan_id": "0" * 32},
            "parent_plan_id",
        ),
        (f"/plans/{mine['plan_id']}/goals", {"goal_id": ids["goal_id"]}, {"goal_id": "0" * 32}, "goal_id"),
        (
            f"/plans/{mine['plan_id']}/progress",
            {"plan_goal_id": ids["plan_goal_id"], "value": 1},
            {"plan_goal_id": "0" * 32, "value": 1},
            "plan_goal_id",
        ),
    ]
    for path, foreign, unknown, field in same_as_unknown:
        refused = errors(intruder.call("POST", path, foreign))
        assert list(refused) == [field] and refused == errors(intruder.call("POST", path, unknown))
        assert "Léa" not in str(refused)
    review = intruder.review(mine["plan_id"], [{"plan_goal_id": ids["plan_goal_id"], "decision": "closed"}])
    assert list(errors(review)) == ["decisions"]
    assert owner.goals(ids["plan_id"])[0]["status"] == "active"
