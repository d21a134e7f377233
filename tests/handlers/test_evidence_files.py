"""Evidence files are judged by their content, stored under names the bot makes, and exported
under cleaned names: a program called laporan.pdf never becomes a PDF."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pytest
from sqlalchemy import select

from bot import evidence_zip
from bot.settings import Settings
from bot.simulator import BotApiSimulator, SimUser
from models.db import transaction
from models.services import export as export_data
from models.tables import Attachment, FlowState, Innovation
from tests import samples
from tests.conftest import BotHarness, onboard, screen_labels, texts
from tests.handlers.test_monev import ANI
from tests.handlers.test_monev import _setup as monev_setup
from tests.handlers.test_registration import MASALAH_1, MASALAH_2
from tests.scheduler.support import deps_of, fast

REFUSED_PDF = "Isi berkas ini bukan PDF yang sebenarnya, jadi tidak disimpan."
ALLOWED = "Kirim berkas asli berjenis: pdf, jpg, jpeg, png, docx, xlsx."
KEPT = "Berkas yang sudah terkirim sebelumnya tetap aman."
STORED = re.compile(r"^(monev/)?\d+/[0-9a-f]{32}\.(pdf|jpg|png|docx|xlsx)$")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No background reminder sweep (the monev test needs open periods only)."""
    return fast(settings)


async def at_evidence_step(user: SimUser) -> None:
    await onboard(user)
    await user.send("/baru")
    await user.send("Layanan Bukti Asli")
    for label in ("Dinas Kesehatan", "Penerapan", "ASN", "Saya sendiri", "Non digital"):
        await user.press(label)
    for label in ("Inovasi pelayanan publik", "Non tematik", "Kesehatan", "Lewati"):
        await user.press(label)
    await user.send("05/03/2024")
    await user.send("10/03/2024")
    await user.send(MASALAH_1 + " " + MASALAH_2)
    await user.press("Selesai")
    await user.send("Rancang bangun singkat dulu.")
    await user.press("Lengkapi nanti")
    for _ in range(3):
        await user.send("Teks yang cukup untuk isian ini.")
        await user.press("Selesai")
    replies = await user.press("Lewati")
    assert "Bukti dukung" in texts(replies)


async def attachments(harness: BotHarness) -> list[Attachment]:
    async with await harness.session() as session:
        result = await session.execute(select(Attachment).order_by(Attachment.id))
        return list(result.scalars())


async def step_of(harness: BotHarness) -> str:
    async with await harness.session() as session:
        state = (await session.execute(select(FlowState).where(FlowState.active))).scalar_one()
        return state.step


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def user_named(root: Path) -> list[Path]:
    """Files or folders anywhere under ``root`` named as a sender named them."""
    names = {"etc", "x.pdf", "surat.pdf", "suratfdp.pdf", "sk.docx", "grafik.png"}
    return [p for p in root.rglob("*") if p.name in names]


async def test_an_impostor_is_refused_and_real_files_are_kept_under_bot_names(
    harness: BotHarness, sim: BotApiSimulator, tmp_path: Path
) -> None:
    user = sim.user(7301)
    await at_evidence_step(user)
    replies = await user.send_document("sk-inovasi.pdf", samples.PDF, "application/pdf")
    assert "Diterima: sk-inovasi.pdf (total 1 berkas)" in texts(replies)

    refusals = [
        ("laporan.pdf", samples.EXE, "application/pdf", REFUSED_PDF),
        ("virus.pdf", b"MZ" * 10, "application/pdf", REFUSED_PDF),
        (
            "grafik.pdf",
            samples.PNG,
            "application/pdf",
            "Berkas ini bernama .pdf, tetapi isinya berkas PNG, jadi tidak disimpan. "
            "Ganti akhiran namanya menjadi .png lalu kirim lagi",
        ),
        ("foto.png", samples.JPEG, "image/png", "isinya berkas JPG"),
        ("data.docx", b"random bytes, not a document", "application/msword", "bukan DOCX"),
        ("makro.docx", samples.docm(), "application/msword", "bukan DOCX"),
        ("arsip.xlsx", samples.zipped({"a.txt": "halo"}), "application/zip", "bukan XLSX"),
        ("tabel.xlsx", samples.docx(), "application/zip", "isinya berkas DOCX"),
    ]
    for name, data, mime, expected in refusals:
        replies = await user.send_document(name, data, mime)
        shown = texts(replies)
        assert expected in shown, name
        assert KEPT in shown and "Bukti dukung" in shown, name
        assert await step_of(harness) == "bukti_dukung"
        assert len(await attachments(harness)) == 1
    assert ALLOWED in texts(await user.send_document("laporan.pdf", samples.EXE, "application/pdf"))
    replies = await user.send_photo(samples.EXE)  # Telegram's photos are JPEG: still checked
    assert "Isi berkas ini bukan JPG yang sebenarnya" in texts(replies)
    assert len(await attachments(harness)) == 1
    assert "✅ Selesai" in screen_labels(user)  # the files sent so far still count

    accepted = [
        ("sk.docx", samples.docx(), "application/octet-stream", "sk.docx"),
        ("data.xlsx", samples.xlsx(), "application/octet-stream", "data.xlsx"),
        ("grafik.png", samples.PNG, "image/png", "grafik.png"),
        ("Foto Kegiatan.JPEG", samples.JPEG, "image/jpeg", "Foto Kegiatan.JPEG"),
        ("../../etc/x.pdf", samples.PDF, "application/pdf", "x.pdf"),
        ("..\\..\\surat\u202efdp.pdf", samples.PDF, "application/pdf", "suratfdp.pdf"),
        ("surat", samples.PDF, "application/pdf", "surat.pdf"),
    ]
    for name, data, mime, shown_as in accepted:
        replies = await user.send_document(name, data, mime)
        assert f"Diterima: {shown_as} " in texts(replies), name
    replies = await user.send_photo(samples.JPEG)
    assert "total 9 berkas" in texts(replies)

    files = await attachments(harness)
    names = [a.filename for a in files]
    assert names[:8] == ["sk-inovasi.pdf", *(shown for *_, shown in accepted)]
    assert re.fullmatch(r"foto-.+\.jpg", names[8])
    extensions = [PurePosixPath(a.path).suffix for a in files]
    assert extensions == [".pdf", ".docx", ".xlsx", ".png", ".jpg", ".pdf", ".pdf", ".pdf", ".jpg"]
    assert all(STORED.match(a.path) for a in files), [a.path for a in files]
    assert [a.mime_type for a in files][:4] == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "image/png",
    ]
    root = harness.settings.files_dir
    assert stored_files(root) == sorted(root / a.path for a in files)
    assert user_named(tmp_path) == []

    # a row stored before names were cleaned on arrival still cannot leave its folder
    async with transaction(deps_of(harness).session_factory()) as session:
        innovation = (await session.execute(select(Innovation))).scalar_one()
        session.add(
            Attachment(
                innovation_id=innovation.id, kind="document", filename="../../../../tmp/evil.pdf",
                mime_type="application/pdf", size=len(samples.PDF), path=files[0].path,
                created_at=datetime(2026, 11, 20, tzinfo=UTC),
            )
        )  # fmt: skip
    out = tmp_path / "bukti.zip"
    async with await harness.session() as session:
        count = await evidence_zip.write_evidence_zip(
            session, deps_of(harness), viewer=None, filters=export_data.Filters(), out=out
        )
    assert count == 10
    with zipfile.ZipFile(out) as archive:
        entries = [e for e in archive.namelist() if e != "manifest.csv"]
    folder = PurePosixPath(f"draf-{innovation.id}/bukti-dukung")
    assert all(PurePosixPath(e).parent == folder for e in entries)
    inside = [PurePosixPath(e).name for e in entries]
    assert inside[:8] == [
        "01-sk-inovasi.pdf", "02-sk.docx", "03-data.xlsx", "04-grafik.png",
        "05-Foto Kegiatan.JPEG", "06-x.pdf", "07-suratfdp.pdf", "08-surat.pdf",
    ]  # fmt: skip
    assert re.fullmatch(r"09-foto-.+\.jpg", inside[8]) and inside[9] == "10-evil.pdf"


async def test_monev_evidence_is_checked_the_same_way(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await monev_setup(harness, sim, ["Posyandu Digital"])
    ani = sim.user(ANI)
    await ani.send("/monev")
    await ani.press("Berjalan")
    await ani.send("120")
    await ani.send("Kunjungan posyandu naik.")
    await ani.press("Selesai")
    await ani.press("Lewati")
    await ani.send("Memperluas ke dua puskesmas lagi.")
    replies = await ani.press("Selesai")
    assert "Bukti dukung" in texts(replies)
    replies = await ani.send_document("laporan.pdf", samples.PDF, "application/pdf")
    assert "Diterima: laporan.pdf (total 1 berkas)" in texts(replies)
    replies = await ani.send_document("laporan-2.pdf", samples.EXE, "application/pdf")
    assert REFUSED_PDF in texts(replies) and KEPT in texts(replies)
    replies = await ani.send_document("../../rekap.xlsx", samples.xlsx(), "application/zip")
    assert "Diterima: rekap.xlsx (total 2 berkas)" in texts(replies)
    async with await harness.session() as session:
        state = (await session.execute(select(FlowState).where(FlowState.active))).scalar_one()
    assert state.step == "bukti"
    files = state.data["files"]
    assert [f["filename"] for f in files] == ["laporan.pdf", "rekap.xlsx"]
    assert all(STORED.match(f["path"]) for f in files)
    assert [PurePosixPath(f["path"]).suffix for f in files] == [".pdf", ".xlsx"]
    root = harness.settings.files_dir
    assert stored_files(root) == sorted(root / f["path"] for f in files)
