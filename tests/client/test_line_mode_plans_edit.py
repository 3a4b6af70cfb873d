"""``banqo plans new`` and ``banqo plans progress``: a plan from the learner's folder and a measure read as the
terminal's « Nouvelle mesure » reads it, in ``banqo shell`` on the real API in-process (the test's clock: today is
2 November 2026), and once through ``banqo`` itself on the embedded server."""

from __future__ import annotations

import json
import re
from typing import Any

from banqo_tui.api.client import BanqoClient
from banqo_tui.api.models import PlanGoalPatch, ProgressUnit
from tests.client import test_line_mode, test_shell
from tests.client.test_shell import Line, on_server, sign_up

# The shell's fixtures (the API in-process) and line mode's (the embedded server, the keyring's session).
app, line = test_shell.app, test_shell.line
home, signed_in, banqo = test_line_mode.home, test_line_mode.signed_in, test_line_mode.banqo

READS = "{prénom} lit 20 mots fréquents en une minute"
ASKS = "{prénom} demande de l'aide au besoin"
PLAN_LINE = re.compile(r"([0-9a-f]{8})  (.+)")


def folder(line: Line, clock: Any, name: str, *goals: str) -> None:
    """A learner, and goals of the collection filed in the learner's folder, in this order (a second apart: the
    folder lists them by the time they were filed)."""
    assert line(f"learners add {name}")[0] == 0
    for text in goals:
        clock.advance(seconds=1)
        assert line(f'goals add "{text} +{name}"')[0] == 0


def new_plan(line: Line, command: str) -> tuple[str, list[str]]:
    """The new plan's short id and the lines said after it."""
    code, out, err = line(command)
    assert (code, err) == (0, ""), err
    first, *rest = out.splitlines()
    found = PLAN_LINE.fullmatch(first)
    assert found, first
    return found.group(1), [found.group(2), *rest]


def objectives(app: Any, token: str, plan_id: str) -> list[Any]:
    async def work(client: BanqoClient) -> list[Any]:
        full_id = next(plan.id for plan in await client.plans.list() if plan.id.startswith(plan_id))
        return sorted(await client.plans.goals(full_id), key=lambda goal: goal.position)

    return on_server(app, work, token)


def test_a_new_plan_takes_the_folder_s_goals_or_those_named(app, line, clock):
    token = sign_up(app)
    line.login()
    folder(line, clock, "Léa", READS, ASKS)
    plan_id, said = new_plan(line, "plans new Léa")
    assert said == [
        "Léa — Plan d'intervention — Brouillon — révision non prévue",
        "2 objectifs repris de son dossier.",
        f"Pour le lire : plans show {plan_id}.",
        "Pour le remplir (participants, forces, besoins, moyens et cibles) : banqo, puis « Plans » (F7).",
    ]
    assert [goal.text for goal in objectives(app, token, plan_id)] == [
        "Léa lit 20 mots fréquents en une minute", "Léa demande de l'aide au besoin"
    ]
    assert line("plans list")[1].splitlines()[0] == f"{plan_id}  {said[0]}"

    asks_id = line("learners show Léa")[1].splitlines()[2][:8]
    code, out, err = line(f"plans new Léa --goal {asks_id[:5]} --json")
    assert (code, err) == (0, "")
    plan = json.loads(out)
    assert (plan["learner_first_name"], plan["kind"], plan["goal_count"]) == ("Léa", "intervention", 1)
    assert [goal.text for goal in objectives(app, token, plan["id"][:8])] == ["Léa demande de l'aide au besoin"]

    code, out, err = line("plans new Léa --goal zzzz")
    assert (code, out, err) == (5, "", "Aucun objectif « zzzz » dans le dossier de Léa.\n")
    assert line("plans new Jules")[:3] == (5, "", "Aucun élève « Jules » dans ce compte.\n")


def test_a_transition_plan_needs_an_open_intervention_plan(app, line, clock):
    sign_up(app)
    line.login()
    folder(line, clock, "Zoé", READS)
    code, out, err = line("plans new Zoé --kind transition")
    assert (code, out) == (2, "")
    assert err == (
        "Annexe du plan : Choisissez le plan d'intervention auquel rattacher cette annexe de transition.\n"
        "Zoé n'a pas de plan d'intervention ouvert : commencez par celui-là (plans new Zoé).\n"
    )
    intervention_id, _said = new_plan(line, "plans new Zoé")
    # As « Nouveau plan » pre-fills an annex: only the goals of a TEVA sphere (this folder has none).
    annex_id, said = new_plan(line, "plans new Zoé --kind transition")
    assert said[:2] == ["Zoé — Plan de transition (TEVA) — Brouillon — révision non prévue",
                        "0 objectif repris de son dossier."]
    code, out, err = line(f"plans show {annex_id}")
    assert code == 0 and "Annexe du plan d'intervention ouvert le 2 novembre 2026." in out.splitlines()
    assert line(f"plans show {intervention_id}")[0] == 0


def test_tab_completes_plans_new_and_progress(app, line):
    complete = line.shell.candidates
    assert complete("plans ") == ["export", "list", "new", "progress", "show"]
    assert complete("plans new Léa --") == ["--goal", "--help", "--json", "--kind"]
    assert complete("plans new Léa --kind ") == ["intervention", "transition"]
    assert complete("plans progress 3f2a 1 80 --") == ["--date", "--help", "--json", "--note"]
    sign_up(app)
    line.login()
    line("learners add Léa")
    line("learners add Zoé")
    assert complete("plans new ") == ["Léa", "Zoé"]
    assert complete("plans new Z") == ["Zoé"]


def ratio_plan(app: Any, line: Line, clock: Any) -> str:
    """Léa's plan: 1 read in %, no target; 2 asks for help, « n sur 4 », at least 3 sur 4."""
    token = sign_up(app)
    line.login()
    folder(line, clock, "Léa", READS, ASKS)
    plan_id, _said = new_plan(line, "plans new Léa")
    asks = objectives(app, token, plan_id)[1]

    async def in_ratio(client: BanqoClient) -> None:
        await client.plans.update_goal(
            asks.plan_id, asks.id, asks.version, PlanGoalPatch(unit=ProgressUnit.RATIO, out_of=4, target=3)
        )

    on_server(app, in_ratio, token)
    return plan_id


def test_progress_in_percent_and_in_n_sur_m_then_the_sentence(app, line, clock):
    plan_id = ratio_plan(app, line, clock)
    code, out, err = line(f'plans progress {plan_id} 1 60 --date 15/10/2026 --note "Lecture  guidée"')
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Mesure enregistrée : 60 %, le 15 octobre 2026.",
        "1. Léa lit 20 mots fréquents en une minute",
        "   1 mesure le 15 octobre 2026 : 60 %. Aucune cible chiffrée.",
    ]
    code, out, err = line(f"plans progress {plan_id[:4]} 1 72,5 %")  # today, as the form fills it in
    assert out.splitlines()[0] == "Mesure enregistrée : 72,5 %, le 2 novembre 2026."
    assert out.splitlines()[2] == (
        "   2 mesures du 15 octobre au 2 novembre 2026 : 60 %, 72,5 %. Aucune cible chiffrée. La tendance monte."
    )

    code, out, err = line(f"plans progress {plan_id} 2 2 sur 4 --date 2026-10-20")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Mesure enregistrée : 2 sur 4, le 20 octobre 2026.",
        "2. Léa demande de l'aide au besoin",
        "   1 mesure le 20 octobre 2026 : 2 sur 4. Cible : au moins 3 sur 4. "
        "La dernière mesure est sous la cible de 1.",
    ]
    code, out, err = line(f"plans progress {plan_id} 2 4/5 --json")
    assert (code, err) == (0, "")
    entry = json.loads(out)
    assert (entry["value"], entry["out_of"], entry["on"], entry["note"]) == (4, 5, "2026-11-02", "")
    code, out, err = line(f"plans progress {plan_id} 2 3")  # m left out: the objective's
    assert out.splitlines()[0] == "Mesure enregistrée : 3 sur 4, le 2 novembre 2026."
    assert out.splitlines()[2].endswith("La dernière mesure atteint la cible; la tendance monte.")

    follow_up = line(f"plans show {plan_id}")[1]
    assert "   • 15 octobre 2026 : 60 % — Lecture guidée" in follow_up.splitlines()


def test_a_measure_refused_says_the_field_with_exit_code_2(app, line, clock):
    plan_id = ratio_plan(app, line, clock)
    refused = {
        "1 105": "Valeur : Entrez un pourcentage entre 0 et 100.",
        "1 beaucoup": "Valeur : Nombre attendu (par exemple 80 ou 2,5).",
        "2 5 sur 4": "Valeur : Entrez un nombre entre 0 et 4 (n sur 4).",
        "2 3 sur 4,5": "Sur : Nombre entier attendu.",
        "1 80 --date 31/02/2026": "Date : Date attendue : AAAA-MM-JJ ou JJ/MM/AAAA.",
    }
    for typed, message in refused.items():
        code, out, err = line(f"plans progress {plan_id} {typed}")
        assert (code, out, err) == (2, "", message + "\n"), typed
    code, out, err = line(f"plans progress {plan_id} 1 80 --date 2026-12-01")
    assert (code, out, err) == (2, "", "Date : Cette date est dans le futur.\n")

    code, out, err = line(f"plans progress {plan_id} 7 80")
    assert (code, out, err) == (5, "", "Aucun objectif « 7 » dans ce plan.\n")
    code, out, err = line(f"plans progress {plan_id} zz 80")
    assert (code, out, err) == (5, "", "Aucun objectif « zz » dans ce plan.\n")
    code, out, err = line("plans progress zzzz 1 80")
    assert (code, out, err) == (5, "", "Aucun plan « zzzz » dans ce compte.\n")
    assert "Aucune mesure encore." in line(f"plans show {plan_id}")[1]  # nothing was recorded


def test_banqo_plans_new_and_progress_on_the_embedded_server(signed_in, capsys):
    assert banqo(capsys, "learners", "add", "Léa")[0] == 0
    assert banqo(capsys, "goals", "add", READS + " +Léa")[0] == 0
    code, out, err = banqo(capsys, "plans", "new", "Léa", "--kind", "transition")
    assert (code, out) == (2, "") and err.endswith("commencez par celui-là (banqo plans new Léa).\n")
    code, out, err = banqo(capsys, "plans", "new", "lea")
    assert (code, err) == (0, "")
    plan_id = out[:8]
    assert f"Pour le lire : banqo plans show {plan_id}." in out.splitlines()
    code, out, err = banqo(capsys, "plans", "progress", plan_id, "1", "80")
    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith("Mesure enregistrée : 80 %, le ")
    assert out.splitlines()[2].startswith("   1 mesure le ")
