"""Files and media: the files the server stores (uploads by users and by the bot), sending
documents and photos, and getFile with Telegram's download size limit."""

from __future__ import annotations

import mimetypes
from typing import Any

from bot.simulator.limits import (
    MAX_DOWNLOAD_SIZE,
    MAX_UPLOAD_SIZE,
    caption_content,
    check_reply_target,
    reply_markup,
)
from bot.simulator.messages import MessageMethods
from bot.simulator.records import BotApiError, Document, SentMessage, StoredFile, _now


class FileMethods(MessageMethods):
    """Store files and serve sendDocument, sendPhoto and getFile."""

    # ------------------------------------------------------------------ files

    def store_file(
        self, data: bytes, *, filename: str, mime: str, folder: str, size: int | None = None
    ) -> StoredFile:
        """Store file contents and return their record."""
        number = self._next_file
        self._next_file += 1
        suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        stored = StoredFile(
            file_id=f"SIM{folder[:3].upper()}{number:06d}",
            file_unique_id=f"U{number:06d}",
            file_path=f"{folder}/file_{number}.{suffix}",
            size=len(data) if size is None else size,
            data=data,
            mime=mime,
            filename=filename,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _document_json(stored: StoredFile) -> dict[str, Any]:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.filename,
            "mime_type": stored.mime,
            "file_size": stored.size,
        }

    def _photo_sizes(self, data: bytes, filename: str = "photo.jpg") -> list[dict[str, Any]]:
        sizes: list[dict[str, Any]] = []
        for width, height in ((90, 67), (800, 600)):
            stored = self.store_file(data, filename=filename, mime="image/jpeg", folder="photos")
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": stored.size,
                }
            )
        return sizes

    # ------------------------------------------------------------------ Bot API methods

    def _input_file(self, params: dict[str, Any], key: str) -> Document:
        value = params.get(key)
        if isinstance(value, Document):
            if not value.data:
                raise BotApiError(400, "Bad Request: file must be non-empty")
            if len(value.data) > MAX_UPLOAD_SIZE:
                raise BotApiError(413, "Request Entity Too Large")
            return value
        if isinstance(value, str) and value:
            stored = self.files.get(value)
            if stored is not None:
                return Document(stored.filename, stored.data, stored.mime)
            if value.startswith(("http://", "https://")):
                raise BotApiError(
                    400, "Bad Request: failed to get HTTP URL content (not simulated)"
                )
            raise BotApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        raise BotApiError(400, f"Bad Request: there is no {key} in the request")

    async def _send_document(self, params: dict[str, Any]) -> Any:
        chat = self._chat_from(params)
        upload = self._input_file(params, "document")
        raw, plain, entities, mode = caption_content(params)
        markup = reply_markup(params, edit=False)
        check_reply_target(params, chat)
        mime = upload.mime
        if mime in ("", "application/octet-stream"):
            mime = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
        stored = self.store_file(
            upload.data, filename=upload.filename, mime=mime, folder="documents"
        )
        message = SentMessage(
            message_id=chat.new_message_id(),
            chat_id=chat.chat_id,
            text=plain,
            html=raw,
            parse_mode=mode,
            buttons=markup.buttons,
            document=Document(upload.filename, upload.data, mime),
            entities=entities,
            date=_now(),
            inline_keyboard=markup.inline_keyboard,
            media=self._document_json(stored),
        )
        return self._deliver(chat, message, markup)

    async def _send_photo(self, params: dict[str, Any]) -> Any:
        chat = self._chat_from(params)
        upload = self._input_file(params, "photo")
        raw, plain, entities, mode = caption_content(params)
        markup = reply_markup(params, edit=False)
        check_reply_target(params, chat)
        message = SentMessage(
            message_id=chat.new_message_id(),
            chat_id=chat.chat_id,
            text=plain,
            html=raw,
            parse_mode=mode,
            buttons=markup.buttons,
            photo=upload.data,
            entities=entities,
            date=_now(),
            inline_keyboard=markup.inline_keyboard,
            media=self._photo_sizes(upload.data, upload.filename),
        )
        return self._deliver(chat, message, markup)

    async def _get_file(self, params: dict[str, Any]) -> Any:
        file_id = params.get("file_id")
        stored = self.files.get(file_id) if isinstance(file_id, str) else None
        if stored is None:
            raise BotApiError(400, "Bad Request: invalid file_id")
        if stored.size > MAX_DOWNLOAD_SIZE:
            # an expected outcome for large uploads, so it is not counted as a bot mistake
            raise BotApiError(400, "Bad Request: file is too big", expected=True)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }
