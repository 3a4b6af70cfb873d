"""Plans exported for the meeting, read back as their readers would: the PDF's extracted text, the DOCX through
python-docx (headings by style, paragraphs and table cells), the Markdown through a CommonMark parser with tables.

Two plans are built here as the export receives them: Léa's plan d'intervention (three objectives, progress, two
reviews holding the five decisions) and Zoé's transition annex (objectives in three TEVA spheres and one without).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from banqo_server.i18n import _, use_language
from banqo_server.services import plan_export
from banqo_tui.api.models import (
    Participant,
    Plan,
    PlanDocument,
    PlanGoal,
    PlanGoalDocument,
    PrioritisedItem,
    ProgressEntry,
    Review,
    ReviewDecision,
)
from tests.server.billing_helpers import pdf_text
from tests.server.plan_helpers import Planner

GENERATED_AT = datetime(2027, 1, 20, 15, 30, tzinfo=UTC)
CATALOGUE = Path(__file__).resolve().parents[2] / "banqo_server" / "catalogue" / "catalogue.json"

LEA_GOALS = (
    "Léa lit 20 mots fréquents en une minute, avec l'aide d'un signet, à la fin de l'étape.",
    "Léa demande de l'aide en levant la main au lieu de quitter la classe.",
    "Léa rédige une phrase complète avec une majuscule et un point.",
)
#: The third objective's text before the first review changed it (« modifier l'objectif et les moyens »).
LEA_GOAL_3_BEFORE = "Léa écrit une phrase."
LEA_MEANS = ("Lecture répétée quotidienne avec l'orthopédagogue", "Rappel de l'échéance chaque vendredi")
ZOE_GOALS = {
    "teva-transport": "Zoé prend l'autobus seule entre l'école et la maison.",
    "teva-autonomie-personnelle": "Zoé prépare son sac d'école la veille, sans rappel.",
    "teva-emploi": "Zoé accomplit les tâches de son stage en suivant un horaire imagé.",
    None: "Zoé nomme deux métiers qui l'intéressent.",
}


def with_plan(document: PlanDocument, **changes: Any) -> PlanDocument:
    """``document`` with some of its plan's fields changed (the wire models are frozen)."""
    return document.model_copy(update={"plan": document.plan.model_copy(update=changes)})


def sphere_labels(language: str = "fr") -> dict[str, str]:
    """The spheres' labels as the server has them, from the shipped catalogue."""
    areas = json.loads(CATALOGUE.read_text(encoding="utf-8"))["catalogue"]["areas"]
    return {area["id"]: area["labels"][language] for area in areas if area["kind"] == "sphere"}


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 14, 0, tzinfo=UTC)


def _plan(**fields: Any) -> Plan:
    base: dict[str, Any] = {
        "id": "plan-lea",
        "learner_id": "learner-lea",
        "learner_first_name": "Léa",
        "kind": "intervention",
        "state": "active",
        "opened_on": date(2026, 9, 1),
        "version": 3,
        "created_at": _moment(date(2026, 9, 1)),
        "updated_at": _moment(date(2027, 1, 15)),
    }
    return Plan.model_validate({**base, **fields})


def _goal(plan_id: str, position: int, text: str, **fields: Any) -> PlanGoal:
    base: dict[str, Any] = {
        "id": f"{plan_id}-goal-{position}",
        "plan_id": plan_id,
        "lineage_id": f"lineage-{plan_id}-{position}",
        "position": position,
        "text": text,
        "version": 1,
        "created_at": _moment(date(2026, 9, 1)),
        "updated_at": _moment(date(2026, 9, 1)),
    }
    return PlanGoal.model_validate({**base, **fields})


def _progress(goal: PlanGoal, *entries: tuple[date, float, str]) -> PlanGoalDocument:
    return PlanGoalDocument(
        goal=goal,
        progress=[
            ProgressEntry(
                id=f"{goal.id}-progress-{number}",
                plan_goal_id=goal.id,
                lineage_id=goal.lineage_id,
                on=on,
                value=value,
                note=note,
                created_at=_moment(on),
            )
            for number, (on, value, note) in enumerate(entries, start=1)
        ],
    )


def _decision(goal: PlanGoal, decision: str, note: str, text: str | None = None) -> ReviewDecision:
    return ReviewDecision(
        plan_goal_id=goal.id, lineage_id=goal.lineage_id, goal_text=text or goal.text, decision=decision, note=note
    )


def lea_plan(*, goal_text: str = LEA_GOALS[0], progress_note: str = "Bonne fluidité") -> PlanDocument:
    """Léa's plan: three objectives, progress on each, and two reviews holding the five decisions."""
    plan = _plan(
        review_due_on=date(2027, 3, 15),
        participants=[
            {"role": "teacher"},
            {"role": "resource_teacher"},
            {"role": "parent"},
            {"role": "learner"},
            {"role": "principal"},
            {"role": "psychoeducator"},
            {"role": "special_education_technician"},
            {"role": "other", "other_role": "Ergothérapeute"},
        ],
        strengths=[
            {"text": "Aime les histoires d'animaux", "priority": 2},
            {"text": "Persévère quand on l'encourage", "priority": 1},
        ],
        needs=[
            {"text": "Décoder les mots de plus de deux syllabes", "priority": 1},
            {"text": "Rester en classe lors des moments difficiles", "priority": 2},
        ],
        adaptations=["Temps supplémentaire aux évaluations", "Lecture à voix haute des consignes"],
        modifications=["Évaluation en lecture sur des textes de 2e année"],
        goal_count=3,
        active_goal_count=1,
        review_count=2,
    )
    reading = _goal(
        "plan-lea",
        1,
        goal_text,
        means=list(LEA_MEANS),
        responsible_roles=[{"role": "teacher"}, {"role": "resource_teacher"}],
        deadline=date(2027, 1, 15),
        evaluation="Lecture chronométrée d'une liste de mots",
        criterion="Mots lus correctement",
        unit="percent",
        target=80,
        status="reached",
    )
    help_goal = _goal(
        "plan-lea",
        2,
        LEA_GOALS[1],
        means=["Carte « J'ai besoin d'aide » sur le pupitre"],
        responsible_roles=[{"role": "special_education_technician"}],
        deadline=date(2027, 6, 20),
        evaluation="Grille d'observation",
        criterion="Sorties de classe par semaine",
        unit="count",
        target=2,
        direction="at_most",
        status="closed",
    )
    sentence = _goal(
        "plan-lea",
        3,
        LEA_GOALS[2],
        means=["Modèle de phrase affiché", "Autocorrection avec une liste"],
        responsible_roles=[{"role": "teacher"}, {"role": "parent"}],
        deadline=date(2027, 6, 20),
        evaluation="Productions écrites",
        criterion="Phrases complètes",
        unit="ratio",
        target=4,
        out_of=5,
    )
    goals = [
        _progress(
            reading,
            (date(2026, 10, 1), 60, "Début d'étape"),
            (date(2026, 11, 10), 72.5, ""),
            (date(2027, 1, 10), 82.5, progress_note),
        ),
        _progress(help_goal, (date(2026, 10, 15), 3, "Deux sorties le lundi")),
        _progress(sentence, (date(2026, 12, 1), 3, "Oublie le point")),
    ]
    first = Review(
        id="review-1",
        plan_id="plan-lea",
        number=1,
        held_on=date(2026, 11, 20),
        note="Première révision avec les parents",
        decisions=[
            _decision(reading, "continue", "Progrès constants"),
            _decision(help_goal, "change_means", "Ajouter une carte visuelle"),
            _decision(sentence, "change_goal", "Objectif trop vague", LEA_GOAL_3_BEFORE),
        ],
        next_review_on=date(2027, 1, 15),
        created_at=_moment(date(2026, 11, 20)),
    )
    second = Review(
        id="review-2",
        plan_id="plan-lea",
        number=2,
        held_on=date(2027, 1, 15),
        note="",
        decisions=[
            _decision(reading, "reached", "Cible dépassée"),
            _decision(help_goal, "closed", "Plus de sorties depuis décembre"),
            _decision(sentence, "continue", ""),
        ],
        created_at=_moment(date(2027, 1, 15)),
    )
    return PlanDocument(plan=plan, goals=goals, reviews=[first, second], generated_at=GENERATED_AT)


def zoe_annex() -> PlanDocument:
    """Zoé's transition annex: objectives in three spheres (out of order) and one without a sphere."""
    parent = _plan(id="plan-zoe", learner_id="learner-zoe", learner_first_name="Zoé", opened_on=date(2026, 8, 28))
    annex = _plan(
        id="plan-zoe-teva",
        learner_id="learner-zoe",
        learner_first_name="Zoé",
        kind="transition",
        state="draft",
        parent_plan_id="plan-zoe",
        opened_on=date(2026, 10, 5),
        participants=[{"role": "learner"}, {"role": "parent"}, {"role": "other", "other_role": "Conseillère TEVA"}],
        strengths=[PrioritisedItem(text="Ponctuelle", priority=1)],
    )
    goals = [
        _goal(
            "plan-zoe-teva",
            position,
            text,
            sphere=sphere,
            unit="rubric",
            target=3,
            out_of=4,
            criterion="Niveau de la grille d'autonomie",
            responsible_roles=[Participant(role="learner")],
        )
        for position, (sphere, text) in enumerate(ZOE_GOALS.items(), start=1)
    ]
    documents = [_progress(goals[0], (date(2026, 11, 1), 2, "")), *map(_progress, goals[1:])]
    return PlanDocument(plan=annex, goals=documents, parent_plan=parent, generated_at=GENERATED_AT)


# --- reading the files back ----------------------------------------------------------------------------------
SECTIONS = [
    "Identification",
    "Participants",
    "Forces",
    "Besoins",
    "Mesures d'adaptation",
    "Mesures de modification",
    "Objectifs",
    "Révisions et décisions",
    "Signatures",
]
DECISIONS = [
    "Poursuivre tel quel",
    "Maintenir l'objectif, modifier les moyens",
    "Modifier l'objectif et les moyens",
    "Objectif atteint",
    "Objectif fermé",
]
HOSTILE = "Note | piège ** # <b>gras</b> `code` [lien](http://x.test) \x1b[2J fin {nb}"


def export(document: PlanDocument, format: str, language: str = "fr", **options: Any) -> plan_export.ExportedFile:
    return plan_export.render(
        document,
        format,
        language=language,
        sphere_labels=sphere_labels(language[:2]),
        time_zone="America/Toronto",
        **options,
    )


def assert_in_order(text: str, needles: list[str]) -> None:
    """Each of ``needles`` is in ``text``, each after the one before."""
    position = -1
    for needle in needles:
        found = text.find(needle, position + 1)
        assert found > position, f"{needle!r} missing or out of order (after position {position})"
        position = found


def docx_document(content: bytes) -> Any:
    return docx.Document(io.BytesIO(content))


def docx_headings(content: bytes) -> list[tuple[int, str]]:
    """(level, text) of every paragraph whose style is a Heading style, in order."""
    return [
        (int(paragraph.style.name.removeprefix("Heading ")), paragraph.text)
        for paragraph in docx_document(content).paragraphs
        if paragraph.style.name.startswith("Heading ")
    ]


def docx_text(content: bytes) -> str:
    """Every paragraph, then every table cell, as a reader of the file gets them."""
    document = docx_document(content)
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts).replace("\u00a0", " ").replace("\u202f", " ")


def markdown_tokens(content: bytes) -> list[Any]:
    return MarkdownIt("commonmark").enable("table").parse(content.decode("utf-8"))


def markdown_headings(content: bytes) -> list[tuple[int, str]]:
    tokens = markdown_tokens(content)
    return [
        (int(token.tag[1:]), tokens[index + 1].content)
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def markdown_text(content: bytes) -> str:
    """The text a reader sees once the Markdown is rendered (escapes resolved), block after block."""
    parts = []
    for token in markdown_tokens(content):
        if token.type == "inline":
            parts.append("".join(child.content for child in token.children or [] if child.type == "text"))
    return "\n".join(parts).replace("\u00a0", " ").replace("\u202f", " ")


def markdown_tables(content: bytes) -> list[list[list[str]]]:
    """Each table's rows, each row's cell texts."""
    tables: list[list[list[str]]] = []
    tokens = markdown_tokens(content)
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append([])
        elif token.type in {"th_open", "td_open"}:
            inline = tokens[index + 1]
            cell = "".join(child.content for child in inline.children or [] if child.type == "text")
            tables[-1][-1].append(cell.replace("\u00a0", " ").replace("\u202f", " "))
    return tables


def section_headings(headings: list[tuple[int, str]]) -> list[str]:
    return [text for level, text in headings if level == 2]


# --- what every format holds ---------------------------------------------------------------------------------
def test_the_pdf_holds_every_section_in_order_the_objectives_decisions_and_footer():
    exported = export(lea_plan(), "pdf")
    assert exported.media_type == "application/pdf"
    assert exported.filename == "plan-lea-2026-09-01.pdf"
    text = pdf_text(exported.content)
    assert_in_order(text, ["Plan d'intervention — Léa", *SECTIONS])
    assert_in_order(text, ["Objectifs", *LEA_GOALS, "Révisions et décisions"])
    assert_in_order(text, ["Révision n° 1 — 20 novembre 2026", DECISIONS[0], DECISIONS[1], DECISIONS[2]])
    assert_in_order(text, ["Révision n° 2 — 15 janvier 2027", DECISIONS[3], DECISIONS[4], DECISIONS[0]])
    assert LEA_GOAL_3_BEFORE in text  # the objective as it stood at the first review
    for words in (
        "Prénom de l'élève : Léa",
        "Date d'ouverture : 1 septembre 2026",
        "Révision prévue : 15 mars 2027",
        "Objectif 1 — Atteint",
        "Objectif 2 — Fermé",
        "Échéance : 15 janvier 2027",
        "Critère : Mots lus correctement — cible : 80 %",
        "cible : au plus 2 fois",
        "cible : 4 sur 5",
        "82,5 %",
        "3 sur 5",
        "Rappel de l'échéance chaque vendredi",
        "TES (technicien·ne en éducation spécialisée)",
        "Psychoéducateur·trice",
        "Élève",
        "Ergothérapeute",
        "change les attentes",
    ):
        assert words in text, words
    pages = PdfReader(io.BytesIO(exported.content)).pages
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        page_text = " ".join(page.extract_text().split())
        assert f"Plan de Léa — page {number} de {len(pages)}" in page_text
        assert "Généré le 20 janvier 2027" in page_text


def test_the_docx_has_real_headings_in_order_and_the_same_text():
    exported = export(lea_plan(), "docx")
    assert exported.filename == "plan-lea-2026-09-01.docx"
    assert exported.media_type.endswith("wordprocessingml.document")
    headings = docx_headings(exported.content)
    assert headings[0] == (1, "Plan d'intervention — Léa")
    assert section_headings(headings) == SECTIONS
    assert [text for level, text in headings if level == 3][:3] == [
        "Objectif 1 — Atteint",
        "Objectif 2 — Fermé",
        "Objectif 3",
    ]
    text = docx_text(exported.content)
    for words in [*LEA_GOALS, LEA_GOAL_3_BEFORE, *DECISIONS, "Léa", "Élève", "Rappel de l'échéance", "82,5 %"]:
        assert words in text, words
    document = docx_document(exported.content)
    properties = document.core_properties
    assert (properties.title, properties.author, properties.last_modified_by) == ("Plan d'intervention — Léa", "", "")
    signatures = document.tables[-1]
    assert [cell.text for cell in signatures.rows[0].cells] == ["Rôle", "Signature", "Date"]
    assert [row.cells[0].text for row in signatures.rows[1:]][:2] == ["Enseignant·e", "Orthopédagogue"]
    assert all(cell.text == "" for row in signatures.rows[1:] for cell in row.cells[1:])


def test_the_markdown_has_the_same_structure_and_ends_with_a_newline():
    exported = export(lea_plan(), "md")
    assert (exported.filename, exported.media_type) == ("plan-lea-2026-09-01.md", "text/markdown; charset=utf-8")
    content = exported.content
    assert content.endswith(b"\n") and not content.endswith(b"\n\n")
    headings = markdown_headings(content)
    assert headings[0] == (1, "Plan d'intervention — Léa")
    assert section_headings(headings) == SECTIONS
    text = markdown_text(content)
    for words in [*LEA_GOALS, LEA_GOAL_3_BEFORE, *DECISIONS, "Élève", "Rappel de l'échéance", "Généré le 20 janvier"]:
        assert words in text, words
    tables = markdown_tables(content)
    assert tables[0] == [
        ["Date", "Mesure", "Note"],
        ["1 octobre 2026", "60 %", "Début d'étape"],
        ["10 novembre 2026", "72,5 %", ""],
        ["10 janvier 2027", "82,5 %", "Bonne fluidité"],
    ]
    assert tables[-1][0] == ["Rôle", "Signature", "Date"]
    assert [row[0] for row in tables[-1][1:]] == [
        "Enseignant·e",
        "Orthopédagogue",
        "Parent",
        "Élève",
        "Direction",
        "Psychoéducateur·trice",
        "TES (technicien·ne en éducation spécialisée)",
        "Ergothérapeute",
    ]


def test_strengths_and_needs_are_numbered_by_priority():
    text = markdown_text(export(lea_plan(), "md").content)
    assert_in_order(text, ["Forces", "Persévère quand on l'encourage", "Aime les histoires d'animaux", "Besoins"])
    content = export(lea_plan(), "md").content.decode()
    assert "1. Persévère quand on l'encourage\n2. Aime les histoires d'animaux" in content


@pytest.mark.parametrize("format", ["pdf", "docx", "md"])
def test_a_transition_annex_groups_its_objectives_by_sphere_in_the_spheres_order(format):
    exported = export(zoe_annex(), format)
    assert exported.filename == f"plan-zoe-2026-10-05.{format}"
    expected = [
        "Autonomie personnelle",
        ZOE_GOALS["teva-autonomie-personnelle"],
        "Intégration socioprofessionnelle et emploi",
        ZOE_GOALS["teva-emploi"],
        "Transport",
        ZOE_GOALS["teva-transport"],
        "Sans sphère",
        ZOE_GOALS[None],
        "Révisions et décisions",
    ]
    if format == "pdf":
        text = pdf_text(exported.content)
    elif format == "docx":
        text = docx_text(exported.content)
        headings = docx_headings(exported.content)
    else:
        text = markdown_text(exported.content)
        headings = markdown_headings(exported.content)
    assert_in_order(text, ["Plan de transition — Zoé", *SECTIONS])
    assert_in_order(text, ["Objectifs", *expected])
    assert "Plan de transition (annexe au plan d'intervention du 28 août 2026)" in text
    assert "Aucune révision n'a encore eu lieu." in text
    assert "niveau 2 sur 4" in text and "cible : niveau 3 sur 4" in text
    if format != "pdf":
        assert [text for level, text in headings if level == 3] == expected[0:8:2]
        assert [text for level, text in headings if level == 4] == [f"Objectif {n}" for n in range(1, 5)]


def test_signatures_are_exactly_the_plans_roles_or_four_when_none_is_named():
    annex = zoe_annex()
    rows = markdown_tables(export(annex, "md").content)[-1][1:]
    assert [row[0] for row in rows] == ["Élève", "Parent", "Conseillère TEVA"]
    annex = with_plan(annex, participants=[])
    rows = markdown_tables(export(annex, "md").content)[-1][1:]
    assert [row[0] for row in rows] == ["Enseignant·e", "Parent", "Élève", "Direction"]
    text = pdf_text(export(annex, "pdf").content)
    assert_in_order(text, ["Signatures", "Enseignant·e", "Signature", "Date", "Parent", "Élève", "Direction"])


def test_only_the_first_name_identifies_the_learner():
    document = lea_plan()
    text = pdf_text(export(document, "pdf").content)
    for hidden in (document.plan.learner_id, document.plan.id, document.goals[0].goal.lineage_id):
        assert hidden not in text
    properties = docx_document(export(document, "docx").content).core_properties
    assert "Léa" in properties.title and properties.author == ""


def test_the_pdf_is_the_same_bytes_for_the_same_document():
    assert export(lea_plan(), "pdf").content == export(lea_plan(), "pdf").content
    assert b"/CreationDate (D:20270120153000Z" in export(lea_plan(), "pdf").content.replace(b"+00'00'", b"Z")


# --- typed text is only text ---------------------------------------------------------------------------------
def test_typed_markup_and_control_characters_cannot_break_the_markdown():
    plain = export(lea_plan(), "md").content
    hostile = export(lea_plan(goal_text=HOSTILE, progress_note="# Titre | 2\n- puce ** <i>"), "md").content
    assert b"\x1b" not in hostile
    assert markdown_headings(hostile) == markdown_headings(plain)
    assert [len(row) for table in markdown_tables(hostile) for row in table] == [
        len(row) for table in markdown_tables(plain) for row in table
    ]
    tokens = markdown_tokens(hostile)
    kinds = {token.type for token in tokens} | {child.type for token in tokens for child in token.children or []}
    assert not kinds & {"html_inline", "html_block", "link_open", "code_inline", "code_block", "blockquote_open"}
    shown = HOSTILE.replace("\x1b", "␛")
    text = markdown_text(hostile)
    assert shown in text
    progress = markdown_tables(hostile)[0]
    assert progress[-1] == ["10 janvier 2027", "82,5 %", "# Titre | 2 - puce ** <i>"]
    decisions = next(table for table in markdown_tables(hostile) if table[0][0] == "Objectif")
    assert decisions[1][0] == shown


def test_typed_markup_is_no_markup_in_the_markdown_besides_ours():
    """Not even on a line of its own: a typed « 2. » starts no list, a typed « --- » draws no rule."""
    plain = markdown_tokens(export(lea_plan(), "md").content)
    typed = HOSTILE + "\n2. pas une liste\n---\n> pas une citation"
    hostile = markdown_tokens(export(lea_plan(goal_text=typed), "md").content)
    assert [token.type for token in hostile] == [token.type for token in plain]
    paragraphs = [token for token in hostile if token.type == "inline" and "piège" in token.content]
    assert paragraphs
    for token in paragraphs:
        children = {child.type for child in token.children or []}
        assert children <= {"text", "strong_open", "strong_close", "hardbreak"}, children
    objective = "".join(child.content or "\n" for child in paragraphs[0].children or [] if child.type != "strong_open")
    assert objective.strip() == typed.replace("\x1b", "␛")


def test_typed_markup_and_control_characters_are_text_in_the_pdf_and_docx():
    document = lea_plan(goal_text=HOSTILE, progress_note="# Titre | 2\n- puce ** <i>")
    pdf = export(document, "pdf").content
    text = pdf_text(pdf)
    shown = " ".join(HOSTILE.replace("\x1b", "␛").split())
    # The PDF's font has no control pictures: ␛ is written in caret notation, visible and inert.
    assert shown.replace("␛", "^[") in text  # « {nb} » too: not replaced by the number of pages
    assert "\x1b" not in text
    assert_in_order(text, ["Plan d'intervention — Léa", *SECTIONS])
    words = docx_text(export(document, "docx").content)
    assert shown in words and "\x1b" not in words


# --- snapshots, names, languages -----------------------------------------------------------------------------
def test_a_snapshot_says_so_and_its_file_is_named_for_the_review():
    document = lea_plan()
    note = plan_export.snapshot_note(document.reviews[1], language="fr")
    assert note == "Instantané de la révision n° 2 du 15 janvier 2027"
    pdf = export(document, "pdf", title_note=note, review_number=2)
    assert pdf.filename == "plan-lea-2026-09-01-revision-2.pdf"
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    assert all(note in " ".join(page.extract_text().split()) for page in pages)
    assert_in_order(pdf_text(pdf.content), ["Plan d'intervention — Léa", note, "Identification"])
    docx_file = export(document, "docx", title_note=note, review_number=2)
    assert docx_file.filename == "plan-lea-2026-09-01-revision-2.docx"
    assert_in_order(docx_text(docx_file.content), ["Plan d'intervention — Léa", note, "Identification"])
    md = export(document, "md", title_note=note, review_number=2)
    assert md.filename == "plan-lea-2026-09-01-revision-2.md"
    assert_in_order(markdown_text(md.content), ["Plan d'intervention — Léa", note, "Identification"])


@pytest.mark.parametrize(
    ("first_name", "expected"),
    [
        ("Léa", "plan-lea-2026-09-01.md"),
        ("Léa 2", "plan-lea-2-2026-09-01.md"),
        ("Marie-Ève", "plan-marie-eve-2026-09-01.md"),
        ("N’Dri", "plan-ndri-2026-09-01.md"),
        ("Ῥόδη", "plan-2026-09-01.md"),
    ],
)
def test_the_file_name_is_ascii(first_name, expected):
    document = with_plan(lea_plan(), learner_first_name=first_name)
    assert plan_export.filename(document, "md") == expected
    assert export(document, "md").filename == expected


def test_english_dates_and_numbers_come_from_babel():
    text = pdf_text(export(lea_plan(), "pdf", language="en").content)
    assert "September 1, 2026" in text and "82.5%" in text and "January 20, 2027" in text
    progress = markdown_tables(export(lea_plan(), "md", language="en").content)[0]
    assert progress[1:] == [
        ["October 1, 2026", "60%", "Début d'étape"],
        ["November 10, 2026", "72.5%", ""],
        ["January 10, 2027", "82.5%", "Bonne fluidité"],
    ]
    assert "Socio-professional integration and employment" in pdf_text(export(zoe_annex(), "pdf", "en_CA").content)


def _english_catalogue_translates_the_export() -> bool:
    with use_language("en_CA"):
        return _("Mesures de modification") != "Mesures de modification"


# ENGLISH (catalogue): these labels are checked once the en_CA catalogue translates the export's messages; until
# then the test is expected to fail (strict), and it runs for real as soon as the translation lands.
@pytest.mark.xfail(
    not _english_catalogue_translates_the_export(),
    reason="en_CA catalogue: the plan export's messages are not translated yet",
    strict=True,
)
def test_english_labels_once_the_catalogue_translates_them():
    document = lea_plan()
    expected = [
        "Identification",
        "Participants",
        "Strengths",
        "Needs",
        "Adaptation measures",
        "Modification measures",
        "Goals",
        "Reviews and decisions",
        "Signatures",
    ]
    assert section_headings(markdown_headings(export(document, "md", "en").content)) == expected
    text = pdf_text(export(document, "pdf", "en").content)
    assert_in_order(text, ["Intervention plan — Léa", *expected])
    for words in (
        "Means:",
        "Responsible:",
        "Deadline: January 15, 2027",
        "Evaluation:",
        "Criterion:",
        "4 out of 5",
        "at most 2 times",
        "Continue as is",
        "Keep the goal, change the means",
        "Change the goal and the means",
        "Goal reached",
        "Goal closed",
        "Plan for Léa — page 1 of",
        "Generated on January 20, 2027",
    ):
        assert words in text, words


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError):
        plan_export.render(lea_plan(), "md", language="de", sphere_labels={}, time_zone="America/Toronto")


# --- through the API -----------------------------------------------------------------------------------------
LEA_API_GOALS = ("{prénom} lit dix mots fréquents sans aide.", "{prénom} range son pupitre avant la récréation.")
NOAH_API_GOALS = ("{prénom} compte jusqu'à 100 par bonds de 10.",)


def _teacher_with_two_learners(api: Any) -> tuple[Planner, dict[str, Any], dict[str, Any]]:
    """A teacher with a plan for Léa (two objectives) and one for Noah; the two plans' ids."""
    teacher = Planner(api.client, api.signed_up()["token"])
    lea, noah = teacher.learner("Léa"), teacher.learner("Noah")
    lea_plan = teacher.plan(lea, [teacher.goal(text, lea) for text in LEA_API_GOALS], participants=[{"role": "parent"}])
    noah_plan = teacher.plan(noah, [teacher.goal(text, noah) for text in NOAH_API_GOALS])
    return teacher, lea_plan, noah_plan


def _exported_text(answer: Any, format: str) -> str:
    assert answer.status_code == 200, answer.text
    if format == "pdf":
        return pdf_text(answer.content)
    if format == "docx":
        return docx_text(answer.content)
    return markdown_text(answer.content)


@pytest.mark.parametrize("format", ["pdf", "docx", "md"])
def test_the_api_exports_one_learner_s_plan_and_nothing_of_another(api, format):
    teacher, lea_plan, noah_plan = _teacher_with_two_learners(api)
    answer = teacher.call("GET", f"/plans/{lea_plan['id']}/export", params={"format": format})
    text = _exported_text(answer, format)
    assert answer.headers["content-type"].startswith(plan_export.MEDIA_TYPES[format].split(";")[0])
    assert f'filename="plan-lea-{lea_plan["opened_on"]}.{format}"' in answer.headers["content-disposition"]
    assert_in_order(text, ["Plan d'intervention — Léa", *SECTIONS])
    for goal in LEA_API_GOALS:
        assert goal.format(prénom="Léa") in text
    assert "Noah" not in text
    for goal in NOAH_API_GOALS:
        assert goal.format(prénom="Noah") not in text and goal.format(prénom="Léa") not in text
    assert "Parent" in text


def _reviewed_then_edited(api: Any) -> tuple[Planner, str, str, str]:
    """Léa's plan reviewed once, then its first objective rewritten: the teacher, the plan, the review, the new
    text."""
    teacher, lea_plan, _noah_plan = _teacher_with_two_learners(api)
    plan_id = lea_plan["id"]
    teacher.activate(plan_id)
    goals = teacher.goals(plan_id)
    teacher.progress(plan_id, goals[0]["id"], 40, note="Avant la révision")
    decisions = [
        {"plan_goal_id": goals[0]["id"], "decision": "change_means", "note": "Modèles", "new_means": ["Modelage"]},
        {"plan_goal_id": goals[1]["id"], "decision": "continue"},
    ]
    review = teacher.review(plan_id, decisions)
    assert review.status_code == 201, review.text
    edited = "Léa lit vingt mots fréquents sans aide."
    goal = teacher.read(f"/plans/{plan_id}/goals/{goals[0]['id']}")
    teacher.changed(f"/plans/{plan_id}/goals/{goal['id']}", {"text": edited}, goal["version"])
    return teacher, plan_id, review.json()["id"], edited


@pytest.mark.parametrize("format", ["pdf", "docx", "md"])
def test_a_snapshot_export_shows_the_plan_as_it_stood_at_the_review(api, format):
    teacher, plan_id, review_id, edited = _reviewed_then_edited(api)
    current = _exported_text(teacher.call("GET", f"/plans/{plan_id}/export", params={"format": format}), format)
    assert edited in current and LEA_API_GOALS[0].format(prénom="Léa") not in current.split("Révisions")[0]
    answer = teacher.call("GET", f"/plans/{plan_id}/reviews/{review_id}/export", params={"format": format})
    snapshot = _exported_text(answer, format)
    assert LEA_API_GOALS[0].format(prénom="Léa") in snapshot and edited not in snapshot
    assert "Avant la révision" in snapshot


@pytest.mark.parametrize("format", ["pdf", "docx", "md"])
def test_a_snapshot_export_is_marked_and_named_for_its_review(api, format):
    teacher, plan_id, review_id, _edited = _reviewed_then_edited(api)
    answer = teacher.call("GET", f"/plans/{plan_id}/reviews/{review_id}/export", params={"format": format})
    snapshot = _exported_text(answer, format)
    assert_in_order(snapshot, ["Plan d'intervention — Léa", "Instantané de la révision n° 1 du", "Identification"])
    assert f'-revision-1.{format}"' in answer.headers["content-disposition"]


def test_another_account_gets_404_for_the_exports(api, make_api):
    teacher, lea_plan, _noah_plan = _teacher_with_two_learners(api)
    plan_id = lea_plan["id"]
    teacher.activate(plan_id)
    goals = teacher.goals(plan_id)
    review = teacher.review(plan_id, [{"plan_goal_id": goal["id"], "decision": "continue"} for goal in goals])
    assert review.status_code == 201, review.text
    other = make_api()
    stranger = Planner(other.client, other.signed_up("autre@example.org")["token"])
    for path in (f"/plans/{plan_id}/export", f"/plans/{plan_id}/reviews/{review.json()['id']}/export"):
        for format in ("pdf", "docx", "md"):
            answer = stranger.call("GET", path, params={"format": format})
            assert answer.status_code == 404, answer.text
            assert "Léa" not in answer.text
