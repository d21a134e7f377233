"""Start, resume and feed flows: the channel-independent half of every conversation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.deps import Deps
from bot.forms.changes import CHANGES_RETURN, changes_return_host
from bot.forms.definitions import (
    INVITE,
    ONBOARDING,
    REGISTRATION,
    REVIEW_RETURN,
    REVIEW_STOP,
    USER_ROLE,
)
from bot.forms.engine import Flow, FormEngine, FormHost, Incoming, Outcome, Screen
from bot.forms.flows import HostContext, OnboardingHost, RegistrationHost
from bot.forms.indicators import FLOW_NAME as IID_FLOW
from bot.forms.indicators import indicator_host
from bot.forms.monev import CAMPAIGN, MONEV, campaign_host, monev_host
from bot.forms.profile import PROFILE, profile_host
from bot.forms.proposal import FLOW_NAME as KIPP_FLOW
from bot.forms.proposal import proposal_host
from bot.forms.replication import REPLICATION, replication_host
from bot.forms.revision import REVISION, REVISION_DECISION, decision_host, revision_host
from bot.forms.staff import InviteHost, ReturnHost, StopHost, UserRoleHost
from models.services import flows as flow_states
from models.services import innovations as inno
from models.tables import FlowState, Innovation, Status, User

HostFactory = Callable[[HostContext], Awaitable[FormHost | None]]


async def _registration_host(ctx: HostContext) -> FormHost | None:
    if ctx.state.target_id is None:  # a new registration: the draft comes with the 1st answer
        return RegistrationHost(ctx, None)
    innovation = await inno.get_owned(
        ctx.session, owner=ctx.user, innovation_id=ctx.state.target_id
    )
    if innovation is None or innovation.status not in inno.EDITABLE:
        return None
    return RegistrationHost(ctx, innovation)


async def _onboarding_host(ctx: HostContext) -> FormHost | None:
    return OnboardingHost(ctx)


# Every flow the bot runs: its name (FlowState.flow) -> how to build its host.
async def _innovation_review_host(ctx: HostContext) -> FormHost | None:
    host = ReturnHost(ctx) if ctx.state.flow == REVIEW_RETURN.name else StopHost(ctx)
    return host if ctx.state.target_id is not None else None


async def _invite_host(ctx: HostContext) -> FormHost | None:
    return InviteHost(ctx)


async def _user_role_host(ctx: HostContext) -> FormHost | None:
    return UserRoleHost(ctx) if ctx.state.target_id is not None else None


HOSTS: dict[str, HostFactory] = {
    CHANGES_RETURN.name: changes_return_host,
    REGISTRATION.name: _registration_host,
    ONBOARDING.name: _onboarding_host,
    REVIEW_RETURN.name: _innovation_review_host,
    REVIEW_STOP.name: _innovation_review_host,
    INVITE.name: _invite_host,
    USER_ROLE.name: _user_role_host,
    MONEV.name: monev_host,
    CAMPAIGN.name: campaign_host,
    PROFILE.name: profile_host,
    REVISION.name: revision_host,
    REVISION_DECISION.name: decision_host,
    IID_FLOW: indicator_host,
    KIPP_FLOW: proposal_host,
    REPLICATION.name: replication_host,
}


async def _engine(
    session: AsyncSession, deps: Deps, user: User, state: FlowState
) -> FormEngine | None:
    t = deps.translator(user.language)
    ctx = HostContext(session, deps, user, state, t)
    factory = HOSTS.get(state.flow)
    host = await factory(ctx) if factory else None
    if host is None:
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


async def begin(
    session: AsyncSession,
    deps: Deps,
    user: User,
    flow: Flow,
    *,
    target_id: int | None = None,
    data: dict[str, Any] | None = None,
    mode: str = "form",
) -> list[Screen]:
    """Make ``flow`` (on ``target_id``) the user's active flow and show where it stands."""
    state = await flow_states.activate(
        session,
        user_id=user.id,
        flow=flow.name,
        target_id=target_id,
        first_step=flow.steps[0].key,
        now=deps.clock.now(),
        data=data,
        mode=mode,
    )
    engine = await _engine(session, deps, user, state)
    return await engine.show() if engine else []


async def start_onboarding(session: AsyncSession, deps: Deps, user: User) -> list[Screen]:
    """Begin (or resume) onboarding."""
    return await begin(session, deps, user, ONBOARDING)


async def start_registration(session: AsyncSession, deps: Deps, user: User) -> list[Screen]:
    """Ask the first question of a new registration (its draft is made by the answer)."""
    return await begin(session, deps, user, REGISTRATION, target_id=None)


async def open_registration(session: AsyncSession, user: User) -> Innovation | None:
    """Return the draft of the user's active registration, if it has one by now."""
    state = await flow_states.get_active(session, user.id)
    if state is None or state.flow != REGISTRATION.name or state.target_id is None:
        return None
    innovation = await inno.get_owned(session, owner=user, innovation_id=state.target_id)
    return innovation if innovation is not None and innovation.status in inno.EDITABLE else None


async def resume_draft(
    session: AsyncSession, deps: Deps, user: User, innovation_id: int
) -> list[Screen] | None:
    """Continue a draft exactly where it stopped; None if it is not the user's editable draft."""
    innovation = await inno.get_owned(session, owner=user, innovation_id=innovation_id)
    if innovation is None or innovation.status not in inno.EDITABLE:
        return None
    # a returned or withdrawn innovation (it has a code) opens at its summary card
    mode = "summary" if innovation.status == Status.DIKEMBALIKAN or innovation.code else "form"
    return await begin(session, deps, user, REGISTRATION, target_id=innovation.id, mode=mode)


async def leave(session: AsyncSession, user: User) -> str:
    """Leave the active flow (its state stays for /draf); return the flow's name or ""."""
    state = await flow_states.get_active(session, user.id)
    if state is None:
        return ""
    state.active = False
    return state.flow
