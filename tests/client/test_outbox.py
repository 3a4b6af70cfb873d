"""The outbox: unsent goals survive a restart, are sent once when the server answers again, never lost."""

from __future__ import annotations

import json
import os
import stat

import httpx
import pytest

from banqo_tui.api import errors
from banqo_tui.api.client import BanqoClient
from banqo_tui.outbox import Outbox, deliver, deliver_all, outbox_path


async def sign_up(client: BanqoClient) -> None:
    await client.accounts.sign_up(email="camille@example.org", password="une phrase de passe solide",
                                  first_name="Camille", last_name="Tremblay", device="tests")


class SwitchableTransport(httpx.AsyncBaseTransport):
    """The real in-process API behind a switch: ``down`` refuses connections; ``lose_answers`` lets requests
    reach the server and then drops (POSTs only) the connection before the answer (the worst case for a retry)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False
        self.lose_answers = 0
        self.requests: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        self.requests.append((request.method, request.url.path))
        response = await self.inner.handle_async_request(request)
        if self.lose_answers and request.method == "POST":
            self.lose_answers -= 1
            await response.aread()
            raise httpx.ReadError("connection reset", request=request)
        return response


@pytest.fixture
def switch(server_app) -> SwitchableTransport:
    return SwitchableTransport(httpx.ASGITransport(app=server_app, client=("127.0.0.1", 50002)))


@pytest.fixture
async def api(switch):
    async with BanqoClient("http://banqo.test", transport=switch, retries=0) as client:
        await sign_up(client)
        yield client


class Sleeps:
    """Records the waits asked for, instead of waiting; runs ``then`` after ``after`` of them."""

    def __init__(self, after: int = 0, then=None) -> None:
        self.delays: list[float] = []
        self.after = after
        self.then = then

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self.then is not None and len(self.delays) >= self.after:
            self.then()


def test_a_goal_added_is_on_disk_and_survives_a_restart(tmp_path):
    path = outbox_path(tmp_path, "local", "camille@example.org")
    box = Outbox(path)
    entry = box.add({"text": "Lire un texte", "tags": ["lecture"], "domain": "lecture"}, ["Léa"])
    assert len(entry.key) == 32 and int(entry.key, 16) >= 0

    again = Outbox(path)  # a new run of the app
    [kept] = again.pending()
    assert kept.key == entry.key
    assert kept.fields == {"text": "Lire un texte", "tags": ["lecture"], "domain": "lecture"}
    assert kept.learner_names == ("Léa",)
    assert kept.created_at == entry.created_at


def test_the_file_is_private_and_written_atomically(tmp_path):
    path = outbox_path(tmp_path, "local", "camille@example.org")
    box = Outbox(path)
    box.add({"text": "Lire"})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert not [name for name in os.listdir(path.parent) if name.endswith(".tmp")]
    assert json.loads(path.read_text(encoding="utf-8"))["goals"][0]["fields"] == {"text": "Lire"}


def test_each_account_and_server_has_its_own_outbox(tmp_path):
    mine = outbox_path(tmp_path, "local", "camille@example.org")
    assert mine == outbox_path(tmp_path, "local", "Camille@Example.org")
    assert mine != outbox_path(tmp_path, "local", "other@example.org")
    assert mine != outbox_path(tmp_path, "https://banqo.example.org", "camille@example.org")
    assert "camille" not in str(mine)


def test_done_forgets_and_refuse_keeps_aside(tmp_path):
    box = Outbox(outbox_path(tmp_path, "local", "a@b.c"))
    first = box.add({"text": "Un"})
    second = box.add({"text": "Deux"})
    box.done(first.key)
    box.refuse(second.key, ["Écrivez l'objectif."])
    again = Outbox(box.path)
    assert again.pending() == []
    assert [(entry.text, entry.refused) for entry in again.refused()] == [("Deux", ("Écrivez l'objectif.",))]


def test_a_damaged_file_is_set_aside_not_deleted(tmp_path):
    path = outbox_path(tmp_path, "local", "a@b.c")
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    box = Outbox(path)
    assert box.pending() == []
    assert [p.name for p in path.parent.iterdir() if ".damaged-" in p.name]


def test_only_goal_fields_are_accepted(tmp_path):
    box = Outbox(outbox_path(tmp_path, "local", "a@b.c"))
    with pytest.raises(ValueError):
        box.add({"text": "x", "learner_ids": ["l1"]})


async def test_unreachable_server_keeps_the_goal_and_sends_it_once_when_back(tmp_path, api, switch):
    box = Outbox(outbox_path(tmp_path, "local", "camille@example.org"))
    box.add({"text": "Demander de l'aide 4 fois sur 5", "tags": ["autonomie"]}, ["Zoé"])
    switch.down = True

    def back() -> None:
        switch.down = False

    sleeps = Sleeps(after=4, then=back)
    sent = []
    await deliver_all(box, api, on_sent=lambda *args: sent.append(args), on_refused=pytest.fail, sleep=sleeps,
                      first_delay=1, max_delay=4)
    assert sleeps.delays == [1, 2, 4, 4]  # doubling, bounded
    assert len(sent) == 1 and box.pending() == []
    goals = await api.collection.list()
    assert [goal.text for goal in goals] == ["Demander de l'aide 4 fois sur 5"]
    [zoe] = await api.learners.list()
    assert zoe.first_name == "Zoé" and goals[0].learner_ids == [zoe.id]


async def test_a_lost_answer_does_not_create_the_goal_or_the_learner_twice(tmp_path, api, switch):
    box = Outbox(outbox_path(tmp_path, "local", "camille@example.org"))
    entry = box.add({"text": "Lire à voix haute"}, ["Noah"])
    switch.lose_answers = 2  # the learner and the goal reach the server; neither answer comes back
    with pytest.raises(errors.ServerUnreachable):
        await deliver(api, entry)
    with pytest.raises(errors.ServerUnreachable):
        await deliver(api, entry)
    goal, created = await deliver(api, entry)
    assert created == []  # « Noah » was made by the first attempt and found again
    assert [g.id for g in await api.collection.list()] == [goal.id]
    assert [learner.first_name for learner in await api.learners.list()] == ["Noah"]


async def test_a_refused_goal_is_kept_with_the_reasons(tmp_path, api):
    box = Outbox(outbox_path(tmp_path, "local", "camille@example.org"))
    box.add({"text": "Lire", "domain": "cuisine"})
    box.add({"text": "Écrire"})
    refused = []
    await deliver_all(box, api, on_sent=lambda *args: None, on_refused=lambda e, r: refused.append((e.text, r)))
    assert refused == [("Lire", ["Domaine inconnu : « cuisine »."])]
    assert box.pending() == [] and [entry.text for entry in box.refused()] == ["Lire"]
    assert [goal.text for goal in await api.collection.list()] == ["Écrire"]
