"""Evidence files are judged by their content; the sender's file name is cleaned for display."""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models import filecheck
from models.filecheck import DOCX, JPEG, MP4, PDF, PNG, XLSX, detect, family, safe_filename
from tests import samples


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (samples.PDF, PDF),
        (b"%PDF-1.4\n" + b"0" * 2048, PDF),  # the other tests' stand-in
        (samples.JPEG, JPEG),
        (b"\xff\xd8\xff\xe0" + b"1" * 4096, JPEG),
        (samples.PNG, PNG),
        (samples.MP4, MP4),
        (samples.docx(), DOCX),
        (samples.xlsx(), XLSX),
    ],
)
def test_real_files_are_recognised(data: bytes, expected: filecheck.FileType) -> None:
    assert detect(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        samples.EXE,
        b"MZ" * 10,
        b"",
        b"%PD",
        b"hello, this is plain text",
        b"\x7fELF\x02\x01\x01" + b"\x00" * 60,
        b"GIF89a" + b"\x00" * 20,
        samples.docm(),  # macros: not a .docx
        samples.zipped({"a.txt": "halo"}),  # a plain zip
        samples.zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}),
        samples.docx()[:200],  # cut off: no table of contents
        b"PK\x03\x04" + b"\x00" * 100,
        samples.zipped(  # claims to be both
            {
                "[Content_Types].xml": (
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    ".main+xml application/vnd.openxmlformats-officedocument.spreadsheetml"
                    ".sheet.main+xml"
                ),
                "word/document.xml": "<w/>",
                "xl/workbook.xml": "<x/>",
            }
        ),
    ],
)
def test_anything_else_is_not_evidence(data: bytes) -> None:
    assert detect(data) is None


@given(st.binary(max_size=2048))
def test_any_bytes_are_judged_without_failing(data: bytes) -> None:
    assert detect(data) in (None, PDF, JPEG, PNG, MP4)
    assert detect(b"PK\x03\x04" + data) is None


def test_extension_families() -> None:
    assert family("JPEG") == family("jpg") == JPEG
    assert family("pdf") == PDF and family("docx") == DOCX and family("xlsx") == XLSX
    assert family("exe") is None and family("") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("laporan.pdf", "laporan.pdf"),
        ("../../etc/x.pdf", "x.pdf"),
        ("..\\..\\Windows\\x.pdf", "x.pdf"),
        ("C:\\Users\\budi\\SK Bupati.pdf", "SK Bupati.pdf"),
        ("/etc/passwd", "passwd"),
        ("laporan\u202efdp.exe", "laporanfdp.exe"),  # right-to-left override
        ("a\x00b\r\n.pdf", "ab.pdf"),
        ('a<b>:c|"d?*.pdf', "a_b__c__d__.pdf"),
        ("..", ""),
        ("...", ""),
        ("../", ""),
        ("  .profil.pdf  ", "profil.pdf"),
        ("x.pdf. . ", "x.pdf"),
        ("Laporan Triwulan IV.xlsx", "Laporan Triwulan IV.xlsx"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_a_long_name_keeps_its_extension() -> None:
    name = safe_filename("a" * 500 + ".docx")
    assert len(name) == filecheck.MAX_NAME and name.endswith("a.docx")
    assert len(safe_filename("b" * 500)) == filecheck.MAX_NAME


@given(st.text(max_size=400))
def test_a_cleaned_name_never_leaves_its_folder(name: str) -> None:
    cleaned = safe_filename(name)
    assert "/" not in cleaned and "\\" not in cleaned
    assert not cleaned.startswith((".", " ")) and len(cleaned) <= filecheck.MAX_NAME
    assert all(not unicodedata.category(ch).startswith("C") for ch in cleaned)
    assert safe_filename(cleaned) == cleaned
    entry = zipfile.ZipInfo(f"INO-2026-0001/01-{cleaned}").filename
    assert PurePosixPath(entry).parent == PurePosixPath("INO-2026-0001")
