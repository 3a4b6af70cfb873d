"""Real parts for the end-to-end tests: banqo-server under uvicorn on 127.0.0.1, a GNOME keyring daemon on
a private D-Bus session, and tmux as the user's 80×24 terminal."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture
def base_env(home: Path) -> dict[str, str]:
    """A user of their own: HOME, config, data and state folders under the test's temporary folder."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BANQO_", "TMUX", "DBUS"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_RUNTIME_DIR=str(home / "run"),
        TERM="xterm-256color",
        LANG="fr_CA.UTF-8",
        TEXTUAL_ANIMATIONS="none",
    )
    (home / "run").mkdir(mode=0o700)
    return env


@pytest.fixture
def api_server(tmp_path: Path, base_env: dict[str, str]) -> Iterator[str]:
    """`banqo-server` on 127.0.0.1, on a free port, with its own SQLite file; yields its URL."""
    port = _free_port()
    env = dict(base_env, BANQO_DATA_DIR=str(tmp_path / "server-data"))
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [str(BIN / "banqo-server"), "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError("banqo-server stopped:\n" + (tmp_path / "server.log").read_text())
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=1) as answer:
                return answer.status == 200
        except OSError:
            return False

    try:
        _wait(healthy, 30, "banqo-server to answer /api/v1/health")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def keyring_env(base_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """A real Secret Service: a private D-Bus session bus and an unlocked GNOME keyring daemon on it."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (./scripts/test installs it when run as root)")
    started = subprocess.run(
        ["dbus-daemon", "--session", "--fork", "--nopidfile", "--print-address=1", "--print-pid=1"],
        env=base_env, capture_output=True, text=True, timeout=20, check=True,
    )
    address, pid = started.stdout.split()[:2]
    env = dict(base_env, DBUS_SESSION_BUS_ADDRESS=address)
    keyring_pid = None
    try:
        unlocked = subprocess.run(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets", "--daemonize"],
            env=env, input="e2e-keyring-password", capture_output=True, text=True, timeout=20, check=True,
        )
        for line in unlocked.stdout.splitlines():
            key, _, value = line.partition("=")
            if key == "GNOME_KEYRING_CONTROL":
                env[key] = value
            elif key == "GNOME_KEYRING_PID":
                keyring_pid = int(value)
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.SecretService.Keyring"
        yield env
    finally:
        for process_id in (keyring_pid, int(pid)):
            if process_id:
                try:
                    os.kill(process_id, 15)
                except ProcessLookupError:
                    pass


class Terminal:
    """One tmux session of 80×24 on a private server socket: type keys, read the screen."""

    def __init__(self, socket_name: str, env: dict[str, str], config: Path) -> None:
        self.socket = socket_name
        self.env = env
        self.config = config
        self.started = False

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-L", self.socket, "-f", str(self.config), *args],
                              env=self.env, capture_output=True, text=True, timeout=20, check=check)

    def run(self, command: str) -> None:
        """Start `command` in the terminal (again, once the previous one has ended)."""
        if not self.started:
            self._tmux("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", command)
            self.started = True
        else:
            self._tmux("respawn-pane", "-k", "-t", "e2e", command)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "e2e").stdout

    def styled_screen(self) -> str:
        """The screen with its attributes and colours, as escape sequences (``capture-pane -e``)."""
        return self._tmux("capture-pane", "-p", "-e", "-t", "e2e").stdout

    def cursor(self) -> tuple[int, int, bool]:
        """Where the terminal's cursor is (column, row, from 0) and whether it is shown."""
        shown = self._tmux("display-message", "-p", "-t", "e2e", "#{cursor_x},#{cursor_y},#{cursor_flag}").stdout
        x, y, flag = shown.strip().split(",")
        return int(x), int(y), flag == "1"

    def wait_for(self, text: str, timeout: float = 30) -> str:
        last = {"screen": ""}

        def shown() -> str | None:
            last["screen"] = self.screen()
            return last["screen"] if text in last["screen"] else None

        try:
            return _wait(shown, timeout, repr(text), interval=0.2)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the screen shows:\n{last['screen']}") from None

    def wait_still(self, quiet: float = 0.6, timeout: float = 30) -> str:
        """The screen once it has not changed for ``quiet`` seconds (a screen still loading can move the focus)."""
        last = {"screen": self.screen(), "since": time.monotonic()}

        def still() -> str | None:
            screen = self.screen()
            if screen != last["screen"]:
                last["screen"], last["since"] = screen, time.monotonic()
                return None
            return screen if time.monotonic() - last["since"] >= quiet else None

        return _wait(still, timeout, "a still screen", interval=0.1)

    def wait_until_gone(self, text: str, timeout: float = 30) -> str:
        last = {"screen": ""}

        def gone() -> str | None:
            last["screen"] = self.screen()
            return last["screen"] if text not in last["screen"] else None

        try:
            return _wait(gone, timeout, f"{text!r} to go")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the screen shows:\n{last['screen']}") from None

    def pane_dead(self) -> bool:
        return self._tmux("display-message", "-p", "-t", "e2e", "#{pane_dead}").stdout.strip() == "1"

    def wait_exit(self, timeout: float = 15) -> None:
        _wait(self.pane_dead, timeout, "the program to end")

    def send(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "e2e", *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", "e2e", "-l", text)

    def close(self) -> None:
        self._tmux("kill-server", check=False)


@pytest.fixture
def terminal_factory(tmp_path: Path) -> Iterator:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (./scripts/test installs it when run as root)")
    config = tmp_path / "tmux.conf"
    config.write_text("set -g remain-on-exit on\nset -g status off\nset -sg escape-time 0\n")
    terminals: list[Terminal] = []

    def make(env: dict[str, str]) -> Terminal:
        terminal = Terminal(f"banqo-e2e-{os.getpid()}-{len(terminals)}", env, config)
        terminals.append(terminal)
        return terminal

    yield make
    for terminal in terminals:
        terminal.close()


def api(server: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    """One call to the API at ``server`` (its base address); its JSON answer."""
    headers = {"Content-Type": "application/json", "Accept-Language": "fr-CA"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{server}/api/v1{path}", data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"null")
