"""« Des questions? Contactez-nous! »: signed in and signed out, errors under their fields, text never lost,
and a sent message arriving at a real SMTP server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import DEVICE, SIZE, keys, settle, type_into
from .test_navigation import palette_texts, signed_up
from .test_sessions import notices

SUPPORT_ADDRESS = "soutien@banqo.test"
QUESTION = "Comment classer un objectif sous deux élèves?"


@pytest.fixture
def server_app(tmp_path: Path, cheap_settings: Any, mailbox: Any) -> Any:
    """The test server, mailing support messages to the local SMTP server."""
    from banqo_server.app import create_app

    return create_app(
        cheap_settings(
            database_url=f"sqlite:///{tmp_path / 'banqo-test.sqlite3'}",
            smtp_url=mailbox.url,
            support_email=SUPPORT_ADDRESS,
        )
    )


def field_of(app: Any, field_id: str) -> Any:
    return app.screen.query_one(f"#{field_id}")


async def open_support(pilot: Any) -> Any:
    await pilot.press("f9")
    await settle(pilot)
    assert pilot.app.screen.id == "support-screen"
    return pilot.app.screen


async def write_message(pilot: Any, text: str) -> None:
    area = pilot.app.screen.query_one("#support-message-text")
    area.focus()
    await pilot.pause()
    await pilot.press(*keys(text))


async def send(pilot: Any) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_signed_in_the_form_starts_with_my_email_and_the_subject_focused(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        screen = await open_support(pilot)
        assert screen.query_one("ScreenTitle").render().plain == "Des questions? Contactez-nous!"
        assert field_of(app, "support-from").value == "camille@example.org"
        assert screen.focused is field_of(app, "support-subject").input


async def test_an_empty_subject_and_a_malformed_email_are_said_under_their_fields_and_the_text_stays(
    make_app, memory_keyring, mailbox
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await open_support(pilot)
        email = field_of(app, "support-from")
        email.value = ""
        await type_into(pilot, "support-from", "camille-chez-example.org", keystrokes=True)
        await write_message(pilot, QUESTION)
        await send(pilot)

        assert email.error_text.startswith("Erreur : ")
        assert field_of(app, "support-subject").error_text == "Erreur : Ce champ est obligatoire."
        assert field_of(app, "support-message").error_text == ""
        # Nothing typed was lost, and nothing left.
        assert email.value == "camille-chez-example.org"
        assert field_of(app, "support-message").value == QUESTION
        assert mailbox.messages == []
        assert "pas parti" in app.screen.query_one("#support-status").render().plain


async def test_the_sixth_message_in_ten_minutes_gets_the_rate_limit_under_the_email_and_keeps_the_text(
    make_app, memory_keyring, mailbox, clock
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        client = await app.api()
        for number in range(5):
            await client.support.send(from_="", subject=f"Question {number}", message="Bonjour")
            clock.advance(minutes=1)
        await open_support(pilot)
        await type_into(pilot, "support-subject", "Encore une question", keystrokes=True)
        await write_message(pilot, QUESTION)
        await send(pilot)

        assert "plusieurs messages en peu de temps" in field_of(app, "support-from").error_text
        assert field_of(app, "support-subject").value == "Encore une question"
        assert field_of(app, "support-message").value == QUESTION
        assert app.screen.id == "support-screen"


async def test_a_sent_message_reaches_the_support_address_and_empties_the_form(
    make_app, memory_keyring, mailbox
):
    from email.utils import parseaddr

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await open_support(pilot)
        await type_into(pilot, "support-subject", "Classer sous deux élèves", keystrokes=True)
        await write_message(pilot, QUESTION)
        await send(pilot)

        [received] = mailbox.wait_for(1)
        assert parseaddr(received["To"])[1] == SUPPORT_ADDRESS
        assert "Classer sous deux élèves" in received["Subject"]
        assert QUESTION in received.get_body(preferencelist=("plain",)).get_content()
        assert "camille@example.org" in str(received["Reply-To"])
        assert field_of(app, "support-subject").value == ""
        assert field_of(app, "support-message").value == ""
        assert notices(app, "Message envoyé. Nous vous répondrons sous peu.")
        assert app.screen.focused is field_of(app, "support-subject").input


async def test_signed_out_the_sign_in_screen_opens_the_form_and_escape_comes_back(
    make_app, memory_keyring, mailbox
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        await open_support(pilot)
        assert field_of(app, "support-from").value == ""
        assert app.screen.focused is field_of(app, "support-from").input
        await pilot.press(*keys("parent@example.org"), "enter")  # Enter: next field
        await pilot.press(*keys("Accès pour une école"), "enter")
        await pilot.press(*keys("Bonjour, combien de comptes pour une école?"))
        await send(pilot)

        [received] = mailbox.wait_for(1)
        assert "parent@example.org" in str(received["Reply-To"])
        assert "combien de comptes" in received.get_body(preferencelist=("plain",)).get_content()
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        assert len(app.screen_stack) == 2


async def test_escape_with_a_message_being_written_asks_before_dropping_it(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_support(pilot)
        await write_message(pilot, QUESTION)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "confirm-dialog"
        await pilot.press("enter")  # the focused, safe answer: keep writing
        await settle(pilot)
        assert app.screen.id == "support-screen"
        assert field_of(app, "support-message").value == QUESTION
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("tab", "enter")  # « Abandonner »
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"


async def test_an_unreachable_server_keeps_every_word(config, state_file):
    from banqo_tui.api.client import BanqoClient
    from banqo_tui.app import BanqoApp
    from banqo_tui.connection import Connection
    from banqo_tui.credentials import CredentialStore

    async def nowhere() -> BanqoClient:
        return BanqoClient("http://127.0.0.1:9", retries=0)

    app = BanqoApp(
        config, Connection(config, client_factory=nowhere), CredentialStore(state_file), device=DEVICE
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_support(pilot)
        await pilot.press(*keys("parent@example.org"), "enter", *keys("Une question"), "enter")
        await pilot.press(*keys(QUESTION))
        await send(pilot)

        assert notices(app, "injoignable")
        assert app.screen.id == "support-screen"
        assert field_of(app, "support-from").value == "parent@example.org"
        assert field_of(app, "support-subject").value == "Une question"
        assert field_of(app, "support-message").value == QUESTION


async def test_the_palette_offers_support_and_the_policy_signed_out_and_signed_in(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        texts = await palette_texts(pilot)
        assert "Des questions? Contactez-nous!" in texts
        assert "Politique de confidentialité" in texts
        assert "Ouvrir Mes paramètres" not in texts  # signed-in actions stay hidden
        await pilot.press("escape")
        await settle(pilot)

        await signed_up(pilot)
        texts = await palette_texts(pilot)
        assert "Des questions? Contactez-nous!" in texts
        assert "Ouvrir Mes paramètres" in texts
        await pilot.press("escape")
        await settle(pilot)
        await open_support(pilot)
        texts = await palette_texts(pilot)
        assert "Des questions? Contactez-nous!" not in texts  # already there


async def test_the_help_lists_the_support_key(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        text = "\n".join(app.screen.lines())
        assert "F9       Nous joindre" in text
        assert "F10      Politique de confidentialité" in text


async def test_the_policy_button_shows_the_page_over_the_form_which_keeps_its_text(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_support(pilot)
        await write_message(pilot, QUESTION)
        app.screen.query_one("#support-privacy").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "privacy-page-screen"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "support-screen"
        assert field_of(app, "support-message").value == QUESTION


async def test_the_sign_in_screen_button_opens_the_form(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#sign-in-support").focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "support-screen"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
