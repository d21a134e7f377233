"""Tests for the Bot API simulator, driven by a tiny real PTB Application."""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.simulator import ApiCall, BotApiSimulator, Button, Document, SentMessage
from bot.simulator.html import HtmlParseError, html_to_text, parse_html
from bot.simulator.updates import QUIET_PERIOD

AnyApp = Application[Any, Any, Any, Any, Any, Any]
USER_ID = 1001


# ---------------------------------------------------------------- tiny bot


def start_keyboard() -> InlineKeyboardMarkup:
    """Return the keyboard of the /start message."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Daftar", callback_data="daftar"),
                InlineKeyboardButton("Bantuan", callback_data="bantuan"),
            ],
            [InlineKeyboardButton("Situs", url="https://inovasi.example.go.id")],
        ]
    )


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user with an HTML message and a keyboard."""
    assert update.effective_message and update.effective_user
    name = html.escape(update.effective_user.first_name)
    suffix = f" (kode: {html.escape(' '.join(context.args))})" if context.args else ""
    await update.effective_message.reply_html(
        f"<b>Selamat datang</b>, {name}!{suffix}", reply_markup=start_keyboard()
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button press and edit the message."""
    query = update.callback_query
    assert query is not None
    await query.answer(f"Pilihan: {query.data}")
    await query.edit_message_text(
        f"Dipilih: <i>{html.escape(query.data or '')}</i>",
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Kembali", callback_data="kembali")]]
        ),
    )


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the document and reply with its size."""
    message = update.effective_message
    assert message and message.document
    try:
        file = await message.document.get_file()
    except BadRequest as exc:
        await message.reply_text(f"Berkas ditolak: {exc.message}")
        return
    data = await file.download_as_bytearray()
    await message.reply_text(f"Ukuran: {len(data)} byte")


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the largest photo size and reply with its size."""
    message = update.effective_message
    assert message and message.photo
    file = await message.photo[-1].get_file()
    data = await file.download_as_bytearray()
    await message.reply_text(f"Foto: {len(data)} byte, keterangan: {message.caption}")


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo a location."""
    message = update.effective_message
    assert message and message.location
    await message.reply_text(f"Lokasi: {message.location.latitude}, {message.location.longitude}")


async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo a contact."""
    message = update.effective_message
    assert message and message.contact
    await message.reply_text(f"Kontak: {message.contact.phone_number}")


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Refuse unexpected input."""
    assert update.effective_message
    await update.effective_message.reply_text("Maaf, kirim teks saja.")


async def on_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a document and a photo."""
    message = update.effective_message
    assert message
    await message.reply_document(
        document=b"isi laporan",
        filename="laporan.txt",
        caption="<b>Laporan</b> bulanan",
        parse_mode=ParseMode.HTML,
    )
    await message.reply_photo(photo=b"\x89PNG fake", caption="Grafik")


async def on_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show a reply keyboard."""
    assert update.effective_message
    await update.effective_message.reply_text(
        "Pilih menu",
        reply_markup=ReplyKeyboardMarkup([["Daftar Inovasi", "Bantuan"]], one_time_keyboard=True),
    )


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo text, sending a typing action first."""
    message = update.effective_message
    assert message and message.text
    await message.reply_chat_action("typing")
    await message.reply_text(f"Anda menulis: {message.text}")


async def on_broken(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Fail after replying once."""
    assert update.effective_message
    await update.effective_message.reply_text("Sebentar…")
    raise RuntimeError("handler rusak")


def build_app(sim: BotApiSimulator, *, concurrent: bool = False) -> AnyApp:
    """Build the tiny bot talking to the simulator."""
    app = (
        ApplicationBuilder()
        .token(sim.token)
        .base_url(sim.api_url)
        .base_file_url(sim.file_url)
        .concurrent_updates(concurrent)
        .build()
    )
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CommandHandler("rusak", on_broken))
    app.add_handler(CommandHandler("laporan", on_report))
    app.add_handler(CommandHandler("menu", on_menu))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    app.add_handler(MessageHandler(filters.LOCATION, on_location))
    app.add_handler(MessageHandler(filters.CONTACT, on_contact))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(MessageHandler(filters.ALL, on_other))
    return app


@asynccontextmanager
async def running_app(sim: BotApiSimulator, *, concurrent: bool = False) -> AsyncIterator[AnyApp]:
    """Run the tiny bot against the simulator, polling, until the block ends."""
    app = build_app(sim, concurrent=concurrent)
    sim.attach(app)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
    sim.attach(None)


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    async with BotApiSimulator() as simulator:
        yield simulator


@pytest.fixture
async def app(sim: BotApiSimulator) -> AsyncIterator[AnyApp]:
    async with running_app(sim) as application:
        yield application


# ---------------------------------------------------------------- round trips


async def test_start_and_press(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID, first_name="Siti <Admin>")
    replies = await user.send("/start")
    assert len(replies) == 1
    greeting = replies[0]
    assert greeting.text == "Selamat datang, Siti <Admin>!"
    assert greeting.html == "<b>Selamat datang</b>, Siti &lt;Admin&gt;!"
    assert greeting.parse_mode == "HTML"
    assert greeting.entities == [{"type": "bold", "offset": 0, "length": 14}]
    assert greeting.button_labels() == ["Daftar", "Bantuan", "Situs"]
    assert greeting.buttons[1] == [Button("Situs", None, "https://inovasi.example.go.id")]

    replies = await user.press("Daftar")
    assert replies == [greeting]
    assert greeting.edited and greeting.text == "Dipilih: daftar"
    assert greeting.button_labels() == ["Kembali"]
    answer = user.last_callback_answer
    assert answer is not None and answer.text == "Pilihan: daftar"

    replies = await user.press("kembal")  # substring, case-insensitive
    assert replies[0].text == "Dipilih: kembali"
    assert sim.rejected == []
    assert sim.unanswered_queries == []
    assert [name for name, _ in sim.calls].count("answerCallbackQuery") == 2


async def test_command_arguments_and_text(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID)
    replies = await user.send("/start abc")
    assert replies[0].text == "Selamat datang, Budi! (kode: abc)"
    replies = await user.send("halo bot")
    assert [m.text for m in replies] == ["Anda menulis: halo bot"]
    assert sim.calls_of("sendChatAction")[0]["action"] == "typing"
    assert sim.calls_of("sendMessage")[-1]["chat_id"] == USER_ID
    assert user.last is replies[0]
    assert sim.messages(USER_ID) == user.messages
    assert sim.rejected == []


async def test_press_errors_are_clear(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID)
    with pytest.raises(AssertionError, match="no message with inline buttons"):
        await user.press("Daftar")
    await user.send("/start")
    with pytest.raises(AssertionError, match=r"available: \['Daftar', 'Bantuan', 'Situs'\]"):
        await user.press("Hapus")
    with pytest.raises(AssertionError, match="no callback_data"):
        await user.press("Situs")
    with pytest.raises(AssertionError, match="several buttons"):
        await user.press("a")
    replies = await user.press_data("palsu")
    assert replies[0].text == "Dipilih: palsu"


async def test_document_round_trip(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID)
    data = b"%PDF-1.4 " + bytes(range(256)) * 10
    replies = await user.send_document("profil.pdf", data, "application/pdf", caption="Profil")
    assert [m.text for m in replies] == [f"Ukuran: {len(data)} byte"]
    assert sim.rejected == []


async def test_document_too_big_for_get_file(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID)
    replies = await user.send_document(
        "video.mp4", b"", "video/mp4", declared_size=25 * 1024 * 1024
    )
    assert replies[0].text == "Berkas ditolak: File is too big"
    assert [(m, d) for m, _, d in sim.failures] == [("getFile", "Bad Request: file is too big")]
    assert sim.rejected == []


async def test_photo_location_contact_sticker(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID)
    replies = await user.send_photo(b"JPEGDATA" * 100, caption="Gedung")
    assert replies[0].text == "Foto: 800 byte, keterangan: Gedung"
    replies = await user.send_location(-6.2, 106.8)
    assert replies[0].text == "Lokasi: -6.2, 106.8"
    replies = await user.send_contact("+628123456789")
    assert replies[0].text == "Kontak: +628123456789"
    replies = await user.send_sticker()
    assert replies[0].text == "Maaf, kirim teks saja."
    assert sim.rejected == []


async def test_bot_sends_document_and_photo(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID)
    replies = await user.send("/laporan")
    assert [m.kind for m in replies] == ["document", "photo"]
    doc, photo = replies
    assert doc.document == Document("laporan.txt", b"isi laporan", "text/plain")
    assert doc.text == "Laporan bulanan" and doc.html == "<b>Laporan</b> bulanan"
    assert photo.photo == b"\x89PNG fake" and photo.text == "Grafik"
    # the bot can fetch what it sent, via the file id Telegram gave back
    params = sim.calls_of("sendDocument")[0]
    assert params["document"] == Document("laporan.txt", b"isi laporan", "text/plain")
    assert sim.rejected == []


async def test_reply_keyboard(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID)
    replies = await user.send("/menu")
    assert replies[0].reply_keyboard == [["Daftar Inovasi", "Bantuan"]]
    assert user.reply_keyboard == [["Daftar Inovasi", "Bantuan"]]
    await user.send("Bantuan")
    assert user.reply_keyboard is None  # one_time_keyboard hides it after use


async def test_concurrent_users(sim: BotApiSimulator, app: AnyApp) -> None:
    users = [sim.user(2000 + i, first_name=f"U{i}") for i in range(5)]
    results = await asyncio.gather(*(u.send(f"pesan {u.id}") for u in users))
    for user, replies in zip(users, results, strict=True):
        assert [m.text for m in replies] == [f"Anda menulis: pesan {user.id}"]
    await sim.wait_idle()


async def test_failing_handler_does_not_hang(sim: BotApiSimulator, app: AnyApp) -> None:
    errors: list[object] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    app.add_error_handler(on_error)
    user = sim.user(USER_ID)
    replies = await user.send("/rusak")
    assert [m.text for m in replies] == ["Sebentar…"]
    assert len(errors) == 1  # the error handler ran before send() returned


async def test_concurrent_updates_application(sim: BotApiSimulator) -> None:
    async with running_app(sim, concurrent=True):
        users = [sim.user(4000 + i) for i in range(4)]
        await asyncio.gather(*(u.send("/start") for u in users))
        results = await asyncio.gather(*(u.press("Bantuan") for u in users))
        assert all(replies[0].text == "Dipilih: bantuan" for replies in results)
        await sim.wait_idle()
    assert sim.rejected == []


async def test_update_ids_may_start_later() -> None:
    """A bot that remembers handled update ids can meet a new simulator (the demo does)."""
    with pytest.raises(ValueError):
        BotApiSimulator(first_update_id=0)
    async with BotApiSimulator(first_update_id=500) as simulator, running_app(simulator):
        await asyncio.wait_for(simulator.wait_idle(), 2)  # nothing sent yet: no wait
        user = simulator.user(USER_ID)
        assert await user.fire_text("halo") == 500
        await simulator.wait_idle()
        replies = await user.send("lagi")
        assert [m.text for m in replies] == ["Anda menulis: lagi"]
        assert [m.text for m in user.messages] == ["Anda menulis: halo", "Anda menulis: lagi"]


async def test_fire_returns_at_once_and_call_listener_sees_the_answers(
    sim: BotApiSimulator, app: AnyApp
) -> None:
    calls: list[ApiCall] = []
    remove = sim.add_call_listener(calls.append)
    user = sim.user(USER_ID)
    before = time.perf_counter()
    update_id = await user.fire_text("/start")
    assert update_id is not None
    assert user.messages == []  # not handled yet: fire_text did not wait
    await sim.wait_idle()
    assert user.last.text == "Selamat datang, Budi!"
    [sent] = [c for c in calls if c.method == "sendMessage"]
    assert sent.chat_id == USER_ID and sent.params["text"].startswith("<b>Selamat")
    assert before <= sent.received <= time.perf_counter()
    assert any(c.method == "getUpdates" and c.chat_id is None for c in calls)

    second = await user.fire_press("Daftar")
    assert second == update_id + 1
    await sim.wait_idle()
    [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answer.chat_id == USER_ID  # resolved from the callback query
    assert user.last.text == "Dipilih: daftar"
    await user.fire_data("lain")
    await sim.wait_idle()
    assert user.last.text == "Dipilih: lain"

    remove()
    count = len(calls)
    await user.send("halo")
    assert len(calls) == count
    assert sim.rejected == []


async def test_fire_every_kind_of_message(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID)
    await user.fire_photo(b"JPEGDATA" * 10, caption="Gedung")
    await user.fire_document("a.pdf", b"%PDF-1.4 x", "application/pdf")
    await user.fire_location(-6.2, 106.8)
    await user.fire_contact("+628123456789")
    await user.fire_text("halo")
    await sim.wait_idle()
    assert sorted(m.text for m in user.messages) == [
        "Anda menulis: halo",
        "Foto: 80 byte, keterangan: Gedung",
        "Kontak: +628123456789",
        "Lokasi: -6.2, 106.8",
        "Ukuran: 10 byte",
    ]
    assert sim.rejected == []


# ---------------------------------------------------------------- validation


async def test_html_validation(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID)
    await user.send("/start")
    bot = app.bot
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER_ID, "<b>Dinas & Co</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await bot.send_message(USER_ID, "a < b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)can't find end tag"):
        await bot.send_message(USER_ID, "<b>x", parse_mode=ParseMode.HTML)
    assert [d for _, _, d in sim.rejected] == [
        'Bad Request: can\'t parse entities: Character "&" at byte offset 9 must be escaped '
        'as "&amp;"',
        'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2',
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
    ]
    assert sim.rejected[0][0] == "sendMessage"
    assert sim.rejected[0][1]["text"] == "<b>Dinas & Co</b>"
    sim.rejected.clear()

    sent = await bot.send_message(
        USER_ID, "&lt;b&gt;Dinas &amp; Co&lt;/b&gt;", parse_mode=ParseMode.HTML
    )
    assert sent.text == "<b>Dinas & Co</b>"
    assert user.last.text == "<b>Dinas & Co</b>"
    # plain text is not parsed at all
    await bot.send_message(USER_ID, "a < b & c")
    assert user.last.text == "a < b & c"
    assert sim.rejected == []


async def test_length_limits(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID)
    await user.send("/start")
    bot = app.bot
    await bot.send_message(USER_ID, "x" * 4096)
    # the limit applies to the visible text, after entity parsing
    await bot.send_message(USER_ID, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER_ID, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER_ID, "")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER_ID, "<b> </b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_document(USER_ID, b"data", filename="a.txt", caption="c" * 1025)
    assert [d for _, _, d in sim.rejected] == [
        "Bad Request: message is too long",
        "Bad Request: message text is empty",
        "Bad Request: message text is empty",
        "Bad Request: message caption is too long",
    ]


async def test_button_data_limits(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID)
    await user.send("/start")

    def markup(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Pilih", callback_data=data)]])

    await app.bot.send_message(USER_ID, "ok", reply_markup=markup("x" * 64))
    assert user.last.all_buttons()[0].callback_data == "x" * 64
    for bad in ("x" * 65, "é" * 33):  # 66 UTF-8 bytes although only 33 characters
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await app.bot.send_message(USER_ID, "no", reply_markup=markup(bad))
    with pytest.raises(BadRequest, match=r"(?i)wrong http url"):
        await app.bot.send_message(
            USER_ID,
            "no",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Web", url="http://localhost:8000/x")]]
            ),
        )
    assert [d for _, _, d in sim.rejected][:2] == ["Bad Request: BUTTON_DATA_INVALID"] * 2


async def test_edit_and_delete_errors(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID)
    (greeting,) = await user.send("/start")
    bot = app.bot
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>Selamat datang</b>, Budi!",
            chat_id=USER_ID,
            message_id=greeting.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=start_keyboard(),
        )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=USER_ID, message_id=greeting.message_id, reply_markup=start_keyboard()
        )
    # same text without the keyboard is a modification (Telegram drops the keyboard)
    await bot.edit_message_text(
        "<b>Selamat datang</b>, Budi!",
        chat_id=USER_ID,
        message_id=greeting.message_id,
        parse_mode=ParseMode.HTML,
    )
    assert greeting.buttons == [] and greeting.edited
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=999)
    assert await bot.delete_message(USER_ID, greeting.message_id)
    assert greeting.deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER_ID, greeting.message_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")
    assert len(sim.rejected) == 5


async def test_unknown_and_unstarted_chats(sim: BotApiSimulator, app: AnyApp) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await app.bot.send_message(424242, "halo")
    sim.user(USER_ID)
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await app.bot.send_message(USER_ID, "halo")
    assert [d for _, _, d in sim.rejected] == ["Bad Request: chat not found"]
    assert [d for _, _, d in sim.failures] == [
        "Forbidden: bot can't initiate conversation with a user"
    ]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_injected_failures_and_block(sim: BotApiSimulator, app: AnyApp) -> None:
    user = sim.user(USER_ID)
    await user.send("/start")
    bot = app.bot
    sim.inject_failure("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER_ID, "satu")
    assert caught.value._retry_after.total_seconds() == 7
    await bot.send_message(USER_ID, "dua")  # only the next call failed

    sim.inject_failure("sendmessage", status=502, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(USER_ID, "tiga")

    sim.inject_failure("sendMessage", status=200, delay=0.2)
    began = time.monotonic()
    await bot.send_message(USER_ID, "empat")
    assert time.monotonic() - began >= 0.2

    sim.block(USER_ID)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(USER_ID, "lima")
    assert [m.text for m in user.messages] == ["Selamat datang, Budi!", "dua", "empat"]
    # a user who writes again has unblocked the bot
    replies = await user.send("kembali")
    assert replies[0].text == "Anda menulis: kembali"
    assert len(sim.failures) == 4
    assert sim.rejected == []


async def test_commands_and_menu(sim: BotApiSimulator, app: AnyApp) -> None:
    await app.bot.set_my_commands([("start", "Mulai"), ("bantuan", "Bantuan")])
    assert sim.my_commands() == [("start", "Mulai"), ("bantuan", "Bantuan")]
    commands = await app.bot.get_my_commands()
    assert [c.command for c in commands] == ["start", "bantuan"]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await app.bot.set_my_commands([("Start", "Mulai")])
    assert await app.bot.delete_my_commands()
    assert sim.my_commands() == []
    assert await app.bot.set_chat_menu_button()


async def test_wait_times_out_clearly(sim: BotApiSimulator) -> None:
    user = sim.user(USER_ID)
    user.timeout = 0.2
    with pytest.raises(TimeoutError, match="did not fetch it"):
        await user.send("/start")


# ---------------------------------------------------------------- raw HTTP protocol


async def test_raw_protocol(sim: BotApiSimulator) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sim.api_url}WRONG/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{sim.api_url}{sim.token}/noSuchMethod") as resp:
            assert resp.status == 404
            assert (await resp.json())["description"] == "Not Found"
        async with http.get(f"{sim.api_url}{sim.token}/GETME") as resp:
            body = await resp.json()
            assert body["ok"] and body["result"]["username"] == "inovasi_sim_bot"
        sim.user(USER_ID, started=True)
        payload = {
            "chat_id": USER_ID,
            "text": "json",
            "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
        }
        async with http.post(f"{sim.api_url}{sim.token}/sendMessage", json=payload) as resp:
            body = await resp.json()
            assert body["ok"] and body["result"]["reply_markup"]["inline_keyboard"]
        async with http.get(f"{sim.file_url}{sim.token}/documents/none.pdf") as resp:
            assert resp.status == 404
    assert sim.messages(USER_ID)[0].button_labels() == ["A"]
    assert [r[0] for r in sim.rejected] == ["noSuchMethod"]


async def test_long_poll_without_application(sim: BotApiSimulator) -> None:
    """A raw client long-polls; the user waits for the offset confirmation and quiet chat."""
    user = sim.user(USER_ID)
    url = f"{sim.api_url}{sim.token}/getUpdates"
    async with aiohttp.ClientSession() as http:
        sending = asyncio.create_task(user.send("/start"))
        began = time.monotonic()
        async with http.post(url, data={"offset": "0", "timeout": "5"}) as resp:
            updates = (await resp.json())["result"]
        assert time.monotonic() - began < 2
        assert len(updates) == 1
        update = Update.de_json(updates[0], None)
        assert update.message is not None and update.message.text == "/start"
        assert update.message.entities[0].type == "bot_command"
        assert not sending.done()
        next_offset = str(updates[0]["update_id"] + 1)
        async with http.post(url, data={"offset": next_offset, "timeout": "0"}) as resp:
            assert (await resp.json())["result"] == []
        assert await sending == []


async def test_long_poll_times_out_empty(sim: BotApiSimulator) -> None:
    async with aiohttp.ClientSession() as http:
        began = time.monotonic()
        url = f"{sim.api_url}{sim.token}/getUpdates"
        async with http.post(url, data={"timeout": "0.3"}) as resp:
            assert (await resp.json())["result"] == []
        assert 0.25 <= time.monotonic() - began < 2


class InboxWorker:
    """A bot's own update worker, reduced to what attach() needs: join() returns once the
    updates it fetched are handled."""

    def __init__(self) -> None:
        self.handled = asyncio.Event()

    async def join(self) -> None:
        await self.handled.wait()


async def consume_one(sim: BotApiSimulator, inbox: InboxWorker, *, delay: float) -> None:
    """Fetch one update, confirm it, answer it after delay and only then mark it handled."""
    url = f"{sim.api_url}{sim.token}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/getUpdates", data={"timeout": "5"}) as resp:
            (update,) = (await resp.json())["result"]
        offset = str(update["update_id"] + 1)
        async with http.post(f"{url}/getUpdates", data={"offset": offset, "timeout": "0"}) as resp:
            assert (await resp.json())["result"] == []
        await asyncio.sleep(delay)
        message = update["message"]
        payload = {"chat_id": message["chat"]["id"], "text": f"Diterima: {message['text']}"}
        async with http.post(f"{url}/sendMessage", json=payload) as resp:
            assert (await resp.json())["ok"]
    inbox.handled.set()


async def test_attach_takes_anything_with_join(sim: BotApiSimulator) -> None:
    """A bot that handles updates with its own worker: send() and wait_idle() await join()."""
    inbox = InboxWorker()
    sim.attach(inbox)
    user = sim.user(USER_ID)
    # the answer comes well after the quiet period that ends the wait when nothing is attached
    consumer = asyncio.create_task(consume_one(sim, inbox, delay=3 * QUIET_PERIOD))
    replies = await user.send("halo")
    assert inbox.handled.is_set()
    assert [message.text for message in replies] == ["Diterima: halo"]
    await consumer

    inbox.handled.clear()  # the worker is busy again
    with pytest.raises(TimeoutError, match="update 1: the bot did not finish handling it"):
        await sim.wait_idle(max_wait=0.2)
    waiting = asyncio.create_task(sim.wait_idle(max_wait=2))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    inbox.handled.set()
    await waiting


async def test_listener_sees_messages(sim: BotApiSimulator, app: AnyApp) -> None:
    seen: list[tuple[str, SentMessage]] = []
    remove = sim.add_listener(lambda kind, message: seen.append((kind, message)))
    user = sim.user(USER_ID)
    await user.send("/start")
    await user.press("Bantuan")
    remove()
    await user.send("halo")
    assert [kind for kind, _ in seen] == ["sent", "edited"]


# ---------------------------------------------------------------- html.py


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("plain", "plain"),
        ("&lt;b&gt;Dinas &amp; Co&lt;/b&gt;", "<b>Dinas & Co</b>"),
        ("<b>a</b><strong>b</strong><i>c</i><em>d</em><u>e</u><ins>f</ins>", "abcdef"),
        ("<s>a</s><strike>b</strike><del>c</del><tg-spoiler>d</tg-spoiler>", "abcd"),
        ('<span class="tg-spoiler">x</span>', "x"),
        ("<a href='https://x.go.id/?a=1&amp;b=2'>tautan</a>", "tautan"),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1"),
        ("<blockquote expandable>kutipan</blockquote>", "kutipan"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("&#65;&#x42;&quot;", 'AB"'),
        ("<B>besar</B>", "besar"),
        ("a > b", "a > b"),
    ],
)
def test_html_accepts(source: str, text: str) -> None:
    assert html_to_text(source) == text


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<b>Dinas & Co</b>", 'Character "&" at byte offset 9'),
        ("a < b", 'Unsupported start tag ""'),
        ("<b>x", "Can't find end tag"),
        ("<b>x</i>", 'expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag"),
        ("<br>", 'Unsupported start tag "br"'),
        ("<p>x</p>", 'Unsupported start tag "p"'),
        ("<span>x</span>", 'must have class "tg-spoiler"'),
        ("<a>x</a>", 'must have attribute "href"'),
        ("&nbsp;", 'Character "&"'),
        ("&amp", 'Character "&"'),
        ("<b", "Unclosed start tag"),
        ('<a href="x>y</a>', "Unclosed start tag"),
        ("<b x>y</b>", "Expected equal sign"),
        ("&#xD800;", "Invalid numeric character reference"),
    ],
)
def test_html_rejects(source: str, reason: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert reason in caught.value.reason


def test_html_entities_use_utf16_offsets() -> None:
    parsed = parse_html('😀 <b>tebal</b> <a href="https://a.go.id">t</a>')
    assert parsed.text == "😀 tebal t"
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 5},
        {"type": "text_link", "offset": 9, "length": 1, "url": "https://a.go.id"},
    ]
    pre = parse_html('<pre><code class="language-py">x</code></pre>')
    assert pre.entities == [{"type": "pre", "offset": 0, "length": 1, "language": "py"}]


def test_html_error_byte_offsets_count_utf8() -> None:
    with pytest.raises(HtmlParseError, match="byte offset 6"):
        parse_html("é é <x>")
