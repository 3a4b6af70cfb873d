"""A bracketed paste holding escape characters is delivered whole as pasted text, never as key presses
(banqo_tui/paste_guard.py), through Textual's own parser fed as a terminal would feed it."""

from __future__ import annotations

import pytest
from textual import events

from banqo_tui.paste_guard import PASTE_END, PASTE_START, PasteGuard, guarded_parser_class, install

HOSTILE = "Lire\x1b[2J un texte\x1b]0;titre\x07\rpuis\x1bécrire\x1b"  # ends on a lone ESC, before the end marker
SHOWN = "Lire␛[2J un texte␛]0;titre\x07\rpuis␛écrire␛"


def parse(chunks: list[str], guarded: bool = True) -> list[events.Event]:
    from textual._xterm_parser import XTermParser

    parser = (guarded_parser_class() if guarded else XTermParser)()
    found: list[events.Event] = []
    for chunk in chunks:
        found += list(parser.feed(chunk))
    found += list(parser.feed(""))
    return found


def described(found: list[events.Event]) -> list[tuple[str, str]]:
    return [("paste", event.text) if isinstance(event, events.Paste) else ("key", event.key) for event in found]


def test_a_paste_with_escapes_is_one_paste_and_no_key():
    found = parse([PASTE_START + HOSTILE + PASTE_END + "x"])
    assert described(found) == [("paste", SHOWN), ("key", "x")]


def test_without_the_guard_textual_turns_part_of_the_paste_into_keys():
    """Why the guard exists: the same input through Textual's parser alone."""
    found = described(parse([PASTE_START + HOSTILE + PASTE_END + "x"], guarded=False))
    assert ("paste", SHOWN) not in found
    assert any(kind == "key" and key != "x" for kind, key in found)


# Cut anywhere after the start marker (a start marker split in two is left to Textual, as before).
@pytest.mark.parametrize("cut", range(len(PASTE_START), len(PASTE_START + HOSTILE + PASTE_END)))
def test_the_paste_survives_being_read_in_two_parts_cut_anywhere(cut):
    whole = PASTE_START + HOSTILE + PASTE_END
    assert described(parse([whole[:cut], whole[cut:]])) == [("paste", SHOWN)]


def test_outside_a_paste_nothing_is_held_or_changed():
    guard = PasteGuard()
    assert guard("\x1b") == "\x1b"  # the Escape key, at once
    assert guard("\x1b[A") == "\x1b[A"
    assert guard(PASTE_START + "a\x1b") == PASTE_START + "a"  # held: may be the end marker's beginning
    assert guard("[201~b") == PASTE_END + "b"
    assert guard.pasting is False


def test_install_makes_the_linux_driver_read_through_the_guard():
    from textual.drivers import linux_driver

    install()
    install()
    assert linux_driver.XTermParser._banqo_guarded is True
    assert described(list(linux_driver.XTermParser().feed(PASTE_START + "a\x1bb" + PASTE_END))) == [
        ("paste", "a␛b")
    ]
