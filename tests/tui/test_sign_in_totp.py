"""Signing in with two-factor sign-in, and the sign-in screen's ways out: forgotten password, support."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import struct
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx

from .conftest import PASSWORD, SIZE, keys, settle, type_into

EMAIL = "camille@example.org"


def totp_code(secret: str, moment: datetime, digits: int = 6, period: int = 30) -> str:
    """RFC 6238 (HMAC-SHA1 over the 30-second step), computed here rather than by the server's own code."""
    compact = "".join(secret.split()).upper()
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    step = int(moment.timestamp()) // period
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def wrong_code(secret: str, moment: datetime) -> str:
    """A code that is surely not accepted at ``moment`` (nor one step before or after)."""
    taken = {totp_code(secret, datetime.fromtimestamp(moment.timestamp() + delta)) for delta in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in taken)


@contextlib.asynccontextmanager
async def api_client(server_app: Any, port: int = 50002) -> AsyncIterator[Any]:
    """A client of the test server, as another program on another device would be."""
    from banqo_tui.api.client import BanqoClient

    transport = httpx.ASGITransport(app=server_app, client=("127.0.0.1", port))
    async with BanqoClient("http://banqo.test", transport=transport, retries=0) as client:
        yield client


async def enable_totp_through_the_api(server_app: Any, clock: Any, email: str = EMAIL) -> tuple[str, list[str]]:
    """Turn two-factor sign-in on for ``email`` (the secret and the recovery codes); the clock moves one step on,
    so that the next code is a new one."""
    async with api_client(server_app) as client:
        await client.sessions.sign_in(email=email, password=PASSWORD, device="Téléphone")
        setup = await client.me.totp_setup()
        enabled = await client.me.totp_enable(totp_code(setup.secret, clock.now))
        await client.sessions.sign_out()
    clock.advance(seconds=30)
    return setup.secret, enabled.recovery_codes


def field(app, field_id: str):
    return app.screen.query_one(f"#{field_id}")


def notices(app, text: str) -> list[str]:
    return [entry.text for entry in app.messages.entries if text in entry.text]


async def sign_in_until_the_code_is_asked(pilot) -> None:
    app = pilot.app
    await settle(pilot)
    assert not field(app, "sign-in-totp").display
    await type_into(pilot, "sign-in-email", EMAIL)
    await pilot.press("enter", *keys(PASSWORD), "enter")
    await settle(pilot)
    assert app.screen.id == "sign-in-screen"
    code = field(app, "sign-in-totp")
    assert code.display
    assert code.label_text == "Code de validation"
    # Asked for, not refused: the server's sentence as guidance, without the error mark.
    assert code.error_text.startswith("Entrez le code à 6 chiffres")
    assert not code.has_class("-invalid")
    assert app.screen.focused is code.input
    # The password stays: the next submit sends the email, the password and the code.
    assert field(app, "sign-in-password").value == PASSWORD
    assert field(app, "sign-in-password").error_text == ""


async def test_the_code_field_appears_when_asked_and_a_right_code_signs_in(
    make_app, create_account, server_app, clock, memory_keyring
):
    await create_account()
    secret, _codes = await enable_totp_through_the_api(server_app, clock)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_until_the_code_is_asked(pilot)
        # A wrong code: said under the field; still on the sign-in screen, the password kept.
        await pilot.press(*wrong_code(secret, clock.now), "enter")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        assert field(app, "sign-in-totp").error_text.startswith("Erreur : ")
        assert field(app, "sign-in-password").value == PASSWORD
        assert app.screen.focused is field(app, "sign-in-totp").input

        field(app, "sign-in-totp").value = ""
        await pilot.press(*totp_code(secret, clock.now), "enter")
        await settle(pilot)
        assert app.screen.id == "summary-screen"


async def test_a_recovery_code_signs_in_in_place_of_the_app_code(
    make_app, create_account, server_app, clock, memory_keyring
):
    await create_account()
    _secret, codes = await enable_totp_through_the_api(server_app, clock)
    assert len(codes) == 10
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_until_the_code_is_asked(pilot)
        await pilot.press(*codes[3], "enter")
        await settle(pilot)
        assert app.screen.id == "summary-screen"


async def test_without_two_factor_sign_in_no_code_is_asked(make_app, create_account, memory_keyring):
    await create_account()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_into(pilot, "sign-in-email", EMAIL)
        await pilot.press("enter", *keys("pas le bon"), "enter")
        await settle(pilot)
        # A wrong password: no code field, the password emptied as before.
        assert not field(app, "sign-in-totp").display
        assert field(app, "sign-in-password").value == ""
        await pilot.press(*keys(PASSWORD), "enter")
        await settle(pilot)
        assert app.screen.id == "summary-screen"


async def test_forgotten_password_opens_by_key_and_by_button_with_the_email(make_app, memory_keyring):
    from banqo_tui.commands import screen_keys

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert ("Ctrl+O", "Mot de passe oublié") in screen_keys(app.screen)
        await type_into(pilot, "sign-in-email", EMAIL)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.screen.id == "password-reset-screen"
        assert field(app, "reset-email").value == EMAIL
        assert app.screen.focused is field(app, "reset-email").input
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        assert field(app, "sign-in-email").value == EMAIL

        # The button, reached by Tab from the form.
        field(app, "sign-in-password").input.focus()
        await pilot.press("tab", "tab")
        assert app.screen.focused is app.screen.query_one("#sign-in-forgot")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "password-reset-screen"


async def test_the_forgotten_password_button_belongs_to_the_sign_in_form(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        forgot = app.screen.query_one("#sign-in-forgot")
        assert forgot.display
        await pilot.press("f6")
        await settle(pilot)
        assert not forgot.display
        await pilot.press("f5")
        await settle(pilot)
        assert forgot.display


async def test_the_support_button_opens_the_contact_form(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        support = app.screen.query_one("#sign-in-support")
        assert support.render().plain == "Des questions? Contactez-nous!"
        support.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "support-screen"
