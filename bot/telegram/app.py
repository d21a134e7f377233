"""The PTB Application of a bot process: the Telegram bot and the JobQueue that runs the
reminder sweep (updates come through the inbox, see ``bot.runtime``)."""

from __future__ import annotations

import logging
from typing import cast

from telegram.ext import ApplicationBuilder, ContextTypes, ExtBot

from bot.context import DEPS_KEY, BotApplication, BotContext
from bot.deps import Deps
from bot.telegram.transport import AiohttpRequest
from bot.views import ROLE_COMMANDS

log = logging.getLogger(__name__)
COMMANDS = ROLE_COMMANDS["pengusul"]
# Long enough that a slow Bot API is waited for rather than asked twice (a retried send that
# had in fact arrived would show the user the same message twice).
SEND_TIMEOUT = 30.0


def build_ptb(deps: Deps) -> BotApplication:
    """Return the PTB Application that holds the bot and runs the JobQueue (updates come
    through the inbox, not through PTB's updater)."""
    settings = deps.settings
    bot: ExtBot[None] = ExtBot(
        settings.require_token().get_secret_value(),
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        request=AiohttpRequest(
            connection_pool_size=32, timeout=SEND_TIMEOUT, media_timeout=SEND_TIMEOUT * 2
        ),
        get_updates_request=AiohttpRequest(connection_pool_size=1, timeout=SEND_TIMEOUT),
    )
    app = cast(
        BotApplication,
        ApplicationBuilder()
        .bot(bot)
        .updater(None)
        .context_types(ContextTypes(context=BotContext))
        .build(),
    )
    app.bot_data[DEPS_KEY] = deps
    return app
