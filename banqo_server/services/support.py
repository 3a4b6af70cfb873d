"""« Des questions? Contactez-nous! »: support messages are checked, rate-limited, kept, then sent by SMTP.

Every message is kept in the database before any mail is attempted, so a slow or absent mail server never
loses one; the operator can read the ones not yet sent and retry them (``banqo-server support retry``).
The rate limit (per sender address, per account, and per client address at four times that) stands in for
a CAPTCHA.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from banqo_server.i18n import SOURCE_LANGUAGE, _, use_language
from banqo_server.idempotency import commit_or_earlier, earlier
from banqo_server.models import AccountSession, SupportMessage
from banqo_server.services import activity, throttle
from banqo_server.services.errors import InvalidInput, SupportMessagesThrottled
from banqo_server.services.mail import MailError, send_mail
from banqo_server.services.passwords import email_problems, normalise_email
from banqo_server.settings import Settings
from banqo_tui.api.models import SUPPORT_MESSAGE_MAX_LENGTH, SUPPORT_SUBJECT_MAX_LENGTH, ActivityKind

log = logging.getLogger("banqo_server.support")

#: The client-address limit is this many times the per-sender one (a school shares one address).
ADDRESS_LIMIT_FACTOR = 4
ERROR_MAX_LENGTH = 500


def can_send(settings: Settings) -> bool:
    """True when the server has both an SMTP server and a support address: messages are mailed."""
    return bool(settings.smtp_url and settings.support_email)


def _too_long(limit: int) -> str:
    return _("Ce texte est trop long ({count} caractères au plus).").format(count=limit)


def _check(sender: str, subject: str, message: str) -> None:
    errors: dict[str, list[str]] = {}
    sender_problems = email_problems(sender)
    if sender_problems:
        errors["from"] = sender_problems
    if not subject:
        errors["subject"] = [_("Ce champ est obligatoire.")]
    elif len(subject) > SUPPORT_SUBJECT_MAX_LENGTH:
        errors["subject"] = [_too_long(SUPPORT_SUBJECT_MAX_LENGTH)]
    if not message:
        errors["message"] = [_("Ce champ est obligatoire.")]
    elif len(message) > SUPPORT_MESSAGE_MAX_LENGTH:
        errors["message"] = [_too_long(SUPPORT_MESSAGE_MAX_LENGTH)]
    if errors:
        raise InvalidInput(errors)


def _sender(session: AccountSession | None, from_: str) -> str:
    sender = normalise_email(from_)
    if not sender and session is not None:
        sender = session.account.email
    return sender


def _repeated(db: Session, session: AccountSession | None, from_: str, key: str | None) -> SupportMessage | None:
    """The message that an earlier request from the same sender with the ``Idempotency-Key`` ``key`` left."""
    return earlier(db, SupportMessage, key, from_email=_sender(session, from_))


def receive(
    db: Session,
    settings: Settings,
    *,
    session: AccountSession | None,
    from_: str,
    subject: str,
    message: str,
    language: str,
    address: str,
    idempotency_key: str | None = None,
) -> SupportMessage:
    """Check, rate-limit and keep one message; commits. Signed in, an empty ``from_`` is the account's email.
    With ``idempotency_key``, the message an earlier request from the same sender with that key left."""
    prior = _repeated(db, session, from_, idempotency_key)
    if prior is not None:  # neither checked nor counted again
        return prior
    sender = _sender(session, from_)
    # A subject goes into a mail header: one line, spaces collapsed.
    subject = " ".join(subject.split())
    message = message.strip()
    _check(sender, subject, message)

    now = settings.now()
    limits = [(f"support-from:{sender}", settings.support_limit)]
    if session is not None:
        limits.append((f"support-account:{session.account_id}", settings.support_limit))
    limits.append((f"support-ip:{address}", settings.support_limit * ADDRESS_LIMIT_FACTOR))
    for key, limit in limits:
        wait = throttle.count_attempt(db, key, limit, settings.support_window, now)
        if wait:
            db.commit()
            raise SupportMessagesThrottled(wait)

    row = SupportMessage(
        account_id=session.account_id if session is not None else None,
        from_email=sender,
        subject=subject,
        message=message,
        language=language,
        idempotency_key=idempotency_key,
        created_at=now,
        attempts=0,
    )
    db.add(row)
    if session is not None:
        # The kind only: never the subject or the text.
        activity.record(db, session.account_id, ActivityKind.SUPPORT_MESSAGE_SENT, now, session.device)
    return commit_or_earlier(db, SupportMessage, idempotency_key, from_email=sender) or row


def mail_body(row: SupportMessage) -> str:
    """The mail the support address receives (in French, the operator's language)."""
    with use_language(SOURCE_LANGUAGE):
        lines = [_("De : {sender}").format(sender=row.from_email)]
        if row.account_id:
            lines.append(_("Compte : {account}").format(account=row.account_id))
        lines += [
            _("Date (UTC) : {date}").format(date=row.created_at.isoformat()),
            _("Langue : {language}").format(language=row.language),
            _("Message no {id}").format(id=row.id),
            "",
            row.message,
        ]
    return "\n".join(lines) + "\n"


class Delivery(enum.Enum):
    """What ``deliver`` did with a kept message."""

    SENT = "sent"  # by this call, or before it
    FAILED = "failed"  # kept, with the error, for a later try
    ELSEWHERE = "elsewhere"  # another process is mailing it (its claim holds), or has just sent it


def sending_claim(settings: Settings) -> timedelta:
    """How long a process's claim to mail a message holds: 5 minutes, far beyond an SMTP exchange (connection,
    TLS, sign-in, envelope, data, each of which may wait ``smtp_timeout``). A process that died mid-send leaves
    its claim to lapse: the message waits that long before ``support retry`` sends it, rather than going twice."""
    return max(timedelta(minutes=5), timedelta(seconds=10 * settings.smtp_timeout))


def _claim(db: Session, settings: Settings, message_id: str) -> bool:
    """Claim a message not yet sent that no other process is mailing, and commit (no lock is held while the
    mail goes: on SQLite that would stop every write). True when this process now holds the claim."""
    now = settings.now()
    statement = (
        update(SupportMessage)
        .where(
            SupportMessage.id == message_id,
            SupportMessage.sent_at.is_(None),
            or_(SupportMessage.sending_until.is_(None), SupportMessage.sending_until <= now),
        )
        .values(sending_until=now + sending_claim(settings), attempts=SupportMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    claimed = db.execute(statement).rowcount == 1  # type: ignore[attr-defined]
    db.commit()
    return claimed


def deliver(db: Session, settings: Settings, row: SupportMessage) -> Delivery:
    """Mail one kept message to the support address and record the outcome. Two processes (the request's
    background task and the operator's ``support retry``) never mail it both: the first to claim it does."""
    if row.sent_at is not None:
        return Delivery.SENT
    if not _claim(db, settings, row.id):
        return Delivery.ELSEWHERE
    db.refresh(row)  # the claim as stored: clearing it below is then a change the session writes
    try:
        if not can_send(settings):
            raise MailError("no SMTP server or no support address is configured")
        assert settings.support_email is not None
        send_mail(
            settings,
            to=settings.support_email,
            subject=f"[BanqO] {row.subject}",
            body=mail_body(row),
            reply_to=row.from_email,
        )
    except MailError as exc:
        row.last_error = str(exc)[:ERROR_MAX_LENGTH] or type(exc).__name__
        row.sending_until = None
        db.commit()
        log.warning("support message %s kept but not sent (attempt %d)", row.id, row.attempts)
        return Delivery.FAILED
    # Anything else (a fault of ours, an interruption) leaves the claim to lapse: the mail may have gone.
    row.sent_at = settings.now()
    row.last_error = None
    row.sending_until = None
    db.commit()
    return Delivery.SENT


def deliver_later(session_factory: Callable[[], Session], settings: Settings, message_id: str) -> None:
    """The background task of ``POST /support/messages``: runs after the answer, with its own session."""
    with session_factory() as db:
        row = db.get(SupportMessage, message_id)
        if row is not None:
            deliver(db, settings, row)


def unsent(db: Session, *, limit: int) -> list[SupportMessage]:
    """The kept messages not yet sent, oldest first, at most ``limit``."""
    statement = (
        select(SupportMessage)
        .where(SupportMessage.sent_at.is_(None))
        .order_by(SupportMessage.created_at, SupportMessage.id)
        .limit(limit)
    )
    return list(db.scalars(statement))


def retry(db: Session, settings: Settings, *, limit: int) -> dict[Delivery, int]:
    """Send up to ``limit`` kept messages not yet sent, oldest first: how many of each outcome."""
    outcomes = dict.fromkeys(Delivery, 0)
    for row in unsent(db, limit=limit):
        outcomes[deliver(db, settings, row)] += 1
    return outcomes
