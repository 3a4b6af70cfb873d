"""The account's activity log (« Activité récente »): a kind and a device, never any goal text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from banqo_server.models.base import Base, new_id


class ActivityEntry(Base):
    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_account_id_at", "account_id", "at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))  # a value of banqo_tui.api.models.ActivityKind
    device: Mapped[str | None] = mapped_column(String(200))
