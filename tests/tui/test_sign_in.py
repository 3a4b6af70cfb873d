"""Signing up and signing in, and what the form says when something is wrong."""

from __future__ import annotations

import pytest
from textual.widgets import ContentSwitcher

from .conftest import PASSWORD, SIZE, keys, settle, type_into


def field(app, field_id: str):
    return app.screen.query_one(f"#{field_id}")


async def open_sign_up(pilot) -> None:
    await pilot.press("f6")
    await pilot.pause()
    assert pilot.app.screen.query_one(ContentSwitcher).current == "sign-up"


async def fill_sign_up(pilot, first: str, last: str, email: str, password: str) -> None:
    await open_sign_up(pilot)
    for field_id, text in (
        ("sign-up-first-name", first),
        ("sign-up-last-name", last),
        ("sign-up-email", email),
        ("sign-up-password", password),
    ):
        await type_into(pilot, field_id, text)


async def test_sign_up_shows_votre_resume_with_the_name(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_sign_up(pilot)  # F6, which focuses « Prénom »
        # Enter moves from field to field (typed ahead, without waiting), and submits from the last one.
        await pilot.press(*"Camille", "enter", *"Tremblay", "enter", *"camille@example.org", "tab",
                          *keys(PASSWORD), "enter")
        await settle(pilot)
        assert app.screen.id == "summary-screen"
        assert app.screen.query_one("#greeting").render().plain == "Bonjour, Camille Tremblay"


async def test_wrong_password_is_shown_under_mot_de_passe_and_the_email_stays(
    make_app, create_account, memory_keyring
):
    await create_account()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_into(pilot, "sign-in-email", "camille@example.org")
        await type_into(pilot, "sign-in-password", "pas le bon mot de passe")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        password = field(app, "sign-in-password")
        assert password.error_text == "Erreur : Courriel ou mot de passe incorrect."
        assert field(app, "sign-in-email").value == "camille@example.org"
        assert field(app, "sign-in-email").error_text == ""
        # After wrong credentials only the password is emptied, ready to be typed again.
        assert password.value == ""
        assert app.screen.focused is password.input


async def test_sign_in_with_the_right_password_opens_the_resume(make_app, create_account, memory_keyring):
    await create_account()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_into(pilot, "sign-in-email", "camille@example.org")
        await pilot.press("enter", *keys(PASSWORD))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "summary-screen"


async def test_email_taken_keeps_the_names_typed(make_app, create_account, memory_keyring):
    await create_account()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill_sign_up(pilot, "Léa", "Gagnon", "camille@example.org", PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        assert field(app, "sign-up-email").error_text.startswith("Erreur : ")
        assert field(app, "sign-up-first-name").value == "Léa"
        assert field(app, "sign-up-last-name").value == "Gagnon"
        assert field(app, "sign-up-email").value == "camille@example.org"
        assert field(app, "sign-up-password").value == PASSWORD
        assert field(app, "sign-up-first-name").error_text == ""


async def test_too_short_password_is_explained_under_the_password(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill_sign_up(pilot, "Camille", "Tremblay", "camille@example.org", "court")
        await pilot.press("enter")
        await settle(pilot)
        password = field(app, "sign-up-password")
        assert "au moins 8 caractères" in password.error_text
        assert password.value == "court"
        assert field(app, "sign-up-email").value == "camille@example.org"


@pytest.mark.parametrize("password", ["motdepasse", "azertyuiop"])
async def test_too_common_password_is_explained_under_the_password_and_the_names_stay(
    make_app, memory_keyring, password
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill_sign_up(pilot, "Camille", "Tremblay", "camille@example.org", password)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        assert "courant" in field(app, "sign-up-password").error_text
        assert field(app, "sign-up-first-name").value == "Camille"
        assert field(app, "sign-up-last-name").value == "Tremblay"


async def test_empty_fields_are_flagged_without_asking_the_server(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        client = await app.api()
        sent: list[object] = []
        client._http.event_hooks["request"].append(lambda request: sent.append(request))
        await type_into(pilot, "sign-in-email", "camille@example.org")
        await pilot.press("enter", "enter")  # to the password, then submit it empty
        await settle(pilot)
        assert field(app, "sign-in-password").error_text == "Erreur : Ce champ est obligatoire."
        assert sent == []
        await open_sign_up(pilot)
        app.screen.query_one("#sign-up-submit").press()
        await settle(pilot)
        for field_id in ("sign-up-first-name", "sign-up-last-name", "sign-up-email", "sign-up-password"):
            assert field(app, field_id).error_text == "Erreur : Ce champ est obligatoire."
        assert sent == []


async def test_field_error_is_also_written_in_the_label(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#sign-in-submit").press()
        await settle(pilot)
        email = field(app, "sign-in-email")
        assert email._label.render().plain.startswith("✗ ")
        assert "erreur" in str(email.input.tooltip)


async def test_too_many_attempts_say_how_long_to_wait_under_the_password(
    make_app, create_account, memory_keyring
):
    await create_account()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        client = await app.api()
        from banqo_tui.api.errors import TooManyRequests

        for _attempt in range(30):
            try:
                await client.sessions.sign_in(email="camille@example.org", password="mauvais mot")
            except TooManyRequests:
                break
            except Exception:  # noqa: BLE001 - wrong password until the throttle starts
                continue
        await type_into(pilot, "sign-in-email", "camille@example.org")
        await type_into(pilot, "sign-in-password", PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        error = field(app, "sign-in-password").error_text
        assert "réessayez dans" in error
        assert field(app, "sign-in-email").value == "camille@example.org"
