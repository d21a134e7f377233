"""Validate Telegram-flavoured HTML the way the Bot API does and turn it into plain text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["HtmlParseError", "ParsedHtml", "html_to_text", "parse_html", "utf16_len"]

_TAG_ENTITY: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

_NAMED_ENTITIES: dict[str, str] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_UNQUOTED_VALUE_RE = re.compile(r"[A-Za-z0-9.\-]*")
_LANGUAGE_KEY = " language"  # never a parsed attribute name, as names cannot contain spaces


class HtmlParseError(ValueError):
    """Signal markup that Telegram refuses with "can't parse entities"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ParsedHtml:
    """Hold the visible text and the Telegram entities parsed from HTML."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    source_offset: int
    start: int
    attrs: dict[str, str]


def utf16_len(text: str) -> int:
    """Return the length of text in UTF-16 code units, the unit Telegram offsets use."""
    return len(text.encode("utf-16-le")) // 2


def html_to_text(source: str) -> str:
    """Return the visible text of Telegram HTML, raising HtmlParseError if it is invalid."""
    return parse_html(source).text


def parse_html(source: str) -> ParsedHtml:
    """Parse Telegram HTML into visible text and entities, raising HtmlParseError if invalid."""
    return _Parser(source).parse()


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16 += utf16_len(text)

    def parse(self) -> ParsedHtml:
        src = self.src
        n = len(src)
        while self.pos < n:
            ch = src[self.pos]
            if ch == "&":
                self.emit(self.read_entity())
            elif ch == "<":
                if self.pos + 1 < n and src[self.pos + 1] == "/":
                    self.read_end_tag()
                else:
                    self.read_start_tag()
            else:
                nxt = n
                for stop in ("&", "<"):
                    found = src.find(stop, self.pos)
                    if found != -1:
                        nxt = min(nxt, found)
                self.emit(src[self.pos : nxt])
                self.pos = nxt
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedHtml(text="".join(self.out), entities=self.entities)

    def read_entity(self) -> str:
        match = _ENTITY_RE.match(self.src, self.pos)
        if match is None:
            raise HtmlParseError(
                f'Character "&" at byte offset {self.byte_offset(self.pos)} must be escaped '
                'as "&amp;"'
            )
        name, dec, hexa = match.groups()
        self.pos = match.end()
        if name is not None:
            return _NAMED_ENTITIES[name]
        code = int(dec, 10) if dec is not None else int(hexa, 16)
        if code <= 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise HtmlParseError(
                f"Invalid numeric character reference at byte offset "
                f"{self.byte_offset(match.start())}"
            )
        return chr(code)

    def skip_spaces(self) -> None:
        while self.pos < len(self.src) and self.src[self.pos].isspace():
            self.pos += 1

    def read_start_tag(self) -> None:
        src = self.src
        n = len(src)
        begin = self.pos
        offset = self.byte_offset(begin)
        self.pos += 1
        while self.pos < n and not src[self.pos].isspace() and src[self.pos] != ">":
            self.pos += 1
        if self.pos >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
        name = src[begin + 1 : self.pos].lower()
        if name not in _TAG_ENTITY:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
        attrs: dict[str, str] = {}
        while True:
            self.skip_spaces()
            if self.pos >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
            if src[self.pos] == ">":
                self.pos += 1
                break
            attr_begin = self.pos
            while (
                self.pos < n
                and not src[self.pos].isspace()
                and src[self.pos] not in "=>"
                and src[self.pos] not in "\"'"
            ):
                self.pos += 1
            attr_name = src[attr_begin : self.pos].lower()
            if not attr_name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {offset}'
                )
            self.skip_spaces()
            if self.pos < n and src[self.pos] != "=":
                if name == "blockquote" and attr_name == "expandable":
                    attrs[attr_name] = ""
                    continue
                raise HtmlParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                    f"at byte offset {offset}"
                )
            if self.pos >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
            self.pos += 1
            self.skip_spaces()
            if self.pos >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
            attrs[attr_name] = self.read_attr_value(offset)
        self.check_start_tag(name, attrs, offset)
        self.stack.append(_OpenTag(name=name, source_offset=offset, start=self.utf16, attrs=attrs))

    def read_attr_value(self, tag_offset: int) -> str:
        src = self.src
        quote = src[self.pos]
        if quote in "\"'":
            self.pos += 1
            parts: list[str] = []
            while True:
                if self.pos >= len(src):
                    raise HtmlParseError(f"Unclosed start tag at byte offset {tag_offset}")
                ch = src[self.pos]
                if ch == quote:
                    self.pos += 1
                    return "".join(parts)
                if ch == "&":
                    parts.append(self.read_entity())
                else:
                    parts.append(ch)
                    self.pos += 1
        match = _UNQUOTED_VALUE_RE.match(src, self.pos)
        value = match.group(0) if match else ""
        self.pos += len(value)
        return value

    @staticmethod
    def check_start_tag(name: str, attrs: dict[str, str], offset: int) -> None:
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        if name == "a" and not attrs.get("href"):
            raise HtmlParseError(f'Tag "a" must have attribute "href" at byte offset {offset}')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise HtmlParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
            )

    def read_end_tag(self) -> None:
        src = self.src
        n = len(src)
        begin = self.pos
        offset = self.byte_offset(begin)
        self.pos += 2
        while self.pos < n and not src[self.pos].isspace() and src[self.pos] != ">":
            self.pos += 1
        end_name = src[begin + 2 : self.pos].lower()
        self.skip_spaces()
        if self.pos >= n or src[self.pos] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {offset}")
        self.pos += 1
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {offset}")
        opened = self.stack[-1]
        if end_name and end_name != opened.name:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{opened.name}>", '
                f'found "</{end_name}>"'
            )
        self.stack.pop()
        self.close_entity(opened)

    def close_entity(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.start
        if length <= 0:
            return
        kind = _TAG_ENTITY[tag.name]
        entity: dict[str, Any] = {"type": kind, "offset": tag.start, "length": length}
        if kind == "text_link":
            entity["url"] = tag.attrs["href"]
        elif kind == "custom_emoji":
            entity["custom_emoji_id"] = tag.attrs["emoji-id"]
        elif kind == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        elif kind == "code":
            language = tag.attrs.get("class", "")
            parent = self.stack[-1] if self.stack else None
            if (
                language.startswith("language-")
                and parent is not None
                and parent.name == "pre"
                and parent.start == tag.start
            ):
                parent.attrs[_LANGUAGE_KEY] = language.removeprefix("language-")
                return
        elif kind == "pre" and tag.attrs.get(_LANGUAGE_KEY):
            entity["language"] = tag.attrs[_LANGUAGE_KEY]
        self.entities.append(entity)
