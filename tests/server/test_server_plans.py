"""Plans d'intervention: a plan built from the learner's sub-collection, its rules at their fields, transition
annexes, states, a closed plan, objectives written there and then, progress in each unit, and two sessions that
never lose a change silently."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select

from banqo_server.models import Plan, PlanGoal, PlanReview, ProgressEntry, ReviewDecision
from tests.server.plan_helpers import Planner, errors

CLOSED = "Ce plan est fermé : rouvrez-le pour le modifier."


@pytest.fixture
def lea(api: Any) -> Planner:
    return Planner(api.client, api.signed_up()["token"])


@pytest.fixture
def student(lea: Planner) -> dict[str, Any]:
    return lea.learner("Léa")


def test_a_plan_starts_from_the_sub_collection_with_the_first_name_filled_in_and_the_order_kept(lea, student):
    reads = lea.goal("{prénom} lit dix mots fréquents.", student, criterion="9 mots sur 10", measure="Relevé")
    counts = lea.goal("{prénom} compte jusqu'à 100.", student)
    answer = lea.call("POST", "/plans", {"learner_id": student["id"], "goal_ids": [counts["id"], reads["id"]]})
    assert answer.status_code == 201, answer.text
    plan = answer.json()
    assert answer.headers["etag"] == '"1"' and answer.headers["location"] == f"/plans/{plan['id']}"
    assert (plan["kind"], plan["state"], plan["opened_on"]) == ("intervention", "draft", "2026-11-02")
    assert (plan["learner_first_name"], plan["goal_count"], plan["active_goal_count"]) == ("Léa", 2, 2)

    goals = lea.goals(plan["id"])
    assert [goal["text"] for goal in goals] == ["Léa compte jusqu'à 100.", "Léa lit dix mots fréquents."]
    assert [goal["position"] for goal in goals] == [1, 2]
    assert [goal["goal_id"] for goal in goals] == [counts["id"], reads["id"]]
    assert len({goal["lineage_id"] for goal in goals}) == 2
    assert (goals[1]["criterion"], goals[1]["evaluation"]) == ("9 mots sur 10", "Relevé")
    assert (goals[0]["criterion"], goals[0]["evaluation"]) == ("", "")
    assert all((goal["unit"], goal["direction"], goal["status"]) == ("percent", "at_least", "active") for goal in goals)
    assert goals[0]["gaps"] == ["criterion", "measure", "deadline"]
    assert goals[1]["gaps"] == ["deadline"]
    # The collection keeps the text as typed.
    assert lea.read(f"/collection/goals/{reads['id']}")["text"] == "{prénom} lit dix mots fréquents."


def test_today_is_the_date_where_the_seller_is(lea, student, clock):
    clock.now = datetime(2026, 11, 3, 3, 30, tzinfo=UTC)  # 22 h 30 on 2 November in Toronto
    assert lea.plan(student)["opened_on"] == "2026-11-02"


def test_creating_a_plan_refuses_each_rule_at_its_field(api, lea, student):
    other = Planner(api.client, api.signed_up("marc@example.org")["token"])
    foreign_learner = other.learner("Gaspard")
    foreign_goal = other.goal("Attendre son tour.", foreign_learner)
    unfiled = lea.goal("Un objectif de la collection, pas du dossier.")

    unknown = errors(lea.call("POST", "/plans", {"learner_id": "0" * 32}))
    foreign = errors(lea.call("POST", "/plans", {"learner_id": foreign_learner["id"]}))
    assert unknown == foreign == {"learner_id": ["Cet élève n'existe pas."]}

    for goal_ids in ([unfiled["id"]], [foreign_goal["id"]], ["nothing"]):
        refused = errors(lea.call("POST", "/plans", {"learner_id": student["id"], "goal_ids": goal_ids}))
        assert refused == {"goal_ids": ["Cet objectif n'est pas dans le dossier de Léa."]}

    refused = errors(lea.call("POST", "/plans", {"learner_id": student["id"], "participants": [{"role": "other"}]}))
    assert list(refused) == ["participants"] and "Autre" in refused["participants"][0]
    refused = errors(
        lea.call(
            "POST",
            "/plans",
            {"learner_id": student["id"], "opened_on": "2026-11-02", "review_due_on": "2026-11-01"},
        )
    )
    assert list(refused) == ["review_due_on"]
    refused = errors(
        lea.call("POST", "/plans", {"learner_id": student["id"], "parent_plan_id": lea.plan(student)["id"]})
    )
    assert list(refused) == ["parent_plan_id"]

    plan = lea.plan(
        student,
        participants=[{"role": "other", "other_role": "  Ergothérapeute "}, {"role": "parent", "other_role": "Mère"}],
    )
    assert plan["participants"] == [
        {"role": "other", "other_role": "Ergothérapeute"},
        {"role": "parent", "other_role": None},
    ]
    assert plan["id"] in {item["id"] for item in lea.read("/plans")["items"]}


def test_a_transition_annex_belongs_to_an_open_intervention_plan_of_the_same_learner(lea, student):
    zoe = lea.learner("Zoé")
    job = lea.goal("{prénom} remplit une demande d'emploi.", student, domain="teva-emploi")
    reads = lea.goal("{prénom} lit un horaire d'autobus.", student, domain="lecture")
    main = lea.plan(student)

    def annex(**fields: Any) -> Any:
        return lea.call("POST", "/plans", {"learner_id": student["id"], "kind": "transition", **fields})

    assert list(errors(annex())) == ["parent_plan_id"]
    assert list(errors(annex(parent_plan_id="0" * 32))) == ["parent_plan_id"]
    assert list(errors(annex(parent_plan_id=lea.plan(zoe)["id"]))) == ["parent_plan_id"]
    refused = errors(annex(parent_plan_id=main["id"], goal_ids=[reads["id"]]))
    assert list(refused) == ["goal_ids"] and "sphère" in refused["goal_ids"][0]

    created = annex(parent_plan_id=main["id"], goal_ids=[job["id"]])
    assert created.status_code == 201, created.text
    transition = created.json()
    assert (transition["kind"], transition["parent_plan_id"]) == ("transition", main["id"])
    assert lea.get_plan(main["id"])["annex_plan_id"] == transition["id"]
    assert list(errors(annex(parent_plan_id=main["id"]))) == ["parent_plan_id"]  # one open annex per plan
    assert list(errors(annex(parent_plan_id=transition["id"]))) == ["parent_plan_id"]  # not an intervention plan

    # Each objective of an annex has a sphere: inferred from the goal, or given.
    refused = lea.call("POST", f"/plans/{transition['id']}/goals", {"goal_id": reads["id"]})
    assert list(errors(refused)) == ["sphere"]
    lea.add_goal(transition["id"], goal_id=reads["id"], sphere="teva-transport")
    lea.add_goal(transition["id"], text="{prénom} visite un centre de loisirs.", sphere="teva-loisirs")
    document = lea.document(transition["id"])
    assert [(item["goal"]["sphere"], item["goal"]["text"]) for item in document["goals"]] == [
        ("teva-emploi", "Léa remplit une demande d'emploi."),
        ("teva-transport", "Léa lit un horaire d'autobus."),
        ("teva-loisirs", "Léa visite un centre de loisirs."),
    ]
    assert document["parent_plan"]["id"] == main["id"]

    closed = lea.patch_plan(main["id"], {"state": "closed"})
    assert closed.status_code == 200
    lea.patch_plan(transition["id"], {"state": "closed"})
    assert list(errors(annex(parent_plan_id=main["id"]))) == ["parent_plan_id"]  # the plan is closed


def test_the_state_moves_one_step_at_a_time_and_a_closed_plan_only_reopens(lea, student, clock):
    goal = lea.goal("{prénom} range son casier.", student)
    plan = lea.plan(student, [goal], opened_on="2026-10-01")
    path = f"/plans/{plan['id']}"
    assert list(errors(lea.patch_plan(plan["id"], {"state": "review"}))) == ["state"]
    for state in ("active", "review", "active"):
        answer = lea.patch_plan(plan["id"], {"state": state})
        assert answer.status_code == 200 and answer.json()["state"] == state
    assert list(errors(lea.patch_plan(plan["id"], {"state": "closed", "closed_on": "2026-09-30"}))) == ["closed_on"]

    clock.advance(days=3)
    closed = lea.patch_plan(plan["id"], {"state": "closed"}).json()
    assert (closed["state"], closed["closed_on"]) == ("closed", "2026-11-05")

    version = closed["version"]
    [plan_goal] = lea.goals(plan["id"])
    refusals = [
        lea.call("PATCH", path, {"strengths": [{"text": "Curieuse"}]}, version=version),
        lea.call("PATCH", path, {"state": "review"}, version=version),
        lea.call("POST", f"{path}/goals", {"text": "Un objectif de plus."}),
        lea.call("PATCH", f"{path}/goals/{plan_goal['id']}", {"means": ["Pictogrammes"]}, version=1),
        lea.call("DELETE", f"{path}/goals/{plan_goal['id']}", version=1),
        lea.call("POST", f"{path}/progress", {"plan_goal_id": plan_goal["id"], "value": 50}),
        lea.call("POST", f"{path}/reviews", {"decisions": []}, version=version),
    ]
    for answer in refusals:
        assert answer.status_code == 409, answer.text
        assert answer.json()["errors"] == {"state": [CLOSED]}
    assert lea.get_plan(plan["id"]) == closed
    assert lea.goals(plan["id"]) == [plan_goal]

    reopened = lea.patch_plan(plan["id"], {"state": "active"}).json()
    assert (reopened["state"], reopened["closed_on"], reopened["version"]) == ("active", None, version + 1)
    assert lea.patch_plan(plan["id"], {"strengths": [{"text": "Curieuse"}]}).status_code == 200


def test_strengths_needs_and_measures_are_tidied(lea, student):
    plan = lea.plan(student)
    body = {
        "strengths": [{"text": " Curieuse ", "priority": 2}, {"text": "Persévérante", "priority": 1},
                      {"text": "Drôle", "priority": 2}],
        "needs": [{"text": "Lecture"}],
        "adaptations": ["  Temps supplémentaire ", "", "   "],
        "modifications": ["Questions réduites"],
        "review_due_on": "2027-01-15",
    }
    changed = lea.patch_plan(plan["id"], body).json()
    assert [item["text"] for item in changed["strengths"]] == ["Persévérante", "Curieuse", "Drôle"]
    assert changed["adaptations"] == ["Temps supplémentaire"]
    assert (changed["modifications"], changed["review_due_on"], changed["version"]) == (
        ["Questions réduites"], "2027-01-15", 2
    )
    assert list(errors(lea.patch_plan(plan["id"], {"strengths": [{"text": "  "}]}))) == ["strengths"]
    assert list(errors(lea.patch_plan(plan["id"], {"needs": [{"text": ""}]}))) == ["needs"]
    assert list(errors(lea.patch_plan(plan["id"], {"review_due_on": "2026-10-01"}))) == ["review_due_on"]
    assert list(errors(lea.patch_plan(plan["id"], {"state": "draft", "closed_on": "2026-11-02"}))) == ["closed_on"]
    assert lea.patch_plan(plan["id"], {"review_due_on": None}).json()["review_due_on"] is None
    assert lea.call("PATCH", f"/plans/{plan['id']}", {"needs": []}).status_code == 428


def test_more_than_five_active_objectives_are_counted_not_refused(lea, student):
    plan = lea.plan(student)
    for number in range(6):
        lea.add_goal(plan["id"], text=f"{{prénom}} réussit l'étape {number + 1}.")
    counted = lea.get_plan(plan["id"])
    assert (counted["goal_count"], counted["active_goal_count"]) == (6, 6)
    listed = lea.read("/plans", learner_id=student["id"])["items"]
    assert [(item["id"], item["active_goal_count"]) for item in listed] == [(plan["id"], 6)]


def test_an_objective_written_there_and_then_lands_in_the_collection_and_the_sub_collection(lea, student):
    plan = lea.plan(student)
    written = lea.add_goal(
        plan["id"], text="{prénom} attache ses souliers seule 4 fois sur 5.", means=["  Modelage ", ""],
        responsible_roles=[{"role": "teacher"}, {"role": "other", "other_role": "Ergothérapeute"}],
        evaluation="Grille d'observation", deadline="2027-06-20",
    )
    assert written["text"] == "Léa attache ses souliers seule 4 fois sur 5."
    assert written["means"] == ["Modelage"] and written["gaps"] == []
    collection = lea.read("/collection/goals")["items"]
    assert [(goal["id"], goal["text"]) for goal in collection] == [
        (written["goal_id"], "{prénom} attache ses souliers seule 4 fois sur 5.")
    ]
    assert collection[0]["measure"] == "Grille d'observation"
    filed = lea.read(f"/learners/{student['id']}/goals")["items"]
    assert [item["goal"]["id"] for item in filed] == [written["goal_id"]]

    twice = lea.call("POST", f"/plans/{plan['id']}/goals", {"goal_id": written["goal_id"]})
    assert twice.status_code == 409 and twice.json()["errors"] == {"goal_id": ["Cet objectif est déjà dans ce plan."]}
    same_text = {"text": "{prénom} attache ses souliers seule 4 fois sur 5."}
    again = lea.call("POST", f"/plans/{plan['id']}/goals", same_text)
    assert again.status_code == 409
    for body in ({}, {"goal_id": written["goal_id"], "text": "Les deux"}):
        assert set(errors(lea.call("POST", f"/plans/{plan['id']}/goals", body))) == {"goal_id", "text"}
    unfiled = lea.goal("Un objectif d'un autre dossier.")
    refused = errors(lea.call("POST", f"/plans/{plan['id']}/goals", {"goal_id": unfiled["id"]}))
    assert refused == {"goal_id": ["Cet objectif n'est pas dans le dossier de Léa."]}
    assert list(errors(lea.call("POST", f"/plans/{plan['id']}/goals", {"text": "   "}))) == ["text"]
    late = {"text": "Trop tôt.", "deadline": "2026-10-01"}
    assert list(errors(lea.call("POST", f"/plans/{plan['id']}/goals", late))) == ["deadline"]
    assert len(lea.read("/collection/goals")["items"]) == 2  # nothing was added by the refusals


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"unit": "percent", "target": 120}, "target"),
        ({"unit": "ratio", "target": 3}, "out_of"),
        ({"unit": "ratio", "out_of": 0}, "out_of"),
        ({"unit": "ratio", "out_of": 5, "target": 6}, "target"),
        ({"unit": "count", "target": -1}, "target"),
        ({"unit": "rubric", "out_of": 11}, "out_of"),
        ({"unit": "rubric", "out_of": 4, "target": 2.5}, "target"),
        ({"unit": "rubric", "out_of": 4, "target": 0}, "target"),
    ],
)
def test_an_objective_s_target_fits_its_unit(lea, student, fields, field):
    plan = lea.plan(student)
    assert list(errors(lea.call("POST", f"/plans/{plan['id']}/goals", {"text": "Un objectif.", **fields}))) == [field]


@pytest.mark.parametrize(
    ("unit", "out_of", "refused", "accepted", "words"),
    [
        ("percent", None, [-1, 100.5], [0, 80, 100], "pourcentage entre 0 et 100"),
        ("ratio", 5, [-1, 6], [0, 4, 5], "entre 0 et 5"),
        ("count", None, [-1, 2.5], [0, 3], "nombre entier"),
        ("rubric", 4, [0, 5, 2.5], [1, 4], "niveau entier de 1 à 4"),
    ],
)
def test_progress_is_measured_in_the_objective_s_unit(lea, student, clock, unit, out_of, refused, accepted, words):
    plan = lea.plan(student)
    goal = lea.add_goal(plan["id"], text="{prénom} progresse.", unit=unit, out_of=out_of)
    path = f"/plans/{plan['id']}/progress"
    for value in refused:
        messages = errors(lea.call("POST", path, {"plan_goal_id": goal["id"], "value": value}))["value"]
        assert len(messages) == 1 and words in messages[0], messages
    for value in accepted:
        clock.advance(minutes=1)  # entered one after the other
        entry = lea.progress(plan["id"], goal["id"], value)
        assert (entry["value"], entry["out_of"], entry["on"]) == (value, out_of, "2026-11-02")
        assert entry["lineage_id"] == goal["lineage_id"]
    assert [entry["value"] for entry in lea.read(path)["items"]] == accepted
    assert lea.read(f"/plans/{plan['id']}/goals/{goal['id']}")["progress_count"] == len(accepted)


def test_progress_is_dated_no_later_than_today_and_belongs_to_the_plan(lea, student):
    plan = lea.plan(student)
    other = lea.plan(student)
    goal = lea.add_goal(plan["id"], text="{prénom} lit.")
    second = lea.add_goal(plan["id"], text="{prénom} écrit.")
    foreign = lea.add_goal(other["id"], text="{prénom} compte.")
    path = f"/plans/{plan['id']}/progress"
    assert list(errors(lea.call("POST", path, {"plan_goal_id": goal["id"], "value": 5, "on": "2026-11-03"}))) == ["on"]
    assert list(errors(lea.call("POST", path, {"plan_goal_id": foreign["id"], "value": 5}))) == ["plan_goal_id"]
    ratio = lea.add_goal(plan["id"], text="{prénom} réussit.", unit="ratio", out_of=5)
    entry = lea.progress(plan["id"], ratio["id"], 7, out_of=10)
    assert entry["out_of"] == 10
    later = lea.progress(plan["id"], goal["id"], 60, on="2026-10-20", note="  Bonne semaine ")
    earlier = lea.progress(plan["id"], goal["id"], 40, on="2026-10-10")
    lea.progress(plan["id"], second["id"], 10)
    assert later["note"] == "Bonne semaine"
    mine = lea.read(path, plan_goal_id=goal["id"])["items"]
    assert [item["id"] for item in mine] == [earlier["id"], later["id"]]
    first_page = lea.read(path, limit=2)
    assert len(first_page["items"]) == 2 and first_page["next_cursor"]
    rest = lea.read(path, limit=2, cursor=first_page["next_cursor"])
    assert len(first_page["items"]) + len(rest["items"]) == 4 and rest["next_cursor"] is None
    assert lea.call("DELETE", f"{path}/{earlier['id']}").status_code == 204
    assert lea.call("DELETE", f"{path}/{earlier['id']}").status_code == 404
    assert [item["id"] for item in lea.read(path, plan_goal_id=goal["id"])["items"]] == [later["id"]]


def test_objectives_change_move_and_go_with_their_own_version(lea, student):
    plan = lea.plan(student)
    first, second, third = (lea.add_goal(plan["id"], text=f"{{prénom}} fait l'étape {n}.") for n in (1, 2, 3))
    path = f"/plans/{plan['id']}/goals"
    read = lea.call("GET", f"{path}/{third['id']}")
    assert read.headers["etag"] == '"1"'
    moved = lea.changed(f"{path}/{third['id']}", {"position": 1, "deadline": "2027-06-01"}, version=1)
    assert (moved["position"], moved["version"], moved["gaps"]) == (1, 2, ["criterion", "measure"])
    assert [goal["id"] for goal in lea.goals(plan["id"])] == [third["id"], first["id"], second["id"]]
    assert [goal["position"] for goal in lea.goals(plan["id"])] == [1, 2, 3]
    assert list(errors(lea.call("PATCH", f"{path}/{first['id']}", {"deadline": "2026-01-01"}, version=1))) == [
        "deadline"
    ]
    assert list(errors(lea.call("PATCH", f"{path}/{first['id']}", {"text": " "}, version=1))) == ["text"]
    assert list(errors(lea.call("PATCH", f"{path}/{first['id']}", {"unit": "rubric"}, version=1))) == ["out_of"]
    rubric = lea.changed(f"{path}/{first['id']}", {"unit": "rubric", "out_of": 4, "target": 3}, version=1)
    assert (rubric["unit"], rubric["out_of"], rubric["target"]) == ("rubric", 4, 3)
    assert lea.call("DELETE", f"{path}/{first['id']}", version=1).status_code == 412
    assert lea.call("DELETE", f"{path}/{first['id']}").status_code == 428
    assert lea.call("DELETE", f"{path}/{first['id']}", version=2).status_code == 204
    assert [(goal["id"], goal["position"]) for goal in lea.goals(plan["id"])] == [(third["id"], 1), (second["id"], 2)]
    assert lea.get_plan(plan["id"])["goal_count"] == 2


def test_a_plan_is_deleted_with_its_objectives_progress_reviews_and_annex(api, lea, student):
    plan = lea.plan(student, [lea.goal("{prénom} lit.", student)])
    annex = lea.plan(student, kind="transition", parent_plan_id=plan["id"])
    kept = lea.plan(student, [lea.goal("{prénom} écrit.", student)])
    lea.activate(plan["id"])
    [goal] = lea.goals(plan["id"])
    lea.progress(plan["id"], goal["id"], 50)
    assert lea.review(plan["id"], [{"plan_goal_id": goal["id"], "decision": "continue"}]).status_code == 201
    version = lea.get_plan(plan["id"])["version"]
    assert lea.call("DELETE", f"/plans/{plan['id']}").status_code == 428
    assert lea.call("DELETE", f"/plans/{plan['id']}", version=version - 1).status_code == 412
    assert lea.call("DELETE", f"/plans/{plan['id']}", version=version).status_code == 204
    for gone in (plan, annex):
        assert lea.call("GET", f"/plans/{gone['id']}").status_code == 404
    assert [item["id"] for item in lea.read("/plans")["items"]] == [kept["id"]]
    with api.client.app.state.session_factory() as db:
        counts = {
            table.__name__: db.scalar(select(func.count()).select_from(table))
            for table in (Plan, PlanGoal, ProgressEntry, PlanReview, ReviewDecision)
        }
    assert counts == {"Plan": 1, "PlanGoal": 1, "ProgressEntry": 0, "PlanReview": 0, "ReviewDecision": 0}


def test_plans_are_listed_by_learner_and_state_page_by_page(lea, student, clock):
    zoe = lea.learner("Zoé")
    first = lea.plan(student)
    clock.advance(minutes=1)
    second = lea.plan(zoe)
    clock.advance(minutes=1)
    third = lea.plan(student)
    lea.activate(third["id"])
    assert [item["id"] for item in lea.read("/plans", learner_id=student["id"])["items"]] == [first["id"], third["id"]]
    assert [item["id"] for item in lea.read("/plans", state="active")["items"]] == [third["id"]]
    page = lea.read("/plans", limit=2)
    rest = lea.read("/plans", limit=2, cursor=page["next_cursor"])
    assert [item["id"] for item in page["items"] + rest["items"]] == [first["id"], second["id"], third["id"]]
    assert lea.call("GET", "/plans", params={"cursor": "damaged"}).status_code == 422


def test_two_sessions_never_lose_a_change_silently(make_api, lea, student):
    first, second = make_api(), make_api()
    session_a = Planner(first.client, first.signed_in()["token"])
    session_b = Planner(second.client, second.signed_in()["token"])
    plan = lea.plan(student)
    goal = lea.add_goal(plan["id"], text="{prénom} lit.")
    path = f"/plans/{plan['id']}"
    assert session_a.get_plan(plan["id"])["version"] == session_b.get_plan(plan["id"])["version"] == 1

    session_a.changed(path, {"strengths": [{"text": "Curieuse"}]}, version=1)
    stale = session_b.call("PATCH", path, {"needs": [{"text": "Lecture"}]}, version=1)
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2 and stale.headers["etag"] == '"2"'
    now = session_b.get_plan(plan["id"])
    assert (now["strengths"], now["needs"], now["version"]) == ([{"text": "Curieuse", "priority": 1}], [], 2)

    goal_path = f"{path}/goals/{goal['id']}"
    assert session_a.read(goal_path)["version"] == session_b.read(goal_path)["version"] == 1
    session_a.changed(goal_path, {"means": ["Pictogrammes"]}, version=1)
    stale = session_b.call("PATCH", goal_path, {"text": "Léa lit à voix haute."}, version=1)
    assert stale.status_code == 412 and stale.json()["current_version"] == 2
    now_goal = session_b.read(goal_path)
    assert (now_goal["means"], now_goal["text"]) == (["Pictogrammes"], "Léa lit.")


class Statements:
    """Counts the SQL statements the server runs (on the test's app engine) while in a ``with`` block."""

    def __init__(self, api: Any) -> None:
        self.engine = api.client.app.state.engine
        self.count = 0

    def _seen(self, *_args: Any) -> None:
        self.count += 1

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def test_documents_and_lists_take_the_same_number_of_queries_whatever_their_size(api, lea, student):
    small = lea.plan(student)
    large = lea.plan(student)
    lea.add_goal(small["id"], text="{prénom} lit.")
    for number in range(8):
        goal = lea.add_goal(large["id"], text=f"{{prénom}} fait l'étape {number}.")
        lea.progress(large["id"], goal["id"], 10 * number)

    def statements(path: str) -> int:
        with Statements(api) as counted:
            lea.read(path)
        return counted.count

    assert statements(f"/plans/{small['id']}/document") == statements(f"/plans/{large['id']}/document")
    assert statements(f"/plans/{small['id']}/goals") == statements(f"/plans/{large['id']}/goals")
    one_plan = statements("/plans?limit=1")
    for _ in range(5):
        lea.plan(student)
    assert statements("/plans") == one_plan


def test_deleting_a_learner_deletes_their_plans(lea, student):
    plan = lea.plan(student, [lea.goal("{prénom} lit.", student)])
    lea.activate(plan["id"])
    [goal] = lea.goals(plan["id"])
    lea.progress(plan["id"], goal["id"], 30)
    assert lea.review(plan["id"], [{"plan_goal_id": goal["id"], "decision": "continue"}]).status_code == 201
    zoe = lea.learner("Zoé")
    kept = lea.plan(zoe)
    assert lea.call("DELETE", f"/learners/{student['id']}", version=1).status_code == 204
    assert lea.call("GET", f"/plans/{plan['id']}").status_code == 404
    assert [item["id"] for item in lea.read("/plans")["items"]] == [kept["id"]]


@pytest.mark.parametrize(
    ("format", "media_type", "extension"),
    [("pdf", "application/pdf", "pdf"), ("md", "text/markdown", "md"),
     ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")],
)
def test_a_plan_and_a_review_s_snapshot_are_exported_as_files(lea, student, format, media_type, extension):
    plan = lea.plan(student, [lea.goal("{prénom} lit.", student)])
    lea.activate(plan["id"])
    [goal] = lea.goals(plan["id"])
    review = lea.review(plan["id"], [{"plan_goal_id": goal["id"], "decision": "reached"}]).json()
    for path in (f"/plans/{plan['id']}/export", f"/plans/{plan['id']}/reviews/{review['id']}/export"):
        answer = lea.call("GET", path, params={"format": format})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(media_type)
        disposition = answer.headers["content-disposition"]
        assert disposition.startswith('attachment; filename="') and disposition.endswith(f'.{extension}"')
        assert answer.content
    assert lea.call("GET", f"/plans/{plan['id']}/export").headers["content-type"] == "application/pdf"
    assert list(errors(lea.call("GET", f"/plans/{plan['id']}/export", params={"format": "odt"}))) == ["format"]
