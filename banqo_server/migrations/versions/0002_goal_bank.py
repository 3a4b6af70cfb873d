"""The goal bank: catalogue, collection goals, learners and their sub-collections.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "catalogue_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        _when("loaded_at"),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_state"),
    )
    op.create_table(
        "catalogue_goals",
        sa.Column("id", sa.String(20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(60), nullable=False),
        sa.Column("subdomain", sa.String(60), nullable=True),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("text_fr", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("parts_fr", sa.JSON(), nullable=False),
        sa.Column("parts_en", sa.JSON(), nullable=False),
        sa.Column("search_fr", sa.Text(), nullable=False),
        sa.Column("search_en", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_goals"),
    )
    op.create_index("ix_catalogue_goals_position", "catalogue_goals", ["position"])
    op.create_index("ix_catalogue_goals_area", "catalogue_goals", ["area"])
    op.create_table(
        "goals",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("domain", sa.String(60), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("condition", sa.Text(), nullable=True),
        sa.Column("behaviour", sa.Text(), nullable=True),
        sa.Column("criterion", sa.Text(), nullable=True),
        sa.Column("measure", sa.Text(), nullable=True),
        sa.Column("source_kind", sa.String(20), nullable=False),
        sa.Column("source_id", sa.String(20), nullable=True),
        sa.Column("source_version", sa.String(40), nullable=True),
        sa.Column("search", sa.Text(), nullable=False),
        sa.Column("same_key", sa.String(64), nullable=True),
        sa.Column("idempotency_key", sa.String(80), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        _when("deleted_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_goals"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_goals_account_id_accounts", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("account_id", "same_key", name="uq_goals_account_id_same_key"),
        sa.UniqueConstraint("account_id", "idempotency_key", name="uq_goals_account_id_idempotency_key"),
    )
    op.create_index("ix_goals_account_id_created_at", "goals", ["account_id", "created_at"])
    op.create_table(
        "learners",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("first_name", sa.String(60), nullable=False),
        sa.Column("name_key", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_learners"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_learners_account_id_accounts", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("account_id", "name_key", name="uq_learners_account_id_name_key"),
    )
    op.create_index("ix_learners_account_id", "learners", ["account_id"])
    op.create_table(
        "learner_goals",
        sa.Column("learner_id", sa.String(32), nullable=False),
        sa.Column("goal_id", sa.String(32), nullable=False),
        _when("filed_at"),
        sa.PrimaryKeyConstraint("learner_id", "goal_id", name="pk_learner_goals"),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name="fk_learner_goals_learner_id_learners", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name="fk_learner_goals_goal_id_goals", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_learner_goals_goal_id", "learner_goals", ["goal_id"])


def downgrade() -> None:
    op.drop_table("learner_goals")
    op.drop_table("learners")
    op.drop_table("goals")
    op.drop_table("catalogue_goals")
    op.drop_table("catalogue_state")
