"""The Bot API methods on messages: sending text, editing text, captions and inline
keyboards, deleting, and answering the callback queries of inline buttons."""

from __future__ import annotations

from typing import Any

from bot.simulator.chats import SimulatorState, _Chat
from bot.simulator.limits import (
    MAX_CALLBACK_ANSWER_LENGTH,
    NOT_MODIFIED,
    QUERY_INVALID,
    _Markup,
    caption_content,
    check_reply_target,
    reply_markup,
    target_message_id,
    text_content,
)
from bot.simulator.records import BotApiError, CallbackAnswer, SentMessage, _now


class MessageMethods(SimulatorState):
    """Send, edit and delete the bot's messages; answer callback queries."""

    def _deliver(self, chat: _Chat, message: SentMessage, markup: _Markup) -> dict[str, Any]:
        if markup.keyboard_change:
            chat.reply_keyboard = markup.reply_keyboard
            chat.reply_keyboard_one_time = markup.one_time
            chat.contact_buttons = markup.contact_buttons
            message.reply_keyboard = markup.reply_keyboard
        chat.messages.append(message)
        self._notify("sent", message)
        return self.message_json(message)

    async def _send_message(self, params: dict[str, Any]) -> Any:
        chat = self._chat_from(params)
        raw, plain, entities, mode = text_content(params)
        markup = reply_markup(params, edit=False)
        check_reply_target(params, chat)
        message = SentMessage(
            message_id=chat.new_message_id(),
            chat_id=chat.chat_id,
            text=plain,
            html=raw,
            parse_mode=mode,
            buttons=markup.buttons,
            entities=entities,
            date=_now(),
            inline_keyboard=markup.inline_keyboard,
        )
        return self._deliver(chat, message, markup)

    def _editable(self, params: dict[str, Any]) -> SentMessage:
        message_id = target_message_id(params)
        chat = self._chat_from(params)
        message = chat.find(message_id)
        if message is None:
            if message_id in chat.user_message_ids:
                raise BotApiError(400, "Bad Request: message can't be edited")
            raise BotApiError(400, "Bad Request: message to edit not found")
        return message

    def _apply_edit(
        self,
        message: SentMessage,
        *,
        raw: str,
        plain: str,
        entities: list[dict[str, Any]],
        mode: str | None,
        markup: _Markup,
    ) -> dict[str, Any]:
        if (
            plain == message.text
            and entities == message.entities
            and markup.inline_keyboard == message.inline_keyboard
        ):
            raise BotApiError(400, NOT_MODIFIED)
        message.text = plain
        message.html = raw
        message.entities = entities
        message.parse_mode = mode
        message.buttons = markup.buttons
        message.inline_keyboard = markup.inline_keyboard
        message.edited = True
        message.edit_date = _now()
        self._notify("edited", message)
        return self.message_json(message)

    async def _edit_message_text(self, params: dict[str, Any]) -> Any:
        message = self._editable(params)
        if message.kind != "text":
            raise BotApiError(400, "Bad Request: there is no text in the message to edit")
        raw, plain, entities, mode = text_content(params)
        markup = reply_markup(params, edit=True)
        return self._apply_edit(
            message, raw=raw, plain=plain, entities=entities, mode=mode, markup=markup
        )

    async def _edit_message_caption(self, params: dict[str, Any]) -> Any:
        message = self._editable(params)
        if message.kind == "text":
            raise BotApiError(400, "Bad Request: there is no caption in the message to edit")
        raw, plain, entities, mode = caption_content(params)
        markup = reply_markup(params, edit=True)
        return self._apply_edit(
            message, raw=raw, plain=plain, entities=entities, mode=mode, markup=markup
        )

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> Any:
        message = self._editable(params)
        markup = reply_markup(params, edit=True)
        return self._apply_edit(
            message,
            raw=message.html,
            plain=message.text,
            entities=message.entities,
            mode=message.parse_mode,
            markup=markup,
        )

    async def _delete_message(self, params: dict[str, Any]) -> Any:
        message_id = target_message_id(params)
        chat = self._chat_from(params, sending=False)
        message = chat.find(message_id)
        if message is not None:
            message.deleted = True
            self._notify("deleted", message)
            return True
        if message_id in chat.user_message_ids:
            chat.user_message_ids.discard(message_id)
            return True
        raise BotApiError(400, "Bad Request: message to delete not found")

    async def _answer_callback_query(self, params: dict[str, Any]) -> Any:
        query_id = params.get("callback_query_id")
        if not isinstance(query_id, str) or query_id not in self._pending_queries:
            raise BotApiError(400, QUERY_INVALID)
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise BotApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        user_id = self._pending_queries.pop(query_id)
        url = params.get("url")
        self.callback_answers.append(
            CallbackAnswer(
                query_id=query_id,
                user_id=user_id,
                text=text if isinstance(text, str) and text else None,
                show_alert=bool(params.get("show_alert")),
                url=url if isinstance(url, str) else None,
            )
        )
        return True
