"""People: invites (/undang), the user list (/pengguna), personal data (/dataku)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import views
from bot.context import BotContext
from bot.forms import runner
from bot.forms.definitions import INVITE, USER_ROLE
from bot.forms.engine import Button, Notice, Outcome, Screen
from bot.forms.profile import EDIT_PREFIX, personal_data_screen, start_profile_edit
from bot.i18n import Raw, Translator
from bot.render import show
from handlers.common import (
    current_user,
    onboarding_gate,
    reply,
    translator,
    unit_of_work,
)
from models.ids import parse_id
from models.services import monev, people
from models.services import users as user_service
from models.tables import Role, Unit, User

PER_PAGE = 10


async def invite(update: Update, context: BotContext) -> None:
    """Start the invite flow (admins only)."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        screens = await onboarding_gate(session, context, user, Role.ADMIN)
        if screens is None:
            screens = await runner.begin(session, context.deps, user, INVITE)
    await show(update, context, screens)


async def users_screen(session: AsyncSession, t: Translator, user: User, page: int) -> Screen:
    """Return one page of the user list (only for admins)."""
    if user.role != Role.ADMIN:
        return Screen(t("common.admin_only"))
    result = await people.list_users(session, page=page, per_page=PER_PAGE)
    items = [
        (
            t.plain(
                "people.user_item",
                name=u.name or "?",
                role=t.plain(f"role.{u.role}"),
                unit=u.unit.code if u.unit else "-",
            ),
            f"us:{u.id}",
        )
        for u in result.items
    ]
    title = t("people.users_title", total=result.total)
    return views.paged_list(t, title, items, page=result.page, pages=result.pages, list_key="users")


async def users(update: Update, context: BotContext) -> None:
    """List users (admins only)."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        screens = await onboarding_gate(session, context, user, Role.ADMIN)
        if screens is None:
            screens = [await users_screen(session, t, user, 0)]
    await show(update, context, screens)


async def user_card(update: Update, context: BotContext) -> None:
    """Show one user to an admin, with a button to change role or unit."""
    query = update.callback_query
    assert query is not None and query.data is not None
    action, raw_id = query.data.split(":", 1)
    target_id = parse_id(raw_id)
    notice = None
    screens: list[Screen] = []
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        target = await session.get(User, target_id) if target_id is not None else None
        if user.role != Role.ADMIN or target is None or target.deleted_at is not None:
            notice = t("common.stale")
        elif action == "ur":
            screens = await runner.begin(
                session, context.deps, user, USER_ROLE, target_id=target.id
            )
        else:
            unit = await session.get(Unit, target.unit_id) if target.unit_id else None
            text = t(
                "people.user_card",
                name=Raw(views.person(t, target)),
                role=t.plain(f"role.{target.role}"),
                unit=t.plain("form.unit_code", name=unit.name, code=unit.code) if unit else "-",
                nip=target.nip or "-",
                phone=target.phone or "-",
            )
            if user_service.admin_by_settings(target, context.deps.settings.admin_telegram_ids):
                text += "\n" + t("people.settings_admin")
            screens = [Screen(text, [[Button(t.plain("people.change_role"), f"ur:{target.id}")]])]
    await query.answer(notice)
    await show(update, context, screens)


async def my_data(update: Update, context: BotContext) -> None:
    """Show what the bot stores about the user, with buttons to change or erase it."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        screen = await personal_data_screen(session, context.deps, t, user)
    await show(update, context, [screen])


async def change_data(update: Update, context: BotContext) -> None:
    """Ask for a new name, unit, NIP or phone number (one step, saved at once)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    field = query.data.removeprefix(EDIT_PREFIX)
    outcome = Outcome()
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        screens = None
        if user.deleted_at is None:
            screens = await start_profile_edit(session, context.deps, user, field)
        if screens is None:
            outcome.notice = translator(context, user)("common.stale")
        else:
            outcome.screens = screens
    await query.answer(outcome.notice)
    await reply(update, context, outcome)


async def erase(update: Update, context: BotContext) -> None:
    """Ask to confirm, then erase the user's personal data and tell the admins."""
    query = update.callback_query
    assert query is not None and query.data is not None
    outcome = Outcome()
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        if query.data == "me:erase":
            buttons = [
                [
                    Button(t.plain("privacy.erase_yes"), "me:erase-yes"),
                    Button(t.plain("reg.delete_no"), "me:erase-no"),
                ]
            ]
            outcome.screens = [Screen(t("privacy.erase_confirm"), buttons)]
        elif query.data == "me:erase-yes" and user.deleted_at is None:
            person_id = user.id
            await people.erase_personal_data(session, user, now=context.deps.clock.now())
            recipients = await monev.notice_recipients(session, unit_id=None, exclude=person_id)
            for admin in recipients.users:
                assert admin.telegram_id is not None
                ta = context.deps.translator(admin.language)
                text = ta("privacy.admin_notice", id=str(person_id))
                outcome.notices.append(Notice(admin.telegram_id, Screen(text)))
            told = views.told(t, recipients)
            outcome.screens = [Screen(t("privacy.erased") + "\n\n" + told)]
        elif query.data == "me:erase-no":
            outcome.screens = [Screen(t("privacy.kept"))]
        else:
            outcome.notice = t("common.stale")
    await query.answer(outcome.notice)
    await reply(update, context, outcome)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this module's handlers."""
    app.add_handler(CommandHandler(["undang", "invite"], invite))
    app.add_handler(CommandHandler(["pengguna", "users"], users))
    app.add_handler(CommandHandler(["dataku", "mydata"], my_data))
    app.add_handler(CallbackQueryHandler(user_card, pattern=r"^(us|ur):"))
    app.add_handler(CallbackQueryHandler(change_data, pattern=f"^{EDIT_PREFIX}"))
    app.add_handler(CallbackQueryHandler(erase, pattern=r"^me:erase"))
