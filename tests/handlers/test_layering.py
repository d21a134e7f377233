"""Handlers know no platform: no module in handlers/ (nor the services, the form engine or
the views) imports python-telegram-bot, pywa or the channel adapters."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = ("telegram", "pywa", "bot.telegram", "bot.whatsapp", "aiohttp")
NEUTRAL = [
    *sorted((ROOT / "handlers").glob("*.py")),
    *sorted((ROOT / "models").rglob("*.py")),
    *sorted((ROOT / "bot" / "forms").glob("*.py")),
    *(ROOT / "bot" / name for name in ("views.py", "revision_views.py", "deadline_views.py")),
    ROOT / "bot" / "inbox.py",
    ROOT / "bot" / "channels.py",  # which channel reaches whom
    ROOT / "scheduler" / "results.py",  # how a delivery ended, on any channel
]


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", NEUTRAL, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_platform_imports(path: Path) -> None:
    bad = {
        name
        for name in imported(path)
        if any(name == p or name.startswith(p + ".") for p in PLATFORM)
    }
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_check_sees_an_import() -> None:
    assert "telegram.ext" in imported(ROOT / "bot" / "telegram" / "app.py")
