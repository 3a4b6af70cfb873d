"""Bytes a terminal receives for a fixed journey of key presses in « Ma collection », beside vim's for the same.

    python bench/bandwidth.py [--goals 40] [--moves 30] [--term xterm-256color] [--dump 1]

What a slow SSH link pays is the bytes the program writes to its terminal. Both programs run in a pseudo-terminal
of 80×24, in a home of their own, over the same list of goals (French texts made here, deterministic):

- banqo, on the demo account (``--demo``, the embedded server: no port opened) whose collection is replaced,
  through the API, by those goals; F5 opens « Ma collection », the goal list has the focus;
- vim (``-u NONE -N``, ``cursorline nowrap scrolloff=0``) on a file holding the same texts in the same order, its
  window as tall as banqo's goal list, so that the same keys make the same screen changes: the highlighted row
  moves, then the rows scroll.

The journey is ↓ × moves then ↑ × moves (j/k for vim), each key sent once the program's output has been quiet for
``--quiet-ms``. The figure is the bytes written during the journey, in total and per key; then the ratio banqo / vim.
banqo runs again in its mode for screen readers (``--accessible``) when it accepts that flag. ``--dump N`` prints
the bytes of the N-th key press of each program, escaped, and where they went (screen rows, escape sequences).
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import pty
import random
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from fcntl import ioctl
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS, LINES = 80, 24
TERMS = ("xterm", "xterm-256color", "truecolor")

ACTIONS = [
    "Lire à voix haute un texte de 100 mots",
    "Écrire une phrase complète avec une majuscule",
    "Compter par bonds de 5 jusqu'à 100",
    "Nommer trois émotions vécues en classe",
    "Demander de l'aide en levant la main",
    "Ranger son matériel à la fin d'une tâche",
    "Résoudre un problème à deux étapes",
    "Attendre son tour dans une discussion",
    "Suivre une consigne à deux étapes",
    "Présenter un objet à la classe",
]
CRITERIA = ["3 fois sur 4", "en 2 minutes", "sans aide", "avec un pictogramme"]

#: Writes into the demo database, through the app's own client: the collection becomes ``texts``, shown in that
#: order (« Ma collection » shows the newest first). Prints the account's name and the texts as the server keeps them.
PREPARE = """
import asyncio, json, sys
from pathlib import Path
from banqo_tui import i18n
from banqo_tui.config import Config
from banqo_tui.connection import Connection

async def prepare(data_dir, texts):
    connection = Connection(Config(demo=True, data_dir=Path(data_dir)))
    try:
        client = await connection.client()
        client.token = await connection.demo_token()
        for goal in await client.collection.list():
            await client.collection.delete(goal.id, goal.version)
        for text in reversed(texts):
            await client.collection.create(text)
        me = await client.me.summary()
        goals = await client.collection.list()
        print(json.dumps({"name": me.first_name, "texts": [goal.text for goal in reversed(goals)]}))
    finally:
        await connection.aclose()

i18n.setup("fr")
asyncio.run(prepare(sys.argv[1], json.loads(sys.stdin.read())))
"""

# What the keys send (xterm, normal cursor mode; Textual reads both this and the application mode's ESC O B).
DOWN, UP, F5, CTRL_Q = b"\x1b[B", b"\x1b[A", b"\x1b[15~", b"\x11"

CSI = re.compile(rb"\x1b\[([0-?]*)[ -/]*([@-~])")
OTHER_ESCAPE = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()#][0-9A-Za-z]|\x1bO.|\x1b.", re.DOTALL)


class BenchError(Exception):
    """A program did not reach the expected state in time: the message says which and what it showed."""


def goal_texts(count: int) -> list[str]:
    """``count`` distinct one-line goals, the same at every run."""
    combos = [f"{action}, {criterion}" for action in ACTIONS for criterion in CRITERIA]
    random.Random(20261127).shuffle(combos)
    return [combos[i % len(combos)] + (f" ({i // len(combos) + 1})" if i >= len(combos) else "")
            for i in range(count)]


def isolated_env(home: Path, term: str, ssh: bool) -> dict[str, str]:
    """A user of their own (HOME, XDG folders, BanqO's folders and config), on the terminal type chosen."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("BANQO_", "TEXTUAL_", "XDG_", "SSH_", "TMUX", "DBUS", "COLORTERM", "NO_COLOR"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        BANQO_DATA_DIR=str(home / "data"),
        BANQO_STATE_DIR=str(home / "state"),
        BANQO_CONFIG=str(home / "config.toml"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        LANG="fr_CA.UTF-8",
        TERM="xterm-256color" if term == "truecolor" else term,
    )
    if term == "truecolor":
        env["COLORTERM"] = "truecolor"
    if ssh:  # what banqo sees over SSH (it lowers its frame rate then); vim does not care
        env["SSH_CONNECTION"] = "127.0.0.1 50000 127.0.0.1 22"
    return env


class Deadline:
    """The whole run's time limit: every wait is bounded by its own timeout and by this."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise BenchError("the run took longer than --timeout")
        return left


class Pty:
    """A program in an 80×24 pseudo-terminal: send keys, read everything it writes."""

    def __init__(self, argv: list[str], env: dict[str, str], deadline: Deadline) -> None:
        self.deadline = deadline
        self.output = bytearray()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal before the program reads it, then become the program
            try:
                ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.closed = False

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def read(self, seconds: float) -> bytes:
        """What the program writes within ``seconds`` (less if it ends), within the run's time limit."""
        return self._read(min(seconds, self.deadline.left()))

    def _read(self, seconds: float) -> bytes:
        chunk = bytearray()
        end = time.monotonic() + seconds
        while not self.closed and (wait := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                break
            try:
                data = os.read(self.fd, 65536)
            except OSError as exc:  # EIO: the program ended and closed the terminal
                if exc.errno != errno.EIO:
                    raise
                data = b""
            if not data:
                self.closed = True
                break
            chunk += data
        self.output += chunk
        return bytes(chunk)

    def until_quiet(self, quiet: float, bound: float) -> bytes:
        """Read until nothing came for ``quiet`` seconds (at most ``bound`` seconds in all)."""
        chunk = bytearray()
        end = time.monotonic() + bound
        while not self.closed and time.monotonic() < end:
            data = self.read(min(quiet, max(0.0, end - time.monotonic())))
            if not data:
                break
            chunk += data
        return bytes(chunk)

    def until_shown(self, text: str, bound: float, since: int = 0) -> None:
        """Read until ``text`` has been written (after byte ``since`` of the output)."""
        wanted = text.encode()
        end = time.monotonic() + bound
        while wanted not in self.output[since:]:
            if self.closed or time.monotonic() >= end:
                shown = self.output[-1500:].decode("utf-8", "replace")
                raise BenchError(f"{text!r} never shown; the last bytes written were:\n{shown!r}")
            self.read(0.1)

    def close(self, quit_keys: bytes) -> None:
        """Ask the program to quit, then end it (and its process group) if it has not within 5 s."""
        if not self.closed:
            try:
                self.send(quit_keys)
            except OSError:
                pass
        end = time.monotonic() + 5
        while time.monotonic() < end:
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                break
            if not self.closed:
                self._read(0.1)  # past the time limit too: this is how the program gets ended
            else:
                time.sleep(0.05)
        else:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@dataclass
class Run:
    """One program's journey: the bytes written after each key."""

    label: str
    keys: list[bytes] = field(default_factory=list)
    idle: int = 0  # bytes written during a quiet second before the journey (a timer, a blinking cursor)
    #: The screen rows of the goal list, when the program shows more than the list (banqo's detail pane).
    list_rows: frozenset[int] = frozenset()

    @property
    def total(self) -> int:
        return sum(len(chunk) for chunk in self.keys)

    @property
    def list_total(self) -> int:
        """The bytes written on the list's rows only (the cursor's moves to them included)."""
        return sum(size for chunk in self.keys for row, (size, _text) in by_row(chunk).items()
                   if row in self.list_rows)


def journey(program: Pty, down: bytes, up: bytes, args: argparse.Namespace) -> list[bytes]:
    """↓ × moves then ↑ × moves, each key once the output has been quiet for ``--quiet-ms`` (or every
    ``--interval-ms``, as a held key repeats); the bytes that followed each."""
    written = []
    for key in [down] * args.moves + [up] * args.moves:
        program.send(key)
        if args.interval_ms:
            written.append(program.read(args.interval_ms / 1000))
        else:
            written.append(program.until_quiet(args.quiet_ms / 1000, bound=5.0))
    if written:  # what comes late after the last key still belongs to the journey
        written[-1] += program.until_quiet(0.5, bound=5.0)
    return written


def prepare_banqo(env: dict[str, str], texts: list[str], deadline: Deadline) -> tuple[str, list[str]]:
    """The demo account holding exactly ``texts``; its first name and the texts as stored, in the list's order."""
    done = subprocess.run([sys.executable, "-c", PREPARE, env["BANQO_DATA_DIR"]], env=env, cwd=ROOT,
                          input=json.dumps(texts), capture_output=True, text=True, timeout=min(120, deadline.left()))
    if done.returncode != 0:
        raise BenchError(f"preparing the demo account failed:\n{done.stderr[-3000:]}")
    answer = json.loads(done.stdout)
    return answer["name"], answer["texts"]


def accessible_argument(env: dict[str, str]) -> tuple[list[str], dict[str, str]] | None:
    """How to start banqo in its mode for screen readers: the flag, else the variable, else None."""
    shown = subprocess.run([sys.executable, "-m", "banqo_tui.cli", "--help"], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=60).stdout
    if "--accessible" in shown:
        return ["--accessible"], {}
    if "BANQO_ACCESSIBLE" in shown:
        return [], {"BANQO_ACCESSIBLE": "1"}
    return None


def run_banqo(label: str, env: dict[str, str], extra: list[str], name: str, texts: list[str],
              args: argparse.Namespace, deadline: Deadline) -> tuple[Run, int]:
    """banqo on the demo account: « Ma collection », then the journey. Also the rows its goal list shows."""
    program = Pty([sys.executable, "-m", "banqo_tui.cli", "--demo", "--lang", "fr", *extra], env, deadline)
    try:
        program.until_shown(name, bound=60)  # « Votre résumé » greets the demo account
        program.until_quiet(0.5, bound=10)
        opened = len(program.output)
        program.send(F5)
        program.until_shown(texts[0], bound=30, since=opened)
        program.until_quiet(0.5, bound=10)
        rows = list_rows(bytes(program.output[opened:]), texts)
        run = Run(label, idle=len(program.read(1.0)), list_rows=rows)
        run.keys = journey(program, DOWN, UP, args)
        return run, len(rows)
    finally:
        program.close(CTRL_Q)


def list_rows(screen: bytes, texts: list[str]) -> frozenset[int]:
    """The rows showing a goal in the list: those where a goal's text is written, but the detail pane's (the
    second row that shows the first goal, highlighted)."""
    shown = {}
    for row, (_size, text) in by_row(screen).items():
        found = [goal for goal in texts if goal in text]
        if found:  # the longest: « … sans aide » is also in « … sans aide (2) »
            shown[row] = max(found, key=len)
    first = [row for row, goal in shown.items() if goal == texts[0]]
    return frozenset(shown) - frozenset(first[1:])


#: vim in BanqO's colours for its goal list (the rows' background and text, the highlighted row bold on the
#: highlight colour), so that a move changes the screen as it does in BanqO: per terminal type.
VIM_COLOURS = {
    "xterm": "hi Normal ctermfg=15 ctermbg=0 | hi CursorLine cterm=bold ctermfg=15 ctermbg=4",
    "xterm-256color": "hi Normal ctermfg=195 ctermbg=17 | hi CursorLine cterm=bold ctermfg=195 ctermbg=24",
    "truecolor": "set termguicolors | hi Normal guifg=#E8ECF1 guibg=#1A2532 | hi CursorLine gui=bold guibg=#2F5F93",
}


def run_vim(env: dict[str, str], texts: list[str], rows: int, args: argparse.Namespace, home: Path,
            deadline: Deadline, colours: str = "") -> Run:
    """vim on the same texts, its window ``rows`` lines tall (an empty window below takes the rest); in
    ``colours`` (a vim command) when given."""
    path = home / "objectifs.txt"
    path.write_text("".join(text + "\n" for text in texts), encoding="utf-8")
    layout = ["-c", "belowright new", "-c", "wincmd k", "-c", f"resize {rows}"] if rows <= LINES - 4 else []
    program = Pty(["vim", "-u", "NONE", "-N", "-i", "NONE", "-n", "--cmd", "set encoding=utf-8",
                   "-c", "set cursorline nowrap scrolloff=0", *(["-c", colours] if colours else []),
                   *layout, str(path)], env, deadline)
    try:
        program.until_shown(texts[0], bound=30)
        program.until_quiet(0.5, bound=10)
        run = Run("vim in BanqO's colours" if colours else "vim", idle=len(program.read(1.0)))
        run.keys = journey(program, b"j", b"k", args)
        return run
    finally:
        program.close(b"\x1b:qa!\r")


def run_htop(env: dict[str, str], args: argparse.Namespace, deadline: Deadline) -> Run:
    """htop's process list, the same arrows (its meters refresh on their own: a rough peer only)."""
    program = Pty(["htop", "--delay=100"], env, deadline)
    try:
        program.until_quiet(1.0, bound=20)
        run = Run("htop", idle=len(program.read(1.0)))
        run.keys = journey(program, DOWN, UP, args)
        return run
    finally:
        program.close(b"q")


# --- where the bytes go -----------------------------------------------------------------------------------


def tokens(data: bytes) -> Iterator[tuple[str, bytes]]:
    """The output cut into (kind, bytes): ``sgr`` (colours and styles), ``move`` (cursor positioning),
    ``control`` (any other escape sequence or control character) and ``text``."""
    at = 0
    while at < len(data):
        if data[at] == 0x1B:
            match = CSI.match(data, at) or OTHER_ESCAPE.match(data, at)
            end = match.end() if match else at + 1
            piece = data[at:end]
            final = piece[-1:]
            if piece.startswith(b"\x1b[") and final == b"m":
                yield "sgr", piece
            elif piece.startswith(b"\x1b[") and final in b"HfABCDGde" and b"?" not in piece:
                yield "move", piece
            else:
                yield "control", piece
            at = end
        elif data[at] < 0x20 or data[at] == 0x7F:
            yield ("move" if data[at] in b"\r\n\b" else "control"), data[at:at + 1]
            at += 1
        else:
            end = at
            while end < len(data) and data[end] != 0x1B and (data[end] >= 0x20 and data[end] != 0x7F):
                end += 1
            yield "text", data[at:end]
            at = end


def by_row(data: bytes) -> dict[int, tuple[int, str]]:
    """Bytes written while the cursor was on each screen row (1-based), and the text written there."""
    row = 1
    sizes: Counter[int] = Counter()
    texts: dict[int, str] = {}
    for kind, piece in tokens(data):
        if kind == "move" and piece.startswith(b"\x1b["):
            parameters = CSI.match(piece).group(1).decode()  # type: ignore[union-attr]
            numbers = [int(number) if number else 1 for number in parameters.split(";")] if parameters else [1]
            final = piece[-1:]
            if final in b"Hfd":
                row = numbers[0]
            elif final in b"Be":
                row += numbers[0]
            elif final == b"A":
                row -= numbers[0]
        sizes[row] += len(piece)
        if piece == b"\n":
            row += 1
        if kind == "text":
            texts[row] = texts.get(row, "") + piece.decode("utf-8", "replace")
    return {line: (sizes[line], texts.get(line, "")) for line in sorted(sizes)}


def escaped(data: bytes) -> list[str]:
    """The bytes readable: ESC as ``\\e``, other controls in hex; a new line at each cursor positioning."""
    text = data.decode("utf-8", "replace")
    shown = "".join("\\e" if c == "\x1b" else f"\\x{ord(c):02x}" if ord(c) < 0x20 or ord(c) == 0x7F else c
                    for c in text)
    return [part for part in re.split(r"(?=\\e\[\d*;?\d*H)", shown) if part]


def describe(run: Run, key: int) -> None:
    """The N-th key's bytes and where they went, then the kinds of bytes over the whole journey."""
    data = run.keys[key - 1]
    print(f"\n== {run.label}: key {key} of {len(run.keys)}, {len(data)} bytes ==")
    for part in escaped(data):
        print("    " + part)
    print(f"-- {run.label}: key {key}, bytes by screen row (row: bytes, text written) --")
    for line, (size, text) in by_row(data).items():
        print(f"   {line:>3}: {size:>5}  {text.strip()[:60]!r}")
    kinds: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    rows = 0
    for chunk in run.keys:
        for kind, piece in tokens(chunk):
            kinds[kind] += len(piece)
            counts[kind] += 1
        rows += sum(1 for _line, (_size, text) in by_row(chunk).items() if text)
    print(f"-- {run.label}: the whole journey by kind (bytes, sequences) --")
    for kind in ("text", "sgr", "move", "control"):
        print(f"   {kind:<8} {kinds[kind]:>7} bytes  {counts[kind]:>6} pieces")
    print(f"   rows written per key: {rows / max(1, len(run.keys)):.1f}")


# --- the run ----------------------------------------------------------------------------------------------------


def line(label: str, total: int, keys: int, idle: int = 0) -> str:
    """One program's figure: ``banqo   213313 bytes for 60 keys (3,555 per key)``."""
    quiet = f", and {idle} bytes during a quiet second before" if idle else ""
    return f"{label:<24} {total:>7} bytes for {keys} keys ({total / max(1, keys):,.0f} per key){quiet}"


def bench(term: str, args: argparse.Namespace, deadline: Deadline) -> None:
    """Every program's journey on one terminal type, in a fresh home each time; their figures, then the ratios."""
    with tempfile.TemporaryDirectory(prefix="banqo-bandwidth-") as folder:
        home = Path(folder)
        env = isolated_env(home, term, args.ssh)
        name, texts = prepare_banqo(env, goal_texts(args.goals), deadline)
        runs: list[Run] = []
        banqo, rows = run_banqo("banqo", env, [], name, texts, args, deadline)
        runs.append(banqo)
        accessible = accessible_argument(env) if args.accessible else None
        if accessible is not None:
            flag, variables = accessible
            runs.append(run_banqo("banqo --accessible" if flag else "banqo BANQO_ACCESSIBLE=1",
                                  {**env, **variables}, flag, name, texts, args, deadline)[0])
        vim = run_vim(env, texts, rows, args, home, deadline)
        runs.append(vim)
        coloured_vim = run_vim(env, texts, rows, args, home, deadline, VIM_COLOURS[term])
        runs.append(coloured_vim)
        htop = shutil.which("htop")
        if htop and args.htop:
            runs.append(run_htop(env, args, deadline))
        keys = 2 * args.moves
        pace = f"one every {args.interval_ms} ms" if args.interval_ms else "each after the screen settled"
        print(f"TERM={env['TERM']}{' COLORTERM=truecolor' if term == 'truecolor' else ''}"
              f"{' (as over SSH)' if args.ssh else ''}: {len(texts)} goals, ↓ × {args.moves} then ↑ × {args.moves} "
              f"({pace}), list {rows} rows tall")
        for run in runs:
            print(line(run.label, run.total, keys, run.idle))
            if run.list_rows:
                print(line("  of which the list rows", run.list_total, keys))
        for run in runs:
            if run.list_rows:
                print(f"ratio {run.label} / vim: {run.total / max(1, vim.total):.2f} "
                      f"(the list rows only: {run.list_total / max(1, vim.total):.2f}); "
                      f"/ vim in BanqO's colours: {run.total / max(1, coloured_vim.total):.2f} "
                      f"(the list rows only: {run.list_total / max(1, coloured_vim.total):.2f})")
        if args.accessible and accessible is None:
            print("banqo in accessible mode: skipped (neither --accessible nor BANQO_ACCESSIBLE is accepted yet)")
        if args.htop and not htop:
            print("htop: not installed here, skipped")
        if args.dump:
            for run in runs:
                describe(run, min(args.dump, len(run.keys)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goals", type=int, default=40, help=f"goals in the list, at least {LINES} (default: 40)")
    parser.add_argument("--moves", type=int, default=30, help="↓ presses, then as many ↑ (default: 30)")
    parser.add_argument("--term", choices=TERMS, action="append",
                        help="terminal type, repeatable (default: xterm-256color; truecolor sets COLORTERM)")
    parser.add_argument("--quiet-ms", type=int, default=100,
                        help="the next key is sent once the output has been quiet this long (default: 100)")
    parser.add_argument("--interval-ms", type=int, default=0,
                        help="send a key every this many ms instead, as a held key repeats (e.g. 33)")
    parser.add_argument("--no-accessible", dest="accessible", action="store_false",
                        help="do not run banqo a second time in its mode for screen readers")
    parser.add_argument("--ssh", action="store_true",
                        help="set SSH_CONNECTION, as over SSH (banqo lowers its frame rate there)")
    parser.add_argument("--no-htop", dest="htop", action="store_false", help="do not run htop even if installed")
    parser.add_argument("--dump", type=int, metavar="N",
                        help="print the bytes of the N-th key press of each program, and where they went")
    parser.add_argument("--timeout", type=float,
                        help="give up after this many seconds (default: 300 per terminal type)")
    args = parser.parse_args()
    if args.goals < LINES or args.moves < 1:
        parser.error(f"--goals must be at least {LINES} (a full list) and --moves at least 1")
    if shutil.which("vim") is None:
        parser.error("vim is not installed")
    terms = args.term or ["xterm-256color"]
    deadline = Deadline(args.timeout or 300 * len(terms))
    try:
        for number, term in enumerate(terms):
            if number:
                print()
            bench(term, args, deadline)
    except (BenchError, subprocess.TimeoutExpired) as exc:
        print(f"bench/bandwidth: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
