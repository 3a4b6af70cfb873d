"""Sessions: signing in, bearer tokens, idle timeout and absolute lifetime, ending sessions."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import and_, event, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ORMExecuteState, Session, make_transient_to_detached

from banqo_server.i18n import _
from banqo_server.models import Account, AccountSession, RecoveryCode
from banqo_server.services import activity, throttle, totp
from banqo_server.services.errors import (
    InvalidCredentials,
    NotFound,
    NotSignedIn,
    TooManyAttempts,
    TotpInvalid,
    TotpRequired,
)
from banqo_server.services.paging import decode_cursor, encode_cursor
from banqo_server.services.passwords import Passwords, normalise_email
from banqo_server.settings import Settings
from banqo_tui.api.models import ActivityKind, inert

DEVICE_MAX_LENGTH = 200


def new_token() -> str:
    """A bearer token of 256 random bits."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def device_label(device: str | None, user_agent: str | None) -> str:
    """The label a session is listed under: the client's own, else its User-Agent."""
    for candidate in (device, user_agent):
        label = " ".join(inert(candidate or "").split())[:DEVICE_MAX_LENGTH].strip()
        if label:
            return label
    return _("Appareil inconnu")


def open_session(
    db: Session, account: Account, device: str, settings: Settings
) -> tuple[str, AccountSession]:
    """A new session of ``account``; the token is returned here and never stored."""
    now = settings.now()
    token = new_token()
    session = AccountSession(
        account_id=account.id,
        account=account,
        token_hash=hash_token(token),
        device=device,
        created_at=now,
        last_used_at=now,
        expires_at=now + settings.session_lifetime,
    )
    db.add(session)
    return token, session


def email_key(email: str) -> str:
    """The sign-in throttle's key of an account's (normalised) email."""
    return f"email:{email}"


def address_key(address: str) -> str:
    """The sign-in throttle's key of a client address."""
    return f"ip:{address}"


def email_rule(settings: Settings) -> throttle.FailureRule:
    """How failed sign-ins of one email are throttled."""
    return throttle.FailureRule(
        settings.sign_in_email_limit,
        settings.sign_in_window,
        settings.sign_in_first_delay,
        settings.sign_in_max_delay,
    )


def address_rule(settings: Settings) -> throttle.FailureRule:
    """How failed sign-ins from one client address are throttled."""
    return throttle.FailureRule(
        settings.sign_in_address_limit,
        settings.sign_in_window,
        settings.sign_in_first_delay,
        settings.sign_in_max_delay,
    )


def sign_in(
    db: Session,
    settings: Settings,
    passwords: Passwords,
    *,
    email: str,
    password: str,
    device: str,
    address: str,
    totp_code: str | None = None,
) -> tuple[str, AccountSession]:
    """Check the credentials (throttled), then the second factor if the account has one; open a session; commits.

    The password is checked first, so a wrong one never reveals whether two-factor sign-in is on.
    """
    now = settings.now()
    email = normalise_email(email)
    keys = (email_key(email), address_key(address))
    waits = [throttle.blocked_for(db, key, now) for key in keys]
    if any(waits):
        # Refused before any password check, and without extending the block.
        raise TooManyAttempts(max(wait or 0 for wait in waits))

    account = db.scalar(select(Account).where(Account.email == email))
    if account is None:
        passwords.verify_dummy(password)
        valid = False
    else:
        valid = passwords.verify(account.password_hash, password)
    if account is None or not valid:
        _record_failure(db, settings, account, keys, now, device)
        db.commit()
        raise InvalidCredentials()

    if account.totp_secret is not None:
        _check_second_factor(db, settings, account, totp_code, keys=keys, now=now, device=device)
    throttle.reset(db, keys[0])
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash(password)
    seen = db.scalar(
        select(AccountSession.id)
        .where(AccountSession.account_id == account.id, AccountSession.device == device)
        .limit(1)
    )
    token, session = open_session(db, account, device, settings)
    kind = ActivityKind.SIGNED_IN if seen else ActivityKind.SIGNED_IN_NEW_DEVICE
    activity.record(db, account.id, kind, now, device)
    db.commit()
    return token, session


def _record_failure(
    db: Session, settings: Settings, account: Account | None, keys: tuple[str, str], now: datetime, device: str
) -> None:
    """Count a failed sign-in against the email's and the address's keys; note when a block starts."""
    block_started = throttle.record_failure(db, keys[0], email_rule(settings), now)
    throttle.record_failure(db, keys[1], address_rule(settings), now)
    if block_started and account is not None:
        activity.record(db, account.id, ActivityKind.SIGN_IN_THROTTLED, now, device)


def lock_account(db: Session, account_id: str) -> Account:
    """The account re-read and locked until the transaction ends (on SQLite, the write lock: db.py)."""
    statement = select(Account).where(Account.id == account_id).with_for_update()
    return db.execute(statement.execution_options(populate_existing=True)).scalar_one()


def _check_second_factor(
    db: Session,
    settings: Settings,
    account: Account,
    code: str | None,
    *,
    keys: tuple[str, str],
    now: datetime,
    device: str,
) -> None:
    """Accept a TOTP code of a step not used yet, or an unused recovery code; refuse anything else (401).

    The account row stays locked until the commit, so two sign-ins at once cannot both use one step or code.
    """
    if code is None or not code.strip():
        raise TotpRequired()  # not a failure: the client asks for the code and tries again
    account = lock_account(db, account.id)
    secret = account.totp_secret
    if secret is not None:
        step = totp.verify(secret, code, now, after=account.totp_last_step)
        if step is not None:
            account.totp_last_step = step
            return
        if totp.looks_like_recovery_code(code):
            recovery = db.scalar(
                select(RecoveryCode)
                .where(
                    RecoveryCode.account_id == account.id,
                    RecoveryCode.code_hash == totp.recovery_code_hash(code),
                    RecoveryCode.used_at.is_(None),
                )
                .with_for_update()
            )
            if recovery is not None:
                recovery.used_at = now
                activity.record(db, account.id, ActivityKind.RECOVERY_CODE_USED, now, device)
                return
    _record_failure(db, settings, account, keys, now, device)
    activity.record(db, account.id, ActivityKind.SIGN_IN_REFUSED_TOTP, now, device)
    db.commit()
    raise TotpInvalid()


def is_active(session: AccountSession, settings: Settings, now: datetime) -> bool:
    return (
        session.ended_at is None
        and session.expires_at > now
        and session.last_used_at + settings.session_idle_timeout > now
    )


def authenticate(
    db: Session, settings: Settings, token: str | None, cache: SessionCache | None = None
) -> AccountSession:
    """The active session of a bearer token; refreshes its last use at most once a minute. With ``cache``, the
    session found is remembered there (see ``SessionCache``)."""
    if not token:
        raise NotSignedIn()
    token_hash = hash_token(token)
    generation = SessionCache.generation()  # before the read: a revocation during it leaves the entry unused
    session = db.scalar(select(AccountSession).where(AccountSession.token_hash == token_hash))
    now = settings.now()
    if session is None or not is_active(session, settings, now):
        raise NotSignedIn(token_given=True)
    if now - session.last_used_at >= settings.session_touch_interval:
        session.last_used_at = now
        db.commit()
    if cache is not None:
        cache.remember(token_hash, session, generation)
    return session


class SessionCache:
    """A small per-process memory of the sessions recently authenticated, so that most requests skip the
    database read of their bearer token (the hot path: every request carries one).

    An entry is used only while, at once: it is younger than ``ttl`` (2 s by default), the session is still
    active by the settings' clock (lifetime, idle timeout — checked on every use, as ``authenticate`` does), and
    no last-use refresh is due (``session_touch_interval``: the request then goes to the database, which refreshes
    it). Any session ended or deleted through the ORM in this process (sign-out, « end other sessions », password
    change or reset, account deletion), by any request, forgets every entry at once (``generation``). So a session
    ended by a request to this process is refused from the next request on; one ended by another process (another
    worker, another server, ``banqo-server`` commands) is refused at most ``ttl`` later on this one.
    """

    MAX_ENTRIES = 10_000
    _generation = 0
    _generation_lock = threading.Lock()

    def __init__(self, ttl: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock  # seconds, monotonic; a test may give its own
        self._entries: dict[str, tuple[AccountSession, float, int]] = {}

    @classmethod
    def generation(cls) -> int:
        return cls._generation

    @classmethod
    def revoke_all(cls) -> None:
        """Forget every entry of every cache of this process (a session was ended or deleted)."""
        with cls._generation_lock:
            cls._generation += 1

    def remember(self, token_hash: str, session: AccountSession, generation: int) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()  # bounded; refilled by the next requests
        snapshot = AccountSession(**{key: getattr(session, key) for key in _SESSION_COLUMNS})
        make_transient_to_detached(snapshot)
        self._entries[token_hash] = (snapshot, self.clock() + self.ttl, generation)

    def lookup(self, db: Session, settings: Settings, token: str | None) -> AccountSession | None:
        """The token's session, attached to ``db`` without a query, when a usable entry is remembered; else None
        (then ``authenticate`` decides)."""
        if not token or self.ttl <= 0:
            return None
        token_hash = hash_token(token)
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        snapshot, valid_until, generation = entry
        now = settings.now()
        if (
            generation != SessionCache._generation
            or self.clock() >= valid_until
            or not is_active(snapshot, settings, now)
            or now - snapshot.last_used_at >= settings.session_touch_interval
        ):
            self._entries.pop(token_hash, None)
            return None
        return db.merge(snapshot, load=False)


_SESSION_COLUMNS = tuple(attribute.key for attribute in sa_inspect(AccountSession).column_attrs)


@event.listens_for(Session, "after_flush")
def _sessions_ended(db: Session, _context: object) -> None:
    """Forget the remembered sessions when a flush ends or deletes a session, or deletes an account."""
    for row in db.dirty:
        if isinstance(row, AccountSession) and sa_inspect(row).attrs.ended_at.history.has_changes():
            SessionCache.revoke_all()
            return
    if any(isinstance(row, AccountSession | Account) for row in db.deleted):
        SessionCache.revoke_all()


@event.listens_for(Session, "do_orm_execute")
def _bulk_change(state: ORMExecuteState) -> None:
    """Forget the remembered sessions on a bulk UPDATE or DELETE of sessions or accounts."""
    if state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None and table.name in {AccountSession.__tablename__, Account.__tablename__}:
            SessionCache.revoke_all()


def active_sessions(
    db: Session, settings: Settings, account_id: str, *, limit: int, cursor: str | None = None
) -> tuple[list[AccountSession], str | None]:
    """A page of the account's active sessions, newest first, and the cursor of the next page."""
    now = settings.now()
    statement = select(AccountSession).where(
        AccountSession.account_id == account_id,
        AccountSession.ended_at.is_(None),
        AccountSession.expires_at > now,
        AccountSession.last_used_at > now - settings.session_idle_timeout,
    )
    if cursor:
        created, session_id = decode_cursor(cursor)
        statement = statement.where(
            or_(
                AccountSession.created_at < created,
                and_(AccountSession.created_at == created, AccountSession.id < session_id),
            )
        )
    statement = statement.order_by(AccountSession.created_at.desc(), AccountSession.id.desc()).limit(
        limit + 1
    )
    rows = list(db.scalars(statement))
    next_cursor = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


def end_session(
    db: Session, settings: Settings, account_id: str, session_id: str, kind: ActivityKind
) -> None:
    """End one of the account's active sessions; anything else is NotFound. Commits."""
    now = settings.now()
    session = db.scalar(
        select(AccountSession).where(AccountSession.id == session_id, AccountSession.account_id == account_id)
    )
    if session is None or not is_active(session, settings, now):
        raise NotFound()
    session.ended_at = now
    activity.record(db, account_id, kind, now, session.device)
    db.commit()
