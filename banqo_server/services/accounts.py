"""Accounts: signing up, and the summary (« Votre résumé »)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from banqo_server.i18n import _
from banqo_server.models import Account, AccountSession, ActivityEntry, Goal, Learner
from banqo_server.services import activity, billing, throttle
from banqo_server.services.auth import open_session
from banqo_server.services.errors import EmailTaken, InvalidInput, TooManyAttempts
from banqo_server.services.passwords import Passwords, email_problems, normalise_email, password_problems
from banqo_server.settings import Settings
from banqo_tui.api.models import ActivityKind


@dataclass(frozen=True)
class NewAccount:
    email: str
    password: str
    first_name: str
    last_name: str
    language: str = "fr-CA"


def _clean_name(value: str) -> str:
    return " ".join(value.split())


def sign_up(
    db: Session, settings: Settings, passwords: Passwords, new: NewAccount, *, device: str, address: str
) -> tuple[str, AccountSession]:
    """Create the account and its first session; commits."""
    email = normalise_email(new.email)
    first_name, last_name = _clean_name(new.first_name), _clean_name(new.last_name)
    errors: dict[str, list[str]] = {}
    for name, problems in (
        ("email", email_problems(email)),
        ("password", password_problems(new.password, email)),
        ("first_name", [] if first_name else [_("Ce champ est obligatoire.")]),
        ("last_name", [] if last_name else [_("Ce champ est obligatoire.")]),
    ):
        if problems:
            errors[name] = problems
    if errors:
        raise InvalidInput(errors)

    now = settings.now()
    wait = throttle.count_attempt(
        db, f"sign-up:{address}", settings.sign_up_address_limit, settings.sign_up_window, now
    )
    db.commit()
    if wait:
        raise TooManyAttempts(wait, sign_up=True)
    if db.scalar(select(Account.id).where(Account.email == email)) is not None:
        raise EmailTaken()

    account = Account(
        email=email,
        password_hash=passwords.hash(new.password),
        first_name=first_name,
        last_name=last_name,
        language=new.language,
        created_at=now,
        version=1,
    )
    db.add(account)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()  # the same email signed up at the same moment
        raise EmailTaken() from None
    activity.record(db, account.id, ActivityKind.ACCOUNT_CREATED, now, device)
    billing.start_trial(db, settings, account.id, now)
    token, session = open_session(db, account, device, settings)
    db.commit()
    return token, session


@dataclass(frozen=True)
class SummaryData:
    account: Account
    last_sign_in: AccountSession | None
    recent_activity: list[ActivityEntry]


def summary(db: Session, current: AccountSession) -> SummaryData:
    """The account at a glance; the previous sign-in is the latest session opened before this one."""
    previous = db.scalar(
        select(AccountSession)
        .where(
            AccountSession.account_id == current.account_id,
            AccountSession.id != current.id,
            AccountSession.created_at <= current.created_at,
        )
        .order_by(AccountSession.created_at.desc(), AccountSession.id.desc())
        .limit(1)
    )
    return SummaryData(current.account, previous, activity.recent(db, current.account_id))


def collection_counts(db: Session, account_id: str) -> tuple[int, int]:
    """The résumé's counts: goals outside the bin, and learners — one statement, two indexed counts."""
    goal_count = select(func.count()).where(Goal.account_id == account_id, Goal.deleted_at.is_(None))
    learner_count = select(func.count()).where(Learner.account_id == account_id)
    found = db.execute(select(goal_count.scalar_subquery(), learner_count.scalar_subquery())).one()
    return found[0], found[1]
