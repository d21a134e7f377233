"""Tests for the terminal chat UI of the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path

import pytest

from bot.simulator import BotApiSimulator, SentMessage
from bot.simulator.terminal import HELP_TEXT, Person, people_help, render_message, run_terminal
from tests.simulator.test_simulator import AnyApp, running_app

USER_ID = 3003


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    async with BotApiSimulator() as simulator:
        yield simulator


@pytest.fixture
async def app(sim: BotApiSimulator) -> AsyncIterator[AnyApp]:
    async with running_app(sim) as application:
        yield application


def scripted(lines: Iterable[str]) -> Callable[[], Awaitable[str | None]]:
    """Return a read_line that yields lines, then EOF."""
    pending = list(lines)

    async def read_line() -> str | None:
        return pending.pop(0) if pending else None

    return read_line


async def test_numbered_buttons_and_press(sim: BotApiSimulator, app: AnyApp) -> None:
    out: list[str] = []
    user = sim.user(USER_ID)
    await run_terminal(
        sim, user, read_line=scripted(["/start", "1", "/keluar", "x"]), write=out.append
    )
    assert out[0] == HELP_TEXT
    assert out[1].splitlines() == [
        "🤖 Bot:",
        "Selamat datang, Budi!",
        "[1] Daftar",
        "[2] Bantuan",
        "[3] Situs → https://inovasi.example.go.id",
    ]
    assert out[2].splitlines() == ["🤖 Bot (pesan diperbarui):", "Dipilih: daftar", "[1] Kembali"]
    assert out[3] == "🔔 Pilihan: daftar"
    assert out[-1] == "Sampai jumpa!"
    assert len(out) == 5  # "x" after /keluar is never sent
    assert sim.rejected == []


async def test_terminal_commands(sim: BotApiSimulator, app: AnyApp, tmp_path: Path) -> None:
    report = tmp_path / "profil.pdf"
    report.write_bytes(b"%PDF" + b"0" * 96)
    picture = tmp_path / "gedung.jpg"
    picture.write_bytes(b"J" * 50)
    script = [
        "/laporan",
        "9",
        "3",
        f"/file {report}",
        f"/foto {picture}",
        "/file /tidak/ada.pdf",
        "/lokasi -6.2 106.8",
        "/lokasi utara",
        "/kontak +6281234",
        "/menu",
        "k2",
        "",
    ]
    out: list[str] = []
    user = sim.user(USER_ID)
    await user.send("/start")
    await run_terminal(sim, user, read_line=scripted(script), write=out.append)
    text = "\n".join(out)
    assert "[dokumen: laporan.txt, 11 bytes]\nLaporan bulanan" in text
    assert "[foto: 9 bytes]\nGrafik" in text
    assert "Tidak ada tombol nomor 9; pilih 1 sampai 3." in text
    assert "Tombol [3] adalah tautan: https://inovasi.example.go.id" in text
    assert "Ukuran: 100 byte" in text
    assert "Foto: 50 byte, keterangan: None" in text
    assert "Berkas tidak ditemukan: /tidak/ada.pdf" in text
    assert "Lokasi: -6.2, 106.8" in text
    assert "Format: /lokasi LINTANG BUJUR (contoh: /lokasi -6.2 106.8)" in text
    assert "Kontak: +6281234" in text
    assert "Papan ketik: [k1] Daftar Inovasi  [k2] Bantuan" in text
    assert "Anda menulis: Bantuan" in text
    assert sim.rejected == []


async def test_terminal_without_buttons(sim: BotApiSimulator, app: AnyApp) -> None:
    out: list[str] = []
    user = sim.user(USER_ID)
    await run_terminal(sim, user, read_line=scripted(["1", "halo"]), write=out.append)
    assert out[1] == "Tidak ada pesan dengan tombol."
    assert out[2] == "🤖 Bot:\nAnda menulis: halo"


def test_render_deleted_and_document() -> None:
    message = SentMessage(
        message_id=1, chat_id=1, text="Sedang memproses…", html="", parse_mode=None
    )
    assert render_message("deleted", message) == ["🤖 Bot menghapus pesan: Sedang memproses…"]


async def test_switching_between_people(sim: BotApiSimulator, app: AnyApp) -> None:
    submitter = sim.user(USER_ID, first_name="Sari", started=True)
    verifier = sim.user(USER_ID + 1, first_name="Vera", started=True)
    people = [
        Person("pengusul", submitter, about="Sari", aliases=("submitter",)),
        Person("verifikator", verifier, about="Vera, Dinas Kesehatan", aliases=("verifier",)),
    ]
    pending = ["/start", "", "/as verifier", "/sebagai verifikator", "/sebagai siapa"]
    pending += ["/sebagai", "/sebagai pengusul", "1", "/bantuan-demo"]

    async def read_line() -> str | None:
        if not pending:
            return None
        line = pending.pop(0)
        if not line:  # meanwhile the verifier gets a message while the terminal is Sari's
            await verifier.send("halo")
        return line

    out: list[str] = []
    await run_terminal(sim, submitter, read_line=read_line, write=out.append, people=people)
    assert out[0] == HELP_TEXT + "\n\n" + people_help(people)
    assert "  verifikator / verifier (id 3004): Vera, Dinas Kesehatan" in out[0]
    assert out[1] == "👤 Sekarang Anda pengusul (id 3003): Sari"
    assert out[2] == "Belum ada pesan di chat ini sejak demo dimulai; ketik /start untuk mulai."
    assert out[3].startswith("🤖 Bot:\nSelamat datang, Sari!")
    assert out[4] == "📨 pesan baru untuk verifikator (baca dengan /sebagai verifikator)"
    assert "Anda menulis: halo" not in "\n".join(out[:5])  # only the notice, not the message
    assert out[5] == "👤 Sekarang Anda verifikator (id 3004): Vera, Dinas Kesehatan"
    assert out[6] == "🤖 Bot:\nAnda menulis: halo"
    assert out[7] == "Anda sudah di chat verifikator."
    assert out[8] == "Tidak ada orang bernama 'siapa'; pilih: pengusul, verifikator."
    assert out[9] == "Format: /sebagai NAMA (pilih: pengusul, verifikator)"
    assert out[10] == "👤 Sekarang Anda pengusul (id 3003): Sari"
    assert out[11].splitlines()[:2] == ["🤖 Bot:", "Selamat datang, Sari!"]  # buttons again
    assert out[12].splitlines() == ["🤖 Bot (pesan diperbarui):", "Dipilih: daftar", "[1] Kembali"]
    assert out[13] == "🔔 Pilihan: daftar"
    assert out[14] == out[0]
    assert out[15] == "Sampai jumpa!"
    assert sim.rejected == []


async def test_unseen_messages_are_shown_on_entering_a_chat(
    sim: BotApiSimulator, app: AnyApp
) -> None:
    first = sim.user(USER_ID, started=True)
    second = sim.user(USER_ID + 1, started=True)
    people = [Person("satu", first), Person("dua", second)]
    pending = ["", "/sebagai dua"]

    async def read_line() -> str | None:
        if not pending:
            return None
        line = pending.pop(0)
        if not line:
            await second.send("/start")
            for number in range(7):
                await second.send(f"pesan {number}")
        return line

    out: list[str] = []
    await run_terminal(sim, first, read_line=read_line, write=out.append, people=people)
    assert out.count("📨 pesan baru untuk dua (baca dengan /sebagai dua)") == 8
    entered = out.index("👤 Sekarang Anda dua (id 3004)")
    assert out[entered + 1] == "(3 pesan sebelumnya tidak ditampilkan)"
    shown = out[entered + 2 : -1]
    # the greeting, whose buttons the numbers press, and the latest five
    assert [m.splitlines()[1] for m in shown] == [
        "Selamat datang, Budi!",
        *(f"Anda menulis: pesan {n}" for n in range(2, 7)),
    ]


async def test_documents_and_photos_are_saved(
    sim: BotApiSimulator, app: AnyApp, tmp_path: Path
) -> None:
    received = tmp_path / "received"
    user = sim.user(USER_ID, started=True)
    out: list[str] = []
    await run_terminal(
        sim, user, read_line=scripted(["/laporan", "/laporan"]), write=out.append,
        received_dir=received,
    )  # fmt: skip
    text = "\n".join(out)
    assert f"[dokumen: laporan.txt, 11 bytes] → disimpan di {received / 'laporan.txt'}" in text
    assert f"[foto: 9 bytes] → disimpan di {received / 'foto-2.png'}" in text
    assert (received / "laporan.txt").read_bytes() == b"isi laporan"
    assert (received / "laporan-2.txt").read_bytes() == b"isi laporan"
    assert (received / "foto.png").read_bytes() == b"\x89PNG fake"
    assert sorted(p.name for p in received.iterdir()) == [
        "foto-2.png", "foto.png", "laporan-2.txt", "laporan.txt",
    ]  # fmt: skip
