"""/start (onboarding, invites, the menu) and /bantuan."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import views
from bot.context import BotContext
from bot.forms import runner
from bot.forms.engine import Screen
from bot.render import show
from handlers.common import current_user, set_menu, translator, unit_of_work
from models.services import people
from models.services import units as unit_service
from models.tables import Role, User


async def _redeem(session: AsyncSession, context: BotContext, user: User, code: str) -> Screen:
    """Use an invite and say the role and unit the user has afterwards, as stored."""
    t = translator(context, user)
    key = "people.your_role"
    try:
        await people.redeem_invite(
            session, user=user, code=code, now=context.deps.clock.now(),
            admin_ids=context.deps.settings.admin_telegram_ids,
        )  # fmt: skip
    except people.InviteError as exc:
        if exc.reason not in ("own", "by_settings", "already"):
            return Screen(t(f"people.invite_{exc.reason}"))
        key = f"people.invite_{exc.reason}"
    await session.refresh(user)
    unit = await unit_service.get(session, user.unit_id) if user.unit_id else None
    return Screen(t(key, role=t.plain(f"role.{user.role}"), unit=unit.name if unit else "-"))


async def start(update: Update, context: BotContext) -> None:
    """Onboard a new user, redeem an invite code, or greet a known user with the menu."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        screens: list[Screen] = []
        if context.args:
            screens.append(await _redeem(session, context, user, context.args[0]))
        if not user.onboarded:
            screens.append(Screen(t("onb.welcome", pemda=context.deps.settings.pemda_name)))
            screens += await runner.start_onboarding(session, context.deps, user)
        else:
            text = t("menu.welcome_back", name=user.name or "") + "\n\n" + t("menu.body")
            screens.append(Screen(text))
        role, lang = user.role, user.language
    await show(update, context, screens)
    if role != Role.PENGUSUL and update.effective_chat:
        await set_menu(context, update.effective_chat.id, role, lang)


async def help_command(update: Update, context: BotContext) -> None:
    """Show the commands this user's role allows."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        parts = [t("menu.help")]
        if user.role in (Role.VERIFIKATOR, Role.ADMIN):
            parts.append(t("menu.help_verifier"))
        if user.role == Role.ADMIN:
            parts.append(t("menu.help_admin"))
        parts.append(views.helpdesk(t, context.deps))
        role, lang = user.role, user.language
    await show(update, context, [Screen("\n\n".join(parts))])
    if update.effective_chat:
        await set_menu(context, update.effective_chat.id, role, lang)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this module's handlers."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler(["bantuan", "help"], help_command))
