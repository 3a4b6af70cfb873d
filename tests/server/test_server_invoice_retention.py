"""Invoices outlive a deleted account, as issued, for as long as tax law asks (six years after the end of the
year of issue), then the billing run removes them. A living account's invoices are never removed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from banqo_server.models import ChargeAttempt, Invoice
from tests.server.billing_helpers import ACCEPTED, LONG_SESSIONS, PASSWORD, Teacher, at, run_billing


@pytest.fixture
def settings(database_url: str, tmp_path: Any, cheap_settings: Any) -> Any:
    return cheap_settings(database_url=database_url, data_dir=tmp_path, **LONG_SESSIONS)


def stored_invoices(client: Any) -> list[tuple[str, str | None, str]]:
    with client.app.state.session_factory() as db:
        return [
            (row.number, row.account_id, row.buyer_name)
            for row in db.scalars(select(Invoice).order_by(Invoice.number))
        ]


def test_a_deleted_accounts_invoice_is_kept_as_issued_then_removed_after_six_years(client, settings, clock):
    leaving = Teacher(client)
    leaving.add_card(ACCEPTED)
    leaving.subscribed("monthly")  # BQ-2026-000001, issued in November 2026
    staying = Teacher(client, email="zoe@example.org", first_name="Zoé")
    staying.add_card(ACCEPTED)
    staying.subscribed("monthly")  # BQ-2026-000002

    answer = leaving.call("DELETE", "/me", {"password": PASSWORD, "confirmation": "lea@example.org"})
    assert answer.status_code == 204, answer.text
    kept = stored_invoices(client)
    assert ("BQ-2026-000001", None, "Léa Tremblay") in kept  # no account any more, the buyer as printed

    # 31 December 2032, 23 h in Montréal: the sixth year after 2026 is not over.
    report = run_billing(client, settings, clock, at("2033-01-01T04:00:00Z"))
    assert report.invoices_expired == 0
    assert [number for number, _account, _buyer in stored_invoices(client)][0] == "BQ-2026-000001"

    # 1 January 2033 in Montréal: it goes, with the record of its charge; the living account's stays.
    report = run_billing(client, settings, clock, at("2033-01-01T06:00:00Z"))
    assert report.invoices_expired == 1
    numbers = [number for number, _account, _buyer in stored_invoices(client)]
    assert "BQ-2026-000001" not in numbers and "BQ-2026-000002" in numbers
    with client.app.state.session_factory() as db:
        assert db.scalars(select(ChargeAttempt).where(ChargeAttempt.account_id.is_(None))).all() == []
