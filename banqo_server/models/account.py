"""A teacher's account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, String, false
from sqlalchemy.orm import Mapped, mapped_column

from banqo_server.models.base import Base, new_id


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # always lower-case
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(200))
    last_name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(10), default="fr-CA")
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    # Contact details (« Profil »); empty strings when not given.
    phone: Mapped[str] = mapped_column(String(30), default="", server_default="")
    address_street: Mapped[str] = mapped_column(String(200), default="", server_default="")
    address_city: Mapped[str] = mapped_column(String(100), default="", server_default="")
    address_province: Mapped[str] = mapped_column(String(2), default="", server_default="")
    address_postal_code: Mapped[str] = mapped_column(String(7), default="", server_default="")
    # Promotional email: off until the teacher says yes; when they last changed it.
    promotional_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    promotional_email_changed_at: Mapped[datetime | None]
    # The profile photo: a generated file name under the data folder's ``photos``, and what it is.
    photo_name: Mapped[str | None] = mapped_column(String(64))
    photo_width: Mapped[int | None]
    photo_height: Mapped[int | None]
    photo_size: Mapped[int | None]
    photo_updated_at: Mapped[datetime | None]
    # Two-factor sign-in (TOTP): the secret in force, one being set up, and the last time step used.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
