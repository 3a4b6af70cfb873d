"""The goal bank: the shipped catalogue, the teacher's collection, learners and their sub-collections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from banqo_server.models.base import Base, new_id


class CatalogueState(Base):
    """One row: which catalogue file the database holds (its declared version and its content's digest)."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(40))
    digest: Mapped[str] = mapped_column(String(64))
    areas: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # domains and spheres, labels in fr and en
    loaded_at: Mapped[datetime]


class CatalogueGoal(Base):
    """A shipped goal, in both languages. Replaced as a whole when a new catalogue is loaded."""

    __tablename__ = "catalogue_goals"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)  # stable: « lec-001 »
    position: Mapped[int] = mapped_column(Integer, index=True)
    area: Mapped[str] = mapped_column(String(60), index=True)
    subdomain: Mapped[str | None] = mapped_column(String(60))
    levels: Mapped[list[str]] = mapped_column(JSON)
    text_fr: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    parts_fr: Mapped[dict[str, str]] = mapped_column(JSON)
    parts_en: Mapped[dict[str, str]] = mapped_column(JSON)
    search_fr: Mapped[str] = mapped_column(Text)  # fold() of the text, subdomain and levels
    search_en: Mapped[str] = mapped_column(Text)


class Goal(Base):
    """A goal of an account's collection (« Ma collection »)."""

    __tablename__ = "goals"
    __table_args__ = (
        # The goals outside the bin, in the order they were added: « Ma collection », its search, its count.
        Index(
            "ix_goals_account_id_live",
            "account_id",
            "created_at",
            "id",
            postgresql_where=sql_text("deleted_at IS NULL"),
            sqlite_where=sql_text("deleted_at IS NULL"),
        ),
        UniqueConstraint("account_id", "same_key", name="uq_goals_account_id_same_key"),
        UniqueConstraint("account_id", "idempotency_key", name="uq_goals_account_id_idempotency_key"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10))
    domain: Mapped[str | None] = mapped_column(String(60))
    tags: Mapped[list[str]] = mapped_column(JSON)
    condition: Mapped[str | None] = mapped_column(Text)
    behaviour: Mapped[str | None] = mapped_column(Text)
    criterion: Mapped[str | None] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str | None] = mapped_column(String(20))
    source_version: Mapped[str | None] = mapped_column(String(40))
    search: Mapped[str] = mapped_column(Text)  # fold() of text and tags, for q=
    # The same text (folded) in the same domain is the same goal; None while the goal sits in the bin.
    same_key: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class Learner(Base):
    """A learner, by first name only."""

    __tablename__ = "learners"
    __table_args__ = (
        UniqueConstraint("account_id", "name_key", name="uq_learners_account_id_name_key"),
        Index("uq_learners_account_id_idempotency_key", "account_id", "idempotency_key", unique=True),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str] = mapped_column(String(60))  # as shown: « Léa 2 »
    name_key: Mapped[str] = mapped_column(String(80))  # fold(first_name): « lea 2 »
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]


class LearnerGoal(Base):
    """A goal of the collection filed under a learner (the learner's sub-collection)."""

    __tablename__ = "learner_goals"

    learner_id: Mapped[str] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    goal_id: Mapped[str] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True, index=True)
    filed_at: Mapped[datetime]
