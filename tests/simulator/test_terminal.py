"""Tests for the terminal chat UI of the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path

import pytest

from bot.simulator import BotApiSimulator, SentMessage
from bot.simulator.terminal import HELP_TEXT, render_message, run_terminal
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
