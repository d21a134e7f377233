"""The documents of one innovation from what is stored: the profile (IID field order, the long
texts in full, the indicators with their levels and evidence) and the KIPP proposal; as
DOCX files for a chat (made off the event loop) or the command line."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.check_views import is_waiting
from bot.deps import Deps
from bot.documents.docx import profile_docx, proposal_docx
from bot.documents.model import (
    DocumentTexts,
    Field,
    IndicatorRow,
    ProfileDocument,
    ProposalDocument,
    Section,
)
from bot.forms.definitions import REGISTRATION
from bot.forms.screens import OutgoingFile
from bot.forms.steps import Kind
from bot.i18n import Translator
from bot.views import file_code
from models.services import cards
from models.services import indicators as answers_service
from models.services import innovations as inno
from models.services import proposal as proposal_service
from models.tables import Innovation
from models.validation import count_words, iso_date


def document_texts(t: Translator, deps: Deps) -> DocumentTexts:
    """The headings and column titles in the reader's language."""
    p = t.plain
    return DocumentTexts(
        profile_heading=p("doc.profile_heading"),
        indicators_heading=p("doc.indicators_heading"),
        column_no=p("doc.column_no"),
        column_indicator=p("doc.column_indicator"),
        column_level=p("doc.column_level"),
        column_weight=p("doc.column_weight"),
        column_score=p("doc.column_score"),
        column_evidence=p("doc.column_evidence"),
        total=p("doc.total"),
        evidence_heading=p("doc.evidence_heading"),
        none=p("doc.none"),
        proposal_heading=p("doc.proposal_heading"),
        weight_words=p("doc.weight_words"),
        generated_on=p("doc.generated_on", date=t.date(deps.today())),
        decimal_separator="," if t.lang == "id" else ".",
    )


def _plain(kind: Kind, value: Any, names: dict[str, str], t: Translator) -> str:
    """A field's value as plain text, in full."""
    if value is None or value == "" or value == []:
        return ""
    if kind == Kind.CHOICE:
        return names.get(str(value), str(value))
    if kind == Kind.MULTI:
        return "; ".join(names.get(str(v), str(v)) for v in value)
    if kind == Kind.DATE:
        return t.date(iso_date(value))
    if kind == Kind.LOCATION:
        return str(value.get("text") or "")
    if kind == Kind.FILES:
        return ", ".join(str(v) for v in value)
    return str(value)


async def profile_document(
    session: AsyncSession, deps: Deps, t: Translator, innovation: Innovation
) -> ProfileDocument:
    """The profile document's content."""
    sources = {s.options for s in REGISTRATION.steps if s.options}
    labels = await cards.labels_of(session, deps.master, sources, t.lang)
    answers = inno.answers_of(innovation)
    fields = tuple(
        Field(
            t.plain(f"reg.{step.key}.label"),
            _plain(step.kind, answers.get(step.key), dict(labels.get(step.options or "", {})), t),
            long=step.kind == Kind.LONG_TEXT,
        )
        for step in REGISTRATION.steps
        if step.asked(answers) and step.kind != Kind.FILES
    )
    found = await answers_service.read(session, deps.iid, innovation)
    result = found.estimate
    indicators = tuple(
        IndicatorRow(
            no=r.indicator.nomor,
            label=r.indicator.name(t.lang),
            level=r.indicator.level_text(r.answer.level, t.lang) if r.answer.level else None,
            weight=r.indicator.bobot,
            score=r.score,
            evidence=tuple(found.evidence(r.indicator.key)),
            note=t.plain("checks.pending_mark")
            if is_waiting(innovation, found.rows.get(r.indicator.key))
            else "",
        )
        for r in result.rows
    )
    evidence = tuple(a.filename for a in innovation.attachments) + tuple(
        name for row in indicators for name in row.evidence
    )
    unit = innovation.unit.name if innovation.unit else ""
    return ProfileDocument(
        title=innovation.nama_inovasi or t.plain("reg.untitled"),
        code=innovation.code,
        subtitle=f"{unit} · {deps.settings.pemda_name}".strip(" ·"),
        fields=fields,
        indicators=indicators,
        total_score=result.total,
        max_score=result.max_score,
        evidence=evidence,
        texts=document_texts(t, deps),
    )


async def proposal_document(
    session: AsyncSession, deps: Deps, t: Translator, innovation: Innovation
) -> ProposalDocument:
    """The proposal document's content: every section in master data's order."""
    texts = await proposal_service.sections(session, innovation.id)
    sections = tuple(
        Section(
            key=s.key,
            label=t.plain(f"kipp.section.{s.key}"),
            weight=s.bobot,
            max_words=s.maks_kata,
            text=texts.get(s.key, ""),
            words=count_words(texts.get(s.key)),
        )
        for s in deps.master.kipp_bagian
    )
    unit = innovation.unit.name if innovation.unit else ""
    return ProposalDocument(
        title=innovation.nama_inovasi or t.plain("reg.untitled"),
        code=innovation.code,
        subtitle=f"{unit} · {deps.settings.pemda_name}".strip(" ·"),
        sections=sections,
        texts=document_texts(t, deps),
    )


def _name(t: Translator, innovation: Innovation, what: str) -> str:
    code = file_code(t, innovation)
    return t.plain(f"doc.{what}_file", code=code)


async def profile_file(
    session: AsyncSession, deps: Deps, t: Translator, innovation: Innovation
) -> OutgoingFile:
    """The profile as a DOCX to send in chat (rendered after the transaction)."""
    doc = await profile_document(session, deps, t, innovation)
    return OutgoingFile(
        _name(t, innovation, "profile"),
        caption=t.plain("doc.profile_caption"),
        make=lambda: profile_docx(doc),
    )


async def proposal_file(
    session: AsyncSession, deps: Deps, t: Translator, innovation: Innovation
) -> OutgoingFile:
    """The proposal as a DOCX to send in chat (rendered after the transaction)."""
    doc = await proposal_document(session, deps, t, innovation)
    return OutgoingFile(
        _name(t, innovation, "proposal"),
        caption=t.plain("doc.proposal_caption"),
        make=lambda: proposal_docx(doc),
    )
