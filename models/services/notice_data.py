"""What the notices about innovations and revisions show besides the innovation itself,
loaded for the views (``bot/views.py``, ``bot/revision_views.py``) to format.

The option labels of changed fields are loaded for the sources the caller names (see
:mod:`models.services.cards`), in each language a recipient reads; an empty set reads nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.masterdata import MasterData
from models.services import innovations as inno
from models.services.cards import Labels, labels_in
from models.tables import Innovation, StatusEvent, Unit, User


@dataclass(frozen=True)
class Submitted:
    """What the reviewers are told of a submission: whose it is, of which unit, and the
    labels of the changed fields' options (a returned profile coming back) by language."""

    owner: User | None
    unit: Unit | None
    labels: Mapping[str, Labels]

    def labels_in(self, lang: str) -> Labels:
        """The option labels in ``lang`` (empty when none were loaded for it)."""
        return self.labels.get(lang, {})


async def submitted(
    session: AsyncSession,
    master: MasterData,
    innovation: Innovation,
    sources: Iterable[str],
    languages: Iterable[str],
) -> Submitted:
    """Load what the notices of ``innovation``'s submission show, in ``languages``."""
    owner = await owner_of(session, innovation)
    unit = await session.get(Unit, innovation.unit_id) if innovation.unit_id else None
    return Submitted(owner, unit, await labels_in(session, master, sources, languages))


@dataclass(frozen=True)
class Revised:
    """What a revision's review screen or notice shows: a person (its author, or the
    innovation's owner) and the labels of the changed fields' options by language."""

    person: User | None
    labels: Mapping[str, Labels]

    def labels_in(self, lang: str) -> Labels:
        """The option labels in ``lang`` (empty when none were loaded for it)."""
        return self.labels.get(lang, {})


async def revised(
    session: AsyncSession,
    master: MasterData,
    person_id: int | None,
    sources: Iterable[str],
    languages: Iterable[str],
) -> Revised:
    """Load the person ``person_id`` (None: nobody) and the labels of ``sources`` in
    ``languages``."""
    person = await session.get(User, person_id) if person_id else None
    return Revised(person, await labels_in(session, master, sources, languages))


@dataclass(frozen=True)
class Decided:
    """Whom a decision on an innovation is told to, and the comment quoted to them (None
    when there is none, or when the owner cannot be told)."""

    owner: User | None
    comment: str | None = None


async def owner_of(session: AsyncSession, innovation: Innovation) -> User | None:
    """Return ``innovation``'s owner (None if the row is gone)."""
    return await session.get(User, innovation.owner_id)


def _writable(owner: User | None) -> bool:
    return owner is not None and owner.deleted_at is None and owner.reachable_somewhere


async def _latest_event(session: AsyncSession, innovation_id: int) -> StatusEvent | None:
    stmt = (
        select(StatusEvent)
        .where(StatusEvent.innovation_id == innovation_id)
        .order_by(StatusEvent.at.desc(), StatusEvent.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def decided(
    session: AsyncSession, innovation: Innovation, *, to_status: str | None = None
) -> Decided:
    """Load ``innovation``'s owner and, only when the owner can be written to, the comment
    of its latest event (with ``to_status``: of the latest that moved it to that status)."""
    owner = await owner_of(session, innovation)
    if not _writable(owner):
        return Decided(owner)
    if to_status is None:
        event = await _latest_event(session, innovation.id)
    else:
        event = await inno.last_event(session, innovation.id, to_status=to_status)
    return Decided(owner, event.comment if event else None)
