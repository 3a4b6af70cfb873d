"""« Inscription » and « Factures » through the API: subscribing with a card entered on the processor's page,
declined cards, switching offers, cancelling and resuming, versions, who sees an invoice, and refunds."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest

from banqo_server import cli
from banqo_server.services import billing
from banqo_server.settings import Settings
from tests.server.billing_helpers import (
    ACCEPTED,
    DECLINED,
    DECLINED_ONCE,
    EXPIRED_AT_CHARGE,
    LONG_SESSIONS,
    SELLER,
    Teacher,
    at,
    processor_record,
    run_billing,
    seller_env,
)

SIGN_UP = at("2026-11-02T14:00:00Z")
TRIAL_END = at("2026-12-02T14:00:00Z")
FIRST_DUE = at("2027-01-02T14:00:00Z")
MONTHLY = {"subtotal": 900, "gst": 45, "qst": 90, "total": 1035}


@pytest.fixture
def settings(database_url: str, tmp_path: Any, cheap_settings: Any) -> Any:
    return cheap_settings(database_url=database_url, data_dir=tmp_path, **SELLER, **LONG_SESSIONS)


def half_up(value: Fraction) -> int:
    whole, rest = divmod(value.numerator, value.denominator)
    return whole + (1 if 2 * rest >= value.denominator else 0)


def amounts_of(invoice: dict[str, Any]) -> dict[str, int]:
    return {key: invoice[key] for key in ("subtotal", "gst", "qst", "total")}


# --- Subscribing -----------------------------------------------------------------------------------


def test_subscribing_in_the_trial_charges_at_once_and_adds_the_trial_days_left(client, settings):
    teacher = Teacher(client)
    trial = teacher.subscription()
    assert (trial["state"], trial["offer"], at(trial["trial_end"])) == ("trial", "trial", TRIAL_END)
    card = teacher.add_card(ACCEPTED)
    assert (card["card"]["brand"], card["card"]["last4"], card["version"]) == ("visa", "4242", 1)

    details = "École des Monarques — bon de commande PO-4471"
    answer = teacher.subscribe("monthly", billing_details=details)
    assert answer.status_code == 200, answer.text
    subscription = answer.json()
    assert answer.headers["etag"] == f'"{subscription["version"]}"'
    assert (subscription["state"], subscription["offer"]) == ("active", "monthly")
    assert at(subscription["current_period_end"]) == FIRST_DUE
    assert at(subscription["next_charge"]["at"]) == FIRST_DUE
    assert subscription["next_charge"]["amounts"] == MONTHLY

    [invoice] = teacher.invoices()
    assert invoice["number"] == "BQ-2026-000001"
    assert amounts_of(invoice) == MONTHLY
    assert (invoice["billing_details"], invoice["buyer_email"], invoice["card_last4"]) == (
        details, "lea@example.org", "4242"
    )
    [line] = invoice["lines"]
    assert (at(line["period_start"]), at(line["period_end"]), line["amount"]) == (SIGN_UP, FIRST_DUE, 900)
    assert "30 jours d’essai" in line["description_fr"]
    assert teacher.read(f"/invoices/{invoice['id']}") == invoice
    text = teacher.pdf_text(invoice["id"])
    assert details in text and "BQ-2026-000001" in text and "10,35 $" in text
    assert processor_record(settings).succeeded == [1035]
    assert "subscribed" in teacher.activity_kinds()


def test_subscribing_without_a_card_asks_for_one(client):
    teacher = Teacher(client)
    answer = teacher.subscribe("monthly")
    assert answer.status_code == 422
    assert answer.json()["errors"]["payment_method"] == ["Ajoutez d'abord une carte dans « Méthode de paiement »."]
    assert teacher.subscription()["state"] == "trial"
    assert teacher.invoices() == []


def test_only_the_monthly_and_yearly_offers_can_be_chosen(client):
    teacher = Teacher(client)
    teacher.add_card(ACCEPTED)
    for offer in ("trial", "weekly"):
        answer = teacher.subscribe(offer)
        assert answer.status_code == 422
        assert list(answer.json()["errors"]) == ["offer"]
    assert teacher.invoices() == []


@pytest.mark.parametrize(
    ("number", "words"),
    [(DECLINED, "refusée par l'institution financière"), (EXPIRED_AT_CHARGE, "expirée")],
)
def test_a_declined_card_answers_402_with_the_reason_and_the_trial_goes_on(client, settings, number, words):
    teacher = Teacher(client)
    teacher.add_card(number)
    answer = teacher.subscribe("monthly")
    assert answer.status_code == 402
    assert answer.headers["content-type"].startswith("application/problem+json")
    [message] = answer.json()["errors"]["payment_method"]
    assert words in message
    assert answer.json()["detail"] == message
    assert teacher.subscription()["state"] == "trial"
    assert teacher.invoices() == []
    assert [status for _amount, status, _code in processor_record(settings).charges] == ["declined"]


def test_a_temporary_processor_error_is_declined_then_the_next_try_goes_through(client, settings, clock):
    teacher = Teacher(client)
    teacher.add_card(DECLINED_ONCE)
    answer = teacher.subscribe("monthly")
    assert answer.status_code == 402
    assert "réessaiera" in answer.json()["errors"]["payment_method"][0]

    clock.advance(minutes=1)
    assert teacher.subscribe("monthly").status_code == 200
    assert [invoice["number"] for invoice in teacher.invoices()] == ["BQ-2026-000001"]
    assert processor_record(settings).charges == [(1035, "declined", "processing_error"), (1035, "succeeded", None)]


def test_a_subscription_charged_but_not_recorded_is_charged_once_when_tried_again(make_client, settings, monkeypatch):
    teacher = Teacher(make_client(raise_server_exceptions=False))
    teacher.add_card(ACCEPTED)
    issue = billing.issue
    crashes: list[object] = []

    def crash_once(*args: Any, **kwargs: Any) -> Any:
        if not crashes:
            crashes.append(kwargs["kind"])
            raise RuntimeError("the server stopped before its commit")
        return issue(*args, **kwargs)

    monkeypatch.setattr(billing, "issue", crash_once)
    assert teacher.subscribe("monthly").status_code == 500
    assert processor_record(settings).succeeded == [1035]
    assert teacher.subscription()["state"] == "trial"

    assert teacher.subscribe("monthly").status_code == 200
    assert processor_record(settings).succeeded == [1035]
    assert [invoice["number"] for invoice in teacher.invoices()] == ["BQ-2026-000001"]


def test_changes_need_the_current_version_in_if_match(client):
    teacher = Teacher(client)
    answer = teacher.call("PUT", "/payment-method", {"token": teacher.card_token()})
    assert answer.status_code == 428
    assert teacher.read("/payment-method")["card"] is None
    teacher.add_card(ACCEPTED)
    stale_card = teacher.call("PUT", "/payment-method", {"token": teacher.card_token()}, version=0)
    assert stale_card.status_code == 412
    assert stale_card.json()["current_version"] == 1

    version = teacher.subscription()["version"]
    assert teacher.call("PUT", "/subscription", {"offer": "monthly"}).status_code == 428
    assert teacher.subscription()["state"] == "trial"
    assert teacher.call("PUT", "/subscription", {"offer": "monthly"}, version=version).status_code == 200
    stale = teacher.call("PUT", "/subscription", {"offer": "yearly"}, version=version)
    assert stale.status_code == 412
    current = teacher.subscription()["version"]
    assert stale.json()["current_version"] == current
    assert stale.headers["etag"] == f'"{current}"'
    assert teacher.call("DELETE", "/subscription").status_code == 428
    assert teacher.call("DELETE", "/subscription", version=version).status_code == 412
    assert teacher.subscription()["offer"] == "monthly" and len(teacher.invoices()) == 1


def test_invoice_numbers_follow_the_year_in_toronto(make_client, clock):
    client = make_client()
    late = Teacher(client, "lea@example.org")
    early = Teacher(client, "marc@example.org", first_name="Marc")
    for teacher in (late, early):
        teacher.add_card(ACCEPTED)
    clock.now = at("2027-01-01T04:59:59Z")  # 23 h 59 on 31 December in Toronto
    late.subscribed("monthly")
    clock.now = at("2027-01-01T05:00:00Z")  # midnight on 1 January in Toronto
    early.subscribed("monthly")
    assert [invoice["number"] for invoice in late.invoices()] == ["BQ-2026-000001"]
    assert [invoice["number"] for invoice in early.invoices()] == ["BQ-2027-000001"]


# --- Switching, cancelling, resuming ---------------------------------------------------------------


def test_monthly_to_yearly_mid_month_deducts_the_unused_part_of_the_month(client, settings, clock):
    teacher = Teacher(client)
    teacher.add_card(ACCEPTED)
    teacher.subscribed("monthly")
    run_billing(client, settings, clock, FIRST_DUE)  # the month of 2 January to 2 February 2027, paid 9,00 $
    month_end = at("2027-02-02T14:00:00Z")

    clock.now = switch = at("2027-01-17T14:00:00Z")
    subscription = teacher.subscribed("yearly")
    assert (subscription["state"], subscription["offer"], subscription["pending_offer"]) == ("active", "yearly", None)
    assert at(subscription["current_period_end"]) == at("2028-01-17T14:00:00Z")

    invoice = teacher.invoices()[-1]
    unused, paid = (month_end - switch).total_seconds(), (month_end - FIRST_DUE).total_seconds()
    credit = half_up(900 * Fraction(int(unused), int(paid)))
    assert credit == 465  # 16 days of 31
    yearly, deduction = invoice["lines"]
    assert (yearly["amount"], at(yearly["period_start"]), at(yearly["period_end"])) == (
        9000, switch, at("2028-01-17T14:00:00Z")
    )
    assert (deduction["amount"], at(deduction["period_start"]), at(deduction["period_end"])) == (
        -credit, switch, month_end
    )
    subtotal = 9000 - credit
    gst, qst = half_up(Fraction(subtotal * 5, 100)), half_up(Fraction(subtotal * 9975, 100000))
    assert amounts_of(invoice) == {"subtotal": subtotal, "gst": gst, "qst": qst, "total": subtotal + gst + qst}
    assert invoice["number"] == "BQ-2027-000002"
    assert processor_record(settings).succeeded[-1] == subtotal + gst + qst
    assert run_billing(client, settings, clock, month_end).invoices == []  # the month was replaced, not renewed


def test_switching_to_yearly_before_the_month_paid_begins_deducts_all_of_it(client, settings, clock):
    teacher = Teacher(client)
    teacher.add_card(ACCEPTED)
    teacher.subscribed("monthly")  # 9,00 $ for 2 December to 2 January; the trial days before it are free

    clock.now = TRIAL_END - timedelta(days=1)
    teacher.subscribed("yearly")
    deduction = teacher.invoices()[-1]["lines"][1]
    assert deduction["amount"] == -900


def test_yearly_to_monthly_waits_for_the_end_of_the_year_paid(client, settings, clock):
    teacher = Teacher(client)
    teacher.add_card(ACCEPTED)
    teacher.subscribed("yearly")
    year_end = at("2027-12-02T14:00:00Z")  # the trial's end, a year later
    assert at(teacher.subscription()["current_period_end"]) == year_end

    clock.now = at("2027-03-01T15:00:00Z")
    subscription = teacher.subscribed("monthly")
    assert (subscription["state"], subscription["offer"], subscription["pending_offer"]) == (
        "active", "yearly", "monthly"
    )
    assert at(subscription["next_charge"]["at"]) == year_end
    assert subscription["next_charge"]["offer"] == "monthly"
    assert subscription["next_charge"]["amounts"] == MONTHLY
    assert len(teacher.invoices()) == 1

    assert run_billing(client, settings, clock, year_end - timedelta(seconds=1)).invoices == []
    assert len(run_billing(client, settings, clock, year_end).invoices) == 1
    subscription = teacher.subscription()
    assert (subscription["offer"], subscription["pending_offer"]) == ("monthly", None)
    monthly = teacher.invoices()[-1]
    assert amounts_of(monthly) == MONTHLY
    [line] = monthly["lines"]
    assert (at(line["period_start"]), at(line["period_end"])) == (year_end, at("2028-01-02T14:00:00Z"))
    assert len(run_billing(client, settings, clock, at("2028-01-02T14:00:00Z")).invoices) == 1


def test_cancelling_keeps_the_period_paid_and_resuming_undoes_it(client, settings, clock):
    teacher = Teacher(client)
    teacher.add_card(ACCEPTED)
    teacher.subscribed("monthly")

    clock.advance(days=3)
    cancelled = teacher.cancel()
    assert (cancelled["state"], cancelled["cancel_at_period_end"]) == ("cancelled", True)
    assert cancelled["next_charge"] is None
    assert at(cancelled["current_period_end"]) == FIRST_DUE
    resumed = teacher.subscribed("monthly")
    assert (resumed["state"], resumed["cancel_at_period_end"]) == ("active", False)
    assert at(resumed["next_charge"]["at"]) == FIRST_DUE
    assert len(teacher.invoices()) == 1
    assert {"subscription_cancelled", "subscription_resumed"} <= set(teacher.activity_kinds())

    teacher.cancel()
    assert run_billing(client, settings, clock, FIRST_DUE - timedelta(seconds=1)).ended == 0
    report = run_billing(client, settings, clock, FIRST_DUE)
    assert (report.ended, report.invoices) == (1, [])
    ended = teacher.subscription()
    assert (ended["state"], at(ended["ended_at"])) == ("ended", FIRST_DUE)
    assert at(ended["data_deletion_at"]) == FIRST_DUE + settings.data_grace_period
    assert len(teacher.invoices()) == 1
    assert processor_record(settings).succeeded == [1035]


def test_the_trial_cannot_be_cancelled(client):
    teacher = Teacher(client)
    answer = teacher.call("DELETE", "/subscription", version=teacher.subscription()["version"])
    assert answer.status_code == 409
    assert answer.json()["errors"]["offer"]
    assert teacher.subscription()["state"] == "trial"


# --- Who sees an invoice, and refunds --------------------------------------------------------------


def test_another_account_cannot_tell_my_invoice_from_an_unknown_one(client):
    owner = Teacher(client)
    owner.add_card(ACCEPTED)
    owner.subscribed("monthly")
    [invoice] = owner.invoices()
    other = Teacher(client, "marc@example.org", first_name="Marc")

    assert other.invoices() == []
    unknown_id = "0" * len(invoice["id"])
    for suffix in ("", "/pdf"):
        mine = other.get(f"/invoices/{invoice['id']}{suffix}")
        unknown = other.get(f"/invoices/{unknown_id}{suffix}")
        assert mine.status_code == unknown.status_code == 404
        assert mine.content == unknown.content
        assert mine.headers["content-type"] == unknown.headers["content-type"]
    assert owner.get(f"/invoices/{invoice['id']}/pdf").status_code == 200
    assert client.get(f"/api/v1/invoices/{invoice['id']}").status_code == 401


@pytest.fixture
def operator(monkeypatch: Any, settings: Any, clock: Any) -> Any:
    """``banqo-server`` in the operator's environment: the test's database and data folder, the seller, and the
    test's clock (the real one would number the credit note in the real year)."""
    monkeypatch.setenv("BANQO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BANQO_DATA_DIR", str(settings.data_dir))
    for name in ("BANQO_SMTP_URL", "BANQO_BILLING"):
        monkeypatch.delenv(name, raising=False)
    seller_env(monkeypatch)
    from_env = Settings.from_env

    def with_test_clock(environ: Any = None) -> Settings:
        return replace(from_env(environ), clock=clock)

    monkeypatch.setattr(Settings, "from_env", with_test_clock)
    return monkeypatch


def test_a_refund_from_the_command_line_issues_a_numbered_credit_note(client, settings, clock, operator, capsys):
    teacher = Teacher(client)
    teacher.add_card(ACCEPTED)
    teacher.subscribed("monthly")
    clock.advance(days=2)
    assert cli.main(["billing", "refund", "BQ-2026-000001"]) == 0
    assert "credit note BQ-2026-000002: -10.35 CAD on BQ-2026-000001" in capsys.readouterr().out

    invoice, note = teacher.invoices()
    assert (invoice["status"], invoice["credited_by"]) == ("refunded", ["BQ-2026-000002"])
    assert (note["number"], note["kind"], note["corrects"]) == ("BQ-2026-000002", "credit_note", "BQ-2026-000001")
    assert amounts_of(note) == {"subtotal": -900, "gst": -45, "qst": -90, "total": -1035}
    assert [line["amount"] for line in note["lines"]] == [-900]
    assert note["seller"]["gst_number"] == SELLER["gst_number"]
    text = teacher.pdf_text(note["id"])
    assert "Avoir / Credit note" in text and "BQ-2026-000001" in text and "-10,35 $" in text.replace("−", "-")
    assert processor_record(settings).refunds == [1035]
    assert "refund_issued" in teacher.activity_kinds()

    assert cli.main(["billing", "refund", "BQ-2026-000001"]) == 1  # nothing left to refund
    assert cli.main(["billing", "refund", "BQ-2026-000099"]) == 1
    assert len(teacher.invoices()) == 2
    assert processor_record(settings).refunds == [1035]
