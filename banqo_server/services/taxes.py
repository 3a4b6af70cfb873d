"""GST and QST on a price before taxes, in integer cents.

Each tax is computed on the pre-tax amount (Quebec has not charged QST on the GST since 2013) and rounded
half-up to the cent, separately: 100,00 $ → TPS 5,00 $, TVQ 9,98 $ (9,975 rounded up), total 114,98 $.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from banqo_tui.api.models import Amounts

GST_RATE = Decimal("0.05")
QST_RATE = Decimal("0.09975")


def tax(subtotal: int, rate: Decimal) -> int:
    """``subtotal`` cents × ``rate``, half-up to the cent (a negative amount rounds away from zero alike)."""
    return int((Decimal(subtotal) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def amounts(subtotal: int, gst_rate: Decimal = GST_RATE, qst_rate: Decimal = QST_RATE) -> Amounts:
    """The subtotal, both taxes and the total."""
    gst = tax(subtotal, gst_rate)
    qst = tax(subtotal, qst_rate)
    return Amounts(subtotal=subtotal, gst=gst, qst=qst, total=subtotal + gst + qst)


def prorated(amount: int, part: Decimal) -> int:
    """``part`` (0 to 1) of ``amount`` cents, half-up to the cent."""
    return int((Decimal(amount) * part).quantize(Decimal(1), rounding=ROUND_HALF_UP))
