"""``banqo goals …``, ``banqo login`` and ``banqo logout`` as one-off commands: plain lines (each goal with its
id first) and JSON, on the embedded server, with the app's session in the keyring."""

from __future__ import annotations

import asyncio
import io
import json
import re

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


def without_ids(out: str) -> list[str]:
    """The lines of a goal listing, each checked to start with an 8-character id, without it."""
    lines = []
    for line in out.splitlines():
        found = re.fullmatch(r"([0-9a-f]{8})  (.+)", line)
        assert found, f"no id first in {line!r}"
        lines.append(found.group(2))
    return lines


def test_add_list_and_search_print_plain_lines(signed_in, capsys):
    code, out, err = banqo(capsys, "goals", "add", "Lire 20 mots fréquents #fluidité @lect +Léa")
    assert (code, err) == (0, "")
    assert without_ids(out) == ["Lire 20 mots fréquents  [Lecture, #fluidité]"]
    banqo(capsys, "goals", "add", "L’élève demande de l’aide 3 fois sur 4")
    code, out, _ = banqo(capsys, "goals", "list")
    assert without_ids(out) == [
        "Lire 20 mots fréquents  [Lecture, #fluidité]",
        "L’élève demande de l’aide 3 fois sur 4",
    ]
    code, out, _ = banqo(capsys, "goals", "search", "ELEVE")
    assert without_ids(out) == ["L’élève demande de l’aide 3 fois sur 4"]
    code, out, _ = banqo(capsys, "goals", "list", "--tag", "fluidite")
    assert without_ids(out) == ["Lire 20 mots fréquents  [Lecture, #fluidité]"]


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
    assert err == "Vous n'êtes pas connecté (serveur : local). Connectez-vous d'abord : banqo login.\n"


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


def test_edit_rm_and_restore_take_the_beginning_of_an_id(signed_in, capsys):
    code, out, _ = banqo(capsys, "goals", "add", "--json", "Lire 20 mots #fluidité")
    goal = json.loads(out)
    prefix = goal["id"][:8]
    code, out, err = banqo(capsys, "goals", "edit", prefix, "Lire", "30", "mots", "--domain", "@lect",
                           "--tag", "lecture", "--tag", "#Rentrée")
    assert (code, err) == (0, "")
    assert out == f"{prefix}  Lire 30 mots  [Lecture, #lecture, #rentrée]\n"
    code, out, err = banqo(capsys, "goals", "edit", goal["id"], "--domain", "", "--tag", "")
    assert (code, out) == (0, f"{prefix}  Lire 30 mots\n")

    code, out, err = banqo(capsys, "goals", "rm", goal["id"][:4])
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Objectif supprimé : « Lire 30 mots ».",
        f"Pour l'annuler (pendant 10 minutes) : banqo goals restore {goal['id']}",
    ]
    assert banqo(capsys, "goals", "list")[1] == ""
    code, out, err = banqo(capsys, "goals", "restore", goal["id"])
    assert (code, out.splitlines()) == (0, ["Objectif rétabli.", f"{prefix}  Lire 30 mots"])
    code, out, err = banqo(capsys, "goals", "restore", goal["id"])
    assert code == 5 and "Rien à rétablir" in err


def test_an_unknown_id_or_nothing_to_change_says_so(signed_in, capsys):
    banqo(capsys, "goals", "add", "Lire 20 mots")
    code, out, err = banqo(capsys, "goals", "rm", "zz")
    assert (code, out, err) == (5, "", "Aucun objectif « zz » dans ma collection.\n")
    code, out, err = banqo(capsys, "goals", "edit", "0" * 32, "Texte")
    assert (code, err) == (5, f"Aucun objectif « {'0' * 32} » dans ma collection.\n")
    code, out, err = banqo(capsys, "goals", "edit", "zz")
    assert (code, err) == (2, "Rien à changer : donnez un nouveau texte, --domain ou --tag.\n")
    code, out, err = banqo(capsys, "goals", "edit", "zz", "--domain", "astro")
    assert code == 2 and err.startswith("Domaine inconnu : « @astro ».")


def test_login_reads_the_password_from_stdin_and_logout_forgets_the_session(
    signed_in, capsys, monkeypatch, memory_keyring
):
    banqo(capsys, "logout")
    assert not any(memory_keyring.entries.values())
    assert banqo(capsys, "summary")[0] == 3

    monkeypatch.setattr("sys.stdin", io.StringIO("une mauvaise phrase\n"))
    code, out, err = banqo(capsys, "login", "--email", "lea@example.org", "--password-stdin")
    assert (code, out, err) == (2, "", "Mot de passe : Courriel ou mot de passe incorrect.\n")
    monkeypatch.setattr("sys.stdin", io.StringIO("une phrase de passe\n"))
    code, out, err = banqo(capsys, "login", "--email", "lea@example.org", "--password-stdin")
    assert (code, err) == (0, "")
    assert out == "Connecté : Léa Roy (lea@example.org), serveur : BanqO sur cet ordinateur.\n"
    assert list(memory_keyring.entries.values()) == [memory_keyring.entries[("banqo", "lea@example.org@local")]]

    code, out, err = banqo(capsys, "summary")
    assert code == 0 and out.startswith("Bonjour, Léa Roy\nObjectifs dans ma collection : 0\n")
    code, out, err = banqo(capsys, "logout")
    assert (code, out) == (0, "Vous êtes déconnecté.\n")
    assert memory_keyring.entries == {}


def test_login_without_a_keyring_says_to_use_the_shell_and_asks_no_password(home, capsys, monkeypatch):
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr("sys.stdin", io.StringIO("une phrase de passe\n"))
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        code, out, err = banqo(capsys, "login", "--email", "lea@example.org", "--password-stdin")
    finally:
        keyring.set_keyring(previous)
    assert (code, out) == (3, "")
    assert err.startswith("Aucun trousseau de clés utilisable sur cet ordinateur") and "banqo shell" in err
