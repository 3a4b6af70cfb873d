"""Plans d'intervention and transition annexes: their objectives, progress entries and reviews.

An objective (``PlanGoal``) is a copy made when it enters a plan: the collection goal may change or go, the plan
keeps what was agreed. ``lineage_id`` is the objective's identity: it stays the same across reviews and in the
following year's plan (« reconduire »). A review keeps the plan as it stood in ``snapshot`` (a ``PlanDocument``,
as JSON) and is never changed afterwards.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from banqo_server.models.base import Base, new_id


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (
        Index("ix_plans_account_id_learner_id", "account_id", "learner_id"),
        Index("ix_plans_learner_id", "learner_id"),  # deleting a learner deletes their plans
        Index("ix_plans_account_id_state_review_due_on", "account_id", "state", "review_due_on"),
        Index("uq_plans_account_id_idempotency_key", "account_id", "idempotency_key", unique=True),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    learner_id: Mapped[str] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    parent_plan_id: Mapped[str | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"), index=True)
    previous_plan_id: Mapped[str | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"), index=True)
    opened_on: Mapped[date] = mapped_column(Date)
    review_due_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    participants: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    strengths: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    needs: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    adaptations: Mapped[list[str]] = mapped_column(JSON)
    modifications: Mapped[list[str]] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PlanGoal(Base):
    """An objective of a plan."""

    __tablename__ = "plan_goals"
    __table_args__ = (
        Index("ix_plan_goals_plan_id_position", "plan_id", "position"),
        Index("uq_plan_goals_account_id_idempotency_key", "account_id", "idempotency_key", unique=True),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    lineage_id: Mapped[str] = mapped_column(String(32), index=True)
    goal_id: Mapped[str | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    sphere: Mapped[str | None] = mapped_column(String(60))
    means: Mapped[list[str]] = mapped_column(JSON)
    responsible_roles: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    deadline: Mapped[date | None] = mapped_column(Date)
    evaluation: Mapped[str] = mapped_column(Text, default="")
    criterion: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(20))
    target: Mapped[float | None] = mapped_column(Float)
    out_of: Mapped[int | None] = mapped_column(Integer)
    direction: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProgressEntry(Base):
    __tablename__ = "progress_entries"
    __table_args__ = (
        Index("ix_progress_entries_plan_goal_id_measured_on", "plan_goal_id", "measured_on"),
        Index("uq_progress_entries_account_id_idempotency_key", "account_id", "idempotency_key", unique=True),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    plan_goal_id: Mapped[str] = mapped_column(ForeignKey("plan_goals.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    lineage_id: Mapped[str] = mapped_column(String(32), index=True)
    measured_on: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    out_of: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]


class PlanReview(Base):
    """A review: its decisions and the plan's immutable snapshot. Never updated."""

    __tablename__ = "plan_reviews"
    __table_args__ = (
        UniqueConstraint("plan_id", "number", name="uq_plan_reviews_plan_id_number"),
        Index("uq_plan_reviews_account_id_idempotency_key", "account_id", "idempotency_key", unique=True),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    next_review_on: Mapped[date | None] = mapped_column(Date)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)  # a PlanDocument
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]


class ReviewDecision(Base):
    __tablename__ = "review_decisions"

    review_id: Mapped[str] = mapped_column(ForeignKey("plan_reviews.id", ondelete="CASCADE"), primary_key=True)
    plan_goal_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    lineage_id: Mapped[str] = mapped_column(String(32), index=True)
    position: Mapped[int] = mapped_column(Integer)
    goal_text: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
