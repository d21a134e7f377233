"""The Bot API methods that set the bot up or ask about it: getMe, bot commands, the menu
button, webhook info, getChat, chat actions and the calls that only need an answer."""

from __future__ import annotations

import json
from typing import Any

from bot.simulator.chats import SimulatorState
from bot.simulator.limits import _CHAT_ACTIONS, _COMMAND_RE
from bot.simulator.records import BotApiError


class CommandMethods(SimulatorState):
    """Serve getMe, the bot's commands and menu button, getChat and the small calls."""

    def my_commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """Return the (command, description) pairs set for scope and language."""
        stored = self.commands.get((self._scope_key(scope), language_code), [])
        return [(c["command"], c["description"]) for c in stored]

    # ------------------------------------------------------------------ Bot API methods

    async def _ok(self, params: dict[str, Any]) -> Any:
        return True

    async def _get_me(self, params: dict[str, Any]) -> Any:
        return {
            **self.bot_user_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if not isinstance(scope, dict):
            return json.dumps({"type": "default"})
        return json.dumps(scope, sort_keys=True)

    async def _set_my_commands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise BotApiError(400, "Bad Request: can't parse commands JSON object")
        cleaned: list[dict[str, str]] = []
        for item in commands:
            if not isinstance(item, dict):
                raise BotApiError(400, "Bad Request: can't parse BotCommand JSON object")
            command = item.get("command")
            description = item.get("description")
            if not isinstance(command, str) or not _COMMAND_RE.fullmatch(command):
                raise BotApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise BotApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        language = params.get("language_code")
        key = (self._scope_key(params.get("scope")), language if isinstance(language, str) else "")
        self.commands[key] = cleaned
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> Any:
        language = params.get("language_code")
        key = (self._scope_key(params.get("scope")), language if isinstance(language, str) else "")
        return self.commands.get(key, [])

    async def _delete_my_commands(self, params: dict[str, Any]) -> Any:
        language = params.get("language_code")
        key = (self._scope_key(params.get("scope")), language if isinstance(language, str) else "")
        self.commands.pop(key, None)
        return True

    async def _set_chat_menu_button(self, params: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id")
        button = params.get("menu_button")
        if chat_id is not None and (not isinstance(chat_id, int) or chat_id not in self._chats):
            raise BotApiError(400, "Bad Request: chat not found")
        key = chat_id if isinstance(chat_id, int) else None
        self.menu_buttons[key] = button if isinstance(button, dict) else {"type": "default"}
        return True

    async def _get_chat_menu_button(self, params: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id")
        key = chat_id if isinstance(chat_id, int) else None
        return self.menu_buttons.get(key, self.menu_buttons.get(None, {"type": "commands"}))

    async def _get_chat(self, params: dict[str, Any]) -> Any:
        chat = self._chat_from(params, sending=False)
        return {**self._chat_json(chat), "accent_color_id": 0, "max_reaction_count": 11}

    async def _send_chat_action(self, params: dict[str, Any]) -> Any:
        self._chat_from(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise BotApiError(400, "Bad Request: wrong parameter action in request")
        return True
