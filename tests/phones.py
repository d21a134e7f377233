"""The channel an end-to-end test runs on, and the WhatsApp simulator met the way tests meet
the Telegram one: users by a number, what the bot sent them, what the simulator refused.

A test written for ``sim.user(7001)`` runs on WhatsApp as the person with WhatsApp number
``6281200007001``; the database rows that factories make for them carry that identity.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement

from bot.settings import Settings
from bot.simulator import BotApiSimulator
from bot.simulator.whatsapp import WaMessage, WaUser, WhatsAppSimulator
from bot.simulator.whatsapp.inbound import bsuid_for
from models.tables import User

TELEGRAM = "telegram"
WHATSAPP = "whatsapp"
# the channel of the test that runs now (tests run one at a time)
CURRENT: list[str] = [TELEGRAM]


_BY_BSUID: dict[str, int] = {}
_BY_WA_ID: dict[str, int] = {}


def wa_id_for(user_id: int) -> str:
    """Return the WhatsApp number of the test person ``user_id``."""
    wa_id = f"62812{user_id:08d}"
    _BY_BSUID[bsuid_for(wa_id)] = user_id
    _BY_WA_ID[wa_id] = user_id
    return wa_id


def identity(user_id: int, now: datetime) -> dict[str, Any]:
    """Return the columns of a user row for the test person ``user_id`` on the current
    channel (on WhatsApp: someone who wrote within the last 24 hours)."""
    if CURRENT[0] == WHATSAPP:
        return {
            "whatsapp_id": bsuid_for(wa_id_for(user_id)),
            "last_channel": WHATSAPP,
            "whatsapp_seen_at": now,
        }
    return {"telegram_id": user_id, "last_channel": TELEGRAM}


class AsChat:
    """A WhatsApp message with the test person it went to as ``chat_id``."""

    def __init__(self, message: WaMessage) -> None:
        self.message = message
        self.chat_id = _BY_WA_ID.get(message.to, -1)
        self.text = message.text


class WhatsAppPhones:
    """The WhatsApp simulator behind the Telegram simulator's test-facing names."""

    def __init__(self, wa: WhatsAppSimulator, telegram: BotApiSimulator) -> None:
        self.wa = wa
        self.telegram = telegram

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Budi",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
        started: bool = False,
    ) -> WaUser:
        """Return the WhatsApp person of test person ``user_id``; ``started``: they wrote
        to the bot a moment ago (its 24-hour window is open)."""
        person = self.wa.user(wa_id_for(user_id), name=first_name, language=language_code)
        if started:
            self.wa.mark_inbound(person.wa_id)
        return person

    @property
    def rejected(self) -> list[str]:
        """Return what either simulator refused."""
        return [*self.wa.rejected, *(str(r) for r in self.telegram.rejected)]

    def messages(self, user_id: int) -> list[WaMessage]:
        """Return what the bot sent to test person ``user_id``."""
        return self.wa.messages(wa_id_for(user_id))

    def add_listener(self, listener: Callable[[str, Any], None]) -> None:
        """Call ``listener("sent", message)`` for each message delivered, the message seen as
        the Telegram simulator's (``chat_id``: the test person)."""
        self.wa.listeners.append(lambda message: listener("sent", AsChat(message)))

    async def wait_idle(self, max_wait: float | None = None) -> None:
        """Wait until the bot has handled everything delivered."""
        await self.wa.wait_idle(max_wait)


def set_admins(settings: Settings, *user_ids: int) -> None:
    """Make the test people ``user_ids`` admins by the settings, on the current channel."""
    if CURRENT[0] == WHATSAPP:
        settings.admin_whatsapp_ids = [bsuid_for(wa_id_for(n)) for n in user_ids]
    else:
        settings.admin_telegram_ids = list(user_ids)


def is_person(user_id: int) -> ColumnElement[bool]:
    """Return the condition that picks the user row of test person ``user_id``."""
    if CURRENT[0] == WHATSAPP:
        return User.whatsapp_id == bsuid_for(wa_id_for(user_id))
    return User.telegram_id == user_id


def person_id(user: User) -> int | None:
    """Return the test person a user row belongs to (the reverse of ``identity``)."""
    if user.telegram_id is not None:
        return user.telegram_id
    return _BY_BSUID.get(user.whatsapp_id or "")


def id_line(user_id: int) -> str:
    """Return the line of /dataku that shows test person ``user_id``'s channel identity."""
    if CURRENT[0] == WHATSAPP:
        return f"ID WhatsApp: {bsuid_for(wa_id_for(user_id))}"
    return f"ID Telegram: {user_id}"
