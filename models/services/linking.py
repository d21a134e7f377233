"""One person, two channels: a one-time code shown on one channel and typed on the other
makes both channel identities one user, whose drafts, innovations and role then serve both;
and the channel reminders go to."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.services import people
from models.services.users import TELEGRAM, WHATSAPP
from models.tables import Base, FlowState, Role, User
from models.whatsapp_tables import LinkCode

VALID_FOR: Final = timedelta(minutes=15)
CODE_ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L to misread
CODE_LENGTH: Final = 8
CHANNELS: Final = (TELEGRAM, WHATSAPP)
_RANK = {Role.PENGUSUL: 0, Role.VERIFIKATOR: 1, Role.ADMIN: 2}


class LinkError(Exception):
    """Why a code links nothing: unknown, used, expired, own (typed on the same channel or
    by the same person), taken (that person has another account on this channel)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def identity_column(channel: str) -> str:
    """Return the user column of a channel's identity."""
    return "whatsapp_id" if channel == WHATSAPP else "telegram_id"


async def create_code(session: AsyncSession, user: User, *, channel: str, now: datetime) -> str:
    """Return a new one-time code for ``user``, shown on ``channel``; older ones lapse."""
    await session.execute(delete(LinkCode).where(LinkCode.user_id == user.id))
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    session.add(LinkCode(code=code, user_id=user.id, channel=channel, expires_at=now + VALID_FOR))
    await session.flush()
    return code


def normalise(code: str) -> str:
    """Return a typed code as stored (case and spaces do not matter)."""
    return "".join(code.split()).upper()


async def redeem(
    session: AsyncSession, *, user: User, channel: str, code: str, now: datetime
) -> User:
    """Link ``user`` (who typed ``code`` on ``channel``) to the person who was shown it; return
    that person, who from now on is reached on both channels. What ``user`` had (drafts,
    innovations, reports, a higher role) becomes theirs, and ``user``'s row goes away."""
    stmt = select(LinkCode).where(LinkCode.code == normalise(code)).with_for_update()
    link = (await session.execute(stmt)).scalar_one_or_none()
    if link is None:
        raise LinkError("unknown")
    if link.used_at is not None:
        raise LinkError("used")
    if link.expires_at <= now:
        raise LinkError("expired")
    if link.channel == channel or link.user_id == user.id:
        raise LinkError("own")
    person = await session.get(User, link.user_id)
    if person is None or person.deleted_at is not None:
        raise LinkError("unknown")
    column = identity_column(channel)
    if getattr(person, column) is not None:
        raise LinkError("taken")
    link.used_at = now
    await _merge(session, keep=person, into_it=user, channel=channel, now=now)
    return person


async def _merge(
    session: AsyncSession, *, keep: User, into_it: User, channel: str, now: datetime
) -> None:
    column = identity_column(channel)
    identity = getattr(into_it, column)
    # the conversation pointers of the one who goes: their drafts stay as innovations
    await session.execute(delete(FlowState).where(FlowState.user_id == into_it.id))
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "users" and table.name != "users":
                col = fk.parent
                await session.execute(
                    update(table).where(col == into_it.id).values({col.name: keep.id})
                )
    if _RANK.get(Role(into_it.role), 0) > _RANK.get(Role(keep.role), 0):
        keep.role, keep.unit_id = into_it.role, into_it.unit_id
    if not keep.onboarded and into_it.onboarded:
        keep.name, keep.unit_id, keep.nip, keep.phone = (
            into_it.name, into_it.unit_id, into_it.nip, into_it.phone
        )  # fmt: skip
        keep.onboarded = True
    seen = into_it.whatsapp_seen_at
    await session.delete(into_it)
    await session.flush()  # the identity is free before it moves (it is unique)
    setattr(keep, column, identity)
    keep.last_channel = channel
    if channel == WHATSAPP and seen is not None:
        keep.whatsapp_seen_at = seen
    people.record_user_event(
        session, keep, actor=keep, kind="linked", now=now, data={"channel": channel}
    )
    await session.flush()


def channels_of(user: User) -> list[str]:
    """Return the channels ``user`` can be reached on."""
    return [c for c in CHANNELS if getattr(user, identity_column(c)) is not None]


def choose_reminder_channel(user: User, channel: str | None) -> None:
    """Send reminders and notices on ``channel`` (None: the one written on last)."""
    if channel is not None and channel not in channels_of(user):
        raise ValueError(channel)
    user.reminder_channel = channel
