"""ORM tables."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
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
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, stored in UTC; SQLite gives it back aware too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store in UTC; naive times are refused."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC time."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Base of every table."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
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
    # WhatsApp's id of the person (wa_id, or the business-scoped user id), never the phone
    # number typed as a contact
    whatsapp_id: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    # the channel they wrote on last, the one they chose for reminders (None: the last one),
    # and when they last wrote on WhatsApp (its 24-hour window for free-form messages)
    last_channel: Mapped[str | None] = mapped_column(String(16))
    reminder_channel: Mapped[str | None] = mapped_column(String(16))
    whatsapp_seen_at: Mapped[datetime | None]
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

    @property
    def reachable_somewhere(self) -> bool:
        """Whether the person has a channel the bot can write to (an erased one has none)."""
        return self.telegram_id is not None or self.whatsapp_id is not None


class Innovation(Base):
    """An innovation profile, from draft to verified."""

    __tablename__ = "innovations"
    __table_args__ = (
        Index("ix_innovations_owner_status", "owner_id", "status"),
        Index("ix_innovations_status_updated", "status", "updated_at"),
        # the few verified ones with changes waiting, for the review queue
        Index(
            "ix_innovations_documents_changed",
            "documents_changed_at",
            sqlite_where=text("documents_changed_at IS NOT NULL"),
            postgresql_where=text("documents_changed_at IS NOT NULL"),
        ),
    )

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
    # a date typed as a month alone ("Juni 2023") is kept as the 1st with precision "month"
    waktu_uji_coba: Mapped[date | None] = mapped_column(Date)
    waktu_uji_coba_precision: Mapped[str] = mapped_column(
        String(8), default="day", server_default="day"
    )
    waktu_penerapan: Mapped[date | None] = mapped_column(Date)
    waktu_penerapan_precision: Mapped[str] = mapped_column(
        String(8), default="day", server_default="day"
    )
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
    # when the owner was last reminded of this idle draft (once per idle spell)
    nudged_at: Mapped[datetime | None]
    # a verified innovation's first change to its indicators or proposal that waits for a
    # verifier (models/services/document_checks.py); None when nothing waits
    documents_changed_at: Mapped[datetime | None]
    # the latest of those changes the reviewers were told of (bot/forms/changes.py)
    documents_told_at: Mapped[datetime | None]

    owner: Mapped[User] = relationship(lazy="joined", foreign_keys=[owner_id])
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    attachments: Mapped[list[Attachment]] = relationship(
        lazy="selectin", order_by="Attachment.id", cascade="all, delete-orphan"
    )


class StoredFile:
    """The columns of an uploaded file kept under FILES_DIR (path relative to it)."""

    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(500))
    telegram_file_unique_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]


class Attachment(StoredFile, Base):
    """An evidence file (bukti dukung) stored under FILES_DIR."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovations.id", ondelete="CASCADE"), index=True
    )


class RevisionStatus(enum.StrEnum):
    """Lifecycle of a revision of a verified innovation."""

    DRAF = "draf"
    DIAJUKAN = "diajukan"
    DIKEMBALIKAN = "dikembalikan"
    DITERIMA = "diterima"
    DITOLAK = "ditolak"
    DIBATALKAN = "dibatalkan"


class Revision(Base):
    """A proposed update of a verified innovation, reviewed again; until it is accepted the
    verified profile stays what exports, lists and the status card show.

    ``base`` is the verified profile when the revision began and ``answers`` the revised one
    (both JSON-ready, as ``innovations.snapshot_of`` writes them, without the evidence files:
    those are the verified ones minus ``removed_files`` plus the revision's own ``files``).
    ``round`` counts the submissions, so a reviewer's button applies to one of them.
    """

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("innovation_id", "number", name="uq_revisions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=RevisionStatus.DRAF)
    base: Mapped[dict[str, Any]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    removed_files: Mapped[list[int]] = mapped_column(JSON, default=list)
    flagged_fields: Mapped[list[str] | None] = mapped_column(JSON)
    round: Mapped[int] = mapped_column(Integer, default=0)
    comment: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]

    files: Mapped[list[RevisionFile]] = relationship(
        lazy="selectin", order_by="RevisionFile.id", cascade="all, delete-orphan"
    )


class RevisionFile(StoredFile, Base):
    """An evidence file sent with a revision; it joins the innovation's files on acceptance."""

    __tablename__ = "revision_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revisions.id", ondelete="CASCADE"), index=True
    )


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


# -- Monev calendar and reminders (design section 6) ------------------------------------------


class DeadlineKind(enum.StrEnum):
    """What a deadline asks for."""

    MONEV = "monev"
    CAMPAIGN = "campaign"


class DeadlineStatus(enum.StrEnum):
    """Whether a deadline still needs reminders."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class ReminderStatus(enum.StrEnum):
    """Where a reminder row is on its way from planned to delivered."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    UNREACHABLE = "unreachable"
    FAILED = "failed"


class ReminderRole(enum.StrEnum):
    """Why the recipient gets the reminder."""

    OWNER = "owner"
    VERIFIER = "verifier"
    ADMIN = "admin"


class Campaign(Base):
    """An evaluation deadline set by an admin (e.g. "IID 2027: profiles complete by 23 Aug")."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    due_date: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(16), default="incomplete")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Deadline(Base):
    """One thing an innovation's owner must deliver by a date: a monev report or a campaign.

    ``key`` names the deadline for good (``monev:<innovation>:<period start>`` or
    ``campaign:<campaign>:<innovation>``); moving the date bumps ``revision``.
    """

    __tablename__ = "deadlines"
    __table_args__ = (Index("ix_deadlines_status_due", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    original_due_date: Mapped[date] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default=DeadlineStatus.OPEN)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    innovation: Mapped[Innovation] = relationship(lazy="joined")
    campaign: Mapped[Campaign | None] = relationship(lazy="joined")


class Reminder(Base):
    """One reminder to one person about one deadline; unique per (deadline, revision, offset,
    recipient), so it is planned, claimed and sent exactly once."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint(
            "deadline_id", "revision", "offset_days", "recipient_id", name="uq_reminders_key"
        ),
        Index("ix_reminders_status_send_after", "status", "send_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    offset_days: Mapped[int] = mapped_column(Integer)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), default=ReminderRole.OWNER)
    send_after: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=ReminderStatus.PENDING)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]

    deadline: Mapped[Deadline] = relationship(lazy="joined")
    recipient: Mapped[User] = relationship(lazy="joined")


class ExtensionRequest(Base):
    """An owner's request to move a deadline, decided by the unit's verifikator."""

    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(
        ForeignKey("deadlines.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column(Integer)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    days: Mapped[int] = mapped_column(Integer)
    old_due_date: Mapped[date] = mapped_column(Date)
    new_due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_at: Mapped[datetime]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    deadline: Mapped[Deadline] = relationship(lazy="joined")


class MonevReport(Base):
    """A monitoring and evaluation report for one period of a verified innovation."""

    __tablename__ = "monev_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(
        ForeignKey("deadlines.id", ondelete="CASCADE"), unique=True
    )
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovations.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16))
    stop_reason: Mapped[str | None] = mapped_column(Text)
    beneficiaries: Mapped[int] = mapped_column(BigInteger)
    results: Mapped[str] = mapped_column(Text)
    obstacles: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime]

    evidence: Mapped[list[MonevEvidence]] = relationship(
        lazy="selectin", order_by="MonevEvidence.id", cascade="all, delete-orphan"
    )


class MonevEvidence(StoredFile, Base):
    """An evidence file of a monev report, stored under FILES_DIR."""

    __tablename__ = "monev_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("monev_reports.id", ondelete="CASCADE"), index=True
    )


class HandledUpdate(Base):
    """An update whose effects are committed, so a repeated delivery is recognised: by channel
    and the platform's id of the update (Telegram update id, WhatsApp message id)."""

    __tablename__ = "handled_updates"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)


class InboxUpdate(Base):
    """An update as it came in, kept from before it is acknowledged until it is handled and
    answered, so a crash loses nothing. ``id`` is the arrival order; the updates of one chat
    (``chat_key``) are taken one at a time, oldest first, by whichever process claims the
    oldest (``claimed_by`` until ``claimed_until``, seconds since the epoch)."""

    __tablename__ = "inbox_updates"
    __table_args__ = (
        UniqueConstraint("channel", "platform_id", name="uq_inbox_updates_channel_platform_id"),
        Index("ix_inbox_updates_chat_key_id", "chat_key", "id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    platform_id: Mapped[str] = mapped_column(String(128))
    chat_key: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_until: Mapped[float | None]
    attempts: Mapped[int] = mapped_column(default=0)
