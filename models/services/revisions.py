"""Revisions of verified innovations: the owner proposes an update, a reviewer accepts, returns
or rejects it. Until a revision is accepted, the verified profile stays what the status card,
the lists and the exports show; every step is an event in the innovation's history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.profile import PROFILE_FIELDS, Completeness, completeness, is_filled
from models.services import innovations as inno
from models.services import review
from models.services.files import EvidenceFile, same_file
from models.tables import (
    Attachment,
    Innovation,
    Revision,
    RevisionFile,
    RevisionStatus,
    Status,
    StatusEvent,
    User,
)
from models.validation import iso_date

OPEN = (RevisionStatus.DRAF, RevisionStatus.DIAJUKAN, RevisionStatus.DIKEMBALIKAN)
EDITABLE = (RevisionStatus.DRAF, RevisionStatus.DIKEMBALIKAN)
FILES = "bukti_dukung"
ORDER = [f.key for f in PROFILE_FIELDS]


class OutsideScope(Exception):
    """The revision moves the innovation to a unit its reviewer does not review."""

    def __init__(self, unit_id: int) -> None:
        super().__init__(unit_id)
        self.unit_id = unit_id


class NotAllowed(Exception):
    """Not this user, not this revision, or no longer in that state."""


class NothingChanged(Exception):
    """The revision is the verified profile as it is: there is nothing to review."""


async def open_of(session: AsyncSession, innovation_id: int) -> Revision | None:
    """Return the innovation's revision in progress (draft, submitted or returned), if any."""
    stmt = select(Revision).where(
        Revision.innovation_id == innovation_id, Revision.status.in_(OPEN)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def count_of(session: AsyncSession, innovation_id: int) -> int:
    """Return how many revisions the innovation has had (their highest number)."""
    stmt = select(func.max(Revision.number)).where(Revision.innovation_id == innovation_id)
    return (await session.execute(stmt)).scalar_one() or 0


async def start(
    session: AsyncSession, innovation: Innovation, *, author: User, seen: int, now: datetime
) -> Revision:
    """Begin revision number ``seen + 1`` of a verified innovation of ``author``, as a copy of
    the verified profile; or return the one in progress. ``seen`` is how many revisions the
    owner saw when asked to confirm: a confirmation of an earlier state does not apply."""
    if innovation.owner_id != author.id or innovation.status != Status.TERVERIFIKASI:
        raise NotAllowed(innovation.status)
    current = await open_of(session, innovation.id)
    if current is not None:
        return current
    if seen != await count_of(session, innovation.id):
        raise NotAllowed("revised since")
    base = inno.snapshot_of(innovation)
    revision = Revision(
        innovation_id=innovation.id,
        number=seen + 1,
        author_id=author.id,
        status=RevisionStatus.DRAF,
        base=base,
        answers={k: v for k, v in base.items() if k != FILES},
        removed_files=[],
        flagged_fields=[],
        round=0,
        created_at=now,
        updated_at=now,
        files=[],
    )
    session.add(revision)
    await session.flush()
    return revision


def kept_attachments(revision: Revision, innovation: Innovation) -> list[Attachment]:
    """Return the verified evidence files the revision keeps."""
    removed = set(revision.removed_files or [])
    return [a for a in innovation.attachments if a.id not in removed]


def file_names(revision: Revision, innovation: Innovation) -> list[str]:
    """Return the names of the revised profile's evidence files: kept ones, then new ones."""
    kept = [a.filename for a in kept_attachments(revision, innovation)]
    return kept + [f.filename for f in revision.files]


def snapshot_of(revision: Revision, innovation: Innovation) -> dict[str, Any]:
    """Return the revised profile in JSON-ready form (as ``innovations.snapshot_of``)."""
    return {**revision.answers, FILES: file_names(revision, innovation)}


def answers_of(revision: Revision, innovation: Innovation) -> dict[str, Any]:
    """Return the revised profile as the form engine and the completeness rules read it."""
    answers = snapshot_of(revision, innovation)
    for key in inno.DATE_FIELDS:
        if answers.get(key):
            answers[key] = iso_date(answers[key])
    return answers


def changes_of(revision: Revision, innovation: Innovation) -> dict[str, tuple[Any, Any]]:
    """Return field -> (verified value, revised value) for what the revision changes, the
    evidence files included, in the profile's order (an empty answer and a missing one are
    the same). Values are JSON-ready, as in ``innovations.snapshot_of``."""
    before, after = revision.base, snapshot_of(revision, innovation)
    changes = {}
    for key in ORDER:
        old, new = before.get(key), after.get(key)
        if old != new and (is_filled(old) or is_filled(new)):
            changes[key] = (old, new)
    return changes


def completeness_of(revision: Revision, innovation: Innovation) -> Completeness:
    """Check the revised profile against IID's requirements."""
    return completeness(answers_of(revision, innovation))


def _editable(revision: Revision, innovation: Innovation) -> None:
    if revision.status not in EDITABLE or innovation.status != Status.TERVERIFIKASI:
        raise NotAllowed(revision.status)


def set_answer(
    revision: Revision, innovation: Innovation, key: str, value: Any, *, now: datetime
) -> None:
    """Store one answer of the revised profile (dates in ISO form: "2023-06" is a month)."""
    _editable(revision, innovation)
    if key not in inno.COLUMN_FIELDS and key != "lokasi":
        raise KeyError(key)
    if key == "unit_id" and value is not None:
        value = int(value)
    elif key in inno.DATE_FIELDS and value is not None:
        value = iso_date(value).isoformat()
    elif isinstance(value, date):
        value = value.isoformat()
    revision.answers = {**revision.answers, key: value}
    revision.updated_at = now


async def add_file(
    session: AsyncSession,
    revision: Revision,
    innovation: Innovation,
    file: EvidenceFile,
    *,
    now: datetime,
) -> RevisionFile:
    """Record an evidence file of the revision, already written under FILES_DIR."""
    _editable(revision, innovation)
    stored = RevisionFile(revision_id=revision.id, **file.columns(now=now))
    revision.files.append(stored)
    revision.updated_at = now
    await session.flush()
    return stored


async def remove_file(
    session: AsyncSession, revision: Revision, innovation: Innovation, index: int, *, now: datetime
) -> tuple[str, str | None] | None:
    """Drop the ``index``-th evidence file of the revised profile; return its name and, for a
    file the revision itself brought, the stored path to delete (a verified file stays until
    the revision is accepted). None if there is no such file."""
    _editable(revision, innovation)
    kept = kept_attachments(revision, innovation)
    if 0 <= index < len(kept):
        revision.removed_files = [*(revision.removed_files or []), kept[index].id]
        revision.updated_at = now
        return kept[index].filename, None
    own = list(revision.files)
    if 0 <= index - len(kept) < len(own):
        stored = own[index - len(kept)]
        revision.files.remove(stored)
        revision.updated_at = now
        await session.flush()
        return stored.filename, stored.path
    return None


def _event(
    session: AsyncSession,
    innovation: Innovation,
    revision: Revision,
    *,
    actor: User | None,
    status: str,
    now: datetime,
    comment: str | None = None,
    changes: dict[str, tuple[Any, Any]] | None = None,
) -> StatusEvent:
    """Write the history row of a revision step; the innovation's status does not change."""
    data: dict[str, Any] = {"revision": revision.number, "revision_status": status}
    if changes:
        data["changes"] = {k: list(v) for k, v in changes.items()}
    event = StatusEvent(
        innovation_id=innovation.id,
        actor_id=actor.id if actor else None,
        at=now,
        from_status=innovation.status,
        to_status=innovation.status,
        comment=comment,
        data=data,
    )
    session.add(event)
    return event


async def submit(
    session: AsyncSession, revision: Revision, innovation: Innovation, *, actor: User, now: datetime
) -> dict[str, tuple[Any, Any]]:
    """Send the revision for review; return what it changes."""
    _editable(revision, innovation)
    check = completeness_of(revision, innovation)
    if not check.submittable:
        raise inno.NotSubmittable(check.missing)
    changes = changes_of(revision, innovation)
    if not changes:
        raise NothingChanged
    revision.status = RevisionStatus.DIAJUKAN
    revision.round += 1
    revision.submitted_at = now
    revision.updated_at = now
    revision.flagged_fields = []
    _event(session, innovation, revision, actor=actor, status=revision.status, now=now)
    await session.flush()
    return changes


async def lock_for_review(
    session: AsyncSession, *, reviewer: User, revision_id: int, round_: int | None = None
) -> tuple[Revision, Innovation]:
    """Load a submitted revision and its verified innovation for a decision, refusing if the
    reviewer does not review the unit, it is not (or no longer) submitted, or (given
    ``round_``) it was submitted again since."""
    stmt = select(Revision).where(Revision.id == revision_id).with_for_update(of=Revision)
    revision = (await session.execute(stmt)).scalar_one_or_none()
    if revision is None or revision.status != RevisionStatus.DIAJUKAN:
        raise NotAllowed("not submitted")
    if round_ is not None and round_ != revision.round:
        raise NotAllowed("submitted again since")
    locked = select(Innovation).where(Innovation.id == revision.innovation_id)
    innovation = (
        (await session.execute(locked.with_for_update(of=Innovation))).unique().scalar_one()
    )
    if innovation.status != Status.TERVERIFIKASI:
        raise NotAllowed(innovation.status)
    if not await review.can_review(session, reviewer, innovation):
        raise NotAllowed("not a reviewer of this unit")
    return revision, innovation


async def accept(
    session: AsyncSession,
    revision: Revision,
    innovation: Innovation,
    *,
    reviewer: User,
    now: datetime,
) -> tuple[dict[str, tuple[Any, Any]], list[str]]:
    """Make the revised profile the verified one; return what changed and the stored paths
    of the evidence files it dropped (to delete once committed)."""
    changes = changes_of(revision, innovation)
    if "unit_id" in changes:  # a reviewer of the old unit may not hand it to another one
        moved_to = int(changes["unit_id"][1])
        reviewed = await review.reviewed_units(session, reviewer)
        if reviewed is not None and moved_to not in reviewed:
            raise OutsideScope(moved_to)
    for key, (_old, new) in changes.items():
        if key != FILES:
            inno.store_field(innovation, key, new, now=now)
    dropped = set(revision.removed_files or [])
    removed = [a for a in innovation.attachments if a.id in dropped]
    for attachment in removed:
        innovation.attachments.remove(attachment)
    for stored in list(revision.files):
        innovation.attachments.append(Attachment(innovation_id=innovation.id, **same_file(stored)))
        revision.files.remove(stored)  # the stored file now belongs to the innovation
    revision.status = RevisionStatus.DITERIMA
    revision.reviewer_id = reviewer.id
    revision.decided_at = revision.updated_at = innovation.updated_at = now
    _event(
        session, innovation, revision, actor=reviewer, status=revision.status, now=now,
        changes=changes,
    )  # fmt: skip
    await session.flush()
    return changes, [a.path for a in removed]


def return_for_changes(
    session: AsyncSession,
    revision: Revision,
    innovation: Innovation,
    *,
    reviewer: User,
    comment: str,
    fields: Sequence[str],
    now: datetime,
) -> None:
    """Send a submitted revision back to its owner with a comment and the fields to fix."""
    revision.status = RevisionStatus.DIKEMBALIKAN
    revision.comment = comment
    revision.flagged_fields = list(fields)
    revision.reviewer_id = reviewer.id
    revision.updated_at = now
    _event(
        session, innovation, revision, actor=reviewer, status=revision.status, now=now,
        comment=comment,
    )  # fmt: skip


def reject(
    session: AsyncSession,
    revision: Revision,
    innovation: Innovation,
    *,
    reviewer: User,
    reason: str,
    now: datetime,
) -> None:
    """Turn a submitted revision down: the verified profile stays as it is."""
    revision.status = RevisionStatus.DITOLAK
    revision.comment = reason
    revision.reviewer_id = reviewer.id
    revision.decided_at = revision.updated_at = now
    _event(
        session, innovation, revision, actor=reviewer, status=revision.status, now=now,
        comment=reason,
    )  # fmt: skip


async def cancel(
    session: AsyncSession, revision: Revision, innovation: Innovation, *, actor: User, now: datetime
) -> list[str]:
    """Give up a revision being edited: one never submitted is deleted, one that was is kept
    as cancelled in the history. Return the stored paths of its own files to delete."""
    if revision.status not in EDITABLE or innovation.owner_id != actor.id:
        raise NotAllowed(revision.status)
    paths = [f.path for f in revision.files]
    if revision.round == 0:
        await session.delete(revision)
    else:
        revision.files.clear()
        revision.status = RevisionStatus.DIBATALKAN
        revision.updated_at = now
        _event(session, innovation, revision, actor=actor, status=revision.status, now=now)
    await session.flush()
    return paths
