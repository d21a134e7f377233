"""Delivery statuses of what the bot sent on WhatsApp (sent, delivered, read, failed), and
what a failure means: a message outside the 24-hour window goes again as its template; a
number WhatsApp cannot reach is marked unreachable (a reminder escalates, as when someone
blocks the bot on Telegram); a rate limit puts a reminder back in line. Never twice: a
status is kept once, and a message is sent again only once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.whatsapp.sent import unkept
from models.db import transaction
from models.services import monev, users
from models.tables import User
from models.whatsapp_tables import WhatsAppSent

if TYPE_CHECKING:  # the channel passes itself; this module is its part
    from bot.whatsapp.channel import WhatsAppChannel

log = logging.getLogger(__name__)
OUTSIDE_WINDOW = 131047
UNREACHABLE = frozenset({131026, 131031, 130472})  # undeliverable, locked, experiment
RESENT = "resent"
RETRY_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Status:
    """A delivery status of a message the bot sent."""

    message_id: str
    status: str
    recipient: str
    error_code: int | None


def status_of(payload: dict[str, Any]) -> Status | None:
    """Return the delivery status a kept update carries, if it is one."""
    value = payload["entry"][0]["changes"][0]["value"]
    found = value.get("statuses")
    if not found:
        return None
    status = found[0]
    errors = status.get("errors") or [{}]
    code = errors[0].get("code")
    recipient = status.get("recipient_user_id") or status.get("recipient_id") or ""
    return Status(str(status["id"]), str(status["status"]), str(recipient), code)


def reminder_of(purpose: str) -> int | None:
    """Return the reminder a message was for ("reminder:12"), if any."""
    kind, _, ident = purpose.partition(":")
    return int(ident) if kind == "reminder" and ident.isascii() and ident.isdigit() else None


async def record(channel: WhatsAppChannel, status: Status) -> None:
    """Record a status against the message it is about and act on a failure."""
    deps = channel.deps
    now = deps.clock.now()
    again: tuple[WhatsAppSent, User] | None = None
    async with transaction(deps.session_factory()) as session:
        sent = await session.get(WhatsAppSent, status.message_id)
        if sent is None:
            if status.status == "failed":
                log.warning("WhatsApp answer %s failed (code %s)", status.message_id,
                            status.error_code)  # fmt: skip
            return
        if sent.status == RESENT:
            return
        sent.status, sent.error_code, sent.updated_at = status.status, status.error_code, now
        if status.status != "failed":
            return
        log.warning("WhatsApp %s %s failed (code %s)", sent.purpose, sent.message_id,
                    status.error_code)  # fmt: skip
        user = await session.get(User, sent.user_id) if sent.user_id is not None else None
        reminder_id = reminder_of(sent.purpose)
        code = status.error_code
        if code == OUTSIDE_WINDOW and not sent.template and sent.screen and user is not None:
            if await _first_of_its_send(session, sent):
                again = (sent, user)
            sent.status = RESENT
        elif code in UNREACHABLE:
            # a reminder's failure marks its recipient unreachable itself (and escalates)
            marked = reminder_id is not None and await monev.mark_undelivered(
                session, reminder_id=reminder_id, now=now, error=f"WhatsApp {code}"
            )
            if user is not None and not marked:
                await users.set_reachable(session, user.id, reachable=False)
        elif reminder_id is not None:
            await monev.requeue_undelivered(
                session, reminder_id=reminder_id, error=f"WhatsApp {code}",
                retry_at=deps.policy.next_window(now + RETRY_AFTER), max_attempts=MAX_ATTEMPTS,
            )  # fmt: skip
    if again is not None:
        sent, user = again
        assert sent.screen is not None
        await channel.deliver(
            sent.wa_id, user, unkept(sent.screen), purpose=sent.purpose, template=True
        )


async def _first_of_its_send(session: AsyncSession, sent: WhatsAppSent) -> bool:
    """Whether no other message of the same send (a text and its buttons) was sent again
    already: one template stands for them all."""
    siblings = await session.execute(
        select(WhatsAppSent.message_id).where(
            WhatsAppSent.wa_id == sent.wa_id,
            WhatsAppSent.purpose == sent.purpose,
            WhatsAppSent.sent_at == sent.sent_at,
            WhatsAppSent.status == RESENT,
        )
    )
    return siblings.first() is None
