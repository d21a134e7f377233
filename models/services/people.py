"""Roles, invites, the list of users, and erasing personal data (UU 27/2022)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.services import users
from models.services.paging import Page, paginate
from models.tables import FlowState, Innovation, Invite, Role, Unit, User, UserEvent

NO_ADMINS = users.Admins()

INVITE_VALID_FOR = timedelta(days=7)


class InviteError(Exception):
    """An invite cannot be used; ``reason`` is unknown, used or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def record_user_event(
    session: AsyncSession,
    user: User,
    *,
    actor: User | None,
    kind: str,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """Write one row of the people audit trail."""
    session.add(
        UserEvent(
            user_id=user.id, actor_id=actor.id if actor else None, at=now, kind=kind, data=data
        )
    )


async def create_invite(
    session: AsyncSession,
    *,
    actor: User,
    role: str,
    unit_id: int | None,
    now: datetime,
    valid_for: timedelta,
) -> Invite:
    """Create a single-use invite for ``role`` (a verifikator needs a unit)."""
    if role not in (Role.VERIFIKATOR, Role.ADMIN):
        raise ValueError(role)
    if role == Role.VERIFIKATOR and unit_id is None:
        raise ValueError("a verifikator invite needs a unit")
    invite = Invite(
        code=secrets.token_urlsafe(12),
        role=role,
        unit_id=unit_id if role == Role.VERIFIKATOR else None,
        created_by=actor.id,
        created_at=now,
        expires_at=now + valid_for,
    )
    session.add(invite)
    await session.flush()
    return invite


async def redeem_invite(
    session: AsyncSession,
    *,
    user: User,
    code: str,
    now: datetime,
    admins: users.Admins = NO_ADMINS,
) -> Invite:
    """Grant the invite's role (and unit) to ``user``; an invite works once, before it expires.

    Nothing is applied, and the invite stays unused for the person it was meant for, when it
    is the user's own invite, when the settings make the user an admin whatever is stored
    (``admins``: ADMIN_TELEGRAM_IDS, ADMIN_WHATSAPP_IDS), or when the user already has that
    role (and unit).
    """
    stmt = select(Invite).where(Invite.code == code).with_for_update()
    invite = (await session.execute(stmt)).scalar_one_or_none()
    if invite is None:
        raise InviteError("unknown")
    if invite.used_at is not None:
        raise InviteError("used")
    if invite.expires_at <= now:
        raise InviteError("expired")
    if invite.created_by == user.id:
        raise InviteError("own")
    if users.admin_by_settings(user, admins):
        raise InviteError("by_settings")
    if invite.role == user.role and invite.unit_id in (None, user.unit_id):
        raise InviteError("already")
    invite.used_by, invite.used_at = user.id, now
    await set_role(
        session, actor=None, target=user, role=invite.role, unit_id=invite.unit_id, now=now,
        reason=f"invite:{invite.id}",
    )  # fmt: skip
    return invite


async def set_role(
    session: AsyncSession,
    *,
    actor: User | None,
    target: User,
    role: str,
    unit_id: int | None,
    now: datetime,
    reason: str | None = None,
) -> bool:
    """Change a user's role and unit, recording the change; return whether anything changed."""
    if role not in tuple(Role):
        raise ValueError(role)
    before = {"role": target.role, "unit_id": target.unit_id}
    target.role = role
    if unit_id is not None:
        target.unit_id = unit_id
    after = {"role": target.role, "unit_id": target.unit_id}
    if before != after:
        data: dict[str, Any] = {"from": before, "to": after}
        if reason:
            data["reason"] = reason
        record_user_event(session, target, actor=actor, kind="role", now=now, data=data)
    await session.flush()
    return before != after


async def list_users(session: AsyncSession, *, page: int, per_page: int) -> Page[User]:
    """Return registered (not erased) users, by name."""
    stmt = select(User).where(User.deleted_at.is_(None)).order_by(User.name, User.id)
    return await paginate(session, stmt, page=page, per_page=per_page)


async def admins(session: AsyncSession) -> list[User]:
    """Return every admin (not erased), by name."""
    stmt = (
        select(User)
        .where(User.role == Role.ADMIN, User.deleted_at.is_(None))
        .order_by(User.name, User.id)
    )
    return list((await session.execute(stmt)).scalars())


async def verifiers_of(session: AsyncSession, unit_id: int | None) -> list[User]:
    """Return the verifikators bound to a unit, by name."""
    if unit_id is None:
        return []
    stmt = (
        select(User)
        .where(User.role == Role.VERIFIKATOR, User.unit_id == unit_id, User.deleted_at.is_(None))
        .order_by(User.name, User.id)
    )
    return list((await session.execute(stmt)).scalars())


@dataclass(frozen=True)
class PersonalData:
    """What the bot stores about one person."""

    name: str | None
    nip: str | None
    phone: str | None
    telegram_id: int | None
    whatsapp_id: str | None
    unit: str | None
    role: str
    language: str
    created_at: datetime
    innovations: int


async def personal_data(session: AsyncSession, user: User) -> PersonalData:
    """Collect what is stored about ``user``."""
    unit = await session.get(Unit, user.unit_id) if user.unit_id else None
    count = (
        await session.execute(
            select(func.count()).select_from(Innovation).where(Innovation.owner_id == user.id)
        )
    ).scalar_one()
    return PersonalData(
        user.name, user.nip, user.phone, user.telegram_id, user.whatsapp_id,
        unit.name if unit else None,
        user.role, user.language, user.created_at, count,
    )  # fmt: skip


PROFILE_FIELDS = ("name", "unit_id", "nip", "phone")


def unit_is_bound(user: User) -> bool:
    """Whether the user's unit is part of their role (a verifikator reviews that unit), so
    only an admin or an invite may change it."""
    return user.role == Role.VERIFIKATOR


def change_profile(
    session: AsyncSession, user: User, *, field: str, value: Any, now: datetime
) -> bool:
    """Store one field of the user's own data; return whether it changed.

    The audit trail records which field changed, not the values (they are personal data and
    the trail outlives an erasure); a unit change keeps the unit ids.
    """
    if field not in PROFILE_FIELDS:
        raise ValueError(field)
    if field == "unit_id" and unit_is_bound(user):
        raise ValueError("a verifikator's unit is changed by an admin")
    before = getattr(user, field)
    if before == value:
        return False
    setattr(user, field, value)
    data: dict[str, Any] = {"field": field}
    if field == "unit_id":
        data.update({"from": before, "to": value})
    record_user_event(session, user, actor=user, kind="profile", now=now, data=data)
    return True


async def erase_personal_data(session: AsyncSession, user: User, *, now: datetime) -> None:
    """Erase name, NIP, phone and channel identities; innovations stay with the unit."""
    user.name = None
    user.nip = None
    user.phone = None
    user.telegram_id = None
    user.whatsapp_id = None
    user.whatsapp_seen_at = None
    user.onboarded = False
    user.role = Role.PENGUSUL
    user.deleted_at = now
    await session.execute(delete(FlowState).where(FlowState.user_id == user.id))
    record_user_event(session, user, actor=user, kind="erased", now=now)
    await session.flush()
