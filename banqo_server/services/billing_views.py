"""The wire views of subscriptions, cards and invoices: for the routes, the résumé and the data export."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from banqo_server.models import Invoice as InvoiceRow
from banqo_server.models import PaymentCard
from banqo_server.models import Subscription as SubscriptionRow
from banqo_server.services import billing
from banqo_server.settings import Settings
from banqo_tui.api.models import (
    Card,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    NextCharge,
    PaymentFailure,
    PaymentMethod,
    Seller,
    Subscription,
)


def subscription_view(settings: Settings, row: SubscriptionRow) -> Subscription:
    plan = billing.next_charge(settings, row)
    failure = None
    if row.state == "past_due" and row.failure_code and row.failure_last_at:
        failure = PaymentFailure(
            at=row.failure_last_at,
            code=row.failure_code,
            message=billing.decline_message(row.failure_code),
            attempts=row.failure_count,
            next_retry_at=row.next_retry_at,
        )
    return Subscription(
        state=billing.view_state(row, settings),
        offer=row.offer,
        started_at=row.started_at,
        current_period_start=row.current_period_start,
        current_period_end=row.current_period_end,
        trial_end=row.trial_end,
        cancel_at_period_end=row.cancel_at_period_end,
        pending_offer=row.pending_offer,
        ended_at=row.ended_at,
        data_deletion_at=row.data_deletion_at,
        data_deleted_at=row.data_deleted_at,
        next_charge=(
            NextCharge(
                at=plan.at,
                offer=plan.offer,
                period_start=plan.period_start,
                period_end=plan.period_end,
                credit=plan.credit,
                amounts=plan.amounts,
            )
            if plan
            else None
        ),
        payment_failure=failure,
        billing_details=row.billing_details,
        version=row.version,
    )


def card_view(settings: Settings, card: PaymentCard | None) -> Card | None:
    if card is None:
        return None
    now = settings.now()
    return Card(
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        expiring_soon=billing.card_expiring_soon(settings, card, now),
        expired=billing.card_expired(card, now),
        added_at=card.added_at,
    )


def payment_method_view(settings: Settings, card: PaymentCard | None) -> PaymentMethod:
    return PaymentMethod(
        card=card_view(settings, card),
        processor=settings.payment_processor,
        billing=settings.billing,
        version=card.version if card else 0,
    )


def invoice_view(db: Session, row: InvoiceRow) -> Invoice:
    statement = select(InvoiceRow.number, InvoiceRow.total).where(InvoiceRow.corrects_id == row.id)
    credit_notes = list(db.execute(statement.order_by(InvoiceRow.number)))
    refunded = -sum(total for _number, total in credit_notes)
    status = InvoiceStatus.PAID
    if row.kind == "credit_note":
        status = InvoiceStatus.REFUNDED
    elif refunded >= row.total:
        status = InvoiceStatus.REFUNDED
    elif refunded > 0:
        status = InvoiceStatus.PARTIALLY_REFUNDED
    corrects = db.scalar(select(InvoiceRow.number).where(InvoiceRow.id == row.corrects_id)) if row.corrects_id else None
    return Invoice(
        id=row.id,
        number=row.number,
        kind=InvoiceKind(row.kind),
        issued_at=row.issued_at,
        status=status,
        currency=row.currency,
        seller=Seller(
            name=row.seller_name, address=row.seller_address, gst_number=row.gst_number, qst_number=row.qst_number
        ),
        buyer_name=row.buyer_name,
        buyer_email=row.buyer_email,
        buyer_address=row.buyer_address,
        billing_details=row.billing_details,
        lines=[InvoiceLine.model_validate(line) for line in json.loads(row.lines)],
        subtotal=row.subtotal,
        gst=row.gst,
        qst=row.qst,
        total=row.total,
        gst_rate=row.gst_rate,
        qst_rate=row.qst_rate,
        card_brand=row.card_brand,
        card_last4=row.card_last4,
        paid_at=row.paid_at,
        corrects=corrects,
        credited_by=[number for number, _total in credit_notes],
    )
