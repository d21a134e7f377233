"""Leaving the indicators or the proposal of a verified innovation: what the owner changed
waits for a verifier, who is told once per change (:mod:`models.services.document_checks`)."""

from __future__ import annotations

from bot import check_views, views
from bot.forms.flows import HostContext
from bot.forms.screens import Notice
from models.services import document_checks, monev
from models.tables import Innovation, Status

TOLD = "changes_told"  # in the flow's state: the latest change the reviewers were told of


def note(ctx: HostContext, innovation: Innovation) -> str:
    """The summary's line for a verified innovation: changes are checked again."""
    return ctx.t("checks.flow_note") if innovation.status == Status.TERVERIFIKASI else ""


async def tell_reviewers(ctx: HostContext, innovation: Innovation) -> tuple[str, list[Notice]]:
    """Tell the unit's verifiers (or the admins) of changes they were not told of yet; return
    the line that says who was told, and the notices."""
    if innovation.status != Status.TERVERIFIKASI:
        return "", []
    waiting = await document_checks.waiting(ctx.session, innovation.id)
    told = ctx.state.data.get(TOLD)
    if not waiting or waiting.latest is None or (told and waiting.latest.isoformat() <= told):
        return "", []
    ctx.state.data = {**ctx.state.data, TOLD: waiting.latest.isoformat()}
    recipients = await monev.notice_recipients(
        ctx.session, unit_id=innovation.unit_id, exclude=ctx.user.id
    )
    notices = check_views.change_notices(ctx.deps, innovation, ctx.user, waiting, recipients)
    return views.told(ctx.t, recipients, kept="checks.kept"), notices
