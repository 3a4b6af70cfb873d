"""« Mot de passe oublié »: a short-lived code sent by mail, then a new password chosen with it.

The answer to a request is the same whether or not an account has the address, so the form reveals no
account. A code is 12 symbols without look-alikes (shown ``XXXX-XXXX-XXXX``, about 59 random bits), kept
only as a SHA-256, usable once, for ``settings.password_reset_lifetime``. Requests are limited per address
typed and per client address; wrong codes are counted per client address like failed sign-ins.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from banqo_server.i18n import _, ngettext, use_language
from banqo_server.models import Account, PasswordReset
from banqo_server.services import activity, auth, mail, security, throttle
from banqo_server.services.errors import InvalidInput, MailUnavailable, TooManyAttempts
from banqo_server.services.passwords import Passwords, email_problems, normalise_email, password_problems
from banqo_server.settings import Settings
from banqo_tui.api.models import ActivityKind

log = logging.getLogger("banqo_server.password_resets")

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 12
CODE_GROUP = 4


def new_code() -> str:
    """A fresh code, grouped for reading: ``XXXX-XXXX-XXXX``."""
    symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(symbols[start : start + CODE_GROUP] for start in range(0, CODE_LENGTH, CODE_GROUP))


def normalise_code(code: str) -> str:
    """A typed code as it is hashed: upper-case, without spaces or hyphens."""
    return "".join(code.split()).replace("-", "").upper()


def code_hash(code: str) -> str:
    """What the database keeps of a code: the SHA-256 of its normalised form, hex."""
    return hashlib.sha256(normalise_code(code).encode("utf-8")).hexdigest()


def lifetime_minutes(settings: Settings) -> int:
    return max(1, int(settings.password_reset_lifetime.total_seconds() // 60))


def accepted_detail(settings: Settings) -> str:
    """What a request answers, the same whether or not an account has the address."""
    minutes = lifetime_minutes(settings)
    return ngettext(
        "Si un compte existe avec cette adresse, un courriel contenant un code vient d'y être envoyé. "
        "Le code est valable {minutes} minute.",
        "Si un compte existe avec cette adresse, un courriel contenant un code vient d'y être envoyé. "
        "Le code est valable {minutes} minutes.",
        minutes,
    ).format(minutes=minutes)


@dataclass(frozen=True)
class ResetMail:
    """The mail to send once the request is committed."""

    to: str
    language: str
    first_name: str
    code: str


def request_reset(db: Session, settings: Settings, *, email: str, address: str) -> ResetMail | None:
    """Make a new code for the account of ``email``, if there is one; the mail to send. Commits.

    Without SMTP settings nothing can be sent: MailUnavailable, whatever the address.
    """
    if not mail.mail_configured(settings):
        raise MailUnavailable()
    email = normalise_email(email)
    problems = email_problems(email)
    if problems:
        raise InvalidInput({"email": problems})
    now = settings.now()
    window = settings.password_reset_window
    for key, limit in (
        (f"reset-ip:{address}", settings.password_reset_address_limit),
        (f"reset-email:{email}", settings.password_reset_email_limit),
    ):
        wait = throttle.count_attempt(db, key, limit, window, now)
        if wait is not None:
            db.commit()
            raise TooManyAttempts(wait, field="email")

    account = db.scalar(select(Account).where(Account.email == email))
    if account is None:
        db.commit()
        return None
    security.expire_reset_codes(db, account.id, now)
    code = new_code()
    db.add(
        PasswordReset(
            account_id=account.id,
            code_hash=code_hash(code),
            created_at=now,
            expires_at=now + settings.password_reset_lifetime,
        )
    )
    activity.record(db, account.id, ActivityKind.PASSWORD_RESET_REQUESTED, now)
    db.commit()
    return ResetMail(
        to=account.email,
        language=security.mail_language(account.language),
        first_name=account.first_name,
        code=code,
    )


def send_reset_mail(settings: Settings, message: ResetMail) -> None:
    """Send the code (a background task, after the commit): a failure is logged, never told to the asker."""
    minutes = lifetime_minutes(settings)
    with use_language(message.language):
        subject = _("BanqO : réinitialisation de votre mot de passe")
        body = "\n\n".join(
            [
                _("Bonjour {first_name},").format(first_name=message.first_name),
                _("Voici le code pour choisir un nouveau mot de passe BanqO :"),
                f"    {message.code}",
                ngettext(
                    "Entrez-le dans BanqO, à l'écran « Mot de passe oublié ». Il est valable {minutes} minute "
                    "et ne sert qu'une fois.",
                    "Entrez-le dans BanqO, à l'écran « Mot de passe oublié ». Il est valable {minutes} minutes "
                    "et ne sert qu'une fois.",
                    minutes,
                ).format(minutes=minutes),
                _(
                    "Si vous n'avez pas demandé de nouveau mot de passe, ne faites rien : votre mot de passe "
                    "actuel reste le même et personne ne peut se servir de ce code sans accès à vos courriels."
                ),
                _("L'équipe BanqO"),
            ]
        )
    try:
        mail.send_mail(settings, to=message.to, subject=subject, body=body + "\n")
    except mail.MailError:
        log.warning("a forgotten-password mail could not be sent")


def _code_failure_key(address: str) -> str:
    return f"reset-code-ip:{address}"


def confirm_reset(
    db: Session, settings: Settings, passwords: Passwords, *, code: str, new_password: str, address: str
) -> None:
    """Set a new password with a valid code: the code is used, every session ends. Commits."""
    now = settings.now()
    key = _code_failure_key(address)
    wait = throttle.blocked_for(db, key, now)
    if wait:
        raise TooManyAttempts(wait, field="code")
    reset = db.scalar(
        select(PasswordReset).where(PasswordReset.code_hash == code_hash(code)).with_for_update()
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        throttle.record_failure(db, key, auth.address_rule(settings), now)
        db.commit()
        raise InvalidInput({"code": [_("Ce code n'est pas valide ou a expiré.")]})
    account = auth.lock_account(db, reset.account_id)
    problems = password_problems(new_password, account.email)
    if problems:
        raise InvalidInput({"new_password": problems})
    account.password_hash = passwords.hash(new_password)
    reset.used_at = now
    security.expire_reset_codes(db, account.id, now)
    security.end_sessions(db, settings, account.id, now)
    throttle.reset(db, auth.email_key(account.email))
    activity.record(db, account.id, ActivityKind.PASSWORD_RESET, now)
    db.commit()
