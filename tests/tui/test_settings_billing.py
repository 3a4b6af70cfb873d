"""« Mes paramètres › Inscription, Méthode de paiement, Factures » and the « Abonnement » part of « Votre résumé »:
by keyboard, at 80×24, against the real server in-process with the sandbox processor and a clock the test moves."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from .conftest import SIZE, keys, settle, type_into
from .test_collection_screen import screen_text
from .test_file_picker import wait_for
from .test_navigation import signed_up
from .test_sessions import notices

GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000000000000002"


@pytest.fixture
def server_app(tmp_path: Path, cheap_settings: Any) -> Any:
    """The test server, its sessions long enough to outlast the months the clock skips (renewals, the end)."""
    from banqo_server.app import create_app

    return create_app(
        cheap_settings(
            database_url=f"sqlite:///{tmp_path / 'banqo-test.sqlite3'}",
            session_idle_timeout=timedelta(days=400),
            session_lifetime=timedelta(days=800),
        )
    )


def plain(text: str) -> str:
    """Text with its non-breaking spaces made ordinary (French money and dates hold some)."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def text_of(app: Any, selector: str) -> str:
    return plain(app.screen.query_one(selector).render().plain)


async def open_tab(pilot: Any, tab: str) -> None:
    """F3, then the tab ``tab`` (``enrolment``, ``payment``, ``invoices``), its data loaded."""
    await pilot.press("f3")
    await settle(pilot)
    assert pilot.app.screen.id == "settings-screen"
    pilot.app.screen.query_one("#settings-tabs").active = f"settings-{tab}"
    await settle(pilot)


async def press_button(pilot: Any, selector: str) -> None:
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


async def add_card(app: Any, number: str = GOOD_CARD, exp_month: int = 12, exp_year: int = 2028) -> None:
    """A card on file straight through the API and the sandbox processor (faster than the form)."""
    client = await app.api()
    session = await client.payment_method.setup()
    answer = await client.sandbox.confirm(
        session.id, number=number, exp_month=exp_month, exp_year=exp_year, cvc="123"
    )
    method = await client.payment_method.get()
    await client.payment_method.replace(method.version, answer.token)


async def subscribe_monthly(app: Any) -> None:
    client = await app.api()
    subscription = await client.subscription.get()
    await client.subscription.change(subscription.version, "monthly")


async def choose_offer(pilot: Any, offer_id: str) -> None:
    """Highlight ``offer_id`` in the offers list and press S (the confirmation dialog opens)."""
    listing = pilot.app.screen.query_one("#enrolment-offers")
    listing.focus()
    ids = [listing.get_option_at_index(index).id for index in range(listing.option_count)]
    listing.highlighted = ids.index(offer_id)
    await pilot.pause()
    await pilot.press("s")
    await settle(pilot)


def run_billing(server_app: Any) -> Any:
    from banqo_server.services import billing

    state = server_app.state
    return billing.run(state.session_factory, state.settings, state.processor)


# --- « Inscription » ---------------------------------------------------------------------------


async def test_the_trial_its_offers_and_the_rules_are_said_in_words(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await open_tab(pilot, "enrolment")
        assert text_of(app, "#enrolment-state") == "Essai gratuit jusqu'au 2 décembre 2026 (aucune carte requise)"
        assert "Période en cours : du 2 nov. 2026 au 2 déc. 2026" in text_of(app, "#enrolment-details")
        listing = app.screen.query_one("#enrolment-offers")
        offers = [plain(str(listing.get_option_at_index(index).prompt)) for index in range(listing.option_count)]
        assert offers == [
            "Mensuel — 9,00 $ par mois + taxes (10,35 $ taxes comprises)",
            "Annuel — 90,00 $ par année + taxes (103,48 $ taxes comprises)",
        ]
        rules = text_of(app, "#enrolment-rules")
        assert "les jours d'essai qui restent s'ajoutent à votre première période" in rules
        assert "BanqO réessaie 1, 3 et 7 jours après l'échéance" in rules
        assert "conservés 30 jours, puis supprimés" in rules
        # Nothing to cancel in a trial: neither the button nor the key.
        assert not app.screen.query_one("#enrolment-cancel").display


async def test_billing_details_are_saved_alone_even_in_the_trial(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await open_tab(pilot, "enrolment")
        await type_into(pilot, "enrolment-billing-details", "École Saint-Exemple, bon de commande 42")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert notices(app, "Renseignements de facturation enregistrés.")
        subscription = await (await app.api()).subscription.get()
        assert subscription.billing_details == "École Saint-Exemple, bon de commande 42"
        assert subscription.state == "trial"  # nothing else changed


async def test_subscribing_without_a_card_says_so_and_leads_to_the_payment_tab(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await open_tab(pilot, "enrolment")
        await choose_offer(pilot, "monthly")
        assert app.screen.id == "confirm-dialog"
        explanation = plain(app.screen.query_one(".dialog--text").render().plain)
        assert "10,35 $ taxes comprises seront prélevés aujourd'hui" in explanation
        assert "les jours d'essai qui restent s'ajoutent à votre première période" in explanation
        await press_button(pilot, "#confirm-yes")

        assert app.screen.id == "settings-screen"
        assert text_of(app, "#enrolment-status") == "Ajoutez d'abord une carte dans « Méthode de paiement »."
        assert text_of(app, "#enrolment-state").startswith("Essai gratuit")
        go = app.screen.query_one("#enrolment-go-payment")
        assert go.display and app.screen.focused is go
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#settings-tabs").active == "settings-payment"


async def test_subscribing_monthly_makes_it_active_and_issues_an_invoice(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await add_card(app)
        await open_tab(pilot, "enrolment")
        await type_into(pilot, "enrolment-billing-details", "École des Érables, bon de commande 42")
        await choose_offer(pilot, "monthly")
        await press_button(pilot, "#confirm-yes")

        assert text_of(app, "#enrolment-state") == "Actif — offre mensuelle"
        details = text_of(app, "#enrolment-details")
        assert "Prochain prélèvement le 2 janv. 2027 : 10,35 $ (9,00 $ + TPS 0,45 $ + TVQ 0,90 $)" in details
        assert notices(app, "Abonnement changé : Actif — offre mensuelle.")

        app.screen.query_one("#settings-tabs").active = "settings-invoices"
        await settle(pilot)
        table = app.screen.query_one("#invoices-table")
        assert table.row_count == 1
        assert [plain(str(cell)) for cell in table.get_row_at(0)] == [
            "2 nov. 2026", "BQ-2026-000001", "10,35 $", "Payée",
        ]
        # Enter shows the invoice in the pane; Escape comes back to the list (and stays in « Mes paramètres »).
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        detail = text_of(app, "#invoice-detail-text")
        assert detail.startswith("Facture BQ-2026-000001 — 2 novembre 2026")
        assert "Renseignements de facturation : École des Érables, bon de commande 42" in detail
        assert "TPS (5 %) : 0,45 $" in detail and "TVQ (9,975 %) : 0,90 $" in detail
        assert "Total : 10,35 $" in detail
        assert "Payée le 2 nov. 2026 avec la carte Visa •••• 4242" in detail
        # Drawn: the pane is on screen (a loaded machine can take seconds to paint it).
        await wait_for(pilot, lambda: "BQ-2026-000001" in screen_text(app), timeout=15, shown=lambda: screen_text(app))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "settings-screen"
        assert table.display and not app.screen.query_one("#invoice-detail").display


async def test_an_invoice_opens_at_its_top_however_late_the_pane_is_laid_out(make_app, memory_keyring):
    """At 80×24 the invoice is taller than its pane and its focused button sits below the fold. On a loaded machine
    the pane can be laid out before Textual's scroll-to-the-focused-widget runs: that scroll, made late here on
    purpose, used to carry the invoice's number and date off the top for good."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await add_card(app)
        client = await app.api()
        subscription = await client.subscription.get()
        await client.subscription.change(subscription.version, "monthly", billing_details="École des Érables, BC 42")
        await open_tab(pilot, "invoices")
        screen = app.screen
        on_time = screen.call_later

        def late(callback: Any, *args: Any, **kwargs: Any) -> bool:
            if getattr(callback, "__name__", "") != "scroll_to_center":
                return on_time(callback, *args, **kwargs)
            screen.set_timer(0.3, lambda: callback(*args))
            return True

        screen.call_later = late
        screen.query_one("#invoices-table").focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause(0.6)  # past the late scroll
        pane = screen.query_one("InvoicesPane")
        assert pane.scroll_y == 0
        assert screen.focused is screen.query_one("#invoice-download")
        await wait_for(pilot, lambda: "Facture BQ-2026-000001 — 2 novembre 2026" in screen_text(app), timeout=15)


async def test_cancelling_states_the_end_date_and_resuming_undoes_it(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await add_card(app)
        await subscribe_monthly(app)
        await open_tab(pilot, "enrolment")
        app.screen.query_one("#enrolment-offers").focus()
        await pilot.press("x")
        await settle(pilot)
        explanation = plain(app.screen.query_one(".dialog--text").render().plain)
        assert "restera en vigueur jusqu'au 2 janvier 2027 : rien n'est perdu d'ici là" in explanation
        await press_button(pilot, "#confirm-yes")
        assert text_of(app, "#enrolment-state") == "Annulé — prend fin le 2 janvier 2027"
        assert app.screen.query_one("#enrolment-resume").display

        await press_button(pilot, "#enrolment-resume")
        assert "rien n'est prélevé aujourd'hui" in plain(app.screen.query_one(".dialog--text").render().plain)
        await press_button(pilot, "#confirm-yes")
        assert text_of(app, "#enrolment-state") == "Actif — offre mensuelle"


async def test_a_change_made_elsewhere_is_shown_and_what_was_typed_stays(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await add_card(app)
        await open_tab(pilot, "enrolment")
        await type_into(pilot, "enrolment-billing-details", "Bon de commande 7")
        await subscribe_monthly(app)  # another window subscribes meanwhile

        await choose_offer(pilot, "yearly")
        await press_button(pilot, "#confirm-yes")
        assert "modifié ailleurs" in text_of(app, "#enrolment-status")
        assert text_of(app, "#enrolment-state") == "Actif — offre mensuelle"
        assert app.screen.query_one("#enrolment-billing-details").value == "Bon de commande 7"
        client = await app.api()
        assert (await client.subscription.get()).offer == "monthly"


# --- « Méthode de paiement » -------------------------------------------------------------------


async def test_adding_the_sandbox_test_card_shows_it_in_words_and_forgets_its_number(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await open_tab(pilot, "payment")
        assert text_of(app, "#payment-card") == "Aucune carte enregistrée."
        await press_button(pilot, "#payment-setup")
        assert "Processeur de test : aucune vraie carte n'est débitée." in screen_text(app)
        assert "4000 0000 0000 0002" in text_of(app, "#payment-test-cards")

        await pilot.press(*keys(GOOD_CARD), "enter", *keys("12/28"), "enter", *keys("123"), "enter")
        await settle(pilot)
        assert text_of(app, "#payment-card") == "Visa •••• 4242 — expire en 12/2028"
        assert text_of(app, "#payment-status") == "Carte enregistrée : Visa •••• 4242"
        assert app.screen.query_one("#payment-number").value == ""
        assert app.screen.query_one("#payment-cvc").value == ""
        assert not app.screen.query_one("#payment-sandbox").display
        assert not [entry for entry in app.messages.entries if "4242 4242" in entry.text or "42424242" in entry.text]
        assert text_of(app, "#payment-setup") == "Remplacer la carte"


async def test_a_bad_card_number_is_said_under_its_field_and_the_rest_stays(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await open_tab(pilot, "payment")
        await press_button(pilot, "#payment-setup")
        await pilot.press(*keys("4242 4242 4242 4241"), "enter", *keys("12/28"), "enter", *keys("123"), "enter")
        await settle(pilot)

        number = app.screen.query_one("#payment-number")
        assert number.error_text == "Erreur : Ce numéro de carte n'est pas valide."
        assert app.screen.focused is number.input
        assert number.value == "4242 4242 4242 4241"
        assert app.screen.query_one("#payment-expiry").value == "12/28"
        assert app.screen.query_one("#payment-cvc").value == "123"
        assert text_of(app, "#payment-card") == "Aucune carte enregistrée."

        # A past expiry: the processor's message goes under « Expiration (MM/AA) ».
        number.value = ""
        await type_into(pilot, "payment-number", GOOD_CARD)
        expiry = app.screen.query_one("#payment-expiry")
        expiry.value = ""
        await type_into(pilot, "payment-expiry", "01/20")
        await press_button(pilot, "#payment-save")
        assert number.error_text == ""
        assert expiry.error_text == "Erreur : Cette carte est expirée."


async def test_a_processor_page_is_shown_as_an_address_and_a_qr_code(make_app, memory_keyring, monkeypatch):
    """A real processor's session has a page of its own: the card is typed there, not in BanqO."""
    from datetime import UTC, datetime

    from banqo_tui.api.models import SetupSession

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await open_tab(pilot, "payment")
        client = await app.api()
        url = "https://paiements.example.com/saisie/sess_123"

        async def hosted_setup() -> SetupSession:
            return SetupSession(id="sess_123", processor="exemple", url=url, expires_at=datetime.now(UTC))

        monkeypatch.setattr(client.payment_method, "setup", hosted_setup)
        await press_button(pilot, "#payment-setup")
        assert "Saisissez la carte sur la page du processeur." in screen_text(app)
        assert text_of(app, "#payment-hosted-url") == url
        assert app.screen.query_one("#payment-hosted-qr").lines
        assert not app.screen.query_one("#payment-sandbox").display


def test_money_is_written_as_each_language_writes_it():
    from banqo_tui import i18n
    from banqo_tui.screens.settings_enrolment import money

    assert plain(money(1035)) == "10,35 $"
    i18n.setup("en")
    assert money(1035) == "$10.35"


# --- « Factures » --------------------------------------------------------------------------------


async def test_downloading_an_invoice_writes_its_pdf_through_the_picker(
    make_app, memory_keyring, tmp_path, monkeypatch
):
    from .test_file_picker import wait_for

    home = tmp_path / "maison"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await open_tab(pilot, "invoices")
        assert text_of(app, "#invoices-count") == "Aucune facture pour l'instant."
        await add_card(app)
        await subscribe_monthly(app)
        app.screen.query_one("#settings-tabs").active = "settings-enrolment"
        await settle(pilot)
        app.screen.query_one("#settings-tabs").active = "settings-invoices"
        await settle(pilot)

        app.screen.query_one("#invoices-table").focus()
        await pilot.press("t")
        await wait_for(pilot, lambda: app.screen.id == "file-picker")
        path_field = app.screen.query_one("#file-picker-path")
        assert path_field.value == str(home / "BQ-2026-000001.pdf")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.id == "settings-screen")
        await settle(pilot)

        destination = home / "BQ-2026-000001.pdf"
        assert text_of(app, "#invoice-download-status") == f"Facture enregistrée : {destination}"
        assert destination.read_bytes().startswith(b"%PDF")


# --- « Votre résumé » ----------------------------------------------------------------------------


async def test_the_resume_says_when_the_trial_ends(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        assert text_of(app, "#subscription-title") == "Abonnement"
        assert text_of(app, "#subscription") == "Essai gratuit jusqu'au 2 décembre 2026."
        assert not app.screen.query_one("#subscription-actions").display


async def test_back_on_the_resume_the_new_subscription_is_shown(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        assert text_of(app, "#subscription").startswith("Essai gratuit")
        await pilot.press("f3")
        await settle(pilot)
        await add_card(app)
        await subscribe_monthly(app)
        await pilot.press("escape")  # back to « Votre résumé », which reads the account again
        await settle(pilot)
        assert app.screen.id == "summary-screen"
        assert not text_of(app, "#subscription").startswith("Essai gratuit")
        assert "mensuel" in text_of(app, "#subscription")


async def test_the_resume_says_why_a_renewal_was_declined(make_app, server_app, memory_keyring, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await add_card(app)
        await subscribe_monthly(app)
        await add_card(app, DECLINED_CARD)
        clock.advance(days=61)  # past the first period (the trial's days were added to it)
        report = run_billing(server_app)
        assert report.declined == 1
        await pilot.press("r")
        await settle(pilot)
        text = text_of(app, "#subscription")
        assert text.startswith("Paiement en souffrance. La carte a été refusée par l'institution financière.")
        assert "Nouvel essai le 3 janv. 2027." in text
        assert text.endswith("Remplacez la carte dans Mes paramètres › Méthode de paiement.")

        # « Inscription » says the same; a working card entered in « Méthode de paiement » pays at once.
        await open_tab(pilot, "enrolment")
        assert text_of(app, "#enrolment-state") == "Paiement en souffrance — offre mensuelle"
        assert "La carte a été refusée par l'institution financière." in text_of(app, "#enrolment-details")
        await press_button(pilot, "#enrolment-go-payment")
        assert app.screen.query_one("#settings-tabs").active == "settings-payment"
        await press_button(pilot, "#payment-setup")
        await pilot.press(*keys(GOOD_CARD), "enter", *keys("12/28"), "enter", *keys("123"), "enter")
        await settle(pilot)
        assert text_of(app, "#payment-status") == "Carte enregistrée : Visa •••• 4242"
        assert text_of(app, "#enrolment-state") == "Actif — offre mensuelle"


async def test_the_resume_announces_a_card_that_expires_within_a_month(make_app, memory_keyring, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        await add_card(app, exp_month=12, exp_year=2026)  # valid through 31 December 2026
        await pilot.press("r")
        await settle(pilot)
        assert "expire" not in text_of(app, "#subscription")
        clock.advance(days=30)  # 2 December: within the month
        await pilot.press("r")
        await settle(pilot)
        assert "La carte Visa •••• 4242 expire bientôt (12/2026)." in text_of(app, "#subscription")


async def test_an_ended_trial_offers_the_export_and_a_new_subscription(make_app, server_app, memory_keyring, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        clock.advance(days=31)
        assert run_billing(server_app).ended == 1
        await pilot.press("r")
        await settle(pilot)
        assert text_of(app, "#subscription") == (
            "Abonnement terminé le 2 décembre 2026. "
            "Votre collection, vos élèves et vos plans seront supprimés le 1 janvier 2027."
        )
        assert app.screen.query_one("#subscription-actions").display
        await press_button(pilot, "#open-export")
        assert app.screen.id == "settings-screen"
        assert app.screen.query_one("#settings-tabs").active == "settings-privacy"
        await pilot.press("escape")
        await settle(pilot)

        await press_button(pilot, "#open-enrolment")
        assert app.screen.query_one("#settings-tabs").active == "settings-enrolment"
        assert text_of(app, "#enrolment-state") == "Terminé le 2 décembre 2026"
        assert text_of(app, "#enrolment-choose") == "S'abonner à l'offre choisie (S)"
