"""Sessions across runs: the keyring, its absence, expired tokens, an unreachable server, the demo."""

from __future__ import annotations

from .conftest import DEVICE, PASSWORD, SIZE, keys, settle, type_into
from .test_navigation import signed_up

NO_KEYRING = "Aucun trousseau de clés utilisable"


def notices(app, text: str) -> list[str]:
    return [entry.text for entry in app.messages.entries if text in entry.text]


async def test_a_second_run_with_the_stored_token_opens_the_resume_directly(make_app, memory_keyring):
    first = make_app()
    async with first.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
    assert len(memory_keyring.entries) == 1

    second = make_app()
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert second.screen.id == "summary-screen"
        assert second.screen.query_one("#greeting").render().plain == "Bonjour, Camille Tremblay"


async def test_an_expired_token_is_forgotten_and_the_email_prefilled(make_app, memory_keyring, clock):
    first = make_app()
    async with first.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
    clock.advance(days=365)

    second = make_app()
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert second.screen.id == "sign-in-screen"
        assert second.screen.query_one("#sign-in-email").value == "camille@example.org"
        assert second.screen.focused is second.screen.query_one("#sign-in-password").input
        assert memory_keyring.entries == {}


async def test_without_a_keyring_the_notice_is_shown_once(make_app, no_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        assert len(notices(app, NO_KEYRING)) == 1
        await pilot.press("ctrl+o")
        await settle(pilot)
        await type_into(pilot, "sign-in-password", PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "summary-screen"
        assert len(notices(app, NO_KEYRING)) == 1

    # The token lived in memory only: the next run asks for the password again.
    second = make_app()
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert second.screen.id == "sign-in-screen"
        assert second.screen.query_one("#sign-in-email").value == "camille@example.org"


async def test_a_session_ended_elsewhere_sends_back_to_sign_in_with_a_notice(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        client = await app.api()
        sessions = await client.sessions.list()
        # End our own session as if from another device, then refresh the résumé.
        other = client.token
        await client.sessions.end(sessions[0].id)
        client.token = other
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        assert notices(app, "Votre session a pris fin")
        assert memory_keyring.entries == {}


async def test_an_unreachable_server_is_said_with_a_retry_key(config, state_file):
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
        status = app.screen.query_one("#connection-status").render().plain
        assert "injoignable" in status and "Ctrl+R" in status
        assert app.screen.check_action("retry_connection", ()) is True
        # Submitting still answers in words, under no field: a notification.
        await type_into(pilot, "sign-in-email", "camille@example.org")
        await pilot.press("enter", *keys(PASSWORD), "enter")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        assert app.screen.query_one("#sign-in-email").value == "camille@example.org"
        assert notices(app, "injoignable")
