"""The terminal chat on WhatsApp: `python bot.py demo --channel whatsapp` driven with scripted
input (the real bot against the WhatsApp simulator), and the terminal itself against a tiny
webhook receiver that answers with lists, buttons and a template."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot import demo
from bot.simulator.console import Person
from bot.simulator.records import Document
from bot.simulator.terminal_whatsapp import (
    WA_HELP_TEXT,
    render_wa_message,
    run_whatsapp_terminal,
    whatsapp_people_help,
)
from bot.simulator.whatsapp import WaButton, WaMessage, WaTemplate, WhatsAppSimulator
from bot.simulator.whatsapp.inbound import bsuid_for

RANCANG_BANGUN = " ".join(
    ["Kader posyandu memakai aplikasi untuk jadwal dan pencatatan gizi."] * 35
)
LATAR = (
    "Banyak ibu hamil dan balita di desa terpencil tidak datang ke posyandu karena jadwal "
    "tidak diketahui, jaraknya jauh, dan data gizi dicatat di kertas sehingga terlambat sampai "
    "ke puskesmas dan dinas kesehatan setiap bulan."
)
ONBOARD = ["/start", "Sari Pengusul", "4", "2", "3"]  # Dinas Kesehatan, Lewati NIP, Lewati HP


def scripted(lines: Iterable[str]) -> Callable[[], Awaitable[str | None]]:
    """Return a read_line that yields lines, then EOF."""
    pending = list(lines)

    async def read_line() -> str | None:
        return pending.pop(0) if pending else None

    return read_line


async def run_demo(data: Path, lines: Iterable[str]) -> str:
    out: list[str] = []
    await demo.chat_whatsapp(data, read_line=scripted(lines), write=out.append)
    return "\n".join(out)


# ---------------------------------------------------------------------- rendering


def test_a_list_shows_its_button_then_rows_with_descriptions() -> None:
    message = WaMessage("wamid.1", "62812", "list", "Pilih *unit*:", "Pilih unit:")
    message.list_button = "Pilih"
    message.buttons = [
        [WaButton("Dinas Kesehatan", "u:1", kind="row")],
        [WaButton("Badan Perencanaan Pemb…", "u:2", "Badan Perencanaan Pembangunan", "row")],
        [WaButton("↩️ Kembalikan", "r", "INO-2026-0001", "row")],
    ]
    assert render_wa_message(message, first=4) == [
        "🤖 Bot:",
        "Pilih unit:",
        "☰ Pilih",
        "[4] Dinas Kesehatan",
        "[5] Badan Perencanaan Pembangunan",  # the shortened title reads as the description
        "[6] ↩️ Kembalikan — INO-2026-0001",
    ]
    assert render_wa_message(message, first=None)[-1] == "[·] ↩️ Kembalikan — INO-2026-0001"


def test_a_template_and_a_document_are_shown_as_the_phone_shows_them(tmp_path: Path) -> None:
    template = WaMessage("wamid.2", "62812", "template", "Halo *Sari*", "Halo Sari")
    template.buttons = [[WaButton("Buka", "wa:open", kind="quick_reply")]]
    assert render_wa_message(template) == ["🤖 Bot (templat pesan):", "Halo Sari", "[1] Buka"]
    document = WaMessage("wamid.3", "62812", "document", "", "")
    document.document = Document("laporan.xlsx", b"x" * 12, "application/vnd.ms-excel")
    saved = tmp_path / "laporan.xlsx"
    assert render_wa_message(document, saved=saved) == [
        "🤖 Bot:",
        f"[dokumen: laporan.xlsx, 12 bytes] → disimpan di {saved}",
    ]


# ---------------------------------------------------------------------- the demo


async def test_demo_onboarding_by_pressing_list_rows_and_buttons(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    script = [*ONBOARD[:2], "12", *ONBOARD[2:], "/dataku", "/keluar", "/dataku"]
    out = await run_demo(data, script)
    assert out.startswith(WA_HELP_TEXT)
    assert "  admin (nomor 6281200001003): Adi Admin, admin lewat ADMIN_WHATSAPP_IDS:" in out
    assert "👤 Sekarang Anda pengusul (nomor 6281200001001)" in out
    # the unit step: one list (its button label, then the rows), its page a line of the text
    unit_step = out.split("Langkah 2/4 · Unit kerja", 1)[1].split("Tidak ada pilihan", 1)[0]
    assert "\nHalaman 1/3\n☰ Pilih\n[1] Bagian Organisasi Sekretariat Daerah\n" in unit_step
    assert "\n[4] Dinas Kesehatan\n" in unit_step
    assert "\n[9] ▶️\n[10] ⬅️ Kembali" in unit_step and "Pilihan lainnya" not in unit_step
    assert "Tidak ada pilihan nomor 12; pilih 1 sampai 10." in out
    # 2 on the NIP step is Lewati ⏭; 3 on the phone step too (after "Pakai nomor WA ini")
    assert "(opsional — tekan Lewati bila tidak ada)\n[1] ⬅️ Kembali\n[2] Lewati ⏭" in out
    assert "[1] Pakai nomor WA ini\n[2] ⬅️ Kembali\n[3] Lewati ⏭" in out
    assert "Tanpa nomor kontak." in out
    assert "Terima kasih, Sari Pengusul. Akun Anda siap." in out
    [_, dataku] = out.split("Data pribadi Anda", 1)  # once: nothing is read after /keluar
    assert "Unit: Dinas Kesehatan" in dataku  # row [4] chose it
    assert f"ID WhatsApp: {bsuid_for('6281200001001')}" in dataku
    assert out.endswith("Sampai jumpa!")


async def test_demo_submit_verify_and_notice_across_people(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    evidence = tmp_path / "bukti.pdf"
    evidence.write_bytes(b"%PDF-1.4 bukti posyandu")
    script = [
        *ONBOARD,
        "/baru", "Posyandu Keliling Digital",
        "1", "1", "1", "1",  # unit (the user's, first), Inisiatif, Kepala Daerah, Saya sendiri
        "1", "1", "1", "2", "12",  # Digital, bentuk, tematik, Kesehatan; beririsan: Lewati
        LATAR, "1", RANCANG_BANGUN, "1",
        "Semua ibu hamil dan balita terlayani posyandu setiap bulan.", "1",
        "Jadwal diketahui warga; data gizi sampai hari itu juga.", "1",
        "2",  # hasil: Lewati
        "/lokasi 4.1367 117.6631",
        f"/file {evidence}", "1",  # bukti dukung, then ✅ Selesai
        "/kontak 081234567890",
        "2",  # 📤 Kirim untuk diverifikasi
        "/sebagai verifikator", "/antrian", "1",
        "5",  # 📎 Lihat bukti (1)
        "/antrian", "1", "1", "1",  # ✅ Verifikasi, ✅ Ya, verifikasi
        "/as admin", "/pengguna", "/statistik",
        "/sebagai pengusul",
    ]  # fmt: skip
    out = await run_demo(data, script)
    assert "Kontak: +6281234567890" in out and "Lokasi: 4.1367, 117.6631" in out
    submitted, verifier = out.split("👤 Sekarang Anda verifikator (nomor 6281200001002)", 1)
    assert "✅ Terkirim! Inovasi Posyandu Keliling Digital tercatat dengan kode INO-" in submitted
    assert "📨 pesan baru untuk verifikator (baca dengan /sebagai verifikator)" in submitted
    # what arrived while away is shown on entering, pressable
    assert verifier.startswith(
        ": Vera Verifikator, verifikator Dinas Kesehatan (akun disiapkan demo): /antrian\n"
        "🤖 Bot:\n📥 Inovasi diajukan untuk diverifikasi\n"
    )
    assert "Antrian verifikasi (1, tertua dulu) — pilih untuk memeriksa:\n☰ Pilih\n[1] INO-" in out
    assert "[1] ✅ Verifikasi\n[2] ↩️ Kembalikan\n[3] ⛔ Hentikan" in verifier
    received = data / "received"
    bukti = next(received.glob("INO-*-bukti-1.pdf"))
    assert bukti.read_bytes() == evidence.read_bytes()
    assert f"[dokumen: {bukti.name}, {bukti.stat().st_size} bytes] → disimpan di {bukti}" in out
    assert "terverifikasi. Pengusul sudah diberi tahu." in verifier
    assert "📨 pesan baru untuk pengusul (baca dengan /sebagai pengusul)" in verifier
    admin = verifier.split("👤 Sekarang Anda admin (nomor 6281200001003)", 1)[1]
    assert "Pengguna (3)" in admin  # the admin is one by ADMIN_WHATSAPP_IDS (its BSUID)
    assert "Vera Verifikator · Verifikator · DINKES" in admin and "Adi Admin · Admin · ORG" in admin
    chart = received / "foto.png"
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert f"[foto: {chart.stat().st_size} bytes] → disimpan di {chart}" in admin
    submitter = admin.split("👤 Sekarang Anda pengusul (nomor 6281200001001)", 1)[1]
    assert "Posyandu Keliling Digital telah terverifikasi. Selamat!" in submitter
    assert "[1] Lihat kartu\n[2] 🌐 Ya, tampilkan di katalog" in submitter

    again = await run_demo(data, ["/inovasiku"])  # the data is kept for the next demo
    assert "Posyandu Keliling Digital · Terverifikasi" in again


# ---------------------------------------------------------------------- the terminal itself


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EchoBot:
    """A webhook receiver that answers through the Graph API: "menu" with a list and then
    buttons (one screen in two messages), "templat" with a template, anything pressed with
    what it was."""

    def __init__(self, sim: WhatsAppSimulator) -> None:
        self.sim = sim
        self.pressed: list[dict[str, Any]] = []
        self.http: aiohttp.ClientSession | None = None

    async def send(self, to: str, body: dict[str, Any]) -> None:
        assert self.http is not None
        url = f"{self.sim.api_url}/v22.0/{self.sim.phone_id}/messages"
        headers = {"Authorization": f"Bearer {self.sim.token}"}
        payload = {"messaging_product": "whatsapp", "to": to, **body}
        async with self.http.post(url, json=payload, headers=headers) as answer:
            assert answer.status == 200, await answer.text()

    async def receive(self, request: web.Request) -> web.Response:
        value = (await request.json())["entry"][0]["changes"][0]["value"]
        for message in value.get("messages", []):
            await self.answer(message["from"], message)
        return web.Response(text="ok")

    async def answer(self, to: str, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "text" and message["text"]["body"] == "menu":
            rows = [{"id": f"row:{n}", "title": f"Baris {n}", "description": f"isi {n}"}
                    for n in (1, 2, 3)]  # fmt: skip
            await self.send(
                to,
                {
                    "type": "interactive",
                    "interactive": {
                        "type": "list",
                        "body": {"text": "Pilih baris:"},
                        "action": {"button": "Pilih", "sections": [{"title": "", "rows": rows}]},
                    },
                },
            )
            buttons = [{"type": "reply", "reply": {"id": f"btn:{n}", "title": f"Tombol {n}"}}
                       for n in (1, 2)]  # fmt: skip
            await self.send(to, {"type": "interactive", "interactive": {
                "type": "button", "body": {"text": "Pilihan lainnya:"},
                "action": {"buttons": buttons}}})  # fmt: skip
        elif kind == "text" and message["text"]["body"] == "templat":
            quick = [
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": n,
                    "parameters": [{"type": "payload", "payload": f"q:{n}"}],
                }
                for n in (0, 1)
            ]
            await self.send(to, {"type": "template", "template": {
                "name": "pengingat", "language": {"code": "id"}, "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": "Sari"}]},
                    *quick]}})  # fmt: skip
        elif kind in ("interactive", "button"):
            self.pressed.append(message)
            reply = message.get("interactive") or {}
            chosen = reply.get("list_reply") or reply.get("button_reply") or message["button"]
            await self.send(to, {"type": "text", "text": {"body": f"dipilih {chosen}"}})
        else:
            await self.send(to, {"type": "text", "text": {"body": f"{kind} diterima"}})


@pytest.fixture
async def echo() -> AsyncIterator[EchoBot]:
    async with WhatsAppSimulator() as sim, aiohttp.ClientSession() as http:
        sim.templates[("pengingat", "id")] = WaTemplate(
            "Halo {{1}}, laporan jatuh tempo.", buttons=("Kirim sekarang", "Nanti")
        )
        bot = EchoBot(sim)
        bot.http = http
        app = web.Application()
        app.router.add_post("/whatsapp", bot.receive)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = _free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        sim.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
        try:
            yield bot
        finally:
            await runner.cleanup()


async def test_numbers_press_across_an_answer_and_quick_replies(echo: EchoBot) -> None:
    sim = echo.sim
    user = sim.user("6281200003001", name="Sari")
    sim.mark_inbound(user.wa_id)
    script = ["1", "menu", "7", "3", "5", "templat", "2", "/kontak 0812 1", "/sebagai x"]
    out: list[str] = []
    await run_whatsapp_terminal(sim, user, read_line=scripted(script), write=out.append)
    assert out[0] == WA_HELP_TEXT
    assert out[1] == "Tidak ada pesan dengan tombol."
    assert out[2].splitlines() == [
        "🤖 Bot:", "Pilih baris:", "☰ Pilih",
        "[1] Baris 1 — isi 1", "[2] Baris 2 — isi 2", "[3] Baris 3 — isi 3",
    ]  # fmt: skip
    assert out[3].splitlines() == ["🤖 Bot:", "Pilihan lainnya:", "[4] Tombol 1", "[5] Tombol 2"]
    assert out[4] == "Tidak ada pilihan nomor 7; pilih 1 sampai 5."
    assert out[5] == "🤖 Bot:\ndipilih {'id': 'row:3', 'title': 'Baris 3', 'description': 'isi 3'}"
    # that answer had no buttons: the numbers still press the screen shown before
    assert out[6] == "🤖 Bot:\ndipilih {'id': 'btn:2', 'title': 'Tombol 2'}"
    assert out[7].splitlines() == [
        "🤖 Bot (templat pesan):", "Halo Sari, laporan jatuh tempo.",
        "[1] Kirim sekarang", "[2] Nanti",
    ]  # fmt: skip
    assert out[8] == "🤖 Bot:\ndipilih {'payload': 'q:1', 'text': 'Nanti'}"  # a quick reply
    assert out[9] == "🤖 Bot:\ncontacts diterima"
    assert out[10] == "🤖 Bot:\ntext diterima"  # without people, /sebagai is a text to the bot
    assert out[11:] == ["Sampai jumpa!"]
    assert [m["type"] for m in echo.pressed] == ["interactive", "interactive", "button"]
    [template] = [m for m in user.messages if m.kind == "template"]
    assert echo.pressed[-1]["context"]["id"] == template.message_id
    assert sim.rejected == []


async def test_entering_a_chat_shows_older_choices_unnumbered(echo: EchoBot) -> None:
    sim = echo.sim
    first = sim.user("6281200003001", name="Sari")
    second = sim.user("6281200003002", name="Vera")
    for person in (first, second):
        sim.mark_inbound(person.wa_id)
    people = [Person("satu", first, about="Sari"), Person("dua", second)]
    pending = ["", "", "/sebagai dua", "4"]

    async def read_line() -> str | None:
        if not pending:
            return None
        line = pending.pop(0)
        if not line:  # meanwhile the other person asks twice: two answers with buttons
            await second.send("menu")
        return line

    out: list[str] = []
    await run_whatsapp_terminal(sim, first, read_line=read_line, write=out.append, people=people)
    assert out[0] == WA_HELP_TEXT + "\n\n" + whatsapp_people_help(people)
    assert "  dua (nomor 6281200003002)" in out[0]
    assert out[1] == "👤 Sekarang Anda satu (nomor 6281200003001): Sari"
    assert out.count("📨 pesan baru untuk dua (baca dengan /sebagai dua)") == 4
    entered = out.index("👤 Sekarang Anda dua (nomor 6281200003002)")
    shown = out[entered + 1 : entered + 5]
    assert [m.splitlines()[-1] for m in shown] == [
        "[·] Baris 3 — isi 3", "[·] Tombol 2",  # the first answer: no number presses it now
        "[3] Baris 3 — isi 3", "[5] Tombol 2",
    ]  # fmt: skip
    assert out[entered + 5] == "🤖 Bot:\ndipilih {'id': 'btn:1', 'title': 'Tombol 1'}"
    assert echo.pressed[-1]["context"]["id"] == second.messages[-2].message_id  # the latest
