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
from models.ids import parse_id
from models.tables import User

# A list: (session, texts, viewer, page) -> the screen of that page; it checks the role.
PageBuilder = Callable[[AsyncSession, Translator, User, int], Awaitable[Screen]]


def register(app: Application, builders: Mapping[str, PageBuilder]) -> None:  # type: ignore[type-arg]
    """Handle ``pg:<list>:<page>`` buttons of the given lists."""

    async def turn_page(update: Update, context: BotContext) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        _, key, raw_page = query.data.split(":", 2)
        page = parse_id(raw_page)
        async with unit_of_work(context, update) as session:
            user = await current_user(session, update, context)
            t = translator(context, user)
            screen = await builders[key](session, t, user, page) if page is not None else None
        if screen is None:
            await query.answer(t("common.stale"))
            return
        screen.edit = True
        await query.answer()
        await show(update, context, [screen])

    keys = "|".join(builders)
    app.add_handler(CallbackQueryHandler(turn_page, pattern=rf"^pg:({keys}):"))
