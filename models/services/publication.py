"""The owner's consent to show an innovation on the public catalog, and an admin's take-down.

What the catalog may show is decided here and nowhere else: :func:`on_catalog` is the one
condition every public page selects by.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists
from sqlalchemy.ext.asyncio import AsyncSession

from models.catalog_tables import Publication
from models.tables import Attachment, Innovation, Status


def photos(innovation: Innovation) -> list[Attachment]:
    """Return the innovation's photos (the attachments that may be shown on the catalog)."""
    return [a for a in innovation.attachments if a.mime_type.startswith("image/")]


def on_catalog() -> ColumnElement[bool]:
    """The condition of an innovation on the catalog: verified, published by its owner, not
    taken down by an admin."""
    return and_(
        Innovation.status == Status.TERVERIFIKASI,
        exists().where(
            Publication.innovation_id == Innovation.id,
            Publication.published.is_(True),
            Publication.hidden_at.is_(None),
        ),
    )


async def get(session: AsyncSession, innovation_id: int) -> Publication | None:
    """Return the innovation's publication choices, None if never asked."""
    return await session.get(Publication, innovation_id)


async def _row(session: AsyncSession, innovation_id: int) -> Publication:
    row = await session.get(Publication, innovation_id)
    if row is None:
        row = Publication(innovation_id=innovation_id, public_photos=[])
        session.add(row)
    return row


async def decide(
    session: AsyncSession,
    innovation: Innovation,
    *,
    published: bool,
    by: int,
    now: datetime,
    public_contact: bool | None = None,
) -> Publication:
    """Record the owner's choice (publishing again does not undo an admin's take-down)."""
    row = await _row(session, innovation.id)
    row.published, row.decided_by, row.decided_at = published, by, now
    if public_contact is not None:
        row.public_contact = public_contact
    return row


async def set_contact(session: AsyncSession, innovation: Innovation, *, shown: bool) -> None:
    """Show the innovation's contact number on its page, or not."""
    (await _row(session, innovation.id)).public_contact = shown


async def toggle_photo(session: AsyncSession, innovation: Innovation, attachment_id: int) -> bool:
    """Mark a photo of the innovation public or private; return whether it is public now
    (an id that is not one of the innovation's photos changes nothing and returns False)."""
    ids = {a.id for a in photos(innovation)}
    if attachment_id not in ids:
        return False
    row = await _row(session, innovation.id)
    current = [i for i in row.public_photos or [] if i in ids]
    if attachment_id in current:
        current.remove(attachment_id)
    else:
        current.append(attachment_id)
    row.public_photos = current
    return attachment_id in current


async def hide(session: AsyncSession, innovation: Innovation, *, by: int, now: datetime) -> None:
    """An admin takes the innovation off the catalog."""
    row = await _row(session, innovation.id)
    row.hidden_by, row.hidden_at = by, now


async def unhide(session: AsyncSession, innovation: Innovation) -> None:
    """An admin lets the innovation back (if its owner still agrees)."""
    row = await _row(session, innovation.id)
    row.hidden_by, row.hidden_at = None, None


def public_photo_ids(row: Publication | None, innovation: Innovation) -> Sequence[int]:
    """The ids of the photos the owner marked public that the innovation still has."""
    if row is None:
        return ()
    have = {a.id for a in photos(innovation)}
    return [i for i in row.public_photos or [] if i in have]
