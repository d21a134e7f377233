"""No user-facing text is written in Python: every message, caption and label comes from
the catalogs."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHAT_CODE = [
    *sorted((ROOT / "handlers").glob("*.py")),
    *sorted((ROOT / "scheduler").glob("*.py")),
    *sorted((ROOT / "bot").glob("*.py")),
    *(
        path
        for package in ("forms", "telegram", "whatsapp", "documents", "catalog")
        for path in sorted((ROOT / "bot" / package).glob("*.py"))
    ),
]
# call name -> which positional argument carries text, and the text keywords
TEXT_ARGUMENTS = {
    "Screen": ([0], {"text"}),
    "Button": ([0], {"label"}),
    "InlineKeyboardButton": ([0], {"text"}),
    "send_message": ([1], {"text"}),
    "send_document": ([], {"caption"}),
    "send_photo": ([], {"caption"}),
    "answer": ([0], {"text"}),
    "edit_text": ([0], {"text"}),
    "edit_message_text": ([0], {"text"}),
    "reply_text": ([0], {"text"}),
    "set_title": ([0], {"label"}),
}


def _has_words(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(ch.isalpha() for ch in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_has_words(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _has_words(node.left) or _has_words(node.right)
    return False


def _name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return ""


def literal_texts(path: Path) -> list[str]:
    """Return "file:line" of every literal user-facing text in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or _name(node) not in TEXT_ARGUMENTS:
            continue
        positions, keywords = TEXT_ARGUMENTS[_name(node)]
        candidates = [node.args[i] for i in positions if i < len(node.args)]
        candidates += [k.value for k in node.keywords if k.arg in keywords]
        if any(_has_words(c) for c in candidates):
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_the_checker_finds_a_literal(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('Screen("Halo dunia")\nButton(f"Lanjut {x}", "d")\nScreen(t("ok"))\n')
    assert literal_texts(bad) == ["bad.py:1", "bad.py:2"]


def test_no_user_facing_text_outside_the_catalogs() -> None:
    assert len(CHAT_CODE) > 60  # every module that talks to people, none left behind
    offenders = [hit for path in CHAT_CODE for hit in literal_texts(path)]
    assert offenders == []
