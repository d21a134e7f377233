"""Alembic environment: runs on the connection handed over by models.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from models.tables import Base

config = context.config


def run_migrations(connection: Connection) -> None:
    """Run the migrations on an open connection."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `python bot.py migrate`")
run_migrations(connection)
