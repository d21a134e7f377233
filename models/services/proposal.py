"""The sections of an innovation's KIPP proposal, and their first drafts from the profile."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.document_tables import ProposalSection
from models.masterdata import KippSection
from models.services import document_checks
from models.tables import Innovation
from models.validation import count_words

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


async def sections(session: AsyncSession, innovation_id: int) -> dict[str, str]:
    """Return the proposal's texts by section key."""
    rows = await session.scalars(
        select(ProposalSection).where(ProposalSection.innovation_id == innovation_id)
    )
    return {row.key: row.text for row in rows}


async def save(
    session: AsyncSession, innovation_id: int, key: str, text: str | None, *, now: datetime
) -> None:
    """Store one section's text (None or "" empties it)."""
    row = await session.scalar(
        select(ProposalSection).where(
            ProposalSection.innovation_id == innovation_id, ProposalSection.key == key
        )
    )
    if row is None:
        row = ProposalSection(innovation_id=innovation_id, key=key, text="", updated_at=now)
        session.add(row)
    elif row.text == (text or ""):
        return
    # changed: not checked by a verifier since
    row.text, row.updated_at, row.verified_at = text or "", now, None
    await document_checks.changed(session, innovation_id, now=now)


def within_words(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` words, at a sentence end where there is one."""
    if count_words(text) <= limit:
        return text
    kept: list[str] = []
    for paragraph in text.split("\n\n"):
        for sentence in _SENTENCE_END.split(paragraph):
            candidate = "\n\n".join([*kept, sentence]) if kept else sentence
            if count_words(candidate) > limit:
                if kept:
                    return "\n\n".join(kept)
                words = sentence.split()
                return " ".join(words[:limit])
            kept.append(sentence)
    return "\n\n".join(kept)


def draft(
    section: KippSection,
    innovation: Innovation,
    indicator_line: Callable[[str], str | None],
) -> str:
    """The first draft of a section: the profile fields it maps to, in order, and a line for
    each indicator it names (``indicator_line(key)``: that indicator's answer, or None);
    within the section's word limit."""
    parts = [str(getattr(innovation, field, None) or "").strip() for field in section.dari]
    parts += [indicator_line(key) or "" for key in section.dari_indikator]
    text = "\n\n".join(p for p in parts if p)
    return within_words(text, section.maks_kata)
