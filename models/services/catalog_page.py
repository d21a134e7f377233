"""The public page of one innovation on the catalog: its public fields, the photos its owner
marked public, the latest monev status and its replications both ways."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.catalog_tables import Publication, Replication
from models.services.catalog import public_photos
from models.services.publication import on_catalog
from models.tables import Innovation, MonevReport, Unit
from models.validation import with_precision


@dataclass(frozen=True)
class Replicated:
    """The other side of a replication: an innovation on the catalog (by code), or one
    elsewhere (by name and region)."""

    name: str
    region: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class MonevStatus:
    """The latest monev report's status and when it was sent."""

    status: str
    submitted: datetime


@dataclass(frozen=True)
class PublicInnovation:
    """Everything the innovation's page shows, and nothing else."""

    code: str
    name: str
    unit: str | None
    unit_code: str | None
    tahapan: str | None
    inisiator: str | None
    jenis: str | None
    bentuk: str | None
    tematik: str | None
    urusan: str | None
    urusan_irisan: tuple[str, ...]
    waktu_uji_coba: date | None
    waktu_penerapan: date | None
    masalah: str | None
    rancang_bangun: str | None
    tujuan: str | None
    manfaat: str | None
    hasil: str | None
    lokasi: str | None
    kontak: str | None  # only with the owner's consent
    photos: tuple[int, ...]
    monev: MonevStatus | None
    replicas: tuple[Replicated, ...]  # innovations that replicated this one
    originals: tuple[Replicated, ...]  # innovations this one replicated
    hidden_replications: int  # with innovations of this Pemda that are not on the catalog


PUBLIC_COLUMNS = (
    Innovation.id,
    Innovation.code,
    Innovation.nama_inovasi,
    Innovation.tahapan,
    Innovation.inisiator,
    Innovation.jenis,
    Innovation.bentuk,
    Innovation.tematik,
    Innovation.urusan_utama,
    Innovation.urusan_irisan,
    Innovation.waktu_uji_coba,
    Innovation.waktu_uji_coba_precision,
    Innovation.waktu_penerapan,
    Innovation.waktu_penerapan_precision,
    Innovation.masalah,
    Innovation.rancang_bangun,
    Innovation.tujuan,
    Innovation.manfaat,
    Innovation.hasil,
    Innovation.lokasi,
    Innovation.kontak,
)


async def innovation(session: AsyncSession, code: str) -> PublicInnovation | None:
    """Return the public page of the innovation of that code, None unless it is on the
    catalog."""
    consent = aliased(Publication)  # on_catalog() asks Publication itself, uncorrelated
    stmt = (
        select(
            *PUBLIC_COLUMNS,
            Unit.name.label("unit_name"),
            Unit.code.label("unit_code"),
            consent.public_contact,
        )
        .outerjoin(Unit, Unit.id == Innovation.unit_id)
        .join(consent, consent.innovation_id == Innovation.id)
        .where(on_catalog(), Innovation.code == code)
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        return None
    values: dict[str, Any] = row._asdict()
    innovation_id = int(values["id"])
    replicas, originals, hidden = await _replications(session, innovation_id)
    return PublicInnovation(
        code=values["code"],
        name=values["nama_inovasi"] or "",
        unit=values["unit_name"],
        unit_code=values["unit_code"],
        tahapan=values["tahapan"],
        inisiator=values["inisiator"],
        jenis=values["jenis"],
        bentuk=values["bentuk"],
        tematik=values["tematik"],
        urusan=values["urusan_utama"],
        urusan_irisan=tuple(values["urusan_irisan"] or ()),
        waktu_uji_coba=_dated(values["waktu_uji_coba"], values["waktu_uji_coba_precision"]),
        waktu_penerapan=_dated(values["waktu_penerapan"], values["waktu_penerapan_precision"]),
        masalah=values["masalah"],
        rancang_bangun=values["rancang_bangun"],
        tujuan=values["tujuan"],
        manfaat=values["manfaat"],
        hasil=values["hasil"],
        lokasi=values["lokasi"],
        kontak=values["kontak"] if values["public_contact"] else None,
        photos=tuple(await public_photos(session, innovation_id)),
        monev=await _latest_monev(session, innovation_id),
        replicas=replicas,
        originals=originals,
        hidden_replications=hidden,
    )


def _dated(value: date | None, precision: str) -> date | None:
    return None if value is None else with_precision(value, precision)


async def _latest_monev(session: AsyncSession, innovation_id: int) -> MonevStatus | None:
    stmt = (
        select(MonevReport.status, MonevReport.submitted_at)
        .where(MonevReport.innovation_id == innovation_id)
        .order_by(MonevReport.submitted_at.desc(), MonevReport.id.desc())
        .limit(1)
    )
    row = (await session.execute(stmt)).one_or_none()
    return None if row is None else MonevStatus(row[0], row[1])


async def _replications(
    session: AsyncSession, innovation_id: int
) -> tuple[tuple[Replicated, ...], tuple[Replicated, ...], int]:
    """Return the replicas of the innovation, what it replicated, and how many replications
    link it to innovations here that are not on the catalog (those are only counted)."""
    rows = list(
        await session.scalars(
            select(Replication)
            .where(
                or_(
                    Replication.original_id == innovation_id,
                    Replication.replica_id == innovation_id,
                )
            )
            .order_by(Replication.recorded_at, Replication.id)
        )
    )
    linked = {r.replica_id for r in rows} | {r.original_id for r in rows}
    linked.discard(None)
    linked.discard(innovation_id)
    shown: dict[int, tuple[str, str]] = {}
    if linked:
        stmt = select(Innovation.id, Innovation.code, Innovation.nama_inovasi).where(
            on_catalog(), Innovation.id.in_(linked)
        )
        shown = {i: (code or "", name or "") for i, code, name in await session.execute(stmt)}
    replicas: list[Replicated] = []
    originals: list[Replicated] = []
    hidden = 0
    for row in rows:
        if row.original_id == innovation_id and row.replica_id != innovation_id:
            other_id, name, region, into = (
                row.replica_id, row.replica_name, row.replica_region, replicas,
            )  # fmt: skip
        elif row.replica_id == innovation_id:
            other_id, name, region, into = (
                row.original_id, row.original_name, row.original_region, originals,
            )  # fmt: skip
        else:
            continue
        if other_id is not None:
            if other_id not in shown:
                hidden += 1
                continue
            code, own_name = shown[other_id]
            into.append(Replicated(own_name, None, code))
        elif name:
            into.append(Replicated(name, region))
    return tuple(replicas), tuple(originals), hidden
