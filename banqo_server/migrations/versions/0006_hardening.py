"""Hardening: idempotency keys on every create, and the indexes that the load and scale measurements asked for.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _idempotency_keys()
    _indexes()


# Table, and the column the key is unique with (the account; the sender address for support messages).
_KEYED = (
    ("learners", "account_id"),
    ("plans", "account_id"),
    ("plan_goals", "account_id"),
    ("progress_entries", "account_id"),
    ("plan_reviews", "account_id"),
    ("support_messages", "from_email"),
)


def _idempotency_keys() -> None:
    """An ``idempotency_key`` column (unique per account) on the tables that creates write to."""
    for table, scope in _KEYED:
        op.add_column(table, sa.Column("idempotency_key", sa.String(80), nullable=True))
        op.create_index(f"uq_{table}_{scope}_idempotency_key", table, [scope, "idempotency_key"], unique=True)


def _indexes() -> None:
    """Indexes for the hot queries (résumé, search, lists) at 10,000 teachers (measured with bench/scale.py).

    « Ma collection » (its pages and its search) and the résumé's count read only the goals outside the bin, in
    the order they were added: one partial index on (account, added, id) gives the count from the index alone
    and walks a page in order without a sort; it replaces the index on (account, added), which also held the
    goals in the bin. Deleting a learner deletes their plans: ``plans.learner_id`` had no index of its own.
    """
    op.create_index(
        "ix_goals_account_id_live",
        "goals",
        ["account_id", "created_at", "id"],
        postgresql_where=sa.text("deleted_at IS NULL"),
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index("ix_goals_account_id_created_at", table_name="goals")
    op.create_index("ix_plans_learner_id", "plans", ["learner_id"])


def downgrade() -> None:
    _drop_indexes()
    _drop_idempotency_keys()


def _drop_idempotency_keys() -> None:
    """Undoes ``_idempotency_keys``."""
    for table, scope in _KEYED:
        op.drop_index(f"uq_{table}_{scope}_idempotency_key", table_name=table)
        op.drop_column(table, "idempotency_key")  # in place on SQLite 3.35 and later: no copy of the table


def _drop_indexes() -> None:
    """Undoes ``_indexes``."""
    op.drop_index("ix_plans_learner_id", table_name="plans")
    op.create_index("ix_goals_account_id_created_at", "goals", ["account_id", "created_at"])
    op.drop_index("ix_goals_account_id_live", table_name="goals")
