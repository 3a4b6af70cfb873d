"""« Mes paramètres »: contact details, photo, two-factor sign-in, password resets, support messages.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=False, server_default="")


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(_text("phone", 30))
        batch.add_column(_text("address_street", 200))
        batch.add_column(_text("address_city", 100))
        batch.add_column(_text("address_province", 2))
        batch.add_column(_text("address_postal_code", 7))
        batch.add_column(sa.Column("promotional_email", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(_when("promotional_email_changed_at", nullable=True))
        batch.add_column(sa.Column("photo_name", sa.String(64), nullable=True))
        batch.add_column(sa.Column("photo_width", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("photo_height", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("photo_size", sa.Integer(), nullable=True))
        batch.add_column(_when("photo_updated_at", nullable=True))
        batch.add_column(sa.Column("totp_secret", sa.String(64), nullable=True))
        batch.add_column(sa.Column("totp_pending_secret", sa.String(64), nullable=True))
        batch.add_column(_when("totp_enabled_at", nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        _when("created_at"),
        _when("used_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_recovery_codes_account_id_accounts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_recovery_codes"),
    )
    op.create_index("ix_recovery_codes_account_id", "recovery_codes", ["account_id"])

    op.create_table(
        "password_resets",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        _when("used_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_password_resets_account_id_accounts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_password_resets"),
        sa.UniqueConstraint("code_hash", name="uq_password_resets_code_hash"),
    )
    op.create_index("ix_password_resets_account_id", "password_resets", ["account_id"])

    op.create_table(
        "support_messages",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=True),
        sa.Column("from_email", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        _when("created_at"),
        _when("sent_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_support_messages_account_id_accounts", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_support_messages"),
    )
    op.create_index("ix_support_messages_account_id", "support_messages", ["account_id"])
    op.create_index("ix_support_messages_from_email", "support_messages", ["from_email"])
    op.create_index("ix_support_messages_sent_at_created_at", "support_messages", ["sent_at", "created_at"])


def downgrade() -> None:
    op.drop_table("support_messages")
    op.drop_table("password_resets")
    op.drop_table("recovery_codes")
    with op.batch_alter_table("accounts") as batch:
        for column in (
            "totp_last_step", "totp_enabled_at", "totp_pending_secret", "totp_secret", "photo_updated_at",
            "photo_size", "photo_height", "photo_width", "photo_name", "promotional_email_changed_at",
            "promotional_email", "address_postal_code", "address_province", "address_city", "address_street",
            "phone",
        ):
            batch.drop_column(column)
