"""iid indicator answers and files, proposal sections

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicator_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("innovation_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["innovation_id"],
            ["innovations.id"],
            name=op.f("fk_indicator_answers_innovation_id_innovations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_indicator_answers_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_answers")),
        sa.UniqueConstraint(
            "innovation_id", "key", name=op.f("uq_indicator_answers_innovation_id")
        ),
    )
    with op.batch_alter_table("indicator_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_answers_innovation_id"), ["innovation_id"], unique=False
        )

    op.create_table(
        "proposal_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("innovation_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["innovation_id"],
            ["innovations.id"],
            name=op.f("fk_proposal_sections_innovation_id_innovations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_sections")),
        sa.UniqueConstraint(
            "innovation_id", "key", name=op.f("uq_proposal_sections_innovation_id")
        ),
    )
    with op.batch_alter_table("proposal_sections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_sections_innovation_id"), ["innovation_id"], unique=False
        )

    op.create_table(
        "indicator_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("telegram_file_unique_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["indicator_answers.id"],
            name=op.f("fk_indicator_files_answer_id_indicator_answers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_files")),
    )
    with op.batch_alter_table("indicator_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_files_answer_id"), ["answer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_files_answer_id"))

    op.drop_table("indicator_files")
    with op.batch_alter_table("proposal_sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_sections_innovation_id"))

    op.drop_table("proposal_sections")
    with op.batch_alter_table("indicator_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_answers_innovation_id"))

    op.drop_table("indicator_answers")
