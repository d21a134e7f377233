"""The WhatsApp channel: a kept update in, the handler's outcome out as WhatsApp messages
(through pywa's async client); messages for others inside the 24-hour window or as their
approved templates, recorded so delivery statuses find them."""

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
from pywa.types.templates import BodyText, QuickReplyButton, TemplateLanguage
from pywa_async.client import WhatsApp

from bot.channels import Channels
from bot.deps import Deps
from bot.forms.screens import Menu, Outcome, OutgoingFile, Screen
from bot.i18n import Translator, pick_language
from bot.whatsapp import render, statuses, templates
from bot.whatsapp.requests import OPEN_ID, to_request
from bot.whatsapp.sent import kept, mime_of, remember, unkept
from handlers import dispatch
from handlers.core import Request
from models.db import dialect_insert, transaction
from models.tables import User
from models.whatsapp_tables import WhatsAppMedia, WhatsAppSent
from scheduler.results import Delivery, Result

log = logging.getLogger(__name__)
Slot = Callable[[], Awaitable[None]]
MEDIA_REUSE = timedelta(days=25)  # WhatsApp keeps an uploaded file 30 days
WINDOW = timedelta(hours=23, minutes=55)  # WhatsApp's 24 hours, with a margin for clocks
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
        page=t.plain("wa.page"),
        use_number=t.plain("wa.use_number"),
        use_number_hint=t("wa.use_number_hint"),
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
        self.channels = channels
        self.slot = slot  # this process's WhatsApp sending limits
        self.http = http
        self.templates = templates.load(deps.settings.whatsapp_templates_file)

    async def close(self) -> None:
        """Close the client's connections."""
        if self.http is not None:
            await self.http.aclose()

    # ------------------------------------------------------------------ what comes in

    async def process(self, payload: dict[str, Any], *, replayed: bool) -> None:
        """Handle one kept update (a message or a delivery status)."""
        status = statuses.status_of(payload)
        if status is not None:
            await statuses.record(self, status)
            return
        try:
            request = to_request(self.client, payload, replayed=replayed)
        except (KeyError, ValueError, TypeError, IndexError):
            log.warning("WhatsApp update of an unexpected shape skipped")
            return
        if request is None:
            return
        t = self._translator(request)
        if request.payload and request.payload.startswith(OPEN_ID + ":"):
            await self._open(request, t)
            return
        try:
            outcome = await dispatch.handle(self.deps, request)
        except Exception:
            log.error("WhatsApp update %s failed", request.update_key, exc_info=True)
            await self._send_all(str(request.who.chat_id), [render.Text(t("common.error"))])
            return
        if outcome.language:  # the person's language, as chosen with /bahasa
            t = self.deps.translator(outcome.language)
        await self.send(request, outcome, t)

    def _translator(self, request: Request) -> Translator:
        lang = pick_language(request.who.language, self.deps.settings.default_language)
        return self.deps.translator(lang)

    async def _open(self, request: Request, t: Translator) -> None:
        """Show the message a template stood for (its "open" quick reply was tapped)."""
        to = str(request.who.chat_id)
        async with self.deps.session_factory()() as session:
            sent = await session.get(WhatsAppSent, (request.payload or "")[len(OPEN_ID) + 1 :])
        if sent is None or sent.screen is None or sent.wa_id != to:
            await self._send_all(to, [render.Text(t("common.stale"))])
            return
        await self.show(to, [unkept(sent.screen)], t)

    # ------------------------------------------------------------------ answers

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
        sent, _ = await self._send_all(to, render.plan_screens(screens, labels(t)).messages)
        return sent

    async def _send_all(
        self, to: str, messages: list[render.Message], tracker: str | None = None
    ) -> tuple[list[str], Delivery | None]:
        """Send messages in order until one does not go; return the ids of those sent and
        why the first that did not go failed (None if all went)."""
        sent: list[str] = []
        for message in messages:
            result = await self._send_paced(to, message, tracker)
            if isinstance(result, Delivery):
                return sent, result
            sent.append(str(result.id))
        return sent, None

    async def _send_paced(self, to: str, message: render.Message, tracker: str | None) -> Any:
        """Send one message; when WhatsApp says to slow down (130429 throughput, 131056 too
        many to this person) wait and try again, a few times. Return what pywa returns, or
        the Delivery that says why it did not go."""
        return await self._paced(lambda: self._send(to, message, tracker))

    async def _paced(self, call: Callable[[], Awaitable[Any]]) -> Any:
        for attempt in range(THROTTLE_RETRIES + 1):
            await self.slot()
            try:
                return await call()
            except ThrottlingError as exc:
                if attempt == THROTTLE_RETRIES:
                    log.warning("WhatsApp message not sent: still throttled (code %s)", exc.code)
                    return Delivery(Result.RETRY, error=f"throttled ({exc.code})")
                await asyncio.sleep(THROTTLE_BACKOFF * 2**attempt)
            except WhatsAppError as exc:
                # pywa's errors carry no secrets; still, say only the type and the code
                log.warning("WhatsApp message not sent: %s (code %s)", type(exc).__name__, exc.code)
                return failed(exc)
            except httpx.HTTPError as exc:
                log.warning("WhatsApp message not sent: %s", type(exc).__name__)
                return Delivery(Result.RETRY, error=type(exc).__name__)
        return Delivery(Result.RETRY)

    async def _send(self, to: str, message: render.Message, tracker: str | None) -> Any:
        wa = self.client
        if isinstance(message, render.Text):
            return await wa.send_message(to, message.body, preview_url=False, tracker=tracker)
        if isinstance(message, render.Buttons):
            buttons = [WaButton(c.title, c.id) for c in message.choices]
            return await wa.send_message(to, message.body, buttons=buttons, tracker=tracker)
        rows = [SectionRow(c.title, c.id, c.description) for c in message.choices]
        section = Section(title=message.button, rows=rows)  # a title Meta always accepts
        menu = SectionList(button_title=message.button, sections=[section])
        return await wa.send_message(to, message.body, buttons=menu, tracker=tracker)

    async def send_file(self, to: str, item: OutgoingFile) -> None:
        """Send a document or an image, uploading its bytes once and reusing the id."""
        data = item.data
        if data is None and item.path is not None:
            data = (self.deps.files_dir / item.path).read_bytes()
        if data is None and item.make is not None:
            data = await asyncio.to_thread(item.make)
        if data is None:
            return
        mime = "image/png" if item.photo else mime_of(item.filename)
        media_id = await self._media_id(data, item.filename, mime)
        caption = item.caption[: render.BODY_LIMIT] or None
        if item.photo:
            await self._paced(
                lambda: self.client.send_image(to, media_id, caption=caption, mime_type=mime)
            )
        else:
            await self._paced(
                lambda: self.client.send_document(
                    to, media_id, filename=item.filename, caption=caption, mime_type=mime
                )
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

    # ------------------------------------------------------------------ for other people

    async def notify(self, address: str, user: User, screens: list[Screen]) -> None:
        """Send a notice (the Channels' side of this channel)."""
        for screen in screens:
            await self.deliver(address, user, screen, purpose="notice")

    async def set_menu(self, address: str, menu: Menu) -> None:
        """WhatsApp has no command menu: the words work instead."""

    def in_window(self, user: User) -> bool:
        """Whether ``user`` wrote within WhatsApp's 24 hours (free-form messages allowed)."""
        seen = user.whatsapp_seen_at
        return seen is not None and self.deps.clock.now() - seen < WINDOW

    async def deliver(
        self, address: str, user: User, screen: Screen, *, purpose: str, template: bool = False
    ) -> Delivery:
        """Send a message for someone other than the writer (a notice, a reminder): as it is
        inside the 24-hour window, else as its approved template; record what was sent."""
        if template or not self.in_window(user):
            return await self._send_template(address, user, screen, purpose)
        t = self.deps.translator(user.language)
        messages = render.plan_screens([screen], labels(t)).messages
        sent, failure = await self._send_all(address, messages, purpose)
        await remember(self.deps, sent, address, user.id, purpose=purpose, screen=kept(screen))
        if failure is not None and not sent:
            return failure
        return Delivery(Result.SENT)

    async def _send_template(
        self, address: str, user: User, screen: Screen, purpose: str
    ) -> Delivery:
        template = self.templates.for_screen(screen)
        wording = template.wording(user.language)
        values = templates.values(template, screen, user.name or "")
        params: list[Any] = [BodyText.params(*values)] if values else []  # type: ignore[arg-type]
        if template.buttons == "screen":
            payloads = [b.data for row in screen.buttons for b in row][: len(wording.buttons)]
        else:
            payloads = [OPEN_ID] * len(wording.buttons)
        params += [
            QuickReplyButton.params(callback_data=p, index=i) for i, p in enumerate(payloads)
        ]
        language = TemplateLanguage(wording.code)
        result = await self._paced(
            lambda: self.client.send_template(
                address, template.name, language, params, tracker=purpose
            )
        )
        if isinstance(result, Delivery):
            return result
        message_id = str(result.id)
        await remember(
            self.deps, [message_id], address, user.id, purpose=purpose, screen=kept(screen),
            template=True,
        )  # fmt: skip
        return Delivery(Result.SENT)


def failed(exc: WhatsAppError) -> Delivery:
    """Return how a refused message ended: blocked for someone WhatsApp cannot reach."""
    if exc.code in statuses.UNREACHABLE:
        return Delivery(Result.BLOCKED, error=f"WhatsApp {exc.code}")
    return Delivery(Result.FAILED, error=f"WhatsApp {exc.code}")
