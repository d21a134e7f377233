"""/inovasiku and /status KODE: where things stand, scoped by role."""

from __future__ import annotations

import asyncio
import logging
import re

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import revision_views, views
from bot.context import BotContext
from bot.forms.engine import Button, Screen
from bot.i18n import Translator
from bot.render import send_file, show
from handlers.common import current_user, onboarding_gate, translator, unit_of_work
from models.ids import parse_id
from models.services import innovations as inno
from models.services import review
from models.tables import Innovation, Status, User

log = logging.getLogger(__name__)
PER_PAGE = 10
CODE = re.compile(r"\bINO-\d{4}-\d{4,}\b", re.IGNORECASE)


async def card(
    session: AsyncSession, context: BotContext, user: User, innovation: Innovation
) -> Screen:
    """Return an innovation's card with the buttons this viewer may use."""
    t = translator(context, user)
    text = await views.status_card(session, context.deps, t, innovation)
    rows: list[list[Button]] = []
    if innovation.owner_id == user.id and innovation.status in inno.EDITABLE:
        key = "card.fix" if innovation.status == Status.DIKEMBALIKAN else "card.continue"
        rows.append([Button(t.plain(key), f"draft:{innovation.id}")])
    rows += await revision_views.card_rows(session, t, user, innovation)
    if innovation.status == Status.DIAJUKAN and await review.can_review(session, user, innovation):
        rows.append(
            [
                Button(t.plain("review.verify"), f"rv:v:{innovation.id}"),
                Button(t.plain("review.return"), f"rv:k:{innovation.id}"),
            ]
        )
        rows.append([Button(t.plain("review.stop"), f"rv:h:{innovation.id}")])
    rows.append(
        [
            Button(t.plain("card.read_full"), f"rd:t:{innovation.id}"),
            Button(
                t.plain("card.evidence", count=len(innovation.attachments)),
                f"rd:f:{innovation.id}",
            ),
        ]
    )
    return Screen(text, rows)


async def mine_screen(session: AsyncSession, t: Translator, user: User, page: int) -> Screen:
    """Return one page of the innovations this user may see."""
    result = await review.list_visible(session, user=user, page=page, per_page=PER_PAGE)
    if not result.total:
        return Screen(t("mine.empty"))
    items = [(views.item_label(t, i), f"st:{i.id}") for i in result.items]
    title = t(f"mine.title_{user.role}", total=result.total)
    return views.paged_list(t, title, items, page=result.page, pages=result.pages, list_key="mine")


async def mine(update: Update, context: BotContext) -> None:
    """List the user's innovations (a verifikator: the unit's; an admin: all) with status."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        screens = await onboarding_gate(session, context, user)
        if screens is None:
            screens = [await mine_screen(session, translator(context, user), user, 0)]
    await show(update, context, screens)


async def open_by_code(
    session: AsyncSession, context: BotContext, user: User, code: str
) -> list[Screen]:
    """Return the card of a visible innovation, or "not found" (also for others' codes)."""
    t = translator(context, user)
    innovation = await review.find_visible(session, user=user, code=code)
    if innovation is None:
        return [Screen(t("card.not_found", code=code.upper()))]
    return [await card(session, context, user, innovation)]


async def status_command(update: Update, context: BotContext) -> None:
    """Show one innovation's card: /status INO-2026-0001."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        screens = await onboarding_gate(session, context, user)
        if screens is None:
            found = CODE.search(" ".join(context.args or []))
            if found is None:
                screens = [Screen(translator(context, user)("card.usage"))]
            else:
                screens = await open_by_code(session, context, user, found.group(0))
    await show(update, context, screens)


async def open_card(update: Update, context: BotContext) -> None:
    """Open a card from a list button."""
    query = update.callback_query
    assert query is not None and query.data is not None
    innovation_id = parse_id(query.data.removeprefix("st:"))
    notice = None
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        innovation = None
        if innovation_id is not None:
            innovation = await review.find_visible(session, user=user, innovation_id=innovation_id)
        if innovation is None:
            notice = translator(context, user)("common.stale")
            screens = []
        else:
            screens = [await card(session, context, user, innovation)]
    await query.answer(notice)
    await show(update, context, screens)


async def read(update: Update, context: BotContext) -> None:
    """📖 Read in full (the long texts, cut under Telegram's limit) or 📎 the evidence files
    (sent as files named for what they are); only for whoever may see the innovation."""
    query = update.callback_query
    assert query is not None and query.data is not None
    action, _, raw_id = query.data.removeprefix("rd:").partition(":")
    innovation_id = parse_id(raw_id)
    notice = None
    screens: list[Screen] = []
    files: list[views.EvidenceFile] = []
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        try:
            if innovation_id is None or action not in ("t", "f"):
                raise review.NotAllowed
            innovation = await review.readable(session, user=user, innovation_id=innovation_id)
        except review.NotAllowed:
            notice = t("common.stale")
        else:
            code = innovation.code or t.plain("status.no_code")
            if action == "t":
                screens = [Screen(text) for text in views.full_texts(t, innovation)]
            else:
                files = views.evidence_files(t, innovation)
                if not files:
                    screens = [Screen(t("evidence.none", code=code))]
    await query.answer(notice)
    await show(update, context, screens)
    if files:
        await _send_evidence(update, context, t, files)


async def _send_evidence(
    update: Update, context: BotContext, t: Translator, files: list[views.EvidenceFile]
) -> None:
    chat = update.effective_chat
    assert chat is not None
    gone = []
    for item in files:
        path = context.deps.files_dir / item.path
        try:
            data = await asyncio.to_thread(path.read_bytes)
            await send_file(
                context, chat.id, data, filename=item.filename, caption=item.caption,
                photo=item.photo,
            )  # fmt: skip
        except (OSError, BadRequest) as exc:
            log.warning("evidence file %s not sent: %s", item.path, exc)
            gone.append(item.filename)
    if gone:
        await show(update, context, [Screen(t("evidence.missing", names=", ".join(gone)))])


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this module's handlers."""
    app.add_handler(CommandHandler(["inovasiku", "mine"], mine))
    app.add_handler(CommandHandler("status", status_command))
    app.add_handler(CallbackQueryHandler(open_card, pattern=r"^st:"))
    app.add_handler(CallbackQueryHandler(read, pattern=r"^rd:"))
