"""Paged lists (/inovasiku, /antrian, /pengguna): one handler turns every list's pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forms.screens import Outcome, Screen
from bot.i18n import Translator
from handlers import people, review, status
from handlers.core import Routes, Turn, stale
from models.ids import parse_id
from models.tables import User

# A list: (session, texts, viewer, page) -> the screen of that page; it checks the role.
PageBuilder = Callable[[AsyncSession, Translator, User, int], Awaitable[Screen]]
LISTS: dict[str, PageBuilder] = {
    "mine": status.mine_screen,
    "queue": review.queue_screen,
    "users": people.users_screen,
}


async def turn_page(turn: Turn) -> Outcome:
    """Show another page of a list in place of the pressed one (``pg:<list>:<page>``)."""
    key, _, raw_page = turn.payload.removeprefix("pg:").partition(":")
    page = parse_id(raw_page)
    builder = LISTS.get(key)
    if builder is None or page is None:
        return stale(turn)
    screen = await builder(turn.session, turn.t, turn.user, page)
    screen.edit = True
    return Outcome([screen])


ROUTES = Routes(buttons={"pg:": turn_page})
