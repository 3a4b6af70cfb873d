"""« Mot de passe oublié »: the code comes by real mail (a local SMTP server), then a new password; by keyboard."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import PASSWORD, SIZE, keys, settle, type_into
from .test_sign_in_totp import EMAIL, field, notices

NEW_PASSWORD = "une toute nouvelle phrase"
CODE_SHAPE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")


@pytest.fixture
def with_mail() -> bool:
    """Whether the test server sends mail (a test parametrises it to False)."""
    return True


@pytest.fixture
def server_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def server_app(
    tmp_path: Path, cheap_settings: Any, mailbox: Any, with_mail: bool, server_overrides: dict[str, Any]
) -> Any:
    """The in-process server, sending its mail to the test's SMTP server."""
    from banqo_server.app import create_app

    return create_app(
        cheap_settings(
            database_url=f"sqlite:///{tmp_path / 'banqo-test.sqlite3'}",
            smtp_url=mailbox.url if with_mail else None,
            **server_overrides,
        )
    )


def mailed_code(mailbox: Any) -> str:
    message = mailbox.wait_for(1)[0]
    assert message["To"] == EMAIL
    found = CODE_SHAPE.search(mailbox.body(message))
    assert found is not None
    return found.group(0)


async def open_reset_screen(pilot) -> None:
    await settle(pilot)
    await type_into(pilot, "sign-in-email", EMAIL)
    await pilot.press("ctrl+o")
    await settle(pilot)
    assert pilot.app.screen.id == "password-reset-screen"
    assert field(pilot.app, "reset-email").value == EMAIL
    assert not pilot.app.screen.query_one("#reset-confirm-step").display


def status_text(app) -> str:
    return app.screen.query_one("#reset-status").render().plain


async def test_the_mailed_code_sets_a_new_password_that_signs_in(make_app, create_account, mailbox, memory_keyring):
    await create_account()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_reset_screen(pilot)
        await pilot.press("enter")  # « Envoyer le code »
        await settle(pilot)
        assert status_text(app).startswith("Si un compte existe avec cette adresse, un courriel contenant un code")
        code_field = field(app, "reset-code")
        assert code_field.label_text == "Code reçu par courriel"
        assert app.screen.focused is code_field.input

        code = mailed_code(mailbox)
        await pilot.press(*code, "enter", *keys(NEW_PASSWORD), "enter", *keys(NEW_PASSWORD), "enter")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        assert notices(app, "Mot de passe changé : connectez-vous avec le nouveau.")
        assert field(app, "sign-in-email").value == EMAIL
        assert app.screen.focused is field(app, "sign-in-password").input

        await pilot.press(*keys(PASSWORD), "enter")  # the old one no longer works
        await settle(pilot)
        assert field(app, "sign-in-password").error_text.startswith("Erreur : ")
        await pilot.press(*keys(NEW_PASSWORD), "enter")
        await settle(pilot)
        assert app.screen.id == "summary-screen"


async def test_a_wrong_code_is_said_under_the_code_and_the_typed_password_stays(
    make_app, create_account, mailbox, memory_keyring
):
    await create_account()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_reset_screen(pilot)
        await pilot.press("enter")
        await settle(pilot)
        code = mailed_code(mailbox)
        wrong = "ABCD-EFGH-JKMN" if code != "ABCD-EFGH-JKMN" else "WXYZ-WXYZ-WXYZ"
        await pilot.press(*wrong, "enter", *keys(NEW_PASSWORD), "enter", *keys(NEW_PASSWORD), "enter")
        await settle(pilot)
        assert app.screen.id == "password-reset-screen"
        code_field = field(app, "reset-code")
        assert code_field.error_text.startswith("Erreur : ")
        assert code_field.value == wrong
        assert app.screen.focused is code_field.input
        assert field(app, "reset-new-password").value == NEW_PASSWORD
        assert field(app, "reset-new-password-confirm").value == NEW_PASSWORD

        # The passwords typed differently: said under the confirmation, nothing sent.
        code_field.value = ""
        await pilot.press(*code)
        field(app, "reset-new-password-confirm").value = NEW_PASSWORD + "!"
        app.screen.query_one("#reset-confirm").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "pas identiques" in field(app, "reset-new-password-confirm").error_text
        assert field(app, "reset-code").error_text == ""

        # The right code still works (the wrong one did not spend it).
        field(app, "reset-new-password-confirm").value = NEW_PASSWORD
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"


@pytest.mark.parametrize("with_mail", [False])
async def test_a_server_that_sends_no_mail_says_so_plainly(make_app, create_account, memory_keyring):
    await create_account()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_reset_screen(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "password-reset-screen"
        status = status_text(app)
        assert status and app.screen.query_one("#reset-status").display
        assert field(app, "reset-email").error_text == ""
        assert not app.screen.query_one("#reset-confirm-step").display
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"


@pytest.mark.parametrize("server_overrides", [{"password_reset_email_limit": 1}])
async def test_too_many_requests_are_said_under_the_email(make_app, create_account, mailbox, memory_keyring):
    await create_account()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_reset_screen(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#reset-confirm-step").display
        app.screen.query_one("#reset-request").focus()
        await pilot.press("enter")
        await settle(pilot)
        email = field(app, "reset-email")
        assert email.error_text.startswith("Erreur : ")
        assert app.screen.focused is email.input
