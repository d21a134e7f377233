"""Escalation: planning the verifikators' and admins' reminders of an unmet deadline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.services.monev._common import _insert_ignore, _reminder_row
from models.services.monev.recipients import admin_users, verifiers_of_unit
from models.tables import (
    Deadline,
    Innovation,
    Reminder,
    ReminderRole,
    User,
)


async def _escalation_targets(
    session: AsyncSession, innovation: Innovation, role: str
) -> list[tuple[User, str]]:
    owner = innovation.owner_id
    if role == ReminderRole.VERIFIER:
        verifiers = await verifiers_of_unit(session, innovation.unit_id, exclude=owner)
        if verifiers:
            return [(u, ReminderRole.VERIFIER) for u in verifiers]
    return [(u, ReminderRole.ADMIN) for u in await admin_users(session, exclude=owner)]


async def _plan_escalations(
    session: AsyncSession,
    deadline: Deadline,
    *,
    revision: int,
    offset: int,
    roles: Iterable[str],
    send_after: datetime,
    now: datetime,
) -> None:
    rows: list[dict[str, Any]] = []
    for role in roles:
        for user, as_role in await _escalation_targets(session, deadline.innovation, role):
            rows.append(
                _reminder_row(
                    deadline_id=deadline.id,
                    revision=revision,
                    offset=offset,
                    recipient_id=user.id,
                    role=as_role,
                    send_after=send_after,
                    now=now,
                )
            )
    await _insert_ignore(session, Reminder, rows)
