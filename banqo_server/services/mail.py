"""Sending mail through the SMTP server named by ``BANQO_SMTP_URL`` (none configured: nothing is sent).

``smtp://user:password@host:587?starttls=1``, ``smtps://host:465`` or ``smtp://127.0.0.1:1025``. Sending is
synchronous (``smtplib``) with a time-out; routes call it after their transaction has committed, so a
slow or absent mail server never loses what the user sent.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from banqo_server.settings import Settings

log = logging.getLogger("banqo_server.mail")


class MailError(Exception):
    """The mail could not be handed to the SMTP server; the message says why (for logs, not users)."""


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    tls: bool  # TLS from the first byte (smtps)
    starttls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError(f"not an smtp:// or smtps:// URL: {parts.scheme}://{parts.hostname or ''}")
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["0"])[0].lower() in {"1", "true", "yes", "on"}
    tls = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if tls else 587 if starttls else 25),
        tls=tls,
        starttls=starttls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_url)


def send_mail(
    settings: Settings, *, to: str, subject: str, body: str, reply_to: str | None = None
) -> None:
    """Send one plain-text message; raises MailError when it cannot. No SMTP settings: MailError too."""
    if not settings.smtp_url:
        raise MailError("no SMTP server is configured (BANQO_SMTP_URL)")
    target = parse_smtp_url(settings.smtp_url)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="banqo")
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(body)
    try:
        smtp: smtplib.SMTP
        if target.tls:
            smtp = smtplib.SMTP_SSL(
                target.host, target.port, timeout=settings.smtp_timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(target.host, target.port, timeout=settings.smtp_timeout)
        with smtp:
            if target.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if target.username:
                smtp.login(target.username, target.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail to the SMTP server %s:%s failed: %r", target.host, target.port, exc)
        raise MailError(str(exc)) from exc
