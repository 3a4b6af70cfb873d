"""Quick entry as a teacher does it at the start of the year: ten goals typed in a row in the real `banqo`
(tmux, 80×24), each with a tag, a domain and a learner inline; after a restart they are all there."""

from __future__ import annotations

import json
import urllib.request

import pytest

from .conftest import BIN
from .test_e2e_first_run import read_keyring, sign_up

pytestmark = pytest.mark.e2e

GOALS = [f"Lire la liste de mots numéro {number} en 1 minute" for number in range(1, 11)]


def api_get(server: str, token: str, path: str) -> dict:
    request = urllib.request.Request(f"{server}/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def test_ten_goals_typed_in_a_row_are_kept_in_the_collection_and_under_the_learner(
    api_server, keyring_env, terminal_factory
):
    terminal = terminal_factory(keyring_env)
    command = f"{BIN / 'banqo'} --server {api_server}"
    terminal.run(command)
    sign_up(terminal)
    terminal.wait_for("Votre résumé")

    terminal.send("F5")
    terminal.wait_for("Nouvel objectif")
    terminal.send("n")
    for text in GOALS:  # typed at tmux speed, Enter straight after each line: nothing may be lost or mixed
        terminal.type(f"{text} #rentree @lect +Léa")
        terminal.send("Enter")
    screen = terminal.wait_for("10 objectifs sur 10")
    assert "Traceback" not in screen

    terminal.send("C-q")
    terminal.wait_exit()

    terminal.run(command)  # the next run signs in from the keyring
    terminal.wait_for("Votre résumé")
    terminal.send("F6")
    screen = terminal.wait_for("Léa")
    terminal.send("Enter")
    screen = terminal.wait_for(GOALS[0][:40])
    assert "Traceback" not in screen

    token = read_keyring(keyring_env, api_server)
    assert token
    goals = api_get(api_server, token, "/collection/goals?limit=200")["items"]
    assert sorted(goal["text"] for goal in goals) == sorted(GOALS)
    learners = api_get(api_server, token, "/learners")["items"]
    assert [(learner["first_name"], learner["goal_count"]) for learner in learners] == [("Léa", 10)]
    for goal in goals:
        assert (goal["domain"], goal["tags"], goal["learner_ids"]) == ("lecture", ["rentree"], [learners[0]["id"]])
