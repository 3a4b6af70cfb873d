"""Throttling kept in the database, so that every server process sees the same counters.

Failed sign-ins are counted per key (``email:…``, ``ip:…``) in a window; past the key's limit each new
failure blocks the key for a delay that doubles (from ``first_delay`` up to ``max_delay``), so a block is
never permanent. Sign-ups are counted per address with a plain limit per window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from banqo_server.models import SignInThrottle


@dataclass(frozen=True)
class FailureRule:
    limit: int
    window: timedelta
    first_delay: timedelta
    max_delay: timedelta


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def _locked_row(db: Session, key: str, now: datetime) -> SignInThrottle:
    """The key's row, created if absent, locked for this transaction (PostgreSQL)."""
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(
        insert(SignInThrottle)
        .values(key=key, failures=0, window_started_at=now, blocked_until=None)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    statement = select(SignInThrottle).where(SignInThrottle.key == key).with_for_update()
    return db.execute(statement.execution_options(populate_existing=True)).scalar_one()


def blocked_for(db: Session, key: str, now: datetime) -> int | None:
    """Seconds left in the key's block, or None when it is not blocked."""
    row = db.get(SignInThrottle, key, populate_existing=True)
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return None
    return _seconds_until(row.blocked_until, now)


def record_failure(db: Session, key: str, rule: FailureRule, now: datetime) -> bool:
    """Count one failure; True when it starts a block."""
    row = _locked_row(db, key, now)
    quiet_since_block = row.blocked_until is None or row.blocked_until + rule.window <= now
    if row.window_started_at + rule.window <= now and quiet_since_block:
        row.failures = 0
        row.window_started_at = now
        row.blocked_until = None
    row.failures += 1
    if row.failures < rule.limit:
        return False
    doublings = min(row.failures - rule.limit, 30)
    row.blocked_until = now + min(rule.first_delay * (2**doublings), rule.max_delay)
    return True


def reset(db: Session, key: str) -> None:
    row = db.get(SignInThrottle, key)
    if row is not None:
        db.delete(row)


def count_attempt(db: Session, key: str, limit: int, window: timedelta, now: datetime) -> int | None:
    """Count one attempt against ``limit`` per ``window``; seconds to wait when over it, else None."""
    row = _locked_row(db, key, now)
    if row.window_started_at + window <= now:
        row.failures = 0
        row.window_started_at = now
    if row.failures >= limit:
        return _seconds_until(row.window_started_at + window, now)
    row.failures += 1
    return None
