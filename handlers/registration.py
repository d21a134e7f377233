"""/baru, /draf and /batal: start, resume and leave the registration flow."""

from __future__ import annotations

from datetime import tzinfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.deadline_views import RESUME_DRAFT
from bot.forms import runner
from bot.forms.definitions import ONBOARDING, REGISTRATION
from bot.forms.engine import Button, Screen
from bot.forms.monev import MONEV
from bot.i18n import Translator
from bot.render import show
from handlers.common import current_user, onboarding_gate, translator, unit_of_work
from models.ids import parse_id
from models.services import flows as flow_states
from models.services import innovations as inno
from models.services.files import discard_after_commit
from models.tables import Innovation, User

DRAFT_PREFIX = RESUME_DRAFT
# what /batal says, by the flow it leaves (others keep nothing to come back to)
CANCELLED = {
    REGISTRATION.name: "common.cancelled",
    MONEV.name: "common.cancelled_monev",
    ONBOARDING.name: "common.not_onboarded",
}
MAX_DRAFTS_SHOWN = 30


async def new(update: Update, context: BotContext) -> None:
    """Ask the first question of a new registration; in the middle of one, ask whether to
    continue it or start another."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        screens = await onboarding_gate(session, context, user)
        if screens is None:
            t = translator(context, user)
            open_draft = await runner.open_registration(session, user)
            if open_draft is not None:
                screens = [_continue_or_another(t, open_draft)]
            else:
                prompt = await runner.start_registration(session, context.deps, user)
                screens = [Screen(t("reg.started")), *prompt]
    await show(update, context, screens)


def _draft_name(t: Translator, innovation: Innovation) -> str:
    return (innovation.code + " " if innovation.code else "") + (
        innovation.nama_inovasi or t.plain("reg.untitled")
    )


def _continue_or_another(t: Translator, innovation: Innovation) -> Screen:
    name = _draft_name(t, innovation)
    buttons = [
        [Button(t.plain("reg.continue_draft", name=name), f"{DRAFT_PREFIX}{innovation.id}")],
        [Button(t.plain("reg.start_another"), f"{DRAFT_PREFIX}new")],
    ]
    return Screen(t("reg.open_draft_question", name=name), buttons)


async def drafts(update: Update, context: BotContext) -> None:
    """List the user's drafts as buttons, each with a delete button if never submitted."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        screens = await onboarding_gate(session, context, user)
        if screens is None:
            t = translator(context, user)
            items = await inno.list_drafts(session, owner_id=user.id)
            screens = [_drafts_screen(t, items[:MAX_DRAFTS_SHOWN], context.deps.policy.zone)]
    await show(update, context, screens)


def _drafts_screen(t: Translator, items: list[Innovation], zone: tzinfo) -> Screen:
    rows = []
    for i in items:
        label = t.plain(
            "reg.draft_button",
            name=_draft_name(t, i),
            updated=t.date(i.updated_at.astimezone(zone).date()),
        )
        row = [Button(label, f"{DRAFT_PREFIX}{i.id}")]
        if inno.deletable(i):
            row.append(Button(t.plain("reg.draft_delete_button"), f"{DRAFT_PREFIX}del:{i.id}"))
        rows.append(row)
    return Screen(t("reg.drafts_title") if rows else t("reg.drafts_none"), rows)


async def open_draft(update: Update, context: BotContext) -> None:
    """Resume the chosen draft where it stopped, start another one, or delete one."""
    query = update.callback_query
    assert query is not None and query.data is not None
    action, _, raw = query.data.removeprefix(DRAFT_PREFIX).rpartition(":")
    draft_id = parse_id(raw)
    notice = None
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        screens = await onboarding_gate(session, context, user)
        if screens is None and not action and raw == "new":
            prompt = await runner.start_registration(session, context.deps, user)
            screens = [Screen(t("reg.started")), *prompt]
        elif screens is None:
            found = None
            if draft_id is not None and action in ("del", "dely"):
                found = await _delete(session, context, user, draft_id, confirmed=action == "dely")
            elif draft_id is not None and not action:
                found = await runner.resume_draft(session, context.deps, user, draft_id)
            if found is None:
                key = "common.stale" if draft_id is None else "reg.draft_not_found"
                notice = t(key)
            screens = found or []
    await query.answer(notice)
    await show(update, context, screens)


async def _delete(
    session: AsyncSession, context: BotContext, user: User, draft_id: int, *, confirmed: bool
) -> list[Screen] | None:
    """Ask to confirm, then delete a never-submitted draft and its files."""
    t = translator(context, user)
    draft = await inno.get_owned(session, owner=user, innovation_id=draft_id)
    if draft is None or not inno.deletable(draft):
        return None
    name = _draft_name(t, draft)
    if not confirmed:
        buttons = [
            [
                Button(t.plain("reg.delete_yes"), f"{DRAFT_PREFIX}dely:{draft.id}"),
                Button(t.plain("reg.delete_no"), "noop"),
            ]
        ]
        return [Screen(t("reg.draft_delete_confirm", name=name), buttons)]
    paths = await inno.delete_draft(session, draft)
    await flow_states.remove_for_target(session, flow=REGISTRATION.name, target_id=draft_id)
    discard_after_commit(session, context.deps.files_dir, paths)
    left = await inno.list_drafts(session, owner_id=user.id)
    zone = context.deps.policy.zone
    return [
        Screen(t("reg.draft_deleted", name=name)),
        _drafts_screen(t, left[:MAX_DRAFTS_SHOWN], zone),
    ]


async def cancel(update: Update, context: BotContext) -> None:
    """Leave the current flow; the draft stays."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        flow = await runner.leave(session, user)
        key = CANCELLED.get(flow, "common.cancelled_other") if flow else "common.nothing_to_cancel"
        text = t(key)
    await show(update, context, [Screen(text)])


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this module's handlers."""
    app.add_handler(CommandHandler(["baru", "new"], new))
    app.add_handler(CommandHandler(["draf", "drafts"], drafts))
    app.add_handler(CommandHandler(["batal", "cancel"], cancel))
    app.add_handler(CallbackQueryHandler(open_draft, pattern=f"^{DRAFT_PREFIX}"))
