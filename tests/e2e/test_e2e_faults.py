"""The server killed in the middle of a save: the real `banqo` in tmux (80×24) talks to `banqo-server` under
uvicorn through a small TCP proxy of the test's own. The proxy forwards the save, and when the server's answer
starts (the save is committed) it kills uvicorn with SIGKILL and drops the connection without passing the answer
on: the TUI never hears back. The TUI keeps what was typed and says the server is unreachable; uvicorn starts
again on the same database and port; the save is sent again (by the outbox for a goal, by the teacher pressing
Enter for a learner) and the server then holds it exactly once. Also the plain case: the server already gone
before the request reaches it."""

from __future__ import annotations

import select
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import BIN, _free_port, _wait, api
from .test_e2e_first_run import PASSWORD, sign_up

pytestmark = pytest.mark.e2e

PROXY_LIFETIME = 180.0  # seconds: no thread of the proxy outlives a test


class Server:
    """`banqo-server` under uvicorn on a fixed port and data folder, that the test kills and starts again."""

    def __init__(self, data_dir: Path, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(env, BANQO_DATA_DIR=str(data_dir))
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "banqo-server"), "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        process = self.process

        def healthy() -> bool:
            if process.poll() is not None:
                raise AssertionError("banqo-server stopped:\n" + self.log.read_text())
            try:
                with urllib.request.urlopen(self.url + "/api/v1/health", timeout=1) as answer:
                    return answer.status == 200
            except OSError:
                return False

        _wait(healthy, 30, "banqo-server to answer /api/v1/health")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, as when the machine loses power."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class CuttingProxy:
    """Forwards TCP between the TUI and the server on 127.0.0.1. Armed with ``cut(request_start, action)``, the
    connection that sends a request beginning with ``request_start`` is cut as soon as the server's answer to it
    starts: ``action`` runs (it kills the server), and the TUI's connection is reset without a byte of the answer."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.deadline = time.monotonic() + PROXY_LIFETIME
        self.stopping = threading.Event()
        self.cut_done = threading.Event()
        self._lock = threading.Lock()
        self._cut: tuple[bytes, Callable[[], None]] | None = None
        self._threads: list[threading.Thread] = []
        self._start(self._accept)

    def cut(self, request_start: bytes, action: Callable[[], None]) -> None:
        with self._lock:
            self._cut = (request_start, action)
            self.cut_done.clear()

    def close(self) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self.listener.close()

    def _running(self) -> bool:
        return not self.stopping.is_set() and time.monotonic() < self.deadline

    def _start(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while self._running():
            try:
                client, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._start(self._pipe, client)

    def _pipe(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=2)
        except OSError:  # the server is down: the TUI sees the connection closed at once
            _reset(client)
            return
        armed: Callable[[], None] | None = None
        try:
            while self._running():
                readable, _, _ = select.select([client, upstream], [], [], 0.2)
                for sock in readable:
                    data = sock.recv(65536)
                    if sock is client:
                        if not data:
                            return
                        with self._lock:
                            if self._cut is not None and data.startswith(self._cut[0]):
                                armed, self._cut = self._cut[1], None
                        upstream.sendall(data)
                    else:
                        if data and armed is not None:  # the answer starts: the save is committed
                            armed()
                            _reset(client)
                            self.cut_done.set()
                            return
                        if not data:
                            return
                        client.sendall(data)
        except OSError:
            return
        finally:
            client.close()
            upstream.close()


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset, as a dead peer's kernel answers."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    finally:
        sock.close()



@pytest.fixture
def world(tmp_path: Path, base_env: dict[str, str], terminal_factory: Any) -> Iterator[Any]:
    """The server, the proxy in front of it, and the TUI signed up through the proxy, on « Votre résumé »."""
    server = Server(tmp_path / "server-data", base_env, tmp_path / "server.log")
    server.start()
    proxy = CuttingProxy(server.port)
    env = dict(base_env, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    terminal = terminal_factory(env)
    try:
        terminal.run(f"{BIN / 'banqo'} --server {proxy.url}")
        sign_up(terminal)
        terminal.wait_for("Votre résumé")
        yield server, proxy, terminal
    finally:
        proxy.close()
        server.stop()


def signed_in(server: Server) -> str:
    """A session of the teacher's own, straight to the server (not through the proxy)."""
    body = {"email": "camille@example.org", "password": PASSWORD, "device": "Vérification"}
    return api(server.url, "POST", "/sessions", body)["token"]


def test_a_goal_and_a_learner_saved_as_the_server_dies_are_kept_and_saved_once_when_it_is_back(world):
    server, proxy, terminal = world
    terminal.send("F5")
    terminal.wait_for("Nouvel objectif")
    terminal.send("n")

    # Killed while answering: the goal is in the database, the TUI never heard so.
    proxy.cut(b"POST /api/v1/collection/goals", server.kill)
    terminal.type("Lire dix mots en une minute #rentree")
    terminal.send("Enter")
    assert proxy.cut_done.wait(30), "the save never reached the server"
    screen = terminal.wait_for("1 objectif en attente d'envoi")
    assert "injoignable" in screen or "ne répond pas" in screen
    server.start()
    terminal.wait_until_gone("en attente d'envoi")

    # Killed before: the request never reaches the server.
    server.kill()
    terminal.type("Compter jusqu'à cent par bonds de dix #rentree")
    terminal.send("Enter")
    screen = terminal.wait_for("1 objectif en attente d'envoi")
    assert "Traceback" not in screen
    server.start()
    screen = terminal.wait_until_gone("en attente d'envoi")
    assert "Traceback" not in screen

    goals = api(server.url, "GET", "/collection/goals?limit=200", token=signed_in(server))["items"]
    assert sorted(goal["text"] for goal in goals) == [
        "Compter jusqu'à cent par bonds de dix",
        "Lire dix mots en une minute",
    ]

    # A learner (one test with the goals: starting the server and signing up is most of the time).
    terminal.send("Escape", "F6")
    terminal.wait_for("Prénom seulement")
    terminal.send("n")
    terminal.wait_for("Nouveau prénom")
    terminal.wait_until_gone("injoignable")  # the notices of the goals have gone

    proxy.cut(b"POST /api/v1/learners", server.kill)
    terminal.type("Noah")
    terminal.wait_for("Noah")
    terminal.send("Enter")
    assert proxy.cut_done.wait(30), "the save never reached the server"
    screen = terminal.wait_for("injoignable")
    assert "Nouveau prénom" in screen  # the field still open (the notice covers the name typed in it)

    server.start()
    terminal.send("Enter")  # saves what the field kept, with the same key: the learner the first attempt added
    screen = terminal.wait_for("Noah fait maintenant partie de vos élèves.")
    assert "Noah 2" not in screen

    learners = api(server.url, "GET", "/learners", token=signed_in(server))["items"]
    assert [learner["first_name"] for learner in learners] == ["Noah"]
