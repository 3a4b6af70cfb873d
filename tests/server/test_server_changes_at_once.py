"""Changes sent at the same moment with the same ``If-Match``: exactly one is made, every other one is told that
the resource changed since it was read (412), and what is stored is the change that was answered 200 — on
SQLite as on PostgreSQL. Before, each change read the version, compared it, then wrote, and the reads of
changes sent together all saw the same version: on both databases, four or five of six were accepted, each
overwriting the one before, and the teachers whose words were lost were told they were saved.

The changes run on two threads, fewer than the changes: a request that held its lock while waiting for a
thread (a lock taken in a dependency, run on a thread of its own before the route's) would stand still for
good on PostgreSQL, every thread waiting for the row and its holder for a thread — as the subscription's
changes did."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio.to_thread
import httpx
import pytest

from banqo_server.app import create_app
from tests.server.conftest import PASSWORD

AT_ONCE = 6
THREADS = 2
T = TypeVar("T")
NAMES = ("Alix", "Béa", "Chloé", "Dana", "Élise", "Flore")  # never the name already stored


@dataclass(frozen=True)
class Change:
    """One kind of change: where it goes (given the ids made by ``_setup``), the field it sets and the value of
    each attempt (never the value already stored: a change to the same value is answered 200 without one)."""

    path: str
    field: str
    values: tuple[str, ...]


CHANGES = {
    "goal": Change(
        "/collection/goals/{goal}", "text", tuple(f"Lire un texte de {n} lignes." for n in range(10, 10 + AT_ONCE))
    ),
    "learner": Change("/learners/{learner}", "first_name", NAMES),
    "plan": Change("/plans/{plan}", "review_due_on", tuple(f"2027-01-{day}" for day in range(10, 10 + AT_ONCE))),
    "plan objective": Change(
        "/plans/{plan}/goals/{objective}",
        "evaluation",
        tuple(f"Grille d'observation numéro {n}" for n in range(AT_ONCE)),
    ),
    "profile": Change("/me/profile", "first_name", NAMES),
    "subscription": Change(
        "/subscription", "billing_details", tuple(f"École des Érables, bon de commande {n}" for n in range(AT_ONCE))
    ),
}


async def _setup(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str]]:
    account = {"email": "ensemble@example.org", "password": PASSWORD, "first_name": "Camille", "last_name": "T"}
    token = (await client.post("/accounts", json=account)).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    async def made(path: str, body: dict[str, Any]) -> str:
        answer = await client.post(path, json=body, headers=headers)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    ids = {"goal": await made("/collection/goals", {"text": "Lire un court texte."})}
    ids["learner"] = await made("/learners", {"first_name": "Léa"})
    ids["plan"] = await made("/plans", {"learner_id": ids["learner"]})
    ids["objective"] = await made(f"/plans/{ids['plan']}/goals", {"text": "Lire dix mots en une minute."})
    return headers, ids


def _on_the_api(settings, scenario: Callable[[httpx.AsyncClient, dict[str, str], dict[str, str]], Awaitable[T]]) -> T:
    """``scenario(client, headers, ids)`` on a new app of the test's database, after ``_setup``, on ``THREADS``
    threads."""
    app = create_app(settings)

    async def run() -> T:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://banqo.test/api/v1") as client:
            headers, ids = await _setup(client)
            return await scenario(client, headers, ids)

    try:
        return asyncio.run(run())
    finally:
        app.state.engine.dispose()
        app.state.processor.close()


async def _all_at_once(requests: Iterable[Awaitable[httpx.Response]]) -> list[httpx.Response]:
    return await asyncio.wait_for(asyncio.gather(*requests), timeout=30)


@pytest.mark.parametrize("kind", CHANGES)
def test_changes_sent_at_once_with_the_same_version_make_one_change(settings, kind):
    change = CHANGES[kind]
    bodies = [{change.field: value} for value in change.values]

    async def at_once(client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, str]) -> tuple[Any, Any]:
        path = change.path.format(**ids)
        read = await client.get(path, headers=headers)
        assert read.status_code == 200, read.text
        version = read.headers["ETag"]
        answers = await _all_at_once(
            client.patch(path, json=body, headers={**headers, "If-Match": version}) for body in bodies
        )
        stored = await client.get(path, headers=headers)
        assert stored.status_code == 200, stored.text
        return answers, stored.json()[change.field]

    answers, stored = _on_the_api(settings, at_once)
    statuses = [answer.status_code for answer in answers]
    assert sorted(statuses) == [200] + [412] * (AT_ONCE - 1), [answer.text for answer in answers]
    winner = statuses.index(200)
    assert stored == bodies[winner][change.field]
    current = answers[winner].headers["ETag"]
    assert all(answer.headers["ETag"] == current for answer in answers if answer.status_code == 412)


def test_the_same_goal_added_and_filed_at_once_is_stored_once_and_every_request_is_answered_it(settings):
    """The same goal written six times at the same moment (two devices, a double Enter): one is created (201),
    the other five are answered the same goal (200, as when it was already there), filed once under the learner
    — before, the inserts that lost the race to the database's unique index were answered 500."""

    async def at_once(client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, str]) -> tuple[Any, ...]:
        goal = {"text": "Nommer trois émotions.", "learner_ids": [ids["learner"]]}
        added = await _all_at_once(client.post("/collection/goals", json=goal, headers=headers) for _ in range(AT_ONCE))
        link = {"goal_id": ids["goal"]}
        path = f"/learners/{ids['learner']}/goals"
        filed = await _all_at_once(client.post(path, json=link, headers=headers) for _ in range(AT_ONCE))
        collection = (await client.get("/collection/goals", headers=headers)).json()
        folder = (await client.get(path, headers=headers)).json()
        return added, filed, collection, folder

    added, filed, collection, folder = _on_the_api(settings, at_once)
    assert sorted(answer.status_code for answer in added) == [200] * (AT_ONCE - 1) + [201], [a.text for a in added]
    assert len({answer.json()["id"] for answer in added}) == 1
    assert [item["text"] for item in collection["items"]].count("Nommer trois émotions.") == 1
    assert sorted(answer.status_code for answer in filed) == [200] * (AT_ONCE - 1) + [201], [a.text for a in filed]
    filed_texts = [item["goal"]["text"] for item in folder["items"]]
    assert filed_texts.count("Lire un court texte.") == filed_texts.count("Nommer trois émotions.") == 1


def test_learners_given_the_same_first_name_at_once_each_get_a_name_of_their_own(settings):
    """Six « Noah » added at the same moment, then two learners renamed « Zoé » at the same moment: each is
    saved (201, 200) under a name no other learner has (« Noah », « Noah 2 »…), as one after the other would be.
    Before, each request chose the first free name from what it read, the ones that lost the race to the unique
    index chose again, and after three tries one was refused (« Réessayez : ce prénom vient d'être pris. »)."""

    async def at_once(client: httpx.AsyncClient, headers: dict[str, str], ids: dict[str, str]) -> tuple[Any, ...]:
        body = {"first_name": "Noah"}
        added = await _all_at_once(client.post("/learners", json=body, headers=headers) for _ in range(AT_ONCE))
        others = [answer.json() for answer in added[:2]]
        renamed = await _all_at_once(
            client.patch(
                f"/learners/{other['id']}",
                json={"first_name": "Zoé"},
                headers={**headers, "If-Match": f'"{other["version"]}"'},
            )
            for other in others
        )
        listed = (await client.get("/learners", headers=headers)).json()["items"]
        return added, renamed, listed

    added, renamed, listed = _on_the_api(settings, at_once)
    assert [answer.status_code for answer in added] == [201] * AT_ONCE, [answer.text for answer in added]
    assert [answer.status_code for answer in renamed] == [200, 200], [answer.text for answer in renamed]
    noahs = ["Noah", *[f"Noah {n}" for n in range(2, AT_ONCE + 1)]]
    assert sorted(answer.json()["first_name"] for answer in added) == noahs
    assert sorted(answer.json()["first_name"] for answer in renamed) == ["Zoé", "Zoé 2"]
    kept = [answer.json()["first_name"] for answer in added[2:]]
    assert sorted(learner["first_name"] for learner in listed) == sorted(["Léa", *kept, "Zoé", "Zoé 2"])
