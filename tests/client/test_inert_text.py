"""Inert text on the client's side: control characters become visible symbols in every text the client parses
from any server (even one that sends raw escape sequences), in every wire model it builds and in what line mode
prints; a huge file is never read whole. What is pasted into the app is checked in a real terminal
(tests/e2e/test_e2e_hostile_text.py)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from banqo_tui import cli
from banqo_tui.api.client import BanqoClient
from banqo_tui.api.models import Goal, GoalCreate, Problem, SignIn
from banqo_tui.config import Config
from banqo_tui.connection import Connection
from banqo_tui.credentials import CredentialStore
from banqo_tui.inert import inert, inert_value

CLEAR_AND_TITLE = "Lire \x1b[2J\x1b]0;titre\x07 fin"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J", "␛[2J"),
        ("\x1b]0;titre\x07", "␛]0;titre␇"),
        ("a\x00b\x08c\x0bd\x0ce\x7f", "a␀b␈c␋d␌e␡"),
        ("\x9b31m \x85 \x80", "\ufffd31m \ufffd \ufffd"),  # C1: CSI, NEL
        ("x\ud800y\udfffz", "x\ufffdy\ufffdz"),  # lone surrogates
        ("ligne 1\r\nligne 2\rligne 3\n\tfin", "ligne 1\nligne 2\nligne 3\n\tfin"),
        ("L’élève lit « 80 % » 🙂 ␛", "L’élève lit « 80 % » 🙂 ␛"),  # visible text, symbols included, unchanged
    ],
)
def test_control_characters_become_visible_symbols(raw, shown):
    assert inert(raw) == shown
    assert inert(shown) == shown  # applying it again changes nothing


def test_every_control_character_has_a_visible_one_of_its_own_and_keeps_the_length():
    controls = "".join(chr(code) for code in [*range(0x20), 0x7F] if chr(code) not in "\t\n\r")
    shown = inert(controls)
    assert len(shown) == len(controls)
    assert len(set(shown)) == len(controls)
    assert all(character.isprintable() for character in shown)


def test_texts_inside_lists_and_mappings_too():
    assert inert_value({"a\x1b": ["b\x07", ("c\x00",)], "n": 3}) == {"a␛": ["b␇", ("c␀",)], "n": 3}


def test_wire_models_make_their_texts_inert_but_not_passwords():
    goal = GoalCreate(text=CLEAR_AND_TITLE, tags=["x\x1by"], condition="\x9bz")
    assert (goal.text, goal.tags, goal.condition) == ("Lire ␛[2J␛]0;titre␇ fin", ["x␛y"], "\ufffdz")
    sign_in = SignIn(email="camille@example.org\x1b", password="phrase\x1bde passe")
    assert sign_in.email == "camille@example.org␛"
    assert sign_in.password == "phrase\x1bde passe"  # hashed, never shown: kept exactly as typed
    answer = {"title": "t\x1b[31m", "status": 422, "errors": {"x\x1b": ["m\x07"]}}
    problem = Problem.model_validate_json(json.dumps(answer))
    assert (problem.title, problem.errors) == ("t␛[31m", {"x␛": ["m␇"]})


class _RawServer(BaseHTTPRequestHandler):
    """Another server, which sends its goals' escape sequences as they are (JSON escapes, as JSON must)."""

    def do_GET(self) -> None:  # noqa: N802
        goal = {
            "id": "g1",
            "text": CLEAR_AND_TITLE,
            "language": "fr",
            "tags": ["\x1b[31mrouge"],
            "version": 1,
            "created_at": "2026-09-01T12:00:00Z",
            "updated_at": "2026-09-01T12:00:00Z",
        }
        body = json.dumps({"items": [goal], "next_cursor": None}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def raw_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RawServer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


async def test_what_any_server_sends_is_made_inert_by_the_client(raw_server):
    async with BanqoClient(raw_server, retries=0) as api:
        goals = await api.collection.list()
    goal = goals[0]
    assert isinstance(goal, Goal)
    assert goal.text == "Lire ␛[2J␛]0;titre␇ fin"
    assert goal.tags == ["␛[31mrouge"]


@pytest.fixture
def signed_in(tmp_path, monkeypatch, memory_keyring):
    """Line mode on the embedded server, a teacher signed in (as tests/client/test_line_mode.py does)."""
    monkeypatch.setenv("BANQO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BANQO_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("BANQO_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("BANQO_SERVER", raising=False)
    monkeypatch.delenv("BANQO_DATABASE_URL", raising=False)

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
    return tmp_path


def banqo(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["--lang", "fr", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_line_mode_prints_symbols_and_refuses_a_huge_file_without_reading_it(signed_in, capsys):
    code, out, err = banqo(capsys, "goals", "add", "Lire \x1b[2J\x1b]0;titre\x07 fin")
    assert code == 0, err
    code, out, err = banqo(capsys, "goals", "list")
    assert "Lire ␛[2J␛]0;titre␇ fin" in out
    assert "\x1b" not in out + err and "\x07" not in out + err
    # A 5 GB sparse file: refused from its first 5 MB, at once, without reading (or holding) the rest.
    huge = signed_in / "collection.json"
    with huge.open("wb") as file:
        file.truncate(5 * 1024**3)
    started = time.perf_counter()
    code, out, err = banqo(capsys, "goals", "import", str(huge))
    assert time.perf_counter() - started < 5
    assert code != 0
    assert "dépasse la taille permise (5 Mo) : ce n'est pas un fichier d'échange BanqO." in err
