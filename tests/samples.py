"""Small but real files of every evidence type, and impostors, for the upload tests."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook
from PIL import Image

PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"

_OOXML = "application/vnd.openxmlformats-officedocument."
_WORD_MAIN = _OOXML + "wordprocessingml.document.main+xml"
_MACRO_WORD_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def image(fmt: str, size: tuple[int, int] = (8, 8)) -> bytes:
    """Return a real image in ``fmt`` ("JPEG", "PNG")."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def zipped(entries: dict[str, str]) -> bytes:
    """Return a zip archive of ``entries`` (name -> text)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _word(main_type: str) -> bytes:
    return zipped(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>'
                "</Types>"
            ),
            "_rels/.rels": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/officeDocument" Target="word/document.xml"/>'
                "</Relationships>"
            ),
            "word/document.xml": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                "<w:body><w:p><w:r><w:t>Surat keputusan</w:t></w:r></w:p></w:body></w:document>"
            ),
        }
    )


def docx() -> bytes:
    """Return a minimal Word document."""
    return _word(_WORD_MAIN)


def docm() -> bytes:
    """Return a minimal macro-enabled Word document (not a .docx)."""
    return _word(_MACRO_WORD_MAIN)


def xlsx() -> bytes:
    """Return a workbook written by openpyxl."""
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["Kunjungan", 35])  # type: ignore[union-attr]
    workbook.save(buffer)
    return buffer.getvalue()


JPEG = image("JPEG")
PNG = image("PNG")
