"""The WhatsApp channel: a kept update in, the handler's outcome out as WhatsApp messages
(through pywa's async client); delivery statuses recorded against what the bot sent."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from pywa.errors import ThrottlingError, WhatsAppError
from pywa.types.callback import Button as WaButton
from pywa.types.callback import Section, SectionList, SectionRow
from pywa_async.client import WhatsApp
from sqlalchemy import update

from bot.channels import Channels
from bot.deps import Deps
from bot.forms.screens import Menu, Outcome, OutgoingFile, Screen
from bot.i18n import Translator, pick_language
from bot.whatsapp import render
from bot.whatsapp.requests import CHANNEL, Status, status_of, to_request
from handlers import dispatch
from handlers.core import Request
from models.db import dialect_insert, transaction
from models.services import users
from models.whatsapp_tables import WhatsAppMedia, WhatsAppSent

log = logging.getLogger(__name__)
Slot = Callable[[], Awaitable[None]]
MEDIA_REUSE = timedelta(days=25)  # WhatsApp keeps an uploaded file 30 days
THROTTLE_RETRIES = 3
THROTTLE_BACKOFF = 0.5  # seconds, doubled each time


async def _no_wait() -> None:
    return None


def labels(t: Translator) -> render.Labels:
    """Return the channel's own words in a language."""
    return render.Labels(
        choose=t.plain("wa.choose"),
        open_list=t.plain("wa.open_list"),
        more_choices=t.plain("wa.more_choices"),
        use_number=t.plain("wa.use_number"),
    )


class WhatsAppChannel:
    """Handles kept WhatsApp updates through the channel-neutral handlers."""

    def __init__(
        self,
        deps: Deps,
        client: WhatsApp,
        channels: Channels,
        slot: Slot = _no_wait,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.deps = deps
        self.client = client
        self.http = http
        self.channels = channels
        self.slot = slot  # this process's WhatsApp sending limits

    async def close(self) -> None:
        """Close the client's connections."""
        if self.http is not None:
            await self.http.aclose()

    async def process(self, payload: dict[str, Any], *, replayed: bool) -> None:
        """Handle one kept update (a message or a delivery status)."""
        status = status_of(payload)
        if status is not None:
            await self._record(status)
            return
        try:
            request = to_request(self.client, payload, replayed=replayed)
        except (KeyError, ValueError, TypeError, IndexError):
            log.warning("WhatsApp update of an unexpected shape skipped")
            return
        if request is None:
            return
        t = self._translator(request)
        try:
            outcome = await dispatch.handle(self.deps, request)
        except Exception:
            log.error("WhatsApp update %s failed", request.update_key, exc_info=True)
            await self._send_all(str(request.who.chat_id), [render.Text(t("common.error"))])
            return
        await self.send(request, outcome, t)

    def _translator(self, request: Request) -> Translator:
        lang = pick_language(request.who.language, self.deps.settings.default_language)
        return self.deps.translator(lang)

    async def send(self, request: Request, outcome: Outcome, t: Translator) -> None:
        """Render an outcome: screens and files to this chat, notices to others."""
        to = str(request.who.chat_id)
        screens = outcome.screens
        if outcome.notice and not screens:
            screens = [Screen(outcome.notice)]
        await self.show(to, screens, t)
        for item in outcome.files:
            try:
                await self.send_file(to, item)
            except Exception as exc:
                log.warning("file %s not sent on WhatsApp: %s", item.filename, type(exc).__name__)
        await self.show(to, outcome.after_files, t)
        await self.channels.tell_others(outcome)

    async def show(self, to: str, screens: list[Screen], t: Translator) -> list[str]:
        """Send screens; return the WhatsApp ids of the messages sent."""
        if not screens:
            return []
        plan = render.plan_screens(screens, labels(t))
        return await self._send_all(to, plan.messages)

    async def _send_all(
        self, to: str, messages: list[render.Message], tracker: str | None = None
    ) -> list[str]:
        sent: list[str] = []
        for message in messages:
            result = await self._send_paced(to, message, tracker)
            if result is None:
                break
            sent.append(str(result.id))
        return sent

    async def _send_paced(self, to: str, message: render.Message, tracker: str | None) -> Any:
        """Send one message; when WhatsApp says to slow down (130429 throughput, 131056 too
        many to this person) wait and try again, a few times; None if it did not go."""
        for attempt in range(THROTTLE_RETRIES + 1):
            await self.slot()
            try:
                return await self._send(to, message, tracker)
            except ThrottlingError as exc:
                if attempt == THROTTLE_RETRIES:
                    log.warning("WhatsApp message not sent: still throttled (code %s)", exc.code)
                    return None
                await asyncio.sleep(THROTTLE_BACKOFF * 2**attempt)
            except Exception as exc:
                # pywa's errors carry no secrets, but say only the type and code
                log.warning("WhatsApp message not sent: %s %s", type(exc).__name__, _code(exc))
                return None
        return None

    async def _send(self, to: str, message: render.Message, tracker: str | None) -> Any:
        wa = self.client
        if isinstance(message, render.Text):
            return await wa.send_message(to, message.body, preview_url=False, tracker=tracker)
        if isinstance(message, render.Buttons):
            buttons = [WaButton(c.title, c.id) for c in message.choices]
            return await wa.send_message(to, message.body, buttons=buttons, tracker=tracker)
        rows = [SectionRow(c.title, c.id, c.description) for c in message.choices]
        menu = SectionList(button_title=message.button, sections=[Section(title="", rows=rows)])
        return await wa.send_message(to, message.body, buttons=menu, tracker=tracker)

    async def send_file(self, to: str, item: OutgoingFile) -> None:
        """Send a document or an image, uploading its bytes once and reusing the id."""
        data = item.data
        if data is None and item.path is not None:
            data = (self.deps.files_dir / item.path).read_bytes()
        if data is None and item.make is not None:
            data = item.make()
        if data is None:
            return
        mime = "image/png" if item.photo else _mime(item.filename)
        media_id = await self._media_id(data, item.filename, mime)
        await self.slot()
        caption = item.caption[: render.BODY_LIMIT] or None
        if item.photo:
            await self.client.send_image(to, media_id, caption=caption, mime_type=mime)
        else:
            await self.client.send_document(
                to, media_id, filename=item.filename, caption=caption, mime_type=mime
            )

    async def _media_id(self, data: bytes, filename: str, mime: str) -> str:
        key = f"{hashlib.sha256(data).hexdigest()}:{filename}"[:200]
        now = self.deps.clock.now()
        async with self.deps.session_factory()() as session:
            known = await session.get(WhatsAppMedia, key)
            if known is not None and now - known.uploaded_at < MEDIA_REUSE:
                return known.media_id
        media = await self.client.upload_media(data, mime_type=mime, filename=filename)
        async with transaction(self.deps.session_factory()) as session:
            insert = dialect_insert(session, WhatsAppMedia)
            row = {"key": key, "media_id": str(media.id), "uploaded_at": now}
            stmt = insert.values(**row).on_conflict_do_update(
                index_elements=["key"], set_={"media_id": row["media_id"], "uploaded_at": now}
            )
            await session.execute(stmt)
        return str(media.id)

    async def notify(self, address: str, user_id: int, screens: list[Screen]) -> None:
        """Send a notice (the Channels' side of this channel)."""
        async with self.deps.session_factory()() as session:
            user = await users.get_by_identity(session, CHANNEL, address)
        language = user.language if user is not None else self.deps.settings.default_language
        t = self.deps.translator(language)
        plan = render.plan_screens(screens, labels(t))
        sent = await self._send_all(address, plan.messages, tracker="notice")
        await self.remember(sent, address, user_id, purpose="notice")

    async def set_menu(self, address: str, menu: Menu) -> None:
        """WhatsApp has no command menu: the words work instead."""

    async def remember(
        self, message_ids: list[str], to: str, user_id: int | None, *, purpose: str,
        template: bool = False,
    ) -> None:  # fmt: skip
        """Record messages sent, so their delivery statuses find them."""
        if not message_ids:
            return
        now = self.deps.clock.now()
        async with transaction(self.deps.session_factory()) as session:
            session.add_all(
                WhatsAppSent(
                    message_id=message_id,
                    user_id=user_id,
                    wa_id=to,
                    purpose=purpose,
                    template=template,
                    status="accepted",
                    sent_at=now,
                    updated_at=now,
                )
                for message_id in message_ids
            )

    async def _record(self, status: Status) -> None:
        """Record a delivery status against the message it is about; a failure to deliver
        marks the person unreachable on WhatsApp when WhatsApp says they cannot be reached."""
        now = self.deps.clock.now()
        async with transaction(self.deps.session_factory()) as session:
            found = await session.execute(
                update(WhatsAppSent)
                .where(WhatsAppSent.message_id == status.message_id)
                .values(status=status.status, error_code=status.error_code, updated_at=now)
                .returning(WhatsAppSent.user_id)
            )
            row = found.first()
        if status.status == "failed":
            log.warning(
                "WhatsApp message %s failed (code %s)%s",
                status.message_id, status.error_code, "" if row else ", not one the bot keeps",
            )  # fmt: skip


def _code(exc: Exception) -> str:
    code = exc.code if isinstance(exc, WhatsAppError) else None
    return f"(code {code})" if code is not None else ""


def _mime(filename: str) -> str:
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if lower.endswith(".docx"):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if lower.endswith(".pdf"):
        return "application/pdf"
    if lower.endswith(".csv"):
        return "text/csv"
    if lower.endswith(".zip"):
        return "application/zip"
    if lower.endswith((".jpg", ".jpeg")):
        return "image/jpeg"
    if lower.endswith(".png"):
        return "image/png"
    if lower.endswith(".mp4"):
        return "video/mp4"
    return "application/octet-stream"
