"""Leaving the indicators or the proposal of a verified innovation: what the owner changed
waits for a verifier, who is told once per change (:mod:`models.services.document_checks`);
the verifier accepts it (a button) or asks for a fix with a comment (the flow here)."""

from __future__ import annotations

from bot import check_views, views
from bot.forms.engine import FormEngine, Outcome
from bot.forms.flows import HostContext, StateHost
from bot.forms.screens import Notice, Screen
from bot.forms.steps import Flow, Kind, Step
from bot.i18n import Raw
from models.services import document_checks, monev, notice_data, review
from models.tables import Innovation, Status


def note(ctx: HostContext, innovation: Innovation) -> str:
    """The summary's line for a verified innovation: changes are checked again."""
    return ctx.t("checks.flow_note") if innovation.status == Status.TERVERIFIKASI else ""


async def leave(ctx: HostContext, innovation: Innovation, saved: str) -> Outcome:
    """Leave the indicators or the proposal (``saved`` says all is kept), telling the
    reviewers of a verified innovation's changes they were not told of yet."""
    ctx.state.active = False
    told, notices = await tell_reviewers(ctx, innovation)
    text = "\n\n".join(filter(None, [saved, told]))
    return Outcome([Screen(text)], notices=notices, finished=True)


async def tell_reviewers(ctx: HostContext, innovation: Innovation) -> tuple[str, list[Notice]]:
    """Tell the unit's verifiers (or the admins) of changes they were not told of yet (from
    either flow); return the line that says who was told, and the notices."""
    if innovation.status != Status.TERVERIFIKASI or innovation.documents_changed_at is None:
        return "", []  # nothing waits
    waiting = await document_checks.waiting(ctx.session, innovation.id)
    latest, told = waiting.latest, innovation.documents_told_at
    if not waiting or latest is None or (told is not None and latest <= told):
        return "", []
    innovation.documents_told_at = latest
    recipients = await monev.notice_recipients(
        ctx.session, unit_id=innovation.unit_id, exclude=ctx.user.id
    )
    notices = check_views.change_notices(ctx.deps, innovation, ctx.user, waiting, recipients)
    return views.told(ctx.t, recipients, kept="checks.kept"), notices


# A reviewer asks the owner to fix what changed (the changes keep waiting), with a comment.
CHANGES_RETURN = Flow("chk", (Step("comment", Kind.TEXT, min_len=5, max_len=1500),), summary=False)


class ChangesReturnHost(StateHost):
    """Ask the owner to fix a verified innovation's changed indicators and sections: they
    are flagged (🚩 in the owner's flows) and the owner is told with the comment."""

    flow = CHANGES_RETURN

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Flag what changed and tell the owner, if it still waits for review."""
        ctx, t = self.ctx, self.ctx.t
        answers = await self.load()
        try:
            innovation, waiting = await review.changes_for_review(
                ctx.session, reviewer=ctx.user, innovation_id=ctx.state.target_id or 0
            )
        except review.NotAllowed:
            return await self._done(t("common.stale"))
        innovation.flagged_fields = waiting.flags()
        owner = await notice_data.owner_of(ctx.session, innovation)
        notices = check_views.returned_notices(
            ctx.deps, innovation, owner, waiting, str(answers["comment"])
        )
        told = views.owner_told(t, owner, notices)
        text = t("checks.returned_done", code=innovation.code or "", told=Raw(told))
        return await self._done(text, notices=notices)


async def changes_return_host(ctx: HostContext) -> ChangesReturnHost | None:
    """A reviewer's request to fix the changes of one innovation."""
    return ChangesReturnHost(ctx) if ctx.state.target_id is not None else None
