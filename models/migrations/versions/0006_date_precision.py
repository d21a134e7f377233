"""how precisely the trial and implementation dates were given (day or month)

Revision ID: 0006
Revises: 0005

A date typed as a month alone ("Juni 2023") is stored as the month's first day with precision
"month"; every date stored before this revision was kept as a day, so it stays "day".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("waktu_uji_coba_precision", "waktu_penerapan_precision")


def upgrade() -> None:
    with op.batch_alter_table("innovations", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.String(length=8), server_default="day", nullable=False)
            )


def downgrade() -> None:
    with op.batch_alter_table("innovations", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
