"""What a status card shows, loaded in one go: the views (``bot/views.py``) only format it.

Option labels come from the units table (source ``units``) or the master data; the caller
names the sources it shows (the form definitions know which field uses which).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.masterdata import MasterData
from models.services import document_checks, monev, review
from models.services import innovations as inno
from models.services import revisions as rev
from models.tables import (
    Deadline,
    Innovation,
    Revision,
    RevisionStatus,
    Status,
    StatusEvent,
    Unit,
    User,
)

Labels = Mapping[str, Mapping[str, str]]  # option source -> key -> label


async def option_labels(
    session: AsyncSession, master: MasterData, source: str, lang: str = "id"
) -> dict[str, str]:
    """Return key -> label (in ``lang``) for units (by id) or a master-data list."""
    if source == "units":
        units = (await session.execute(select(Unit))).scalars()
        return {str(u.id): u.name for u in units}
    if source == "urusan_irisan":
        source = "urusan"
    if not source:
        return {}
    return {o.key: o.text(lang) for o in master.options(source)}


async def labels_of(
    session: AsyncSession, master: MasterData, sources: Iterable[str], lang: str = "id"
) -> dict[str, dict[str, str]]:
    """Return the labels (in ``lang``) of every source named (the units are read once)."""
    return {source: await option_labels(session, master, source, lang) for source in set(sources)}


async def labels_in(
    session: AsyncSession, master: MasterData, sources: Iterable[str], languages: Iterable[str]
) -> dict[str, Labels]:
    """Return :func:`labels_of` in each of ``languages`` (unit names have no translation:
    they are read once for all)."""
    sources, langs = set(sources), sorted(set(languages))
    if not langs:
        return {}
    first = await labels_of(session, master, sources, langs[0])
    out: dict[str, Labels] = {langs[0]: first}
    for lang in langs[1:]:
        out[lang] = {
            s: first[s] if s == "units" else await option_labels(session, master, s, lang)
            for s in sources
        }
    return out


@dataclass(frozen=True)
class Card:
    """Everything one innovation's status card shows, and what its buttons depend on.

    ``revision`` is the open revision of a verified innovation; ``changes`` what of its
    indicators and proposal changed since a verifier checked them; ``reviews`` says whether
    the viewer reviews the innovation's unit, asked only when a decision waits for a
    reviewer (a submission, a submitted revision, changes), else False.
    """

    innovation: Innovation
    owner: User | None
    unit: Unit | None
    revision: Revision | None
    deadline: Deadline | None
    events: tuple[StatusEvent, ...]
    actors: Mapping[int, User]
    labels: Labels
    reviews: bool
    changes: document_checks.Waiting = field(default_factory=document_checks.Waiting)


async def actors_of(session: AsyncSession, events: Iterable[StatusEvent]) -> dict[int, User]:
    """Return the users who acted in ``events``, by id."""
    ids = {e.actor_id for e in events if e.actor_id}
    if not ids:
        return {}
    rows = await session.execute(select(User).where(User.id.in_(ids)))
    return {u.id: u for u in rows.scalars()}


async def load(
    session: AsyncSession,
    master: MasterData,
    innovation: Innovation,
    *,
    viewer: User,
    sources: Iterable[str],
) -> Card:
    """Load an innovation's card for ``viewer``, with the labels of ``sources``."""
    owner = await session.get(User, innovation.owner_id)
    unit = await session.get(Unit, innovation.unit_id) if innovation.unit_id else None
    revision, changes = None, document_checks.Waiting()
    if innovation.status == Status.TERVERIFIKASI:
        revision = await rev.open_of(session, innovation.id)
        if innovation.documents_changed_at is not None:  # only then does anything wait
            changes = await document_checks.waiting(session, innovation.id)
    deadline = await monev.next_deadline(session, innovation_id=innovation.id)
    events = await inno.events_of(session, innovation.id)
    actors = await actors_of(session, events)
    labels = await labels_of(session, master, sources, viewer.language)
    waiting = (
        innovation.status == Status.DIAJUKAN
        or (revision is not None and revision.status == RevisionStatus.DIAJUKAN)
        or bool(changes)
    )
    reviews = waiting and await review.can_review(session, viewer, innovation)
    return Card(
        innovation, owner, unit, revision, deadline, tuple(events), actors, labels, reviews,
        changes,
    )  # fmt: skip
