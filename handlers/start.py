"""/start (onboarding on first contact, then the menu) and /bantuan."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.context import BotContext
from bot.forms import runner
from bot.forms.engine import Screen
from bot.render import show
from handlers.common import current_user, translator, unit_of_work


async def start(update: Update, context: BotContext) -> None:
    """Onboard a new user, or greet a known one with the menu."""
    async with unit_of_work(context) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        if not user.onboarded:
            welcome = Screen(t("onb.welcome", pemda=context.deps.settings.pemda_name))
            screens = [welcome, *await runner.start_onboarding(session, context.deps, user)]
        else:
            text = t("menu.welcome_back", name=user.name or "") + "\n\n" + t("menu.body")
            screens = [Screen(text)]
    await show(update, context, screens)


async def help_command(update: Update, context: BotContext) -> None:
    """Show the commands."""
    async with unit_of_work(context) as session:
        user = await current_user(session, update, context)
        text = translator(context, user)("menu.help")
    await show(update, context, [Screen(text)])


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this module's handlers."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler(["bantuan", "help"], help_command))
