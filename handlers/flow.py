"""Every other message or button goes to the user's active flow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.context import BotContext
from bot.forms import runner
from bot.forms.engine import Incoming, IncomingFile, Outcome, Screen
from bot.render import show
from handlers.common import current_user, reply, translator, unit_of_work
from handlers.status import CODE, open_by_code
from models.ids import parse_id

FLOW_PREFIX = "f:"


def _file_fetcher(context: BotContext, file_id: str) -> Callable[[], Awaitable[bytes]]:
    async def fetch() -> bytes:
        file = await context.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    return fetch


def incoming_from_message(message: Message, context: BotContext) -> Incoming:
    """Turn a Telegram message into a channel-independent answer."""
    if message.text is not None:
        return Incoming("text", text=message.text)
    if message.location is not None:
        loc = message.location
        return Incoming("location", latitude=loc.latitude, longitude=loc.longitude)
    if message.contact is not None:
        return Incoming("contact", text=message.contact.phone_number)
    if message.document is not None:
        doc = message.document
        file = IncomingFile(
            kind="document",
            filename=doc.file_name or f"dokumen-{doc.file_unique_id}",
            mime_type=doc.mime_type or "application/octet-stream",
            size=doc.file_size or 0,
            unique_id=doc.file_unique_id,
            fetch=_file_fetcher(context, doc.file_id),
        )
        return Incoming("file", file=file)
    if message.photo:
        photo = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        file = IncomingFile(
            kind="photo",
            filename=f"foto-{photo.file_unique_id}.jpg",
            mime_type="image/jpeg",
            size=photo.file_size or 0,
            unique_id=photo.file_unique_id,
            fetch=_file_fetcher(context, photo.file_id),
        )
        return Incoming("file", file=file)
    return Incoming("other")


def incoming_from_button(data: str) -> Incoming:
    """Parse a flow button payload ``f:<rev>:<action>:<arg>``."""
    parts = data.split(":", 3)
    rev = parse_id(parts[1]) if len(parts) == 4 else None
    if rev is None:
        return Incoming("button", rev=-1)
    return Incoming("button", rev=rev, action=parts[2], arg=parts[3])


async def on_message(update: Update, context: BotContext) -> None:
    """Answer the current step of the active flow."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    incoming = incoming_from_message(message, context)
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        outcome = await runner.feed(session, context.deps, user, incoming)
        if outcome is None:
            code = CODE.search(incoming.text) if incoming.kind == "text" else None
            if code is not None and user.onboarded:
                screens = await open_by_code(session, context, user, code.group(0))
            else:
                screens = [Screen(translator(context, user)("common.no_flow"))]
            outcome = Outcome(screens)
    await reply(update, context, outcome)


async def on_button(update: Update, context: BotContext) -> None:
    """Handle a flow button; buttons of old messages change nothing."""
    query = update.callback_query
    assert query is not None
    incoming = incoming_from_button(query.data or "")
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        outcome = await runner.feed(session, context.deps, user, incoming)
        if outcome is None:
            outcome = Outcome(notice=translator(context, user)("common.stale"))
    await query.answer(outcome.notice)
    await reply(update, context, outcome)


async def unknown_command(update: Update, context: BotContext) -> None:
    """Answer a command the bot does not know."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        text = translator(context, user)("common.unknown_command")
    await show(update, context, [Screen(text)])


async def stale_button(update: Update, context: BotContext) -> None:
    """Answer a button whose payload no handler knows."""
    query = update.callback_query
    assert query is not None
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        text = translator(context, user)("common.stale")
    await query.answer(text)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this module's handlers (after every command handler)."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=f"^{FLOW_PREFIX}"))
    app.add_handler(CallbackQueryHandler(noop_button, pattern="^noop$"))
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_message
        )
    )
    app.add_handler(CallbackQueryHandler(stale_button))


async def noop_button(update: Update, context: BotContext) -> None:
    """Answer a button that only shows information (a page number)."""
    assert update.callback_query is not None
    await update.callback_query.answer()
