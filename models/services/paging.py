"""Paging of list queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list."""

    items: list[T]
    page: int
    pages: int
    total: int


async def paginate(
    session: AsyncSession, stmt: Select[tuple[T]], *, page: int, per_page: int
) -> Page[T]:
    """Run ``stmt`` for one page; an out-of-range page is clamped."""
    count_stmt: Select[tuple[Any]] = select(func.count()).select_from(
        stmt.order_by(None).subquery()
    )
    total = (await session.execute(count_stmt)).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 0), pages - 1)
    rows = await session.execute(stmt.offset(page * per_page).limit(per_page))
    return Page(list(rows.scalars()), page, pages, total)
