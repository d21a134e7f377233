"""Views take data, services fetch it: the view modules run no query. None imports
SQLAlchemy or the database module, defines a coroutine, awaits, or takes a session."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VIEWS = [ROOT / "bot" / name for name in ("views.py", "revision_views.py", "deadline_views.py")]
FORBIDDEN_MODULES = ("sqlalchemy", "models.db")


def _annotation_names(node: ast.expr | None) -> set[str]:
    """Return every name an annotation mentions (also inside strings and subscripts)."""
    if node is None:
        return set()
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _annotation_names(ast.parse(node.value, mode="eval").body)
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub is not node:
            names |= _annotation_names(sub)
    return names


def impurities(source: str) -> list[str]:
    """Return what makes a module's source not a pure view: one line per finding."""
    found = []
    for node in ast.walk(ast.parse(source)):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        for name in modules:
            if any(name == m or name.startswith(m + ".") for m in FORBIDDEN_MODULES):
                found.append(f"line {getattr(node, 'lineno', 0)}: imports {name}")
        if isinstance(node, ast.AsyncFunctionDef):
            found.append(f"line {node.lineno}: async def {node.name}")
        if isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
            found.append(f"line {node.lineno}: {type(node).__name__.lower()}")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
            every += [a for a in (args.vararg, args.kwarg) if a is not None]
            for arg in every:
                if "AsyncSession" in _annotation_names(arg.annotation):
                    found.append(f"line {node.lineno}: parameter {arg.arg}: AsyncSession")
    return found


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_are_pure(path: Path) -> None:
    assert impurities(path.read_text()) == [], f"{path.relative_to(ROOT)} runs queries"


def test_the_check_sees_each_impurity() -> None:
    source = """
from sqlalchemy import select
import models.db
from models.db import open_engine

async def card(session: AsyncSession) -> str:
    return await session.get(1)

def lines(t, session: "AsyncSession | None" = None, *, s: Optional[AsyncSession] = None):
    return []
"""
    assert sorted(impurities(source)) == [
        "line 2: imports sqlalchemy",
        "line 3: imports models.db",
        "line 4: imports models.db",
        "line 6: async def card",
        "line 6: parameter session: AsyncSession",
        "line 7: await",
        "line 9: parameter s: AsyncSession",
        "line 9: parameter session: AsyncSession",
    ]


def test_a_pure_module_passes() -> None:
    source = """
from models.services.cards import Card

def card(t, deps, data: Card) -> str:
    return t("card.title")
"""
    assert impurities(source) == []
