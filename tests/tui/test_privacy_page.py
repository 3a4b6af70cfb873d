"""The privacy policy page: in the interface's language, signed in or not, shipped in the wheel."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from banqo_tui import i18n
from banqo_tui.screens.privacy_page import privacy_document

from .conftest import SIZE, settle
from .test_navigation import signed_up

REPOSITORY = Path(__file__).resolve().parents[2]


def headings(app: Any, kind: str) -> list[str]:
    """The text of the page's headings of one level (``MarkdownH1``, ``MarkdownH2``)."""
    return [heading._content.plain for heading in app.screen.query(kind)]


async def open_page(pilot: Any) -> None:
    await pilot.press("f10")
    await settle(pilot)
    assert pilot.app.screen.id == "privacy-page-screen"


async def test_signed_out_f10_shows_the_policy_in_french_and_escape_comes_back(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot)
        assert headings(app, "MarkdownH1") == ["Politique de confidentialité de BanqO"]
        sections = headings(app, "MarkdownH2")
        for expected in ("Ce que BanqO garde", "Combien de temps", "Supprimer votre compte", "Nous joindre"):
            assert expected in sections
        assert app.screen.focused is app.screen.query_one("#privacy-page-body")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"


async def test_the_page_scrolls_by_keys(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot)
        body = app.screen.query_one("#privacy-page-body")
        assert body.scroll_y == 0
        await pilot.press("pagedown")
        await settle(pilot)
        assert body.scroll_y > 0
        await pilot.press("end")
        await settle(pilot)
        assert body.scroll_y == body.max_scroll_y > 0


async def test_in_english_the_page_is_the_english_one(make_app, memory_keyring):
    i18n.setup("en")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_page(pilot)
        assert headings(app, "MarkdownH1") == ["BanqO privacy policy"]
        assert "What BanqO keeps" in headings(app, "MarkdownH2")


async def test_signed_in_the_palette_entry_opens_it(make_app, memory_keyring):
    from .test_navigation import type_into_palette

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_into_palette(pilot, "Politique de conf")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "privacy-page-screen"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "summary-screen"


def test_the_two_pages_have_the_same_sections():
    french = privacy_document("fr")
    english = privacy_document("en")
    assert french is not None and english is not None
    assert french.name == "privacy.fr.md" and english.name == "privacy.en.md"

    def section_count(path: Path) -> int:
        return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("## "))

    assert section_count(french) == section_count(english) >= 10


def test_the_wheel_ships_both_pages_where_the_app_looks_for_them():
    settings = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = settings["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    for language in ("fr", "en"):
        source = f"docs/privacy.{language}.md"
        assert (REPOSITORY / source).is_file()
        assert shipped[source] == f"banqo_tui/privacy/privacy.{language}.md"
