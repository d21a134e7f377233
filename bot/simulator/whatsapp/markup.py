"""WhatsApp's text formatting, as the phone renders it: ``*bold*``, ``_italic_``,
``~strikethrough~`` and ````` ```monospace``` `````.

A marker pair formats only when it wraps non-space text at word boundaries: the opening
marker follows the start of the text, a space or punctuation and is followed by a non-space
character; the closing marker follows a non-space character and is followed by the end, a
space or punctuation; the pair stays on one line. So ``snake_case_name``, ``2*3*4`` and
``* not bold *`` are shown as written. Nothing inside a monospace block is formatted.
"""

from __future__ import annotations

import re

__all__ = ["strip_markup"]

_MONO = re.compile(r"```(.+?)```", re.DOTALL)
# (?<![^\W_]) : not preceded by a letter or digit; (?![^\W_]) : not followed by one
_PAIRS = [
    re.compile(rf"(?<![^\W_]){marker}(\S|\S[^\n]*?\S){marker}(?![^\W_])")
    for marker in (r"\*", "_", "~")
]
_SLOT = "\ue000{}\ue001"
_SLOT_RE = re.compile("\ue000(\\d+)\ue001")


def strip_markup(text: str) -> str:
    """Return text as the phone shows it: the formatting markers removed."""
    blocks: list[str] = []

    def hold(match: re.Match[str]) -> str:
        blocks.append(match.group(1))
        return _SLOT.format(len(blocks) - 1)

    result = _MONO.sub(hold, text)
    changed = True
    while changed:  # nested pairs (*_both_*) come off one layer per round
        changed = False
        for pair in _PAIRS:
            stripped = pair.sub(r"\1", result)
            if stripped != result:
                result, changed = stripped, True
    return _SLOT_RE.sub(lambda m: blocks[int(m.group(1))], result)
