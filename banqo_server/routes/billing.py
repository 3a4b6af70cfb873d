"""« Inscription », « Méthode de paiement », « Factures »: ``/subscription``, ``/payment-method``, ``/invoices``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from banqo_server.deps import (
    ApiRoute,
    CurrentAccount,
    CurrentSession,
    DbSession,
    IfMatch,
    ProcessorDep,
    SettingsDep,
    quick,
)
from banqo_server.i18n import current_language
from banqo_server.models import Invoice as InvoiceRow
from banqo_server.models import Subscription as SubscriptionRow
from banqo_server.problems import responses
from banqo_server.routes.views import with_etag
from banqo_server.services import billing
from banqo_server.services.billing_views import invoice_view, payment_method_view, subscription_view
from banqo_server.services.errors import NotFound
from banqo_server.services.learners import check_version
from banqo_server.services.paging import decode_cursor, encode_cursor
from banqo_server.settings import Settings
from banqo_tui.api.models import (
    Invoice,
    Offer,
    Offers,
    Page,
    PaymentMethod,
    PaymentMethodUpdate,
    SetupSession,
    Subscription,
    SubscriptionChange,
    SubscriptionPatch,
)

router = APIRouter(tags=["billing"], route_class=ApiRoute)

_BINARY = {"type": "string", "format": "binary"}


def _committed(db: Session, settings: Settings, account_id: str, response: Response) -> Subscription:
    """Commit a change of the subscription and answer it as it now stands, with its ETag."""
    db.commit()
    return with_etag(response, subscription_view(settings, billing.subscription_of(db, settings, account_id)))


def lock_subscription(db: Session, settings: Settings, account_id: str, expected: int | None) -> SubscriptionRow:
    """The caller's subscription, locked until the change is committed, at the version ``If-Match`` names (428,
    412 otherwise). Called by the route itself, not as a dependency: FastAPI runs a dependency on a thread of
    its own, and the request would then wait for another thread while holding the lock — with more changes at
    once than threads, every thread would wait for the lock and its holder for a thread, for good."""
    row = billing.subscription_of(db, settings, account_id, lock=True)
    check_version(row.version, expected)
    return row


# --- « Inscription » ---------------------------------------------------------------------------


@router.get("/subscription/offers", response_model=Offers, summary="The offers")
def list_offers(settings: SettingsDep) -> Offers:
    """The free trial, monthly and yearly, with their taxes; the retry schedule and the grace period."""
    return Offers(
        items=[
            Offer(
                id=terms.id,
                interval=terms.interval,
                price=billing.amounts(settings, terms.price),
                trial_days=terms.trial_days,
                needs_card=terms.id != billing.TRIAL,
            )
            for terms in billing.offers(settings)
        ],
        retry_days=list(settings.payment_retry_days),
        grace_days=settings.data_grace_period.days,
    )


@router.get("/subscription", response_model=Subscription, summary="Your subscription", responses=responses(401))
def get_subscription(current: CurrentSession, db: DbSession, settings: SettingsDep, response: Response) -> Subscription:
    row = billing.subscription_of(db, settings, current.account_id)
    db.commit()
    return with_etag(response, subscription_view(settings, row))


@router.put(
    "/subscription",
    response_model=Subscription,
    summary="Subscribe, switch offer, resume, or change the billing details",
    responses=responses(401, 402, 409, 412, 422, 428),
)
def change_subscription(
    body: SubscriptionChange,
    current: CurrentSession,
    account: CurrentAccount,
    db: DbSession,
    settings: SettingsDep,
    processor: ProcessorDep,
    expected: IfMatch,
    response: Response,
) -> Subscription:
    """``offer`` is `monthly` or `yearly`. From the trial or after the end, the card on file is charged at once
    (402 with the reason at `payment_method` when declined); monthly → yearly at once with the unused part
    deducted; yearly → monthly at the end of the year; the same offer resumes a cancelled subscription."""
    lock_subscription(db, settings, account.id, expected)
    billing.change(
        db, settings, processor, account,
        offer_id=body.offer, billing_details=body.billing_details, now=settings.now(), device=current.device,
    )
    return _committed(db, settings, account.id, response)


@router.patch(
    "/subscription",
    response_model=Subscription,
    summary="Change the billing details printed on invoices",
    responses=responses(401, 412, 422, 428),
)
def patch_subscription(
    body: SubscriptionPatch,
    account: CurrentAccount,
    db: DbSession,
    settings: SettingsDep,
    expected: IfMatch,
    response: Response,
) -> Subscription:
    """`billing_details` (a school, a purchase order…) goes on the invoices issued from now on, in any state;
    issued invoices never change."""
    lock_subscription(db, settings, account.id, expected)
    billing.set_billing_details(db, settings, account, body.billing_details)
    return _committed(db, settings, account.id, response)


@router.delete(
    "/subscription",
    response_model=Subscription,
    summary="Cancel at the end of the period paid",
    responses=responses(401, 409, 412, 428),
)
def cancel_subscription(
    current: CurrentSession,
    account: CurrentAccount,
    db: DbSession,
    settings: SettingsDep,
    expected: IfMatch,
    response: Response,
) -> Subscription:
    """Nothing is lost before the end of the period paid; `PUT` with the same offer resumes it before then."""
    lock_subscription(db, settings, account.id, expected)
    billing.cancel(db, settings, account, now=settings.now(), device=current.device)
    return _committed(db, settings, account.id, response)


# --- « Méthode de paiement » -------------------------------------------------------------------


@router.get("/payment-method", response_model=PaymentMethod, summary="The card on file", responses=responses(401))
def get_payment_method(
    current: CurrentSession, db: DbSession, settings: SettingsDep, response: Response
) -> PaymentMethod:
    """Brand, last 4 digits and expiry only: the card number never reaches BanqO."""
    return with_etag(response, payment_method_view(settings, billing.card_of(db, current.account_id)))


@router.post(
    "/payment-method/setup",
    response_model=SetupSession,
    status_code=201,
    summary="Start entering a card on the processor's side",
    responses=responses(401, 409),
)
def start_setup(account: CurrentAccount, settings: SettingsDep, processor: ProcessorDep) -> SetupSession:
    """The processor's short-lived session: its hosted page (`url`), or for `sandbox`
    `POST /sandbox-processor/v1/setup-sessions/{id}/confirm`; either answers the token for `PUT /payment-method`."""
    billing.check_billing(settings)
    session = billing.setup_session(processor, account, settings.now())
    return SetupSession(id=session.id, processor=processor.name, url=session.url, expires_at=session.expires_at)


@router.put(
    "/payment-method",
    response_model=PaymentMethod,
    summary="Make a new card the card on file",
    responses=responses(401, 409, 412, 422, 428),
)
def replace_payment_method(
    body: PaymentMethodUpdate,
    current: CurrentSession,
    account: CurrentAccount,
    db: DbSession,
    settings: SettingsDep,
    processor: ProcessorDep,
    expected: IfMatch,
    response: Response,
) -> PaymentMethod:
    """`token` from the processor; `If-Match` is `"0"` while no card is on file. A past-due subscription is
    charged again at once with the new card."""
    billing.check_billing(settings)
    card = billing.card_of(db, account.id)
    check_version(card.version if card else 0, expected)
    billing.replace_card(db, settings, processor, account, token=body.token, now=settings.now(), device=current.device)
    db.commit()
    return with_etag(response, payment_method_view(settings, billing.card_of(db, account.id)))


# --- « Factures » ------------------------------------------------------------------------------


@router.get("/invoices", response_model=Page[Invoice], summary="Your invoices", responses=responses(401, 422))
@quick
def list_invoices(
    current: CurrentSession,
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[Invoice]:
    """Invoices and credit notes, newest first."""
    statement = select(InvoiceRow).where(InvoiceRow.account_id == current.account_id)
    if cursor:
        at, invoice_id = decode_cursor(cursor)
        statement = statement.where(
            or_(InvoiceRow.issued_at < at, and_(InvoiceRow.issued_at == at, InvoiceRow.number < invoice_id))
        )
    rows = list(
        db.scalars(statement.order_by(InvoiceRow.issued_at.desc(), InvoiceRow.number.desc()).limit(limit + 1))
    )
    next_cursor = encode_cursor(rows[limit - 1].issued_at, rows[limit - 1].number) if len(rows) > limit else None
    return Page[Invoice](items=[invoice_view(db, row) for row in rows[:limit]], next_cursor=next_cursor)


def _owned_invoice(db: Session, account_id: str, invoice_id: str) -> InvoiceRow:
    row = db.scalars(
        select(InvoiceRow).where(InvoiceRow.id == invoice_id, InvoiceRow.account_id == account_id)
    ).one_or_none()
    if row is None:
        raise NotFound()
    return row


@router.get("/invoices/{invoice_id}", response_model=Invoice, summary="One invoice", responses=responses(401, 404))
def get_invoice(invoice_id: str, current: CurrentSession, db: DbSession) -> Invoice:
    return invoice_view(db, _owned_invoice(db, current.account_id, invoice_id))


@router.get(
    "/invoices/{invoice_id}/pdf",
    summary="One invoice as a PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {"schema": _BINARY}}}, **responses(401, 404)},
)
def invoice_pdf(invoice_id: str, current: CurrentSession, db: DbSession, settings: SettingsDep) -> Response:
    """In French with English beside it; amounts and dates formatted for the request's language."""
    from banqo_server.services import invoice_pdf as pdf

    invoice = invoice_view(db, _owned_invoice(db, current.account_id, invoice_id))
    content = pdf.render(invoice, current_language(), settings.seller_timezone)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{invoice.number}.pdf"'},
    )
