"""Subscriptions, the card on file, charge attempts and invoices.

Only the processor's reference, the brand, the last 4 digits and the expiry of a card are kept: its number
never reaches BanqO. Invoices keep a copy of everything they print (seller, buyer, lines, rates), so that
changing a setting or a profile never changes an issued invoice; they outlive the account (``SET NULL``):
the tax authorities ask for six years.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from banqo_server.models.base import Base, new_id


class Subscription(Base):
    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), unique=True)
    offer: Mapped[str] = mapped_column(String(40))
    # trial, active, past_due, cancelled, ended (SubscriptionState); "cancelled" is active until the period ends.
    state: Mapped[str] = mapped_column(String(20), index=True)
    started_at: Mapped[datetime]
    trial_end: Mapped[datetime | None]
    current_period_start: Mapped[datetime]
    current_period_end: Mapped[datetime] = mapped_column(index=True)
    # Paid periods end a whole number of months after the anchor (the 31st stays the 31st, or the month's last).
    anchor: Mapped[datetime | None]
    # What was paid before taxes for the current period (0 in the trial): the base of a switch's credit.
    period_paid: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    pending_offer: Mapped[str | None] = mapped_column(String(40))
    billing_details: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # A declined charge: the first failure, how many attempts failed, why the last one did, the next retry.
    failure_first_at: Mapped[datetime | None]
    failure_last_at: Mapped[datetime | None]
    failure_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failure_code: Mapped[str | None] = mapped_column(String(40))
    next_retry_at: Mapped[datetime | None] = mapped_column(index=True)
    # The end, and the deletion of the collection, learners and plans after the grace period.
    ended_at: Mapped[datetime | None]
    data_deletion_at: Mapped[datetime | None] = mapped_column(index=True)
    data_deleted_at: Mapped[datetime | None]
    end_notice_sent_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)


class PaymentCard(Base):
    """The card on file: one per account."""

    __tablename__ = "payment_cards"

    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    processor: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(200))  # the processor's id for the card
    brand: Mapped[str] = mapped_column(String(40))
    last4: Mapped[str] = mapped_column(String(4))
    exp_month: Mapped[int]
    exp_year: Mapped[int]
    added_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)


class ChargeAttempt(Base):
    """Every charge asked of the processor, with its idempotency key, kept for the audit trail."""

    __tablename__ = "charge_attempts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    subscription_id: Mapped[str | None] = mapped_column(String(32), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))  # subscribe, renewal, switch, retry
    offer: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int]  # the total charged, taxes included, in cents
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))  # succeeded, declined
    failure_code: Mapped[str | None] = mapped_column(String(40))
    processor_charge_id: Mapped[str | None] = mapped_column(String(200))
    invoice_id: Mapped[str | None] = mapped_column(String(32))


class Invoice(Base):
    """An invoice or a credit note, numbered in one unbroken sequence per year; never updated once issued."""

    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("year", "sequence"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # invoice, credit_note
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    issued_at: Mapped[datetime]
    currency: Mapped[str] = mapped_column(String(3), default="CAD")
    seller_name: Mapped[str] = mapped_column(String(200))
    seller_address: Mapped[str] = mapped_column(String(500))
    gst_number: Mapped[str] = mapped_column(String(40))
    qst_number: Mapped[str] = mapped_column(String(40))
    buyer_name: Mapped[str] = mapped_column(String(400))
    buyer_email: Mapped[str] = mapped_column(String(320))
    buyer_address: Mapped[str] = mapped_column(String(500), default="")
    billing_details: Mapped[str] = mapped_column(String(300), default="")
    lines: Mapped[str] = mapped_column(Text)  # JSON: [InvoiceLine]
    subtotal: Mapped[int]
    gst: Mapped[int]
    qst: Mapped[int]
    total: Mapped[int]
    gst_rate: Mapped[str] = mapped_column(String(12))
    qst_rate: Mapped[str] = mapped_column(String(12))
    card_brand: Mapped[str] = mapped_column(String(40))
    card_last4: Mapped[str] = mapped_column(String(4))
    processor_charge_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    processor_refund_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    paid_at: Mapped[datetime]
    corrects_id: Mapped[str | None] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"), index=True)


class InvoiceSequence(Base):
    """The last number issued in a year; its row is locked while a number is taken, so none is skipped."""

    __tablename__ = "invoice_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)
