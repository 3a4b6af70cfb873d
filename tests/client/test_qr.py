"""The QR code drawn with half blocks reads back as segno's modules, fits an 80×24 terminal, and is black on white."""

from __future__ import annotations

import pytest
import segno
from textual.app import App, ComposeResult

from banqo_tui.widgets.qr import QUIET_ZONE, QrCode, qr_lines

URI = (
    "otpauth://totp/BanqO:camille.tremblay%40example.org"
    "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=BanqO"
)

#: What each drawn character says of its two modules: (dark above, dark below).
READ = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}


def read_back(lines: list[str]) -> list[list[bool]]:
    """The module matrix a reader of the half blocks sees (two rows per line)."""
    rows: list[list[bool]] = []
    for line in lines:
        pairs = [READ[char] for char in line]
        rows.append([above for above, _below in pairs])
        rows.append([below for _above, below in pairs])
    return rows


def segno_modules(text: str) -> list[list[bool]]:
    code = segno.make(text, error="l", micro=False)
    return [[bool(module) for module in row] for row in code.matrix]


@pytest.mark.parametrize("text", [URI, "https://banqo.example/aide", "x"])
def test_the_half_blocks_read_back_as_segnos_matrix_inside_a_light_quiet_zone(text):
    lines = qr_lines(text)
    modules = segno_modules(text)
    size = len(modules)
    assert {len(line) for line in lines} == {size + 2 * QUIET_ZONE}
    assert set("".join(lines)) <= set(READ)

    drawn = read_back(lines)
    # The symbol sits inside two light modules on every side; an odd last half-line is light too.
    inner = [row[QUIET_ZONE:QUIET_ZONE + size] for row in drawn[QUIET_ZONE:QUIET_ZONE + size]]
    assert inner == modules
    for index, row in enumerate(drawn):
        if QUIET_ZONE <= index < QUIET_ZONE + size:
            assert not any(row[:QUIET_ZONE]) and not any(row[QUIET_ZONE + size:])
        else:
            assert not any(row)


def test_an_otpauth_uri_with_an_ordinary_email_fits_78_columns_and_22_lines():
    lines = qr_lines(URI)
    assert len(lines) <= 22
    assert max(len(line) for line in lines) <= 78


class QrApp(App[None]):
    def compose(self) -> ComposeResult:
        yield QrCode(URI, id="qr")


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_the_widget_draws_black_on_white_whatever_the_theme(theme):
    app = QrApp()
    async with app.run_test(size=(80, 30)) as pilot:
        app.theme = theme
        await pilot.pause()
        widget = app.query_one(QrCode)
        assert widget.size.width == len(qr_lines(URI)[0])
        assert widget.size.height == len(qr_lines(URI))
        strip = widget.render_line(3)
        text = "".join(segment.text for segment in strip)
        assert text == qr_lines(URI)[3]
        for segment in strip:
            assert segment.style is not None
            assert segment.style.color is not None and segment.style.color.triplet == (0, 0, 0)
            assert segment.style.bgcolor is not None and segment.style.bgcolor.triplet == (255, 255, 255)


def test_the_defaults_of_an_otpauth_uri_are_left_out_so_that_the_code_fits():
    from urllib.parse import parse_qs, urlsplit

    from banqo_server.services import totp
    from banqo_tui.widgets.qr import compact_otpauth_uri

    uri = totp.provisioning_uri(totp.new_secret(), "camille.tremblay@example.org", "BanqO")
    compact = compact_otpauth_uri(uri)
    assert urlsplit(compact).path == urlsplit(uri).path
    query = parse_qs(urlsplit(compact).query)
    full = parse_qs(urlsplit(uri).query)
    assert query == {key: value for key, value in full.items() if key not in ("digits", "period", "algorithm")}
    assert query["secret"] == full["secret"] and query["issuer"] == ["BanqO"]
    lines = qr_lines(compact)
    assert len(lines) <= 22 and max(len(line) for line in lines) <= 78
    # Anything else is left as it is.
    assert compact_otpauth_uri("otpauth://totp/x?secret=ABC&digits=8") == "otpauth://totp/x?secret=ABC&digits=8"
    assert compact_otpauth_uri("https://banqo.example/?period=30") == "https://banqo.example/?period=30"
