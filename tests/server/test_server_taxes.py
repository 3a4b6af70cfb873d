"""GST and QST on BanqO's prices: each tax on the price before taxes, half-up to the cent, separately — checked
against an independent computation of the rule in exact fractions, then on the offers and an invoice as issued."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from banqo_server.services import taxes
from tests.server.billing_helpers import SELLER, Teacher

GST = Fraction(5, 100)
QST = Fraction(9975, 100000)


def half_up(value: Fraction) -> int:
    """To the nearest cent, an exact half away from zero (a credit note mirrors its invoice)."""
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    whole, rest = divmod(magnitude.numerator, magnitude.denominator)
    return sign * (whole + (1 if 2 * rest >= magnitude.denominator else 0))


def expected(subtotal: int) -> tuple[int, int, int]:
    gst, qst = half_up(subtotal * GST), half_up(subtotal * QST)
    return gst, qst, subtotal + gst + qst


def is_half_cent(value: Fraction) -> bool:
    return (value - int(value)) * 2 in {1, -1}


GST_HALVES = [subtotal for subtotal in range(0, 4001) if is_half_cent(subtotal * GST)]
QST_HALVES = [subtotal for subtotal in range(0, 40001) if is_half_cent(subtotal * QST)]

SUBTOTALS = [
    0, 1, 2, 9, 10, 11, 19, 20, 30, 50, 99, 100, 101, 199, 200, 201, 900, 999, 1000, 1999,
    2000, 6000, 10000, 12345, 9000, 8535, 99999, 123456789, 10**12 + 7,
    *GST_HALVES[:6], *QST_HALVES[:5],
    -1, -10, -900, -2000, -9000,
]


@pytest.fixture
def settings(database_url: str, tmp_path: Any, cheap_settings: Any) -> Any:
    """A server selling its monthly offer at 100,00 $ and its yearly one at 1 000,00 $."""
    return cheap_settings(
        database_url=database_url, data_dir=tmp_path, monthly_price=10000, yearly_price=100000, **SELLER
    )


def test_one_hundred_dollars_carry_5_00_of_gst_and_9_98_of_qst():
    assert taxes.amounts(10000).model_dump() == {"subtotal": 10000, "gst": 500, "qst": 998, "total": 11498}


def test_the_table_has_half_cents_of_each_tax_to_round():
    # 5 % lands on half a cent for every subtotal ending in 10 cents (10, 30, 50…); 9,975 % only every 40 $.
    assert GST_HALVES[:4] == [10, 30, 50, 70]
    assert QST_HALVES[:4] == [2000, 6000, 10000, 14000]
    assert sum(is_half_cent(subtotal * GST) for subtotal in SUBTOTALS) >= 6
    assert sum(is_half_cent(subtotal * QST) for subtotal in SUBTOTALS) >= 4
    assert len(set(SUBTOTALS)) >= 20


@pytest.mark.parametrize("subtotal", SUBTOTALS)
def test_each_tax_is_its_rate_of_the_subtotal_rounded_half_up_on_its_own(subtotal):
    amounts = taxes.amounts(subtotal)
    assert (amounts.gst, amounts.qst, amounts.total) == expected(subtotal)
    assert amounts.subtotal == subtotal


def test_the_qst_is_not_charged_on_the_gst():
    # 20,00 $: QST on 20,00 $ is 1,995 → 2,00 $; on 21,00 $ (with the GST) it would be 2,09 $.
    assert taxes.amounts(2000).model_dump() == {"subtotal": 2000, "gst": 100, "qst": 200, "total": 2300}


def test_a_refund_carries_the_taxes_of_its_invoice_negated():
    for subtotal in (10, 2000, 900, 12345):
        refund = taxes.amounts(-subtotal)
        invoice = taxes.amounts(subtotal)
        assert (refund.gst, refund.qst, refund.total) == (-invoice.gst, -invoice.qst, -invoice.total)


def test_the_offers_show_their_prices_with_both_taxes(client):
    teacher = Teacher(client)
    offers = {offer["id"]: offer for offer in teacher.read("/subscription/offers")["items"]}
    assert offers["trial"]["price"] == {"subtotal": 0, "gst": 0, "qst": 0, "total": 0}
    assert offers["monthly"]["price"] == {"subtotal": 10000, "gst": 500, "qst": 998, "total": 11498}
    yearly_gst, yearly_qst, yearly_total = expected(100000)
    assert offers["yearly"]["price"] == {
        "subtotal": 100000, "gst": yearly_gst, "qst": yearly_qst, "total": yearly_total
    }


def test_an_invoice_of_100_dollars_shows_both_taxes_and_their_numbers(client):
    teacher = Teacher(client)
    teacher.add_card()
    teacher.subscribed("monthly")
    [invoice] = teacher.invoices()
    assert (invoice["subtotal"], invoice["gst"], invoice["qst"], invoice["total"]) == (10000, 500, 998, 11498)
    assert (invoice["gst_rate"], invoice["qst_rate"]) == ("0.05", "0.09975")
    assert invoice["seller"]["gst_number"] == SELLER["gst_number"]
    assert invoice["seller"]["qst_number"] == SELLER["qst_number"]

    text = teacher.pdf_text(invoice["id"])
    for shown in ("100,00 $", "5,00 $", "9,98 $", "114,98 $", SELLER["gst_number"], SELLER["qst_number"]):
        assert shown in text
