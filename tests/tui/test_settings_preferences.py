"""« Mes paramètres », « Préférences »: theme, mode for screen readers and language, applied at once and kept
in the configuration file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, RadioSet, Select, Tab

from banqo_tui import i18n
from banqo_tui.config import Config
from banqo_tui.widgets.picture import Picture

from .conftest import SIZE, settle
from .test_file_picker import wait_for
from .test_navigation import signed_up


@pytest.fixture
def config_file(config: Config, tmp_path: Path) -> Path:
    """The app's configuration file, in the test's folder, holding a key « Préférences » must keep."""
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir()
    path.write_text('# Le serveur de l\'école\nserver = "https://banqo.example.org"\n', encoding="utf-8")
    config.path = path
    return path


def saved(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def screen_lines(app: Any) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def open_preferences(pilot: Any) -> Any:
    app = await signed_up(pilot)
    await pilot.press("f3")
    await settle(pilot)
    await pilot.press("left")  # the tabs have the focus: ← from the first goes round to the last
    await settle(pilot)
    assert app.screen.query_one("#settings-tabs").active == "settings-preferences"
    return app


async def test_the_theme_applies_at_once_and_is_saved(make_app, memory_keyring, config_file):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_preferences(pilot)
        theme = app.screen.query_one("#preferences-theme", Select)
        labels = [str(label) for label, _name in theme._options]
        assert labels[:2] == ["BanqO sombre", "BanqO clair"]
        assert any(label.startswith("Couleurs du terminal") for label in labels)
        assert theme.value == "banqo"
        theme.focus()
        await pilot.press("enter")  # open the list
        await pilot.pause()
        await pilot.press("down", "enter")  # « BanqO clair »
        await settle(pilot)
        assert app.theme == "banqo-light"
        assert app.current_theme.dark is False
        assert saved(config_file) == {"server": "https://banqo.example.org", "theme": "banqo-light"}
        assert config_file.read_text(encoding="utf-8").startswith("# Le serveur de l'école\n")

        # The terminal's own colours.
        ansi = next(name for label, name in theme._options if str(label).startswith("Couleurs du terminal"))
        theme.value = ansi
        await settle(pilot)
        assert app.theme == ansi
        assert saved(config_file)["theme"] == ansi
        # The next run starts with it.
        assert Config.load(path=config_file, environ={}).theme == ansi


async def test_on_a_16_colour_terminal_a_chosen_theme_waits_for_a_better_terminal(
    make_app, memory_keyring, config_file, monkeypatch
):
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_preferences(pilot)
        assert app.theme == "ansi-dark"
        theme = app.screen.query_one("#preferences-theme", Select)
        theme.value = "banqo-contrast"
        await settle(pilot)
        assert app.theme == "ansi-dark"  # Rich would round the contrast theme's colours to the nearest of 16
        assert saved(config_file)["theme"] == "banqo-contrast"  # kept for a terminal with more colours
        assert app.messages.entries[-1].text.startswith("Ce terminal n'affiche que 16 couleurs")
    monkeypatch.setenv("COLORTERM", "truecolor")
    assert make_app().theme == "banqo-contrast"


async def test_the_mode_for_screen_readers_applies_everywhere_and_is_saved(make_app, memory_keyring, config_file):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        client = await app.api()
        from io import BytesIO

        from PIL import Image

        image = BytesIO()
        Image.new("RGB", (40, 40), (0, 120, 0)).save(image, format="PNG")
        await client.me.set_photo(image.getvalue(), "image/png")
        await pilot.press("f3")
        await settle(pilot)
        picture = app.screen.query_one("#profile-photo", Picture)
        assert picture.drawn

        await pilot.press("left")
        await settle(pilot)
        checkbox = app.screen.query_one("#preferences-accessible", Checkbox)
        assert str(checkbox.label) == "Mode adapté aux lecteurs d'écran"
        assert checkbox.value is False
        checkbox.focus()
        await pilot.press("space")
        await settle(pilot)
        assert app.accessible
        assert app.animation_level == "none"
        assert all(screen.has_class("-accessible") for screen in app.screen_stack[1:])
        assert not picture.drawn  # only its text alternative
        assert picture.alternative.startswith("Photo de profil : 40 × 40 pixels")
        assert saved(config_file)["accessible"] is True

        await pilot.press("space")
        await settle(pilot)
        assert not app.accessible
        assert not app.screen.has_class("-accessible")
        assert picture.drawn
        assert saved(config_file)["accessible"] is False


async def test_the_language_changes_the_whole_interface_and_the_server_knows(make_app, memory_keyring, config_file):
    i18n.setup("en")
    translated = i18n._("Mes paramètres") != "Mes paramètres"
    i18n.setup("fr")
    if not translated:
        pytest.skip("no en_CA catalogue compiled")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_preferences(pilot)
        assert "Votre résumé" in screen_lines(app)[-1]
        language = app.screen.query_one("#preferences-language", RadioSet)
        language.focus()
        await pilot.press("down", "enter")  # « English »
        await settle(pilot)
        await wait_for(pilot, lambda: app.screen.id == "settings-screen" and i18n.current_language() == "en")
        await settle(pilot)

        assert screen_lines(app)[0].strip() == "My settings"
        tabs = [tab.label.plain for tab in app.screen.query(Tab)]
        assert tabs[0] == "Profile" and tabs[-1] == "▸ Preferences"
        assert app.screen.query_one("#settings-tabs").active == "settings-preferences"
        footer = screen_lines(app)[-1]
        assert "Your summary" in footer and "Help" in footer
        assert app.focused is app.screen.query_one("#preferences-language")
        # Back goes to the résumé, rebuilt in English too.
        assert [screen.id for screen in app.screen_stack[1:]] == ["summary-screen", "settings-screen"]

        assert saved(config_file)["language"] == "en"
        client = await app.api()
        assert client.language == "en-CA"
        assert (await client.me.profile()).language == "en-CA"

        # And back to French: the global keys are translated from their French sources again.
        app.screen.query_one("#preferences-language").focus()
        await pilot.press("up", "enter")
        await settle(pilot)
        await wait_for(pilot, lambda: app.screen.id == "settings-screen" and i18n.current_language() == "fr")
        await settle(pilot)
        assert screen_lines(app)[0].strip() == "Mes paramètres"
        assert "Votre résumé" in screen_lines(app)[-1]
        assert saved(config_file)["language"] == "fr"
        assert (await client.me.profile()).language == "fr-CA"
        await pilot.press("f1")  # the help lists the global keys in French
        await settle(pilot)
        assert any("Se déconnecter" in line for line in screen_lines(app))
