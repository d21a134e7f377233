"""A date typed as a month stays a month: summary, status card, database and exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.simulator import BotApiSimulator, SimUser
from models.tables import Innovation
from tests import phones
from tests.conftest import BotHarness, onboard, texts
from tests.handlers.test_registration import MASALAH_1, MASALAH_2

ADMIN_ID = 9950


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with one bootstrap admin."""
    phones.set_admins(settings, ADMIN_ID)
    return settings


async def register_with_dates(user: SimUser, uji_coba: str) -> list[str]:
    """Register an innovation in Penerapan with the given trial date; return what the bot
    said at the implementation-date step, up to the summary."""
    await user.send("/baru")
    await user.send("Posyandu Keliling Perbatasan")
    await user.press("Dinas Kesehatan")
    await user.press("Penerapan")
    await user.press("ASN")
    await user.press("Saya sendiri")
    await user.press("Non digital")
    await user.press("Inovasi pelayanan publik")
    await user.press("Non tematik")
    await user.press("Kesehatan")
    await user.press("Lewati")
    said = [texts(await user.send(uji_coba))]
    said.append(texts(await user.send("Mei 2023")))  # before the trial month: refused
    said.append(texts(await user.send("15/06/2023")))  # in the trial month: not before it
    await user.send(MASALAH_1)
    await user.send(MASALAH_2)
    await user.press("Selesai")
    await user.send("Kader dan bidan berkeliling ke desa perbatasan setiap pekan.")
    await user.press("Lengkapi nanti")
    for text in ("Layanan sampai ke desa.", "Ibu dan balita terlayani.", "Kunjungan naik."):
        await user.send(text)
        await user.press("Selesai")
    await user.press("Lewati")
    await user.press("Lewati")
    said.append(texts(await user.press("Lewati")))
    return said


async def test_a_month_is_kept_shown_and_exported_as_a_month(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(5301, first_name="Siti")
    await onboard(user, name="Siti Aminah")
    asked_uji, refused, accepted, summary = await register_with_dates(user, "06/2023")
    assert "Waktu penerapan" in asked_uji
    assert "tidak boleh sebelum Juni 2023" in refused  # the month as given, not its 1st
    assert "Ringkasan" not in refused and "Latar belakang" in accepted
    assert "Waktu uji coba: Juni 2023" in summary
    assert "Waktu penerapan: 15 Juni 2023" in summary
    assert "1 Juni 2023" not in summary
    assert "INO-2026-0001" in texts(await user.press("Kirim"))

    card = texts(await user.send("/status INO-2026-0001"))
    assert "Waktu uji coba: Juni 2023" in card and "Waktu penerapan: 15 Juni 2023" in card
    assert "1 Juni 2023" not in card
    async with await harness.session() as session:
        stored = (await session.execute(select(Innovation))).unique().scalar_one()
    assert (stored.waktu_uji_coba, stored.waktu_uji_coba_precision) == (date(2023, 6, 1), "month")
    assert (stored.waktu_penerapan, stored.waktu_penerapan_precision) == (
        date(2023, 6, 15),
        "day",
    )

    # 20 Nov 2026 18:30 UTC is already 21 Nov 01:30 in Jakarta: the file is named by the latter
    harness.clock.set(datetime(2026, 11, 20, 18, 30, tzinfo=UTC))
    admin = sim.user(ADMIN_ID)
    await onboard(admin, name="Adi Admin", unit="Bagian Organisasi")
    [document] = [m for m in await admin.send("/ekspor csv") if m.document]
    assert document.document is not None
    assert document.document.filename == "inovasi-20261121-0130.csv"
    header, row = list(csv.reader(io.StringIO(document.document.data.decode("utf-8-sig"))))
    cells = dict(zip(header, row, strict=True))
    assert cells["Waktu uji coba (tanggal; bulan saja → tanggal 1)"] == "2023-06-01"
    assert cells["Waktu penerapan (tanggal; bulan saja → tanggal 1)"] == "2023-06-15"
    assert cells["Waktu uji coba (seperti diisi)"] == "Juni 2023"
    assert cells["Waktu penerapan (seperti diisi)"] == "15 Juni 2023"

    await admin.send("/ekspor")
    [book] = [m for m in await admin.press("Semua (XLSX)") if m.document]
    assert book.document is not None and book.document.filename == "inovasi-20261121-0130.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(book.document.data)).worksheets[0]
    head, values = ([c.value for c in r] for r in sheet.iter_rows())
    xlsx = dict(zip(head, values, strict=True))
    assert xlsx["Waktu uji coba (tanggal; bulan saja → tanggal 1)"] == datetime(2023, 6, 1)
    assert xlsx["Waktu uji coba (seperti diisi)"] == "Juni 2023"
    assert xlsx["Waktu penerapan (seperti diisi)"] == "15 Juni 2023"
