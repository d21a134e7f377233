"""The simulated users: each acts as one Telegram user in a private chat with the bot,
sending text, files, photos, locations and contacts, pressing buttons and tapping keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.simulator.html import utf16_len
from bot.simulator.records import Button, CallbackAnswer, SentMessage, _now

if TYPE_CHECKING:
    from bot.simulator.chats import _Chat
    from bot.simulator.server import BotApiSimulator


class SimUser:
    """Act as one Telegram user in a private chat with the bot."""

    def __init__(
        self,
        sim: BotApiSimulator,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        self.sim = sim
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.timeout: float | None = None
        # the number Telegram shares for a "share my number" button
        self.phone_number = f"+62812{user_id % 10**8:08d}"

    @property
    def chat_id(self) -> int:
        """Return the id of the private chat with the bot (equal to the user id)."""
        return self.id

    @property
    def messages(self) -> list[SentMessage]:
        """Return every bot message in this chat, deleted ones included."""
        return self.sim.messages(self.chat_id)

    @property
    def last(self) -> SentMessage:
        """Return the latest bot message in this chat that is not deleted."""
        for message in reversed(self.messages):
            if not message.deleted:
                return message
        raise AssertionError(f"the bot has sent no message to user {self.id}")

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Return the reply keyboard the bot currently shows to this user."""
        return self.sim.reply_keyboard(self.chat_id)

    @property
    def last_callback_answer(self) -> CallbackAnswer | None:
        """Return the latest answerCallbackQuery the bot made to this user."""
        for answer in reversed(self.sim.callback_answers):
            if answer.user_id == self.id:
                return answer
        return None

    def to_json(self) -> dict[str, Any]:
        """Return this user as a Telegram User object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def latest_with_buttons(self) -> SentMessage | None:
        """Return the latest undeleted bot message that has an inline keyboard."""
        for message in reversed(self.messages):
            if message.buttons and not message.deleted:
                return message
        return None

    def _chat(self) -> _Chat:
        return self.sim._chats[self.chat_id]

    def _base_message(self, chat: _Chat) -> dict[str, Any]:
        message_id = chat.new_message_id()
        chat.user_message_ids.add(message_id)
        return {
            "message_id": message_id,
            "date": _now(),
            "chat": self.sim._chat_json(chat),
            "from": self.to_json(),
        }

    async def _inject(self, kind: str, payload: dict[str, Any]) -> int | None:
        self._chat().started = True
        self.sim.unblock(self.id)
        return await self.sim._enqueue(kind, payload)

    async def _act(self, kind: str, payload: dict[str, Any]) -> list[SentMessage]:
        sim = self.sim
        start = len(sim._events)
        update_id = await self._inject(kind, payload)
        if update_id is None:
            return []
        await sim._wait_handled(update_id, self.timeout)
        return sim._collect(self.chat_id, start)

    def _message_payload(self, content: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat()
        payload = self._base_message(chat)
        payload.update(content)
        if chat.reply_keyboard_one_time:
            chat.reply_keyboard = None
            chat.reply_keyboard_one_time = False
        return payload

    async def _send_message(self, content: dict[str, Any]) -> list[SentMessage]:
        return await self._act("message", self._message_payload(content))

    async def _fire_message(self, content: dict[str, Any]) -> int | None:
        return await self._inject("message", self._message_payload(content))

    def _text_content(self, text: str, reply_to: SentMessage | None) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        command = text.split(maxsplit=1)[0] if text.strip() else ""
        if command.startswith("/") and len(command) > 1:
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        if reply_to is not None:
            content["reply_to_message"] = self.sim.message_json(reply_to)
        return content

    async def send(self, text: str, *, reply_to: SentMessage | None = None) -> list[SentMessage]:
        """Send a text message and return the bot messages sent or edited while handling it."""
        return await self._send_message(self._text_content(text, reply_to))

    @staticmethod
    def _find_button(message: SentMessage, label: str) -> Button:
        buttons = message.all_buttons()
        exact = [b for b in buttons if b.text == label]
        if exact:
            return exact[0]
        partial = [b for b in buttons if label.casefold() in b.text.casefold()]
        if len(partial) == 1:
            return partial[0]
        labels = message.button_labels()
        if partial:
            raise AssertionError(
                f"label {label!r} matches several buttons of message {message.message_id}: "
                f"{[b.text for b in partial]}"
            )
        raise AssertionError(
            f"no button {label!r} in message {message.message_id}; available: {labels}"
        )

    def _button_target(self, label: str, message: SentMessage | None) -> tuple[str, SentMessage]:
        target = message if message is not None else self.latest_with_buttons()
        if target is None:
            raise AssertionError(f"no message with inline buttons in chat {self.chat_id}")
        button = self._find_button(target, label)
        if button.callback_data is None:
            raise AssertionError(f"button {button.text!r} has no callback_data (url={button.url})")
        return button.callback_data, target

    async def press(self, label: str, *, message: SentMessage | None = None) -> list[SentMessage]:
        """Press the inline button labelled label and return the bot messages it caused."""
        data, target = self._button_target(label, message)
        return await self.press_data(data, message=target)

    def _callback_payload(self, data: str, message: SentMessage | None) -> dict[str, Any]:
        target = message if message is not None else self.latest_with_buttons()
        if target is None:
            target = self.last
        if target.chat_id != self.chat_id:
            raise AssertionError(f"message {target.message_id} is not in chat {self.chat_id}")
        if target.deleted:
            raise AssertionError(f"message {target.message_id} was deleted by the bot")
        sim = self.sim
        query_id = f"{self.id}{sim._next_query:08d}"
        sim._next_query += 1
        sim._pending_queries[query_id] = self.id
        return {
            "id": query_id,
            "from": self.to_json(),
            "message": sim.message_json(target),
            "chat_instance": f"{self.chat_id}0",
            "data": data,
        }

    async def press_data(self, data: str, message: SentMessage | None = None) -> list[SentMessage]:
        """Send a callback query with raw data from message (default: latest with buttons)."""
        return await self._act("callback_query", self._callback_payload(data, message))

    def _photo_content(self, data: bytes, caption: str | None) -> dict[str, Any]:
        content: dict[str, Any] = {"photo": self.sim._photo_sizes(data)}
        if caption:
            content["caption"] = caption
        return content

    async def send_photo(self, data: bytes, caption: str | None = None) -> list[SentMessage]:
        """Send a photo and return the bot messages sent or edited while handling it."""
        return await self._send_message(self._photo_content(data, caption))

    def _document_content(
        self,
        filename: str,
        data: bytes,
        mime_type: str,
        caption: str | None,
        declared_size: int | None,
    ) -> dict[str, Any]:
        stored = self.sim.store_file(
            data, filename=filename, mime=mime_type, folder="documents", size=declared_size
        )
        content: dict[str, Any] = {"document": self.sim._document_json(stored)}
        if caption:
            content["caption"] = caption
        return content

    async def send_document(
        self,
        filename: str,
        data: bytes,
        mime_type: str,
        caption: str | None = None,
        declared_size: int | None = None,
    ) -> list[SentMessage]:
        """Send a file; declared_size fakes a larger file without holding its bytes."""
        content = self._document_content(filename, data, mime_type, caption, declared_size)
        return await self._send_message(content)

    @staticmethod
    def _location_content(latitude: float, longitude: float) -> dict[str, Any]:
        return {"location": {"latitude": latitude, "longitude": longitude}}

    async def send_location(self, latitude: float, longitude: float) -> list[SentMessage]:
        """Share a location."""
        return await self._send_message(self._location_content(latitude, longitude))

    def _contact_content(
        self, phone_number: str, first_name: str | None, user_id: int | None
    ) -> dict[str, Any]:
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.first_name,
        }
        if user_id is not None:
            contact["user_id"] = user_id
        return {"contact": contact}

    async def send_contact(
        self, phone_number: str, first_name: str | None = None, user_id: int | None = None
    ) -> list[SentMessage]:
        """Share a contact (by default the user's own name)."""
        return await self._send_message(self._contact_content(phone_number, first_name, user_id))

    async def tap(self, label: str) -> list[SentMessage]:
        """Tap a button of the reply keyboard: a "share my number" button sends the user's own
        contact (``phone_number``), any other sends its label as text."""
        keyboard = self.reply_keyboard or []
        if label not in [text for row in keyboard for text in row]:
            raise AssertionError(f"no keyboard button {label!r}; the keyboard is {keyboard}")
        if label in self._chat().contact_buttons:
            return await self.send_contact(self.phone_number, user_id=self.id)
        return await self.send(label)

    async def send_sticker(self) -> list[SentMessage]:
        """Send a sticker, an input kind most bot flows do not expect."""
        stored = self.sim.store_file(
            b"RIFF\x00\x00\x00\x00WEBP",
            filename="sticker.webp",
            mime="image/webp",
            folder="stickers",
        )
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "file_size": stored.size,
        }
        return await self._send_message({"sticker": sticker})

    # ------------------------------------------------------------------ non-waiting injection
    # The fire_* methods put the update in the getUpdates queue and return its update_id at
    # once (None if the bot's allowed_updates filter it out), without waiting for the bot.
    # Observe the answers with BotApiSimulator.add_listener or add_call_listener; unlike
    # send()/press(), they suit many concurrent users and per-update latency measurements.

    async def fire_text(self, text: str, *, reply_to: SentMessage | None = None) -> int | None:
        """Inject a text message without waiting; return its update_id."""
        return await self._fire_message(self._text_content(text, reply_to))

    async def fire_press(self, label: str, *, message: SentMessage | None = None) -> int | None:
        """Press the button labelled label without waiting; return the update_id."""
        data, target = self._button_target(label, message)
        return await self.fire_data(data, message=target)

    async def fire_data(self, data: str, message: SentMessage | None = None) -> int | None:
        """Inject a callback query with raw data without waiting; return its update_id."""
        return await self._inject("callback_query", self._callback_payload(data, message))

    async def fire_photo(self, data: bytes, caption: str | None = None) -> int | None:
        """Inject a photo without waiting; return its update_id."""
        return await self._fire_message(self._photo_content(data, caption))

    async def fire_document(
        self,
        filename: str,
        data: bytes,
        mime_type: str,
        caption: str | None = None,
        declared_size: int | None = None,
    ) -> int | None:
        """Inject a file without waiting; return its update_id."""
        content = self._document_content(filename, data, mime_type, caption, declared_size)
        return await self._fire_message(content)

    async def fire_location(self, latitude: float, longitude: float) -> int | None:
        """Inject a shared location without waiting; return its update_id."""
        return await self._fire_message(self._location_content(latitude, longitude))

    async def fire_contact(
        self, phone_number: str, first_name: str | None = None, user_id: int | None = None
    ) -> int | None:
        """Inject a shared contact without waiting; return its update_id."""
        return await self._fire_message(self._contact_content(phone_number, first_name, user_id))
