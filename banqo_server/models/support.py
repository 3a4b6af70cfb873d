"""Messages sent through « Des questions? Contactez-nous! »: every one is kept, sent or not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from banqo_server.models.base import Base, new_id


class SupportMessage(Base):
    __tablename__ = "support_messages"
    __table_args__ = (
        Index("ix_support_messages_sent_at_created_at", "sent_at", "created_at"),
        # Per sender address: a message may be sent signed out.
        Index("uq_support_messages_from_email_idempotency_key", "from_email", "idempotency_key", unique=True),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # Set when sent signed in. Deleting the account deletes its messages too (services.privacy).
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    from_email: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10))
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Set while one process mails the message (its claim), so that another one (the operator's
    # ``support retry``) leaves it alone; cleared with the outcome. A claim left by a process that died
    # mid-send lapses at that time (services.support.sending_claim).
    sending_until: Mapped[datetime | None]
