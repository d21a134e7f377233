"""The Telegram channel: a kept update in, the handler's outcome out as Telegram messages."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.channels import Channels
from bot.deps import Deps
from bot.forms.screens import Menu, Outcome, Screen
from bot.i18n import pick_language
from bot.telegram import render
from bot.telegram.requests import to_request
from bot.views import ROLE_COMMANDS
from handlers import dispatch
from handlers.core import Request
from models.tables import User

log = logging.getLogger(__name__)


class TelegramChannel:
    """Handles kept Telegram updates through the channel-neutral handlers."""

    def __init__(
        self, deps: Deps, bot: Bot, channels: Channels, slot: render.Slot = render.no_wait
    ) -> None:
        self.deps = deps
        self.bot = bot
        self.channels = channels
        self.slot = slot  # the process's sending limits, shared with the reminder sweep

    async def process(self, payload: dict[str, Any], *, replayed: bool) -> None:
        """Handle one update and send its answer; a failure is logged and apologised for."""
        update = Update.de_json(payload, self.bot)
        request = to_request(update, self.bot, replayed=replayed)
        if request is None:
            return
        try:
            outcome = await dispatch.handle(self.deps, request)
        except Exception:
            log.error("update %s failed", update.update_id, exc_info=True)
            await self._apologise(request)
            return
        await self.send(update, request, outcome)

    async def send(self, update: Update, request: Request, outcome: Outcome) -> None:
        """Render an outcome: the button's answer, screens and files to this chat, notices
        to others, menus that changed."""
        chat_id = int(request.who.chat_id)
        query = update.callback_query
        pressed = query.message if query and isinstance(query.message, Message) else None
        try:
            if query is not None:
                await render.with_retry(lambda: query.answer(outcome.notice))
            await render.show(self.bot, chat_id, outcome.screens, pressed, self.slot)
            for item in outcome.files:
                try:
                    await render.send_file(self.bot, chat_id, item, self.deps.files_dir, self.slot)
                except (OSError, TelegramError) as exc:
                    log.warning("file %s not sent to chat %s: %s", item.filename, chat_id, exc)
            await render.show(self.bot, chat_id, outcome.after_files, pressed, self.slot)
        except TelegramError as exc:
            log.warning("answer to chat %s not delivered: %s", chat_id, exc)
        await self.channels.tell_others(outcome)

    async def notify(self, address: str, user: User, screens: list[Screen]) -> None:
        """Send a notice to a Telegram chat (the Channels' side of this channel)."""
        await render.send_notices(self.bot, [(int(address), s) for s in screens], self.slot)

    async def set_menu(self, address: str, menu: Menu) -> None:
        """Set the command menu a chat sees for its role."""
        chat_id = int(address)
        t = self.deps.translator(menu.language)
        commands = [BotCommand(c, t.plain(f"command.{c}")) for c in ROLE_COMMANDS[menu.role]]
        try:
            await self.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
        except TelegramError as exc:
            log.warning("could not set the command menu of chat %s: %s", chat_id, exc)

    async def _apologise(self, request: Request) -> None:
        lang = pick_language(request.who.language, self.deps.settings.default_language)
        text = self.deps.translator(lang)("common.error")
        try:
            await self.bot.send_message(request.who.chat_id, text, parse_mode=ParseMode.HTML)
        except TelegramError:
            log.warning("could not tell chat %s about the failure", request.who.chat_id)
