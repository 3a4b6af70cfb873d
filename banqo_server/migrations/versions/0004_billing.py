"""« Inscription », « Méthode de paiement », « Factures »: subscriptions, the card on file, charge attempts,
invoices and their yearly sequence.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_sequences",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_invoice_sequences")),
    )
    op.create_table(
        "charge_attempts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=True),
        sa.Column("subscription_id", sa.String(length=32), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("offer", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("failure_code", sa.String(length=40), nullable=True),
        sa.Column("processor_charge_id", sa.String(length=200), nullable=True),
        sa.Column("invoice_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_charge_attempts_account_id_accounts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charge_attempts")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_charge_attempts_idempotency_key")),
    )
    op.create_index(op.f("ix_charge_attempts_account_id"), "charge_attempts", ["account_id"], unique=False)
    op.create_index(op.f("ix_charge_attempts_subscription_id"), "charge_attempts", ["subscription_id"], unique=False)
    op.create_table(
        "invoices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("seller_name", sa.String(length=200), nullable=False),
        sa.Column("seller_address", sa.String(length=500), nullable=False),
        sa.Column("gst_number", sa.String(length=40), nullable=False),
        sa.Column("qst_number", sa.String(length=40), nullable=False),
        sa.Column("buyer_name", sa.String(length=400), nullable=False),
        sa.Column("buyer_email", sa.String(length=320), nullable=False),
        sa.Column("buyer_address", sa.String(length=500), nullable=False),
        sa.Column("billing_details", sa.String(length=300), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("subtotal", sa.Integer(), nullable=False),
        sa.Column("gst", sa.Integer(), nullable=False),
        sa.Column("qst", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("gst_rate", sa.String(length=12), nullable=False),
        sa.Column("qst_rate", sa.String(length=12), nullable=False),
        sa.Column("card_brand", sa.String(length=40), nullable=False),
        sa.Column("card_last4", sa.String(length=4), nullable=False),
        sa.Column("processor_charge_id", sa.String(length=200), nullable=True),
        sa.Column("processor_refund_id", sa.String(length=200), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corrects_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_invoices_account_id_accounts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["invoices.id"], name=op.f("fk_invoices_corrects_id_invoices"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
        sa.UniqueConstraint("processor_charge_id", name=op.f("uq_invoices_processor_charge_id")),
        sa.UniqueConstraint("processor_refund_id", name=op.f("uq_invoices_processor_refund_id")),
        sa.UniqueConstraint("year", "sequence", name=op.f("uq_invoices_year_sequence")),
    )
    op.create_index(op.f("ix_invoices_account_id"), "invoices", ["account_id"], unique=False)
    op.create_index(op.f("ix_invoices_corrects_id"), "invoices", ["corrects_id"], unique=False)
    op.create_table(
        "payment_cards",
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("processor", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("brand", sa.String(length=40), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column("exp_month", sa.Integer(), nullable=False),
        sa.Column("exp_year", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_payment_cards_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_payment_cards")),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("offer", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trial_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("anchor", sa.DateTime(timezone=True), nullable=True),
        sa.Column("period_paid", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cancel_at_period_end", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("pending_offer", sa.String(length=40), nullable=True),
        sa.Column("billing_details", sa.String(length=300), server_default="", nullable=False),
        sa.Column("failure_first_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failure_last_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failure_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failure_code", sa.String(length=40), nullable=True),
        sa.Column("next_retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data_deletion_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data_deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_notice_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_subscriptions_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("account_id", name=op.f("uq_subscriptions_account_id")),
    )
    op.create_index(op.f("ix_subscriptions_current_period_end"), "subscriptions", ["current_period_end"], unique=False)
    op.create_index(op.f("ix_subscriptions_data_deletion_at"), "subscriptions", ["data_deletion_at"], unique=False)
    op.create_index(op.f("ix_subscriptions_next_retry_at"), "subscriptions", ["next_retry_at"], unique=False)
    op.create_index(op.f("ix_subscriptions_state"), "subscriptions", ["state"], unique=False)


def downgrade() -> None:
    op.drop_table("subscriptions")
    op.drop_table("payment_cards")
    op.drop_table("invoices")
    op.drop_table("charge_attempts")
    op.drop_table("invoice_sequences")
