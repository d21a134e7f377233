"""Exports, statistics, English: through the simulated Bot API."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, date, datetime

import openpyxl
import pytest
from PIL import Image
from sqlalchemy import select

from bot.settings import Settings
from bot.simulator import BotApiSimulator
from models.policy import Policy
from models.services import monev
from models.tables import Deadline, Innovation, Status, Unit, User
from tests import phones
from tests.conftest import BotHarness, onboard, texts
from tests.factories import TRICKY_TEXT, make_innovation, make_user

ADMIN_ID = 9900
STATES = [
    Status.DIAJUKAN, Status.TERVERIFIKASI, Status.DIKEMBALIKAN, Status.DIHENTIKAN, Status.DRAF,
]  # fmt: skip


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with one bootstrap admin."""
    phones.set_admins(settings, ADMIN_ID)
    return settings


async def seed(harness: BotHarness, count: int = 30) -> list[Innovation]:
    """Thirty innovations of two units in every state."""
    async with await harness.session() as session, session.begin():
        kes = await make_user(
            session, harness.clock, telegram_id=7101, name="Pengusul Kes", unit_code="DINKES"
        )
        dik = await make_user(
            session, harness.clock, telegram_id=7102, name="Pengusul Dik", unit_code="DISDIK"
        )
        rows = []
        for n in range(count):
            owner = kes if n % 3 else dik
            rows.append(
                await make_innovation(
                    session, harness.clock, owner=owner, n=n, status=STATES[n % len(STATES)]
                )
            )
    return rows


async def make_unit_verifier(harness: BotHarness, sim: BotApiSimulator, telegram_id: int) -> None:
    async with await harness.session() as session, session.begin():
        await make_user(
            session, harness.clock, telegram_id=telegram_id, name="Verifikator Kes",
            unit_code="DINKES", role="verifikator",
        )  # fmt: skip


def workbook_rows(data: bytes) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


async def test_export_has_iid_columns_and_the_stored_values(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await seed(harness)
    admin = sim.user(ADMIN_ID)
    await onboard(admin, name="Admin", unit="Bagian Organisasi")
    replies = await admin.send("/ekspor")
    assert "Ekspor data" in texts(replies)
    replies = await admin.press("Semua (XLSX)")
    [document] = [m for m in replies if m.document]
    assert document.document is not None and document.document.filename.endswith(".xlsx")
    assert "30 baris" in document.text
    rows = workbook_rows(document.document.data)
    assert rows[0] == [
        "Kode", "Status", "Nama inovasi", "Perangkat daerah", "Tahapan", "Inisiator",
        "Nama inisiator", "Jenis", "Bentuk", "Tematik", "Urusan utama", "Urusan beririsan",
        "Waktu uji coba (tanggal; bulan saja → tanggal 1)",
        "Waktu penerapan (tanggal; bulan saja → tanggal 1)", "Latar belakang masalah",
        "Rancang bangun", "Tujuan", "Manfaat", "Hasil", "Lokasi", "Bukti dukung", "Kontak",
        "Kelengkapan IID (%)", "Pengusul", "Diajukan pada", "Waktu uji coba (seperti diisi)",
        "Waktu penerapan (seperti diisi)",
    ]  # fmt: skip
    assert len(rows) == 31
    async with await harness.session() as session:
        stored = {i.nama_inovasi: i for i in (await session.execute(select(Innovation))).scalars()}
        units = {u.id: u.name for u in (await session.execute(select(Unit))).scalars()}
    status_names = {
        "draf": "Draf", "diajukan": "Diajukan", "dikembalikan": "Dikembalikan",
        "terverifikasi": "Terverifikasi", "dihentikan": "Dihentikan",
    }  # fmt: skip
    tahapan = {"inisiatif": "Inisiatif", "uji_coba": "Uji coba", "penerapan": "Penerapan"}
    for row in rows[1:]:
        item = stored[str(row[2])]
        assert row[0] == (item.code or None)
        assert row[1] == status_names[item.status]
        assert row[3] == units[item.unit_id or 0]
        assert row[4] == tahapan[item.tahapan or ""]
        assert row[11] == ("Komunikasi dan Informatika" if item.urusan_irisan else None)
        uji = row[12]
        assert (uji.date() if isinstance(uji, datetime) else None) == item.waktu_uji_coba
        assert row[14] == item.masalah and str(row[14]).startswith(TRICKY_TEXT)
        assert row[15] == item.rancang_bangun
        assert row[17] == item.manfaat
        assert row[19] == item.lokasi
        assert row[21] == item.kontak
    codes = [str(r[0]) for r in rows[1:] if r[0]]
    assert codes == sorted(codes)


async def test_export_is_scoped_and_filtered_for_a_verifier(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    rows = await seed(harness)
    await make_unit_verifier(harness, sim, 7201)
    verifier = sim.user(7201, started=True)
    replies = await verifier.send("/ekspor csv DINKES")
    [document] = [m for m in replies if m.document]
    assert document.document is not None
    text = document.document.data.decode("utf-8-sig")
    async with await harness.session() as session:
        kes = (await session.execute(select(Unit).where(Unit.code == "DINKES"))).scalar_one()
    expected = [r for r in rows if r.unit_id == kes.id and r.status != Status.DRAF]
    assert f"{len(expected)} baris" in document.text
    assert text.count("\nINO-2026-") == len(expected)
    assert "'=1+1 bukan rumus" in text and ",+6281234567890," in text
    replies = await verifier.send("/ekspor xlsx terverifikasi")
    [document] = [m for m in replies if m.document]
    assert document.document is not None
    data_rows = workbook_rows(document.document.data)[1:]
    assert {r[1] for r in data_rows} == {"Terverifikasi"}
    assert len(data_rows) == len([r for r in expected if r.status == Status.TERVERIFIKASI])
    assert "Format" in texts(await verifier.send("/ekspor pdf"))
    pengusul = sim.user(7101, started=True)
    assert "khusus verifikator" in texts(await pengusul.send("/ekspor"))


async def test_statistics_match_independent_counts(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    rows = await seed(harness)
    admin = sim.user(ADMIN_ID)
    await onboard(admin, name="Admin", unit="Bagian Organisasi")
    replies = await admin.send("/statistik")
    text = texts(replies)
    submitted = [r for r in rows if r.status != Status.DRAF]
    by_status = Counter(r.status for r in submitted)
    assert f"({len(submitted)} inovasi" in text
    for status, label in (("diajukan", "Diajukan"), ("terverifikasi", "Terverifikasi")):
        assert f"{label} {by_status[status]}" in text
    jenis = Counter(r.jenis for r in submitted)
    assert f"Digital {jenis['digital']}" in text and f"Non digital {jenis['non_digital']}" in text
    assert "Urusan pelayanan dasar tercakup: 3/6" in text
    assert "Pekerjaan Umum dan Penataan Ruang" in text
    [photo] = [m for m in replies if m.photo]
    assert photo.photo is not None and len(photo.photo) > 10_000
    image = Image.open(io.BytesIO(photo.photo))
    assert image.format == "PNG" and image.width > 400


@pytest.mark.telegram_only
async def test_a_full_registration_in_english(harness: BotHarness, sim: BotApiSimulator) -> None:
    user = sim.user(7301, first_name="Jane", language_code="en")
    assert "Step 1/4" in texts(await user.send("/start"))
    await user.send("Jane Doe")
    await user.press("Dinas Kesehatan")
    await user.press("Skip")
    assert "Your account is ready" in texts(await user.press("Skip"))
    assert "Step 1/" in texts(await user.send("/new"))
    await user.send("Mobile Health Post")
    await user.press("Dinas Kesehatan")
    await user.press("Trial")
    await user.press("Civil servant (ASN)")
    await user.press("It's me")
    await user.press("Digital")
    await user.press("Public service innovation")
    await user.press("Non-thematic")
    await user.press("Health")
    await user.press("Skip")
    assert "date does not exist" in texts(await user.send("31/02/2024"))
    await user.send("March 2024")
    await user.send(" ".join(["problem"] * 31))
    await user.press("Done")
    replies = await user.send("A design text.")
    assert "IID asks for at least 300)" in texts(replies)
    await user.press("Complete later (3/300 words)")
    for _ in range(3):
        await user.send("Some words here.")
        await user.press("Done")
    await user.press("Skip")
    await user.press("Skip")
    summary = texts(await user.press("Skip"))
    # typed as a month, shown as a month
    assert "Innovation profile summary" in summary and "Trial date: March 2024" in summary
    replies = await user.press("Submit")
    assert "INO-2026-0001" in texts(replies) and "Submitted" in texts(replies)
    assert "Pilih bahasa" in texts(await user.send("/bahasa"))
    assert "Bahasa diganti" in texts(await user.press("Bahasa Indonesia"))
    assert "Inovasi saya" in texts(await user.send("/inovasiku"))
    assert date.today()


async def test_monev_sheets_and_compliance(harness: BotHarness, sim: BotApiSimulator) -> None:
    rows = await seed(harness)
    verified = [r for r in rows if r.status == Status.TERVERIFIKASI]
    policy = Policy.from_settings(harness.settings)
    async with await harness.session() as session, session.begin():
        for innovation in verified:
            fresh = await session.get(Innovation, innovation.id)
            assert fresh is not None
            await monev.open_monev_periods(session, fresh, now=harness.clock.now(), policy=policy)
    outcomes = ["on_time", "on_time", "late"] + ["missing"] * (len(verified) - 3)
    when = {
        "on_time": datetime(2027, 1, 5, 3, tzinfo=UTC),
        "late": datetime(2027, 1, 15, 3, tzinfo=UTC),
    }
    for innovation, outcome in zip(verified, outcomes, strict=True):
        if outcome == "missing":
            continue
        async with await harness.session() as session, session.begin():
            deadline = (
                await session.execute(
                    select(Deadline).where(Deadline.innovation_id == innovation.id)
                )
            ).scalar_one()
            owner = await session.get(User, innovation.owner_id)
            assert owner is not None
            await monev.submit_report(
                session,
                deadline_id=deadline.id,
                reporter=owner,
                report=monev.ReportInput("berjalan", 1250, "Hasil\n“baik”", "Kendala", "Lanjut"),
                files=[],
                now=when[outcome],
            )
    harness.clock.set(datetime(2027, 1, 20, 2, tzinfo=UTC))
    async with await harness.session() as session:
        units = {u.id: u.name for u in (await session.execute(select(Unit))).scalars()}
    expected: dict[str, list[int]] = {}
    for innovation, outcome in zip(verified, outcomes, strict=True):
        column = ["on_time", "late", "missing"].index(outcome)
        expected.setdefault(units[innovation.unit_id or 0], [0, 0, 0])[column] += 1

    admin = sim.user(ADMIN_ID)
    await onboard(admin, name="Admin", unit="Bagian Organisasi")
    text = texts(await admin.send("/statistik"))
    for unit, (on_time, late, missing) in expected.items():
        assert f"• {unit}: {on_time} / {late} / {missing}" in text
    assert f"Laporan monev terlambat ({outcomes.count('missing')})" in text

    await admin.send("/ekspor")
    [document] = [m for m in await admin.press("Semua (XLSX)") if m.document]
    assert document.document is not None
    book = openpyxl.load_workbook(io.BytesIO(document.document.data))
    assert book.sheetnames == ["Inovasi", "Laporan monev", "Tenggat", "Indikator"]
    reports = [[c.value for c in r] for r in book["Laporan monev"].iter_rows()]
    assert len(reports) == 1 + 3
    assert reports[1][5:8] == ["Berjalan", 1250, "Hasil\n“baik”"]
    deadlines = [[c.value for c in r] for r in book["Tenggat"].iter_rows()]
    states = Counter(r[9] for r in deadlines[1:])
    assert states == {"Selesai": 3, "Terlambat": len(verified) - 3}
