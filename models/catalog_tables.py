"""What the public catalog may show, and replications between innovations.

An innovation is on the catalog while it is verified, its owner agreed to publish it
(``published``) and no admin took it down (``hidden_at``). Only the fields the catalog lists
ever reach a page; the contact number only with ``public_contact``, photos only those in
``public_photos`` (attachment ids).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from models.tables import Base


class Publication(Base):
    """The owner's consent to publish an innovation on the catalog, and an admin's take-down."""

    __tablename__ = "publications"

    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovations.id", ondelete="CASCADE"), primary_key=True
    )
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    public_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    public_photos: Mapped[list[int]] = mapped_column(JSON, default=list)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    hidden_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_at: Mapped[datetime | None]


class Replication(Base):
    """One innovation replicated another: either side is an innovation of this Pemda (by id)
    or one elsewhere, by name and region."""

    __tablename__ = "replications"
    __table_args__ = (
        Index("ix_replications_original_id", "original_id"),
        Index("ix_replications_replica_id", "replica_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    original_id: Mapped[int | None] = mapped_column(
        ForeignKey("innovations.id", ondelete="CASCADE")
    )
    original_name: Mapped[str | None] = mapped_column(String(150))
    original_region: Mapped[str | None] = mapped_column(String(150))
    replica_id: Mapped[int | None] = mapped_column(ForeignKey("innovations.id", ondelete="CASCADE"))
    replica_name: Mapped[str | None] = mapped_column(String(150))
    replica_region: Mapped[str | None] = mapped_column(String(150))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime]
