"""The demo account that ``banqo --demo`` opens, on its own database."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from banqo_server.db import make_engine, make_session_factory
from banqo_server.migrations import upgrade
from banqo_server.models import Account, AccountSession
from banqo_server.services import activity
from banqo_server.services.auth import hash_token, new_token, open_session
from banqo_server.services.passwords import Passwords
from banqo_server.settings import Settings
from banqo_tui.api.models import ActivityKind

DEMO_EMAIL = "demo@banqo.invalid"
DEMO_DEVICE = "BanqO (démo)"
_HISTORY = (  # (days ago, hour of the day, kind, device)
    (6, 9, ActivityKind.ACCOUNT_CREATED, "Ordinateur de l'école"),
    (5, 15, ActivityKind.SIGNED_IN, "Ordinateur de l'école"),
    (4, 20, ActivityKind.SIGNED_IN_NEW_DEVICE, "Portable à la maison"),
    (2, 8, ActivityKind.SIGNED_IN, "Ordinateur de l'école"),
    (1, 19, ActivityKind.SIGNED_IN, "Portable à la maison"),
)


def _past_session(account: Account, device: str, at: datetime, settings: Settings) -> AccountSession:
    """A session of the demo's history, already ended; its token was never kept."""
    return AccountSession(
        account=account,
        token_hash=hash_token(new_token()),
        device=device,
        created_at=at,
        last_used_at=at + timedelta(hours=1),
        expires_at=at + settings.session_lifetime,
        ended_at=at + timedelta(hours=1),
    )


def _create_demo_account(settings: Settings, passwords: Passwords) -> tuple[Account, list[AccountSession]]:
    midnight = settings.now().replace(hour=0, minute=0, second=0, microsecond=0)
    moments = [midnight - timedelta(days=days) + timedelta(hours=hour) for days, hour, _, _ in _HISTORY]
    account = Account(
        email=DEMO_EMAIL,
        password_hash=passwords.hash(secrets.token_urlsafe(32)),  # nobody knows it
        first_name="Camille",
        last_name="Démo",
        language="fr-CA",
        created_at=moments[0],
        version=1,
    )
    sessions = [
        _past_session(account, device, at, settings)
        for at, (_, _, _, device) in zip(moments, _HISTORY, strict=True)
    ]
    return account, sessions


def ensure_demo_account(settings: Settings) -> str:
    """Create the demo account if absent (with a few days of activity); return a new session's token."""
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        passwords = Passwords(
            settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
        )
        with make_session_factory(engine)() as db:
            account = db.scalar(select(Account).where(Account.email == DEMO_EMAIL))
            if account is None:
                account, past_sessions = _create_demo_account(settings, passwords)
                db.add(account)
                db.add_all(past_sessions)
                db.flush()
                for session, (_, _, kind, device) in zip(past_sessions, _HISTORY, strict=True):
                    activity.record(db, account.id, kind, session.created_at, device)
            token, _session = open_session(db, account, DEMO_DEVICE, settings)
            activity.record(db, account.id, ActivityKind.SIGNED_IN, settings.now(), DEMO_DEVICE)
            db.commit()
            return token
    finally:
        engine.dispose()
