"""What an uploaded file really is, judged by its content, and a name that is safe to show.

A file's name is the sender's word; its first bytes are not. :func:`detect` reads the magic
bytes (with the ``filetype`` library) and, for Word and Excel files, which are zip archives, the
archive's own table of contents. :func:`safe_filename` turns whatever name a sender gave into
one without folders or control characters, to keep as metadata and show; evidence is stored
under a name the bot makes.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype


@dataclass(frozen=True)
class FileType:
    """A type of evidence file: the extension it is stored under and its MIME type."""

    extension: str
    mime_type: str


PDF = FileType("pdf", "application/pdf")
JPEG = FileType("jpg", "image/jpeg")
PNG = FileType("png", "image/png")
MP4 = FileType("mp4", "video/mp4")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

# a file name's extension -> the type its content must have
FAMILIES = {
    "pdf": PDF,
    "jpg": JPEG,
    "jpeg": JPEG,
    "png": PNG,
    "mp4": MP4,
    "docx": DOCX,
    "xlsx": XLSX,
}
# filetype's answer -> ours (an animated PNG is a PNG)
_BY_MAGIC = {"pdf": PDF, "jpg": JPEG, "png": PNG, "apng": PNG, "mp4": MP4}

_ZIP = b"PK\x03\x04"
_CONTENT_TYPES = "[Content_Types].xml"
_CONTENT_TYPES_MAX = 1024 * 1024
# the main part every real document carries: its folder and its declared content type (a
# macro-enabled .docm or .xlsm declares another one, so it is not taken for .docx or .xlsx)
_OOXML = b"application/vnd.openxmlformats-officedocument."
_OFFICE = (
    (DOCX, "word/", _OOXML + b"wordprocessingml.document.main+xml"),
    (XLSX, "xl/", _OOXML + b"spreadsheetml.sheet.main+xml"),
)

MAX_NAME = 150
_WINDOWS_RESERVED = set('<>:"|?*')


def family(extension: str) -> FileType | None:
    """Return the type a file named ``*.extension`` must have, or None for an unknown one."""
    return FAMILIES.get(extension.lower())


def detect(data: bytes) -> FileType | None:
    """Return what ``data`` is (PDF, JPEG, PNG, MP4, DOCX or XLSX), or None for anything else."""
    if data.startswith(_ZIP):
        return _office_document(data)
    guess = filetype.guess(data)
    if guess is None:
        return None
    return _BY_MAGIC.get(str(guess.extension))


def _office_document(data: bytes) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if _CONTENT_TYPES not in names:
                return None
            with archive.open(_CONTENT_TYPES) as part:
                declared = part.read(_CONTENT_TYPES_MAX + 1)
    except Exception:  # whatever zipfile cannot read (damaged, encrypted, ...) is no document
        return None
    if len(declared) > _CONTENT_TYPES_MAX:
        return None
    found = [
        kind
        for kind, folder, main in _OFFICE
        if main in declared and any(name.startswith(folder) for name in names)
    ]
    return found[0] if len(found) == 1 else None


def safe_filename(name: str, *, limit: int = MAX_NAME) -> str:
    """Return the last part of ``name`` without control or invisible formatting characters,
    characters Windows refuses, or leading dots; at most ``limit`` characters, keeping the
    extension. "" when nothing is left (the caller picks a name then)."""
    text = unicodedata.normalize("NFC", "".join(ch for ch in name if not _invisible(ch)))
    base = text.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join("_" if ch in _WINDOWS_RESERVED else ch for ch in base)
    base = base.strip().lstrip(".").rstrip(". ").strip()
    if len(base) <= limit:
        return base
    stem, dot, extension = base.rpartition(".")
    if dot and 0 < len(extension) <= 10 and stem:
        return stem[: limit - len(extension) - 1].rstrip(". ") + "." + extension
    return base[:limit].rstrip(". ")


def extension_of(name: str) -> str:
    """Return the lower-case extension of a file name ("" when it has none)."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def _invisible(ch: str) -> bool:
    # Cc control, Cf format (e.g. the right-to-left override that turns "fdp.exe" around),
    # Cs surrogates, Co private use, Cn unassigned
    return unicodedata.category(ch).startswith("C")
