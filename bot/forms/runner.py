"""Start, resume and feed flows: the channel-independent half of every conversation."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.deps import Deps
from bot.forms.engine import FormEngine, FormHost, Incoming, Outcome, Screen
from bot.forms.flows import (
    ONBOARDING,
    REGISTRATION,
    HostContext,
    OnboardingHost,
    RegistrationHost,
)
from models.services import flows as flow_states
from models.services import innovations as inno
from models.tables import FlowState, User


async def _engine(
    session: AsyncSession, deps: Deps, user: User, state: FlowState
) -> FormEngine | None:
    t = deps.translator(user.language)
    ctx = HostContext(session, deps, user, state, t)
    host: FormHost
    if state.flow == REGISTRATION.name and state.target_id is not None:
        innovation = await inno.get_owned(session, owner_id=user.id, innovation_id=state.target_id)
        if innovation is None or innovation.status not in inno.EDITABLE:
            await flow_states.remove(session, state)
            return None
        host = RegistrationHost(ctx, innovation)
    elif state.flow == ONBOARDING.name:
        host = OnboardingHost(ctx)
    else:
        await flow_states.remove(session, state)
        return None
    return FormEngine(host, state, t, today=ctx.today)


async def feed(session: AsyncSession, deps: Deps, user: User, incoming: Incoming) -> Outcome | None:
    """Hand an answer to the user's active flow; None when no flow is active."""
    state = await flow_states.get_active(session, user.id)
    if state is None:
        return None
    engine = await _engine(session, deps, user, state)
    if engine is None:
        return None
    outcome = await engine.handle(incoming)
    if not outcome.finished:
        state.updated_at = deps.clock.now()
    return outcome


async def current(session: AsyncSession, deps: Deps, user: User) -> tuple[str, list[Screen]]:
    """Return the active flow's name and its current prompt, or ("", [])."""
    state = await flow_states.get_active(session, user.id)
    if state is None:
        return "", []
    engine = await _engine(session, deps, user, state)
    if engine is None:
        return "", []
    return state.flow, await engine.show()


async def start_onboarding(session: AsyncSession, deps: Deps, user: User) -> list[Screen]:
    """Begin (or resume) onboarding."""
    state = await flow_states.activate(
        session,
        user_id=user.id,
        flow=ONBOARDING.name,
        target_id=None,
        first_step=ONBOARDING.steps[0].key,
        now=deps.clock.now(),
    )
    engine = await _engine(session, deps, user, state)
    assert engine is not None
    return await engine.show()


async def start_registration(session: AsyncSession, deps: Deps, user: User) -> list[Screen]:
    """Create a new draft and ask its first question."""
    innovation = await inno.create_draft(session, owner=user, now=deps.clock.now())
    return await resume_draft(session, deps, user, innovation.id) or []


async def resume_draft(
    session: AsyncSession, deps: Deps, user: User, innovation_id: int
) -> list[Screen] | None:
    """Continue a draft exactly where it stopped; None if it is not the user's editable draft."""
    innovation = await inno.get_owned(session, owner_id=user.id, innovation_id=innovation_id)
    if innovation is None or innovation.status not in inno.EDITABLE:
        return None
    state = await flow_states.activate(
        session,
        user_id=user.id,
        flow=REGISTRATION.name,
        target_id=innovation.id,
        first_step=REGISTRATION.steps[0].key,
        now=deps.clock.now(),
    )
    engine = await _engine(session, deps, user, state)
    return await engine.show() if engine else None


async def leave(session: AsyncSession, user: User) -> str:
    """Leave the active flow (its state stays for /draf); return the flow's name or ""."""
    state = await flow_states.get_active(session, user.id)
    if state is None:
        return ""
    state.active = False
    return state.flow
