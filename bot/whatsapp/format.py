"""Screen texts (written in Telegram's HTML subset) as WhatsApp text: ``*bold*``,
``_italic_``, ``~strike~``, ```` ```mono``` ````; what users typed cannot format."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# WhatsApp has no escape character: a marker character in text (what users typed, and any
# in the catalogs) that could open or close formatting, one beside a space, punctuation or
# the end, becomes a look-alike that does not format; inside a word (ADMIN_IDS, 5*3) it stays.
_NEUTRAL = {"*": "∗", "_": "＿", "~": "∼", "`": "ˋ"}
_URL = re.compile(r"(https?://\S+)")
_AT_EDGE = re.compile(r"(?<!\w)[*_~`]|[*_~`](?!\w)")
_MARKERS = {"b": "*", "strong": "*", "i": "_", "em": "_", "s": "~", "code": "```", "pre": "```"}


class _Converter(HTMLParser):
    def __init__(self, *, markers: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.markers = markers  # False: the text without formatting
        self.out: list[str] = []
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _MARKERS:
            if self.markers:
                self.out.append(_MARKERS[tag])
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))
        elif tag == "br":
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _MARKERS:
            if self.markers:
                self._close(_MARKERS[tag])
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href and not href.startswith("tg://"):
                self.out.append(f" ({href})")

    def _close(self, marker: str) -> None:
        # WhatsApp formats only when the markers hug the text: move spaces outside them
        text = "".join(self.out)
        start = text.rfind(marker, 0, len(text))
        inner = text[start + len(marker) :] if start >= 0 else ""
        if start < 0 or not inner.strip():
            if start >= 0:  # nothing to format: drop the opening marker
                self.out = [text[:start] + inner]
            return
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()) :]
        self.out = [text[:start] + lead + marker + inner.strip() + marker + trail]

    def handle_data(self, data: str) -> None:
        parts = _URL.split(data)  # links stay as they are: a code in one may hold a "_"
        self.out.append(
            "".join(
                part if n % 2 else _AT_EDGE.sub(lambda m: _NEUTRAL[m.group()], part)
                for n, part in enumerate(parts)
            )
        )


def _convert(html: str, *, markers: bool) -> str:
    converter = _Converter(markers=markers)
    converter.feed(html)
    converter.close()
    return "".join(converter.out)


def to_whatsapp(html: str) -> str:
    """Return the WhatsApp text of a screen's HTML text."""
    return _convert(html, markers=True)


def plain(html: str) -> str:
    """Return the text without formatting (for titles, rows and template values); marker
    characters inside words and links stay, as in :func:`to_whatsapp`."""
    return _convert(html, markers=False)
