"""Changes sent at the same moment with the same ``If-Match``: exactly one is made, every other one is told that
the resource changed since it was read (412), and what is stored is the change that was answered 200 — on
SQLite as on PostgreSQL. Before, each change read the version, compared it, then wrote, and the reads of
changes sent together all saw the same version: on both databases, four or five of six were accepted, each
overwriting the one before, and the teachers whose words were lost were told they were saved."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import httpx
import pytest

from banqo_server.app import create_app
from tests.server.conftest import PASSWORD

AT_ONCE = 6


@dataclass(frozen=True)
class Change:
    """One kind of change: where it goes (given the ids made by ``_setup``), its body for attempt ``n`` (never
    the value already stored: a change to the same value is answered 200 without one), where the stored value
    is read back, the value found there, and the value a body sent."""

    path: str
    body: Callable[[int], dict[str, Any]]
    read: str
    stored: Callable[[Any], Any]
    sent: Callable[[dict[str, Any]], Any]


CHANGES = {
    "goal": Change(
        "/collection/goals/{goal}",
        lambda n: {"text": f"Lire un texte de {n + 10} lignes."},
        "/collection/goals/{goal}",
        lambda found: found["text"],
        lambda body: body["text"],
    ),
    "learner": Change(
        "/learners/{learner}",
        lambda n: {"first_name": ["Alix", "Béa", "Chloé", "Dana", "Élise", "Flore"][n]},
        "/learners/{learner}",
        lambda found: found["first_name"],
        lambda body: body["first_name"],
    ),
    "plan": Change(
        "/plans/{plan}",
        lambda n: {"review_due_on": f"2027-01-{n + 10}"},
        "/plans/{plan}",
        lambda found: found["review_due_on"],
        lambda body: body["review_due_on"],
    ),
    "plan objective": Change(
        "/plans/{plan}/goals/{objective}",
        lambda n: {"evaluation": f"Grille d'observation numéro {n}"},
        "/plans/{plan}/goals/{objective}",
        lambda found: found["evaluation"],
        lambda body: body["evaluation"],
    ),
    "profile": Change(
        "/me/profile",
        lambda n: {"first_name": ["Alix", "Béa", "Chloé", "Dana", "Élise", "Flore"][n]},
        "/me/profile",
        lambda found: found["first_name"],
        lambda body: body["first_name"],
    ),
    "subscription": Change(
        "/subscription",
        lambda n: {"billing_details": f"École des Érables, bon de commande {n}"},
        "/subscription",
        lambda found: found["billing_details"],
        lambda body: body["billing_details"],
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


@pytest.mark.parametrize("kind", CHANGES)
def test_changes_sent_at_once_with_the_same_version_make_one_change(settings, kind):
    change = CHANGES[kind]
    app = create_app(settings)

    async def at_once() -> tuple[list[httpx.Response], list[dict[str, Any]], Any]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = AT_ONCE * 2
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://banqo.test/api/v1") as client:
            headers, ids = await _setup(client)
            path = change.path.format(**ids)
            read = await client.get(path, headers=headers)
            assert read.status_code == 200, read.text
            version = read.headers["ETag"]
            bodies = [change.body(n) for n in range(AT_ONCE)]
            answers = await asyncio.wait_for(
                asyncio.gather(
                    *(client.patch(path, json=body, headers={**headers, "If-Match": version}) for body in bodies)
                ),
                timeout=30,
            )
            stored = await client.get(change.read.format(**ids), headers=headers)
            assert stored.status_code == 200, stored.text
            return answers, bodies, change.stored(stored.json())

    try:
        answers, bodies, stored = asyncio.run(at_once())
    finally:
        app.state.engine.dispose()
        app.state.processor.close()
    statuses = [answer.status_code for answer in answers]
    assert sorted(statuses) == [200] + [412] * (AT_ONCE - 1), [answer.text for answer in answers]
    winner = statuses.index(200)
    assert stored == change.sent(bodies[winner])
    current = answers[winner].headers["ETag"]
    assert all(answer.headers["ETag"] == current for answer in answers if answer.status_code == 412)
