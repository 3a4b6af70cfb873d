"""The payment processor, seen from BanqO: setup sessions, tokens, charges and refunds.

Card numbers never reach BanqO: the card is entered on the processor's side (its hosted page, or the sandbox's
own endpoint), which hands back a single-use token. BanqO exchanges the token for a lasting reference and keeps
only that reference, the brand, the last 4 digits and the expiry. Every charge and refund carries an
idempotency key: asked twice with one key, the processor answers the first outcome again and moves no money.

A processor is synchronous (the routes and the billing run call it from worker threads) and independent of
BanqO's database transaction, like a remote service: what it did stays done even if BanqO's transaction is
rolled back — which is what the idempotency keys are for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from banqo_server.settings import Settings


@dataclass(frozen=True)
class SetupSessionInfo:
    id: str
    expires_at: datetime
    url: str | None = None  # a hosted page, when the processor has one


@dataclass(frozen=True)
class CardDetails:
    """What BanqO may keep of a card."""

    reference: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class ChargeOutcome:
    """``succeeded`` with the processor's ``charge_id``, or declined with a ``code`` (see ``DECLINE_CODES``)."""

    succeeded: bool
    charge_id: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class RefundOutcome:
    refund_id: str


#: Why a charge can be declined. ``processing_error`` is temporary: the next attempt may succeed.
DECLINE_CODES = (
    "card_declined",
    "insufficient_funds",
    "expired_card",
    "processing_error",
    "no_payment_method",
)


class TokenRefused(Exception):
    """The token is unknown, expired or already used (``code``: ``invalid_token``, ``token_used``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ProcessorUnavailable(Exception):
    """The processor could not be reached or answered with an error: nothing was charged for sure."""


class PaymentProcessor(Protocol):
    """What BanqO needs of a processor."""

    name: str

    def create_setup_session(self, *, customer: str, now: datetime) -> SetupSessionInfo:
        """A short-lived session where the customer enters a card; ``customer`` is BanqO's opaque account id."""
        ...

    def attach(self, token: str, *, customer: str, now: datetime) -> CardDetails:
        """Exchange a single-use token for a lasting card reference; raises ``TokenRefused``."""
        ...

    def charge(
        self, *, reference: str, amount: int, currency: str, idempotency_key: str, description: str, now: datetime
    ) -> ChargeOutcome:
        """Charge ``amount`` cents to the card; the same key answers the first outcome again."""
        ...

    def refund(self, *, charge_id: str, amount: int, idempotency_key: str, now: datetime) -> RefundOutcome:
        """Give back ``amount`` cents of a charge; the same key answers the first refund again."""
        ...


def processor_for(settings: Settings) -> PaymentProcessor:
    """The processor named by ``settings.payment_processor``."""
    if settings.payment_processor == "sandbox":
        from banqo_server.payments.sandbox import SandboxProcessor

        return SandboxProcessor(settings.sandbox_url)
    raise ValueError(
        f"unknown payment processor {settings.payment_processor!r}: this version of BanqO knows 'sandbox'"
    )
