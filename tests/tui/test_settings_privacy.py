"""« Mes paramètres › Confidentialité »: promotional email, export through the file picker, the security log,
deleting the account."""

from __future__ import annotations

import json
import zipfile
from typing import Any

import httpx
import pytest

from banqo_tui import i18n

from .conftest import PASSWORD, SIZE, keys, settle, type_into
from .test_navigation import signed_up
from .test_sessions import notices

GOAL = "Lire 20 mots courants en une minute, 4 fois sur 5, selon une grille d'observation."


class Cable(httpx.AsyncBaseTransport):
    """The network between the terminal and the test server, which a test can unplug."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.plugged = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.plugged:
            raise httpx.ConnectError("the cable is unplugged", request=request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def cable(server_app: Any) -> Cable:
    return Cable(httpx.ASGITransport(app=server_app, client=("127.0.0.1", 50000)))


@pytest.fixture
def make_connection(cable: Cable, config: Any) -> Any:
    """The app's connection goes through ``cable``."""
    from banqo_tui.connection import Connection

    def make() -> Any:
        async def factory() -> Any:
            from banqo_tui.api.client import BanqoClient

            return BanqoClient("http://banqo.test", transport=cable, language=i18n.http_language(), retries=0)

        return Connection(config, client_factory=factory)

    return make


async def open_privacy(pilot: Any) -> Any:
    """Sign up, then open « Mes paramètres » on the « Confidentialité » tab (its data loaded)."""
    await signed_up(pilot)
    await pilot.press("f3")
    await settle(pilot)
    pilot.app.screen.query_one("#settings-tabs").active = "settings-privacy"
    await settle(pilot)
    return pilot.app.screen.query_one("#privacy-pane")


def text_of(pane: Any, selector: str) -> str:
    return pane.query_one(selector).render().plain


async def press_button(pilot: Any, selector: str) -> None:
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


async def test_the_promotional_email_consent_is_off_and_its_change_is_kept_with_its_date(
    make_app, memory_keyring, clock
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_privacy(pilot)
        box = pane.query_one("#promotional-email")
        assert box.value is False
        assert text_of(pane, "#promotional-email-status") == "Jamais accepté"
        clock.advance(minutes=1)  # events at distinct moments: the log has one order

        box.focus()
        await pilot.pause()
        await pilot.press("space")
        await settle(pilot)
        client = await app.api()
        assert (await client.me.profile()).promotional_email is True
        assert box.value is True
        assert text_of(pane, "#promotional-email-status") == "Choix fait le 2 nov. 2026"
        assert "X" in box.render().plain  # said by a mark, not by colour alone
        log = pane.query_one("#security-log")
        assert "Choix des courriels promotionnels modifié" in str(log.get_option_at_index(0).prompt)

        await pilot.press("space")
        await settle(pilot)
        assert (await client.me.profile()).promotional_email is False
        assert "X" not in box.render().plain


async def test_a_consent_change_that_fails_puts_the_box_back_and_says_why(make_app, memory_keyring, cable):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_privacy(pilot)
        cable.plugged = False  # the network goes between the reading and the choice
        box = pane.query_one("#promotional-email")
        box.focus()
        await pilot.pause()
        await pilot.press("space")
        await settle(pilot)
        assert box.value is False
        status = text_of(pane, "#promotional-email-status")
        assert status.startswith("Le choix n'a pas été enregistré : Le serveur BanqO est injoignable.")
        assert app.screen.id == "settings-screen"

        cable.plugged = True
        await pilot.press("space")
        await settle(pilot)
        assert box.value is True
        assert text_of(pane, "#promotional-email-status") == "Choix fait le 2 nov. 2026"


async def test_export_through_the_file_picker_saves_a_zip_holding_my_goal(
    make_app, memory_keyring, tmp_path, monkeypatch, clock
):
    from .test_file_picker import wait_for

    home = tmp_path / "maison"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))  # the picker starts in the home folder
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_privacy(pilot)
        client = await app.api()
        await client.collection.create(GOAL)
        clock.advance(minutes=1)
        destination = tmp_path / "mes-donnees.zip"

        pane.query_one("#privacy-export").focus()
        await pilot.press("enter")
        # The picker's folder list loads in a thread that stays ready for more: wait for things, not workers.
        await wait_for(pilot, lambda: app.screen.id == "file-picker")
        path_field = app.screen.query_one("#file-picker-path")
        assert path_field.value.startswith(str(home)) and path_field.value.endswith(".zip")
        assert "banqo-export-" in path_field.value
        path_field.value = ""
        await type_into(pilot, "file-picker-path", str(destination))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.id == "settings-screen")
        await settle(pilot)

        assert text_of(pane, "#export-status") == f"Données enregistrées dans {destination}."
        assert notices(app, "Données enregistrées dans")
        with zipfile.ZipFile(destination) as archive:
            names = archive.namelist()
            collection = archive.read("collection.json").decode("utf-8")
        assert "README.md" in names
        assert GOAL in collection
        json.loads(collection)
        log = pane.query_one("#security-log")
        assert "Données exportées" in str(log.get_option_at_index(0).prompt)


async def test_the_progress_is_said_in_words():
    from banqo_tui.screens.settings_privacy import progress_text

    assert progress_text(120_000, 340_000) == "35 % — 120 ko sur 340 ko"
    assert progress_text(3_400_000, 6_800_000) == "50 % — 3,4 Mo sur 6,8 Mo"
    assert progress_text(120_000, None) == "120 ko reçus"


async def test_the_security_log_lists_the_account_events_newest_first(make_app, memory_keyring, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        clock.advance(minutes=5)
        await pilot.press("ctrl+o")
        await settle(pilot)
        clock.advance(minutes=5)
        await type_into(pilot, "sign-in-password", PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        app.screen.query_one("#settings-tabs").active = "settings-privacy"
        await settle(pilot)
        log = app.screen.query_one("#security-log")
        lines = [str(log.get_option_at_index(index).prompt) for index in range(log.option_count)]
        assert lines[-1] == "2 nov. 2026, 09 h 00 — Compte créé — Terminal de test"
        assert lines[0].startswith("2 nov. 2026, 09 h 10 — Connexion")
        assert lines[0].endswith("— Terminal de test")
        assert any("Déconnexion" in line for line in lines)


async def test_deleting_the_account_needs_the_email_then_ends_everything(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_privacy(pilot)
        await press_button(pilot, "#privacy-delete")
        assert app.screen.id == "delete-account-dialog"
        assert "ne peut pas revenir en arrière" in app.screen.query_one(".dialog--text").render().plain

        await pilot.press(*keys(PASSWORD), "enter", *keys("quelqu-un@example.org"), "enter")
        await settle(pilot)
        assert app.screen.id == "delete-account-dialog"
        confirmation = app.screen.query_one("#delete-confirmation")
        assert confirmation.error_text.startswith("Erreur : ")
        assert app.screen.query_one("#delete-password").error_text == ""
        assert confirmation.value == "quelqu-un@example.org"  # kept, to be corrected
        assert app.screen.query_one("#delete-password").value == PASSWORD

        confirmation.value = ""
        await type_into(pilot, "delete-confirmation", "camille@example.org")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        assert notices(app, "Votre compte et toutes vos données ont été supprimés.")
        assert memory_keyring.entries == {}
        assert app.screen.query_one("#sign-in-email").value == ""
        assert len(app.screen_stack) == 2

        # The account is gone: signing in with it fails.
        await type_into(pilot, "sign-in-email", "camille@example.org")
        await type_into(pilot, "sign-in-password", PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        assert app.screen.query_one("#sign-in-password").error_text.startswith("Erreur : ")


async def test_escape_leaves_the_deletion_dialog_without_deleting(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_privacy(pilot)
        await press_button(pilot, "#privacy-delete")
        await pilot.press(*keys(PASSWORD), "escape")
        await settle(pilot)
        assert app.screen.id == "settings-screen"
        client = await app.api()
        assert (await client.me.profile()).email == "camille@example.org"


async def test_the_policy_button_opens_the_page_and_escape_comes_back(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_privacy(pilot)
        await press_button(pilot, "#privacy-read-policy")
        assert app.screen.id == "privacy-page-screen"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "settings-screen"
