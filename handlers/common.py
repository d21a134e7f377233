"""Helpers shared by the handlers: the per-update transaction and the current user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.context import BotContext
from bot.forms import runner
from bot.forms.engine import Screen
from bot.i18n import Translator, pick_language
from models.db import transaction
from models.services import users as user_service
from models.tables import User


@asynccontextmanager
async def unit_of_work(context: BotContext) -> AsyncIterator[AsyncSession]:
    """Open the one transaction of this update; it commits when the block ends."""
    async with transaction(context.deps.session_factory()) as session:
        yield session


async def current_user(session: AsyncSession, update: Update, context: BotContext) -> User:
    """Return the user behind the update, registering a new one on first contact."""
    tg_user = update.effective_user
    assert tg_user is not None
    settings = context.deps.settings
    return await user_service.get_or_create(
        session,
        telegram_id=tg_user.id,
        language=pick_language(tg_user.language_code, settings.default_language),
        now=context.deps.clock.now(),
        admin_ids=settings.admin_telegram_ids,
    )


def translator(context: BotContext, user: User) -> Translator:
    """Return the texts in the user's language."""
    return context.deps.translator(user.language)


async def onboarding_gate(
    session: AsyncSession, context: BotContext, user: User
) -> list[Screen] | None:
    """Return what to show instead when the user has not finished onboarding."""
    if user.onboarded:
        return None
    t = translator(context, user)
    prompt = await runner.start_onboarding(session, context.deps, user)
    return [Screen(t("common.onboarding_first")), *prompt]
