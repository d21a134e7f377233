"""A database for the catalog's tests: innovations on the catalog and off it, with private
values everywhere a page could take them from (people, contacts, photos, monev reports,
revisions, replications with innovations off the catalog)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.deps import Deps
from models import db
from models.catalog_tables import Replication
from models.clock import FrozenClock
from models.services import publication
from models.tables import (
    Attachment,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Innovation,
    MonevReport,
    Revision,
    Status,
    Unit,
    User,
)
from tests.factories import make_innovation

EXIF_SECRET = "EXIF-RAHASIA-GPS"


@dataclass
class Seeded:
    """What the tests look for."""

    a: str = ""  # on the catalog: photos (one public), monev, replications; no public contact
    b: str = ""  # on the catalog with its contact shown; replicates A and a hidden one
    public_codes: list[str] = field(default_factory=list)
    private: list[str] = field(default_factory=list)  # never on any page
    contact: str = "+6282222000002"  # B's, shown with consent
    public_photo: int = 0
    private_photo: int = 0
    hidden_photo: int = 0  # marked public, of an innovation off the catalog
    name_a: str = "Posyandu Keliling Digital"
    name_b: str = "Sekolah Ramah Anak Sebatik"


def photo_bytes(width: int = 1600, height: int = 1200, colour: str = "#2f6db5") -> bytes:
    """Return a JPEG with EXIF metadata that must not survive the thumbnail."""
    image = Image.new("RGB", (width, height), colour)
    exif = Image.Exif()
    exif[0x010E] = EXIF_SECRET  # ImageDescription
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def _attach(deps: Deps, clock: FrozenClock, innovation: Innovation, name: str) -> Attachment:
    relative = Path("inovasi") / f"{innovation.id}" / f"{name}-9f8e7d6c.jpg"
    target = deps.files_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    data = photo_bytes()
    target.write_bytes(data)
    attachment = Attachment(
        kind="photo", filename=f"{name}.jpg", mime_type="image/jpeg", size=len(data),
        path=relative.as_posix(), created_at=clock.now(),
    )  # fmt: skip
    innovation.attachments.append(attachment)
    return attachment


async def _unit(session: AsyncSession, code: str) -> int:
    return (await session.execute(select(Unit.id).where(Unit.code == code))).scalar_one()


def _person(clock: FrozenClock, n: int, name: str, unit_id: int, role: str = "pengusul") -> User:
    return User(
        name=name, unit_id=unit_id, language="id", role=role, onboarded=True,
        telegram_id=880_000_100 + n, whatsapp_id=f"ID.RAHASIAWA{n}9", last_channel="telegram",
        nip=f"19870315201101200{n}", phone=f"+62857999900{n:02d}", created_at=clock.now(),
    )  # fmt: skip


def _hide_text(innovation: Innovation, n: int, name: str) -> list[str]:
    """Give an innovation off the catalog texts of its own (all of them private)."""
    innovation.nama_inovasi = name
    innovation.masalah = f"Masalah khusus {name}"
    innovation.tujuan = f"Tujuan khusus {name}"
    innovation.kontak = f"+6281300000{n:03d}"
    return [name, innovation.masalah, innovation.tujuan, innovation.kontak]


async def seed(deps: Deps, clock: FrozenClock, *, extra: int = 0) -> Seeded:
    """Fill the database; ``extra`` more innovations on the catalog (for paging)."""
    seeded = Seeded()
    private = seeded.private
    async with db.transaction(deps.session_factory()) as session:
        pkm, disdik = await _unit(session, "PKM-NNK"), await _unit(session, "DISDIK")
        owner = _person(clock, 1, "Siti Pemilik Rahasia", pkm)
        second = _person(clock, 2, "Budi Pemilik Kedua", disdik)
        admin = _person(clock, 3, "Adi Admin Rahasia", disdik, role="admin")
        session.add_all([owner, second, admin])
        await session.flush()
        for person in (owner, second, admin):
            private += [person.name or "", person.nip or "", person.phone or ""]
            private += [str(person.telegram_id), person.whatsapp_id or ""]
        now = clock.now()
        verified = Status.TERVERIFIKASI

        a = await make_innovation(session, clock, owner=owner, n=1, status=verified, reviewer=admin)
        a.nama_inovasi, a.kontak = seeded.name_a, "+6281111000001"
        a.nama_inisiator, a.latitude, a.longitude = "dr. Inisiator Rahasia", 4.1234567, 117.654321
        private += [a.kontak, a.nama_inisiator, "4.1234567", "117.654321"]
        shown = _attach(deps, clock, a, "foto-publik")
        kept = _attach(deps, clock, a, "foto-rahasia-pribadi")
        await session.flush()
        await publication.decide(session, a, published=True, by=owner.id, now=now)
        await publication.toggle_photo(session, a, shown.id)
        seeded.public_photo, seeded.private_photo = shown.id, kept.id
        private += ["foto-rahasia-pribadi", "9f8e7d6c", f"/katalog/foto/{kept.id}.jpg"]

        b = await make_innovation(
            session, clock, owner=second, n=2, status=verified, reviewer=admin
        )
        b.nama_inovasi, b.kontak = seeded.name_b, seeded.contact
        b.nama_inisiator = "Pak Inisiator Kedua Rahasia"
        private.append(b.nama_inisiator)
        await publication.decide(
            session, b, published=True, by=second.id, now=now, public_contact=True
        )

        hidden: list[Innovation] = []
        for n, status, name in (
            (3, Status.TERVERIFIKASI, "Inovasi Rahasia Belum Terbit"),
            (4, Status.TERVERIFIKASI, "Inovasi Diturunkan Admin"),
            (5, Status.DIAJUKAN, "Inovasi Masih Diajukan"),
            (6, Status.DRAF, "Draf Rahasia Sekali"),
            (7, Status.DIHENTIKAN, "Inovasi Dihentikan Rahasia"),
        ):
            item = await make_innovation(
                session, clock, owner=owner, n=n, status=status, reviewer=admin
            )
            private += _hide_text(item, n, name)
            if item.code:
                private.append(item.code)
            # every one but the first agreed to be published: still off the catalog
            await publication.decide(session, item, published=n != 3, by=owner.id, now=now)
            hidden.append(item)
        await publication.hide(session, hidden[1], by=admin.id, now=now)
        off = _attach(deps, clock, hidden[1], "foto-diturunkan")
        await session.flush()
        await publication.toggle_photo(session, hidden[1], off.id)
        seeded.hidden_photo = off.id
        private.append(f"/katalog/foto/{off.id}.jpg")

        deadline = Deadline(
            key=f"monev:{a.id}:1", kind=DeadlineKind.MONEV, innovation_id=a.id,
            period_start=date(2026, 7, 1), period_end=date(2026, 9, 30),
            due_date=date(2026, 10, 10), original_due_date=date(2026, 10, 10),
            status=DeadlineStatus.DONE, created_at=now,
        )  # fmt: skip
        session.add(deadline)
        await session.flush()
        report = MonevReport(
            deadline_id=deadline.id, innovation_id=a.id, reporter_id=owner.id,
            status="dikembangkan", beneficiaries=987_654, results="Hasil monev rahasia A",
            obstacles="Kendala monev rahasia", next_steps="Rencana monev rahasia",
            submitted_at=now - timedelta(days=3),
        )  # fmt: skip
        session.add(report)
        private += ["987654", "987.654", report.results, "Kendala monev rahasia"]
        private.append("Rencana monev rahasia")
        revision = Revision(
            innovation_id=a.id, number=1, author_id=owner.id, status="draf", base={},
            answers={"nama_inovasi": "Revisi Belum Diterima Rahasia"}, created_at=now,
            updated_at=now,
        )  # fmt: skip
        session.add(revision)
        private.append("Revisi Belum Diterima Rahasia")
        links: tuple[tuple[int, int | None, str | None, str | None], ...] = (
            (a.id, hidden[0].id, "Nama Salinan Rahasia", None),
            (a.id, None, "Inovasi Tiruan Malinau", "Kabupaten Malinau"),
            (a.id, b.id, None, None),
            (hidden[1].id, b.id, None, None),
        )
        for original, replica, other, region in links:
            link = Replication(
                original_id=original, replica_id=replica, replica_name=other,
                replica_region=region, recorded_by=admin.id, recorded_at=now,
            )  # fmt: skip
            session.add(link)
        private.append("Nama Salinan Rahasia")
        codes = [a.code or "", b.code or ""]
        for n in range(extra):
            item = await make_innovation(
                session, clock, owner=second, n=10 + n, status=verified, reviewer=admin
            )
            await publication.decide(session, item, published=True, by=second.id, now=now)
            codes.append(item.code or "")
            private.append(item.nama_inisiator or "")
        seeded.a, seeded.b, seeded.public_codes = codes[0], codes[1], codes
        await session.flush()
    return seeded
