"""Evaluation campaigns: an admin's deadline for the innovations it concerns, listed, cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import dialect_insert
from models.iid import Estimate, IidRules
from models.policy import Period, Policy
from models.services.indicators import ANSWERS_BATCH, estimates_for
from models.services.innovations import EDITABLE, profile_completeness
from models.services.monev._common import INDICATORS, MonevError, _plan_owner_reminders
from models.services.monev.deadlines import close_deadline, still_needed
from models.tables import (
    Campaign,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Innovation,
    Status,
    User,
)

CAMPAIGN_SCOPES = ("incomplete", INDICATORS, "all")


async def _create_deadline(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    innovation_id: int,
    due: date,
    now: datetime,
    campaign_id: int | None = None,
    period: Period | None = None,
) -> int | None:
    """Insert a deadline unless its key exists; return the new id or None."""
    values = {
        "key": key,
        "kind": kind,
        "innovation_id": innovation_id,
        "campaign_id": campaign_id,
        "period_start": period.start if period else None,
        "period_end": period.end if period else None,
        "due_date": due,
        "original_due_date": due,
        "revision": 1,
        "status": DeadlineStatus.OPEN,
        "created_at": now,
    }
    stmt = (
        dialect_insert(session, Deadline)
        .values(values)
        .on_conflict_do_nothing()
        .returning(Deadline.__table__.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def campaign_concerns(innovation: Innovation, scope: str) -> bool:
    """Whether a campaign of ``scope`` concerns the innovation (drafts and incomplete profiles
    by default; ``all``: every innovation that is not stopped). ``indicators`` depends on the
    stored answers: :func:`missing_indicators` narrows what this lets through."""
    if innovation.status == Status.DIHENTIKAN:
        return False
    if scope in ("all", INDICATORS):
        return True
    return innovation.status in EDITABLE or not profile_completeness(innovation).complete


async def missing_indicators(
    session: AsyncSession, rules: IidRules, innovations: list[Innovation]
) -> list[Innovation]:
    """Return the innovations whose mandatory IID indicators are not all complete (a level
    and its evidence), estimated in batches."""
    out: list[Innovation] = []
    for start in range(0, len(innovations), ANSWERS_BATCH):
        chunk = innovations[start : start + ANSWERS_BATCH]
        estimates = await estimates_for(session, rules, chunk)
        out += [i for i in chunk if estimates[i.id].missing_mandatory]
    return out


async def settle_indicators(
    session: AsyncSession, innovation: Innovation, estimate: Estimate, *, now: datetime
) -> int:
    """Close, as met, the open indicator campaigns' deadlines of an innovation whose mandatory
    indicators are now complete (``estimate``: its answers as they are); return how many were
    closed."""
    rows = await session.scalars(
        select(Deadline)
        .join(Campaign, Campaign.id == Deadline.campaign_id)
        .where(
            Deadline.innovation_id == innovation.id,
            Deadline.status == DeadlineStatus.OPEN,
            Campaign.scope == INDICATORS,
        )
    )
    deadlines = list(rows)
    if not deadlines:
        return 0
    if estimate.missing_mandatory:
        return 0
    for deadline in deadlines:
        await close_deadline(session, deadline, status=DeadlineStatus.DONE, now=now)
    return len(deadlines)


async def create_campaign(
    session: AsyncSession,
    *,
    name: str,
    due_date: date,
    scope: str,
    actor: User,
    now: datetime,
    policy: Policy,
    rules: IidRules | None = None,
) -> tuple[Campaign, int]:
    """Set an evaluation deadline for the innovations it concerns; return it and how many.
    The ``indicators`` scope needs the IID ``rules``."""
    if scope not in CAMPAIGN_SCOPES or (scope == INDICATORS and rules is None):
        raise ValueError(scope)
    campaign = Campaign(
        name=name, due_date=due_date, scope=scope, created_by=actor.id, created_at=now
    )
    session.add(campaign)
    await session.flush()
    found = await session.execute(
        select(Innovation).where(Innovation.status != Status.DIHENTIKAN).order_by(Innovation.id)
    )
    innovations = [i for i in found.scalars() if campaign_concerns(i, scope)]
    if scope == INDICATORS and rules is not None:
        innovations = await missing_indicators(session, rules, innovations)
    count = 0
    for innovation in innovations:
        deadline_id = await _create_deadline(
            session,
            key=f"campaign:{campaign.id}:{innovation.id}",
            kind=DeadlineKind.CAMPAIGN,
            innovation_id=innovation.id,
            campaign_id=campaign.id,
            due=due_date,
            now=now,
        )
        if deadline_id is None:
            continue
        count += 1
        await _plan_owner_reminders(
            session,
            deadline_id=deadline_id,
            revision=1,
            due=due_date,
            owner_id=innovation.owner_id,
            policy=policy,
            now=now,
        )
    return campaign, count


@dataclass(frozen=True)
class CampaignSummary:
    """A campaign with how many innovations it concerns and how many have met it."""

    campaign: Campaign
    total: int
    done: int


async def list_campaigns(session: AsyncSession, *, since: date) -> list[CampaignSummary]:
    """Return the campaigns not cancelled and due on or after ``since``, soonest first."""
    campaigns = (
        await session.execute(
            select(Campaign)
            .where(Campaign.cancelled_at.is_(None), Campaign.due_date >= since)
            .order_by(Campaign.due_date, Campaign.id)
        )
    ).scalars()
    out = []
    for campaign in campaigns:
        deadlines = (
            (await session.execute(select(Deadline).where(Deadline.campaign_id == campaign.id)))
            .unique()
            .scalars()
        )
        total = done = 0
        for deadline in deadlines:
            if deadline.status == DeadlineStatus.CANCELLED:
                continue
            total += 1
            done += deadline.status == DeadlineStatus.DONE or not still_needed(deadline)
        out.append(CampaignSummary(campaign, total, done))
    return out


async def cancel_campaign(
    session: AsyncSession, *, campaign_id: int, actor: User, now: datetime
) -> Campaign:
    """Cancel a campaign: its deadlines close and their reminders stop."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None or campaign.cancelled_at is not None:
        raise MonevError("closed")
    campaign.cancelled_at = now
    campaign.cancelled_by = actor.id
    deadlines = await session.execute(
        select(Deadline).where(
            Deadline.campaign_id == campaign.id, Deadline.status == DeadlineStatus.OPEN
        )
    )
    for deadline in deadlines.unique().scalars():
        await close_deadline(session, deadline, status=DeadlineStatus.CANCELLED, now=now)
    await session.flush()
    return campaign


async def get_campaign(session: AsyncSession, campaign_id: int) -> Campaign | None:
    """Return one campaign."""
    return await session.get(Campaign, campaign_id)
