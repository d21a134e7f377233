"""Render the innovation profile and proposal as Word (.docx) files with python-docx.

Every string is written as literal text: nothing is read as markup or as a formula, and the
characters XML cannot hold (control characters other than tab and newline, lone
surrogates, U+FFFE and U+FFFF) are left out. The only words come from ``DocumentTexts``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from docx import Document
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.shared import Mm
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from bot.documents.model import (
    DocumentTexts,
    Field,
    IndicatorRow,
    ProfileDocument,
    ProposalDocument,
    Section,
)

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
BLANK_LINE = re.compile(r"\n[ \t]*\n")
A4 = (Mm(210), Mm(297))
MARGIN = Mm(25)
# the built-in styles' ids in python-docx's template, set directly: adding a paragraph with a
# style name makes python-docx scan every style, which took a third of the rendering time
TITLE, SUBTITLE, BULLET, TABLE_STYLE = "Title", "Subtitle", "ListBullet", "TableGrid"
HEADING = {1: "Heading1", 2: "Heading2"}
# the indicator table's columns, in millimetres of the 160 mm between the margins
INDICATOR_WIDTHS = (10, 62, 30, 16, 16, 26)
FIELD_WIDTHS = (55, 105)


def clean(text: str) -> str:
    """Return ``text`` with newlines as \\n and without what XML cannot hold."""
    return NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def paragraphs(text: str) -> list[str]:
    """Return the blocks of ``text`` between blank lines, trimmed, empty ones left out
    (a single newline stays a line break inside its block)."""
    blocks = (block.strip() for block in BLANK_LINE.split(clean(text)))
    return [block for block in blocks if block]


def number(value: float, texts: DocumentTexts) -> str:
    """Return a weight or score with at most two decimals, trailing zeros left out."""
    shown = f"{value:.2f}".rstrip("0").rstrip(".")
    return ("0" if shown == "-0" else shown).replace(".", texts.decimal_separator)


def profile_docx(doc: ProfileDocument) -> bytes:
    """Return the innovation profile as a .docx file."""
    word = _start(doc.title, doc.code, doc.subtitle, doc.texts)
    texts = doc.texts
    _add(word, texts.profile_heading, HEADING[1])
    shorts: list[Field] = []
    for field in doc.fields:
        if not field.long:
            shorts.append(field)
            continue
        _field_table(word, shorts, texts)
        shorts = []
        _add(word, field.label, HEADING[2])
        _body(word, field.value, texts)
    _field_table(word, shorts, texts)

    _add(word, texts.indicators_heading, HEADING[1])
    _indicator_table(word, doc, texts)

    _add(word, texts.evidence_heading, HEADING[1])
    names = [name for name in doc.evidence if name.strip()]
    for name in names or [texts.none]:
        _add(word, name, BULLET if names else None)
    return _save(word)


def proposal_docx(doc: ProposalDocument) -> bytes:
    """Return the innovation proposal as a .docx file."""
    word = _start(doc.title, doc.code, doc.subtitle, doc.texts)
    _add(word, doc.texts.proposal_heading, HEADING[1])
    for section in doc.sections:
        _add(word, section.label, HEADING[2])
        _add(word, _weight_words(section, doc.texts), italic=True)
        _body(word, section.text, doc.texts)
    return _save(word)


def _weight_words(section: Section, texts: DocumentTexts) -> str:
    return texts.weight_words.format(
        weight=number(section.weight, texts), words=section.words, max=section.max_words
    )


def _start(title: str, code: str | None, subtitle: str, texts: DocumentTexts) -> WordDocument:
    """Return a new A4 document with its properties, title, code, subtitle and date line."""
    word = Document()
    for section in word.sections:
        section.page_width, section.page_height = A4
        section.left_margin = section.right_margin = MARGIN
        section.top_margin = section.bottom_margin = MARGIN
    now = datetime.now(UTC)
    props = word.core_properties
    props.title, props.subject = clean(title), clean(subtitle)
    props.identifier = clean(code or "")
    props.author = props.last_modified_by = props.comments = ""
    props.created = props.modified = now
    _add(word, title, TITLE)
    if code:
        _add(word, code, SUBTITLE)
    if subtitle.strip():
        _add(word, subtitle, SUBTITLE)
    if texts.generated_on.strip():
        _add(word, texts.generated_on, italic=True)
    return word


def _add(word: WordDocument, text: str, style: str | None = None, *, italic: bool = False) -> None:
    """Add a paragraph of ``text`` (cleaned) in the style with this id (None: Normal)."""
    paragraph: Paragraph = word.add_paragraph()
    if style is not None:
        paragraph._p.style = style
    _run(paragraph, clean(text)).italic = italic or None


def _body(word: WordDocument, text: str, texts: DocumentTexts) -> None:
    """Add ``text`` in full, one paragraph per block (``texts.none`` when it is empty)."""
    for block in paragraphs(text) or [clean(texts.none)]:
        _run(word.add_paragraph(), block)


def _field_table(word: WordDocument, fields: list[Field], texts: DocumentTexts) -> None:
    """Add the short fields as a two-column table: label (bold), value."""
    if not fields:
        return
    for (label, value), field in zip(_table(word, len(fields), FIELD_WIDTHS), fields, strict=True):
        _write(label, [clean(field.label)], bold=True)
        _write(value, [clean(field.value) if field.value.strip() else clean(texts.none)])


def _indicator_table(word: WordDocument, doc: ProfileDocument, texts: DocumentTexts) -> None:
    """Add the indicator table: a header row repeated on each page, a row per indicator, then
    the total row."""
    rows = _table(word, len(doc.indicators) + 2, INDICATOR_WIDTHS, header=True)
    header = (
        texts.column_no,
        texts.column_indicator,
        texts.column_level,
        texts.column_weight,
        texts.column_score,
        texts.column_evidence,
    )
    for cell, title in zip(rows[0], header, strict=True):
        _write(cell, [clean(title)], bold=True)
    for row, indicator in zip(rows[1:-1], doc.indicators, strict=True):
        for cell, lines in zip(row, _indicator_cells(indicator, texts), strict=True):
            _write(cell, lines)
        if indicator.note.strip():
            row[1].add_paragraph().add_run(clean(indicator.note)).italic = True
    total = rows[-1]
    score, top = number(doc.total_score, texts), number(doc.max_score, texts)
    _write(total[0].merge(total[3]), [clean(texts.total.format(score=score, max=top))], bold=True)
    _write(total[4], [score], bold=True)


def _indicator_cells(row: IndicatorRow, texts: DocumentTexts) -> list[list[str]]:
    """Return the lines of each cell of an indicator's row (its note is added after)."""
    evidence = [clean(name) for name in row.evidence if name.strip()]
    return [
        [str(row.no)],
        [clean(row.label)],
        [clean(row.level) if row.level is not None else clean(texts.none)],
        [number(row.weight, texts)],
        [number(row.score, texts)],
        evidence or [clean(texts.none)],
    ]


def _table(
    word: WordDocument, rows: int, widths: tuple[int, ...], *, header: bool = False
) -> list[tuple[_Cell, ...]]:
    """Add an empty bordered table with these column widths (mm) and return its rows' cells;
    a ``header`` first row is repeated at the top of each page."""
    table: Table = word.add_table(rows=rows, cols=len(widths))
    table._tbl.tblStyle_val = TABLE_STYLE
    table.autofit = False
    # the grid's columns and rows through the XML: Table.columns and Table.rows are cached
    # on the table and refer back to it, a reference cycle (see _release), as _Row.cells is
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = Mm(width)
    grid = table._cells
    cells = [tuple(grid[n : n + len(widths)]) for n in range(0, len(grid), len(widths))]
    for row in cells:
        for cell, width in zip(row, widths, strict=True):
            cell.width = Mm(width)
    if header:
        table._tbl.tr_lst[0].get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    return cells


def _write(cell: _Cell, lines: Iterable[str], *, bold: bool = False) -> None:
    """Write each line as a paragraph of the cell (the first fills the empty one)."""
    for n, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
        _run(paragraph, line).bold = bold or None


def _run(paragraph: Paragraph, text: str) -> Run:
    """Add a run of (clean) ``text``: python-docx turns tabs and newlines into their elements
    one character at a time, so text without them is set as one ``w:t`` at once."""
    if "\n" in text or "\t" in text:
        return paragraph.add_run(text)
    run = paragraph.add_run()
    run._r.add_t(text)
    return run


def _save(word: WordDocument) -> bytes:
    """Return the document's bytes and release its XML trees."""
    out = io.BytesIO()
    word.save(out)
    _release(word)
    return out.getvalue()


def _release(word: WordDocument) -> None:
    """Break the reference cycles of a saved document. python-docx's parts and package refer
    to each other, so without this a document waits for a full run of the cyclic garbage
    collector, which is rare in a large process, while its XML trees (outside Python's heap)
    stay allocated (docs/benchmarks.md, section 6)."""
    package = word.part.package
    for part in list(package.iter_parts()):
        vars(part).clear()
    vars(package).clear()
    vars(word).clear()  # the document and its body refer to each other too
