"""Paged lists (/inovasiku, /antrian, /pengguna): one handler turns every list's pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.context import BotContext
from bot.forms.engine import Screen
from bot.i18n import Translator
from bot.render import show
from handlers.common import current_user, translator, unit_of_work
from models.tables import User

# A list: (session, texts, viewer, page) -> the screen of that page; it checks the role.
PageBuilder = Callable[[AsyncSession, Translator, User, int], Awaitable[Screen]]


def register(app: Application, builders: Mapping[str, PageBuilder]) -> None:  # type: ignore[type-arg]
    """Handle ``pg:<list>:<page>`` buttons of the given lists."""

    async def turn_page(update: Update, context: BotContext) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        _, key, page = query.data.split(":")
        async with unit_of_work(context, update) as session:
            user = await current_user(session, update, context)
            screen = await builders[key](session, translator(context, user), user, int(page))
        screen.edit = True
        await query.answer()
        await show(update, context, [screen])

    keys = "|".join(builders)
    app.add_handler(CallbackQueryHandler(turn_page, pattern=rf"^pg:({keys}):\d+$"))
