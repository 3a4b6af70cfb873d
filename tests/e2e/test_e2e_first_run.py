"""A teacher's first runs, as a person would do them: the real `banqo` in tmux at 80×24, talking over HTTP
to `banqo-server` under uvicorn on 127.0.0.1, with a real keyring daemon (or none)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import BIN

pytestmark = pytest.mark.e2e

PASSWORD = "des galets sur la plage"


def sign_up(terminal) -> None:
    terminal.wait_for("Se connecter")
    terminal.send("F6")  # « Créer un compte », typed straight after: nothing may land in the other form
    terminal.type("Camille")
    terminal.send("Tab")
    terminal.type("Tremblay")
    terminal.send("Tab")
    terminal.type("camille@example.org")
    terminal.send("Tab")
    terminal.type(PASSWORD)
    terminal.send("Enter")


def read_keyring(env: dict[str, str], server_url: str) -> str | None:
    code = (
        "import keyring, sys; "
        f"print(keyring.get_password('banqo', 'camille@example.org@{server_url}') or '')"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    return out.stdout.strip() or None


def test_sign_up_then_the_next_run_signs_in_from_the_keyring(api_server, keyring_env, terminal_factory,
                                                             tmp_path: Path):
    terminal = terminal_factory(keyring_env)
    command = f"{BIN / 'banqo'} --server {api_server}"
    terminal.run(command)
    sign_up(terminal)
    screen = terminal.wait_for("Votre résumé")
    terminal.wait_for("Camille Tremblay")
    assert "Traceback" not in screen

    terminal.send("C-q")
    terminal.wait_exit()

    token = read_keyring(keyring_env, api_server)
    assert token, "the token should be in the keyring"
    for path in tmp_path.rglob("*"):  # the server's database, the state folder, the keyring's own files…
        if path.is_file():
            assert token.encode() not in path.read_bytes(), f"token in clear in {path}"

    terminal.run(command)  # the next run: no password typed
    screen = terminal.wait_for("Camille Tremblay")
    assert "Votre résumé" in screen

    terminal.send("C-o")  # sign out, from the résumé
    terminal.wait_for("Se connecter")
    assert read_keyring(keyring_env, api_server) is None


def test_without_a_keyring_the_user_is_told_and_asked_again_next_time(api_server, base_env, terminal_factory):
    env = dict(base_env, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    terminal = terminal_factory(env)
    command = f"{BIN / 'banqo'} --server {api_server}"
    terminal.run(command)
    sign_up(terminal)
    terminal.wait_for("Votre résumé")
    terminal.wait_for("trousseau")
    terminal.send("C-q")
    terminal.wait_exit()

    terminal.run(command)
    screen = terminal.wait_for("Se connecter")
    terminal.wait_for("camille@example.org")  # the email is remembered, the password is asked again
    assert "Votre résumé" not in screen
