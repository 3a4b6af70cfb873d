"""A QR code drawn with half blocks, dark on light whatever the theme, for a phone camera to read off the screen.

Each line of text holds two rows of modules: ``▀`` (dark above), ``▄`` (dark below), ``█`` (both) or a space
(neither). The characters are drawn black on white, so the code reads the same on a dark or a light theme.
An ``otpauth://`` URI with an ordinary email (version 5, 37 modules, plus the quiet zone) takes 41 columns and
21 lines.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import RenderResult
from textual.content import Content
from textual.widgets import Static

#: Light modules around the symbol: two are enough for phone cameras, and keep the code within 22 lines.
QUIET_ZONE = 2

#: (dark above, dark below) → the character drawing them in the foreground colour.
_HALF_BLOCKS = {
    (False, False): " ",
    (True, False): "▀",
    (False, True): "▄",
    (True, True): "█",
}

#: Dark modules in black on white, whatever the theme's colours.
QR_STYLE = "#000000 on #ffffff"


#: Parameters of an ``otpauth://`` URI that authenticator apps assume when they are absent (Key Uri Format).
OTPAUTH_DEFAULTS = {"algorithm": "SHA1", "digits": "6", "period": "30"}


def compact_otpauth_uri(uri: str) -> str:
    """``uri`` without the parameters that only repeat the defaults (``digits=6``, ``period=30``…).

    Authenticator apps read the same account from it, and the shorter text keeps the QR code one version
    smaller: with an ordinary email, 41 columns and 21 lines instead of 45 and 23.
    """
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(uri)
    if parts.scheme.lower() != "otpauth" or not parts.query:
        return uri
    kept = [
        pair
        for pair in parts.query.split("&")
        if OTPAUTH_DEFAULTS.get(pair.partition("=")[0].lower(), None) != pair.partition("=")[2].upper()
    ]
    return urlunsplit(parts._replace(query="&".join(kept)))


def qr_matrix(text: str) -> list[list[bool]]:
    """The modules of ``text``'s QR code (True is dark), quiet zone included."""
    import segno

    code = segno.make(text, error="l", micro=False)
    return [[bool(module) for module in row] for row in code.matrix_iter(scale=1, border=QUIET_ZONE)]


def half_block_lines(matrix: Sequence[Sequence[bool]]) -> list[str]:
    """Two module rows per line of text; an odd last row is paired with a light one."""
    lines: list[str] = []
    for top_index in range(0, len(matrix), 2):
        top = matrix[top_index]
        bottom = matrix[top_index + 1] if top_index + 1 < len(matrix) else [False] * len(top)
        lines.append("".join(_HALF_BLOCKS[bool(above), bool(below)] for above, below in zip(top, bottom, strict=True)))
    return lines


def qr_lines(text: str) -> list[str]:
    """``text`` as a QR code in lines of half blocks, to be drawn dark (foreground) on light (background)."""
    return half_block_lines(qr_matrix(text))


class QrCode(Static):
    """A QR code of ``text``, black on white."""

    DEFAULT_CSS = """
    QrCode {
        width: auto;
        height: auto;
        color: #000000;
        background: #ffffff;
        padding: 0;
    }
    """

    def __init__(self, text: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, markup=False)
        self.lines = qr_lines(text)

    def render(self) -> RenderResult:
        return Content.styled("\n".join(self.lines), QR_STYLE)
