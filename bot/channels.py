"""The channels of a process (Telegram, WhatsApp) and the notices of an outcome, each sent
on the channel its person is reached on: the one they chose, else the one they wrote on
last."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.deps import Deps
from bot.forms.screens import Menu, Outcome, Screen
from models.services import users
from models.tables import User

log = logging.getLogger(__name__)


class Reach(Protocol):
    """What a channel does for people other than the one who wrote."""

    async def notify(self, address: str, user: User, screens: list[Screen]) -> None:
        """Send ``screens`` to ``user`` at ``address`` (their id on this channel)."""

    async def set_menu(self, address: str, menu: Menu) -> None:
        """Show the person the command menu of their role, where the channel has one."""


class Channels:
    """The configured channels, by name."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.by_name: dict[str, Reach] = {}

    def add(self, name: str, channel: Reach) -> None:
        """Register a channel."""
        self.by_name[name] = channel

    async def tell_others(self, outcome: Outcome) -> None:
        """Send an outcome's notices and menus, each on its person's channel."""
        if not outcome.notices and not outcome.menus:
            return
        people = {n.user_id for n in outcome.notices} | {m.user_id for m in outcome.menus}
        async with self.deps.session_factory()() as session:
            found = await users.addresses(session, people, available=set(self.by_name))
        for notice in outcome.notices:
            where = found.get(notice.user_id)
            if where is None:
                continue
            try:
                await self.by_name[where.channel].notify(where.address, where.user, [notice.screen])
            except Exception:
                log.warning("notice to user %s not delivered", notice.user_id, exc_info=True)
        for menu in outcome.menus:
            where = found.get(menu.user_id)
            if where is not None:
                await self.by_name[where.channel].set_menu(where.address, menu)
