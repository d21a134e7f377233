"""Answers as they are shown (safe HTML for cards and summaries) and small rules about them."""

from __future__ import annotations

import html
import mimetypes
from collections.abc import Mapping, Sequence
from typing import Any

from bot.forms.steps import Answers, Choice, Kind, Step
from bot.i18n import Translator
from models import filecheck
from models.filecheck import FileType
from models.profile import is_filled
from models.validation import InvalidInput, count_words, iso_date

SUMMARY_PREVIEW = 120


def format_value(
    step: Step,
    value: Any,
    t: Translator,
    labels: Mapping[str, str],
    *,
    preview: int = SUMMARY_PREVIEW,
) -> str:
    """Return an answer as safe HTML: labels for choices, local dates, previews of long text."""
    if not is_filled(value):
        return t("form.empty")
    if step.kind == Kind.CHOICE:
        return escape(labels.get(str(value), str(value)))
    if step.kind == Kind.MULTI:
        return escape("; ".join(labels.get(v, v) for v in value))
    if step.kind == Kind.DATE:
        return escape(t.date(iso_date(value)))  # a month alone ("2023-06") shows "Juni 2023"
    if step.kind == Kind.LONG_TEXT:
        text = str(value)
        short = text if len(text) <= preview else text[:preview] + "…"
        words = t("form.word_count", words=t.number(count_words(text)))
        return f"{escape(short)} <i>({words})</i>"
    if step.kind == Kind.LOCATION:
        return escape(str(value.get("text") or ""))
    if step.kind == Kind.FILES:
        return escape(t.plain("form.files_list", count=len(value), names=", ".join(value)))
    if step.kind == Kind.NUMBER:
        return t.number(int(value))
    return escape(str(value))


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def long_text_accepted(step: Step, answers: Answers) -> bool:
    """Whether "Selesai" would be accepted at this long-text step now."""
    value = answers.get(step.key)
    if not is_filled(value):
        return False
    words = count_words(value)
    if step.max_words and words > step.max_words:
        return False
    return words >= step.min_words and words >= step.soft_min_words


def matches(query: str, choice: Choice) -> bool:
    words = query.lower().split()
    haystack = f"{choice.label} {choice.key}".lower()
    return all(word in haystack for word in words)


def extension(filename: str, mime_type: str) -> str:
    if "." in filename:
        return filename.rsplit(".", 1)[1].lower()
    guessed = mimetypes.guess_extension(mime_type or "") or ""
    return guessed.lstrip(".").lower()


def checked_content(data: bytes, ext: str, extensions: Sequence[str], allowed: str) -> FileType:
    """Return what ``data`` really is, when that is what a ``*.ext`` file must be; refuse
    content of another type (a program named laporan.pdf, a PNG named .pdf) otherwise."""
    detected = filecheck.detect(data)
    if detected is not None and detected == filecheck.family(ext):
        return detected
    permitted = {filecheck.family(e) for e in extensions}
    if detected is not None and detected in permitted:
        raise InvalidInput(
            "err.file_mismatch",
            ext=ext,
            actual=detected.extension.upper(),
            actual_ext=detected.extension,
            allowed=allowed,
        )
    raise InvalidInput("err.file_content", claimed=ext.upper(), allowed=allowed)
