"""Hostile text in a real terminal: goals and a learner's first name holding terminal escape sequences (clear
the screen, rename the window, paint in red), some sent through the API and some written straight into the
server's database behind its back (an old row, another server), are shown as visible symbols by the real
`banqo` in tmux at 80×24: the screen, its colours and the window's title stay as they were."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import BIN, api
from .test_e2e_first_run import PASSWORD, sign_up

pytestmark = pytest.mark.e2e

CLEAR = "\x1b[2J"
TITLE = "\x1b]0;titre\x07"
RED = "\x1b[31m"
API_GOAL = f"Lire API {CLEAR}{TITLE} fin"
RAW_GOAL = f"Ecrire BRUT {CLEAR}{TITLE} fin"



def tmux(terminal, *args: str) -> str:
    done = subprocess.run(
        ["tmux", "-L", terminal.socket, "-f", str(terminal.config), *args],
        env=terminal.env,
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    return done.stdout


def pane_title(terminal) -> str:
    return tmux(terminal, "display-message", "-p", "-t", "e2e", "#{pane_title}").strip()


def test_escape_sequences_in_goals_and_names_show_as_symbols_and_leave_the_screen_intact(
    api_server, base_env, terminal_factory, tmp_path: Path
):
    env = dict(base_env, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    terminal = terminal_factory(env)
    terminal.run(f"{BIN / 'banqo'} --server {api_server}")
    sign_up(terminal)
    terminal.wait_for("Votre résumé")
    title_before = pane_title(terminal)

    # Through the API, from another device: the server stores the control characters as symbols.
    token = api(api_server, "POST", "/sessions", {"email": "camille@example.org", "password": PASSWORD})["token"]
    with pytest.raises(urllib.error.HTTPError) as refused:  # a first name is letters only: refused, with why
        api(api_server, "POST", "/learners", {"first_name": f"Zoé{RED}"}, token)
    assert refused.value.code == 422
    assert "lettres" in json.loads(refused.value.read())["errors"]["first_name"][0]
    zoe = api(api_server, "POST", "/learners", {"first_name": "Zoé"}, token)
    noe = api(api_server, "POST", "/learners", {"first_name": "Noé"}, token)
    stored = api(api_server, "POST", "/collection/goals", {"text": API_GOAL, "learner_ids": [zoe["id"]]}, token)
    assert stored["text"] == "Lire API ␛[2J␛]0;titre␇ fin"
    raw = api(api_server, "POST", "/collection/goals", {"text": "Ecrire BRUT", "learner_ids": [noe["id"]]}, token)
    # Behind the API's back: raw escape sequences in the database, as an old row or another server could hold.
    with sqlite3.connect(tmp_path / "server-data" / "banqo.sqlite3") as database:
        database.execute("UPDATE goals SET text = ? WHERE id = ?", (RAW_GOAL, raw["id"]))
        database.execute("UPDATE learners SET first_name = ? WHERE id = ?", (f"Noé{RED}", noe["id"]))
    # The API itself answers old rows with symbols; the client makes inert whatever any server sends.
    shown = api(api_server, "GET", f"/collection/goals/{raw['id']}", token=token)["text"]
    assert shown == "Ecrire BRUT ␛[2J␛]0;titre␇ fin"

    terminal.send("F5")
    screen = terminal.wait_for("Élèves : Noé␛[31m")  # the raw goal, highlighted first, in the detail pane
    assert "▸ Ecrire BRUT ␛[2J␛]0;titre␇ fin" in screen
    assert "Lire API ␛[2J␛]0;titre␇ fin" in screen
    intact(terminal, screen, title_before, top="Ma collection")

    terminal.send("Down")
    screen = terminal.wait_for("Élèves : Zoé ·")
    intact(terminal, screen, title_before, top="Ma collection")

    # A text pasted (bracketed paste, as a terminal does it) into the quick entry line: an 8-bit CSI (U+009B, which
    # a terminal may obey as ESC [), a bell, a backspace, and escape sequences — which Textual's parser alone would
    # turn into key presses (banqo_tui/paste_guard.py): the whole paste stays text, in the line.
    terminal.send("n")
    terminal.wait_for("Entrée : enregistrer")
    pasted = "Coller \u009b31mrouge\u009b2J\x07\x08 \x1b[2J\x1b]0;titre\x07fin\x1b"
    tmux(terminal, "set-buffer", "-b", "hostile", pasted)
    tmux(terminal, "paste-buffer", "-p", "-d", "-b", "hostile", "-t", "e2e")
    screen = terminal.wait_for("Coller \ufffd31mrouge\ufffd2J␇␈ ␛[2J␛]0;titre␇fin␛")
    intact(terminal, screen, title_before, top="Ma collection")
    terminal.send("C-u", "Escape")

    terminal.send("Up", "Enter")  # the raw goal in the edit form
    terminal.wait_for("Modifier l'objectif")
    screen = terminal.wait_still()  # the form's footer is drawn a moment after the form
    assert "␛[2J" in screen and "Enregistrer (Ctrl+S)" in screen
    intact(terminal, screen, title_before, top="Modifier l'objectif")


def intact(terminal, screen: str, title_before: str, *, top: str, bottom: str = "F1 Aide") -> None:
    """The whole screen is drawn (its title line and its last line), in the app's colours, under the same window
    title (``bottom``: what the last line that is not empty holds)."""
    lines = screen.split("\n")[:24]
    assert top in lines[0], screen
    assert bottom in [line for line in lines if line.strip()][-1], screen
    assert "Traceback" not in screen
    styled = terminal.styled_screen()
    assert not re.search(r"\x1b\[(?:0;)?31m", styled), styled  # no red from the text: only the app's colours
    assert pane_title(terminal) == title_before != "titre"
