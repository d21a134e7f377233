"""inbox and handled updates by channel; the inbox claimed per chat by several processes

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _chat_key(payload: dict[str, Any]) -> str:
    """The chat of a kept Telegram update (what bot.telegram.requests.chat_key gives)."""
    for kind in ("message", "edited_message", "callback_query", "my_chat_member"):
        part = payload.get(kind)
        if isinstance(part, dict):
            chat = part.get("chat") or (part.get("message") or {}).get("chat")
            if isinstance(chat, dict) and "id" in chat:
                return f"telegram:{chat['id']}"
            sender = part.get("from")
            if isinstance(sender, dict) and "id" in sender:
                return f"telegram:{sender['id']}"
    return f"telegram:update:{payload.get('update_id')}"


def upgrade() -> None:
    bind = op.get_bind()
    kept = bind.execute(sa.text("SELECT update_id, payload, received_at FROM inbox_updates"))
    old_inbox = [(row[0], row[1], row[2]) for row in kept]
    handled = [
        (row[0], row[1])
        for row in bind.execute(sa.text("SELECT update_id, at FROM handled_updates"))
    ]
    with op.batch_alter_table("handled_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handled_updates_at"))
    op.drop_table("handled_updates")
    with op.batch_alter_table("inbox_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_updates_received_at"))
    op.drop_table("inbox_updates")

    inbox = op.create_table(
        "inbox_updates",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("platform_id", sa.String(length=128), nullable=False),
        sa.Column("chat_key", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=40), nullable=True),
        sa.Column("claimed_until", sa.Float(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_updates")),
        sa.UniqueConstraint(
            "channel", "platform_id", name=op.f("uq_inbox_updates_channel_platform_id")
        ),
    )
    with op.batch_alter_table("inbox_updates", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_updates_chat_key_id", ["chat_key", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inbox_updates_received_at"), ["received_at"], unique=False
        )
    done = op.create_table(
        "handled_updates",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_key", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "update_key", name=op.f("pk_handled_updates")),
    )
    with op.batch_alter_table("handled_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handled_updates_at"), ["at"], unique=False)

    if old_inbox:
        import json

        rows = []
        for update_id, payload, received_at in sorted(old_inbox, key=lambda r: r[0]):
            data = json.loads(payload) if isinstance(payload, str) else payload
            rows.append(
                {
                    "channel": "telegram",
                    "platform_id": str(update_id),
                    "chat_key": _chat_key(data),
                    "payload": data,
                    "received_at": received_at,
                    "attempts": 1,  # fetched by an earlier version: handled as a replay
                }
            )
        op.bulk_insert(inbox, rows)
    if handled:
        op.bulk_insert(
            done, [{"channel": "telegram", "update_key": str(i), "at": at} for i, at in handled]
        )


def downgrade() -> None:
    with op.batch_alter_table("handled_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handled_updates_at"))
    op.drop_table("handled_updates")
    with op.batch_alter_table("inbox_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_updates_received_at"))
        batch_op.drop_index("ix_inbox_updates_chat_key_id")
    op.drop_table("inbox_updates")
    op.create_table(
        "inbox_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_inbox_updates")),
    )
    with op.batch_alter_table("inbox_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbox_updates_received_at"), ["received_at"], unique=False
        )
    op.create_table(
        "handled_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_handled_updates")),
    )
    with op.batch_alter_table("handled_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handled_updates_at"), ["at"], unique=False)
