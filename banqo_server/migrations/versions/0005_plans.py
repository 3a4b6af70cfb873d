"""Plans d'intervention and transition annexes: plans, their objectives, progress entries, reviews with their
snapshots and decisions.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("parent_plan_id", sa.String(length=32), nullable=True),
        sa.Column("previous_plan_id", sa.String(length=32), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("review_due_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("strengths", sa.JSON(), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("adaptations", sa.JSON(), nullable=False),
        sa.Column("modifications", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_plans_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], name=op.f("fk_plans_learner_id_learners"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_plan_id"], ["plans.id"], name=op.f("fk_plans_parent_plan_id_plans"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["previous_plan_id"], ["plans.id"], name=op.f("fk_plans_previous_plan_id_plans"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    op.create_index("ix_plans_account_id_learner_id", "plans", ["account_id", "learner_id"], unique=False)
    op.create_index(
        "ix_plans_account_id_state_review_due_on", "plans", ["account_id", "state", "review_due_on"], unique=False
    )
    op.create_index(op.f("ix_plans_parent_plan_id"), "plans", ["parent_plan_id"], unique=False)
    op.create_index(op.f("ix_plans_previous_plan_id"), "plans", ["previous_plan_id"], unique=False)
    op.create_table(
        "plan_goals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("plan_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("lineage_id", sa.String(length=32), nullable=False),
        sa.Column("goal_id", sa.String(length=32), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sphere", sa.String(length=60), nullable=True),
        sa.Column("means", sa.JSON(), nullable=False),
        sa.Column("responsible_roles", sa.JSON(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("evaluation", sa.Text(), nullable=False),
        sa.Column("criterion", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("out_of", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_plan_goals_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_plan_goals_goal_id_goals"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_goals_plan_id_plans"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_goals")),
    )
    op.create_index(op.f("ix_plan_goals_goal_id"), "plan_goals", ["goal_id"], unique=False)
    op.create_index(op.f("ix_plan_goals_lineage_id"), "plan_goals", ["lineage_id"], unique=False)
    op.create_index("ix_plan_goals_plan_id_position", "plan_goals", ["plan_id", "position"], unique=False)
    op.create_table(
        "plan_reviews",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("plan_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_plan_reviews_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_reviews_plan_id_plans"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_reviews")),
        sa.UniqueConstraint("plan_id", "number", name="uq_plan_reviews_plan_id_number"),
    )
    op.create_index(op.f("ix_plan_reviews_account_id"), "plan_reviews", ["account_id"], unique=False)
    op.create_table(
        "progress_entries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("plan_goal_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("lineage_id", sa.String(length=32), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("out_of", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_progress_entries_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["plan_goal_id"],
            ["plan_goals.id"],
            name=op.f("fk_progress_entries_plan_goal_id_plan_goals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_entries")),
    )
    op.create_index(op.f("ix_progress_entries_account_id"), "progress_entries", ["account_id"], unique=False)
    op.create_index(op.f("ix_progress_entries_lineage_id"), "progress_entries", ["lineage_id"], unique=False)
    op.create_index(
        "ix_progress_entries_plan_goal_id_measured_on",
        "progress_entries",
        ["plan_goal_id", "measured_on"],
        unique=False,
    )
    op.create_table(
        "review_decisions",
        sa.Column("review_id", sa.String(length=32), nullable=False),
        sa.Column("plan_goal_id", sa.String(length=32), nullable=False),
        sa.Column("lineage_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("goal_text", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["plan_reviews.id"],
            name=op.f("fk_review_decisions_review_id_plan_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", "plan_goal_id", name=op.f("pk_review_decisions")),
    )
    op.create_index(op.f("ix_review_decisions_lineage_id"), "review_decisions", ["lineage_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_review_decisions_lineage_id"), table_name="review_decisions")
    op.drop_table("review_decisions")
    op.drop_index("ix_progress_entries_plan_goal_id_measured_on", table_name="progress_entries")
    op.drop_index(op.f("ix_progress_entries_lineage_id"), table_name="progress_entries")
    op.drop_index(op.f("ix_progress_entries_account_id"), table_name="progress_entries")
    op.drop_table("progress_entries")
    op.drop_index(op.f("ix_plan_reviews_account_id"), table_name="plan_reviews")
    op.drop_table("plan_reviews")
    op.drop_index("ix_plan_goals_plan_id_position", table_name="plan_goals")
    op.drop_index(op.f("ix_plan_goals_lineage_id"), table_name="plan_goals")
    op.drop_index(op.f("ix_plan_goals_goal_id"), table_name="plan_goals")
    op.drop_table("plan_goals")
    op.drop_index(op.f("ix_plans_previous_plan_id"), table_name="plans")
    op.drop_index(op.f("ix_plans_parent_plan_id"), table_name="plans")
    op.drop_index("ix_plans_account_id_state_review_due_on", table_name="plans")
    op.drop_index("ix_plans_account_id_learner_id", table_name="plans")
    op.drop_table("plans")
