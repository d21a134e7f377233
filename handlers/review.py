"""/antrian and the review decisions: verify, return with comments, stop."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import check_views, views
from bot.forms import runner
from bot.forms.changes import CHANGES_RETURN
from bot.forms.definitions import REVIEW_RETURN, REVIEW_STOP
from bot.forms.indicators import total_lines
from bot.forms.screens import Outcome, Screen
from bot.i18n import Raw, Translator
from handlers.core import Routes, Turn, stale
from models.ids import MAX_INT64, MAX_ROW_ID, parse_id
from models.services import indicators as answers_service
from models.services import monev, notice_data, review
from models.tables import Innovation, Role, Status, User

PER_PAGE = 10
REVIEWERS = (Role.VERIFIKATOR, Role.ADMIN)


async def queue_screen(session: AsyncSession, t: Translator, user: User, page: int) -> Screen:
    """Return one page of the review queue, oldest first (only for reviewers)."""
    if user.role not in REVIEWERS:
        return Screen(t("common.reviewer_only"))
    result = await review.queue(session, reviewer=user, page=page, per_page=PER_PAGE)
    if not result.total:
        return Screen(t("review.queue_empty"))
    verified = [i.id for i in result.items if i.status == Status.TERVERIFIKASI]
    revised = await review.revisions_waiting(session, verified)
    items = [(_queue_label(t, i, i.id in revised), f"st:{i.id}") for i in result.items]
    title = t("review.queue_title", total=result.total)
    return views.paged_list(t, title, items, page=result.page, pages=result.pages, list_key="queue")


def _queue_label(t: Translator, innovation: Innovation, revised: bool) -> str:
    """A submission, or a verified innovation whose revision or changed indicators and
    proposal wait (its card opens them)."""
    if innovation.status == Status.TERVERIFIKASI:
        name = innovation.nama_inovasi or t.plain("reg.untitled")
        key = "review.queue_revision" if revised else "checks.queue_label"
        return t.plain(key, code=innovation.code or "", name=name)
    return views.item_label(t, innovation)


async def queue(turn: Turn) -> Outcome:
    """Show the review queue (verifikator: the unit's; admin: all)."""
    screens = await turn.gate(*REVIEWERS)
    if screens is None:
        screens = [await queue_screen(turn.session, turn.t, turn.user, 0)]
    return Outcome(screens)


async def decide(turn: Turn) -> Outcome:
    """Ask to confirm a verification (naming what IID still misses), verify once confirmed,
    or start the return / stop flow that asks for the words; accept what the owner changed in
    a verified innovation's indicators and proposal.

    ``rv:v:<id>`` asks, ``rv:vy:<id>:<submission>`` verifies that submission (a confirmation
    asked for an earlier one is stale), ``rv:b:<id>`` cancels, ``rv:k`` / ``rv:h`` return /
    stop, ``rv:dv:<id>:<seen>`` accepts the changes made up to when the card was shown,
    ``rv:dk:<id>`` asks the owner to fix them."""
    action, _, rest = turn.payload.removeprefix("rv:").partition(":")
    raw_id, _, raw_version = rest.partition(":")
    innovation_id = parse_id(raw_id)
    numbered = action in ("vy", check_views.ACCEPT)
    version = None
    if numbered:  # a submission's event id, or when a card was shown (microseconds)
        seen = action == check_views.ACCEPT  # microseconds, not a row id
        version = parse_id(raw_version, maximum=MAX_INT64 if seen else MAX_ROW_ID)
    session, user = turn.session, turn.user
    try:
        if innovation_id is None or numbered != (version is not None):
            raise review.NotAllowed
        if action == check_views.ACCEPT and version is not None:
            return await _accept_changes(turn, innovation_id, version)
        if action == check_views.RETURN:
            return await _return_changes(turn, innovation_id)
        if action == "v":
            check = await review.check_before_verifying(
                session, reviewer=user, innovation_id=innovation_id
            )
            screen = views.verify_confirmation(turn.t, check)
            result = await answers_service.estimate_for(session, turn.deps.iid, check.innovation)
            lines = [turn.t("iid.confirm_title"), *total_lines(turn.t, turn.deps.iid, result)]
            screen.text += "\n\n" + "\n".join(lines)
            return Outcome([screen])
        innovation = await review.lock_for_review(
            session, reviewer=user, innovation_id=innovation_id, version=version
        )
        return await _decision(turn, action, innovation)
    except review.NotAllowed:
        return stale(turn)


async def _accept_changes(turn: Turn, innovation_id: int, seen: int) -> Outcome:
    session, t, deps = turn.session, turn.t, turn.deps
    shown = check_views.seen_time(seen)
    if shown is None:
        return stale(turn)
    innovation, count = await review.accept_changes(
        session, reviewer=turn.user, innovation_id=innovation_id, seen=shown, now=deps.clock.now()
    )
    owner = await notice_data.owner_of(session, innovation)
    notices = check_views.accepted_notices(deps, innovation, owner)
    told = views.owner_told(t, owner, notices)
    text = t("checks.accepted", code=innovation.code or "", count=count, told=Raw(told))
    return Outcome([Screen(text, edit=True)], notices=notices)


async def _return_changes(turn: Turn, innovation_id: int) -> Outcome:
    """Start the comment a request to fix the changes carries."""
    session, t = turn.session, turn.t
    innovation, waiting = await review.changes_for_review(
        session, reviewer=turn.user, innovation_id=innovation_id
    )
    names = check_views.names(t, turn.deps.iid, waiting)
    intro = Screen(t("checks.return_intro", code=innovation.code or "", names=names))
    prompt = await runner.begin(
        session, turn.deps, turn.user, CHANGES_RETURN, target_id=innovation_id
    )
    return Outcome([intro, *prompt])


async def _decision(turn: Turn, action: str, innovation: Innovation) -> Outcome:
    session, t, deps = turn.session, turn.t, turn.deps
    code = innovation.code or ""
    if action == "vy":
        now = deps.clock.now()
        await review.verify(session, innovation, reviewer=turn.user, now=now)
        await monev.open_monev_periods(session, innovation, now=now, policy=deps.policy)
        decided = await notice_data.decided(session, innovation)
        notices = views.decision_notices(deps, innovation, decided)
        text = t("review.verified_done", code=code) + " "
        text += views.owner_told(t, decided.owner, notices)
        return Outcome([Screen(text, edit=True)], notices=notices)
    if action == "b":
        return Outcome([Screen(t("review.verify_cancelled", code=code), edit=True)])
    if action in ("k", "h"):
        flow = REVIEW_RETURN if action == "k" else REVIEW_STOP
        intro = Screen(t(f"review.{flow.name}_intro", code=code))
        prompt = await runner.begin(session, deps, turn.user, flow, target_id=innovation.id)
        return Outcome([intro, *prompt])
    return stale(turn)


ROUTES = Routes(commands={"antrian": queue, "queue": queue}, buttons={"rv:": decide})
