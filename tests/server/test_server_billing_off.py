"""A server that bills no one (`BANQO_BILLING=off`, the default of BanqO on the teacher's own computer): no
subscription is needed, nothing expires, nothing is deleted for want of a card."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from banqo_server.services import billing
from banqo_server.settings import SettingError, Settings
from banqo_tui.connection import embedded_settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path, cheap_settings: Any) -> Settings:
    return cheap_settings(
        database_url=database_url,
        data_dir=tmp_path,
        billing=False,
        session_idle_timeout=timedelta(days=400),
        session_lifetime=timedelta(days=800),
    )


def test_the_subscription_says_the_server_bills_no_one(bank: Any) -> None:
    subscription = bank.get("/subscription").json()
    assert subscription["state"] == "not_billed"
    assert subscription["next_charge"] is None
    assert bank.get("/payment-method").json()["billing"] is False
    summary = bank.get("/me/summary").json()
    assert summary["subscription"]["state"] == "not_billed"


def test_subscribing_cancelling_and_cards_are_refused_with_the_reason(bank: Any) -> None:
    version = bank.get("/subscription").headers["ETag"]
    for answer in (
        bank.api.client.put(
            "/api/v1/subscription", json={"offer": "monthly"}, headers={**bank.headers, "If-Match": version}
        ),
        bank.delete("/subscription", headers={"If-Match": version}),
        bank.post("/payment-method/setup"),
    ):
        assert answer.status_code == 409, answer.text
        reason = "Ce serveur BanqO ne facture pas : aucun abonnement n'est nécessaire."
        assert answer.json()["errors"]["offer"] == [reason]


def test_nothing_expires_and_nothing_is_deleted_long_after_the_trial(
    bank: Any, client: Any, clock: Any
) -> None:
    bank.add("Lire 10 mots familiers, 4 fois sur 5, d'ici juin.")
    clock.advance(days=365)
    app = client.app
    report = billing.run(app.state.session_factory, app.state.settings, app.state.processor, clock())
    assert (report.ended, report.purged) == (0, 0)
    assert bank.texts() == ["Lire 10 mots familiers, 4 fois sur 5, d'ici juin."]
    bank.add("Écrire une phrase complète, 3 fois sur 4, d'ici mai.")  # still writable
    assert len(bank.texts()) == 2


def test_the_embedded_server_bills_no_one_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BANQO_BILLING", raising=False)
    assert embedded_settings(tmp_path).billing is False
    assert embedded_settings(tmp_path, demo=True).billing is True  # the demo shows the subscription screens
    monkeypatch.setenv("BANQO_BILLING", "on")
    assert embedded_settings(tmp_path).billing is True
    monkeypatch.setenv("BANQO_BILLING", "peut-être")
    with pytest.raises(SettingError, match="BANQO_BILLING must be on or off"):
        Settings.from_env()
