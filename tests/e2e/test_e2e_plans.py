"""A plan d'intervention built in a real terminal: the real `banqo` in tmux at 80×24, over HTTP to `banqo-server`
under uvicorn. From « Élèves », P on Léa starts a plan pre-filled with her sub-collection; the teacher adds means
and deadlines, records three measures, and reads the chart's target line and its sentence on screen."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from .conftest import BIN, api
from .test_e2e_first_run import PASSWORD, sign_up

pytestmark = pytest.mark.e2e

GOALS = (
    "{prénom} lit un court texte à voix haute sans erreur.",
    "{prénom} attend son tour pour parler en groupe.",
)



def test_a_teacher_builds_lea_s_plan_and_follows_an_objective(api_server, base_env, terminal_factory):
    env = dict(base_env, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    terminal = terminal_factory(env)
    terminal.run(f"{BIN / 'banqo'} --server {api_server}")
    sign_up(terminal)
    terminal.wait_for("Votre résumé")

    # Léa and her sub-collection, from another device of the same account.
    session = api(api_server, "POST", "/sessions",
                  {"email": "camille@example.org", "password": PASSWORD, "device": "Tablette"})
    token = session["token"]
    lea = api(api_server, "POST", "/learners", {"first_name": "Léa"}, token)
    for text in GOALS:
        api(api_server, "POST", "/collection/goals", {"text": text, "learner_ids": [lea["id"]]}, token)

    terminal.send("F6")
    terminal.wait_for("Léa — 2 objectifs")
    terminal.send("p")  # « Plan d'intervention »: she has none, so the new plan's dialog opens
    terminal.wait_for("Pré-rempli avec son dossier : 2 objectifs, tous cochés.")
    terminal.send("C-s")
    screen = terminal.wait_for("Plan d'intervention de Léa")
    assert "Prénom : Léa" in screen

    terminal.send("e")  # objective 1: two means, a deadline, how it is evaluated, a target
    terminal.wait_for("Modifier l'objectif — plan de Léa")
    terminal.send("Tab")
    terminal.type("Lecture guidée")
    terminal.send("Enter")
    terminal.type("Pictogrammes")
    terminal.send(*["Tab"] * 9)  # the eight roles, then « Échéance »
    terminal.type("2027-06-15")
    terminal.send("Tab")
    terminal.type("Grille d'observation")
    terminal.send("Tab")
    terminal.type("80 % des lectures")
    terminal.send("Tab", "Tab", "Tab")  # the unit (%) and the direction (« au moins ») as they are: the target
    terminal.type("80")
    terminal.send("C-s")
    terminal.wait_until_gone("Modifier l'objectif — plan de Léa")
    terminal.send("6")
    terminal.wait_for("Moyens : Lecture guidée; Pictogrammes")

    terminal.send("Down", "e")  # objective 2: a deadline
    terminal.wait_for("Modifier l'objectif — plan de Léa")
    terminal.send("Tab", *["Tab"] * 9)
    terminal.type("15/06/2027")
    terminal.send("C-s")
    terminal.wait_for("il manque")  # saved; the form stays open to say what the objective still lacks
    terminal.send("Escape")
    terminal.wait_until_gone("Modifier l'objectif — plan de Léa")

    terminal.send("6", "Up")
    for value in ("40", "55", "70"):
        terminal.send("p")
        terminal.wait_for("Nouvelle mesure")
        terminal.type(value)
        terminal.send("C-s")
        terminal.wait_until_gone("Nouvelle mesure")
    terminal.wait_until_gone("Objectif enregistré")  # the notice would cover the end of the sentence
    terminal.send("7")
    screen = terminal.wait_for("3 mesures le")  # the sentence (the objective's line says « 3 mesures de progrès »)
    assert "au moins 80 %" in screen and "┈" in screen  # the target line, drawn and labelled
    assert "40 %, 55 %, 70 %" in screen.replace("\n", " ").replace("\xa0", " ")
    assert "Traceback" not in screen

    [plan] = api(api_server, "GET", f"/plans?learner_id={lea['id']}", token=token)["items"]
    document = api(api_server, "GET", f"/plans/{plan['id']}/document", token=token)
    first, second = sorted(document["goals"], key=lambda item: item["goal"]["position"])
    assert first["goal"]["means"] == ["Lecture guidée", "Pictogrammes"]
    assert first["goal"]["deadline"] == "2027-06-15" and first["goal"]["target"] == 80
    assert second["goal"]["deadline"] == "2027-06-15"
    assert [entry["value"] for entry in first["progress"]] == [40, 55, 70]
    # Dated today by the server's calendar (its time zone, which the résumé gives), not this machine's: at 19:00 in
    # Montréal a machine kept in UTC is already at tomorrow, a date the server refuses as in the future.
    zone = api(api_server, "GET", "/me/summary", token=token)["time_zone"]
    assert {entry["on"] for entry in first["progress"]} <= {datetime.now(ZoneInfo(zone)).date().isoformat()}
    assert second["progress"] == []
