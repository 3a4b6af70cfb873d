"""The mode for screen readers in a real terminal: `banqo --accessible` in tmux at 80×24 with ``TERM=xterm``.

A screen reader reads the line under the terminal's cursor, so after every key of the journey (sign up, the
collection, « Élèves », a plan, « Mes paramètres ») the test asks tmux where the cursor is
(``#{cursor_x},#{cursor_y},#{cursor_flag}``) and checks it is shown and sits on the highlighted row, the focused
section or the active tab. Notifications go to the status line above the keys and stay there; captures of
an idle screen over a second are all the same (nothing animates, nothing blinks).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest

from .conftest import BIN, _wait
from .test_e2e_first_run import sign_up

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 80, 24
SEVERITIES = ("Information : ", "Avertissement : ", "Erreur : ")
MARK = "▸ "
#: Nine goals typed in « Ma collection », newest shown first; three are filed under Léa (« +Léa »).
GOALS = [f"Lire la liste de mots numéro {number}" for number in range(1, 10)]
LEA_GOALS = GOALS[:3]
SETTINGS_TABS = ("Profil", "Sécurité", "Inscription", "Méthode de paiement", "Factures", "Confidentialité",
                 "Préférences")
SGR = re.compile(r"\x1b\[([0-9;]*)m")

Check = Callable[[list[str], int, int], bool]


def drawn(lines: list[str], x: int, y: int, shown: bool) -> str:
    """The screen with the cursor's row marked, for a failure's message."""
    rows = [f"{'>' if row == y else ' '}{line}" for row, line in enumerate(lines)]
    rows.insert(y + 1, " " + " " * x + "^")
    return f"cursor at x={x}, y={y}, shown={shown}\n" + "\n".join(rows)


def wait_cursor(terminal, check: Check, what: str, timeout: float = 8) -> tuple[list[str], int, int]:
    """Wait until the cursor is shown and ``check(lines, x, y)`` holds (the frame and the cursor's move come
    together, but tmux is read in two calls); fail with the screen and the cursor drawn on it."""
    last: dict[str, tuple[list[str], int, int, bool]] = {}

    def placed() -> tuple[list[str], int, int] | None:
        lines = [line.ljust(WIDTH) for line in terminal.screen().split("\n")]  # tmux drops the trailing blanks
        x, y, shown = terminal.cursor()
        last["state"] = (lines, x, y, shown)
        return (lines, x, y) if shown and 0 <= y < len(lines) and check(lines, x, y) else None

    try:
        return _wait(placed, timeout, what, interval=0.05)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{drawn(*last['state'])}") from None


def bold_at(styled_line: str, column: int) -> bool:
    """Whether the cell at ``column`` of a ``capture-pane -e`` line is bold (a list's highlighted row is bold
    and reversed; the reverse comes out as colours, which depend on the theme, the bold does not)."""
    bold = False
    position = 0
    for index, part in enumerate(SGR.split(styled_line)):
        if index % 2:  # the parameters of an SGR sequence
            for code in (part or "0").split(";"):
                bold = True if code == "1" else False if code in ("0", "22") else bold
        elif position + len(part) > column:
            break
        else:
            position += len(part)
    return bold


def one_bold_row(terminal, rows: list[int], y: int, column: int) -> bool:
    """Among a list's ``rows``, only the cursor's row ``y`` is drawn bold (the highlight) at ``column``."""
    styled = terminal.styled_screen().split("\n")
    return [row for row in rows if bold_at(styled[row], column)] == [y]


def assert_idle(terminal, where: str) -> None:
    """Nothing moves on an idle screen: captures (attributes included) and the cursor, over a second, are all
    the same; they are a third of a second apart, so that a blink (half a second on, half off) shows.

    What a key started (a detail that follows the highlight, a list being read) may end first: the screen must
    hold still for half a second within 5 s.
    """

    def state() -> tuple[str, tuple[int, int, bool]]:
        return terminal.styled_screen(), terminal.cursor()

    def changes(before: tuple[str, tuple[int, int, bool]], after: tuple[str, tuple[int, int, bool]]) -> str:
        rows = zip(before[0].split("\n"), after[0].split("\n"), strict=True)
        lines = [f"{row}: {old!r}\n -> {new!r}" for row, (old, new) in enumerate(rows) if old != new]
        return f"{where}: the screen changed while idle (cursor {before[1]} -> {after[1]}):\n" + "\n".join(lines)

    deadline = time.monotonic() + 5
    previous = state()
    while True:
        time.sleep(0.5)
        current = state()
        if current == previous:
            break
        assert time.monotonic() < deadline, changes(previous, current)
        previous = current
    for _ in range(3):
        time.sleep(0.35)
        later = state()
        assert later == current, changes(current, later)


def status_line(screen: str) -> str:
    """The status line's text: up to three rows just above the keys, from the one starting with a severity."""
    rows = screen.split("\n")[HEIGHT - 4:HEIGHT - 1]
    first = next((index for index, row in enumerate(rows) if row.strip().startswith(SEVERITIES)), len(rows))
    return " ".join(row.strip() for row in rows[first:])


# --- the journey's parts ------------------------------------------------------------------------------------


def list_row_text(line: str) -> str:
    """A goal list row's text: after the bar's column and the mark's two cells, up to the scroll bar."""
    return re.split(r"\s{2,}", line[3:].strip())[0]


def goal_rows(lines: list[str]) -> dict[str, int]:
    """The goal list's rows (« ▸ » or two blanks, then the text; the detail below has one blank less)."""
    return {list_row_text(line): row for row, line in enumerate(lines)
            if line[1:3] in (MARK, "  ") and list_row_text(line) in GOALS}


def on_goal(text: str) -> Check:
    """The goal list: the row with « ▸ » is ``text``'s, the only one, and the cursor is on its « ▸ »."""

    def check(lines: list[str], x: int, y: int) -> bool:
        marked = [row for row in goal_rows(lines).values() if MARK in lines[row]]
        return marked == [y] and list_row_text(lines[y]) == text and lines[y][x:].startswith(MARK)

    return check


def on_any_goal(texts: list[str]) -> Check:
    return lambda lines, x, y: any(on_goal(text)(lines, x, y) for text in texts)


def collection(terminal) -> None:
    terminal.send("F5")
    terminal.wait_for("0 objectif sur 0")
    assert_idle(terminal, "Ma collection, empty")
    terminal.send("n")
    for text in GOALS:
        terminal.type(f"{text} +Léa" if text in LEA_GOALS else text)
        terminal.send("Enter")
    terminal.wait_for("9 objectifs sur 9")
    terminal.send("Escape")  # from the entry line to the list, on its first row
    order = list(reversed(GOALS))
    wait_cursor(terminal, on_goal(order[0]), "the cursor on the first goal")
    position = 0
    for key in ("Down", "Down", "Up", "End", "Up", "Home", "PageDown", "PageUp", "Down"):
        terminal.send(key)
        position = {"Down": position + 1, "Up": position - 1, "End": len(order) - 1, "Home": 0}.get(key, position)
        if key in ("PageDown", "PageUp"):  # as far as the list's height: the « ▸ » says where it went
            others = [text for text in order if text != order[position]]  # from the top or the bottom: it moves
            lines, _x, y = wait_cursor(terminal, on_any_goal(others), f"after {key}, the cursor on the marked goal")
            position = order.index(list_row_text(lines[y]))
            continue
        wait_cursor(terminal, on_goal(order[position]), f"after {key}, the cursor on « {order[position]} »")
    assert_idle(terminal, "Ma collection")


def delete_a_goal(terminal) -> None:
    """D on the first goal: the cursor goes to the next one, and the status line says it in words, no toast."""
    order = list(reversed(GOALS))
    terminal.send("Home")
    wait_cursor(terminal, on_goal(order[0]), "the cursor on the first goal")
    terminal.send("d")
    terminal.wait_for("8 objectifs sur 8")
    wait_cursor(terminal, on_goal(order[1]), "after the deletion, the cursor on the next goal")
    screen = terminal.wait_for("Objectif supprimé")
    assert status_line(screen) == f"Information : Objectif supprimé : « {order[0]} ». U : annuler.", screen
    assert screen.count("Objectif supprimé") == 1  # in the status line only: no toast


def on_learner(terminal, name: str) -> Check:
    def check(lines: list[str], x: int, y: int) -> bool:
        rows = [row for row, line in enumerate(lines) if re.match(r" (▸ |  )\S+ — \d+ objectif", line)]
        return lines[y][x:].startswith(f"{MARK}{name} — ") and one_bold_row(terminal, rows, y, x)

    return check


def learners(terminal) -> None:
    terminal.send("F6")
    terminal.wait_for("Léa — 3 objectifs")
    terminal.wait_for("Objectifs de Léa : 3 objectifs")  # her goals, on the right
    wait_cursor(terminal, on_learner(terminal, "Léa"), "the cursor on Léa")
    assert_idle(terminal, "Élèves")
    terminal.send("n")
    terminal.wait_for("Prénom")
    terminal.type("Noah")
    terminal.send("Enter")
    terminal.wait_for("Noah — 0 objectif")
    wait_cursor(terminal, on_learner(terminal, "Noah"), "the cursor on Noah, just added")
    for key, name in (("Up", "Léa"), ("Down", "Noah"), ("Home", "Léa"), ("End", "Noah"), ("Home", "Léa")):
        terminal.send(key)
        wait_cursor(terminal, on_learner(terminal, name), f"after {key}, the cursor on {name}")


def on_heading(number: int) -> Check:
    """The cursor on the focused section's heading, which is marked « ▸ » (the only one)."""
    return lambda lines, x, y: (lines[y][x:].startswith(f"{MARK}{number} · ")
                                and sum(line.lstrip().startswith(MARK) for line in lines) == 1)


def on_objective(terminal, number: int) -> Check:
    """The plan's objectives: the cursor on objective ``number``'s first line, the one bold row of the list."""

    def check(lines: list[str], x: int, y: int) -> bool:
        # The list's rows: « ▸ 1. … » on the highlighted one, « ␣␣2. … » on the others.
        rows = [row for row, line in enumerate(lines) if re.match(r"(▸ |  ) ?\d\. ", line[x:x + 6])]
        return (lines[y][x:].startswith(f"{MARK}{number}. ") and one_bold_row(terminal, rows, y, x)
                and [row for row in rows if lines[row][x:].startswith(MARK)] == [y])

    return check


def plan(terminal) -> None:
    terminal.send("p")  # Léa has no plan: the new plan's dialog, her three goals ticked
    terminal.wait_for("Pré-rempli avec son dossier : 3 objectifs, tous cochés.")
    assert_idle(terminal, "Nouveau plan")
    terminal.send("C-s")
    terminal.wait_for("Plan d'intervention de Léa")
    terminal.wait_for("Prénom : Léa")
    wait_cursor(terminal, on_heading(1), "the cursor on the heading of section 1")
    assert_idle(terminal, "Plan")
    for number in (2, 3, 4, 5, 7, 1):
        terminal.send(str(number))
        wait_cursor(terminal, on_heading(number), f"after {number}, the cursor on the heading of section {number}")
    for number in (2, 3):
        terminal.send("Tab")
        wait_cursor(terminal, on_heading(number), f"after Tab, the cursor on the heading of section {number}")
    terminal.send("8")
    wait_cursor(terminal, lambda lines, x, y: lines[y][x:].startswith("Aucune révision"),
                "after 8, the cursor on the (empty) list of reviews")
    terminal.send("6")
    wait_cursor(terminal, on_objective(terminal, 1), "after 6, the cursor on objective 1")
    for key, number in (("Down", 2), ("Down", 3), ("Up", 2), ("Home", 1), ("End", 3)):
        terminal.send(key)
        wait_cursor(terminal, on_objective(terminal, number), f"after {key}, the cursor on objective {number}")


def on_tab(label: str) -> Check:
    """« Mes paramètres »: the cursor on the active tab's « ▸ », in the row of tabs (the second)."""
    return lambda lines, x, y: y == 1 and lines[y][x:].startswith(MARK + label) and lines[y].count(MARK) == 1


#: Where the first Tab from each tab of « Mes paramètres » goes: the focused control, read around the cursor.
FIRST_CONTROL: dict[str, Check] = {
    # A text field: the cursor where the field draws it, after the value (the terminal's was one cell further).
    "Profil": lambda lines, x, y: "Prénom" in lines[y] and lines[y][:x].endswith(" Camille"),
    "Sécurité": lambda lines, x, y: lines[y][:x].rstrip() == "   Mot de passe actuel",
    "Inscription": lambda lines, x, y: lines[y][x:].startswith(MARK + "Mensuel — "),
    "Méthode de paiement": lambda lines, x, y: lines[y][x:].startswith(MARK + "Ajouter une carte"),
    "Factures": on_tab("Factures"),  # nothing to focus in an empty list of invoices: Tab stays on the tabs
    "Confidentialité": lambda lines, x, y: lines[y][x:].startswith("BanqO garde le moins"),
    "Préférences": lambda lines, x, y: "Français" in lines[y][x:x + 16],  # the language: the state, then its name
}


def settings(terminal) -> None:
    terminal.send("F3")
    terminal.wait_for("Mes paramètres")
    terminal.wait_for("camille@example.org")
    wait_cursor(terminal, on_tab("Profil"), "the cursor on the tab « Profil »")
    assert_idle(terminal, "Mes paramètres")
    for index, label in enumerate(SETTINGS_TABS):
        if index:
            terminal.send("Right")
            wait_cursor(terminal, on_tab(label), f"after →, the cursor on the tab « {label} »")
        terminal.send("Tab")
        wait_cursor(terminal, FIRST_CONTROL[label], f"after Tab from « {label} », the cursor on its first control")
        if label == "Profil":
            assert_idle(terminal, "Mes paramètres, in « Prénom »")  # the text cursor does not blink
        terminal.send("BTab")
        wait_cursor(terminal, on_tab(label), f"after Shift+Tab, the cursor back on the tab « {label} »")
    assert_idle(terminal, "Mes paramètres, Préférences")
    terminal.send("Right")  # round to the first tab, and back to the last
    wait_cursor(terminal, on_tab("Profil"), "after → from the last tab, the cursor on « Profil »")
    terminal.send("Left")
    wait_cursor(terminal, on_tab("Préférences"), "after ←, the cursor on « Préférences »")


def start(terminal, server: str) -> None:
    """`banqo --accessible` in a 16-colour terminal (tmux sets TERM for its panes: the command sets it back),
    a new account, « Votre résumé » read; no keyring, so the status line warns about it."""
    terminal.run(f"env TERM=xterm {BIN / 'banqo'} --accessible --server {server}")
    sign_up(terminal)
    terminal.wait_for("Votre résumé")
    screen = terminal.wait_for("Compte créé")  # the résumé is read
    assert status_line(screen).startswith("Avertissement : Aucun trousseau de clés utilisable"), screen
    assert screen.count("Aucun trousseau") == 1  # in the status line only: no toast
    wait_cursor(terminal, lambda lines, x, y: lines[y][x:].startswith("Bonjour, Camille Tremblay"),
                "the cursor on the résumé's first line (not the blank row above it)")
    assert_idle(terminal, "Votre résumé")


@pytest.fixture
def terminal(api_server, base_env, terminal_factory):
    terminal = terminal_factory(dict(base_env, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring"))
    start(terminal, api_server)
    return terminal


def test_goals_learners_and_a_plan_with_the_cursor_on_the_highlighted_row(terminal):
    collection(terminal)
    delete_a_goal(terminal)
    deleted_at = time.monotonic()
    learners(terminal)
    plan(terminal)
    time.sleep(max(0.0, deleted_at + 7 - time.monotonic()))  # past a toast's time (six seconds in BanqO)
    said = status_line(terminal.screen())  # on another screen, still there
    assert said.startswith(f"Information : Objectif supprimé : « {GOALS[-1]} »"), said


def test_settings_tabs_with_the_cursor_on_the_active_tab_and_the_focused_control(terminal):
    settings(terminal)  # well past a toast's time since the sign-up
    said = status_line(terminal.screen())  # on another screen, still there
    assert said.startswith("Avertissement : Aucun trousseau de clés utilisable"), said
