"""``banqo goals add|list|search``: plain lines and JSON, on the embedded server, with the app's session."""

from __future__ import annotations

import asyncio
import json

import pytest

from banqo_tui import cli
from banqo_tui.config import Config
from banqo_tui.connection import Connection
from banqo_tui.credentials import CredentialStore


@pytest.fixture
def home(tmp_path, monkeypatch, memory_keyring):
    monkeypatch.setenv("BANQO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BANQO_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("BANQO_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("BANQO_SERVER", raising=False)
    monkeypatch.delenv("BANQO_DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture
def signed_in(home):
    """A teacher signed up in the app on the embedded server: the token is in the keyring."""

    async def sign_up() -> None:
        config = Config.load(language="fr")
        connection = Connection(config)
        client = await connection.client()
        answer = await client.accounts.sign_up(
            email="lea@example.org", password="une phrase de passe", first_name="Léa", last_name="Roy"
        )
        store = CredentialStore()
        assert await store.save("lea@example.org", connection.label, answer.token)
        store.remember_email(connection.label, "lea@example.org")
        await connection.aclose()

    asyncio.run(sign_up())
    return home


def banqo(capsys, *args):
    code = cli.main(["--lang", "fr", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_list_and_search_print_plain_lines(signed_in, capsys):
    code, out, err = banqo(capsys, "goals", "add", "Lire 20 mots fréquents #fluidité @lect +Léa")
    assert (code, err) == (0, "")
    assert out == "Lire 20 mots fréquents  [Lecture, #fluidité]\n"
    banqo(capsys, "goals", "add", "L’élève demande de l’aide 3 fois sur 4")
    code, out, _ = banqo(capsys, "goals", "list")
    assert out.splitlines() == [
        "Lire 20 mots fréquents  [Lecture, #fluidité]",
        "L’élève demande de l’aide 3 fois sur 4",
    ]
    code, out, _ = banqo(capsys, "goals", "search", "ELEVE")
    assert out.splitlines() == ["L’élève demande de l’aide 3 fois sur 4"]
    code, out, _ = banqo(capsys, "goals", "list", "--tag", "fluidite")
    assert out.splitlines() == ["Lire 20 mots fréquents  [Lecture, #fluidité]"]


def test_json_output_and_the_learner_created_inline(signed_in, capsys):
    code, out, _ = banqo(capsys, "goals", "add", "--json", "Compter jusqu'à 20 +Zoé")
    goal = json.loads(out)
    assert code == 0 and goal["text"] == "Compter jusqu'à 20" and len(goal["learner_ids"]) == 1
    code, out, _ = banqo(capsys, "goals", "list", "--json")
    assert [item["id"] for item in json.loads(out)] == [goal["id"]]


def test_catalogue_search(signed_in, capsys):
    code, out, _ = banqo(capsys, "goals", "search", "--catalogue", "autobus")
    lines = out.splitlines()
    assert code == 0 and lines
    assert all("autobus" in line.lower() for line in lines)


def test_errors_go_to_stderr_with_documented_exit_codes(signed_in, capsys):
    code, out, err = banqo(capsys, "goals", "add", "#seulement-une-etiquette")
    assert (code, out) == (2, "")
    assert "Écrivez l'objectif." in err
    code, out, err = banqo(capsys, "goals", "add", "Lire @astro")
    assert code == 2 and "Domaine inconnu" in err


def test_not_signed_in_says_so_with_exit_code_3(home, capsys):
    code, out, err = banqo(capsys, "goals", "list")
    assert (code, out) == (3, "")
    assert "connectez-vous" in err


def test_export_then_import_reports_what_was_done_and_refuses_a_bad_file_whole(signed_in, capsys, tmp_path):
    banqo(capsys, "goals", "add", "Lire 20 mots #fluidité @lecture +Léa")
    banqo(capsys, "goals", "add", "Compter jusqu'à 20 @mathematique")
    target = tmp_path / "collection.csv"
    code, out, err = banqo(capsys, "goals", "export", "--format", "csv", "-o", str(target))
    assert (code, err) == (0, "") and str(target) in out
    assert "Lire 20 mots" in target.read_text(encoding="utf-8-sig")
    code, out, err = banqo(capsys, "goals", "import", str(target))
    assert code == 0
    assert out.strip() == "Objectifs ajoutés : 0 · déjà dans la collection : 2 · élèves créés : 0"
    bad = tmp_path / "mauvais.csv"
    bad.write_text("text,domain\r\nUn bon objectif,lecture\r\nUn autre,astrologie\r\n", encoding="utf-8")
    code, out, err = banqo(capsys, "goals", "import", str(bad))
    assert (code, out) == (2, "")
    assert err.strip() == "Ligne 2, Domaine : Domaine inconnu : « astrologie »."
    code, out, _ = banqo(capsys, "goals", "search", "bon")
    assert out == ""  # nothing of the refused file was imported
