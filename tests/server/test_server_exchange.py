"""The open exchange format: export then import gives the same goals; a bad file is refused row by row."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from banqo_server.catalogue import CATALOGUE_FILE


def post_file(bank, content: bytes, media_type: str, **params):
    headers = {**bank.headers, "Content-Type": media_type}
    return bank.api.client.post("/api/v1/collection/import", content=content, headers=headers, params=params)


def comparable(bank):
    """The collection as a user sees it: texts, parts, domains, tags, sources and learners' names."""
    names = {learner["id"]: learner["first_name"] for learner in bank.get("/learners").json()["items"]}
    goals = bank.get("/collection/goals", params={"limit": 200}).json()["items"]
    return [
        (
            goal["text"], goal["language"], goal["domain"], goal["tags"], goal["condition"], goal["behaviour"],
            goal["criterion"], goal["measure"], goal["source"], sorted(names[i] for i in goal["learner_ids"]),
        )
        for goal in goals
    ]


@pytest.fixture
def filled(bank, clock):
    lea = bank.post("/learners", {"first_name": "Léa"}).json()
    lea2 = bank.post("/learners", {"first_name": "Léa"}).json()
    shipped = bank.get("/catalogue/goals", params={"limit": 2}).json()["items"]
    bank.post("/collection/goals", {"catalogue_id": shipped[0]["id"], "tags": ["rentrée"], "learner_ids": [lea["id"]]})
    clock.advance(seconds=1)
    bank.post("/collection/goals", {"catalogue_id": shipped[1]["id"], "language": "en"})
    clock.advance(seconds=1)
    bank.add("Écrire « bonjour », avec virgule, \"guillemets\" et ; point-virgule", domain="ecriture",
             tags=["a", "b-2"], learner_ids=[lea["id"], lea2["id"]])
    clock.advance(seconds=1)
    bank.add("Un objectif sans domaine")
    return bank


@pytest.mark.parametrize("format", ["json", "csv"])
def test_export_then_import_into_a_new_account_gives_the_same_goals(filled, make_bank, format):
    exported = filled.get("/collection/export", params={"format": format})
    assert exported.status_code == 200
    assert f'.{format}"' in exported.headers["content-disposition"]
    other = make_bank("autre@example.org")
    media_type = "application/json" if format == "json" else "text/csv"
    answer = post_file(other, exported.content, media_type)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"imported": True, "created": 4, "existing": 0, "learners_created": 2}
    assert comparable(other) == comparable(filled)
    again = post_file(other, exported.content, media_type)
    assert again.json() == {"imported": True, "created": 0, "existing": 4, "learners_created": 0}
    assert len(comparable(other)) == 4


def test_the_json_export_is_the_documented_format(filled):
    document = filled.get("/collection/export").json()
    assert document["format"] == "banqo-goals" and document["format_version"] == 1
    first = document["goals"][0]
    assert first["source"]["kind"] == "catalogue" and first["learners"] == ["Léa"]
    assert {"text", "language", "domain", "tags", "condition", "behaviour", "criterion", "measure"} <= set(first)


def test_the_csv_export_opens_in_a_spreadsheet(filled):
    content = filled.get("/collection/export", params={"format": "csv"}).content
    assert content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 4
    assert rows[2]["tags"] == "a|b-2" and rows[2]["learners"] == "Léa|Léa 2"
    assert rows[2]["text"].startswith("Écrire « bonjour », avec virgule")


def test_a_csv_with_semicolons_from_a_french_spreadsheet_imports(bank):
    content = "text;domain;tags\r\nLire 10 mots;lecture;fluidité|début\r\n".encode("cp1252", errors="strict")
    refused = post_file(bank, content, "text/csv")
    assert refused.status_code == 422 and "UTF-8" in refused.json()["errors"]["file"][0]
    answer = post_file(bank, content.decode("cp1252").encode("utf-8"), "text/csv")
    assert answer.status_code == 200, answer.text
    assert bank.get("/collection/goals").json()["items"][0]["tags"] == ["fluidité", "début"]


def test_a_file_with_bad_rows_is_refused_whole_with_each_row_and_reason(bank):
    document = {
        "format": "banqo-goals",
        "format_version": 1,
        "goals": [
            {"text": "Bon objectif", "domain": "lecture"},
            {"text": "", "domain": "lecture"},
            {"text": "Domaine inconnu", "domain": "astrologie"},
            {"text": "Nom complet", "learners": ["Léa Tremblay"]},
            "pas un objet",
        ],
    }
    answer = post_file(bank, json.dumps(document).encode(), "application/json")
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert set(errors) == {"2.text", "3.domain", "4.learners", "5.goal"}
    assert "Léa Tremblay" in errors["4.learners"][0]
    assert bank.get("/collection/goals").json()["items"] == []
    assert bank.get("/learners").json()["items"] == []


def test_a_dry_run_counts_and_imports_nothing(bank):
    document = {"format": "banqo-goals", "format_version": 1, "goals": [{"text": "Un"}, {"text": "un"}]}
    answer = post_file(bank, json.dumps(document).encode(), "application/json", dry_run="true")
    assert answer.json() == {"imported": False, "created": 1, "existing": 0, "learners_created": 0}
    assert bank.get("/collection/goals").json()["items"] == []


@pytest.mark.parametrize(
    ("content", "media_type", "reason"),
    [
        (b"{not json", "application/json", "JSON valide"),
        (b'{"format": "autre"}', "application/json", "banqo-goals"),
        (b'{"format": "banqo-goals", "format_version": 9, "goals": []}', "application/json", "9"),
        (b"", "text/csv", "vide"),
        (b"titre,autre\r\nx,y\r\n", "text/csv", "text"),
        (b"text,couleur\r\nx,y\r\n", "text/csv", "couleur"),
        (b"[" * 5000 + b"]" * 5000, "application/json", "JSON"),
    ],
)
def test_a_malformed_file_is_refused_with_the_reason(bank, content, media_type, reason):
    answer = post_file(bank, content, media_type)
    assert answer.status_code == 422
    assert reason in answer.json()["errors"]["file"][0]


def test_a_file_over_5_mb_is_refused_with_413(bank):
    answer = post_file(bank, b"text\r\n" + b"x" * 5_000_001, "text/csv")
    assert answer.status_code == 413


SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs/formats/banqo-goals.schema.json").read_text())


def test_exports_and_the_shipped_catalogue_follow_the_published_schema(filled):
    validator = jsonschema.Draft202012Validator(SCHEMA)
    assert list(validator.iter_errors(filled.get("/collection/export").json())) == []
    assert list(validator.iter_errors(json.loads(CATALOGUE_FILE.read_text(encoding="utf-8")))) == []


def test_the_shipped_catalogue_imports_as_a_collection(bank):
    answer = post_file(bank, CATALOGUE_FILE.read_bytes(), "application/json")
    assert answer.status_code == 200, answer.text
    shipped = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    assert answer.json()["created"] == len(shipped["goals"])
