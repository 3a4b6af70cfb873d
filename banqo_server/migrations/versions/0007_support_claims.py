"""Support messages: the time until which one process has claimed a message to mail it.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("support_messages", sa.Column("sending_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("support_messages", "sending_until")  # in place on SQLite 3.35 and later
