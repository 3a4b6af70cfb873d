"""``Idempotency-Key`` on every create: a client that never heard the answer sends the create again with the same
key and gets the first attempt's resource (200), never a second one; another key makes another; keys belong to
one account (one sender for support messages); and two requests racing with one key still make one."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select

from banqo_server.models import SupportMessage
from tests.server.plan_helpers import Planner


@dataclass
class World:
    """One teacher with a learner, a goal filed under the learner, and an active plan with that objective."""

    who: Planner
    learner: dict[str, Any]
    plan: dict[str, Any]
    objective: dict[str, Any]
    email: str

    def plan_version(self) -> int:
        return self.who.get_plan(self.plan["id"])["version"]


def world(api: Any, email: str) -> World:
    who = Planner(api.client, api.signed_up(email)["token"])
    learner = who.learner("Léa")
    goal = who.goal("{prénom} lit une consigne à voix haute.", learner)
    plan = who.activate(who.plan(learner, [goal])["id"])
    return World(who, learner, plan, who.goals(plan["id"])[0], email)


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


# Each create: how to send it (``n`` makes the body differ where the same body twice would be refused), and how
# many objects of its kind the account holds.
Send = Callable[[World, str, int], Any]
Count = Callable[[World], int]


def send_learner(w: World, key: str, n: int) -> Any:
    return w.who.call("POST", "/learners", {"first_name": "Noah"}, headers=keyed(key))


def count_learners(w: World) -> int:
    return len([row for row in w.who.read("/learners")["items"] if row["first_name"].startswith("Noah")])


def send_plan(w: World, key: str, n: int) -> Any:
    return w.who.call("POST", "/plans", {"learner_id": w.learner["id"]}, headers=keyed(key))


def count_plans(w: World) -> int:
    return len(w.who.read("/plans")["items"])


def send_objective(w: World, key: str, n: int) -> Any:
    body = {"text": f"{{prénom}} range son pupitre, étape {n}."}
    return w.who.call("POST", f"/plans/{w.plan['id']}/goals", body, headers=keyed(key))


def count_objectives(w: World) -> int:
    return len(w.who.goals(w.plan["id"]))


def send_progress(w: World, key: str, n: int) -> Any:
    body = {"plan_goal_id": w.objective["id"], "value": 10 * n}
    return w.who.call("POST", f"/plans/{w.plan['id']}/progress", body, headers=keyed(key))


def count_progress(w: World) -> int:
    return len(w.who.read(f"/plans/{w.plan['id']}/progress")["items"])


def send_review(w: World, key: str, n: int) -> Any:
    active = [goal for goal in w.who.goals(w.plan["id"]) if goal["status"] == "active"]
    body = {"decisions": [{"plan_goal_id": goal["id"], "decision": "continue"} for goal in active], "note": f"R {n}"}
    path = f"/plans/{w.plan['id']}/reviews"
    return w.who.call("POST", path, body, version=w.plan_version(), headers=keyed(key))


def count_reviews(w: World) -> int:
    return len(w.who.read(f"/plans/{w.plan['id']}/reviews")["items"])


def send_support(w: World, key: str, n: int) -> Any:
    body = {"from": "", "subject": "Une question", "message": f"Bonjour, message {n}."}
    return w.who.call("POST", "/support/messages", body, headers=keyed(key))


def count_support(w: World) -> int:
    with w.who.client.app.state.session_factory() as db:
        return db.scalar(select(func.count()).where(SupportMessage.from_email == w.email)) or 0


CREATES: dict[str, tuple[Send, Count]] = {
    "learner": (send_learner, count_learners),
    "plan": (send_plan, count_plans),
    "objective": (send_objective, count_objectives),
    "progress": (send_progress, count_progress),
    "review": (send_review, count_reviews),
    "support": (send_support, count_support),
}


def test_every_create_repeated_with_its_key_answers_the_first_object_and_makes_no_second(api):
    lea, marc = world(api, "lea@example.org"), world(api, "marc@example.org")
    for kind, (send, count) in CREATES.items():
        before = count(lea), count(marc)
        key = f"{kind}-{uuid.uuid4()}"
        first = send(lea, key, 1)
        assert first.status_code == 201, (kind, first.text)
        again = send(lea, key, 1)
        assert (again.status_code, again.json()) == (200, first.json()), kind
        assert count(lea) == before[0] + 1, kind
        other = send(lea, f"{kind}-{uuid.uuid4()}", 2)  # another key: another object
        assert other.status_code == 201, (kind, other.text)
        assert other.json()["id"] != first.json()["id"], kind
        theirs = send(marc, key, 1)  # Marc happens to send Léa's key: his own object, not hers
        assert theirs.status_code == 201, (kind, theirs.text)
        assert theirs.json()["id"] != first.json()["id"], kind
        assert (count(lea), count(marc)) == (before[0] + 2, before[1] + 1), kind


def test_a_renewal_repeated_with_its_key_answers_the_plan_it_made(api):
    lea = world(api, "lea@example.org")
    path = f"/plans/{lea.plan['id']}/renewal"
    version = lea.plan_version()
    first = lea.who.call("POST", path, {}, version=version, headers=keyed("renouvellement-1"))
    assert first.status_code == 201, first.text
    again = lea.who.call("POST", path, {}, version=version, headers=keyed("renouvellement-1"))
    assert (again.status_code, again.json()) == (200, first.json())
    other = lea.who.call("POST", path, {}, version=lea.plan_version(), headers=keyed("renouvellement-2"))
    assert other.status_code == 409  # once per plan: another key is another renewal
    assert [plan["previous_plan_id"] for plan in lea.who.read("/plans")["items"]].count(lea.plan["id"]) == 1


def test_a_repeated_review_is_answered_even_though_the_version_it_names_is_gone(api):
    lea = world(api, "lea@example.org")
    version = lea.plan_version()
    body = {"decisions": [{"plan_goal_id": lea.objective["id"], "decision": "continue"}]}
    path = f"/plans/{lea.plan['id']}/reviews"
    first = lea.who.call("POST", path, body, version=version, headers=keyed("revision"))
    assert first.status_code == 201, first.text
    again = lea.who.call("POST", path, body, version=version, headers=keyed("revision"))
    assert (again.status_code, again.json()) == (200, first.json())
    assert lea.who.call("POST", path, body, version=version).status_code == 412  # without the key: stale


def test_the_collection_import_and_filing_under_a_learner_never_duplicate_when_repeated(api):
    lea = world(api, "lea@example.org")
    document = {"format": "banqo-goals", "format_version": 1, "goals": [{"text": "{prénom} nomme trois émotions."}]}
    imported = [lea.who.call("POST", "/collection/import", document) for _ in range(2)]
    assert [answer.status_code for answer in imported] == [200, 200], imported[0].text
    texts = [goal["text"] for goal in lea.who.read("/collection/goals")["items"]]
    assert texts.count("{prénom} nomme trois émotions.") == 1
    goal_id = lea.objective["goal_id"]
    filed = [lea.who.call("POST", f"/learners/{lea.learner['id']}/goals", {"goal_id": goal_id}) for _ in range(2)]
    assert [answer.status_code for answer in filed] == [200, 200]
    assert len(lea.who.read(f"/learners/{lea.learner['id']}/goals")["items"]) == 1


def test_requests_racing_with_one_key_make_one_object(api, make_api, database_url):
    lea = world(api, "lea@example.org")
    # Three server processes on one database, as behind a load balancer.
    servers = [replace(lea, who=Planner(make_api(ready=True).client, lea.who.token)) for _ in range(3)]
    for kind, (send, count) in CREATES.items():  # "course" as the key for each kind: keys are per table
        before = count(lea)
        start = threading.Barrier(len(servers), timeout=10)
        answers: list[Any] = [None] * len(servers)

        def run(index: int, send: Send = send, start: threading.Barrier = start, out: list[Any] = answers) -> None:
            start.wait()
            out[index] = send(servers[index], "course", 1)

        threads = [threading.Thread(target=run, args=(index,)) for index in range(len(servers))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert all(answer is not None for answer in answers), kind
        # The request that wrote the object is told so (201); the others are told it was there already (200).
        assert sorted(answer.status_code for answer in answers) == [200, 200, 201], (kind, answers)
        assert len({answer.json()["id"] for answer in answers}) == 1, kind
        assert count(lea) == before + 1, kind
