"""Stored state of step-by-step flows: one active flow per user."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import FlowState

# Built once: every update runs it, and a reused statement skips construction and caching.
_ACTIVE = (
    select(FlowState)
    .where(FlowState.user_id == bindparam("user_id"), FlowState.active)
    .order_by(FlowState.updated_at.desc())
    .limit(1)
    .with_for_update()
)


async def get_active(session: AsyncSession, user_id: int) -> FlowState | None:
    """Return the user's active flow, locked for this transaction where the database can."""
    return (await session.execute(_ACTIVE, {"user_id": user_id})).scalar_one_or_none()


async def find(
    session: AsyncSession, *, user_id: int, flow: str, target_id: int | None
) -> FlowState | None:
    """Return the stored state of one flow for one target, active or not."""
    stmt = select(FlowState).where(
        FlowState.user_id == user_id,
        FlowState.flow == flow,
        FlowState.target_id.is_(None) if target_id is None else FlowState.target_id == target_id,
    )
    return (await session.execute(stmt)).scalars().first()


async def deactivate_all(session: AsyncSession, user_id: int) -> None:
    """Leave whatever flow the user is in; the stored state stays for resuming."""
    await session.execute(
        update(FlowState).where(FlowState.user_id == user_id).values(active=False)
    )


async def activate(
    session: AsyncSession,
    *,
    user_id: int,
    flow: str,
    target_id: int | None,
    first_step: str,
    now: datetime,
    data: dict[str, Any] | None = None,
    mode: str = "form",
) -> FlowState:
    """Make this flow the user's active one, resuming its stored state if there is one
    (``mode`` applies to a new state: "form" starts at the first step, "summary" at the end)."""
    await deactivate_all(session, user_id)
    state = await find(session, user_id=user_id, flow=flow, target_id=target_id)
    if state is None:
        state = FlowState(
            user_id=user_id,
            flow=flow,
            target_id=target_id,
            step=first_step,
            mode=mode,
            rev=0,
            data=data or {},
            updated_at=now,
        )
        session.add(state)
    state.active = True
    state.rev = (state.rev or 0) + 1
    state.updated_at = now
    await session.flush()
    return state


async def remove_for_target(session: AsyncSession, *, flow: str, target_id: int) -> None:
    """Forget every stored state of a flow on a target (it was submitted or deleted)."""
    await session.execute(
        delete(FlowState).where(FlowState.flow == flow, FlowState.target_id == target_id)
    )


async def remove(session: AsyncSession, state: FlowState) -> None:
    """Forget one stored state."""
    await session.delete(state)
    await session.flush()
