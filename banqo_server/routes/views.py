"""ORM rows → wire models."""

from __future__ import annotations

from banqo_server.models import Account as AccountRow
from banqo_server.models import AccountSession
from banqo_tui.api.models import Account, SessionInfo, SessionToken


def account_view(account: AccountRow) -> Account:
    return Account(
        id=account.id,
        email=account.email,
        first_name=account.first_name,
        last_name=account.last_name,
        language=account.language,
        created_at=account.created_at,
    )


def session_view(session: AccountSession, current_id: str | None = None) -> SessionInfo:
    return SessionInfo(
        id=session.id,
        device=session.device,
        created_at=session.created_at,
        last_used_at=session.last_used_at,
        expires_at=session.expires_at,
        current=session.id == current_id,
    )


def token_view(token: str, session: AccountSession) -> SessionToken:
    return SessionToken(
        token=token, session=session_view(session, session.id), account=account_view(session.account)
    )
