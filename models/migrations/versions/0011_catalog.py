"""catalog publications and replications

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("innovation_id", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("public_contact", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("public_photos", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_by", sa.Integer(), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_publications_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by"],
            ["users.id"],
            name=op.f("fk_publications_hidden_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["innovation_id"],
            ["innovations.id"],
            name=op.f("fk_publications_innovation_id_innovations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("innovation_id", name=op.f("pk_publications")),
    )
    op.create_table(
        "replications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("original_id", sa.Integer(), nullable=True),
        sa.Column("original_name", sa.String(length=150), nullable=True),
        sa.Column("original_region", sa.String(length=150), nullable=True),
        sa.Column("replica_id", sa.Integer(), nullable=True),
        sa.Column("replica_name", sa.String(length=150), nullable=True),
        sa.Column("replica_region", sa.String(length=150), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["original_id"],
            ["innovations.id"],
            name=op.f("fk_replications_original_id_innovations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["users.id"],
            name=op.f("fk_replications_recorded_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["replica_id"],
            ["innovations.id"],
            name=op.f("fk_replications_replica_id_innovations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replications")),
    )
    with op.batch_alter_table("replications", schema=None) as batch_op:
        batch_op.create_index("ix_replications_original_id", ["original_id"], unique=False)
        batch_op.create_index("ix_replications_replica_id", ["replica_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("replications", schema=None) as batch_op:
        batch_op.drop_index("ix_replications_replica_id")
        batch_op.drop_index("ix_replications_original_id")

    op.drop_table("replications")
    op.drop_table("publications")
