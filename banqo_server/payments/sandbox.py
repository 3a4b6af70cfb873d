"""The ``sandbox`` processor: a card processor in test mode, standing in for a real one's remote service.

It keeps its state in its own database (by default a SQLite file beside BanqO's), with its own tables created on
first use: it is not part of BanqO's schema, and each call is its own short transaction, committed at once.
The card is entered on its side (``banqo_server.routes.sandbox_processor``); it never stores the card number,
not even hashed — only what the number means to it (its behaviour, brand and last 4 digits) and the expiry.

Test cards (any expiry not yet past, any CVC of the brand's length: 3 digits, 4 for American Express):

=======================  ==========  =========================================================================
Number                   Brand       Outcome
=======================  ==========  =========================================================================
4242 4242 4242 4242      Visa        every charge succeeds
5555 5555 5555 4444      Mastercard  every charge succeeds
3782 822463 10005        Amex        every charge succeeds
4000 0000 0000 0002      Visa        attaches fine; every charge is declined ``card_declined``
4000 0000 0000 9995      Visa        every charge is declined ``insufficient_funds``
4000 0000 0000 0069      Visa        every charge is declined ``expired_card``
4000 0000 0000 0119      Visa        the first charge is declined ``processing_error`` (temporary);
                                     the next attempt, with a new idempotency key, succeeds
=======================  ==========  =========================================================================

Any other number that passes the Luhn check and starts like a known brand (4: Visa; 51–55 or 2221–2720:
Mastercard; 34 or 37: American Express) succeeds. A charge on a card whose expiry has passed by then is
declined ``expired_card``, as a real processor would.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, ForeignKey, MetaData, String, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from banqo_server.db import make_engine, make_session_factory
from banqo_server.i18n import N_
from banqo_server.models.base import NAMING_CONVENTION, UTCDateTime
from banqo_server.payments import CardDetails, ChargeOutcome, RefundOutcome, SetupSessionInfo, TokenRefused

SETUP_SESSION_LIFETIME = timedelta(minutes=30)

#: Behaviours a card number gives a card, besides a decline code (every charge declined with that code).
SUCCEEDS = "succeeds"
DECLINES_FIRST_CHARGE = "declines_first_charge"

#: The lengths each brand's numbers come in.
BRAND_LENGTHS = {"visa": (13, 16, 19), "mastercard": (16,), "amex": (15,)}


@dataclass(frozen=True)
class TestCard:
    """A test card with a known outcome; ``label`` is French, marked for translation (shown to sandbox users)."""

    __test__ = False  # not a pytest test class, despite its name

    number: str  # grouped as printed on the card
    brand: str
    label: str
    behaviour: str = SUCCEEDS

    @property
    def digits(self) -> str:
        return self.number.replace(" ", "")


TEST_CARDS: tuple[TestCard, ...] = (
    TestCard("4242 4242 4242 4242", "visa", N_("Acceptée")),
    TestCard("5555 5555 5555 4444", "mastercard", N_("Acceptée")),
    TestCard("3782 822463 10005", "amex", N_("Acceptée")),
    TestCard("4000 0000 0000 0002", "visa", N_("Refusée au paiement"), "card_declined"),
    TestCard("4000 0000 0000 9995", "visa", N_("Fonds insuffisants"), "insufficient_funds"),
    TestCard("4000 0000 0000 0069", "visa", N_("Carte expirée au paiement"), "expired_card"),
    TestCard("4000 0000 0000 0119", "visa", N_("Acceptée au deuxième essai"), DECLINES_FIRST_CHARGE),
)
_BEHAVIOURS = {card.digits: card.behaviour for card in TEST_CARDS}


def card_digits(number: str) -> str:
    """``number`` without the spaces and dashes people type in it (the result may still hold other characters)."""
    return number.replace(" ", "").replace("-", "")


def passes_luhn(digits: str) -> bool:
    """The Luhn check digit is right (``digits``: only digits)."""
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def brand_of(digits: str) -> str | None:
    """``visa``, ``mastercard`` or ``amex`` from the number's first digits and length; None for any other."""
    if digits.startswith("4"):
        brand = "visa"
    elif 51 <= int(digits[:2] or 0) <= 55 or 2221 <= int(digits[:4] or 0) <= 2720:
        brand = "mastercard"
    elif digits[:2] in {"34", "37"}:
        brand = "amex"
    else:
        return None
    return brand if len(digits) in BRAND_LENGTHS[brand] else None


def is_valid_number(digits: str) -> bool:
    """13 to 19 digits that pass the Luhn check and start like a known brand."""
    well_formed = digits.isascii() and digits.isdigit() and 13 <= len(digits) <= 19
    return well_formed and passes_luhn(digits) and brand_of(digits) is not None


def cvc_length(brand: str | None) -> int:
    return 4 if brand == "amex" else 3


def expired(exp_month: int, exp_year: int, now: datetime) -> bool:
    """A card is good through the last day of its expiry month."""
    return (now.year, now.month) > (exp_year, exp_month)


class UnknownSetupSession(LookupError):
    """No open setup session by that id: unknown, expired or already completed."""


class SandboxBase(DeclarativeBase):
    """The sandbox's own tables: the processor's side, apart from BanqO's schema and migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class SandboxSetupSession(SandboxBase):
    __tablename__ = "sandbox_setup_sessions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    token: Mapped[str | None] = mapped_column(String(40))


class SandboxCard(SandboxBase):
    """A card entered in a setup session: its single-use token, then (once attached) its lasting reference."""

    __tablename__ = "sandbox_cards"

    token: Mapped[str] = mapped_column(String(40), primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(40), unique=True)
    customer: Mapped[str] = mapped_column(String(200))
    # SUCCEEDS, DECLINES_FIRST_CHARGE or a decline code: all that is kept of the number, with the last 4 digits.
    behaviour: Mapped[str] = mapped_column(String(40))
    brand: Mapped[str] = mapped_column(String(20))
    last4: Mapped[str] = mapped_column(String(4))
    exp_month: Mapped[int]
    exp_year: Mapped[int]
    created_at: Mapped[datetime]
    attached_at: Mapped[datetime | None]
    charge_attempts: Mapped[int] = mapped_column(default=0)


class SandboxCharge(SandboxBase):
    __tablename__ = "sandbox_charges"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    reference: Mapped[str] = mapped_column(String(40), index=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))  # succeeded or declined
    decline_code: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    refunded: Mapped[int] = mapped_column(default=0)


class SandboxRefund(SandboxBase):
    __tablename__ = "sandbox_refunds"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    charge_id: Mapped[str] = mapped_column(ForeignKey("sandbox_charges.id"), index=True)
    amount: Mapped[int]
    created_at: Mapped[datetime]


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(16)}"


def _outcome(charge: SandboxCharge) -> ChargeOutcome:
    if charge.status == "succeeded":
        return ChargeOutcome(succeeded=True, charge_id=charge.id)
    return ChargeOutcome(succeeded=False, charge_id=charge.id, code=charge.decline_code)


def _decide(card: SandboxCard, attempt: int, now: datetime) -> str | None:
    """The decline code of the card's ``attempt``-th charge (1 for the first), or None when it succeeds."""
    if expired(card.exp_month, card.exp_year, now):
        return "expired_card"
    if card.behaviour == SUCCEEDS:
        return None
    if card.behaviour == DECLINES_FIRST_CHARGE:
        return "processing_error" if attempt == 1 else None
    return card.behaviour


class SandboxProcessor:
    """The ``PaymentProcessor`` of the sandbox, on its own database at ``database_url`` (created on first use).

    Safe to call from several threads: each call opens its own session on a shared engine."""

    name = "sandbox"

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None

    def _session(self) -> Session:
        # Lazily: building the app (e.g. to render its OpenAPI document) must not create the sandbox's file.
        with self._lock:
            if self._sessions is None:
                engine = make_engine(self._url)
                try:
                    SandboxBase.metadata.create_all(engine)
                except DBAPIError:  # another process created the tables at the same moment
                    SandboxBase.metadata.create_all(engine)
                self._engine, self._sessions = engine, make_session_factory(engine)
            return self._sessions()

    def close(self) -> None:
        """Release the database connections (a later call opens them again)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine, self._sessions = None, None

    # --- Setup sessions and cards ----------------------------------------------------------------------

    def create_setup_session(self, *, customer: str, now: datetime) -> SetupSessionInfo:
        if not customer:
            raise ValueError("a setup session needs a customer")
        row = SandboxSetupSession(
            id=_new_id("seti"), customer=customer, created_at=now, expires_at=now + SETUP_SESSION_LIFETIME
        )
        with self._session() as db:
            db.add(row)
            db.commit()
        return SetupSessionInfo(id=row.id, expires_at=row.expires_at)

    def setup_session_open(self, session_id: str, now: datetime) -> bool:
        """The session exists, has not expired and no card was entered in it yet."""
        with self._session() as db:
            row = db.get(SandboxSetupSession, session_id)
            return row is not None and row.completed_at is None and now < row.expires_at

    def confirm(self, session_id: str, *, number: str, exp_month: int, exp_year: int, now: datetime) -> str:
        """Complete the setup session with a card (already validated by the caller); answers a single-use token.

        Raises ``UnknownSetupSession``, or ``ValueError`` for a number that is not a valid card number."""
        digits = card_digits(number)
        if not is_valid_number(digits):
            raise ValueError("not a valid card number")  # never say which: the number stays out of every log
        if not 1 <= exp_month <= 12:
            raise ValueError("the expiry month is 1 to 12")
        brand = brand_of(digits)
        assert brand is not None
        token = _new_id("tok")
        with self._session() as db:
            # One statement decides: two confirmations of one session at once cannot both complete it.
            customer = db.scalar(
                update(SandboxSetupSession)
                .where(
                    SandboxSetupSession.id == session_id,
                    SandboxSetupSession.completed_at.is_(None),
                    SandboxSetupSession.expires_at > now,
                )
                .values(completed_at=now, token=token)
                .returning(SandboxSetupSession.customer)
            )
            if customer is None:
                db.rollback()
                raise UnknownSetupSession(session_id)
            db.add(
                SandboxCard(
                    token=token,
                    customer=customer,
                    behaviour=_BEHAVIOURS.get(digits, SUCCEEDS),
                    brand=brand,
                    last4=digits[-4:],
                    exp_month=exp_month,
                    exp_year=exp_year,
                    created_at=now,
                )
            )
            db.commit()
        return token

    def attach(self, token: str, *, customer: str, now: datetime) -> CardDetails:
        reference = _new_id("card")
        with self._session() as db:
            card = db.scalar(
                update(SandboxCard)
                .where(SandboxCard.token == token, SandboxCard.customer == customer, SandboxCard.reference.is_(None))
                .values(reference=reference, attached_at=now)
                .returning(SandboxCard)
            )
            if card is None:
                db.rollback()
                known = db.get(SandboxCard, token)
                # Another customer's token is refused exactly like an unknown one.
                used = known is not None and known.customer == customer
                raise TokenRefused("token_used" if used else "invalid_token")
            db.commit()
            return CardDetails(
                reference=reference, brand=card.brand, last4=card.last4, exp_month=card.exp_month,
                exp_year=card.exp_year,
            )

    # --- Charges and refunds ---------------------------------------------------------------------------

    def charge(
        self, *, reference: str, amount: int, currency: str, idempotency_key: str, description: str, now: datetime
    ) -> ChargeOutcome:
        if amount <= 0:
            raise ValueError(f"a charge is a positive number of cents, not {amount}")
        if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
            raise ValueError(f"a currency is a 3-letter ISO 4217 code, not {currency!r}")
        with self._session() as db:
            stored = self._charge_by_key(db, idempotency_key, reference, amount)
            if stored is not None:
                return stored
            card = db.scalar(select(SandboxCard).where(SandboxCard.reference == reference))
            if card is None:
                raise ValueError(f"unknown card reference {reference!r}")
            # Counted in the database, so that two charges at once cannot both be a card's first attempt.
            attempt = db.scalar(
                update(SandboxCard)
                .where(SandboxCard.reference == reference)
                .values(charge_attempts=SandboxCard.charge_attempts + 1)
                .returning(SandboxCard.charge_attempts)
            )
            code = _decide(card, attempt or 1, now)
            charge = SandboxCharge(
                id=_new_id("ch"),
                idempotency_key=idempotency_key,
                reference=reference,
                amount=amount,
                currency=currency,
                description=description[:500],
                status="declined" if code else "succeeded",
                decline_code=code,
                created_at=now,
                refunded=0,
            )
            db.add(charge)
            try:
                db.commit()
            except IntegrityError:  # the same key charged at the same moment: its outcome is the answer
                db.rollback()
                stored = self._charge_by_key(db, idempotency_key, reference, amount)
                if stored is None:
                    raise
                return stored
            return _outcome(charge)

    @staticmethod
    def _charge_by_key(db: Session, key: str, reference: str, amount: int) -> ChargeOutcome | None:
        charge = db.scalar(select(SandboxCharge).where(SandboxCharge.idempotency_key == key))
        if charge is None:
            return None
        if (charge.reference, charge.amount) != (reference, amount):
            raise ValueError(f"idempotency key {key!r} was already used for another charge")
        return _outcome(charge)

    def refund(self, *, charge_id: str, amount: int, idempotency_key: str, now: datetime) -> RefundOutcome:
        """Raises ``ValueError`` for an unknown or declined charge, or beyond what is left to refund of it."""
        if amount <= 0:
            raise ValueError(f"a refund is a positive number of cents, not {amount}")
        with self._session() as db:
            stored = self._refund_by_key(db, idempotency_key, charge_id, amount)
            if stored is not None:
                return stored
            charge = db.get(SandboxCharge, charge_id)
            if charge is None or charge.status != "succeeded":
                raise ValueError(f"no successful charge {charge_id!r} to refund")
            # The check and the change in one statement: two refunds at once cannot give back more than was paid.
            moved = db.scalar(
                update(SandboxCharge)
                .where(SandboxCharge.id == charge_id, SandboxCharge.amount - SandboxCharge.refunded >= amount)
                .values(refunded=SandboxCharge.refunded + amount)
                .returning(SandboxCharge.id)
            )
            if moved is not None:
                db.add(
                    SandboxRefund(
                        id=(refund_id := _new_id("re")),
                        idempotency_key=idempotency_key,
                        charge_id=charge_id,
                        amount=amount,
                        created_at=now,
                    )
                )
                try:
                    db.commit()
                    return RefundOutcome(refund_id=refund_id)
                except IntegrityError:
                    pass
            db.rollback()
            # The same key refunded at the same moment answers that refund; otherwise the amount is too much.
            stored = self._refund_by_key(db, idempotency_key, charge_id, amount)
            if stored is not None:
                return stored
            left = charge.amount - charge.refunded  # read again: the rollback expired it
            raise ValueError(f"at most {left} cents of {charge_id!r} can still be refunded, not {amount}")

    @staticmethod
    def _refund_by_key(db: Session, key: str, charge_id: str, amount: int) -> RefundOutcome | None:
        refund = db.scalar(select(SandboxRefund).where(SandboxRefund.idempotency_key == key))
        if refund is None:
            return None
        if (refund.charge_id, refund.amount) != (charge_id, amount):
            raise ValueError(f"idempotency key {key!r} was already used for another refund")
        return RefundOutcome(refund_id=refund.id)
