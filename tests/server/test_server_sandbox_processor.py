"""The ``sandbox`` processor: test cards entered on its own page, single-use tokens, idempotent charges and
refunds, and no card number kept anywhere — in its database nor in a log."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from banqo_server.db import make_engine
from banqo_server.payments import CardDetails, ChargeOutcome, TokenRefused
from banqo_server.payments.sandbox import TEST_CARDS, SandboxCharge, SandboxProcessor, SandboxRefund

EXPECTED_CHARGES = {
    "4242 4242 4242 4242": ("visa", None),
    "5555 5555 5555 4444": ("mastercard", None),
    "3782 822463 10005": ("amex", None),
    "4000 0000 0000 0002": ("visa", "card_declined"),
    "4000 0000 0000 9995": ("visa", "insufficient_funds"),
    "4000 0000 0000 0069": ("visa", "expired_card"),
    "4000 0000 0000 0119": ("visa", "processing_error"),
}


def confirm_path(session_id: str) -> str:
    return f"/sandbox-processor/v1/setup-sessions/{session_id}/confirm"


def entry(number: str = "4242 4242 4242 4242", **fields: Any) -> dict[str, Any]:
    return {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123", **fields}


@pytest.fixture
def sandbox(client: Any) -> Iterator[SandboxProcessor]:
    """The processor of the test's app (its database: a SQLite file in the server's data folder)."""
    processor = client.app.state.processor
    assert isinstance(processor, SandboxProcessor)
    yield processor
    processor.close()


@pytest.fixture
def processor(database_url: str) -> Iterator[SandboxProcessor]:
    """A sandbox processor on its own database, SQLite or PostgreSQL."""
    processor = SandboxProcessor(database_url)
    yield processor
    processor.close()


def enter(client: Any, sandbox: SandboxProcessor, clock: Any, customer: str = "acct1", **fields: Any) -> Any:
    """Open a setup session for ``customer`` and enter a card on the sandbox's page."""
    session = sandbox.create_setup_session(customer=customer, now=clock())
    return client.post(confirm_path(session.id), json=entry(**fields))


def attached(processor: SandboxProcessor, clock: Any, number: str = "4242424242424242", **card: Any) -> CardDetails:
    """A card entered and attached for customer ``acct1``."""
    session = processor.create_setup_session(customer="acct1", now=clock())
    fields = {"exp_month": 12, "exp_year": 2030, **card}
    token = processor.confirm(session.id, number=number, now=clock(), **fields)
    return processor.attach(token, customer="acct1", now=clock())


def charge(processor: SandboxProcessor, clock: Any, card: CardDetails, key: str, amount: int = 1035) -> ChargeOutcome:
    return processor.charge(
        reference=card.reference, amount=amount, currency="CAD", idempotency_key=key, description="BanqO", now=clock()
    )


def count(database_url: str, table: Any) -> int:
    """Rows in one of the sandbox's tables, read apart from the processor."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(table)) or 0
    finally:
        engine.dispose()


# --- The card entry page ---------------------------------------------------------------------------------


def test_each_test_card_is_entered_then_charged_as_its_table_says(client, sandbox, clock):
    assert {card.number for card in TEST_CARDS} == set(EXPECTED_CHARGES)
    for card in TEST_CARDS:
        answer = enter(client, sandbox, clock, number=card.number, cvc="1234" if card.brand == "amex" else "123")
        assert answer.status_code == 201, answer.text
        details = sandbox.attach(answer.json()["token"], customer="acct1", now=clock())
        brand, code = EXPECTED_CHARGES[card.number]
        assert (details.brand, details.last4, details.exp_month, details.exp_year) == (
            brand, card.digits[-4:], 12, 2030
        )
        outcome = charge(sandbox, clock, details, key=f"first-{card.digits}")
        assert (outcome.succeeded, outcome.code) == (code is None, code), card.number
        assert card.label


@pytest.mark.parametrize("number", ["4012 8888 8888 1881", "2223-0031-2200-3222", "371449635398431"])
def test_any_other_valid_number_of_a_known_brand_is_accepted_and_charged(client, sandbox, clock, number):
    cvc = "1234" if number.startswith("37") else "123"
    answer = enter(client, sandbox, clock, number=number, cvc=cvc)
    assert answer.status_code == 201, answer.text
    card = sandbox.attach(answer.json()["token"], customer="acct1", now=clock())
    assert charge(sandbox, clock, card, key="k1").succeeded


def test_an_expired_card_is_refused_under_its_expiry_month(client, sandbox, clock):
    # The clock says 2 November 2026: a card is good through the last day of its month.
    answer = enter(client, sandbox, clock, exp_month=10, exp_year=2026)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"] == {"exp_month": ["Cette carte est expirée."]}
    assert enter(client, sandbox, clock, exp_month=11, exp_year=26).status_code == 201


def test_a_number_failing_the_luhn_check_is_refused_under_number(client, sandbox, clock):
    answer = enter(client, sandbox, clock, number="4242 4242 4242 4241")
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"number": ["Ce numéro de carte n'est pas valide."]}


def test_a_number_of_an_unknown_brand_or_length_is_refused_under_number(client, sandbox, clock):
    unknown_brand = enter(client, sandbox, clock, number="6011 1111 1111 1117").json()["errors"]
    assert list(unknown_brand) == ["number"]
    assert "Visa, Mastercard ou American Express" in unknown_brand["number"][0]
    too_short = enter(client, sandbox, clock, number="4242 4242").json()["errors"]
    assert too_short == {"number": ["Un numéro de carte compte de 13 à 19 chiffres (espaces et tirets permis)."]}


def test_the_cvc_has_three_digits_and_four_for_american_express(client, sandbox, clock):
    visa_with_four = enter(client, sandbox, clock, cvc="1234").json()["errors"]
    assert visa_with_four == {"cvc": ["Le code de sécurité compte 3 chiffres, au dos de la carte."]}
    amex_with_three = enter(client, sandbox, clock, number="3782 822463 10005", cvc="123").json()["errors"]
    assert amex_with_three == {"cvc": ["Le code de sécurité d'une carte American Express compte 4 chiffres."]}
    assert enter(client, sandbox, clock, number="3782 822463 10005", cvc="1234").status_code == 201


def test_every_field_error_is_given_at_once(client, sandbox, clock):
    session = sandbox.create_setup_session(customer="acct1", now=clock())
    empty = client.post(confirm_path(session.id), json={}).json()["errors"]
    assert empty == {field: ["Ce champ est obligatoire."] for field in ("number", "exp_month", "exp_year", "cvc")}
    wrong = client.post(
        confirm_path(session.id), json={"number": "1234", "exp_month": 13, "exp_year": "202", "cvc": "ab"}
    ).json()["errors"]
    assert set(wrong) == {"number", "exp_month", "exp_year", "cvc"}
    assert wrong["exp_month"] == ["Le mois d'expiration est un nombre de 1 à 12."]
    assert wrong["exp_year"] == ["L'année d'expiration s'écrit en 2 ou 4 chiffres (26 ou 2026)."]
    # Nothing was entered: the session is still open.
    assert client.post(confirm_path(session.id), json=entry()).status_code == 201


def test_a_two_digit_year_is_of_this_century_and_text_fields_are_read(client, sandbox, clock):
    answer = enter(client, sandbox, clock, number="5555-5555-5555-4444", exp_month="07", exp_year="29", cvc=" 321 ")
    assert answer.status_code == 201, answer.text
    card = sandbox.attach(answer.json()["token"], customer="acct1", now=clock())
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("mastercard", "4444", 7, 2029)


def test_an_unknown_session_is_not_found(client, sandbox):
    answer = client.post(confirm_path("seti_nope"), json=entry())
    assert answer.status_code == 404
    assert answer.json()["detail"] == "Cette ressource n'existe pas."


def test_a_session_expires_after_30_minutes(client, sandbox, clock):
    late = sandbox.create_setup_session(customer="acct1", now=clock())
    in_time = sandbox.create_setup_session(customer="acct1", now=clock())
    assert late.expires_at == clock() + timedelta(minutes=30)
    clock.advance(minutes=29, seconds=59)
    assert client.post(confirm_path(in_time.id), json=entry()).status_code == 201
    clock.advance(seconds=1)
    assert client.post(confirm_path(late.id), json=entry()).status_code == 404


def test_a_session_takes_one_card_only(client, sandbox, clock):
    session = sandbox.create_setup_session(customer="acct1", now=clock())
    assert client.post(confirm_path(session.id), json=entry()).status_code == 201
    assert client.post(confirm_path(session.id), json=entry()).status_code == 404


def test_the_card_number_is_kept_nowhere_and_logged_nowhere(client, sandbox, clock, settings, caplog, tmp_path):
    caplog.set_level("DEBUG")
    assert enter(client, sandbox, clock, number="4242424242424242").status_code == 201
    assert enter(client, sandbox, clock, number="4242 4242 4242 4242", cvc="12").status_code == 422
    database = settings.data_dir / "sandbox-processor.sqlite3"
    assert database.exists()
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert database.with_name(database.name + "-wal") in files
    for path in files:
        data = path.read_bytes()
        assert b"4242424242424242" not in data, path
        assert b"4242 4242 4242 4242" not in data, path
    assert "4242424242424242" not in caplog.text
    assert "4242 4242 4242 4242" not in caplog.text


# --- Tokens ----------------------------------------------------------------------------------------------


def test_a_token_is_used_once(processor, clock):
    session = processor.create_setup_session(customer="acct1", now=clock())
    token = processor.confirm(session.id, number="4242424242424242", exp_month=1, exp_year=2031, now=clock())
    assert token.startswith("tok_")
    card = processor.attach(token, customer="acct1", now=clock())
    assert card.reference.startswith("card_") and card.reference != token
    with pytest.raises(TokenRefused) as refused:
        processor.attach(token, customer="acct1", now=clock())
    assert refused.value.code == "token_used"


def test_an_unknown_token_or_another_customers_token_is_invalid(processor, clock):
    with pytest.raises(TokenRefused) as unknown:
        processor.attach("tok_unknown", customer="acct1", now=clock())
    assert unknown.value.code == "invalid_token"
    session = processor.create_setup_session(customer="acct1", now=clock())
    token = processor.confirm(session.id, number="4242424242424242", exp_month=1, exp_year=2031, now=clock())
    with pytest.raises(TokenRefused) as stolen:
        processor.attach(token, customer="acct2", now=clock())
    assert stolen.value.code == "invalid_token"
    assert processor.attach(token, customer="acct1", now=clock()).last4 == "4242"


# --- Charges ---------------------------------------------------------------------------------------------


def test_the_same_key_charges_once_and_answers_the_same_charge(processor, clock, database_url):
    card = attached(processor, clock)
    first = charge(processor, clock, card, "sub1-1")
    again = charge(processor, clock, card, "sub1-1")
    assert first.succeeded and first.charge_id and first.charge_id.startswith("ch_")
    assert again == first
    assert count(database_url, SandboxCharge) == 1
    assert charge(processor, clock, card, "sub1-2").charge_id != first.charge_id


def test_the_same_key_after_a_decline_answers_the_same_decline(processor, clock, database_url):
    card = attached(processor, clock, number="4000000000009995")
    first = charge(processor, clock, card, "sub1-1")
    assert (first.succeeded, first.code) == (False, "insufficient_funds")
    assert charge(processor, clock, card, "sub1-1") == first
    assert count(database_url, SandboxCharge) == 1


def test_the_0119_card_is_declined_once_then_succeeds_with_a_new_key(processor, clock):
    card = attached(processor, clock, number="4000000000000119")
    first = charge(processor, clock, card, "sub1-1")
    assert (first.succeeded, first.code) == (False, "processing_error")
    assert charge(processor, clock, card, "sub1-1") == first  # the same attempt asked again
    assert charge(processor, clock, card, "sub1-2").succeeded
    assert charge(processor, clock, card, "sub1-3").succeeded


def test_a_card_past_its_expiry_is_declined_expired(processor, clock):
    card = attached(processor, clock, exp_month=11, exp_year=2026)
    assert charge(processor, clock, card, "nov").succeeded
    clock.advance(days=29)  # 1 December 2026
    late = charge(processor, clock, card, "dec")
    assert (late.succeeded, late.code) == (False, "expired_card")


def test_an_unknown_reference_or_a_reused_key_is_a_programming_error(processor, clock):
    card = attached(processor, clock)
    with pytest.raises(ValueError):
        processor.charge(
            reference="card_unknown", amount=100, currency="CAD", idempotency_key="k", description="", now=clock()
        )
    charge(processor, clock, card, "k1", amount=100)
    with pytest.raises(ValueError):
        charge(processor, clock, card, "k1", amount=200)
    with pytest.raises(ValueError):
        charge(processor, clock, card, "k2", amount=0)


def test_two_charges_with_one_key_at_once_make_one_charge(processor, clock, database_url):
    card = attached(processor, clock)
    start = threading.Barrier(4, timeout=10)

    def race(_: int) -> ChargeOutcome:
        start.wait()
        return charge(processor, clock, card, "same-key")

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(race, range(4)))
    assert all(outcome.succeeded for outcome in outcomes)
    assert len({outcome.charge_id for outcome in outcomes}) == 1
    assert count(database_url, SandboxCharge) == 1


# --- Refunds ---------------------------------------------------------------------------------------------


def test_a_refund_with_the_same_key_is_made_once(processor, clock, database_url):
    card = attached(processor, clock)
    paid = charge(processor, clock, card, "k1", amount=1000)
    assert paid.charge_id
    first = processor.refund(charge_id=paid.charge_id, amount=600, idempotency_key="r1", now=clock())
    assert first.refund_id.startswith("re_")
    assert processor.refund(charge_id=paid.charge_id, amount=600, idempotency_key="r1", now=clock()) == first
    assert count(database_url, SandboxRefund) == 1
    # 400 cents are left to refund, not 1000 - 2 × 600.
    assert processor.refund(charge_id=paid.charge_id, amount=400, idempotency_key="r2", now=clock()).refund_id


def test_a_refund_cannot_give_back_more_than_was_paid(processor, clock, database_url):
    card = attached(processor, clock)
    paid = charge(processor, clock, card, "k1", amount=1000)
    assert paid.charge_id
    processor.refund(charge_id=paid.charge_id, amount=700, idempotency_key="r1", now=clock())
    with pytest.raises(ValueError, match="at most 300 cents"):
        processor.refund(charge_id=paid.charge_id, amount=301, idempotency_key="r2", now=clock())
    declined = charge(processor, clock, attached(processor, clock, number="4000000000000002"), "k2")
    with pytest.raises(ValueError):
        processor.refund(charge_id=declined.charge_id or "", amount=1, idempotency_key="r3", now=clock())
    with pytest.raises(ValueError):
        processor.refund(charge_id="ch_unknown", amount=1, idempotency_key="r4", now=clock())
    assert count(database_url, SandboxRefund) == 1


def test_refunds_at_once_never_exceed_the_charge(processor, clock, database_url):
    card = attached(processor, clock)
    paid = charge(processor, clock, card, "k1", amount=1000)
    assert paid.charge_id
    start = threading.Barrier(4, timeout=10)

    def race(index: int) -> str:
        start.wait()
        try:
            # Two keys, each asked twice at once: 2 × 600 is more than the 1000 paid.
            return processor.refund(
                charge_id=paid.charge_id or "", amount=600, idempotency_key=f"r{index % 2}", now=clock()
            ).refund_id
        except ValueError:
            return "refused"

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(race, range(4)))
    refunds = {answer for answer in answers if answer != "refused"}
    assert len(refunds) == 1
    assert answers.count("refused") == 2
    assert count(database_url, SandboxRefund) == 1
