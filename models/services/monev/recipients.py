"""Who is told: the verifikators nearest to a unit, the admins, and a notice's recipients."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from models.services import people, units
from models.tables import (
    Unit,
    User,
)


async def verifiers_of_unit(
    session: AsyncSession, unit_id: int | None, *, exclude: int | None = None
) -> list[User]:
    """Return the verifikators (not erased, without ``exclude``) nearest to a unit: its own,
    else those of its parent, and so on up (a verifikator reviews the units below theirs)."""
    if unit_id is None:
        return []
    for covering in await units.with_ancestors(session, unit_id):
        found = [u for u in await people.verifiers_of(session, covering) if u.id != exclude]
        if found:
            return found
    return []


async def admin_users(session: AsyncSession, *, exclude: int | None = None) -> list[User]:
    """Return every admin (not erased), without ``exclude``."""
    return [u for u in await people.admins(session) if u.id != exclude]


@dataclass(frozen=True)
class Recipients:
    """Who gets one notice, and why them.

    ``kind`` is "reviewer" (the one who asked for it: returned the innovation), "verifiers"
    (the verifikators of ``unit``), "admins" (``unit`` has no verifikator the bot can reach,
    or the notice is for the admins) or "nobody".
    """

    kind: str
    users: tuple[User, ...]
    unit: Unit | None


def _reachable(user: User) -> bool:
    return user.reachable_somewhere and not user.unreachable


async def notice_recipients(
    session: AsyncSession,
    *,
    unit_id: int | None,
    exclude: int | None = None,
    reviewer_id: int | None = None,
) -> Recipients:
    """Return who is told about a unit's work: ``reviewer_id`` while that person still
    reviews the unit, else the unit's verifikators, else the admins (only the admins when
    ``unit_id`` is None); never ``exclude``, never someone the bot cannot write to."""
    unit = await session.get(Unit, unit_id) if unit_id is not None else None
    verifiers = [
        u for u in await verifiers_of_unit(session, unit_id, exclude=exclude) if _reachable(u)
    ]
    reviewer = next((u for u in verifiers if u.id == reviewer_id), None)
    admins: list[User] = []
    if reviewer is None and (not verifiers or reviewer_id is not None):
        # the admins are needed only when nobody else is there, or the reviewer was one
        admins = [u for u in await admin_users(session, exclude=exclude) if _reachable(u)]
        reviewer = next((u for u in admins if u.id == reviewer_id), None)
    if reviewer is not None:
        return Recipients("reviewer", (reviewer,), unit)
    if verifiers:
        own = await session.get(Unit, verifiers[0].unit_id) if verifiers[0].unit_id else None
        return Recipients("verifiers", tuple(verifiers), own or unit)
    return Recipients("admins" if admins else "nobody", tuple(admins), unit)
