"""The IID indicators in the exports: the Indikator sheet of /ekspor's XLSX, and the evidence
zip arranged by innovation and indicator with its manifest."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from bot import evidence_zip
from bot.app import close_database, make_deps, open_database
from bot.deps import Deps
from bot.settings import Settings
from bot.simulator import BotApiSimulator
from models.clock import FrozenClock
from models.db import transaction
from models.services import document_checks
from models.services import export as export_data
from models.tables import Attachment, Innovation, Status
from tests import phones, samples
from tests.conftest import BotHarness, onboard
from tests.factories import answer_indicator, make_innovation, make_user

ADMIN_ID = 9900
VIDEO = "https://youtu.be/inovasi-tb"
HEADERS = [
    "Kode", "Nama inovasi", "No. indikator", "Indikator", "Tingkat", "Bobot", "Skor",
    "Bukti (berkas; tautan)", "Diverifikasi",
]  # fmt: skip


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with one bootstrap admin."""
    phones.set_admins(settings, ADMIN_ID)
    return settings


async def test_the_xlsx_export_has_an_indikator_sheet_in_iid_order(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    async with await harness.session() as session, session.begin():
        owner = await make_user(
            session, harness.clock, telegram_id=7101, name="Pengusul", unit_code="DINKES"
        )
        verified = await make_innovation(
            session, harness.clock, owner=owner, n=2, status=Status.TERVERIFIKASI
        )
        submitted = await make_innovation(session, harness.clock, owner=owner, n=4)
        draft = await make_innovation(session, harness.clock, owner=owner, n=5, status="draf")
        clock = harness.clock
        await answer_indicator(session, clock, verified, "regulasi", 3, files=["perbup.pdf"])
        await answer_indicator(session, clock, verified, "sdm", 2, files=["sk.pdf", "=1+1.pdf"])
        # a verifier accepts these two; what follows waits
        await document_checks.stamp(session, verified.id, now=clock.now())
        await answer_indicator(session, clock, verified, "video", 2, link=VIDEO)
        await answer_indicator(session, clock, verified, "anggaran", 1)  # no evidence: 0
        await answer_indicator(session, clock, submitted, "bimtek", None, files=["daftar.pdf"])
        await answer_indicator(session, clock, draft, "regulasi", 1, files=["sk-kadis.pdf"])

    admin = sim.user(ADMIN_ID)
    await onboard(admin, name="Admin", unit="Bagian Organisasi")
    await admin.send("/ekspor")
    [document] = [m for m in await admin.press("Semua (XLSX)") if m.document]
    assert document.document is not None
    book = openpyxl.load_workbook(io.BytesIO(document.document.data))
    assert book.sheetnames[-1] == "Indikator"
    sheet = book["Indikator"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADERS
    # every innovation of the export (drafts too, as on the Inovasi sheet) x 20, in the
    # export's order (codes, then drafts) and IID order
    assert len(rows) == 1 + 3 * 20
    codes = [verified.code, submitted.code, None]
    assert [r[0] for r in rows[1:]] == [c for c in codes for _ in range(20)]
    assert [r[2] for r in rows[1:21]] == list(range(1, 21))
    by_number = {r[2]: r for r in rows[1:21]}
    assert by_number[1] == [
        verified.code, verified.nama_inovasi, 1, "Regulasi inovasi daerah",
        "Peraturan Kepala Daerah / Perda", 1, 3, "perbup.pdf", "Ya",
    ]  # fmt: skip
    assert by_number[2][4:] == ["11-30 orang", 2, 4, "sk.pdf; =1+1.pdf", "Ya"]
    # changed after the verifier's check: not verified yet
    assert by_number[3][4:] == ["DPA tahun ini (T-0)", 2, 0, None, "Belum"]
    assert by_number[20][4:] == ["3-4 unsur", 4, 8, VIDEO, "Belum"]
    # the level the profile implies (trial to implementation within a month), no evidence;
    # verified with the profile
    assert by_number[17][3:] == ["Kecepatan penciptaan", "1-4 bulan", 2, 0, None, "Ya"]
    assert by_number[5][4:] == [None, 1, 0, None, None]
    # a file name that looks like a formula stays text
    assert sheet.cell(row=3, column=8).data_type == "s"
    bimtek = next(r for r in rows[21:41] if r[2] == 5)
    assert bimtek[4:] == [None, 1, 0, "daftar.pdf", None]  # evidence without a level
    regulasi = next(r for r in rows[41:] if r[2] == 1)
    # a draft's answers are not verified
    assert regulasi[4:] == ["SK Kepala Perangkat Daerah", 1, 1, "sk-kadis.pdf", "Belum"]

    # the filters of the export hold for the sheet too
    replies = await admin.send("/ekspor xlsx terverifikasi")
    [document] = [m for m in replies if m.document]
    assert document.document is not None
    book = openpyxl.load_workbook(io.BytesIO(document.document.data))
    assert {r[0].value for r in book["Indikator"].iter_rows(min_row=2)} == {verified.code}


@pytest.fixture
async def deps(settings: Settings, clock: FrozenClock) -> AsyncIterator[Deps]:
    deps = make_deps(settings, clock=clock)
    await open_database(deps)
    try:
        yield deps
    finally:
        await close_database(deps)


def attach(innovation: Innovation, files_dir: Path, name: str, n: int) -> Attachment:
    path = f"{innovation.id}/{n:02d}.pdf"
    (files_dir / path).parent.mkdir(parents=True, exist_ok=True)
    (files_dir / path).write_bytes(samples.PDF)
    return Attachment(
        innovation_id=innovation.id, kind="document", filename=name,
        mime_type="application/pdf", size=len(samples.PDF), path=path,
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
    )  # fmt: skip


async def test_the_evidence_zip_is_arranged_by_innovation_and_indicator_with_a_manifest(
    deps: Deps, clock: FrozenClock, tmp_path: Path
) -> None:
    files_dir = deps.files_dir
    async with transaction(deps.session_factory()) as session:
        owner = await make_user(
            session, clock, telegram_id=7101, name="Pengusul", unit_code="DINKES"
        )
        first = await make_innovation(session, clock, owner=owner, n=1, status=Status.TERVERIFIKASI)
        second = await make_innovation(session, clock, owner=owner, n=2)
        draft = await make_innovation(session, clock, owner=owner, n=3, status=Status.DRAF)
        session.add(attach(first, files_dir, "sk-inovasi.pdf", 1))
        session.add(attach(first, files_dir, "../foto/Foto Kegiatan.pdf", 2))
        session.add(attach(draft, files_dir, "draf.pdf", 1))
        missing = attach(second, files_dir, "hilang.pdf", 1)
        session.add(missing)
        await answer_indicator(
            session, clock, first, "regulasi", 3, files=["perbup.pdf", "=lampiran.pdf"],
            files_dir=files_dir,
        )  # fmt: skip
        # a verifier checks that one; what follows waits
        await document_checks.stamp(session, first.id, now=clock.now())
        await answer_indicator(
            session, clock, first, "pedoman_teknis", 2, files=["pedoman.pdf"], files_dir=files_dir
        )
        await answer_indicator(session, clock, first, "video", 3, link=VIDEO)
        await answer_indicator(
            session, clock, second, "sdm", 1, files=["sk-tim.pdf"], files_dir=files_dir
        )
    (files_dir / missing.path).unlink()  # a file gone from FILES_DIR is left out

    out = tmp_path / "bukti.zip"
    async with deps.session_factory()() as session:
        count = await evidence_zip.write_evidence_zip(
            session, deps, viewer=None, filters=export_data.Filters(), out=out
        )
    a, b = first.code, second.code
    expected = [
        f"{a}/bukti-dukung/01-sk-inovasi.pdf",
        f"{a}/bukti-dukung/02-Foto Kegiatan.pdf",
        f"{a}/iid-01-regulasi/01-perbup.pdf",
        f"{a}/iid-01-regulasi/02-=lampiran.pdf",
        f"{a}/iid-11-pedoman-teknis/01-pedoman.pdf",
        f"{b}/iid-02-sdm/01-sk-tim.pdf",
        f"draf-{draft.id}/bukti-dukung/01-draf.pdf",
    ]
    assert count == len(expected)
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == [*expected, "manifest.csv"]
        assert archive.read(expected[2]) == samples.PDF
        manifest = archive.read("manifest.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(manifest)))
    size = str(len(samples.PDF))
    assert rows == [
        ["Berkas di zip", "Kode inovasi", "Indikator atau bukti dukung", "Nama berkas asli",
         "Ukuran (byte)", "Diverifikasi"],
        [expected[0], a, "Bukti dukung", "sk-inovasi.pdf", size, "Ya"],
        [expected[1], a, "Bukti dukung", "../foto/Foto Kegiatan.pdf", size, "Ya"],
        [expected[2], a, "1. Regulasi inovasi daerah", "perbup.pdf", size, "Ya"],
        [expected[3], a, "1. Regulasi inovasi daerah", "'=lampiran.pdf", size, "Ya"],
        # changed after the verifier's check
        [expected[4], a, "11. Pedoman teknis", "pedoman.pdf", size, "Belum"],
        ["", a, "20. Video inovasi", VIDEO, "", "Belum"],
        # submitted, not verified yet
        [expected[5], b, "2. Ketersediaan SDM", "sk-tim.pdf", size, "Belum"],
        [expected[6], "", "Bukti dukung", "draf.pdf", size, "Belum"],
    ]  # fmt: skip

    # in English, for a verifikator's scope: the submitted innovations of the unit only
    async with transaction(deps.session_factory()) as session:
        verifier = await make_user(
            session, clock, telegram_id=7102, name="Vera", unit_code="DINKES", role="verifikator"
        )
    async with deps.session_factory()() as session:
        count = await evidence_zip.write_evidence_zip(
            session, deps, viewer=verifier, filters=export_data.Filters(), out=out,
            t=deps.translator("en"),
        )  # fmt: skip
    assert count == len(expected) - 1
    with zipfile.ZipFile(out) as archive:
        manifest = archive.read("manifest.csv").decode("utf-8-sig")
    assert manifest.startswith("File in the zip,Innovation code,Indicator or supporting evidence")
    assert "draf" not in manifest and ",1. Regulation of the innovation,perbup.pdf," in manifest
