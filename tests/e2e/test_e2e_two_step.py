"""Two-step sign-in as a teacher would set it up: the real `banqo` in tmux at 80×24, over HTTP to `banqo-server`
under uvicorn. The secret is read off the screen, the code computed as a phone would, a recovery code used."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from banqo_server.services import totp

from .conftest import BIN
from .test_e2e_first_run import PASSWORD, sign_up

pytestmark = pytest.mark.e2e

RECOVERY_CODE = re.compile(r"\b[a-z0-9]{5}-[a-z0-9]{5}\b")


def secret_on_screen(screen: str) -> str:
    """The key shown beside the QR code (« Clé : ABCD EFGH … », wrapped under itself)."""
    lines = screen.splitlines()
    for index, line in enumerate(lines):
        if "Clé :" in line:
            column = line.index("Clé :")
            first = line[column + len("Clé :"):].split("█")[0]
            second = lines[index + 1][column:].split("█")[0] if index + 1 < len(lines) else ""
            return "".join(re.findall(r"\b[A-Z2-7]{4}\b", first + " " + second))
    raise AssertionError("no key on screen:\n" + screen)


def test_two_step_sign_in_set_up_and_used_in_a_real_terminal(api_server, base_env, terminal_factory):
    env = dict(base_env, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    terminal = terminal_factory(env)
    terminal.run(f"{BIN / 'banqo'} --server {api_server}")
    sign_up(terminal)
    terminal.wait_for("Votre résumé")

    terminal.send("F3")  # « Mes paramètres », the tab bar has the cursor
    terminal.wait_for("Mes paramètres")
    terminal.send("F8")  # « Sécurité »
    terminal.wait_for("Validation en deux étapes")
    terminal.wait_still()  # the pane has loaded and put the focus where it goes
    for _ in range(6):  # three password fields, their button, the devices, « Activer… »
        terminal.send("Tab")
    terminal.wait_for("État : désactivée")  # scrolled into view with the focused button
    terminal.send("Enter")
    screen = terminal.wait_for("Clé :")
    assert "▀" in screen and "▄" in screen  # the QR code is drawn
    secret = secret_on_screen(screen)
    assert len(secret) == 32, secret
    terminal.type(totp.code_at(secret, totp.step_at(datetime.now(UTC))))
    terminal.send("Enter")

    screen = terminal.wait_for("J'ai noté mes codes")
    codes = RECOVERY_CODE.findall(screen)
    assert len(set(codes)) == 10, screen
    terminal.send("Enter")
    terminal.wait_for("activée depuis")

    terminal.send("C-o")  # sign out
    terminal.wait_for("Mot de passe oublié?")
    terminal.type(PASSWORD)  # the email is filled in, the cursor is in the password
    terminal.send("Enter")
    screen = terminal.wait_for("Code de validation")
    assert "Entrez le code à 6 chiffres" in screen
    terminal.type("000000")
    terminal.send("Enter")
    terminal.wait_for("Erreur :")  # a wrong code is refused under the field
    terminal.send("C-u")  # empty the field
    # Ctrl+U runs once the key has bubbled up to the app: keys typed right after would go with it.
    terminal.wait_until_gone("000000")
    terminal.type(codes[0])
    terminal.send("Enter")
    screen = terminal.wait_for("Votre résumé")
    terminal.wait_for("Code de récupération utilisé")  # the résumé's activity says so
    assert "Traceback" not in screen
