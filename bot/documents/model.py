"""What the Word documents are made of: plain frozen dataclasses, already in the reader's
language. The renderer (bot/documents/docx.py) writes every string as literal text and adds
no words of its own, so every heading, column title and template comes in ``DocumentTexts``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentTexts:
    """The headings, column titles and templates of both documents, in the reader's language.

    Templates are filled with ``str.format`` (a literal brace is written ``{{`` or ``}}``);
    their numbers come in as text already written (``decimal_separator``, at most two
    decimals, so a format spec such as ``{weight:.1f}`` does not apply). An empty
    ``generated_on`` is left out.
    """

    profile_heading: str
    """Heading above the profile fields, e.g. "Profil Inovasi"."""
    indicators_heading: str
    """Heading above the indicator table, e.g. "Indikator Penilaian"."""
    column_no: str
    """Indicator table column: the indicator's number, e.g. "No"."""
    column_indicator: str
    """Indicator table column: the indicator (and its note), e.g. "Indikator"."""
    column_level: str
    """Indicator table column: the level chosen, e.g. "Parameter"."""
    column_weight: str
    """Indicator table column: the indicator's weight, e.g. "Bobot"."""
    column_score: str
    """Indicator table column: the score reached, e.g. "Skor"."""
    column_evidence: str
    """Indicator table column: the evidence files given, e.g. "Data Dukung"."""
    total: str
    """Label of the total row under the indicators, beside the total score in the score
    column; a template that may use ``{score}`` and ``{max}``, e.g. "Jumlah (dari {max})"."""
    evidence_heading: str
    """Heading above the list of all evidence files, e.g. "Data Dukung"."""
    none: str
    """Written where there is nothing: an unanswered indicator's level, no evidence, an
    empty field or section, e.g. "—" or "Belum diisi"."""
    proposal_heading: str
    """Heading above the proposal's sections, e.g. "Proposal Inovasi"."""
    weight_words: str
    """Template of the line under each section's heading, with ``{weight}``, ``{words}`` and
    ``{max}``, e.g. "Bobot {weight}% · {words}/{max} kata"."""
    generated_on: str
    """The line saying when the document was made, already formatted, e.g. "Dibuat pada
    1 Desember 2026" ("" leaves it out)."""
    decimal_separator: str = ","
    """Between the whole and the decimal part of weights and scores (2,5 in Indonesian)."""


@dataclass(frozen=True)
class Field:
    """One profile field, in the IID profile's order. A long field (a description) is
    printed in full under its label as a heading, one paragraph per blank-line-separated
    block; consecutive short fields share a two-column table (label, value)."""

    label: str
    value: str
    long: bool = False


@dataclass(frozen=True)
class IndicatorRow:
    """One row of the indicator table: ``level`` is the chosen level's text (None when the
    indicator is not answered), ``evidence`` the names of its evidence files, and ``note``
    is printed under the indicator's label when not empty."""

    no: int
    label: str
    level: str | None
    weight: float
    score: float
    evidence: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class ProfileDocument:
    """The innovation profile: title, code (None before one is given) and subtitle (e.g.
    the unit), the fields, the indicators with their total, and all evidence files."""

    title: str
    code: str | None
    subtitle: str
    fields: tuple[Field, ...]
    indicators: tuple[IndicatorRow, ...]
    total_score: float
    max_score: float
    evidence: tuple[str, ...]
    texts: DocumentTexts


@dataclass(frozen=True)
class Section:
    """One proposal section: ``key`` identifies it for the caller (not printed), ``label`` is
    its heading, ``weight`` its share of the score in percent, ``max_words`` its limit and
    ``words`` the count of ``text`` as the caller counts it."""

    key: str
    label: str
    weight: float
    max_words: int
    text: str
    words: int


@dataclass(frozen=True)
class ProposalDocument:
    """The innovation proposal: title, code (None before one is given), subtitle and the
    sections in order."""

    title: str
    code: str | None
    subtitle: str
    sections: tuple[Section, ...]
    texts: DocumentTexts
