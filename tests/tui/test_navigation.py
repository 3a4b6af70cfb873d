"""Moving around once signed in: sign-out, help, the command palette, the messages log."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette

from banqo_tui.app import BanqoApp

from .conftest import SIZE, settle, type_into


async def signed_up(pilot) -> BanqoApp:
    """Sign up through the form (Camille Tremblay) and wait for « Votre résumé »."""
    from .test_sign_in import fill_sign_up

    await settle(pilot)
    await fill_sign_up(pilot, "Camille", "Tremblay", "camille@example.org", "une phrase de passe")
    await pilot.press("enter")
    await settle(pilot)
    assert pilot.app.screen.id == "summary-screen"
    return pilot.app


async def palette_texts(pilot) -> list[str]:
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.pause(0.3)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    options = palette.query_one(CommandList)
    return [
        options.get_option_at_index(index).prompt.plain.split("\n")[0]
        for index in range(options.option_count)
    ]


async def test_sign_out_from_the_settings_screen_returns_to_sign_in(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert app.screen.id == "settings-screen"
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"
        assert app.screen.query_one("#sign-in-email").value == "camille@example.org"
        assert len(app.screen_stack) == 2  # nothing of the signed-in side is left behind
        assert memory_keyring.entries == {}
        # The résumé, passed on the way out, does not ask the server for anything with the session gone.
        assert [entry.text for entry in app.messages.newest_first()] == ["Vous êtes déconnecté."]
        await pilot.press("f2")  # signed out: the résumé is not reachable
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"


async def test_settings_has_the_tabs_of_the_guide_and_escape_goes_back(make_app, memory_keyring):
    from textual.widgets import Tab

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await pilot.press("f3")
        await settle(pilot)
        labels = [tab.label.plain for tab in app.screen.query(Tab)]
        assert labels == [
            "▸ Profil",  # the tab on screen is marked in text, not only by the coloured underline
            "Sécurité",
            "Inscription",
            "Méthode de paiement",
            "Factures",
            "Confidentialité",
            "Préférences",
        ]
        await pilot.press("right")
        await settle(pilot)
        labels = [tab.label.plain for tab in app.screen.query(Tab)]
        assert labels[:2] == ["Profil", "▸ Sécurité"]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "summary-screen"


async def test_f1_help_lists_the_sign_out_key(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert app.screen.id == "help-screen"
        text = "\n".join(app.screen.lines())
        assert "Ctrl+O" in text and "Se déconnecter" in text
        assert "Actualiser" in text  # the résumé's own key
        await pilot.press("f1")
        await settle(pilot)
        assert app.screen.id == "summary-screen"


async def test_palette_shows_translated_commands_and_no_english_system_ones(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        texts = await palette_texts(pilot)
        for expected in (
            "Ouvrir Mes paramètres",
            "Se déconnecter",
            "Voir les messages",
            "Aide",
            "Quitter BanqO",
            "Thème",
            "Capture d'écran",
            "Touches",
        ):
            assert expected in texts, texts
        for english in ("Theme", "Quit", "Keys", "Screenshot", "Maximize"):
            assert english not in texts
        assert pilot.app.screen.query_one("CommandInput").placeholder == "Chercher une commande…"


async def test_palette_runs_the_chosen_command(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_into_palette(pilot, "Ouvrir Mes")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "settings-screen"


async def type_into_palette(pilot, text: str) -> None:
    from .conftest import keys

    await pilot.press(*keys(text))
    await settle(pilot)
    await pilot.pause(0.3)


async def test_messages_log_holds_an_error_notification(make_app, create_account, memory_keyring):
    await create_account()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.report_error(RuntimeError("boom"))
        await type_into(pilot, "sign-in-email", "camille@example.org")
        await pilot.press("f4")
        await settle(pilot)
        assert app.screen.id == "messages-screen"
        lines = app.screen.lines()
        assert " — Erreur — Une erreur inattendue est survenue." in lines[0]
        assert "boom" not in "\n".join(lines)  # never the exception itself
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "sign-in-screen"


async def test_the_summary_buttons_open_their_screens(make_app, memory_keyring):
    from textual.widgets import Button

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        for button_id, screen_id in (
            ("open-settings", "settings-screen"),
            ("open-collection", "collection-screen"),
            ("open-learners", "learners-screen"),
        ):
            await pilot.press("f2")
            await settle(pilot)
            app.screen.query_one(f"#{button_id}", Button).press()
            await settle(pilot)
            assert app.screen.id == screen_id, button_id


async def test_settings_opens_on_the_tab_bar_and_f7_f8_change_tabs_from_a_field(make_app, memory_keyring):
    from textual.widgets import TabbedContent, Tabs

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await pilot.press("f3")
        await settle(pilot)
        tabs = app.screen.query_one("#settings-tabs", TabbedContent)
        assert isinstance(app.focused, Tabs)  # ← → choose a tab straight away
        await pilot.press("right")
        await settle(pilot)
        assert tabs.active == "settings-security"
        await pilot.press("left")
        await pilot.press("tab")  # into the profile's first field
        await settle(pilot)
        assert app.focused is app.screen.query_one("#profile-first-name").input
        await pilot.press("f8", "f8")
        await settle(pilot)
        assert tabs.active == "settings-enrolment"
        await pilot.press("f7")
        await settle(pilot)
        assert tabs.active == "settings-security"


async def test_plans_are_in_the_palette_and_the_help_and_a_plan_s_keys_too(make_app, memory_keyring):
    from banqo_tui.api.models import PlanCreate

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        assert "Aller à Plans" in await palette_texts(pilot)
        await pilot.press("escape")
        await pilot.press("f1")
        await settle(pilot)
        assert any(line.split()[:2] == ["F7", "Plans"] for line in app.screen.lines())
        await pilot.press("f1")
        await settle(pilot)

        client = await app.api()
        learner = await client.learners.create("Léa")
        plan = await client.plans.create(PlanCreate(learner_id=learner.id))
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "plan-screen" and app.screen.plan.id == plan.id
        texts = await palette_texts(pilot)
        for expected in ("Ajouter un objectif", "Reconduire le plan", "Modifier les forces", "Aller à : Révisions",
                         "Changer l'état du plan", "Exporter"):
            assert expected in texts, texts
        assert "Noter un progrès" not in texts  # no objective yet
        await pilot.press("escape")
        await pilot.press("f1")
        await settle(pilot)
        help_text = "\n".join(app.screen.lines())
        for expected in ("C        Reconduire le plan", "8        Aller à : Révisions", "M        Modifier les mesures",
                         "Les chiffres 1 à 8 mènent aux sections"):
            assert expected in help_text, help_text
