"""Line mode as it is used: `banqo shell` typed in tmux (Tab completes, the session lasts the run without a
keyring, the history keeps no password), and `banqo` subcommands chained in `sh -c` like a script, over HTTP to
`banqo-server` under uvicorn, the session kept in a real keyring between commands."""

from __future__ import annotations

import json
import subprocess
import urllib.request

import pytest

from .conftest import BIN, _wait
from .test_e2e_first_run import PASSWORD

pytestmark = pytest.mark.e2e

EMAIL = "camille@example.org"


def create_account(server: str) -> None:
    body = {"email": EMAIL, "password": PASSWORD, "first_name": "Camille", "last_name": "Tremblay"}
    request = urllib.request.Request(
        f"{server}/api/v1/accounts", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201


def test_the_shell_completes_with_tab_and_keeps_a_login_without_keyring(
    api_server, base_env, terminal_factory, home
):
    create_account(api_server)
    env = dict(base_env, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    terminal = terminal_factory(env)
    terminal.run(f"{BIN / 'banqo'} --server {api_server} shell")
    terminal.wait_for("banqo>")  # capture-pane drops the trailing space
    terminal.type(f"login --email {EMAIL}")
    terminal.send("Enter")
    terminal.wait_for("Mot de passe :")
    terminal.type(PASSWORD)  # not echoed, not kept
    terminal.send("Enter")
    terminal.wait_for("fermeture du shell")  # no keyring: the session lasts this run

    terminal.type("goals add L'élève lit 20 mots #fluidité")  # an apostrophe needs no quoting
    terminal.send("Enter")
    terminal.wait_for("  L'élève lit 20 mots  [#fluidité]")
    terminal.type("go")
    terminal.send("Tab")
    terminal.wait_for("banqo> goals")
    terminal.type("se")  # right after the space the completion added
    terminal.send("Tab")
    terminal.wait_for("banqo> goals search")
    terminal.type("eleve")
    terminal.wait_for("banqo> goals search eleve")
    terminal.send("Enter")
    found = "  L'élève lit 20 mots  [#fluidité]"
    screen = _wait(lambda: (shown := terminal.screen()).count(found) == 2 and shown, 30, "the goal found")
    assert PASSWORD not in screen and "Traceback" not in screen

    terminal.type("quit")
    terminal.send("Enter")
    terminal.wait_exit()
    history = (home / ".local/state/banqo/shell_history").read_text(encoding="utf-8")
    assert "goals search eleve" in history and f"login --email {EMAIL}" in history
    assert PASSWORD not in history


def test_commands_chained_in_a_script_keep_the_session_and_say_what_failed(api_server, keyring_env, tmp_path):
    create_account(api_server)
    env = dict(keyring_env, BANQO_SERVER=api_server, PASSWORD=PASSWORD)
    banqo = BIN / "banqo"

    def sh(script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["sh", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True,
                              timeout=60)

    signed_out = sh(f"{banqo} goals list")
    assert (signed_out.returncode, signed_out.stdout) == (3, "")
    assert "banqo login" in signed_out.stderr

    done = sh(
        f'printf "%s\\n" "$PASSWORD" | {banqo} login --email {EMAIL} --password-stdin'
        f' && {banqo} goals add "L\'élève lit 20 mots #fluidité"'
        f" && {banqo} goals search eleve"
    )
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    assert lines[0] == f"Connecté : Camille Tremblay ({EMAIL}), serveur : {api_server}."
    assert lines[1] == lines[2] and lines[1].endswith("  L'élève lit 20 mots  [#fluidité]")  # added, then found

    invalid = sh(f'{banqo} goals add "#seulement-une-etiquette"')
    assert (invalid.returncode, invalid.stdout, invalid.stderr) == (2, "", "Écrivez l'objectif.\n")
    unknown = sh(f"{banqo} goals rm zzzz")
    assert (unknown.returncode, unknown.stderr) == (5, "Aucun objectif « zzzz » dans ma collection.\n")
