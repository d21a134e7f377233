"""/jadwal (/deadlines): upcoming deadlines; /tenggat: an admin's evaluation campaigns."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.deadline_views import deadline_line
from bot.deps import Deps
from bot.forms import runner
from bot.forms.monev import CAMPAIGN
from bot.forms.screens import Button, Outcome, Screen
from bot.i18n import Translator
from handlers.core import Routes, Turn, role_refusal, stale
from models.ids import parse_id
from models.services import monev
from models.tables import Deadline, Role, User

PREFIX = "tg:"
MAX_SHOWN = 20
CAMPAIGNS_SINCE = timedelta(days=30)


def _lines(
    t: Translator,
    deadlines: list[Deadline],
    deps: Deps,
    *,
    owners: bool,
    unit_id: int | None = None,
) -> list[str]:
    """Return one line per deadline; with ``owners``, who owes it (and the unit, when it is
    one below ``unit_id``)."""
    today = deps.today()
    lines = []
    for deadline in deadlines[:MAX_SHOWN]:
        line = deadline_line(t, deadline, today=today)
        if owners:
            innovation = deadline.innovation
            owner = innovation.owner.name or "-"
            if innovation.unit is not None and innovation.unit_id != unit_id:
                line += "\n" + t("jadwal.owner_unit", owner=owner, unit=innovation.unit.name)
            else:
                line += "\n" + t("jadwal.owner", owner=owner)
        lines.append(line)
    if len(deadlines) > MAX_SHOWN:
        lines.append(t("jadwal.more", count=len(deadlines) - MAX_SHOWN))
    return lines


async def schedule_screen(session: AsyncSession, deps: Deps, t: Translator, user: User) -> Screen:
    """Return the user's deadlines; a verifikator's unit's (with the units below it); an
    admin's overdue count per unit."""
    parts: list[str] = []
    if user.role == Role.ADMIN:
        today = deps.today()
        overdue = await monev.overdue_by_unit(session, today=today)
        if overdue:
            rows = [
                t("jadwal.unit_overdue", unit=name or t.plain("jadwal.no_unit"), count=count)
                for name, count in overdue
            ]
            parts.append("\n".join([t("jadwal.admin_title"), *rows]))
        else:
            parts.append(t("jadwal.admin_none"))
    if user.role == Role.VERIFIKATOR and user.unit_id is not None:
        unit_deadlines = await monev.open_deadlines(session, unit_id=user.unit_id)
        unit_name = user.unit.name if user.unit else ""
        if unit_deadlines:
            lines = _lines(t, unit_deadlines, deps, owners=True, unit_id=user.unit_id)
            parts.append("\n\n".join([t("jadwal.unit_title", unit=unit_name), *lines]))
        else:
            parts.append(t("jadwal.unit_none", unit=unit_name))
    own = await monev.open_deadlines(session, owner_id=user.id)
    if own:
        parts.append("\n\n".join([t("jadwal.title"), *_lines(t, own, deps, owners=False)]))
    elif user.role == Role.PENGUSUL:
        parts.append(t("jadwal.none"))
    return Screen("\n\n".join(parts))


async def deadlines(turn: Turn) -> Outcome:
    """Show upcoming deadlines, soonest first, with the days left."""
    screens = await turn.gate()
    if screens is None:
        screens = [await schedule_screen(turn.session, turn.deps, turn.t, turn.user)]
    return Outcome(screens)


async def campaigns_screen(session: AsyncSession, deps: Deps, t: Translator) -> Screen:
    """Return the campaigns still running, each with a cancel button, and "new"."""
    today = deps.today()
    summaries = await monev.list_campaigns(session, since=today - CAMPAIGNS_SINCE)
    lines = [t("tgt.list_title")]
    rows: list[list[Button]] = []
    for item in summaries:
        campaign = item.campaign
        lines.append(
            t(
                "tgt.list_item",
                name=campaign.name,
                date=t.date(campaign.due_date),
                total=item.total,
                done=item.done,
            )
        )
        label = t.plain("tgt.cancel_button", name=campaign.name)
        rows.append([Button(label, f"{PREFIX}c:{campaign.id}")])
    if not summaries:
        lines.append(t("tgt.list_none"))
    rows.append([Button(t.plain("tgt.new_button"), f"{PREFIX}new")])
    return Screen("\n".join(lines), rows)


async def campaigns(turn: Turn) -> Outcome:
    """List the evaluation campaigns (admins only)."""
    screens = await turn.gate(Role.ADMIN)
    if screens is None:
        screens = [await campaigns_screen(turn.session, turn.deps, turn.t)]
    return Outcome(screens)


async def on_button(turn: Turn) -> Outcome:
    """Handle the campaign list's buttons."""
    action, _, raw = turn.payload.removeprefix(PREFIX).partition(":")
    session, user, t, deps = turn.session, turn.user, turn.t, turn.deps
    refusal = role_refusal(user, Role.ADMIN, t=t)
    if refusal is not None:
        return Outcome(refusal)
    if action == "new":
        return Outcome(await runner.begin(session, deps, user, CAMPAIGN))
    campaign_id = parse_id(raw)  # a bad one falls through to "no longer valid"
    if action == "c" and campaign_id is not None:
        campaign = await monev.get_campaign(session, campaign_id)
        if campaign is None or campaign.cancelled_at is not None:
            return stale(turn)
        text = t("tgt.cancel_confirm", name=campaign.name, date=t.date(campaign.due_date))
        buttons = [
            Button(t.plain("tgt.cancel_yes"), f"{PREFIX}cy:{campaign.id}"),
            Button(t.plain("tgt.cancel_no"), f"{PREFIX}cn:"),
        ]
        return Outcome([Screen(text, [buttons], edit=True)])
    if action == "cy" and campaign_id is not None:
        try:
            campaign = await monev.cancel_campaign(
                session, campaign_id=campaign_id, actor=user, now=deps.clock.now()
            )
        except monev.MonevError:
            return stale(turn)
        done = Screen(t("tgt.cancelled", name=campaign.name), edit=True)
        return Outcome([done, await campaigns_screen(session, deps, t)])
    if action == "cn":
        screen = await campaigns_screen(session, deps, t)
        screen.edit = True
        return Outcome([screen])
    return stale(turn)


ROUTES = Routes(
    commands={"jadwal": deadlines, "deadlines": deadlines, "tenggat": campaigns},
    buttons={PREFIX: on_button},
)
