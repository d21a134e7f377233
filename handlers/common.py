"""Helpers shared by the handlers: the per-update transaction, the current user, replies."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.forms import runner
from bot.forms.engine import Outcome, Screen
from bot.i18n import Translator, pick_language
from bot.render import send_notices, show
from bot.views import ROLE_COMMANDS
from models.db import transaction
from models.services import updates
from models.services import users as user_service
from models.tables import Role, User

log = logging.getLogger(__name__)


class AlreadyHandled(Exception):
    """This update was delivered again after its effects had been committed."""


@asynccontextmanager
async def unit_of_work(context: BotContext, update: Update) -> AsyncIterator[AsyncSession]:
    """Open the one transaction of this update; it commits when the block ends.

    The update's id is recorded in the same transaction, so an update delivered again (the
    process died before Telegram was told it was handled) changes nothing a second time.
    """
    async with transaction(context.deps.session_factory()) as session:
        if not await updates.first_delivery(
            session, update_id=update.update_id, now=context.deps.clock.now()
        ):
            raise AlreadyHandled(update.update_id)
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
    session: AsyncSession, context: BotContext, user: User, *roles: Role
) -> list[Screen] | None:
    """Return what to show instead when the user has not finished onboarding or, when
    ``roles`` are given, has none of them."""
    t = translator(context, user)
    if not user.onboarded:
        prompt = await runner.start_onboarding(session, context.deps, user)
        return [Screen(t("common.onboarding_first")), *prompt]
    return role_refusal(user, *roles, t=t) if roles else None


def role_refusal(user: User, *roles: Role, t: Translator) -> list[Screen] | None:
    """Return a polite refusal unless the user has one of ``roles``."""
    if user.role in roles:
        return None
    key = "common.admin_only" if roles == (Role.ADMIN,) else "common.reviewer_only"
    return [Screen(t(key))]


async def set_menu(context: BotContext, chat_id: int, role: str, lang: str) -> None:
    """Set the command menu a chat sees for its role."""
    t = context.deps.translator(lang)
    commands = [BotCommand(c, t.plain(f"command.{c}")) for c in ROLE_COMMANDS[role]]
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("could not set the command menu of chat %s: %s", chat_id, exc)


async def reply(update: Update, context: BotContext, outcome: Outcome) -> None:
    """Send an outcome: the screens to this chat, notices to others, menus that changed."""
    await show(update, context, outcome.screens)
    await send_notices(context, outcome.notices)
    for chat_id, role in outcome.menus:
        await set_menu(context, chat_id, role, "id")
