"""« Sécurité »: confirming the password, changing it, and two-factor sign-in (TOTP) with recovery codes.

Every wrong password typed here counts as a failed sign-in of the account's email (services.throttle), so
these forms are no way around the sign-in throttle; while the email is blocked they answer 429.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from banqo_server.i18n import ENGLISH, SOURCE_LANGUAGE, _, use_language
from banqo_server.models import Account, AccountSession, PasswordReset, RecoveryCode
from banqo_server.services import activity, auth, mail, throttle, totp
from banqo_server.services.errors import Conflict, InvalidInput, TooManyAttempts
from banqo_server.services.passwords import Passwords, password_problems
from banqo_server.settings import Settings
from banqo_tui.api.models import ActivityKind

log = logging.getLogger("banqo_server.security")


def mail_language(account_language: str) -> str:
    """The catalogue language of an account's ``language`` (« en-CA » → ``en_CA``; anything else French)."""
    return ENGLISH if account_language.lower().startswith("en") else SOURCE_LANGUAGE


def password_is_right(
    db: Session,
    settings: Settings,
    passwords: Passwords,
    account: Account,
    password: str,
    *,
    field: str,
    device: str | None = None,
) -> bool:
    """Whether ``password`` is the account's, before a sensitive change.

    A wrong one counts as a failed sign-in of the account's email (committed at once), so it is throttled like
    one; a blocked email answers 429 on ``field`` before any check.
    """
    now = settings.now()
    key = auth.email_key(account.email)
    wait = throttle.blocked_for(db, key, now)
    if wait:
        raise TooManyAttempts(wait, field=field)
    if passwords.verify(account.password_hash, password):
        return True
    if throttle.record_failure(db, key, auth.email_rule(settings), now):
        activity.record(db, account.id, ActivityKind.SIGN_IN_THROTTLED, now, device)
    db.commit()
    return False


def wrong_password_message() -> str:
    return _("Mot de passe incorrect.")


def check_password(
    db: Session,
    settings: Settings,
    passwords: Passwords,
    account: Account,
    password: str,
    *,
    field: str,
    device: str | None = None,
) -> None:
    """``password_is_right``, refusing a wrong password with 422 on ``field``."""
    if not password_is_right(db, settings, passwords, account, password, field=field, device=device):
        raise InvalidInput({field: [wrong_password_message()]})


def end_sessions(
    db: Session, settings: Settings, account_id: str, now: datetime, *, keep: str | None = None
) -> int:
    """End every active session of the account but ``keep``; how many were ended. Does not commit."""
    statement = select(AccountSession).where(
        AccountSession.account_id == account_id, AccountSession.ended_at.is_(None)
    )
    if keep is not None:
        statement = statement.where(AccountSession.id != keep)
    ended = 0
    for session in db.scalars(statement):
        if auth.is_active(session, settings, now):
            ended += 1
        session.ended_at = now
    return ended


def expire_reset_codes(db: Session, account_id: str, now: datetime) -> None:
    """Make the account's unused forgotten-password codes unusable from now on. Does not commit."""
    db.execute(
        update(PasswordReset)
        .where(
            PasswordReset.account_id == account_id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(expires_at=now)
    )


def change_password(
    db: Session,
    settings: Settings,
    passwords: Passwords,
    current: AccountSession,
    *,
    current_password: str,
    new_password: str,
) -> int:
    """Replace the password of the caller's account; every other session ends (how many). Commits."""
    account = current.account
    check_password(db, settings, passwords, account, current_password, field="current_password", device=current.device)
    problems = password_problems(new_password, account.email)
    if problems:
        raise InvalidInput({"new_password": problems})
    now = settings.now()
    account.password_hash = passwords.hash(new_password)
    ended = end_sessions(db, settings, account.id, now, keep=current.id)
    # A forgotten-password code asked for before the change must not undo it.
    expire_reset_codes(db, account.id, now)
    activity.record(db, account.id, ActivityKind.PASSWORD_CHANGED, now, current.device)
    db.commit()
    return ended


@dataclass(frozen=True)
class Notice:
    """A mail to send after the commit: who to, in which language."""

    to: str
    language: str
    first_name: str


def notice_of(account: Account) -> Notice:
    return Notice(to=account.email, language=mail_language(account.language), first_name=account.first_name)


def send_password_changed_notice(settings: Settings, notice: Notice) -> None:
    """Tell the account's owner that their password was changed (a background task: failures are logged)."""
    with use_language(notice.language):
        subject = _("BanqO : votre mot de passe a été changé")
        body = "\n\n".join(
            [
                _("Bonjour {first_name},").format(first_name=notice.first_name),
                _(
                    "Le mot de passe de votre compte BanqO vient d'être changé. Vos autres sessions ont pris fin : "
                    "reconnectez-vous sur ces appareils avec le nouveau mot de passe."
                ),
                _(
                    "Si vous n'avez pas fait ce changement, choisissez un nouveau mot de passe sans attendre avec "
                    "« Mot de passe oublié » à l'écran de connexion, puis écrivez-nous."
                ),
                _("L'équipe BanqO"),
            ]
        )
    try:
        mail.send_mail(settings, to=notice.to, subject=subject, body=body + "\n")
    except mail.MailError:
        log.warning("the password-changed notice could not be sent")


# --- two-factor sign-in -----------------------------------------------------------------------


def _already_enabled() -> Conflict:
    return Conflict({"code": [_("La validation en deux étapes est déjà activée.")]})


def start_totp(db: Session, settings: Settings, account_id: str) -> tuple[str, str]:
    """A new secret waiting for its first code (replacing any earlier one); the secret and its URI. Commits."""
    account = auth.lock_account(db, account_id)
    if account.totp_secret is not None:
        raise _already_enabled()
    secret = totp.new_secret()
    account.totp_pending_secret = secret
    db.commit()
    return secret, totp.provisioning_uri(secret, account.email, settings.totp_issuer)


def enable_totp(db: Session, settings: Settings, account_id: str, code: str, device: str) -> list[str]:
    """Put the pending secret in force with a first code; ten new recovery codes, shown once. Commits."""
    now = settings.now()
    account = auth.lock_account(db, account_id)
    if account.totp_secret is not None:
        raise _already_enabled()
    pending = account.totp_pending_secret
    if pending is None:
        raise InvalidInput(
            {"code": [_("Aucune configuration n'est en cours : recommencez la configuration de l'application.")]}
        )
    step = totp.verify(pending, code, now)
    if step is None:
        raise InvalidInput(
            {"code": [_("Ce code n'est pas valide. Entrez le code à 6 chiffres affiché maintenant par l'application.")]}
        )
    account.totp_secret = pending
    account.totp_pending_secret = None
    account.totp_enabled_at = now
    account.totp_last_step = step
    db.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    codes = [totp.new_recovery_code() for _ in range(totp.RECOVERY_COUNT)]
    db.add_all(
        RecoveryCode(account_id=account.id, code_hash=totp.recovery_code_hash(code), created_at=now)
        for code in codes
    )
    activity.record(db, account.id, ActivityKind.TOTP_ENABLED, now, device)
    db.commit()
    return codes


def disable_totp(
    db: Session, settings: Settings, passwords: Passwords, account_id: str, password: str, device: str
) -> None:
    """Turn two-factor sign-in off, with the account's password; the recovery codes go too. Commits."""
    account = auth.lock_account(db, account_id)
    if account.totp_secret is None:
        raise Conflict({"password": [_("La validation en deux étapes n'est pas activée.")]})
    check_password(db, settings, passwords, account, password, field="password", device=device)
    now = settings.now()
    account.totp_secret = None
    account.totp_pending_secret = None
    account.totp_enabled_at = None
    account.totp_last_step = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    activity.record(db, account.id, ActivityKind.TOTP_DISABLED, now, device)
    db.commit()
