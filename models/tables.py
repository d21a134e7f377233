"""ORM tables."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class Role(enum.StrEnum):
    """What a user may do."""

    PENGUSUL = "pengusul"
    VERIFIKATOR = "verifikator"
    ADMIN = "admin"


class Status(enum.StrEnum):
    """Lifecycle of an innovation."""

    DRAF = "draf"
    DIAJUKAN = "diajukan"
    DIKEMBALIKAN = "dikembalikan"
    TERVERIFIKASI = "terverifikasi"
    DIHENTIKAN = "dihentikan"


class Unit(Base):
    """A perangkat daerah or service unit."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    """Someone who talks to the bot."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    name: Mapped[str | None] = mapped_column(String(120))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    nip: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5), default="id")
    role: Mapped[str] = mapped_column(String(16), default=Role.PENGUSUL)
    onboarded: Mapped[bool] = mapped_column(Boolean, default=False)
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    unit: Mapped[Unit | None] = relationship(lazy="joined")


class Innovation(Base):
    """An innovation profile, from draft to verified."""

    __tablename__ = "innovations"
    __table_args__ = (Index("ix_innovations_owner_status", "owner_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(16), default=Status.DRAF)
    nama_inovasi: Mapped[str | None] = mapped_column(String(150))
    tahapan: Mapped[str | None] = mapped_column(String(40))
    inisiator: Mapped[str | None] = mapped_column(String(40))
    nama_inisiator: Mapped[str | None] = mapped_column(String(150))
    jenis: Mapped[str | None] = mapped_column(String(40))
    bentuk: Mapped[str | None] = mapped_column(String(40))
    tematik: Mapped[str | None] = mapped_column(String(40))
    urusan_utama: Mapped[str | None] = mapped_column(String(40))
    urusan_irisan: Mapped[list[str] | None] = mapped_column(JSON)
    waktu_uji_coba: Mapped[date | None] = mapped_column(Date)
    waktu_penerapan: Mapped[date | None] = mapped_column(Date)
    masalah: Mapped[str | None] = mapped_column(Text)
    rancang_bangun: Mapped[str | None] = mapped_column(Text)
    tujuan: Mapped[str | None] = mapped_column(Text)
    manfaat: Mapped[str | None] = mapped_column(Text)
    hasil: Mapped[str | None] = mapped_column(Text)
    lokasi: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    kontak: Mapped[str | None] = mapped_column(String(20))
    skipped: Mapped[list[str] | None] = mapped_column(JSON)
    flagged_fields: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]

    owner: Mapped[User] = relationship(lazy="joined", foreign_keys=[owner_id])
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    attachments: Mapped[list[Attachment]] = relationship(
        lazy="selectin", order_by="Attachment.id", cascade="all, delete-orphan"
    )


class Attachment(Base):
    """An evidence file (bukti dukung) stored under FILES_DIR."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(500))
    telegram_file_unique_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]


class StatusEvent(Base):
    """One change of an innovation's status: the audit trail."""

    __tablename__ = "status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovations.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CodeCounter(Base):
    """The last number handed out per year, for codes like INO-2026-0042."""

    __tablename__ = "code_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class FlowState(Base):
    """The stored state of a step-by-step flow (registration, onboarding, ...)."""

    __tablename__ = "flow_states"
    __table_args__ = (UniqueConstraint("user_id", "flow", "target_id", name="uq_flow_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    flow: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    step: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(16), default="form")
    rev: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


class Invite(Base):
    """A single-use, expiring deep link that grants a role (and unit)."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    used_at: Mapped[datetime | None]


class UserEvent(Base):
    """A change to a user's role, unit or personal data: the audit trail of people."""

    __tablename__ = "user_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
