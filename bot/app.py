"""The application factory: settings in, a ready python-telegram-bot Application out."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any, cast

from telegram import Bot, BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.context import DEPS_KEY, BotApplication, BotContext
from bot.deps import Deps
from bot.i18n import load_catalogs, pick_language
from bot.settings import Settings
from bot.transport import AiohttpRequest
from bot.updates import DurableBot, Inbox, PerChatUpdateProcessor
from bot.views import ROLE_COMMANDS
from handlers import (
    errors,
    evaluator,
    flow,
    lists,
    people,
    registration,
    review,
    revisions,
    start,
    status,
)
from handlers import monev as monev_handlers
from handlers import schedule as schedule_handlers
from models import db
from models.clock import Clock, SystemClock
from models.masterdata import load_master_data, load_unit_file
from models.services import units as unit_service
from models.services import updates as update_records
from scheduler import sweep

log = logging.getLogger(__name__)
DATA_DIR = Path(__file__).parent / "data"
DEFAULT_MASTER_DATA = DATA_DIR / "master-2026.yaml"
EXAMPLE_UNITS = DATA_DIR / "units-example.yaml"
COMMANDS = ROLE_COMMANDS["pengusul"]
# Long enough that a slow Bot API is waited for rather than asked twice (a retried send that
# had in fact arrived would show the user the same message twice).
SEND_TIMEOUT = 30.0


def make_deps(settings: Settings, *, clock: Clock | None = None) -> Deps:
    """Load texts and master data once."""
    master = load_master_data(settings.master_data_file or DEFAULT_MASTER_DATA)
    return Deps(settings, load_catalogs(), master, clock or SystemClock())


async def open_database(deps: Deps) -> None:
    """Create the engine, bring the schema up to date and import the configured units."""
    engine = db.create_engine(deps.settings.database_url)
    deps.engine = engine
    await db.migrate(engine)
    deps.sessions = db.session_factory(engine)
    if deps.settings.units_file is not None:
        units = load_unit_file(deps.settings.units_file)
        async with db.transaction(deps.sessions) as session:
            result = await unit_service.import_units(session, units.units)
        log.info("units: %d added, %d updated", result.added, result.updated)


async def close_database(deps: Deps) -> None:
    """Dispose of the engine."""
    if deps.engine is not None:
        await deps.engine.dispose()
        deps.engine = None
        deps.sessions = None


async def keep_updates(
    deps: Deps, fetched: Sequence[tuple[int, dict[str, Any]]], finished: Sequence[int]
) -> None:
    """Write fetched updates to the inbox (before Telegram is told they arrived) and take
    out the finished ones."""
    async with db.transaction(deps.session_factory()) as session:
        await update_records.remember(session, updates=fetched, now=deps.clock.now())
        await update_records.forget(session, update_ids=finished)


async def replay_unhandled(app: Application, deps: Deps, inbox: Inbox) -> None:  # type: ignore[type-arg]
    """Queue the updates an earlier process fetched but did not finish (Telegram's second
    copies of them are then dropped on arrival)."""
    async with deps.session_factory()() as session:
        payloads = await update_records.unfinished(session)
    for payload in payloads:
        update = Update.de_json(payload, app.bot)
        inbox.replayed[update.update_id] = update
        await app.update_queue.put(update)
    if payloads:
        log.info("replaying %d updates left unhandled by an earlier process", len(payloads))


async def notify_saving(bot: Bot, deps: Deps, updates: Sequence[Update]) -> None:
    """Tell each sender of ``updates`` (once per chat) that their answer is being saved."""
    chats: dict[int, str | None] = {}
    for update in updates:
        if update.effective_chat is not None:
            user = update.effective_user
            chats.setdefault(update.effective_chat.id, user.language_code if user else None)
    for chat_id, language in chats.items():
        t = deps.translator(pick_language(language, deps.settings.default_language))
        try:
            await bot.send_message(chat_id, t("common.saving"), parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.warning("could not tell chat %s its answer is being saved: %s", chat_id, exc)


def build_application(
    settings: Settings, *, clock: Clock | None = None, deps: Deps | None = None, **_: Any
) -> BotApplication:
    """Build the Application with every handler; the database opens in post_init."""
    deps = deps or make_deps(settings, clock=clock)
    token = settings.require_token().get_secret_value()

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        await open_database(deps)
        deps.bot_username = app.bot.username
        await replay_unhandled(app, deps, inbox)
        t = deps.translator("id")
        commands = [BotCommand(c, t.plain(f"command.{c}")) for c in COMMANDS]
        await app.bot.set_my_commands(commands)
        t_en = deps.translator("en")
        commands_en = [BotCommand(c, t_en.plain(f"command.{c}")) for c in COMMANDS]
        await app.bot.set_my_commands(commands_en, language_code="en")
        sweep.schedule(app, deps)

    async def post_shutdown(_app: Application) -> None:  # type: ignore[type-arg]
        await inbox.drain()
        await close_database(deps)

    async def tell_saving(updates: Sequence[Update]) -> None:
        await notify_saving(bot, deps, updates)

    inbox = Inbox(keeper=partial(keep_updates, deps), slow_notice=tell_saving)
    bot = DurableBot(
        token,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        request=AiohttpRequest(
            connection_pool_size=32, timeout=SEND_TIMEOUT, media_timeout=SEND_TIMEOUT * 2
        ),
        get_updates_request=AiohttpRequest(connection_pool_size=1, timeout=SEND_TIMEOUT),
        inbox=inbox,
    )
    app = cast(
        BotApplication,
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(PerChatUpdateProcessor(inbox))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build(),
    )
    app.bot_data[DEPS_KEY] = deps
    start.register(app)
    registration.register(app)
    status.register(app)
    review.register(app)
    revisions.register(app)
    people.register(app)
    lists.register(
        app,
        {"mine": status.mine_screen, "queue": review.queue_screen, "users": people.users_screen},
    )
    evaluator.register(app)
    monev_handlers.register(app)
    schedule_handlers.register(app)
    flow.register(app)
    errors.register(app)
    return app
