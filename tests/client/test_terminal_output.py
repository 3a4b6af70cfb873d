"""``terminal_output.ScreenMirror``: the bytes it sends make a real terminal emulator (pyte) show exactly what
Textual's whole frame would have shown — after edits, scrolls, wide characters — in fewer bytes."""

from __future__ import annotations

import io
import random

import pyte
import pytest
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from banqo_tui.terminal_output import ScreenMirror

WIDTH, HEIGHT = 30, 12
STYLES = [
    Style(color="color(195)", bgcolor="color(17)"),
    Style(color="color(195)", bgcolor="color(24)", bold=True),
    Style(color="color(215)", bgcolor="color(17)"),
    Style(color="color(250)", bgcolor="color(16)", underline=True),
    Style(reverse=True),
    Style(color="color(195)", bgcolor="color(17)", meta={"@click": "app.bell"}),  # meta is never drawn
    None,
]
CHARS = "abcdefghij  éÉ«»–▸✓" + "漢字"


def console() -> Console:
    return Console(color_system="256", force_terminal=True, file=io.StringIO(), width=WIDTH, legacy_windows=False)


def random_line(rng: random.Random) -> Strip:
    segments, used = [], 0
    while used < WIDTH:
        style = rng.choice(STYLES)
        text = ""
        for _ in range(rng.randint(1, 8)):
            char = rng.choice(CHARS)
            width = 2 if char in "漢字" else 1
            if used + width > WIDTH:
                break
            text += char
            used += width
        if not text:
            text, used = " " * (WIDTH - used), WIDTH
        segments.append(Segment(text, style))
    return Strip(segments, WIDTH)


def blank_line(style: Style | None) -> Strip:
    return Strip([Segment(" " * WIDTH, style)], WIDTH)


def full_frame(lines: list[Strip], out: Console) -> str:
    """What Textual writes for a whole frame: every line, every segment with its own style."""
    return "".join(f"\x1b[{y + 1};1H" + line.render(out) for y, line in enumerate(lines))


def cells(screen: pyte.Screen) -> list[list[tuple]]:
    return [
        [(c.data, c.fg, c.bg, c.bold, c.reverse, c.underscore) for c in (screen.buffer[y][x] for x in range(WIDTH))]
        for y in range(HEIGHT)
    ]


def expected(lines: list[Strip], out: Console) -> list[list[tuple]]:
    screen = pyte.Screen(WIDTH, HEIGHT)
    pyte.Stream(screen).feed(full_frame(lines, out))
    return cells(screen)


def next_frame(rng: random.Random, lines: list[Strip]) -> list[Strip]:
    """The next frame: a block scrolled by a few lines, some lines redrawn, some cells changed, or nothing."""
    lines = list(lines)
    kind = rng.choice(["scroll", "scroll", "edit", "edit", "same", "clear"])
    if kind == "scroll":
        top = rng.randint(0, HEIGHT - 5)
        bottom = rng.randint(top + 4, HEIGHT - 1)
        shift = rng.choice([1, 1, 2, 3, -1, -1, -2, -4])
        block = lines[top:bottom + 1]
        if shift > 0:
            block = block[shift:] + [random_line(rng) for _ in range(shift)]
        else:
            block = [random_line(rng) for _ in range(-shift)] + block[:shift]
        lines[top:bottom + 1] = block
        for _ in range(rng.randint(0, 2)):  # the old highlighted row, a scroll bar cell…
            y = rng.randint(top, bottom)
            lines[y] = random_line(rng)
    elif kind == "edit":
        for _ in range(rng.randint(1, 4)):
            y = rng.randrange(HEIGHT)
            lines[y] = random_line(rng) if rng.random() < 0.5 else blank_line(rng.choice(STYLES[:3]))
    elif kind == "clear":
        lines = [blank_line(STYLES[0]) for _ in range(HEIGHT)]
    return lines


@pytest.mark.parametrize("seed", range(12))
def test_the_terminal_shows_what_a_whole_frame_would(seed):
    rng = random.Random(seed)
    out = console()
    mirror = ScreenMirror()
    screen = pyte.Screen(WIDTH, HEIGHT)
    stream = pyte.Stream(screen)
    lines = [random_line(rng) for _ in range(HEIGHT)]
    sent = whole = 0
    for step in range(60):
        data = mirror.frame(WIDTH, HEIGHT, dict(enumerate(lines)), out)
        stream.feed(data)
        assert cells(screen) == expected(lines, out), f"seed {seed}, frame {step}"
        sent += len(data.encode())
        whole += len(full_frame(lines, out).encode())
        lines = next_frame(rng, lines)
    assert sent < whole / 2  # and it is worth it


def test_a_list_scrolled_by_one_line_costs_a_scroll_and_two_lines():
    out = console()
    mirror = ScreenMirror()
    rows = [Strip([Segment(f"objectif {n:02d}".ljust(WIDTH), STYLES[0])], WIDTH) for n in range(40)]
    highlighted = Strip([Segment("▸ " + f"objectif {10:02d}".ljust(WIDTH - 2), STYLES[1])], WIDTH)
    before = rows[0:HEIGHT]
    mirror.frame(WIDTH, HEIGHT, dict(enumerate(before)), out)
    after = rows[1:HEIGHT] + [highlighted]  # the list moved up one line; its new last line is highlighted
    data = mirror.frame(WIDTH, HEIGHT, dict(enumerate(after)), out)
    assert "\x1b[1;12r" in data and "\x1bD" in data  # scroll region, index
    assert data.count("objectif") == 1  # only the new line is written
    screen = pyte.Screen(WIDTH, HEIGHT)
    stream = pyte.Stream(screen)
    stream.feed(full_frame(before, out))
    stream.feed(data)
    assert cells(screen) == expected(after, out)


def test_unchanged_lines_cost_nothing_and_forgetting_redraws_everything():
    out = console()
    mirror = ScreenMirror()
    lines = [blank_line(STYLES[0]) for _ in range(HEIGHT)]
    assert mirror.frame(WIDTH, HEIGHT, dict(enumerate(lines)), out)
    assert mirror.frame(WIDTH, HEIGHT, dict(enumerate(lines)), out) == ""
    mirror.forget()  # after Ctrl+Z and back, or a resize
    again = mirror.frame(WIDTH, HEIGHT, dict(enumerate(lines)), out)
    assert again.count("\x1b[K") == HEIGHT  # blank lines are erased to the edge, not filled with spaces


def test_one_changed_cell_sends_that_cell():
    out = console()
    mirror = ScreenMirror()
    line = Strip([Segment("Nom : Tremblay".ljust(WIDTH), STYLES[0])], WIDTH)
    mirror.frame(WIDTH, 1, {0: line}, out)
    typed = Strip([Segment("Nom : Tremblaye".ljust(WIDTH), STYLES[0])], WIDTH)
    data = mirror.frame(WIDTH, 1, {0: typed}, out)
    assert data.startswith("\x1b[1;15H") and "e" in data and "Tremblay" not in data


def test_a_list_scrolled_line_after_line_stays_right():
    """Each frame the list moves up one more line: what the terminal shows is the mirror's, line for line."""
    out = console()
    mirror = ScreenMirror()
    rows = [Strip([Segment(f"objectif {n:02d}".ljust(WIDTH), STYLES[n % 3])], WIDTH) for n in range(40)]
    screen = pyte.Screen(WIDTH, HEIGHT)
    stream = pyte.Stream(screen)
    for top in (*range(0, 20), *range(20, -1, -3)):
        lines = rows[top:top + HEIGHT]
        stream.feed(mirror.frame(WIDTH, HEIGHT, dict(enumerate(lines)), out))
        assert cells(screen) == expected(lines, out), top
