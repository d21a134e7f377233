"""Users and onboarding."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Final, NamedTuple

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Role, User

# Built once: every update runs one, and a reused statement skips construction and caching.
_BY_TELEGRAM_ID = select(User).where(User.telegram_id == bindparam("telegram_id"))
_BY_WHATSAPP_ID = select(User).where(User.whatsapp_id == bindparam("whatsapp_id"))
TELEGRAM: Final = "telegram"
WHATSAPP: Final = "whatsapp"


async def get_by_telegram_id(session: AsyncSession, telegram_id: int) -> User | None:
    """Return the user with this Telegram id, if known."""
    result = await session.execute(_BY_TELEGRAM_ID, {"telegram_id": telegram_id})
    return result.scalar_one_or_none()


async def get_by_identity(session: AsyncSession, channel: str, address: int | str) -> User | None:
    """Return the user with this id on this channel (Telegram id, WhatsApp id), if known."""
    if channel == WHATSAPP:
        found = await session.execute(_BY_WHATSAPP_ID, {"whatsapp_id": str(address)})
        return found.scalar_one_or_none()
    return await get_by_telegram_id(session, int(address))


async def get_or_create(
    session: AsyncSession,
    *,
    channel: str = TELEGRAM,
    address: int | str,
    language: str,
    now: datetime,
    admins: Admins | None = None,
) -> User:
    """Return the user for this channel identity, creating an un-onboarded one if new; note
    the channel they wrote on (and, on WhatsApp, when: its 24-hour window)."""
    user = await get_by_identity(session, channel, address)
    if user is None:
        user = User(language=language, created_at=now)
        if channel == WHATSAPP:
            user.whatsapp_id = str(address)
        else:
            user.telegram_id = int(address)
        session.add(user)
    if user.last_channel != channel:
        user.last_channel = channel
    if channel == WHATSAPP:
        user.whatsapp_seen_at = now
    if admins is not None and admin_by_settings(user, admins) and user.role != Role.ADMIN:
        user.role = Role.ADMIN
    if user.unreachable:
        user.unreachable = False  # they wrote to the bot: it can write to them again
    if user.id is None:
        await session.flush()  # a new user needs its id
    return user


class Admins(NamedTuple):
    """The people the settings make admins, by channel id."""

    telegram: Collection[int] = ()
    whatsapp: Collection[str] = ()


def admin_by_settings(user: User, admins: Admins) -> bool:
    """Whether the settings (ADMIN_TELEGRAM_IDS, ADMIN_WHATSAPP_IDS) make ``user`` an admin
    on every update, whatever role is stored: such a role cannot be changed in the bot."""
    if user.telegram_id is not None and user.telegram_id in admins.telegram:
        return True
    return user.whatsapp_id is not None and user.whatsapp_id in admins.whatsapp


def complete_onboarding(
    user: User, *, name: str, unit_id: int, nip: str | None, phone: str | None
) -> None:
    """Store the onboarding answers on the user."""
    user.name = name
    user.unit_id = unit_id
    user.nip = nip
    user.phone = phone
    user.onboarded = True


async def set_reachable(session: AsyncSession, user_id: int, *, reachable: bool) -> None:
    """Record whether the bot can write to the user (not after they blocked it; again once
    a message gets through or they write to the bot)."""
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(unreachable=not reachable)
        .execution_options(synchronize_session=False)
    )


def address_of(user: User, available: Collection[str]) -> tuple[str, str] | None:
    """Return where to reach ``user`` (channel, id there): the channel they chose, else the
    one they wrote on last, else any they have, among the ``available`` ones."""
    have = {
        TELEGRAM: str(user.telegram_id) if user.telegram_id is not None else None,
        WHATSAPP: user.whatsapp_id,
    }
    for channel in (user.reminder_channel, user.last_channel, TELEGRAM, WHATSAPP):
        if channel in available and have.get(channel or ""):
            return channel or "", str(have[channel or ""])
    return None


class Reached(NamedTuple):
    """A person the bot can write to: the user, the channel and their id there."""

    user: User
    channel: str
    address: str


async def addresses(
    session: AsyncSession, user_ids: Collection[int], *, available: Collection[str]
) -> dict[int, Reached]:
    """Return where to reach each of these users that can be reached."""
    if not user_ids:
        return {}
    rows = await session.execute(select(User).where(User.id.in_(user_ids)))
    found = {}
    for user in rows.scalars():
        where = address_of(user, available)
        if where is not None:
            found[user.id] = Reached(user, *where)
    return found
