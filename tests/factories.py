"""Builders of realistic rows for tests that need many innovations at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.clock import FrozenClock
from models.services import indicators, review
from models.services import innovations as inno
from models.services.files import EvidenceFile
from models.tables import Innovation, Status, Unit, User
from tests import phones
from tests.samples import PDF

TRICKY_TEXT = "Ibu “hamil” & anak <b>\nbaris dua: \"kutip\" 'satu' — é ñ 漢字\n=SUM(A1)"


async def make_user(
    session: AsyncSession,
    clock: FrozenClock,
    *,
    telegram_id: int,
    name: str,
    unit_code: str,
    role: str = "pengusul",
) -> User:
    """Insert an onboarded user of a unit."""
    unit = (await session.execute(select(Unit).where(Unit.code == unit_code))).scalar_one()
    user = User(
        name=name, unit_id=unit.id, language="id", role=role, onboarded=True,
        created_at=clock.now(), **phones.identity(telegram_id, clock.now()),
    )  # fmt: skip
    session.add(user)
    await session.flush()
    return user


def profile(n: int, **overrides: Any) -> dict[str, Any]:
    """Return a complete, valid profile; ``n`` varies the choices."""
    tahapan = ("inisiatif", "uji_coba", "penerapan")[n % 3]
    values: dict[str, Any] = {
        "nama_inovasi": f"Inovasi {n:02d} “Sehat” & Cepat",
        "tahapan": tahapan,
        "inisiator": ("asn", "kepala_daerah", "masyarakat")[n % 3],
        "nama_inisiator": f"Inisiator {n}",
        "jenis": ("digital", "non_digital")[n % 2],
        "bentuk": "pelayanan_publik",
        "tematik": "non_tematik",
        "urusan_utama": ("kesehatan", "pendidikan", "sosial", "pangan")[n % 4],
        "urusan_irisan": ["kominfo"] if n % 2 else [],
        "masalah": TRICKY_TEXT + " " + " ".join(["kata"] * 30),
        "rancang_bangun": "Rancang bangun.\nDua baris.",
        "tujuan": "Tujuan yang jelas.",
        "manfaat": "=1+1 bukan rumus" if n == 1 else "Manfaat: warga terlayani, tanpa antre.",
        "hasil": "Hasil terukur." if tahapan != "inisiatif" else None,
        "kontak": "+6281234567890",
        "lokasi": {"text": "Jl. Tien Soeharto No. 1, Nunukan"},
    }
    if tahapan != "inisiatif":
        values["waktu_uji_coba"] = date(2025, 1 + n % 12, 1 + n % 28)
    if tahapan == "penerapan":
        values["waktu_penerapan"] = values["waktu_uji_coba"] + timedelta(days=30)
    values.update(overrides)
    return values


async def make_innovation(
    session: AsyncSession,
    clock: FrozenClock,
    *,
    owner: User,
    n: int,
    status: str = Status.DIAJUKAN,
    reviewer: User | None = None,
    unit_id: int | None = None,
) -> Innovation:
    """Create an innovation with a full profile and bring it to ``status``."""
    clock.advance(timedelta(minutes=1))
    innovation = await inno.create_draft(session, owner=owner, now=clock.now())
    if unit_id is not None:
        innovation.unit_id = unit_id
    for key, value in profile(n).items():
        inno.set_field(innovation, key, value, now=clock.now())
    if status == Status.DRAF:
        await session.flush()
        return innovation
    await inno.submit(session, innovation, actor=owner, now=clock.now())
    if status == Status.TERVERIFIKASI:
        await review.verify(session, innovation, reviewer=reviewer or owner, now=clock.now())
    elif status == Status.DIKEMBALIKAN:
        review.return_for_changes(
            session, innovation, reviewer=reviewer or owner, comment="Perbaiki", fields=[],
            now=clock.now(),
        )  # fmt: skip
    elif status == Status.DIHENTIKAN:
        review.stop(session, innovation, actor=reviewer, reason="Tidak berlanjut", now=clock.now())
    await session.flush()
    return innovation


async def answer_indicator(
    session: AsyncSession,
    clock: FrozenClock,
    innovation: Innovation,
    key: str,
    level: int | None,
    *,
    files: Sequence[str] = (),
    link: str | None = None,
    files_dir: Path | None = None,
) -> None:
    """Store one indicator's level and evidence through the services, as the chat would: each
    name in ``files`` becomes an evidence file (written under ``files_dir`` when given)."""
    now = clock.now()
    if level is not None:
        await indicators.set_level(session, innovation.id, key, level, by=None, now=now)
    for n, name in enumerate(files, start=1):
        path = f"iid/{innovation.id}/{key}/{n:02d}.pdf"
        if files_dir is not None:
            (files_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (files_dir / path).write_bytes(PDF)
        evidence = EvidenceFile("document", name, "application/pdf", len(PDF), path)
        await indicators.add_file(session, innovation.id, key, evidence, by=None, now=now)
    if link is not None:
        await indicators.set_link(session, innovation.id, key, link, by=None, now=now)
    await session.flush()
