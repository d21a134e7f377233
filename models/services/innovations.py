"""Innovation drafts, evidence files, submission and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, lazyload

from models.db import dialect_insert
from models.profile import PROFILE_FIELDS, Completeness, completeness
from models.services.files import EvidenceFile
from models.tables import Attachment, CodeCounter, Innovation, Status, StatusEvent, User
from models.validation import first_day, iso_date, precision_of, with_precision

EDITABLE = (Status.DRAF, Status.DIKEMBALIKAN)
COLUMN_FIELDS = frozenset(f.key for f in PROFILE_FIELDS if f.key not in ("lokasi", "bukti_dukung"))
DATE_FIELDS = ("waktu_uji_coba", "waktu_penerapan")  # each with a ``<key>_precision`` column


class NotEditable(Exception):
    """The innovation is not in a state its owner may change."""


async def create_draft(session: AsyncSession, *, owner: User, now: datetime) -> Innovation:
    """Start an empty draft owned by ``owner``."""
    innovation = Innovation(
        owner_id=owner.id,
        unit_id=owner.unit_id,
        status=Status.DRAF,
        created_at=now,
        updated_at=now,
        urusan_irisan=[],
        skipped=[],
        attachments=[],
    )
    session.add(innovation)
    await session.flush()
    return innovation


# Every step of a registration loads the draft: one statement, built once, brings its files
# along and does not join the owner, who is already in the session.
_OWNED = (
    select(Innovation)
    .where(Innovation.id == bindparam("id"), Innovation.owner_id == bindparam("owner_id"))
    .options(lazyload(Innovation.owner), joinedload(Innovation.attachments))
)


async def get_owned(session: AsyncSession, *, owner: User, innovation_id: int) -> Innovation | None:
    """Return an innovation with its files if ``owner`` (loaded in this session) owns it."""
    params = {"id": innovation_id, "owner_id": owner.id}
    return (await session.execute(_OWNED, params)).unique().scalar_one_or_none()


async def get_by_code(session: AsyncSession, code: str) -> Innovation | None:
    """Return the innovation with this code (any case), with its files."""
    stmt = (
        select(Innovation)
        .where(Innovation.code == code.strip().upper())
        .options(joinedload(Innovation.attachments))
    )
    return (await session.execute(stmt)).unique().scalar_one_or_none()


async def list_drafts(session: AsyncSession, *, owner_id: int) -> list[Innovation]:
    """Return the owner's editable innovations, latest first."""
    stmt = (
        select(Innovation)
        .where(Innovation.owner_id == owner_id, Innovation.status.in_(EDITABLE))
        .order_by(Innovation.updated_at.desc(), Innovation.id.desc())
    )
    return list((await session.execute(stmt)).scalars())


def answers_of(innovation: Innovation) -> dict[str, Any]:
    """Return the profile as a plain mapping of field key to value."""
    answers: dict[str, Any] = {key: getattr(innovation, key) for key in COLUMN_FIELDS}
    for key in DATE_FIELDS:
        answers[key] = with_precision(answers[key], getattr(innovation, f"{key}_precision"))
    if innovation.latitude is not None and innovation.longitude is not None:
        answers["lokasi"] = {
            "lat": innovation.latitude,
            "lon": innovation.longitude,
            "text": innovation.lokasi,
        }
    elif innovation.lokasi:
        answers["lokasi"] = {"text": innovation.lokasi}
    else:
        answers["lokasi"] = None
    answers["bukti_dukung"] = [a.filename for a in innovation.attachments]
    return answers


def profile_completeness(innovation: Innovation) -> Completeness:
    """Check the innovation against IID's requirements."""
    return completeness(answers_of(innovation))


def set_field(innovation: Innovation, key: str, value: Any, *, now: datetime) -> None:
    """Store one answer of the profile."""
    if innovation.status not in EDITABLE:
        raise NotEditable(innovation.status)
    store_field(innovation, key, value, now=now)


def store_field(innovation: Innovation, key: str, value: Any, *, now: datetime) -> None:
    """Write one answer into the profile's columns, whatever the status (callers check it).

    A date may come as a date or in ISO form; a month alone ("2023-06", a
    :class:`~models.validation.Month`) is kept as its first day with precision "month"."""
    if key == "lokasi":
        loc = value or {}
        innovation.lokasi = loc.get("text")
        innovation.latitude = loc.get("lat")
        innovation.longitude = loc.get("lon")
    elif key in DATE_FIELDS:
        given = iso_date(value) if value is not None else None
        setattr(innovation, key, first_day(given) if given is not None else None)
        setattr(innovation, f"{key}_precision", precision_of(given))
    elif key in COLUMN_FIELDS:
        setattr(innovation, key, value)
    else:
        raise KeyError(key)
    innovation.updated_at = now


def mark_skipped(innovation: Innovation, key: str, skipped: bool) -> None:
    """Remember that an optional field was deliberately left empty."""
    current = set(innovation.skipped or [])
    current.add(key) if skipped else current.discard(key)
    innovation.skipped = sorted(current)


async def add_attachment(
    session: AsyncSession, innovation: Innovation, file: EvidenceFile, *, now: datetime
) -> Attachment:
    """Record an evidence file already written under FILES_DIR."""
    attachment = Attachment(innovation_id=innovation.id, **file.columns(now=now))
    innovation.attachments.append(attachment)
    innovation.updated_at = now
    await session.flush()
    return attachment


async def next_code(session: AsyncSession, *, year: int) -> str:
    """Hand out the next code of the year, e.g. INO-2026-0042, safely under concurrency."""
    counter = dialect_insert(session, CodeCounter).values(year=year, last=0)
    await session.execute(counter.on_conflict_do_nothing())
    stmt = (
        update(CodeCounter)
        .where(CodeCounter.year == year)
        .values(last=CodeCounter.last + 1)
        .returning(CodeCounter.last)
    )
    number = (await session.execute(stmt)).scalar_one()
    return f"INO-{year}-{number:04d}"


def record_event(
    session: AsyncSession,
    innovation: Innovation,
    *,
    actor: User | None,
    to_status: str,
    now: datetime,
    comment: str | None = None,
) -> StatusEvent:
    """Change the status and write the audit-trail row."""
    event = StatusEvent(
        innovation_id=innovation.id,
        actor_id=actor.id if actor else None,
        at=now,
        from_status=innovation.status,
        to_status=to_status,
        comment=comment,
    )
    innovation.status = to_status
    innovation.updated_at = now
    session.add(event)
    return event


class NotSubmittable(Exception):
    """Required fields are missing."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


def snapshot_of(innovation: Innovation) -> dict[str, Any]:
    """Return the profile as JSON-ready values (dates as ISO strings)."""
    out: dict[str, Any] = {}
    for key, value in answers_of(innovation).items():
        out[key] = value.isoformat() if isinstance(value, date) else value
    return out


@dataclass(frozen=True)
class Submission:
    """The result of a submission; ``changes`` is filled when a returned profile comes back."""

    code: str
    changes: dict[str, tuple[Any, Any]]
    returned_by: int | None


async def last_event(
    session: AsyncSession, innovation_id: int, *, to_status: str
) -> StatusEvent | None:
    """Return the latest event that moved the innovation to ``to_status``."""
    stmt = (
        select(StatusEvent)
        .where(StatusEvent.innovation_id == innovation_id, StatusEvent.to_status == to_status)
        .order_by(StatusEvent.at.desc(), StatusEvent.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def submit(
    session: AsyncSession, innovation: Innovation, *, actor: User, now: datetime
) -> Submission:
    """Submit for review: a code, status diajukan, an event row (with the changes when the
    profile was returned before)."""
    if innovation.status not in EDITABLE:
        raise NotEditable(innovation.status)
    check = profile_completeness(innovation)
    if not check.submittable:
        raise NotSubmittable(check.missing)
    if innovation.code is None:
        innovation.code = await next_code(session, year=now.year)
    changes: dict[str, tuple[Any, Any]] = {}
    returned_by = None
    if innovation.status == Status.DIKEMBALIKAN:
        returned = await last_event(session, innovation.id, to_status=Status.DIKEMBALIKAN)
        if returned is not None:
            returned_by = returned.actor_id
            before = (returned.data or {}).get("snapshot", {})
            after = snapshot_of(innovation)
            changes = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
    innovation.submitted_at = now
    innovation.flagged_fields = []
    event = record_event(session, innovation, actor=actor, to_status=Status.DIAJUKAN, now=now)
    if changes:
        event.data = {"changes": {k: list(v) for k, v in changes.items()}}
    await session.flush()
    return Submission(innovation.code, changes, returned_by)


async def lock_owned(
    session: AsyncSession, *, owner: User, innovation_id: int
) -> Innovation | None:
    """Return an innovation of ``owner``, locked for a change of its status."""
    stmt = (
        select(Innovation)
        .where(Innovation.id == innovation_id, Innovation.owner_id == owner.id)
        .with_for_update(of=Innovation)
    )
    return (await session.execute(stmt)).unique().scalar_one_or_none()


async def withdraw(
    session: AsyncSession, innovation: Innovation, *, actor: User, version: int, now: datetime
) -> None:
    """Take a submitted innovation back before it is reviewed: a draft again (it keeps its
    code), out of the review queue, with the event in the audit trail. ``version`` is the
    submission's event id: a confirmation asked for an earlier submission does not apply."""
    if innovation.status != Status.DIAJUKAN or innovation.owner_id != actor.id:
        raise NotEditable(innovation.status)
    if version != await submission_event_id(session, innovation.id):
        raise NotEditable("submitted again since")
    event = record_event(session, innovation, actor=actor, to_status=Status.DRAF, now=now)
    event.data = {"withdrawn": True}
    await session.flush()


async def submission_event_id(session: AsyncSession, innovation_id: int) -> int:
    """Return the id of the event of the latest submission (0 if never submitted)."""
    event = await last_event(session, innovation_id, to_status=Status.DIAJUKAN)
    return event.id if event is not None else 0


def deletable(innovation: Innovation) -> bool:
    """Whether the innovation is a draft that was never submitted (it has no code)."""
    return innovation.status == Status.DRAF and innovation.code is None


async def remove_attachment(
    session: AsyncSession, innovation: Innovation, attachment: Attachment, *, now: datetime
) -> None:
    """Forget one evidence file of an editable innovation (the caller deletes the file)."""
    if innovation.status not in EDITABLE:
        raise NotEditable(innovation.status)
    innovation.attachments.remove(attachment)
    innovation.updated_at = now
    await session.flush()


async def delete_draft(session: AsyncSession, innovation: Innovation) -> list[str]:
    """Delete a never-submitted draft; return the stored file paths to remove."""
    if not deletable(innovation):
        raise NotEditable(innovation.status)
    paths = [a.path for a in innovation.attachments]
    await session.delete(innovation)
    await session.flush()
    return paths


async def events_of(session: AsyncSession, innovation_id: int) -> list[StatusEvent]:
    """Return the audit trail of an innovation, oldest first."""
    stmt = (
        select(StatusEvent)
        .where(StatusEvent.innovation_id == innovation_id)
        .order_by(StatusEvent.at, StatusEvent.id)
    )
    return list((await session.execute(stmt)).scalars())


def _not_nudged_since_change() -> Any:
    return or_(Innovation.nudged_at.is_(None), Innovation.nudged_at < Innovation.updated_at)


async def claim_idle_drafts(
    session: AsyncSession, *, idle_since: datetime, now: datetime, limit: int
) -> list[Innovation]:
    """Take up to ``limit`` editable innovations untouched since ``idle_since`` whose owner
    has not been nudged since the last change, and mark them nudged ``now``.

    The mark is a conditional UPDATE, so two sweeping processes never nudge the same draft;
    the owners come loaded with them.
    """
    candidates = (
        select(Innovation.id)
        .join(User, User.id == Innovation.owner_id)
        .where(
            Innovation.status.in_(EDITABLE),
            Innovation.updated_at < idle_since,
            _not_nudged_since_change(),
            or_(User.telegram_id.is_not(None), User.whatsapp_id.is_not(None)),
            User.unreachable.is_(False),
        )
        .order_by(Innovation.updated_at, Innovation.id)
        .limit(limit)
    )
    ids = list((await session.execute(candidates)).scalars())
    if not ids:
        return []
    claimed = await session.execute(
        update(Innovation)
        .where(Innovation.id.in_(ids), _not_nudged_since_change())
        .values(nudged_at=now)
        .returning(Innovation.id)
        .execution_options(synchronize_session=False)
    )
    won = list(claimed.scalars())
    if not won:
        return []
    rows = await session.execute(
        select(Innovation)
        .where(Innovation.id.in_(won))
        .order_by(Innovation.updated_at, Innovation.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.unique().scalars())


async def release_nudges(session: AsyncSession, innovation_ids: list[int]) -> None:
    """Forget nudges that could not be sent, so a later sweep tries again."""
    await session.execute(
        update(Innovation)
        .where(Innovation.id.in_(innovation_ids))
        .values(nudged_at=None)
        .execution_options(synchronize_session=False)
    )
