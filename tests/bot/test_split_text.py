"""Cutting a long text for Telegram: every piece fits once escaped, nothing is lost, and a cut
falls at the coarsest boundary that allows it."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.views import split_text, utf16_length

WORDS = st.sampled_from(["kata", "<b>", "&", "posyandu", "😀😀", "漢字", "x" * 40, "a&b<c>"])
PARAGRAPH = st.lists(WORDS, min_size=0, max_size=40).map(" ".join)
LINES = st.lists(PARAGRAPH, min_size=1, max_size=4).map("\n".join)
TEXT = st.lists(LINES, min_size=1, max_size=12).map("\n\n".join)


def _words(text: str) -> list[str]:
    return text.split()


@settings(max_examples=300, deadline=None)
@given(text=TEXT, limit=st.integers(min_value=60, max_value=600))
def test_every_piece_fits_and_nothing_is_lost(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(utf16_length(html.escape(p, quote=False)) <= limit for p in pieces)
    assert _words(" ".join(pieces)) == _words(text)


def test_paragraphs_stay_whole_when_they_fit() -> None:
    paragraphs = [f"Paragraf {n}: " + "kata " * 30 for n in range(10)]
    pieces = split_text("\n\n".join(paragraphs), 400)
    assert len(pieces) > 1
    for paragraph in paragraphs:
        assert sum(paragraph.strip() in piece for piece in pieces) == 1


def test_a_word_longer_than_the_limit_is_cut_inside() -> None:
    pieces = split_text("&" * 50, 20)  # each & is 5 characters escaped
    assert pieces == ["&&&&", *["&&&&"] * 11, "&&"]
