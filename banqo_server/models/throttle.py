"""Counters of failed sign-ins and of sign-ups, shared by every server process through the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from banqo_server.models.base import Base


class SignInThrottle(Base):
    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)  # "email:…", "ip:…", "sign-up:…"
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]
