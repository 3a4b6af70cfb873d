"""What the terminal receives for a full repaint of the current screen, kept as a text file to review and compare.

The SVG snapshots (``test_snapshots.py``) are drawn in truecolor whatever the terminal; these files hold the
bytes BanqO sends to a terminal of a given kind (``TERM=xterm`` and its 16 colours, ``NO_COLOR``…), so they show
what Rich made of the theme there: which SGR codes, on which cells.

A file has three parts, each line of the last two standing for one row of the screen:

- a header: the screen, the terminal's size and environment, and every SGR parameter used;
- the text a sighted reader sees, between ``|`` and ``|`` (so trailing spaces are visible and kept);
- the row's bytes as sent after its cursor move, ESC written ``␛`` so the file stays text.

The server's random identifiers are written as 32 ``x``, and hyperlinks' random ids numbered in order.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

SNAPSHOT_DIR = Path(__file__).parent / "__snapshots__" / "terminal"
UPDATE_COMMAND = ".venv/bin/pytest -p no:cacheprovider tests/tui/test_terminal_snapshots.py --snapshot-update"

ESC = "\x1b"
ESC_MARK = "␛"
CURSOR_MOVE = re.compile(r"\x1b\[(\d+);(\d+)H")
SGR = re.compile(r"\x1b\[([0-9;:]*)m")
#: OSC 8 hyperlinks: Rich gives each link a random id, numbered here in order of appearance instead.
LINK_ID = re.compile(r"\x1b\]8;id=([^;\x1b]*);")
#: The server's random identifiers (a plan's, shown for ``banqo plans export``), replaced by as many ``x``.
RANDOM_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
ANY_ESCAPE = re.compile(r"\x1b\[[0-9;:?]*[A-Za-z]|\x1b\]8;[^\x1b]*\x1b\\")


@dataclass(frozen=True)
class Terminal:
    """A kind of terminal: the environment Rich reads to choose its colour system (``None``: variable unset)."""

    name: str
    environ: dict[str, str | None]
    #: What Rich must have chosen for Textual's console in that environment.
    colour_system: str

    def describe(self) -> str:
        return ", ".join(
            f"{key}={value}" if value is not None else f"{key} unset" for key, value in self.environ.items()
        )


XTERM = Terminal(
    "xterm",
    {"TERM": "xterm", "COLORTERM": None, "TEXTUAL_COLOR_SYSTEM": None, "NO_COLOR": None},
    "standard",
)
#: NO_COLOR on a terminal that could show every colour: whatever leaked through would show as 24-bit codes.
NO_COLOR = Terminal(
    "nocolor",
    {"TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_COLOR_SYSTEM": None, "NO_COLOR": "1"},
    "truecolor",
)
XTERM_256 = Terminal(
    "xterm-256color",
    {"TERM": "xterm-256color", "COLORTERM": None, "TEXTUAL_COLOR_SYSTEM": None, "NO_COLOR": None},
    "256",
)


def use_terminal(monkeypatch: pytest.MonkeyPatch, terminal: Terminal) -> None:
    """Set the environment of ``terminal``; call before the app is built (its console reads it then)."""
    import textual.constants

    for key, value in terminal.environ.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    # Textual read TEXTUAL_COLOR_SYSTEM once, at import: a value set in the shell would still force it.
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "auto")


# --- the bytes of a full repaint ---------------------------------------------------------------------------


def full_repaint(app: Any) -> str:
    """The escape sequences Textual writes to the terminal to draw the whole current screen."""
    update = app.screen._compositor.render_full_update()
    _forget_rendered_codes(update.strips)
    return str(update.render_segments(app.console))


def _forget_rendered_codes(lines: Iterable[Iterable[Any]]) -> None:
    """Rich and Textual keep the SGR string of a style on the style itself (``Style._ansi``), and of a strip on
    the strip, whatever colour system it was made for. A style reached through a cache shared by every app of the
    process could carry the codes of an earlier test's truecolor screenshot into this terminal's bytes: each is
    rendered afresh for this console, as a new process would."""
    for line in lines:
        for strip in line:
            strip._render_cache = None
            for segment in strip:
                if segment.style is not None:
                    segment.style._ansi = None


def screen_rows(raw: str, height: int) -> list[str]:
    """``raw`` cut at its cursor moves: one string per row, each of which must start at column 1, in order."""
    moves = list(CURSOR_MOVE.finditer(raw))
    assert raw.startswith(ESC) and moves and moves[0].start() == 0, "a repaint starts with a cursor move"
    rows: list[str] = []
    for index, move in enumerate(moves):
        end = moves[index + 1].start() if index + 1 < len(moves) else len(raw)
        row, column = int(move.group(1)), int(move.group(2))
        assert (row, column) == (index + 1, 1), f"cursor move to {row};{column} where row {index + 1} was due"
        rows.append(raw[move.end():end].removesuffix("\n"))
    assert len(rows) == height, f"{len(rows)} rows drawn on a screen of {height}"
    return rows


def plain(row: str) -> str:
    """The row's text, its escape sequences taken out."""
    return ANY_ESCAPE.sub("", row)


def visible(row: str) -> str:
    """The row's bytes with ESC shown as ``␛`` and link ids made stable."""
    ids: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        return f"{ESC}]8;id={ids.setdefault(match.group(1), len(ids) + 1)};"

    return LINK_ID.sub(number, row).replace(ESC, ESC_MARK)


# --- reading the SGR codes ---------------------------------------------------------------------------------


def sgr_codes(raw: str) -> Iterator[str]:
    """Each SGR parameter of ``raw``, a colour given in 256 or 24-bit kept whole (``38;5;4``, ``48;2;0;0;0``)."""
    for match in SGR.finditer(raw):
        params = match.group(1).split(";") if match.group(1) else ["0"]
        index = 0
        while index < len(params):
            code = params[index]
            if code in ("38", "48", "58") and index + 1 < len(params):
                width = {"5": 3, "2": 5}.get(params[index + 1], 2)
                yield ";".join(params[index:index + width])
                index += width
            else:
                yield code
                index += 1


def colour_kind(code: str) -> str | None:
    """``16``, ``256``, ``truecolor`` or ``default`` for a colour code; None for an attribute (bold, reverse…)."""
    if code.startswith(("38;5;", "48;5;", "58;5;")):
        return "256"
    if code.startswith(("38;2;", "48;2;", "58;2;")):
        return "truecolor"
    if not code.isdigit():
        return "unknown"
    number = int(code)
    if number in (39, 49, 59):
        return "default"
    if 30 <= number <= 37 or 40 <= number <= 47 or 90 <= number <= 97 or 100 <= number <= 107:
        return "16"
    return None


def colour_problems(raw: str, terminal: Terminal) -> list[str]:
    """What ``terminal`` must never receive.

    - 16 colours: no 256-colour or 24-bit code (Rich would have had to send what the terminal cannot show).
    - NO_COLOR: no colour at all. SGR 39 and 49 (« the terminal's own foreground / background ») stay allowed:
      they add no colour, and Textual's ``NoColor`` filter writes them on every cell to undo any colour
      before; bold, underline, reverse and dim are not colours either.
    """
    kinds = {code: colour_kind(code) for code in set(sgr_codes(raw))}
    if terminal.environ.get("NO_COLOR"):
        forbidden = {"16", "256", "truecolor", "unknown"}
    elif terminal.colour_system == "standard":
        forbidden = {"256", "truecolor", "unknown"}
    elif terminal.colour_system == "256":
        forbidden = {"truecolor", "unknown"}
    else:
        forbidden = {"unknown"}
    return sorted(f"SGR {code} ({kind})" for code, kind in kinds.items() if kind in forbidden)


def code_order(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split(";") if part.isdigit())


# --- the file -----------------------------------------------------------------------------------------------

TEXT_HEADING = "# text, each row between | and |:"
BYTES_HEADING = f"# bytes after each row's cursor move ({ESC_MARK} = ESC):"


@dataclass
class Snapshot:
    """One screen as one terminal received it."""

    name: str
    terminal: Terminal
    width: int
    height: int
    screen: str
    raw: str
    rows: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.rows = screen_rows(self.raw, self.height)

    @property
    def path(self) -> Path:
        return SNAPSHOT_DIR / f"{self.name}.{self.terminal.name}.txt"

    @property
    def texts(self) -> list[str]:
        return [plain(row) for row in self.rows]

    def document(self) -> str:
        codes = sorted(set(sgr_codes(self.raw)), key=code_order)
        lines = [
            f"# screen: {self.name} ({self.screen})",
            f"# terminal: {self.width}x{self.height}, {self.terminal.describe()} "
            f"-> Rich colour system {self.terminal.colour_system}",
            f"# SGR codes used: {' '.join(codes)}",
            TEXT_HEADING,
            *(f"|{text}|" for text in self.texts),
            BYTES_HEADING,
            *(visible(row) for row in self.rows),
        ]
        return "\n".join(lines) + "\n"

    def problems(self) -> list[str]:
        """What is wrong whatever the committed file says: a row not filled to the edge, or past it; a colour
        this terminal must not receive."""
        found = [
            f"row {number}: {cell_len(text)} cells drawn on a {self.width}-column screen"
            for number, text in enumerate(self.texts, 1)
            if cell_len(text) != self.width
        ]
        found += colour_problems(self.raw, self.terminal)
        return [f"{self.path.name}: {problem}" for problem in found]


def take(app: Any, name: str, terminal: Terminal) -> Snapshot:
    """The current screen of ``app`` as ``terminal`` receives it."""
    assert app.console.color_system == terminal.colour_system, (
        f"Rich chose {app.console.color_system!r} for {terminal.describe()}: the environment was set too late"
    )
    screen = app.screen
    raw = RANDOM_ID.sub("x" * 32, full_repaint(app))
    return Snapshot(name, terminal, app.size.width, app.size.height, f"{type(screen).__name__} #{screen.id}", raw)


def compare(snapshots: list[Snapshot], update: bool) -> list[str]:
    """Check each snapshot against its committed file (or write the files with ``update``): the problems."""
    problems: list[str] = []
    names = [snapshot.path.name for snapshot in snapshots]
    problems += [f"{name}: taken twice in one journey" for name in {n for n in names if names.count(n) > 1}]
    for snapshot in snapshots:
        problems += snapshot.problems()
        document = snapshot.document()
        path = snapshot.path
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text(encoding="utf-8") != document:
                path.write_text(document, encoding="utf-8", newline="\n")
            continue
        if not path.exists():
            problems.append(f"{path.name}: no committed snapshot; run {UPDATE_COMMAND}, then review the file")
            continue
        committed = path.read_text(encoding="utf-8")
        if committed != document:
            problems.append(f"{path.name} differs from the screen now:\n{_difference(committed, document)}")
    return problems


def _difference(committed: str, now: str, limit: int = 40) -> str:
    """The changed lines of the text part, or a word that the bytes alone changed."""
    def text_part(document: str) -> list[str]:
        lines = document.splitlines()
        if TEXT_HEADING in lines and BYTES_HEADING in lines:
            return lines[: lines.index(BYTES_HEADING)]
        return lines

    diff = list(difflib.unified_diff(text_part(committed), text_part(now), "committed", "now", lineterm="", n=1))
    if not diff:
        diff = [line for line in difflib.unified_diff(committed.splitlines(), now.splitlines(), "committed", "now",
                                                      lineterm="", n=0)]
        diff.insert(0, "(same text; the codes sent differ)")
    if len(diff) > limit:
        diff = [*diff[:limit], f"… {len(diff) - limit} more lines"]
    return "\n".join(diff)


def snapshot_update(config: Any) -> bool:
    """``--snapshot-update`` (added by syrupy, which pytest-textual-snapshot brings)."""
    return bool(config.getoption("--snapshot-update", default=False))
