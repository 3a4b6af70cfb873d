"""« Inscription »: offers, the trial, subscribing, switching, cancelling, the billing run and the end.

The rules, as the screen and the invoices state them:
- A new account starts on the free trial (no card). Subscribing during the trial charges at once, and the
  trial days left are added to the first period (its end is a month, or a year, after the trial's end).
- Monthly → yearly takes effect at once: the unused part of the month paid (prorated to the second) is deducted
  from the yearly invoice. Yearly → monthly takes effect at the end of the year paid: nothing is lost.
- Cancelling keeps everything until the end of the period paid; resuming before then undoes it.
- A declined renewal makes the subscription past due; BanqO tries again ``payment_retry_days`` after the due
  date, then ends it. Replacing the card tries again at once.
- When a subscription ends, the collection, learners and plans are kept ``data_grace_period``, then deleted;
  subscribing again before then keeps them.

Every charge carries an idempotency key derived from the number of attempts already recorded for the
subscription: a declined attempt is recorded (committed) before anything else, so the next one has a new key;
an attempt whose success was lost (a crash before the commit) is asked again with the same key, and the
processor answers the same charge — one invoice, never two. An invoice is issued in the same transaction as the
subscription's change, numbered from a locked per-year counter, so numbers have no gaps.
"""

from __future__ import annotations

import calendar
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, delete, false, func, or_, select
from sqlalchemy.orm import Session

from banqo_server.i18n import N_, _, use_language
from banqo_server.models import (
    Account,
    ChargeAttempt,
    Goal,
    Invoice,
    InvoiceSequence,
    Learner,
    PaymentCard,
    Subscription,
)
from banqo_server.payments import CardDetails, PaymentProcessor, SetupSessionInfo, TokenRefused
from banqo_server.services import activity, mail, plans, taxes
from banqo_server.services.errors import Conflict, InvalidInput, PaymentDeclined, SubscriptionEnded
from banqo_server.settings import Settings
from banqo_tui.api.models import BILLING_DETAILS_MAX_LENGTH, ActivityKind, Amounts, BillingInterval, SubscriptionState

log = logging.getLogger("banqo_server.billing")

TRIAL = "trial"
MONTHLY = "monthly"
YEARLY = "yearly"
CURRENCY = "CAD"

#: Tax records are kept six years after the end of the year they concern (Revenu Québec, CRA).
INVOICE_RETENTION_YEARS = 6

#: Bounds of one billing run: subscriptions per run, and periods caught up per subscription.
RUN_LIMIT = 1000
CATCH_UP_LIMIT = 36

#: Why a charge was declined, in words (``payments.DECLINE_CODES``).
DECLINE_MESSAGES = {
    "card_declined": N_("La carte a été refusée par l'institution financière."),
    "insufficient_funds": N_("La carte a été refusée : fonds insuffisants."),
    "expired_card": N_("La carte a été refusée : elle est expirée."),
    "processing_error": N_("Le processeur de paiement a eu une erreur temporaire; BanqO réessaiera."),
    "no_payment_method": N_("Aucune carte n'est enregistrée."),
}

#: The sandbox's seller, printed when the operator has not configured one (test mode only).
SANDBOX_SELLER = {
    "name": "BanqO (mode test)",
    "address": "1000, rue de l’Exemple\nMontréal (Québec)  H2X 1Y4\nCanada",
    "gst_number": "123456789 RT0001",
    "qst_number": "1234567890 TQ0001",
}


@dataclass(frozen=True)
class OfferTerms:
    id: str
    interval: BillingInterval
    price: int
    trial_days: int = 0


def decline_message(code: str | None) -> str:
    return _(DECLINE_MESSAGES.get(code or "", DECLINE_MESSAGES["card_declined"]))


# --- offers and calendar -----------------------------------------------------------------------


def offers(settings: Settings) -> list[OfferTerms]:
    """The offers of the server's settings: the trial, monthly, yearly."""
    return [
        OfferTerms(TRIAL, BillingInterval.TRIAL, 0, settings.trial_days),
        OfferTerms(MONTHLY, BillingInterval.MONTH, settings.monthly_price),
        OfferTerms(YEARLY, BillingInterval.YEAR, settings.yearly_price),
    ]


def offer_terms(settings: Settings, offer_id: str) -> OfferTerms | None:
    return next((terms for terms in offers(settings) if terms.id == offer_id), None)


def amounts(settings: Settings, subtotal: int) -> Amounts:
    return taxes.amounts(subtotal, settings.gst_rate, settings.qst_rate)


def add_months(moment: datetime, months: int) -> datetime:
    """``months`` calendar months later; the day is kept, or the month's last when it has fewer days."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _months(offer_id: str) -> int:
    return 12 if offer_id == YEARLY else 1


def period_end_after(anchor: datetime, offer_id: str, after: datetime) -> datetime:
    """The first end of a paid period counted from ``anchor`` that falls after ``after``."""
    step = _months(offer_id)
    count = max(1, ((after.year - anchor.year) * 12 + after.month - anchor.month) // step)
    for _attempt in range(4):  # the estimate is off by at most one step either way
        end = add_months(anchor, count * step)
        if end > after and (count == 1 or add_months(anchor, (count - 1) * step) <= after):
            return end
        count = count + 1 if end <= after else count - 1
    return add_months(after, step)  # pragma: no cover - unreachable with a sane anchor


# --- reading -----------------------------------------------------------------------------------


def start_trial(db: Session, settings: Settings, account_id: str, now: datetime) -> Subscription:
    """The trial every new account starts on."""
    subscription = Subscription(
        account_id=account_id,
        offer=TRIAL,
        state=SubscriptionState.TRIAL.value,
        started_at=now,
        trial_end=now + timedelta(days=settings.trial_days),
        current_period_start=now,
        current_period_end=now + timedelta(days=settings.trial_days),
    )
    db.add(subscription)
    return subscription


def subscription_of(db: Session, settings: Settings, account_id: str, *, lock: bool = False) -> Subscription:
    """The account's subscription; an account from before billing existed gets its trial now."""
    statement = select(Subscription).where(Subscription.account_id == account_id)
    if lock:
        statement = statement.with_for_update()
    subscription = db.scalars(statement).one_or_none()
    if subscription is None:
        subscription = start_trial(db, settings, account_id, settings.now())
        db.flush()
    return subscription


def check_billing(settings: Settings) -> None:
    """Subscribing, cancelling and cards make sense only on a server that bills (409 otherwise)."""
    if not settings.billing:
        raise Conflict({"offer": [_("Ce serveur BanqO ne facture pas : aucun abonnement n'est nécessaire.")]})


def check_writable(db: Session, settings: Settings, account_id: str) -> None:
    """Adding to or changing the collection needs a subscription that has not ended (``SubscriptionEnded``)."""
    if not settings.billing:
        return
    state = db.scalar(select(Subscription.state).where(Subscription.account_id == account_id))
    if state == SubscriptionState.ENDED.value:
        raise SubscriptionEnded()


def card_of(db: Session, account_id: str) -> PaymentCard | None:
    return db.get(PaymentCard, account_id)


def card_expiry(card: PaymentCard) -> datetime:
    """The first instant the card is no longer valid: the start of the month after its expiry month."""
    year, month = (card.exp_year + 1, 1) if card.exp_month == 12 else (card.exp_year, card.exp_month + 1)
    return datetime(year, month, 1, tzinfo=ZoneInfo("UTC"))


def card_expired(card: PaymentCard, now: datetime) -> bool:
    return now >= card_expiry(card)


def card_expiring_soon(settings: Settings, card: PaymentCard, now: datetime) -> bool:
    return not card_expired(card, now) and card_expiry(card) - now <= settings.card_expiry_notice


def view_state(subscription: Subscription, settings: Settings | None = None) -> SubscriptionState:
    if settings is not None and not settings.billing:
        return SubscriptionState.NOT_BILLED
    if subscription.state == SubscriptionState.ACTIVE.value and subscription.cancel_at_period_end:
        return SubscriptionState.CANCELLED
    return SubscriptionState(subscription.state)


@dataclass(frozen=True)
class ChargePlan:
    """What the next charge will be: when, which offer, which period, the credit deducted, the amounts."""

    at: datetime
    offer: str
    period_start: datetime
    period_end: datetime
    credit: int
    amounts: Amounts


def next_charge(settings: Settings, subscription: Subscription) -> ChargePlan | None:
    """The renewal to come, if any (none in the trial, once cancelled, or ended)."""
    if not settings.billing:
        return None
    if subscription.state == SubscriptionState.ACTIVE.value and not subscription.cancel_at_period_end:
        at = subscription.current_period_end
    elif subscription.state == SubscriptionState.PAST_DUE.value and subscription.next_retry_at is not None:
        at = subscription.next_retry_at
    else:
        return None
    offer_id = subscription.pending_offer or subscription.offer
    terms = offer_terms(settings, offer_id)
    if terms is None:
        return None
    start, end = _renewal_period(subscription, offer_id)
    return ChargePlan(at, offer_id, start, end, 0, amounts(settings, terms.price))


def _renewal_period(subscription: Subscription, offer_id: str) -> tuple[datetime, datetime]:
    start = subscription.current_period_end
    if subscription.pending_offer and subscription.pending_offer == offer_id:
        return start, add_months(start, _months(offer_id))  # a new offer counts from its own start
    anchor = subscription.anchor or start
    return start, period_end_after(anchor, offer_id, start)


# --- changing ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a change did, for the route: the invoice issued, if any."""

    invoice: Invoice | None = None


def change(
    db: Session,
    settings: Settings,
    processor: PaymentProcessor,
    account: Account,
    *,
    offer_id: str,
    billing_details: str | None,
    now: datetime,
    device: str | None = None,
) -> Outcome:
    """``PUT /subscription``: subscribe, switch, resume, or only change the billing details (same offer).

    A charge that is declined is recorded and committed, then ``PaymentDeclined`` is raised.
    """
    check_billing(settings)
    subscription = subscription_of(db, settings, account.id, lock=True)
    terms = offer_terms(settings, offer_id)
    errors: dict[str, list[str]] = {}
    if terms is None or terms.id == TRIAL:
        errors["offer"] = [_("Choisissez l'offre mensuelle ou l'offre annuelle.")]
    details = None if billing_details is None else " ".join(billing_details.split())
    if details is not None and len(details) > BILLING_DETAILS_MAX_LENGTH:
        errors["billing_details"] = [_("Au plus {count} caractères.").format(count=BILLING_DETAILS_MAX_LENGTH)]
    if errors:
        raise InvalidInput(errors)
    assert terms is not None
    state = subscription.state
    # The new details go on the invoice issued now, and are kept once any charge went through: a declined
    # charge commits only its own record.
    printed = subscription.billing_details if details is None else details
    outcome = Outcome()
    if state == SubscriptionState.PAST_DUE.value and offer_id != subscription.offer:
        message = _("Un paiement est en souffrance : remplacez d'abord la carte dans « Méthode de paiement ».")
        raise Conflict({"offer": [message]})
    if state == SubscriptionState.ACTIVE.value and offer_id == subscription.offer:
        if subscription.cancel_at_period_end:
            subscription.cancel_at_period_end = False
            activity.record(db, account.id, ActivityKind.SUBSCRIPTION_RESUMED, now, device)
        subscription.pending_offer = None
    elif state == SubscriptionState.ACTIVE.value and offer_id == MONTHLY:
        # Yearly → monthly: at the end of the year paid, so that nothing paid is lost.
        subscription.cancel_at_period_end = False
        subscription.pending_offer = MONTHLY
        activity.record(db, account.id, ActivityKind.OFFER_SWITCH_SCHEDULED, now, device)
    elif state == SubscriptionState.ACTIVE.value:
        # Monthly → yearly: at once, the unused part of the month deducted.
        # What was paid covers the last month of the period; trial days added to it were free.
        end = subscription.current_period_end
        paid_from = max(subscription.current_period_start, add_months(end, -_months(subscription.offer)))
        unused = max(timedelta(0), end - max(now, paid_from))
        length = end - paid_from
        part = Decimal(unused.total_seconds()) / Decimal(length.total_seconds()) if length else Decimal(0)
        credit = min(taxes.prorated(subscription.period_paid, part), terms.price)
        invoice = _charge_now(
            db, settings, processor, account, subscription, terms, purpose="switch",
            period_start=now, period_end=add_months(now, 12), credit=credit,
            credit_period=(now, subscription.current_period_end), billing_details=printed, now=now,
        )
        subscription.offer, subscription.anchor = YEARLY, now
        subscription.cancel_at_period_end, subscription.pending_offer = False, None
        _start_period(subscription, now, add_months(now, 12), terms.price - credit)
        activity.record(db, account.id, ActivityKind.OFFER_SWITCHED, now, device)
        outcome.invoice = invoice
    elif state == SubscriptionState.PAST_DUE.value:
        # The same offer while past due: pay what is due now.
        if not _retry(db, settings, processor, account, subscription, now, scheduled=False):
            raise PaymentDeclined(subscription.failure_code or "card_declined")
    else:
        # From the trial (trial days added to the first period) or after the end (a fresh start).
        in_trial = state == SubscriptionState.TRIAL.value and subscription.current_period_end > now
        anchor = subscription.current_period_end if in_trial else now
        end = add_months(anchor, _months(terms.id))
        invoice = _charge_now(
            db, settings, processor, account, subscription, terms, purpose="subscribe",
            period_start=now, period_end=end, credit=0, credit_period=None, billing_details=printed, now=now,
        )
        subscription.offer, subscription.anchor, subscription.state = terms.id, anchor, SubscriptionState.ACTIVE.value
        subscription.cancel_at_period_end, subscription.pending_offer = False, None
        subscription.ended_at = subscription.data_deletion_at = subscription.data_deleted_at = None
        subscription.end_notice_sent_at = None
        _start_period(subscription, now, end, terms.price)
        activity.record(db, account.id, ActivityKind.SUBSCRIBED, now, device)
        outcome.invoice = invoice
    subscription.billing_details = printed
    subscription.version += 1
    return outcome


def set_billing_details(db: Session, settings: Settings, account: Account, billing_details: str) -> None:
    """``PATCH /subscription``: what the next invoices print (school, purchase order), in any state."""
    details = " ".join(billing_details.split())
    if len(details) > BILLING_DETAILS_MAX_LENGTH:
        raise InvalidInput(
            {"billing_details": [_("Au plus {count} caractères.").format(count=BILLING_DETAILS_MAX_LENGTH)]}
        )
    subscription = subscription_of(db, settings, account.id, lock=True)
    if details != subscription.billing_details:
        subscription.billing_details = details
        subscription.version += 1


def cancel(db: Session, settings: Settings, account: Account, *, now: datetime, device: str | None = None) -> None:
    """``DELETE /subscription``: cancel at the end of the period paid (at once when past due: nothing is paid)."""
    check_billing(settings)
    subscription = subscription_of(db, settings, account.id, lock=True)
    if subscription.state == SubscriptionState.ENDED.value:
        raise Conflict({"offer": [_("L'abonnement a déjà pris fin.")]})
    if subscription.state == SubscriptionState.TRIAL.value:
        raise Conflict({"offer": [_("L'essai gratuit prend fin de lui-même : il n'y a rien à annuler.")]})
    if subscription.state == SubscriptionState.PAST_DUE.value:
        _end(db, settings, subscription, now, now)
    else:
        subscription.cancel_at_period_end = True
        subscription.pending_offer = None
        activity.record(db, account.id, ActivityKind.SUBSCRIPTION_CANCELLED, now, device)
    subscription.version += 1


def setup_session(processor: PaymentProcessor, account: Account, now: datetime) -> SetupSessionInfo:
    """A processor session where the card is entered (never through BanqO)."""
    return processor.create_setup_session(customer=account.id, now=now)


def replace_card(
    db: Session,
    settings: Settings,
    processor: PaymentProcessor,
    account: Account,
    *,
    token: str,
    now: datetime,
    device: str | None = None,
) -> PaymentCard:
    """``PUT /payment-method``: the card behind ``token`` becomes the card on file; a past-due subscription is
    charged again at once with it."""
    try:
        details: CardDetails = processor.attach(token, customer=account.id, now=now)
    except TokenRefused as refused:
        message = (
            _("Cette carte a déjà été enregistrée : recommencez la saisie.")
            if refused.code == "token_used"
            else _("La saisie de la carte a expiré ou n'est pas reconnue : recommencez.")
        )
        raise InvalidInput({"token": [message]}) from None
    card = db.get(PaymentCard, account.id)
    if card is None:
        card = PaymentCard(account_id=account.id, version=0)
        db.add(card)
    card.processor = processor.name
    card.reference = details.reference
    card.brand, card.last4 = details.brand, details.last4
    card.exp_month, card.exp_year = details.exp_month, details.exp_year
    card.added_at = now
    card.version = (card.version or 0) + 1
    activity.record(db, account.id, ActivityKind.PAYMENT_METHOD_CHANGED, now, device)
    db.flush()
    subscription = subscription_of(db, settings, account.id, lock=True)
    if subscription.state == SubscriptionState.PAST_DUE.value:
        db.commit()  # the new card is kept whatever the retry does
        subscription = subscription_of(db, settings, account.id, lock=True)
        _retry(db, settings, processor, account, subscription, now, scheduled=False)
        subscription.version += 1
    return card


# --- charging and invoices ---------------------------------------------------------------------


def _start_period(subscription: Subscription, start: datetime, end: datetime, paid: int) -> None:
    subscription.current_period_start, subscription.current_period_end = start, end
    subscription.period_paid = paid
    subscription.failure_first_at = subscription.failure_last_at = subscription.next_retry_at = None
    subscription.failure_code, subscription.failure_count = None, 0


def _usable_card(db: Session, account: Account, now: datetime) -> PaymentCard:
    card = card_of(db, account.id)
    if card is None:
        raise InvalidInput({"payment_method": [_("Ajoutez d'abord une carte dans « Méthode de paiement ».")]})
    if card_expired(card, now):
        raise InvalidInput(
            {"payment_method": [_("La carte enregistrée est expirée : remplacez-la dans « Méthode de paiement ».")]}
        )
    return card


def _next_key(db: Session, subscription: Subscription) -> str:
    recorded = db.scalar(
        select(func.count()).select_from(ChargeAttempt).where(ChargeAttempt.subscription_id == subscription.id)
    )
    return f"banqo-{subscription.id}-{(recorded or 0) + 1}"


def _charge_now(
    db: Session,
    settings: Settings,
    processor: PaymentProcessor,
    account: Account,
    subscription: Subscription,
    terms: OfferTerms,
    *,
    purpose: str,
    period_start: datetime,
    period_end: datetime,
    credit: int,
    credit_period: tuple[datetime, datetime] | None,
    billing_details: str,
    now: datetime,
) -> Invoice:
    """Charge for a period asked for by the user; a decline is committed, then raised."""
    card = _usable_card(db, account, now)
    invoice = _charge(
        db, settings, processor, account, subscription, card, terms,
        purpose=purpose, period_start=period_start, period_end=period_end,
        credit=credit, credit_period=credit_period, billing_details=billing_details, now=now,
    )
    if invoice is None:
        attempt_code = subscription_failure_code(db, subscription)
        db.commit()
        raise PaymentDeclined(attempt_code)
    return invoice


def subscription_failure_code(db: Session, subscription: Subscription) -> str:
    code = db.scalar(
        select(ChargeAttempt.failure_code)
        .where(ChargeAttempt.subscription_id == subscription.id)
        .order_by(ChargeAttempt.created_at.desc(), ChargeAttempt.id.desc())
        .limit(1)
    )
    return code or "card_declined"


def _charge(
    db: Session,
    settings: Settings,
    processor: PaymentProcessor,
    account: Account,
    subscription: Subscription,
    card: PaymentCard,
    terms: OfferTerms,
    *,
    purpose: str,
    period_start: datetime,
    period_end: datetime,
    credit: int,
    credit_period: tuple[datetime, datetime] | None,
    now: datetime,
    billing_details: str | None = None,
) -> Invoice | None:
    """One charge, recorded; its invoice when it succeeded, None when declined (the attempt is recorded).
    ``billing_details``: what the invoice prints (default: the subscription's)."""
    subtotal = terms.price - credit
    money = amounts(settings, subtotal)
    key = _next_key(db, subscription)
    # The processor is asked before anything of this transaction is written: its answer stands on its own.
    result = processor.charge(
        reference=card.reference,
        amount=money.total,
        currency=CURRENCY,
        idempotency_key=key,
        description=f"BanqO {terms.id} {period_start.date().isoformat()}",
        now=now,
    )
    attempt = ChargeAttempt(
        account_id=account.id,
        subscription_id=subscription.id,
        idempotency_key=key,
        purpose=purpose,
        offer=terms.id,
        amount=money.total,
        created_at=now,
        status="succeeded" if result.succeeded else "declined",
        failure_code=None if result.succeeded else (result.code or "card_declined"),
        processor_charge_id=result.charge_id,
    )
    db.add(attempt)
    if not result.succeeded:
        db.flush()
        return None
    lines = [_subscription_line(terms, period_start, period_end, subscription, purpose)]
    if credit:
        lines.append(_credit_line(subscription.offer, credit, credit_period))
    invoice = issue(
        db, settings, Buyer.of(account, subscription.billing_details if billing_details is None else billing_details),
        kind="invoice", lines=lines, money=money, card_brand=card.brand, card_last4=card.last4,
        charge_id=result.charge_id, refund_id=None, corrects=None, now=now,
    )
    attempt.invoice_id = invoice.id
    activity_kind = ActivityKind.SUBSCRIPTION_RENEWED if purpose in {"renewal", "retry"} else None
    if activity_kind is not None:
        activity.record(db, account.id, activity_kind, now)
    return invoice


OFFER_NAMES = {
    MONTHLY: ("offre mensuelle", "monthly offer"),
    YEARLY: ("offre annuelle", "yearly offer"),
}


def _subscription_line(
    terms: OfferTerms, start: datetime, end: datetime, subscription: Subscription, purpose: str
) -> dict[str, object]:
    french, english = OFFER_NAMES[terms.id]
    description_fr = f"Abonnement BanqO — {french}"
    description_en = f"BanqO subscription — {english}"
    if purpose == "subscribe" and subscription.state == SubscriptionState.TRIAL.value and subscription.trial_end:
        left = subscription.current_period_end - start
        if left > timedelta(0):
            days = max(1, round(left.total_seconds() / 86400))
            description_fr += f" (les {days} jours d’essai restants s’ajoutent à la période)"
            description_en += f" (the {days} trial days left are added to the period)"
    return {
        "description_fr": description_fr,
        "description_en": description_en,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "amount": terms.price,
    }


def _credit_line(previous_offer: str, credit: int, period: tuple[datetime, datetime] | None) -> dict[str, object]:
    french, english = OFFER_NAMES.get(previous_offer, OFFER_NAMES[MONTHLY])
    return {
        "description_fr": f"Crédit : partie non utilisée de l’{french}, au prorata",
        "description_en": f"Credit: unused part of the {english}, prorated",
        "period_start": period[0].isoformat() if period else None,
        "period_end": period[1].isoformat() if period else None,
        "amount": -credit,
    }


def seller(settings: Settings) -> dict[str, str]:
    """The seller printed on invoices: the settings', else the sandbox's test values."""
    configured = {
        "name": settings.seller_name,
        "address": settings.seller_address,
        "gst_number": settings.gst_number,
        "qst_number": settings.qst_number,
    }
    if all(configured.values()):
        return {key: str(value).replace("\\n", "\n") for key, value in configured.items()}
    if settings.payment_processor != "sandbox":
        missing = ", ".join(f"BANQO_{key.upper()}" for key, value in configured.items() if not value)
        raise RuntimeError(f"invoices need the seller's settings: set {missing}")
    return dict(SANDBOX_SELLER)


def check_seller(settings: Settings) -> None:
    """Refuse to start a server that would issue invoices without a seller (a real processor), or in a time
    zone that does not exist (found out only once a card was charged, otherwise)."""
    seller(settings)
    try:
        ZoneInfo(settings.seller_timezone)
    except (ValueError, KeyError):
        raise RuntimeError(f"BANQO_SELLER_TIMEZONE: unknown time zone {settings.seller_timezone!r}") from None


def _buyer_address(account: Account) -> str:
    city_line = " ".join(
        part for part in (account.address_city, f"({account.address_province})" if account.address_province else "")
        if part
    )
    lines = [account.address_street, "  ".join(p for p in (city_line, account.address_postal_code) if p)]
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Buyer:
    """Who an invoice is for, as printed: copied at issue, never read again from the profile."""

    account_id: str | None
    name: str
    email: str
    address: str
    billing_details: str

    @classmethod
    def of(cls, account: Account, billing_details: str) -> Buyer:
        name = f"{account.first_name} {account.last_name}".strip()
        return cls(account.id, name, account.email, _buyer_address(account), billing_details)


def issue(
    db: Session,
    settings: Settings,
    buyer: Buyer,
    *,
    kind: str,
    lines: list[dict[str, object]],
    money: Amounts,
    card_brand: str,
    card_last4: str,
    charge_id: str | None,
    refund_id: str | None,
    corrects: Invoice | None,
    now: datetime,
) -> Invoice:
    """Number and store an invoice or a credit note; a copy of everything it prints is kept with it."""
    year = now.astimezone(ZoneInfo(settings.seller_timezone)).year
    sequence = _take_number(db, year)
    the_seller = seller(settings)
    invoice = Invoice(
        number=f"BQ-{year}-{sequence:06d}",
        year=year,
        sequence=sequence,
        kind=kind,
        account_id=buyer.account_id,
        issued_at=now,
        currency=CURRENCY,
        seller_name=the_seller["name"],
        seller_address=the_seller["address"],
        gst_number=the_seller["gst_number"],
        qst_number=the_seller["qst_number"],
        buyer_name=buyer.name,
        buyer_email=buyer.email,
        buyer_address=buyer.address,
        billing_details=buyer.billing_details,
        lines=json.dumps(lines, ensure_ascii=False),
        subtotal=money.subtotal,
        gst=money.gst,
        qst=money.qst,
        total=money.total,
        gst_rate=str(settings.gst_rate),
        qst_rate=str(settings.qst_rate),
        card_brand=card_brand,
        card_last4=card_last4,
        processor_charge_id=charge_id,
        processor_refund_id=refund_id,
        paid_at=now,
        corrects_id=corrects.id if corrects else None,
    )
    db.add(invoice)
    db.flush()
    return invoice


def _take_number(db: Session, year: int) -> int:
    """The next number of ``year``, from its counter row, locked until the transaction ends."""
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        db.execute(pg_insert(InvoiceSequence).values(year=year, last_number=0).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        db.execute(sqlite_insert(InvoiceSequence).values(year=year, last_number=0).on_conflict_do_nothing())
    row = db.scalars(
        select(InvoiceSequence).where(InvoiceSequence.year == year).with_for_update()
    ).one()
    row.last_number += 1
    db.flush()
    return row.last_number


def refund(
    db: Session,
    settings: Settings,
    processor: PaymentProcessor,
    invoice: Invoice,
    *,
    subtotal: int | None,
    now: datetime,
) -> Invoice:
    """Give back part or all of an invoice (``subtotal`` before taxes, default all): a credit note."""
    if invoice.kind != "invoice" or invoice.processor_charge_id is None:
        raise ValueError("only a paid invoice can be refunded")
    already = -(db.scalar(select(func.sum(Invoice.subtotal)).where(Invoice.corrects_id == invoice.id)) or 0)
    left = invoice.subtotal - already
    amount = left if subtotal is None else subtotal
    if amount <= 0 or amount > left:
        raise ValueError(f"at most {left} cents before taxes can still be refunded on {invoice.number}")
    credit_count = db.scalar(select(func.count()).select_from(Invoice).where(Invoice.corrects_id == invoice.id))
    money = amounts(settings, -amount)
    if amount == left and already == 0:
        money = Amounts(subtotal=-invoice.subtotal, gst=-invoice.gst, qst=-invoice.qst, total=-invoice.total)
    outcome = processor.refund(
        charge_id=invoice.processor_charge_id,
        amount=-money.total,
        idempotency_key=f"banqo-refund-{invoice.id}-{(credit_count or 0) + 1}",
        now=now,
    )
    line: dict[str, object] = {
        "description_fr": f"Remboursement sur la facture {invoice.number}",
        "description_en": f"Refund on invoice {invoice.number}",
        "period_start": None,
        "period_end": None,
        "amount": money.subtotal,
    }
    buyer = Buyer(
        invoice.account_id, invoice.buyer_name, invoice.buyer_email, invoice.buyer_address, invoice.billing_details
    )
    credit_note = issue(
        db, settings, buyer,
        kind="credit_note", lines=[line], money=money, card_brand=invoice.card_brand, card_last4=invoice.card_last4,
        charge_id=None, refund_id=outcome.refund_id, corrects=invoice, now=now,
    )
    if invoice.account_id:
        activity.record(db, invoice.account_id, ActivityKind.REFUND_ISSUED, now)
    return credit_note


# --- the billing run ---------------------------------------------------------------------------


@dataclass
class RunReport:
    """What one billing run did."""

    renewed: int = 0
    declined: int = 0
    ended: int = 0
    purged: int = 0
    notices: int = 0
    failed: int = 0
    invoices_expired: int = 0
    invoices: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"renewed {self.renewed}, declined {self.declined}, ended {self.ended}, "
            f"data deleted {self.purged}, notices sent {self.notices}, failed {self.failed}, "
            f"old invoices of deleted accounts removed {self.invoices_expired}"
        )


def due_subscriptions(db: Session, now: datetime, *, notices: bool, limit: int = RUN_LIMIT) -> list[str]:
    """Ids of the subscriptions the run has something to do for, as of ``now`` (``notices``: also those whose
    end notice was not mailed yet)."""
    # A notice announces a deletion to come: never one already done or overdue (mail configured late).
    unnotified = (
        (Subscription.state == SubscriptionState.ENDED.value)
        & Subscription.end_notice_sent_at.is_(None)
        & Subscription.data_deleted_at.is_(None)
        & (Subscription.data_deletion_at > now)
    )
    statement = (
        select(Subscription.id)
        .where(
            or_(
                (Subscription.state.in_([SubscriptionState.TRIAL.value, SubscriptionState.ACTIVE.value]))
                & (Subscription.current_period_end <= now),
                (Subscription.state == SubscriptionState.PAST_DUE.value) & (Subscription.next_retry_at <= now),
                (Subscription.state == SubscriptionState.ENDED.value)
                & Subscription.data_deleted_at.is_(None)
                & (Subscription.data_deletion_at <= now),
                unnotified if notices else false(),
            )
        )
        .order_by(Subscription.current_period_end, Subscription.id)
        .limit(limit)
    )
    return list(db.scalars(statement))


def run(
    session_factory: Callable[[], Session],
    settings: Settings,
    processor: PaymentProcessor,
    now: datetime | None = None,
) -> RunReport:
    """Renew, retry, end and clean up every subscription due as of ``now`` (default: the settings' clock).

    Each subscription is handled in its own transaction, locked (skipped when another run holds it).
    Safe to run again, or from several servers at once.
    """
    now = now or settings.now()
    report = RunReport()
    if not settings.billing:
        return report
    with session_factory() as db:
        ids = due_subscriptions(db, now, notices=mail.mail_configured(settings))
    for subscription_id in ids:
        try:
            with session_factory() as db:
                statement = select(Subscription).where(Subscription.id == subscription_id)
                if db.get_bind().dialect.name == "postgresql":
                    statement = statement.with_for_update(skip_locked=True)
                subscription = db.scalars(statement).one_or_none()
                if subscription is None:
                    continue
                account = db.get(Account, subscription.account_id)
                if account is None:
                    continue
                _advance(db, settings, processor, account, subscription, now, report)
                db.commit()
                if _notice_due(subscription, now):
                    if _send_end_notice(settings, account, subscription):
                        subscription.end_notice_sent_at = now
                        db.commit()
                        report.notices += 1
        except Exception:
            report.failed += 1
            log.exception("billing run: subscription %s could not be handled", subscription_id)
    with session_factory() as db:
        report.invoices_expired = remove_expired_invoices(db, settings, now)
        db.commit()
    return report


def remove_expired_invoices(db: Session, settings: Settings, now: datetime) -> int:
    """The invoices (and charge records) of deleted accounts, once the law no longer asks to keep them: six
    years after the end of the year they were issued in. A living account's invoices stay."""
    year = now.astimezone(ZoneInfo(settings.seller_timezone)).year
    last_year_to_remove = year - INVOICE_RETENTION_YEARS - 1
    orphans = (Invoice.account_id.is_(None)) & (Invoice.year <= last_year_to_remove)
    # Credit notes first: they point at the invoices they correct.
    notes = cast(CursorResult[Any], db.execute(delete(Invoice).where(orphans & Invoice.corrects_id.is_not(None))))
    rest = cast(CursorResult[Any], db.execute(delete(Invoice).where(orphans)))
    cutoff = datetime(last_year_to_remove + 1, 1, 1, tzinfo=ZoneInfo(settings.seller_timezone))
    db.execute(delete(ChargeAttempt).where(ChargeAttempt.account_id.is_(None), ChargeAttempt.created_at < cutoff))
    return int(notes.rowcount or 0) + int(rest.rowcount or 0)


def _advance(
    db: Session,
    settings: Settings,
    processor: PaymentProcessor,
    account: Account,
    subscription: Subscription,
    now: datetime,
    report: RunReport,
) -> None:
    """Bring one subscription up to ``now``, period after period (bounded)."""
    for _step in range(CATCH_UP_LIMIT):
        state = subscription.state
        if state == SubscriptionState.ENDED.value:
            deletion = subscription.data_deletion_at
            if subscription.data_deleted_at is None and deletion is not None and deletion <= now:
                delete_data(db, account.id, now)
                subscription.data_deleted_at = now
                subscription.version += 1
                report.purged += 1
            return
        if state == SubscriptionState.PAST_DUE.value:
            if subscription.next_retry_at is None or subscription.next_retry_at > now:
                return
            if _retry(db, settings, processor, account, subscription, now, scheduled=True, report=report):
                report.renewed += 1
            elif subscription.state == SubscriptionState.ENDED.value:
                report.ended += 1
            else:
                report.declined += 1
            continue  # a late run catches up: the next retry, or the end, may be due too
        if subscription.current_period_end > now:
            return
        due = subscription.current_period_end
        if state == SubscriptionState.TRIAL.value or subscription.cancel_at_period_end:
            _end(db, settings, subscription, due, now)
            report.ended += 1
            continue
        if subscription.pending_offer:
            subscription.offer, subscription.pending_offer = subscription.pending_offer, None
            subscription.anchor = due
        terms = offer_terms(settings, subscription.offer)
        assert terms is not None
        start, end = due, period_end_after(subscription.anchor or due, terms.id, due)
        card = card_of(db, account.id)
        invoice = None
        if card is not None:
            invoice = _charge(
                db, settings, processor, account, subscription, card, terms,
                purpose="renewal", period_start=start, period_end=end, credit=0, credit_period=None, now=now,
            )
        subscription.version += 1
        if invoice is not None:
            _start_period(subscription, start, end, terms.price)
            report.renewed += 1
            report.invoices.append(invoice.number)
            continue
        code = "no_payment_method" if card is None else subscription_failure_code(db, subscription)
        _record_failure(db, settings, subscription, code, now)
        report.declined += 1
        return


def _retry(
    db: Session,
    settings: Settings,
    processor: PaymentProcessor,
    account: Account,
    subscription: Subscription,
    now: datetime,
    *,
    scheduled: bool,
    report: RunReport | None = None,
) -> bool:
    """Charge a past-due subscription again; True when paid. A scheduled retry counts toward the end."""
    terms = offer_terms(settings, subscription.offer)
    assert terms is not None
    start, end = _renewal_period(subscription, subscription.offer)
    card = card_of(db, account.id)
    invoice = None
    if card is not None and not card_expired(card, now):
        invoice = _charge(
            db, settings, processor, account, subscription, card, terms,
            purpose="retry", period_start=start, period_end=end, credit=0, credit_period=None, now=now,
        )
    if invoice is not None:
        subscription.state = SubscriptionState.ACTIVE.value
        _start_period(subscription, start, end, terms.price)
        subscription.version += 1
        if report is not None:
            report.invoices.append(invoice.number)
        return True
    code = "no_payment_method" if card is None else (
        "expired_card" if card_expired(card, now) else subscription_failure_code(db, subscription)
    )
    if scheduled:
        _record_failure(db, settings, subscription, code, now)
    else:
        subscription.failure_code, subscription.failure_last_at = code, now
        db.commit()  # the declined attempt stays recorded: the next one gets a new key
    subscription.version += 1
    return False


def _record_failure(db: Session, settings: Settings, subscription: Subscription, code: str, now: datetime) -> None:
    """A declined renewal or scheduled retry: past due until the next retry, ended after the last one."""
    first = subscription.failure_first_at is None
    subscription.state = SubscriptionState.PAST_DUE.value
    subscription.failure_first_at = subscription.failure_first_at or now
    subscription.failure_last_at = now
    subscription.failure_code = code
    subscription.failure_count = (subscription.failure_count or 0) + 1
    delays = settings.payment_retry_days
    if subscription.failure_count <= len(delays):
        subscription.next_retry_at = subscription.current_period_end + timedelta(
            days=delays[subscription.failure_count - 1]
        )
        if first:
            activity.record(db, subscription.account_id, ActivityKind.PAYMENT_DECLINED, now)
    else:
        activity.record(db, subscription.account_id, ActivityKind.PAYMENT_DECLINED, now)
        _end(db, settings, subscription, now, now)


def _end(db: Session, settings: Settings, subscription: Subscription, at: datetime, now: datetime) -> None:
    subscription.state = SubscriptionState.ENDED.value
    subscription.ended_at = at
    subscription.data_deletion_at = at + settings.data_grace_period
    subscription.cancel_at_period_end = False
    subscription.pending_offer = None
    subscription.next_retry_at = None
    subscription.version += 1
    activity.record(db, subscription.account_id, ActivityKind.SUBSCRIPTION_ENDED, at)


def delete_data(db: Session, account_id: str, now: datetime) -> None:
    """The end of a subscription's grace period: the plans, the collection, the learners (and their links) go.

    Idempotent: a second call finds nothing to delete. The account, its invoices and its log stay.
    """
    plans.delete_all(db, account_id)  # first and explicitly: nothing relies on the database's cascades
    db.execute(delete(Learner).where(Learner.account_id == account_id).execution_options(synchronize_session=False))
    db.execute(delete(Goal).where(Goal.account_id == account_id).execution_options(synchronize_session=False))
    activity.record(db, account_id, ActivityKind.DATA_DELETED_AFTER_END, now)


def _notice_due(subscription: Subscription, now: datetime) -> bool:
    deletion = subscription.data_deletion_at
    return (
        subscription.state == SubscriptionState.ENDED.value
        and subscription.end_notice_sent_at is None
        and subscription.data_deleted_at is None
        and deletion is not None
        and deletion > now
    )


def _send_end_notice(settings: Settings, account: Account, subscription: Subscription) -> bool:
    """Mail the account that its subscription ended and when its data goes; False when it cannot."""
    if not mail.mail_configured(settings) or subscription.data_deletion_at is None:
        return False
    from babel.dates import format_date

    language = "en_CA" if account.language.lower().startswith("en") else "fr_CA"
    zone = ZoneInfo(settings.seller_timezone)
    with use_language(language):
        when = format_date(subscription.data_deletion_at.astimezone(zone).date(), "long", locale=language)
        subject = _("Votre abonnement BanqO a pris fin")
        body = _(
            "Bonjour {name},\n\n"
            "Votre abonnement BanqO a pris fin. Votre collection d'objectifs, vos élèves et vos plans sont "
            "conservés jusqu'au {date}, puis ils seront supprimés.\n\n"
            "Pour les garder, abonnez-vous de nouveau avant cette date (Mes paramètres › Inscription), ou "
            "exportez vos données (Mes paramètres › Confidentialité › Exporter mes données).\n\n"
            "L'équipe BanqO\n"
        ).format(name=account.first_name, date=when)
    try:
        mail.send_mail(settings, to=account.email, subject=subject, body=body)
    except mail.MailError:
        log.warning("billing run: the end notice could not be sent", exc_info=True)
        return False
    return True
