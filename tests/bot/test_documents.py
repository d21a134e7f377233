"""The profile and proposal .docx files: opened again with python-docx, every label, value,
indicator cell, total and section line is there, in order, and the user's text verbatim."""

from __future__ import annotations

import gc
import io
import zipfile
from dataclasses import replace

import docx
import pytest
from docx.document import Document as WordDocument
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table
from docx.text.paragraph import Paragraph

from bot.documents.docx import clean, number, paragraphs, profile_docx, proposal_docx
from bot.documents.model import (
    DocumentTexts,
    Field,
    IndicatorRow,
    ProfileDocument,
    ProposalDocument,
    Section,
)

TEXTS = DocumentTexts(
    profile_heading="Profil Inovasi",
    indicators_heading="Indikator Penilaian",
    column_no="No",
    column_indicator="Indikator",
    column_level="Parameter",
    column_weight="Bobot",
    column_score="Skor",
    column_evidence="Data Dukung",
    total="Jumlah (dari {max})",
    evidence_heading="Daftar Data Dukung",
    none="Belum diisi",
    proposal_heading="Proposal Inovasi",
    weight_words="Bobot {weight}% · {words}/{max} kata",
    generated_on="Dibuat pada 1 Desember 2026",
)

LATAR = (
    "Kabupaten Nunukan berbatasan langsung dengan Malaysia dan sebagian besar desanya hanya "
    "dapat dijangkau lewat sungai atau jalan tanah yang rusak saat musim hujan. Ibu hamil, "
    "bayi dan balita di wilayah perbatasan sering terlambat mendapat layanan kesehatan dasar "
    "karena jadwal posyandu tidak diketahui warga, kader berganti tanpa serah terima, dan "
    "data kunjungan masih dicatat di buku tulis yang mudah hilang atau basah.\n\n"
    "Pada tahun 2023 tercatat 412 balita yang tidak ditimbang selama tiga bulan berturut-turut "
    "dan 37 kasus gizi kurang baru diketahui puskesmas setelah anak dirujuk ke rumah sakit. "
    "Petugas gizi puskesmas harus mendatangi setiap posyandu untuk menyalin buku register, "
    "sehingga laporan bulanan baru lengkap enam sampai delapan minggu kemudian. Keterlambatan "
    "ini membuat intervensi pemberian makanan tambahan sering datang ketika kondisi anak sudah "
    "memburuk.\n\n"
    "Di sisi lain, hampir semua kader sudah memiliki telepon genggam dan jaringan seluler "
    "menjangkau pusat desa, walaupun tidak stabil. Warga terbiasa menerima kabar lewat grup "
    "percakapan, tetapi pengumuman jadwal sering tenggelam di antara pesan lain dan tidak "
    "sampai kepada keluarga yang paling membutuhkan, terutama keluarga pendatang baru dan "
    "keluarga yang tinggal di kebun jauh dari pusat desa.\n"
    "Baris ini tetap satu paragraf dengan baris sebelumnya.\n\n"
    "Inovasi ini lahir dari musyawarah kader, bidan desa, kepala puskesmas dan pemerintah "
    "desa pada awal 2024. Mereka sepakat bahwa pencatatan harus semudah mengirim pesan, "
    "bekerja ketika sinyal putus, dan langsung terlihat oleh puskesmas begitu jaringan kembali "
    "tersedia. Jadwal posyandu juga harus diingatkan kepada setiap keluarga secara pribadi, "
    "satu hari sebelumnya dan pada pagi hari pelaksanaan, dalam bahasa yang mereka pahami.\n\n"
    "Tujuan akhirnya sederhana: tidak ada lagi ibu hamil yang melewatkan pemeriksaan karena "
    "tidak tahu jadwalnya, tidak ada balita gizi kurang yang baru diketahui setelah terlambat, "
    "dan setiap rupiah dana desa untuk kesehatan dapat dipertanggungjawabkan dengan data yang "
    "lengkap, tepat waktu dan dapat diperiksa kembali oleh siapa saja yang berkepentingan, "
    "termasuk warga sendiri melalui papan informasi desa dan rapat evaluasi triwulanan yang "
    "terbuka untuk umum serta dihadiri perwakilan kecamatan dan dinas kesehatan kabupaten."
)
HTML = '<b>Layanan</b> & "warga" <script>alert(1)</script> &amp; <br/>'
FORMULAS = "=SUM(A1:A9)\n+62 812-3456-7890\n@dinkes_nunukan\n-1+2"
CONTROL = "Dinas\x07 Kesehatan\x00\x0b\ufffe"

FIELDS = (
    Field("Nama inovasi", "Si Cantik: Posyandu Digital"),
    Field("Perangkat daerah", CONTROL),
    Field("Latar belakang masalah", LATAR, long=True),
    Field("Tahapan inovasi", "Penerapan"),
    Field("Kata kunci", HTML),
    Field("Kontak", FORMULAS),
    Field("Rancang bangun", 'Kader mencatat <i>kunjungan</i>.\n\n=HYPERLINK("x")', long=True),
    Field("Manfaat", "", long=True),
    Field("Hasil", ""),
)
INDICATORS = (
    IndicatorRow(1, "Regulasi inovasi daerah", "SK Kepala Perangkat Daerah", 10.0, 6.0,
                 ("sk-inovasi.pdf", "perbup <2024>.pdf")),
    IndicatorRow(2, "Ketersediaan SDM", None, 12.5, 0.0, ()),
    IndicatorRow(3, "Dukungan anggaran", "APBD", 7.25, 7.25, ("=dpa.xlsx",),
                 note="Anggaran & <dana> desa"),
)  # fmt: skip
PROFILE = ProfileDocument(
    title="Si Cantik: Posyandu <Digital>",
    code="INO-2026-000123",
    subtitle="Dinas Kesehatan · Kabupaten Nunukan",
    fields=FIELDS,
    indicators=INDICATORS,
    total_score=13.25,
    max_score=100.0,
    evidence=("sk-inovasi.pdf", "perbup <2024>.pdf", "=dpa.xlsx"),
    texts=TEXTS,
)
SECTIONS = (
    Section("latar", "Latar Belakang", 25.0, 500, LATAR, len(LATAR.split())),
    Section("rancang", "Rancang Bangun & <Metode>", 12.5, 300, FORMULAS + "\n\n" + HTML, 14),
    Section("kosong", "Dampak", 10.0, 200, "", 0),
)
PROPOSAL = ProposalDocument(
    title="Proposal Si Cantik",
    code=None,
    subtitle="Dinas Kesehatan",
    sections=SECTIONS,
    texts=TEXTS,
)


def _open(data: bytes) -> WordDocument:
    return docx.Document(io.BytesIO(data))


def _blocks(word: WordDocument) -> list[Paragraph | Table]:
    return list(word.iter_inner_content())


def _after(word: WordDocument, heading: str, style: str) -> list[Paragraph | Table]:
    """Return what follows the one heading of ``style`` with this text, up to the next
    heading of the same level or above."""
    blocks = _blocks(word)
    found = [
        n
        for n, b in enumerate(blocks)
        if isinstance(b, Paragraph) and b.style is not None and b.style.name == style
        and b.text == heading
    ]  # fmt: skip
    assert len(found) == 1, (heading, found)
    rest = []
    for block in blocks[found[0] + 1 :]:
        name = block.style.name if block.style is not None else None
        if isinstance(block, Paragraph) and name and name.startswith("Heading") and name <= style:
            break
        rest.append(block)
    return rest


def _texts(blocks: list[Paragraph | Table]) -> list[str]:
    assert all(isinstance(b, Paragraph) for b in blocks), blocks
    return [b.text for b in blocks if isinstance(b, Paragraph)]


def _rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_long_text_is_long_enough() -> None:
    assert len(LATAR.split()) >= 300
    assert LATAR.count("\n\n") == 4


def test_clean_keeps_tabs_and_newlines_and_drops_what_xml_cannot_hold() -> None:
    assert clean(CONTROL) == "Dinas Kesehatan"
    assert clean("a\tb\r\nc\rd\ud800e") == "a\tb\nc\nde"
    assert paragraphs("  satu\ndua \n \n\n tiga\r\n\r\n") == ["satu\ndua", "tiga"]
    assert paragraphs(" \n\n ") == []


@pytest.mark.parametrize(
    ("value", "shown"), [(10.0, "10"), (12.5, "12,5"), (7.25, "7,25"), (0.0, "0"), (1 / 3, "0,33")]
)
def test_numbers(value: float, shown: str) -> None:
    assert number(value, TEXTS) == shown
    assert number(value, replace(TEXTS, decimal_separator=".")) == shown.replace(",", ".")


def test_profile_page_properties_and_title() -> None:
    word = _open(profile_docx(PROFILE))
    section = word.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert word.core_properties.title == PROFILE.title
    assert word.core_properties.author == ""
    first = [(p.style.name, p.text) for p in word.paragraphs[:4] if p.style is not None]
    assert first == [
        ("Title", PROFILE.title),
        ("Subtitle", "INO-2026-000123"),
        ("Subtitle", PROFILE.subtitle),
        ("Normal", TEXTS.generated_on),
    ]


def test_profile_fields_in_order_short_in_tables_long_in_full() -> None:
    word = _open(profile_docx(PROFILE))
    seen: list[tuple[str, str]] = []
    blocks = _after(word, TEXTS.profile_heading, "Heading 1")
    heading = None
    for block in blocks:
        if isinstance(block, Table):
            assert block.style is not None and block.style.name == "Table Grid"
            seen += [(label, value) for label, value in _rows(block)]
        elif block.style is not None and block.style.name == "Heading 2":
            heading = block.text
            seen.append((heading, ""))
        else:
            label, text = seen[-1]
            assert label == heading
            seen[-1] = (label, f"{text}\n\n{block.text}" if text else block.text)
    expected = [(clean(f.label), clean(f.value) if f.value else TEXTS.none) for f in FIELDS]
    assert seen == expected
    assert ("Latar belakang masalah", LATAR) in seen
    assert ("Kata kunci", HTML) in seen
    assert ("Kontak", FORMULAS) in seen
    assert ("Perangkat daerah", "Dinas Kesehatan") in seen
    after = _after(word, "Latar belakang masalah", "Heading 2")
    assert isinstance(after[5], Table)  # the short fields that follow it in the IID order
    assert _texts(after[:5]) == LATAR.split("\n\n")


def test_profile_indicator_table_and_total() -> None:
    word = _open(profile_docx(PROFILE))
    (table,) = _after(word, TEXTS.indicators_heading, "Heading 1")
    assert isinstance(table, Table)
    rows = _rows(table)
    assert rows[0] == ["No", "Indikator", "Parameter", "Bobot", "Skor", "Data Dukung"]
    assert rows[1:-1] == [
        ["1", "Regulasi inovasi daerah", "SK Kepala Perangkat Daerah", "10", "6",
         "sk-inovasi.pdf\nperbup <2024>.pdf"],
        ["2", "Ketersediaan SDM", "Belum diisi", "12,5", "0", "Belum diisi"],
        ["3", "Dukungan anggaran\nAnggaran & <dana> desa", "APBD", "7,25", "7,25", "=dpa.xlsx"],
    ]  # fmt: skip
    assert rows[-1][:5] == ["Jumlah (dari 100)"] * 4 + ["13,25"]
    assert rows[-1][5] == ""


def test_profile_evidence_list_and_none() -> None:
    word = _open(profile_docx(PROFILE))
    listed = _after(word, TEXTS.evidence_heading, "Heading 1")
    assert _texts(listed) == list(PROFILE.evidence)
    assert {b.style.name for b in listed if isinstance(b, Paragraph) and b.style} == {"List Bullet"}
    empty = _open(profile_docx(replace(PROFILE, evidence=(), indicators=(), code=None)))
    assert _texts(_after(empty, TEXTS.evidence_heading, "Heading 1")) == [TEXTS.none]
    (table,) = _after(empty, TEXTS.indicators_heading, "Heading 1")
    assert isinstance(table, Table) and len(table.rows) == 2
    assert "INO-2026-000123" not in [p.text for p in empty.paragraphs]


def test_user_text_is_literal_not_markup() -> None:
    data = profile_docx(PROFILE)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "<b>" not in xml and "<script>" not in xml
    assert "&lt;b&gt;Layanan&lt;/b&gt; &amp; " in xml
    assert "&amp;amp;" in xml  # an entity the user typed stays as typed
    assert "<w:fldSimple" not in xml and "<w:instrText" not in xml  # no field (formula) codes
    assert "Dinas Kesehatan" in xml and "\x07" not in xml


def test_proposal_sections_with_weight_and_word_lines() -> None:
    word = _open(proposal_docx(PROPOSAL))
    assert word.core_properties.title == PROPOSAL.title
    assert [p.text for p in word.paragraphs[:3]] == [
        PROPOSAL.title,
        PROPOSAL.subtitle,
        TEXTS.generated_on,
    ]
    headings = [
        p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 2"
    ]
    assert headings == ["Latar Belakang", "Rancang Bangun & <Metode>", "Dampak"]
    words = len(LATAR.split())
    expected = {
        "Latar Belakang": [f"Bobot 25% · {words}/500 kata", *LATAR.split("\n\n")],
        "Rancang Bangun & <Metode>": ["Bobot 12,5% · 14/300 kata", FORMULAS, HTML],
        "Dampak": ["Bobot 10% · 0/200 kata", "Belum diisi"],
    }
    for heading, lines in expected.items():
        assert _texts(_after(word, heading, "Heading 2")) == lines
    joined = "\n\n".join(_texts(_after(word, "Latar Belakang", "Heading 2"))[1:])
    assert joined == LATAR


def test_empty_documents_render() -> None:
    bare = replace(PROFILE, fields=(), indicators=(), evidence=(), subtitle="", code=None)
    word = _open(profile_docx(replace(bare, texts=replace(TEXTS, generated_on=""))))
    assert [p.text for p in word.paragraphs[:2]] == [PROFILE.title, TEXTS.profile_heading]
    assert _open(proposal_docx(replace(PROPOSAL, sections=()))).paragraphs[-1].text == (
        TEXTS.proposal_heading
    )


def test_a_saved_document_leaves_no_xml_to_the_garbage_collector() -> None:
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds stays in gc.garbage
    try:
        profile_docx(PROFILE)
        proposal_docx(PROPOSAL)
        gc.collect()
        trees = [
            o
            for o in gc.garbage
            if isinstance(o, BaseOxmlElement) or type(o).__module__ == "lxml.etree"
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert trees == []
