"""Inert text: control characters made visible, so that a text can never drive the terminal that shows it.

A goal, a first name or a pasted text may hold terminal escape sequences (``ESC [2J`` clears the screen,
``ESC ]0;…BEL`` renames the window). ``inert`` maps every character that a terminal could obey to a
visible one:

- line breaks: ``\\r\\n`` and a lone ``\\r`` become ``\\n`` (the universal newline convention); ``\\n`` and
  ``\\t`` stay;
- the other C0 controls (U+0000–U+001F) become their Unicode « control pictures » (U+2400 + code: ESC → ␛,
  NUL → ␀, BEL → ␇), DEL (U+007F) becomes ␡ (U+2421);
- the C1 controls (U+0080–U+009F, among them CSI U+009B) and lone surrogates (which no UTF-8 text can hold,
  and which PostgreSQL refuses) become the replacement character � (U+FFFD).

Every character stays one character (but for ``\\r\\n``), so a length checked after ``inert`` is the length typed.
The server applies it to what it receives, the client to what it receives from any server, and the terminal
application to what is pasted into it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REPLACEMENT = "\ufffd"

_TABLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_TABLE[0x7F] = "\u2421"
_TABLE.update({code: REPLACEMENT for code in range(0x80, 0xA0)})
_TABLE.update({code: REPLACEMENT for code in range(0xD800, 0xE000)})

#: Any character ``inert`` changes (\r included); a text without one is returned as it is.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def inert(text: str) -> str:
    """``text`` with every control character shown as a visible symbol (see the module's docstring)."""
    if _UNSAFE.search(text) is None:
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_TABLE)


def needs_inert(value: Any) -> bool:
    """Whether ``inert_value`` would change ``value`` (cheap: builds nothing, no abstract type checks)."""
    kind = type(value)
    if kind is str:
        return _UNSAFE.search(value) is not None
    if kind is list or kind is tuple:
        return any(needs_inert(item) for item in value)
    if kind is dict:
        return any(needs_inert(key) or needs_inert(item) for key, item in value.items())
    return isinstance(value, str) and _UNSAFE.search(value) is not None  # a str subclass (an enum's value)


def inert_value(value: Any) -> Any:
    """``value`` with ``inert`` applied to every string in it, through lists, tuples and mappings (keys too)."""
    if isinstance(value, str):
        return inert(value)
    if isinstance(value, list):
        return [inert_value(item) for item in value]
    if isinstance(value, tuple):
        return tuple(inert_value(item) for item in value)
    if isinstance(value, Mapping):
        return {inert(key) if isinstance(key, str) else key: inert_value(item) for key, item in value.items()}
    return value
