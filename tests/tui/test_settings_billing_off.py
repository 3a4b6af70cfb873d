"""BanqO on the teacher's own computer bills no one: the billing tabs and the résumé say so, and offer nothing
to pay for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import SIZE, settle
from .test_navigation import signed_up
from .test_settings_billing import open_tab, text_of


@pytest.fixture
def server_app(tmp_path: Path, cheap_settings: Any) -> Any:
    from banqo_server.app import create_app

    return create_app(cheap_settings(database_url=f"sqlite:///{tmp_path / 'banqo-test.sqlite3'}", billing=False))


async def test_a_server_that_bills_no_one_says_so_and_offers_nothing_to_pay(make_app, memory_keyring):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await signed_up(pilot)
        assert not app.screen.query_one("#subscription-title").display  # nothing to say in the résumé
        await open_tab(pilot, "enrolment")
        assert text_of(app, "#enrolment-state") == (
            "Ce serveur BanqO ne facture pas : aucun abonnement n'est nécessaire, rien n'expire."
        )
        assert not app.screen.query_one("#enrolment-offers").display
        assert not app.screen.query_one("#enrolment-choose").display
        await pilot.press("s")  # the offer key does nothing here
        assert app.screen.id == "settings-screen"
        app.screen.query_one("#settings-tabs").active = "settings-payment"
        await settle(pilot)
        assert text_of(app, "#payment-card") == "Ce serveur BanqO ne facture pas : aucune carte n'est nécessaire."
        assert not app.screen.query_one("#payment-setup").display
