"""The evidence zip of an export: every file by innovation and by indicator, with a manifest.

    INO-2026-0001/bukti-dukung/01-sk.pdf          the profile's bukti dukung
    INO-2026-0001/iid-01-regulasi/01-perbup.pdf   the evidence of IID indicator 1
    manifest.csv                                  one row per file (and per evidence link)

A draft, which has no code yet, is ``draf-<id>`` (``read.draft_name``). Files are numbered
in each folder in the order they were sent, under the sender's cleaned name.
"""

from __future__ import annotations

import csv
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import noload

from bot.check_views import verified_cell
from bot.deps import Deps
from bot.exports import csv_safe
from bot.i18n import DEFAULT_LANGUAGE, Translator
from bot.views import file_code
from models.document_tables import IndicatorAnswer
from models.filecheck import safe_filename
from models.services import export as data
from models.services import indicators
from models.services.iid_stats import batches
from models.tables import Innovation, StoredFile, User

ATTACHMENTS = "bukti-dukung"
MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("path", "code", "part", "filename", "size", "verified")


def entry_name(stored: str, filename: str) -> str:
    """Return the sender's file name without folders or control characters (names stored
    before they were cleaned on arrival too), or the stored one when nothing is left."""
    return safe_filename(filename) or Path(stored).name


def indicator_folder(nomor: int | None, key: str) -> str:
    """Return an indicator's folder: ``iid-01-regulasi`` (a key the rules no longer know:
    ``iid-<key>``)."""
    slug = key.replace("_", "-")
    return f"iid-{nomor:02d}-{slug}" if nomor is not None else f"iid-{slug}"


# folder, label, files, link, whether a verifier checked it (the manifest's words)
Part = tuple[str, str, Sequence[StoredFile], str | None, str]


def _parts(
    t: Translator, deps: Deps, innovation: Innovation, answers: dict[str, IndicatorAnswer]
) -> list[Part]:
    """The innovation's folders: its bukti dukung, then each indicator in IID order, then
    answers to indicators the rules file no longer has."""
    attachments = t.plain("iidstats.manifest.attachments")
    checked = verified_cell(t, innovation, None)  # the bukti dukung: with the profile
    parts: list[Part] = [(ATTACHMENTS, attachments, innovation.attachments, None, checked)]
    known = sorted(deps.iid.indikator, key=lambda i: i.nomor)
    for indicator in known:
        row = answers.get(indicator.key)
        if row is not None:
            label = t.plain(
                "iidstats.manifest.indicator", no=indicator.nomor, name=indicator.name(t.lang)
            )
            folder = indicator_folder(indicator.nomor, row.key)
            checked = verified_cell(t, innovation, row)
            parts.append((folder, label, row.files, row.link, checked))
    keys = {i.key for i in known}
    for key, row in sorted(answers.items()):
        if key not in keys:
            folder = indicator_folder(None, key)
            parts.append((folder, key, row.files, row.link, verified_cell(t, innovation, row)))
    return parts


def _write_innovation(
    archive: zipfile.ZipFile, writer: Any, top: str, deps: Deps, innovation: Innovation,
    parts: list[Part],
) -> int:  # fmt: skip
    """Write one innovation's files (under the folder ``top``) and their manifest rows;
    return how many files."""
    count = 0
    code = innovation.code or ""
    for folder, label, files, link, checked in parts:
        for n, file in enumerate(files, start=1):
            source = deps.files_dir / file.path
            if not source.is_file():
                continue
            entry = f"{top}/{folder}/{n:02d}-{entry_name(file.path, file.filename)}"
            archive.write(source, entry)
            row = (entry, code, label, file.filename, file.size, checked)
            writer.writerow([csv_safe(v) for v in row])
            count += 1
        if link:
            writer.writerow([csv_safe(v) for v in ("", code, label, link, "", checked)])
    return count


async def write_evidence_zip(
    session: AsyncSession,
    deps: Deps,
    *,
    viewer: User | None,
    filters: data.Filters,
    out: Path,
    t: Translator | None = None,
) -> int:
    """Write every evidence file of the exported innovations into a zip, by innovation and
    indicator, with ``manifest.csv`` (path in the zip, innovation code, indicator or bukti
    dukung, original file name, size, whether a verifier checked it; a link stands in a row
    with no path). Return how many
    files were written; a file missing from FILES_DIR is left out."""
    t = t or deps.translator(DEFAULT_LANGUAGE)
    count = 0
    query = await data.innovations_query(session, viewer, filters)
    stmt = query.options(noload(Innovation.owner), noload(Innovation.unit))
    with (
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as manifest,
    ):
        writer = csv.writer(manifest)
        writer.writerow([t.plain(f"iidstats.manifest.{c}") for c in MANIFEST_COLUMNS])
        async for chunk in batches(session, stmt):
            stored = await indicators.stored_for(session, [i.id for i in chunk])
            for innovation in chunk:
                parts = _parts(t, deps, innovation, stored[innovation.id])
                top = file_code(t, innovation)
                count += _write_innovation(archive, writer, top, deps, innovation, parts)
        manifest.seek(0)
        with archive.open(MANIFEST, "w") as target:
            target.write("\ufeff".encode())
            for line in manifest:
                target.write(line.encode("utf-8"))
    return count
