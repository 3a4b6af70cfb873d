"""80×24 pictures of the screens (``pytest --snapshot-update`` to accept a deliberate change)."""

from __future__ import annotations

import asyncio

from .conftest import PASSWORD, SIZE, no_blink, settle, type_into


def test_sign_in_screen(snap_compare, make_app, memory_keyring):
    async def ready(pilot) -> None:
        await settle(pilot)
        no_blink(pilot.app)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=ready)


def test_sign_up_with_field_errors(snap_compare, make_app, create_account, memory_keyring):
    asyncio.run(create_account())

    async def wrong(pilot) -> None:
        from .test_sign_in import fill_sign_up

        await settle(pilot)
        no_blink(pilot.app)
        await fill_sign_up(pilot, "Léa", "", "camille@example.org", "court")
        pilot.app.screen.query_one("#sign-up-submit").press()
        await settle(pilot)
        # Then with a last name: the server's own messages (email taken, password too short).
        await type_into(pilot, "sign-up-last-name", "Gagnon")
        pilot.app.screen.query_one("#sign-up-submit").press()
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=wrong)


def test_resume_with_a_fixed_clock(snap_compare, make_app, create_account, memory_keyring, clock):
    asyncio.run(create_account())
    clock.advance(hours=3)

    async def signed_in(pilot) -> None:
        await settle(pilot)
        no_blink(pilot.app)
        await type_into(pilot, "sign-in-email", "camille@example.org")
        await type_into(pilot, "sign-in-password", PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen.id == "summary-screen"

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=signed_in)
