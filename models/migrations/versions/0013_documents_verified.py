"""when a verifier last checked an indicator answer or a proposal section

Revision ID: 0013
Revises: 0012

``verified_at`` on indicator_answers and proposal_sections: set when the innovation is verified
(and when a verifier accepts a change made after that), cleared when the owner changes it. What
existed before is taken as checked when it was last changed before the innovation's latest
verification. ``innovations.documents_changed_at``: a verified innovation's first change still
waiting (what the review queue asks for), set here from the rows that wait;
``documents_told_at``: the latest change its reviewers were told of.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("indicator_answers", "proposal_sections")
VERIFIED = (
    "(SELECT max(e.at) FROM status_events e WHERE e.innovation_id = {table}.innovation_id "
    "AND e.to_status = 'terverifikasi')"
)
FIRST_WAITING = (
    "(SELECT min(w.updated_at) FROM {table} w WHERE w.innovation_id = innovations.id "
    "AND w.verified_at IS NULL)"
)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True)))
        verified = VERIFIED.format(table=table)
        op.execute(f"UPDATE {table} SET verified_at = {verified} WHERE updated_at <= {verified}")
    with op.batch_alter_table("innovations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("documents_changed_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("documents_told_at", sa.DateTime(timezone=True)))
    answers, sections = (FIRST_WAITING.format(table=table) for table in TABLES)
    op.execute(
        f"UPDATE innovations SET documents_changed_at = coalesce({answers}, {sections}) "
        "WHERE status = 'terverifikasi'"
    )
    # partial: only the few with changes waiting, which the review queue asks for
    changed = sa.text("documents_changed_at IS NOT NULL")
    op.create_index(
        "ix_innovations_documents_changed", "innovations", ["documents_changed_at"],
        sqlite_where=changed, postgresql_where=changed,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_innovations_documents_changed", table_name="innovations")
    with op.batch_alter_table("innovations", schema=None) as batch_op:
        batch_op.drop_column("documents_told_at")
        batch_op.drop_column("documents_changed_at")
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("verified_at")
