"""Tests for the WhatsApp Cloud API simulator, driven by pywa's real async client and parsed by
pywa's real webhook handling (signature check, routing to handlers, update construction)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
import pytest
from aiohttp import web
from pywa import utils as pywa_utils
from pywa.handlers import (
    CallbackButtonHandler,
    CallbackSelectionHandler,
    MessageHandler,
    MessageStatusHandler,
)
from pywa.types.callback import Button, Section, SectionList, SectionRow
from pywa.types.message_status import MessageStatusType
from pywa_async.client import WhatsApp
from pywa_async.errors import WhatsAppError
from pywa_async.types.callback import CallbackButton, CallbackSelection
from pywa_async.types.message import Message
from pywa_async.types.message_status import MessageStatus
from pywa_async.types.templates import BodyText, QuickReplyButton, TemplateLanguage

from bot.simulator.whatsapp import WaButton, WaMessage, WaTemplate, WhatsAppSimulator
from bot.simulator.whatsapp.markup import strip_markup

WA_ID = "6281234567890"
PDF = b"%PDF-1.4 laporan inovasi"
JPEG = b"\xff\xd8\xff\xe0 foto bukti"
Update = Message | CallbackButton[Any] | CallbackSelection[Any] | MessageStatus[Any]


class FakeClock:
    """A settable UTC clock for sim.clock."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class TinyBot:
    """A webhook receiver and bot: it checks each signature with pywa, answers 200 at once and
    hands the body to pywa's webhook handling in the background (join() waits for that); its
    handlers answer through pywa's client."""

    def __init__(self, sim: WhatsAppSimulator, wa: WhatsApp) -> None:
        self.sim, self.wa = sim, wa
        self.raw: list[tuple[bytes, str | None]] = []
        self.updates: list[Update] = []
        self.refuse = 0  # answer this many posts 503 before accepting
        self.media_ids: dict[str, str] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.runner: web.AppRunner | None = None
        # pywa's stubs type handler callbacks for its sync client
        wa.add_handlers(
            MessageHandler(cast(Any, self.on_message)),
            CallbackButtonHandler(cast(Any, self.on_button)),
            CallbackSelectionHandler(cast(Any, self.on_selection)),
            MessageStatusHandler(cast(Any, self.on_status)),
        )

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/whatsapp", self.receive)
        app.router.add_get("/whatsapp", self.challenge)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{self.runner.addresses[0][1]}/whatsapp"

    async def stop(self) -> None:
        await self.join()
        if self.runner is not None:
            await self.runner.cleanup()

    async def join(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    async def challenge(self, request: web.Request) -> web.Response:
        text, status = await self.wa.webhook_challenge_handler(
            vt=request.query.get(pywa_utils.HUB_VT), ch=request.query.get(pywa_utils.HUB_CH)
        )
        return web.Response(status=status, text=text or "")

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        signature = request.headers.get(pywa_utils.HUB_SIG)
        self.raw.append((body, signature))
        if self.refuse > 0:
            self.refuse -= 1
            return web.Response(status=503)
        if signature is None:
            return web.Response(status=401)
        if not pywa_utils.webhook_updates_validator(self.sim.app_secret, body, signature):
            return web.Response(status=403)
        task = asyncio.create_task(self.wa.webhook_update_handler(body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.Response(text="ok")

    # ---------------------------------------------------------------- the bot's handlers

    async def upload_once(self, name: str, data: bytes, mime: str) -> str:
        if name not in self.media_ids:
            media = await self.wa.upload_media(media=data, mime_type=mime, filename=name)
            self.media_ids[name] = media.id
        return self.media_ids[name]

    async def on_message(self, wa: WhatsApp, msg: Message) -> None:
        self.updates.append(msg)
        to = msg.from_user.wa_id
        assert to is not None
        if msg.text == "menu":
            buttons = [Button("Setuju", "ok"), Button("Tolak", "no")]
            await wa.send_message(to=to, text="Lanjut?", header="Menu", buttons=buttons)
        elif msg.text == "daftar":
            rows = [
                SectionRow("Kesehatan masyarakat…", "kes", "Kesehatan masyarakat desa"),
                SectionRow("Pendidikan", "pend"),
            ]
            section = Section(title="Bidang", rows=rows)
            await wa.send_message(
                to=to, text="Pilih bidang", buttons=SectionList("Bidang", [section])
            )
        elif msg.text == "dokumen":
            media_id = await self.upload_once("laporan.pdf", PDF, "application/pdf")
            await wa.send_document(
                to=to, document=media_id, filename="laporan.pdf", caption="*PDF*"
            )
        elif msg.text == "foto":
            media_id = await self.upload_once("bukti.jpg", JPEG, "image/jpeg")
            await wa.send_image(to=to, image=media_id, caption="Bukti")
        elif msg.text == "balas":
            await cast(Any, msg).reply(
                "dibalas", quote=True
            )  # pywa replies to the business-scoped user id
        elif msg.text is not None:
            await wa.send_message(to=to, text=f"Halo *{msg.from_user.name}*: {msg.text}")
        elif msg.image is not None:
            url = await wa.get_media_url(msg.image.id)
            data = await wa.get_media_bytes(url.url)
            await wa.send_message(to=to, text=f"foto {len(data)} byte {msg.image.caption}")
        elif msg.document is not None:
            await wa.send_message(to=to, text=f"dokumen {msg.document.filename}")
        elif msg.location is not None:
            loc = msg.location
            await wa.send_message(to=to, text=f"lokasi {loc.latitude},{loc.longitude}")
        elif msg.contacts is not None:
            contact = msg.contacts[0]
            assert contact.name is not None
            await wa.send_message(to=to, text=f"kontak {contact.name.formatted_name}")
        else:
            await wa.send_message(to=to, text=f"maaf, {msg.type} tidak didukung")

    async def on_button(self, wa: WhatsApp, button: CallbackButton[Any]) -> None:
        self.updates.append(button)
        assert button.from_user.wa_id is not None
        await wa.send_message(to=button.from_user.wa_id, text=f"tombol {button.data}")

    async def on_selection(self, wa: WhatsApp, selection: CallbackSelection[Any]) -> None:
        self.updates.append(selection)
        assert selection.from_user.wa_id is not None
        await wa.send_message(to=selection.from_user.wa_id, text=f"baris {selection.data}")

    async def on_status(self, wa: WhatsApp, status: MessageStatus[Any]) -> None:
        self.updates.append(status)

    def statuses(self) -> list[MessageStatus[Any]]:
        return [u for u in self.updates if isinstance(u, MessageStatus)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def sim(clock: FakeClock) -> AsyncIterator[WhatsAppSimulator]:
    async with WhatsAppSimulator(clock=clock) as simulator:
        simulator.status_delay = 0.0
        simulator.webhook_retry_delay = 0.01
        yield simulator


@pytest.fixture
async def wa(sim: WhatsAppSimulator) -> AsyncIterator[WhatsApp]:
    session = httpx.AsyncClient()
    client = WhatsApp(
        phone_id=sim.phone_id,
        token=sim.token,
        session=session,
        waba_id=sim.waba_id,
        app_secret=sim.app_secret,
        verify_token=sim.verify_token,
    )
    session.base_url = f"{sim.api_url}/v22.0"  # pywa sets graph.facebook.com in its constructor
    yield client
    await session.aclose()


@pytest.fixture
async def bot(sim: WhatsAppSimulator, wa: WhatsApp) -> AsyncIterator[TinyBot]:
    tiny = TinyBot(sim, wa)
    sim.webhook_url = await tiny.start()
    sim.attach(tiny)
    yield tiny
    await tiny.stop()


async def raw_send(wa: WhatsApp, sim: WhatsAppSimulator, body: dict[str, Any]) -> Any:
    """POST a /messages body exactly as given (no client-side checks by pywa)."""
    payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID}
    return await wa.api.send_raw_request("POST", f"/{sim.phone_id}/messages", json=payload | body)


def body_params(*values: str) -> Any:
    """Return pywa's body parameters (its stub types BodyText.params oddly)."""
    return cast(Any, BodyText).params(*values)


def body_of(raw: bytes) -> dict[str, Any]:
    """Return the value of a webhook's single change."""
    envelope = json.loads(raw)
    value: dict[str, Any] = envelope["entry"][0]["changes"][0]["value"]
    return value


# ---------------------------------------------------------------- formatting and labels


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("*Halo* _Budi_ ~lama~", "Halo Budi lama"),
        ("Nilai: *90*!", "Nilai: 90!"),
        ("(*penting*)", "(penting)"),
        ("*_tebal miring_*", "tebal miring"),
        ("```*x* _y_```", "*x* _y_"),
        ("snake_case_name", "snake_case_name"),
        ("2*3*4", "2*3*4"),
        ("* bukan tebal *", "* bukan tebal *"),
        ("*dua\nbaris*", "*dua\nbaris*"),
        ("https://a.go.id/x_y_z", "https://a.go.id/x_y_z"),
    ],
)
def test_strip_markup_follows_whatsapp_rules(raw: str, shown: str) -> None:
    assert strip_markup(raw) == shown


def test_button_labels_expand_shortened_titles() -> None:
    message = WaMessage("wamid.x", WA_ID, "list", "b", "b")
    message.buttons = [
        [WaButton("Kesehatan masyarakat…", "a", "Kesehatan masyarakat desa", "row")],
        [WaButton("Pendidikan…", "b", "Sekolah dasar", "row")],  # not a prefix: title stays
        [WaButton("Ya", "c")],
    ]
    assert message.button_labels() == ["Kesehatan masyarakat desa", "Pendidikan…", "Ya"]
    assert [b.id for b in message.all_buttons()] == ["a", "b", "c"]


# ---------------------------------------------------------------- webhooks and pywa parsing


async def test_text_round_trip_is_signed_and_parsed_by_pywa(
    sim: WhatsAppSimulator, bot: TinyBot, clock: FakeClock
) -> None:
    user = sim.user(WA_ID, name="Siti")
    assert sim.user(WA_ID) is user
    replies = await user.send("apa kabar")
    assert [m.raw for m in replies] == ["Halo *Siti*: apa kabar"]
    assert replies[0].text == "Halo Siti: apa kabar"
    assert replies[0].kind == "text" and replies[0].to == WA_ID and user.last is replies[0]
    body, signature = bot.raw[0]
    expected = hmac.new(sim.app_secret.encode(), body, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"
    envelope = json.loads(body)
    assert envelope["object"] == "whatsapp_business_account"
    assert envelope["entry"][0]["id"] == sim.waba_id
    assert envelope["entry"][0]["changes"][0]["field"] == "messages"
    message = bot.updates[0]
    assert isinstance(message, Message)
    assert message.text == "apa kabar" and message.from_user.name == "Siti"
    assert message.from_user.wa_id == WA_ID and message.from_user.bsuid == user.bsuid
    assert message.metadata.phone_number_id == sim.phone_id
    assert message.timestamp == clock.now
    assert message.id.startswith("wamid.")


async def test_reply_to_business_scoped_id_reaches_the_user(
    sim: WhatsAppSimulator, bot: TinyBot
) -> None:
    replies = await sim.user(WA_ID).send("balas")
    assert [m.text for m in replies] == ["dibalas"]
    assert replies[0].context_id == bot.updates[0].id  # pywa's reply quotes the message
    call = sim.sent_calls[-1]
    assert call.payload["recipient"] == sim.user(WA_ID).bsuid and call.wa_id == WA_ID


async def test_forged_and_unsigned_posts_are_refused_by_the_receiver(
    sim: WhatsAppSimulator, bot: TinyBot
) -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    assert await sim.post_raw(body, "sha256=" + "0" * 64) == 403
    assert await sim.post_raw(body, None) == 401
    assert await sim.post_raw(body, sim.sign(body)) == 200
    assert [raw for raw, _ in bot.raw] == [body, body, body]


async def test_verification_handshake(sim: WhatsAppSimulator, bot: TinyBot) -> None:
    assert await sim.verify_webhook(challenge="12345") == (200, "12345")
    status, _ = await sim.verify_webhook(token="salah")
    assert status == 403


async def test_reply_buttons_and_pressing_them(sim: WhatsAppSimulator, bot: TinyBot) -> None:
    user = sim.user(WA_ID)
    [menu] = await user.send("menu")
    assert menu.kind == "buttons" and menu.header == "Menu" and menu.text == "Lanjut?"
    assert menu.button_labels() == ["Setuju", "Tolak"]
    assert menu.buttons == [[WaButton("Setuju", "ok")], [WaButton("Tolak", "no")]]
    replies = await user.press("tolak")  # a unique case-insensitive substring
    assert [m.text for m in replies] == ["tombol no"]
    pressed = bot.updates[-1]
    assert isinstance(pressed, CallbackButton)
    assert (pressed.data, pressed.title) == ("no", "Tolak")
    assert pressed.reply_to_message is not None
    assert pressed.reply_to_message.id == menu.message_id
    assert pressed.reply_to_message.from_user_id == sim.display_phone_number
    with pytest.raises(AssertionError, match=r"available: \['Setuju', 'Tolak'\]"):
        await user.press("Kembali")
    with pytest.raises(AssertionError, match="several"):
        await user.press("T")  # in both titles


async def test_list_rows_and_selection(sim: WhatsAppSimulator, bot: TinyBot) -> None:
    user = sim.user(WA_ID)
    [listing] = await user.send("daftar")
    assert listing.kind == "list" and listing.list_button == "Bidang"
    assert listing.sections == ["Bidang"]
    assert listing.button_labels() == ["Kesehatan masyarakat desa", "Pendidikan"]
    assert all(b.kind == "row" for b in listing.all_buttons())
    replies = await user.press("Kesehatan masyarakat desa")
    assert [m.text for m in replies] == ["baris kes"]
    selection = bot.updates[-1]
    assert isinstance(selection, CallbackSelection)
    assert selection.title == "Kesehatan masyarakat…"
    assert selection.description == "Kesehatan masyarakat desa"
    assert selection.reply_to_message.id == listing.message_id


async def test_press_id_sends_a_stale_payload(sim: WhatsAppSimulator, bot: TinyBot) -> None:
    user = sim.user(WA_ID)
    await user.send("menu")
    replies = await user.press_id("kadaluarsa:42")
    assert [m.text for m in replies] == ["tombol kadaluarsa:42"]
    assert isinstance(bot.updates[-1], CallbackButton)


async def test_user_media_location_contact_and_sticker_parsed_by_pywa(
    sim: WhatsAppSimulator, bot: TinyBot
) -> None:
    user = sim.user(WA_ID)
    assert [m.text for m in await user.send_photo(JPEG, caption="bukti")] == [
        f"foto {len(JPEG)} byte bukti"
    ]
    image = bot.updates[-1]
    assert isinstance(image, Message) and image.image is not None
    assert image.image.mime_type == "image/jpeg"
    assert image.image.sha256 == hashlib.sha256(JPEG).hexdigest()
    replies = await user.send_document("proposal.pdf", PDF, "application/pdf")
    assert [m.text for m in replies] == ["dokumen proposal.pdf"]
    replies = await user.send_location(-6.2, 106.8, name="Balai desa")
    assert [m.text for m in replies] == ["lokasi -6.2,106.8"]
    location = bot.updates[-1]
    assert isinstance(location, Message) and location.location is not None
    assert location.location.name == "Balai desa"
    assert [m.text for m in await user.send_contact("+62 812-1111-2222", "Andi")] == ["kontak Andi"]
    contact = bot.updates[-1]
    assert isinstance(contact, Message) and contact.contacts is not None
    assert contact.contacts[0].phones[0].wa_id == "6281211112222"
    assert [m.text for m in await user.send_sticker()] == ["maaf, sticker tidak didukung"]
    assert [m.text for m in await user.send_unsupported()] == ["maaf, unsupported tidak didukung"]


# ---------------------------------------------------------------- media


async def test_document_and_image_uploaded_once_and_reused(
    sim: WhatsAppSimulator, bot: TinyBot
) -> None:
    user = sim.user(WA_ID)
    [first] = await user.send("dokumen")
    [second] = await user.send("dokumen")
    assert first.kind == second.kind == "document"
    assert first.document is not None and first.document.data == PDF
    assert first.document.filename == "laporan.pdf" and first.document.mime == "application/pdf"
    assert (first.raw, first.text) == ("*PDF*", "PDF")
    assert first.media_id == second.media_id
    [photo] = await user.send("foto")
    await user.send("foto")
    assert photo.kind == "photo" and photo.photo == JPEG and photo.text == "Bukti"
    assert sim.uploads == [
        ("laporan.pdf", "application/pdf", len(PDF)),
        ("bukti.jpg", "image/jpeg", len(JPEG)),
    ]
    assert first.media_id is not None
    uploaded = await bot.wa.get_media_url(first.media_id)  # the bot's own upload
    assert await bot.wa.get_media_bytes(uploaded.url) == PDF


async def test_media_url_needs_the_token_and_expires_after_five_minutes(
    sim: WhatsAppSimulator, wa: WhatsApp, clock: FakeClock
) -> None:
    stored = sim.store_media(JPEG, "image/jpeg")
    url = await wa.get_media_url(stored.media_id)
    assert (url.mime_type, url.file_size, url.sha256) == ("image/jpeg", len(JPEG), stored.sha256)
    assert url.url.startswith(sim.api_url)
    assert await wa.get_media_bytes(url.url) == JPEG
    async with httpx.AsyncClient() as anonymous:
        assert (await anonymous.get(url.url)).status_code == 401
    clock.advance(minutes=4, seconds=59)
    assert await wa.get_media_bytes(url.url) == JPEG
    clock.advance(seconds=1)
    with pytest.raises(httpx.HTTPStatusError) as expired:
        await wa.get_media_bytes(url.url)
    assert expired.value.response.status_code == 404
    fresh = await wa.get_media_url(stored.media_id)  # a new URL lives 5 minutes again
    assert await wa.get_media_bytes(fresh.url) == JPEG


async def test_unknown_media_and_bad_image_type_are_refused(
    sim: WhatsAppSimulator, wa: WhatsApp
) -> None:
    sim.user(WA_ID)
    with pytest.raises(WhatsAppError) as unknown:
        await wa.send_document(to=WA_ID, document="123456789", filename="x.pdf")
    assert unknown.value.code == 100
    assert "not a known media id" in sim.rejected[-1]
    with pytest.raises(WhatsAppError):
        await wa.upload_media(media=b"GIF89a", mime_type="image/gif", filename="a.gif")
    assert "image/gif" in sim.rejected[-1] and sim.uploads == []
    with pytest.raises(WhatsAppError) as wrong:
        await wa.get_media_url("999")
    assert wrong.value.code == 100


# ---------------------------------------------------------------- limits


LONG = "x" * 4097
ROWS = [{"id": f"r{i}", "title": f"Baris {i}"} for i in range(10)]


def _buttons(*titles: str, ids: list[str] | None = None) -> dict[str, Any]:
    ids = ids or [f"b{i}" for i in range(len(titles))]
    buttons = [
        {"type": "reply", "reply": {"id": i, "title": t}} for i, t in zip(ids, titles, strict=True)
    ]
    return {"type": "button", "body": {"text": "Pilih"}, "action": {"buttons": buttons}}


def _list(sections: list[dict[str, Any]], button: str = "Buka") -> dict[str, Any]:
    return {
        "type": "list",
        "body": {"text": "Pilih"},
        "action": {"button": button, "sections": sections},
    }


LIMIT_CASES: list[tuple[str, dict[str, Any], int, str]] = [
    ("text", {"type": "text", "text": {"body": LONG}}, 100, "limit is 4096"),
    ("empty text", {"type": "text", "text": {"body": ""}}, 100, "text.body is required"),
    (
        "interactive body",
        {"type": "interactive", "interactive": _buttons("Ya") | {"body": {"text": "x" * 1025}}},
        100,
        "limit is 1024",
    ),
    (
        "header",
        {
            "type": "interactive",
            "interactive": _buttons("Ya") | {"header": {"type": "text", "text": "h" * 61}},
        },
        100,
        "header text is 61",
    ),
    (
        "footer",
        {"type": "interactive", "interactive": _buttons("Ya") | {"footer": {"text": "f" * 61}}},
        100,
        "footer text is 61",
    ),
    ("no buttons", {"type": "interactive", "interactive": _buttons()}, 131009, "0 given"),
    (
        "four buttons",
        {"type": "interactive", "interactive": _buttons("A", "B", "C", "D")},
        131009,
        "4 given",
    ),
    (
        "button title",
        {"type": "interactive", "interactive": _buttons("t" * 21)},
        131009,
        "limit is 20",
    ),
    (
        "duplicate titles",
        {"type": "interactive", "interactive": _buttons("Ya", "Ya")},
        131009,
        "titles must be unique",
    ),
    (
        "button id",
        {"type": "interactive", "interactive": _buttons("Ya", ids=["i" * 257])},
        131009,
        "limit is 256",
    ),
    (
        "list button",
        {"type": "interactive", "interactive": _list([{"rows": ROWS[:1]}], "b" * 21)},
        131009,
        "list button label is 21",
    ),
    (
        "eleven sections",
        {
            "type": "interactive",
            "interactive": _list([{"title": f"S{i}", "rows": [ROWS[0]]} for i in range(11)]),
        },
        131009,
        "11 given",
    ),
    (
        "eleven rows",
        {
            "type": "interactive",
            "interactive": _list([{"rows": [*ROWS, {"id": "r10", "title": "Lagi"}]}]),
        },
        131009,
        "11 in all",
    ),
    (
        "row title",
        {"type": "interactive", "interactive": _list([{"rows": [{"id": "a", "title": "t" * 25}]}])},
        131009,
        "limit is 24",
    ),
    (
        "row description",
        {
            "type": "interactive",
            "interactive": _list([{"rows": [{"id": "a", "title": "t", "description": "d" * 73}]}]),
        },
        131009,
        "limit is 72",
    ),
    (
        "section title",
        {"type": "interactive", "interactive": _list([{"title": "s" * 25, "rows": ROWS[:1]}])},
        131009,
        "section title is 25",
    ),
    (
        "untitled sections",
        {
            "type": "interactive",
            "interactive": _list([{"title": "A", "rows": ROWS[:1]}, {"rows": ROWS[1:2]}]),
        },
        131009,
        "required when there are several sections",
    ),
    (
        "row id",
        {
            "type": "interactive",
            "interactive": _list([{"rows": [{"id": "i" * 201, "title": "t"}]}]),
        },
        131009,
        "limit is 200",
    ),
    (
        "duplicate row ids",
        {"type": "interactive", "interactive": _list([{"rows": [ROWS[0], ROWS[0]]}])},
        131009,
        "ids must be unique",
    ),
    (
        "caption",
        {"type": "image", "image": {"link": "https://x.go.id/a.jpg", "caption": "c" * 1025}},
        100,
        "caption is 1025",
    ),
]


@pytest.mark.parametrize(
    ("body", "code", "phrase"), [case[1:] for case in LIMIT_CASES], ids=[c[0] for c in LIMIT_CASES]
)
async def test_limits_are_refused_and_listed(
    sim: WhatsAppSimulator, wa: WhatsApp, body: dict[str, Any], code: int, phrase: str
) -> None:
    await sim.user(WA_ID).fire_text("halo")  # the window is open: only the limit can refuse
    with pytest.raises(WhatsAppError) as refused:
        await raw_send(wa, sim, body)
    assert refused.value.code == code and refused.value.status_code == 400
    assert phrase in refused.value.message
    assert len(sim.rejected) == 1 and phrase in sim.rejected[0]
    assert sim.messages(WA_ID) == [] and sim.sent_calls == []


async def test_values_at_the_limits_are_accepted(sim: WhatsAppSimulator, wa: WhatsApp) -> None:
    sim.user(WA_ID)
    await sim.user(WA_ID).fire_text("halo")
    rows = [
        {"id": "i" * 200 if i == 0 else f"r{i}", "title": "t" * 24, "description": "d" * 72}
        for i in range(10)
    ]
    await raw_send(wa, sim, {"type": "text", "text": {"body": "x" * 4096}})
    await raw_send(wa, sim, {"type": "interactive", "interactive": _buttons("a" * 20, "B", "C")})
    listing = _list([{"title": "s" * 24, "rows": rows}], "b" * 20)
    await raw_send(wa, sim, {"type": "interactive", "interactive": listing})
    assert sim.rejected == []
    assert [m.kind for m in sim.messages(WA_ID)] == ["text", "buttons", "list"]
    assert len(sim.messages(WA_ID)[2].buttons) == 10


# ---------------------------------------------------------------- templates


async def test_template_is_rendered_delivered_outside_the_window_and_pressable(
    sim: WhatsAppSimulator, wa: WhatsApp, bot: TinyBot
) -> None:
    sim.templates[("pengingat", "id")] = WaTemplate(
        "Halo {{1}}, laporan *{{2}}* jatuh tempo.", buttons=("Kirim sekarang", "Nanti")
    )
    user = sim.user(WA_ID)  # never wrote: only a template can reach the user
    sent = await wa.send_template(
        to=WA_ID,
        name="pengingat",
        language=TemplateLanguage.INDONESIAN,
        params=[
            body_params("Budi", "Maret"),
            QuickReplyButton.params(callback_data="kirim", index=0),
            QuickReplyButton.params(callback_data="nanti", index=1),
        ],
    )
    [message] = user.messages
    assert message.message_id == sent.id and message.kind == "template"
    assert message.raw == "Halo Budi, laporan *Maret* jatuh tempo."
    assert message.text == "Halo Budi, laporan Maret jatuh tempo."
    assert message.template == ("pengingat", "id", ("Budi", "Maret"))
    assert message.all_buttons()[1] == WaButton("Nanti", "nanti", kind="quick_reply")
    replies = await user.press("Nanti")
    assert [m.text for m in replies] == ["tombol nanti"]
    pressed = bot.updates[-1]
    assert isinstance(pressed, CallbackButton) and pressed.is_quick_reply
    assert (pressed.data, pressed.title) == ("nanti", "Nanti")


async def test_unknown_template_and_wrong_parameters_are_refused(
    sim: WhatsAppSimulator, wa: WhatsApp
) -> None:
    sim.templates[("sapa", "id")] = "Halo {{1}}"
    with pytest.raises(WhatsAppError) as unknown:
        await wa.send_template(to=WA_ID, name="sapa", language=TemplateLanguage.ENGLISH_US)
    assert unknown.value.code == 132001 and "does not exist in en_US" in sim.rejected[-1]
    with pytest.raises(WhatsAppError) as count:
        await wa.send_template(
            to=WA_ID,
            name="sapa",
            language=TemplateLanguage.INDONESIAN,
            params=[body_params("Budi", "lebih")],
        )
    assert count.value.code == 132000
    with pytest.raises(WhatsAppError) as newline:
        await wa.send_template(
            to=WA_ID,
            name="sapa",
            language=TemplateLanguage.INDONESIAN,
            params=[body_params("Budi\nSiti")],
        )
    assert newline.value.code == 132018
    assert len(sim.rejected) == 3 and sim.messages(WA_ID) == []


# ---------------------------------------------------------------- delivery and failures


async def test_the_24_hour_window(
    sim: WhatsAppSimulator, wa: WhatsApp, bot: TinyBot, clock: FakeClock
) -> None:
    user = sim.user(WA_ID)
    await user.send("halo")
    clock.advance(hours=23, minutes=59)
    await wa.send_message(to=WA_ID, text="masih bisa")
    clock.advance(minutes=2)
    late = await wa.send_message(to=WA_ID, text="terlambat")  # accepted, as Meta does
    await sim.wait_idle()
    assert [m.text for m in user.messages][-1] == "masih bisa"
    [undelivered] = sim.undelivered
    assert undelivered.message.message_id == late.id and undelivered.code == 131047
    assert undelivered.message.status == "failed"
    [status] = bot.statuses()
    assert status.id == late.id and status.status == MessageStatusType.FAILED
    assert status.error is not None and status.error.code == 131047
    assert status.from_user.wa_id == WA_ID
    assert not sim.in_window(WA_ID)
    await user.send("halo lagi")  # writing again reopens the window
    assert sim.in_window(WA_ID) and user.last.text == "Halo Budi: halo lagi"


async def test_forced_failures(sim: WhatsAppSimulator, wa: WhatsApp, bot: TinyBot) -> None:
    user = sim.user(WA_ID)
    await user.send("halo")
    sim.fail_next(WA_ID, 131026)
    gone = await wa.send_message(to=WA_ID, text="tidak sampai")
    await sim.wait_idle()
    assert bot.statuses()[-1].id == gone.id
    error = bot.statuses()[-1].error
    assert error is not None and error.code == 131026
    sim.fail_next(WA_ID, 130429)
    sim.fail_next(WA_ID, 131056)
    with pytest.raises(WhatsAppError) as throughput:
        await wa.send_message(to=WA_ID, text="a")
    assert throughput.value.code == 130429 and throughput.value.status_code == 429
    with pytest.raises(WhatsAppError) as pair:
        await wa.send_message(to=WA_ID, text="b")
    assert pair.value.code == 131056
    assert len(sim.throttled) == 2 and sim.rejected == []
    await wa.send_message(to=WA_ID, text="normal lagi")
    assert user.last.text == "normal lagi"


async def test_throughput_and_pair_rate(sim: WhatsAppSimulator, wa: WhatsApp) -> None:
    now = [100.0]
    sim.rate_clock = lambda: now[0]
    sim.throughput, sim.pair_burst, sim.pair_window = 3, 2, 6.0
    other = "6289999999999"
    for wa_id in (WA_ID, other):
        await sim.user(wa_id).fire_text("halo")
    await wa.send_message(to=WA_ID, text="1")
    await wa.send_message(to=WA_ID, text="2")
    with pytest.raises(WhatsAppError) as pair:
        await wa.send_message(to=WA_ID, text="3")
    assert pair.value.code == 131056
    await wa.send_message(to=other, text="1")
    with pytest.raises(WhatsAppError) as throughput:
        await wa.send_message(to=other, text="2")  # the third accepted message this second
    assert throughput.value.code == 130429
    now[0] += 6.0
    await wa.send_message(to=WA_ID, text="4")
    assert [m.text for m in sim.messages(WA_ID)] == ["1", "2", "4"]
    assert len(sim.throttled) == 2 and "131056" in sim.throttled[0]


async def test_status_webhooks_when_reported(
    sim: WhatsAppSimulator, wa: WhatsApp, bot: TinyBot
) -> None:
    sim.report_statuses = True
    user = sim.user(WA_ID)
    [reply] = await user.send("halo")
    statuses = bot.statuses()
    assert [s.status for s in statuses] == ["sent", "delivered", "read"]
    assert {s.id for s in statuses} == {reply.message_id}
    assert reply.status == "read"
    assert statuses[0].pricing is not None and statuses[0].pricing.category == "service"


async def test_no_status_webhooks_by_default(sim: WhatsAppSimulator, bot: TinyBot) -> None:
    [reply] = await sim.user(WA_ID).send("halo")
    assert bot.statuses() == [] and reply.status == "delivered"


async def test_mark_read_and_typing_indicator(
    sim: WhatsAppSimulator, wa: WhatsApp, bot: TinyBot
) -> None:
    await sim.user(WA_ID).send("halo")
    inbound = bot.updates[0].id
    assert (await wa.mark_message_as_read(inbound)).success
    assert (await wa.indicate_typing(inbound)).success
    assert sim.read_marks == [inbound, inbound] and sim.typing_indicators == [inbound]
    with pytest.raises(WhatsAppError):
        await wa.mark_message_as_read("wamid.TIDAKADA")
    assert "not a received message id" in sim.rejected[-1]


async def test_location_and_linked_media_from_the_bot(sim: WhatsAppSimulator, wa: WhatsApp) -> None:
    await sim.user(WA_ID).fire_text("halo")
    await wa.send_location(to=WA_ID, latitude=-6.2, longitude=106.8, name="Kantor", address="Jl. A")
    await wa.send_image(to=WA_ID, image="https://cdn.example.go.id/peta.png")
    location, image = sim.messages(WA_ID)
    assert location.kind == "location" and location.location == (-6.2, 106.8, "Kantor", "Jl. A")
    assert location.text == "Kantor\nJl. A"
    assert image.kind == "photo" and image.link == "https://cdn.example.go.id/peta.png"


# ---------------------------------------------------------------- the API surface


async def test_wrong_token_unknown_phone_and_unknown_endpoint(sim: WhatsAppSimulator) -> None:
    body = {"messaging_product": "whatsapp", "to": WA_ID, "type": "text", "text": {"body": "x"}}
    async with httpx.AsyncClient(base_url=f"{sim.api_url}/v21.0") as client:
        denied = await client.post(
            f"/{sim.phone_id}/messages", json=body, headers={"Authorization": "Bearer salah"}
        )
        assert denied.status_code == 401
        error = denied.json()["error"]
        assert (error["code"], error["type"]) == (190, "OAuthException") and error["message"]
        anonymous = await client.post(f"/{sim.phone_id}/messages", json=body)
        assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == 190
        auth = {"Authorization": f"Bearer {sim.token}"}
        missing = await client.post("/999/messages", json=body, headers=auth)
        assert missing.status_code == 400 and missing.json()["error"]["code"] == 100
        unknown = await client.post(f"/{sim.phone_id}/calls", json=body, headers=auth)
        assert unknown.status_code == 400 and unknown.json()["error"]["code"] == 100
        phone = await client.get(f"/{sim.phone_id}", headers=auth)
        assert phone.json()["display_phone_number"] == sim.display_phone_number
    assert sim.sent_calls[-1].endpoint == "phone" and len(sim.sent_calls) == 1


async def test_response_shape(sim: WhatsAppSimulator, wa: WhatsApp) -> None:
    await sim.user(WA_ID).fire_text("halo")
    answer = await raw_send(wa, sim, {"type": "text", "text": {"body": "hai"}})
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": WA_ID, "wa_id": WA_ID}]
    [sent] = answer["messages"]
    assert sent["id"].startswith("wamid.") and sent["id"] == sim.messages(WA_ID)[0].message_id
    assert sim.sent_calls[-1].message_id == sent["id"]


# ---------------------------------------------------------------- webhook delivery options


async def test_duplicate_delivery(sim: WhatsAppSimulator, wa: WhatsApp, bot: TinyBot) -> None:
    user = sim.user(WA_ID)
    replies = await user.send("halo", duplicate=True)
    assert len(bot.raw) == 2 and bot.raw[0] == bot.raw[1]
    assert len(replies) == 1  # pywa dropped the byte-identical repeat
    sim.duplicate_all = True
    sim.report_statuses = True
    await user.send("lagi")
    await sim.wait_idle()
    bodies = [raw for raw, _ in bot.raw[2:]]
    statuses = [body_of(b)["statuses"][0]["status"] for b in bodies if "statuses" in body_of(b)]
    assert statuses == ["sent", "sent", "delivered", "delivered", "read", "read"]


async def test_held_webhooks_released_out_of_order(sim: WhatsAppSimulator, bot: TinyBot) -> None:
    user = sim.user(WA_ID)
    async with sim.held() as batch:
        ids = [await user.fire_text(text) for text in ("satu", "dua", "tiga")]
        assert len(batch) == 3 and bot.raw == []
        with pytest.raises(ValueError, match="permutation"):
            await batch.release([0, 0, 1])
        await batch.release([2, 0, 1])
        with pytest.raises(RuntimeError):
            await batch.release()
    await sim.wait_idle()
    arrived = [body_of(raw)["messages"][0]["id"] for raw, _ in bot.raw]
    assert arrived == [ids[2], ids[0], ids[1]]
    assert [m.text for m in user.messages] == [
        "Halo Budi: tiga",
        "Halo Budi: satu",
        "Halo Budi: dua",
    ]


async def test_leaving_held_block_releases_in_order(sim: WhatsAppSimulator, bot: TinyBot) -> None:
    user = sim.user(WA_ID)
    async with sim.held() as batch:
        first = await user.fire_text("a")
        second = await user.fire_text("b")
    await sim.wait_idle()
    assert batch.released
    assert [body_of(raw)["messages"][0]["id"] for raw, _ in bot.raw] == [first, second]


async def test_non_200_answers_are_retried(sim: WhatsAppSimulator, bot: TinyBot) -> None:
    bot.refuse = 2
    replies = await sim.user(WA_ID).send("halo")
    assert [m.text for m in replies] == ["Halo Budi: halo"]
    assert [(p.status, p.attempt) for p in sim.webhook_posts] == [(503, 1), (503, 2), (200, 3)]
    assert sim.dropped_webhooks == []
    bot.refuse = 10
    sim.webhook_attempts = 2
    assert await sim.user(WA_ID).send("lagi") == []
    assert len(sim.dropped_webhooks) == 1 and b"lagi" in sim.dropped_webhooks[0]


async def test_fire_and_wait_idle_for_many_users(sim: WhatsAppSimulator, bot: TinyBot) -> None:
    users = [sim.user(f"62811000000{i}", name=f"U{i}") for i in range(3)]
    for user in users:
        await user.fire_text("hai")
    await sim.wait_idle()
    assert [[m.text for m in u.messages] for u in users] == [[f"Halo U{i}: hai"] for i in range(3)]
