"""« Mes paramètres », « Sécurité »: the password, the signed-in devices, two-factor sign-in — by keyboard, at 80×24,
against the real server in-process."""

from __future__ import annotations

import pytest

from banqo_tui.api import errors

from .conftest import PASSWORD, SIZE, keys, settle, type_into
from .test_collection_screen import read_aloud
from .test_navigation import signed_up
from .test_sign_in_totp import EMAIL, api_client, field, notices, totp_code, wrong_code

NEW_PASSWORD = "une toute nouvelle phrase"


def plain(text: str) -> str:
    """Text with its non-breaking spaces made ordinary (French dates and hours hold some)."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def open_security(pilot) -> None:
    """F3, then → to the « Sécurité » tab."""
    from textual.widgets import TabbedContent

    await pilot.press("f3")
    await settle(pilot)
    assert pilot.app.screen.id == "settings-screen"
    await pilot.press("right")
    await settle(pilot)
    assert pilot.app.screen.query_one("#settings-tabs", TabbedContent).active == "settings-security"


def session_texts(app) -> list[str]:
    listing = app.screen.query_one("#security-sessions")
    return [plain(listing.get_option_at_index(index).prompt.plain) for index in range(listing.option_count)]


def state_text(app) -> str:
    return plain(app.screen.query_one("#security-totp-state").render().plain)


async def test_change_password_checks_the_fields_then_ends_the_other_sessions(make_app, server_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        async with api_client(server_app) as other:
            await other.sessions.sign_in(email=EMAIL, password=PASSWORD, device="Portable de la maison")
            await open_security(pilot)
            assert len(session_texts(app)) == 2

            # A wrong current password: the server's message under « Mot de passe actuel ».
            await type_into(pilot, "security-current-password", "pas le bon mot de passe")
            await pilot.press("enter", *keys(NEW_PASSWORD), "enter", *keys(NEW_PASSWORD), "enter")
            await settle(pilot)
            current = field(app, "security-current-password")
            assert current.error_text.startswith("Erreur : ")
            assert app.screen.focused is current.input
            assert field(app, "security-new-password").value == NEW_PASSWORD
            await other.me.summary()  # nothing changed

            # The new password typed differently the second time: said here, under the confirmation.
            current.value = ""
            await type_into(pilot, "security-current-password", PASSWORD)
            confirm = field(app, "security-new-password-confirm")
            confirm.value = ""
            await type_into(pilot, "security-new-password-confirm", NEW_PASSWORD + "!")
            await pilot.press("enter")
            await settle(pilot)
            assert "pas identiques" in confirm.error_text
            assert current.error_text == ""
            assert app.screen.focused is confirm.input
            await other.me.summary()

            # Right: the fields are emptied, the notification counts the sessions ended, the other one is gone.
            confirm.value = ""
            await pilot.press(*keys(NEW_PASSWORD), "enter")
            await settle(pilot)
            assert notices(app, "Mot de passe changé. 1 autre session a été fermée.")
            assert [f.value for f in app.screen.query("#security-pane Field")] == ["", "", ""]
            assert [f.error_text for f in app.screen.query("#security-pane Field")] == ["", "", ""]
            with pytest.raises(errors.NotSignedIn):
                await other.me.summary()
            assert len(session_texts(app)) == 1
            assert "Aucun autre appareil" in plain(app.screen.query_one("#security-sessions-status").render().plain)

        # The new password is the one that works now.
        async with api_client(server_app) as again:
            await again.sessions.sign_in(email=EMAIL, password=NEW_PASSWORD, device="Portable de la maison")


async def test_another_session_is_ended_from_the_list_after_a_confirmation(make_app, server_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        async with api_client(server_app) as other:
            await other.sessions.sign_in(email=EMAIL, password=PASSWORD, device="Portable de la maison")
            await open_security(pilot)
            texts = session_texts(app)
            assert texts[0].startswith("Terminal de test (cet appareil)\n")
            assert "ouverte le 2 nov. 2026, 09 h 00" in texts[0]  # 14 h UTC, in Montréal
            assert "dernière activité : 2 nov. 2026, 09 h 00" in texts[0]
            assert texts[1].startswith("Portable de la maison\n")
            assert "(cet appareil)" not in texts[1]

            listing = app.screen.query_one("#security-sessions")
            listing.focus()
            await settle(pilot)
            # This terminal's own session: not from here.
            await pilot.press("x")
            await settle(pilot)
            assert app.screen.id == "settings-screen"
            assert notices(app, "utilisez « Se déconnecter » (Ctrl+O)")

            await pilot.press("down", "delete")
            await settle(pilot)
            assert app.screen.id == "confirm-dialog"
            assert "Portable de la maison" in read_aloud(app)
            await pilot.press("tab", "enter")  # the safe answer has the focus: Tab to « Fermer la session »
            await settle(pilot)
            assert app.screen.id == "settings-screen"
            assert notices(app, "Session fermée : Portable de la maison.")
            assert len(session_texts(app)) == 1
            with pytest.raises(errors.NotSignedIn):
                await other.me.summary()


async def test_two_factor_sign_in_on_then_asked_at_sign_in_then_off(make_app, clock, memory_keyring):
    from banqo_tui.widgets.qr import QrCode

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await open_security(pilot)
        assert state_text(app).startswith("État : désactivée.")
        assert not app.screen.query_one("#security-totp-disable").display

        # « Activer… »: the secret as text and as a QR code that fits the terminal, all in one dialog.
        enable = app.screen.query_one("#security-totp-enable")
        enable.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "totp-setup-dialog"
        secret_line = plain(app.screen.query_one("#totp-secret").render().plain)
        assert secret_line.startswith("Clé : ")
        groups = secret_line.removeprefix("Clé : ").split()
        assert all(len(group) == 4 for group in groups[:-1])
        secret = "".join(groups)
        qr = app.screen.query_one(QrCode)
        assert qr.size.height <= 22 and qr.size.width <= 78
        assert qr.region.bottom <= SIZE[1] and field(app, "totp-code").region.bottom <= SIZE[1]
        assert app.screen.focused is field(app, "totp-code").input

        # A wrong code: said under « Code », the dialog stays.
        await pilot.press(*wrong_code(secret, clock.now), "enter")
        await settle(pilot)
        assert app.screen.id == "totp-setup-dialog"
        assert field(app, "totp-code").error_text.startswith("Erreur : ")

        field(app, "totp-code").value = ""
        await pilot.press(*totp_code(secret, clock.now), "enter")
        await settle(pilot)
        assert app.screen.id == "recovery-codes-dialog"
        codes = app.screen.query_one("#recovery-codes").render().plain.split("\n")
        assert len(codes) == 10 and len(set(codes)) == 10
        text = read_aloud(app)
        assert "Notez ces codes maintenant : ils ne seront plus jamais affichés. Chacun ne sert qu'une fois." in text
        await pilot.press("escape")  # only the button closes it
        await settle(pilot)
        assert app.screen.id == "recovery-codes-dialog"
        assert app.screen.focused is app.screen.query_one("#recovery-codes-done")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "settings-screen"
        assert notices(app, "Validation en deux étapes activée.")
        assert state_text(app).startswith("État : activée depuis le 2 novembre 2026.")
        assert app.screen.query_one("#security-totp-disable").display
        assert not enable.display

        # Signed out and back in: the code is asked, and a right one signs in.
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        await pilot.press(*keys(PASSWORD), "enter")
        await settle(pilot)
        code_field = field(app, "sign-in-totp")
        assert code_field.display and code_field.error_text.startswith("Entrez le code à 6 chiffres")
        assert app.screen.focused is code_field.input
        clock.advance(seconds=30)  # the code used to turn it on works only once
        await pilot.press(*totp_code(secret, clock.now), "enter")
        await settle(pilot)
        assert app.screen.id == "summary-screen"

        # « Désactiver… »: the password asked; a wrong one is said under it.
        await open_security(pilot)
        disable = app.screen.query_one("#security-totp-disable")
        disable.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "totp-disable-dialog"
        await pilot.press(*keys("pas le bon mot de passe"), "enter")
        await settle(pilot)
        assert app.screen.id == "totp-disable-dialog"
        password = field(app, "totp-disable-password")
        assert password.error_text.startswith("Erreur : ")
        password.value = ""
        await pilot.press(*keys(PASSWORD), "enter")
        await settle(pilot)
        assert app.screen.id == "settings-screen"
        assert notices(app, "Validation en deux étapes désactivée.")
        assert state_text(app).startswith("État : désactivée.")

        # And the next sign-in asks for no code.
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press(*keys(PASSWORD), "enter")
        await settle(pilot)
        assert app.screen.id == "summary-screen"


async def test_in_screen_reader_mode_the_secret_is_given_as_text_without_a_qr_code(
    make_app, config, memory_keyring
):
    from banqo_tui.widgets.qr import QrCode

    config.accessible = True
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await open_security(pilot)
        app.screen.query_one("#security-totp-enable").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "totp-setup-dialog"
        assert not app.screen.query(QrCode)
        text = read_aloud(app)
        assert "tapez cette clé" in text and "Clé : " in text
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "settings-screen"
        assert state_text(app).startswith("État : désactivée.")
