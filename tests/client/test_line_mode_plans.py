"""``banqo plans export``: a plan of the embedded server written to a file, with the app's session; errors on
stderr with the documented exit codes."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from pypdf import PdfReader

from banqo_tui.api.models import PlanCreate, PlanGoalCreate, PlanPatch, ReviewCreate, ReviewDecisionCreate
from banqo_tui.config import Config
from banqo_tui.connection import Connection
from banqo_tui.credentials import CredentialStore
from tests.client import test_line_mode

# The line mode's own fixtures: a data folder of its own (``home``), a teacher signed in there (``signed_in``).
home, signed_in, banqo = test_line_mode.home, test_line_mode.signed_in, test_line_mode.banqo

GOAL = "Léa lit 20 mots fréquents en une minute à la fin de l'étape."


def make_plan(*, reviewed: bool = False) -> tuple[str, str | None]:
    """A plan for Léa with one objective, made on the embedded server with the keyring's session; with
    ``reviewed``, activated and reviewed once. The plan's id and the review's."""

    async def make() -> tuple[str, str | None]:
        connection = Connection(Config.load(language="fr"))
        client = await connection.client()
        client.token = await CredentialStore().load("lea@example.org", connection.label)
        try:
            learner = await client.learners.create("Léa")
            plan = await client.plans.create(PlanCreate(learner_id=learner.id))
            goal = await client.plans.add_goal(plan.id, PlanGoalCreate(text=GOAL))
            if not reviewed:
                return plan.id, None
            plan = await client.plans.update(plan.id, plan.version, PlanPatch(state="active"))
            decision = ReviewDecisionCreate(plan_goal_id=goal.id, decision="continue", note="Bon départ")
            review = await client.plans.review(plan.id, plan.version, ReviewCreate(decisions=[decision]))
            return plan.id, review.id
        finally:
            await connection.aclose()

    return asyncio.run(make())


def pdf_words(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def test_export_writes_the_pdf_and_says_where(signed_in, capsys, tmp_path):
    plan_id, _review = make_plan()
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "plan de Léa.pdf"
    code, out, err = banqo(capsys, "plans", "export", plan_id, "--format", "pdf", "-o", str(target))
    assert (code, err) == (0, "")
    assert out == f"Plan exporté dans {target}.\n"
    text = pdf_words(target.read_bytes())
    assert "Plan d'intervention — Léa" in text and GOAL in text
    assert "Identification" in text and "Signatures" in text
    assert [path.name for path in folder.iterdir()] == [target.name]  # nothing left beside it


def test_export_in_markdown_and_docx(signed_in, capsys, tmp_path):
    plan_id, _review = make_plan()
    markdown = tmp_path / "plan.md"
    code, out, err = banqo(capsys, "plans", "export", plan_id, "--format", "md", "-o", str(markdown))
    assert (code, err) == (0, "") and str(markdown) in out
    content = markdown.read_text(encoding="utf-8")
    assert content.startswith("# Plan d'intervention — Léa\n") and GOAL.replace(".", "") in content.replace("\\", "")
    document = tmp_path / "plan.docx"
    code, _out, _err = banqo(capsys, "plans", "export", plan_id, "--format", "docx", "-o", str(document))
    assert code == 0 and document.read_bytes()[:2] == b"PK"


def test_a_review_s_snapshot_is_exported_with_review(signed_in, capsys, tmp_path):
    plan_id, review_id = make_plan(reviewed=True)
    target = tmp_path / "revision.pdf"
    code, out, err = banqo(capsys, "plans", "export", plan_id, "--review", review_id, "-o", str(target))
    assert (code, err) == (0, "") and str(target) in out
    text = pdf_words(target.read_bytes())
    assert GOAL in text and "Poursuivre tel quel" in text and "Bon départ" in text
    code, out, err = banqo(capsys, "plans", "export", plan_id, "--review", "inconnue", "-o", str(target))
    assert (code, out) == (5, "")
    assert err == f"Aucune révision « inconnue » pour le plan « {plan_id} » dans ce compte.\n"


def test_an_unknown_plan_says_so_on_stderr_with_exit_code_5(signed_in, capsys, tmp_path):
    target = tmp_path / "plan.pdf"
    code, out, err = banqo(capsys, "plans", "export", "inexistant", "-o", str(target))
    assert (code, out) == (5, "")
    assert err == "Aucun plan « inexistant » dans ce compte.\n"
    assert not target.exists()


def test_an_unwritable_destination_is_exit_code_1(signed_in, capsys, tmp_path):
    plan_id, _review = make_plan()
    target = tmp_path / "absent" / "plan.pdf"
    code, out, err = banqo(capsys, "plans", "export", plan_id, "-o", str(target))
    assert (code, out) == (1, "")
    assert err.startswith(f"Impossible d'écrire {target} : ")


def test_not_signed_in_is_exit_code_3(home, capsys, tmp_path):
    code, out, err = banqo(capsys, "plans", "export", "plan", "-o", str(tmp_path / "plan.pdf"))
    assert (code, out) == (3, "") and "banqo login" in err


def make_full_plan() -> str:
    """Léa's plan with every section filled: participants, forces, besoins, measures, an objective with its
    means and a target, two progress entries, and a review."""
    from datetime import date

    from banqo_tui.api.models import Participant, PrioritisedItem, ProgressEntryCreate

    async def make() -> str:
        connection = Connection(Config.load(language="fr"))
        client = await connection.client()
        client.token = await CredentialStore().load("lea@example.org", connection.label)
        try:
            learner = await client.learners.create("Léa")
            plan = await client.plans.create(PlanCreate(learner_id=learner.id, participants=[
                Participant(role="teacher"), Participant(role="other", other_role="Ergothérapeute"),
            ]))
            plan = await client.plans.update(plan.id, plan.version, PlanPatch(
                strengths=[PrioritisedItem(text="Lit avec plaisir", priority=1)],
                needs=[PrioritisedItem(text="Décoder les mots nouveaux", priority=1)],
                adaptations=["Temps supplémentaire"],
            ))
            goal = await client.plans.add_goal(plan.id, PlanGoalCreate(
                text=GOAL, means=["Lecture guidée"], criterion="mots lus correctement", unit="percent", target=80,
            ))
            for day, value in ((date(2026, 9, 15), 60), (date(2026, 10, 15), 85)):
                await client.plans.add_progress(plan.id, ProgressEntryCreate(plan_goal_id=goal.id, on=day, value=value))
            plan = await client.plans.update(plan.id, plan.version, PlanPatch(state="active"))
            decision = ReviewDecisionCreate(plan_goal_id=goal.id, decision="continue", note="Bon départ")
            await client.plans.review(plan.id, plan.version, ReviewCreate(decisions=[decision]))
            return plan.id
        finally:
            await connection.aclose()

    return asyncio.run(make())


def test_a_single_command_says_when_a_review_falls_by_the_servers_calendar(signed_in, capsys, monkeypatch):
    """A review due today by the server's calendar reads « aujourd'hui » on a machine whose date is another one
    (over SSH, a machine kept in UTC, at 19:00 in Montréal): a single command has not read the résumé that says
    the server's time zone, so it asks for it before counting the days."""
    zones = ("Pacific/Kiritimati", "Pacific/Pago_Pago")  # 25 hours apart: this machine's date is never both
    zone = next(name for name in zones if datetime.now(ZoneInfo(name)).date() != date.today())
    monkeypatch.setenv("BANQO_SELLER_TIMEZONE", zone)
    server_today = datetime.now(ZoneInfo(zone)).date()
    plan_id, _review = make_plan()

    async def due_today() -> None:
        connection = Connection(Config.load(language="fr"))
        client = await connection.client()
        client.token = await CredentialStore().load("lea@example.org", connection.label)
        try:
            plan = await client.plans.get(plan_id)
            await client.plans.update(plan.id, plan.version, PlanPatch(review_due_on=server_today))
        finally:
            await connection.aclose()

    asyncio.run(due_today())
    code, out, err = banqo(capsys, "plans", "list")
    assert (code, err) == (0, "")
    due = format_date(server_today, "long", locale="fr_CA")
    line = f"{plan_id[:8]}  Léa — Plan d'intervention — Brouillon — révision le {due} (aujourd'hui)"
    assert out == line + "\n"
    code, out, err = banqo(capsys, "learners", "show", "Léa")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == line


def test_plans_list_and_show_read_the_plan_section_by_section(signed_in, capsys):
    plan_id = make_full_plan()
    code, out, err = banqo(capsys, "plans", "list")
    assert (code, err) == (0, "")
    assert out == f"{plan_id[:8]}  Léa — Plan d'intervention — En cours — révision non prévue\n"
    assert banqo(capsys, "plans", "list", "--learner", "lea", "--state", "draft")[1] == ""

    code, out, err = banqo(capsys, "plans", "show", plan_id[:4])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    headings = [line for line in lines if re.match(r"\d · ", line)]
    assert headings == [
        "1 · Identification", "2 · Participants", "3 · Forces", "4 · Besoins",
        "5 · Mesures d'adaptation et de modification", "6 · Objectifs — 1 objectif, 1 actif", "7 · Suivi",
        "8 · Révisions",
    ]
    assert lines[0] == "Plan d'intervention de Léa"
    assert f"Identifiant (pour « banqo plans export ») : {plan_id}" in lines
    for expected in ("• Enseignant·e", "• Ergothérapeute", "1. Lit avec plaisir", "1. Décoder les mots nouveaux",
                     "• Temps supplémentaire", f"1. {GOAL}", "   Moyens : Lecture guidée",
                     "   • Poursuivre tel quel — Bon départ"):
        assert expected in lines, expected
    follow_up = lines[lines.index("7 · Suivi") + 1:lines.index("8 · Révisions")]
    assert follow_up[0] == f"1. {GOAL}"
    assert follow_up[1] == (
        "   2 mesures du 15 septembre au 15 octobre 2026 : 60 %, 85 %. Cible : au moins 80 %. "
        "La dernière mesure atteint la cible; la tendance monte."
    )
    assert follow_up[2:4] == ["   • 15 septembre 2026 : 60 %", "   • 15 octobre 2026 : 85 %"]
    assert not any(glyph in out for glyph in "█┈│└")  # the sentence, not the chart

    review_line = next(line for line in lines if line.startswith("   Identifiant de la révision : "))
    review_id = review_line.rsplit(" ", 1)[1].rstrip(".")
    code, out, err = banqo(capsys, "plans", "show", plan_id, "--review", review_id[:6])
    assert code == 0 and out.splitlines()[1].startswith("Instantané de la révision n° 1 du ")
    code, out, err = banqo(capsys, "plans", "show", "zzzz")
    assert (code, out, err) == (5, "", "Aucun plan « zzzz » dans ce compte.\n")
