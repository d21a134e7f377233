"""whatsapp identities, sent messages, uploaded media, link codes

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "whatsapp_media",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("media_id", sa.String(length=128), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_whatsapp_media")),
    )
    op.create_table(
        "link_codes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_link_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_link_codes")),
    )
    with op.batch_alter_table("link_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_codes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "whatsapp_sent",
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("wa_id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("template", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("screen", sa.JSON(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_whatsapp_sent_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_whatsapp_sent")),
    )
    with op.batch_alter_table("whatsapp_sent", schema=None) as batch_op:
        batch_op.create_index("ix_whatsapp_sent_user_sent_at", ["user_id", "sent_at"], unique=False)

    # plain ALTER TABLE (no rebuild of users, which every other table points at)
    op.add_column("users", sa.Column("whatsapp_id", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("last_channel", sa.String(length=16), nullable=True))
    op.add_column("users", sa.Column("reminder_channel", sa.String(length=16), nullable=True))
    op.add_column("users", sa.Column("whatsapp_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_users_whatsapp_id"), "users", ["whatsapp_id"], unique=True)
    # everyone so far came by Telegram
    op.execute("UPDATE users SET last_channel = 'telegram' WHERE telegram_id IS NOT NULL")


def downgrade() -> None:
    op.drop_index(op.f("ix_users_whatsapp_id"), table_name="users")
    for column in ("whatsapp_seen_at", "reminder_channel", "last_channel", "whatsapp_id"):
        op.drop_column("users", column)

    with op.batch_alter_table("whatsapp_sent", schema=None) as batch_op:
        batch_op.drop_index("ix_whatsapp_sent_user_sent_at")

    op.drop_table("whatsapp_sent")
    with op.batch_alter_table("link_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_codes_user_id"))
    op.drop_table("link_codes")
    op.drop_table("whatsapp_media")
