"""catalog full-text search index (PostgreSQL only)

Revision ID: 0012
Revises: 0011

A GIN index on the words of an innovation's name and long texts, for the public catalog's
search (``models/services/catalog.py`` searches by the same expression). SQLite has no such
index: the catalog searches there with LIKE.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_innovations_catalog_search"
# the very expression the catalog's query uses, so that PostgreSQL takes the index
DOCUMENT = (
    "to_tsvector('simple', coalesce(nama_inovasi, '') || ' ' || coalesce(masalah, '') || ' ' "
    "|| coalesce(rancang_bangun, '') || ' ' || coalesce(tujuan, '') || ' ' "
    "|| coalesce(manfaat, '') || ' ' || coalesce(hasil, ''))"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX {INDEX} ON innovations USING gin ({DOCUMENT})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
