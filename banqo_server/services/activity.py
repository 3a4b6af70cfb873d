"""The account's activity log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from banqo_server.models import ActivityEntry
from banqo_tui.api.models import ActivityKind


def record(db: Session, account_id: str, kind: ActivityKind, at: datetime, device: str | None = None) -> None:
    """Add one entry (a kind and a device only: never any goal text)."""
    db.add(ActivityEntry(account_id=account_id, kind=kind.value, at=at, device=device))


def recent(db: Session, account_id: str, limit: int = 10) -> list[ActivityEntry]:
    """The account's latest entries, newest first."""
    statement = (
        select(ActivityEntry)
        .where(ActivityEntry.account_id == account_id)
        .order_by(ActivityEntry.at.desc(), ActivityEntry.id.desc())
        .limit(limit)
    )
    return list(db.scalars(statement))
