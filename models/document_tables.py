"""What an innovation's evaluation documents keep: its answers to the IID indicators (a level,
evidence files or a link) and the sections of its KIPP proposal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.tables import Base, StoredFile


class IndicatorAnswer(Base):
    """One innovation's answer to one IID indicator (by the rules file's key): the level the
    owner chose (a level the profile implies is not stored: it is read each time), evidence
    files, and a link where a file is too large for a chat (the video)."""

    __tablename__ = "indicator_answers"
    __table_args__ = (UniqueConstraint("innovation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovations.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(32))
    level: Mapped[int | None] = mapped_column(Integer)
    link: Mapped[str | None] = mapped_column(String(500))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime]
    # when a verifier last checked it (with the innovation, or as a change after that);
    # None: not checked since it last changed
    verified_at: Mapped[datetime | None]

    files: Mapped[list[IndicatorFile]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="IndicatorFile.id"
    )


class IndicatorFile(StoredFile, Base):
    """An evidence file of one indicator answer, stored under FILES_DIR."""

    __tablename__ = "indicator_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_answers.id", ondelete="CASCADE"), index=True
    )


class ProposalSection(Base):
    """One section of an innovation's KIPP proposal (by master data's kipp_bagian key)."""

    __tablename__ = "proposal_sections"
    __table_args__ = (UniqueConstraint("innovation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovations.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]  # as IndicatorAnswer.verified_at
