"""Users and onboarding."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Role, User

# Built once: every update runs it, and a reused statement skips construction and caching.
_BY_TELEGRAM_ID = select(User).where(User.telegram_id == bindparam("telegram_id"))


async def get_by_telegram_id(session: AsyncSession, telegram_id: int) -> User | None:
    """Return the user with this Telegram id, if known."""
    result = await session.execute(_BY_TELEGRAM_ID, {"telegram_id": telegram_id})
    return result.scalar_one_or_none()


async def get_or_create(
    session: AsyncSession,
    *,
    telegram_id: int,
    language: str,
    now: datetime,
    admin_ids: Collection[int] = (),
) -> User:
    """Return the user for this Telegram id, creating an un-onboarded one if new."""
    user = await get_by_telegram_id(session, telegram_id)
    if user is None:
        user = User(telegram_id=telegram_id, language=language, created_at=now)
        session.add(user)
    if admin_by_settings(user, admin_ids) and user.role != Role.ADMIN:
        user.role = Role.ADMIN
    if user.unreachable:
        user.unreachable = False  # they wrote to the bot: it can write to them again
    if user.id is None:
        await session.flush()  # a new user needs its id
    return user


def admin_by_settings(user: User, admin_ids: Collection[int]) -> bool:
    """Whether the settings (ADMIN_TELEGRAM_IDS) make ``user`` an admin on every update,
    whatever role is stored: such a role cannot be changed in the bot."""
    return user.telegram_id is not None and user.telegram_id in admin_ids


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


async def telegram_chats(session: AsyncSession, user_ids: Collection[int]) -> dict[int, int]:
    """Return the Telegram chat of each of these users that has one."""
    if not user_ids:
        return {}
    rows = await session.execute(
        select(User.id, User.telegram_id).where(
            User.id.in_(user_ids), User.telegram_id.is_not(None)
        )
    )
    return {int(user_id): int(chat) for user_id, chat in rows.all()}
