"""A card that expires is announced a month ahead, in « Méthode de paiement » and in the résumé; an expired one
is said to be expired and is not charged."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.billing_helpers import LONG_SESSIONS, Teacher, at


@pytest.fixture
def settings(database_url: str, tmp_path: Any, cheap_settings: Any) -> Any:
    return cheap_settings(database_url=database_url, data_dir=tmp_path, **LONG_SESSIONS)


def card_on_file(teacher: Teacher, exp_month: int, exp_year: int) -> None:
    session = teacher.call("POST", "/payment-method/setup").json()
    entry = {"number": "4242 4242 4242 4242", "exp_month": exp_month, "exp_year": exp_year, "cvc": "123"}
    token = teacher.request("POST", f"/sandbox-processor/v1/setup-sessions/{session['id']}/confirm", json=entry)
    assert token.status_code == 201, token.text
    answer = teacher.call("PUT", "/payment-method", {"token": token.json()["token"]}, version=0)
    assert answer.status_code == 200, answer.text


def test_a_card_expiring_within_a_month_is_announced_then_said_expired(client, clock):
    teacher = Teacher(client)
    card_on_file(teacher, 12, 2026)  # valid through 31 December 2026

    clock.now = at("2026-11-29T12:00:00Z")  # 33 days before it stops working
    card = teacher.read("/me/summary")["card"]
    assert (card["expiring_soon"], card["expired"]) == (False, False)

    clock.now = at("2026-12-02T12:00:00Z")  # within the month
    card = teacher.read("/me/summary")["card"]
    assert (card["expiring_soon"], card["expired"]) == (True, False)
    assert teacher.read("/payment-method")["card"]["expiring_soon"] is True

    clock.now = at("2027-01-01T00:00:01Z")
    card = teacher.read("/me/summary")["card"]
    assert (card["expiring_soon"], card["expired"]) == (False, True)
    # An expired card is not charged: subscribing says why, at the card.
    version = teacher.read("/subscription")["version"]
    answer = teacher.call("PUT", "/subscription", {"offer": "monthly"}, version=version)
    assert answer.status_code == 422
    assert "expirée" in answer.json()["errors"]["payment_method"][0]
