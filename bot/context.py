"""The typed callback context every handler receives."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.deps import Deps

DEPS_KEY = "deps"


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[str, Any]]):
    """CallbackContext with typed access to the bot's dependencies."""

    @property
    def deps(self) -> Deps:
        """Return settings, database, texts, master data and clock."""
        deps = self.bot_data[DEPS_KEY]
        assert isinstance(deps, Deps)
        return deps


BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[str, Any], Any
]
