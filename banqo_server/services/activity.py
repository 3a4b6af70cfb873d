"""The account's activity log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from banqo_server.models import ActivityEntry
from banqo_server.services.paging import decode_cursor, encode_cursor
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


def page(
    db: Session, account_id: str, *, limit: int, cursor: str | None = None
) -> tuple[list[ActivityEntry], str | None]:
    """A page of the account's entries, newest first, and the cursor of the next page (None at the end)."""
    statement = select(ActivityEntry).where(ActivityEntry.account_id == account_id)
    if cursor:
        at, entry_id = decode_cursor(cursor)
        statement = statement.where(
            or_(ActivityEntry.at < at, and_(ActivityEntry.at == at, ActivityEntry.id < entry_id))
        )
    statement = statement.order_by(ActivityEntry.at.desc(), ActivityEntry.id.desc()).limit(limit + 1)
    rows = list(db.scalars(statement))
    next_cursor = encode_cursor(rows[limit - 1].at, rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


def every_entry(db: Session, account_id: str) -> list[ActivityEntry]:
    """All of the account's entries, newest first (the data export)."""
    statement = (
        select(ActivityEntry)
        .where(ActivityEntry.account_id == account_id)
        .order_by(ActivityEntry.at.desc(), ActivityEntry.id.desc())
    )
    return list(db.scalars(statement))
