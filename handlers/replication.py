"""The near-duplicate warning's choices, and 🔁 Replikasi on a card.

``dup:d:<draft>``: a different innovation, go on; ``dup:r:<draft>:<other>``: the draft
replicates the other (recorded at once, and the other's owner told at once);
``dup:m:<draft>:<other>``: the other is mine (the owner's own draft resumes; any other
innovation shows its card and the draft stays). Nothing typed is lost: the registration
continues where it was. ``rpl:<id>``: the owner records what the innovation replicates.
"""

from __future__ import annotations

from bot import replication_views as rv
from bot import views
from bot.forms import runner
from bot.forms.replication import REPLICATION
from bot.forms.screens import Button, Outcome, Screen
from handlers.core import Routes, Turn, stale
from handlers.status import card
from models.ids import parse_id
from models.services import cards, replications, review
from models.services import innovations as inno
from models.services.replications import Side
from models.tables import Innovation


async def _go_on(turn: Turn, draft: Innovation) -> list[Screen]:
    """Return where the draft's registration stands, if it is the active flow."""
    active = await runner.open_registration(turn.session, turn.user)
    if active is not None and active.id == draft.id:
        return (await runner.current(turn.session, turn.deps, turn.user))[1]
    button = Button(turn.t.plain("card.continue"), f"draft:{draft.id}")
    return [Screen(turn.t("dup.later"), [[button]])]


async def _replica(turn: Turn, draft: Innovation, other: Innovation) -> Outcome:
    t = turn.t
    if not rv.replicable(other) or other.id == draft.id:
        return stale(turn)
    try:
        await replications.record(
            turn.session, original=Side.internal(other), replica=Side.internal(draft),
            by=turn.user.id, now=turn.deps.clock.now(),
        )  # fmt: skip
    except replications.NotRecorded:
        return Outcome([Screen(t("dup.replica_twice")), *await _go_on(turn, draft)])
    notices = rv.original_told(turn.deps, other, draft, by=turn.user)
    text = t("dup.replica_done", code=other.code or "", name=other.nama_inovasi or "")
    told = rv.told_line(t, notices, other, turn.user)
    screens = [Screen(f"{text} {told}".strip(), edit=True), *await _go_on(turn, draft)]
    return Outcome(screens, notices=notices)


async def _mine(turn: Turn, draft: Innovation, other: Innovation) -> Outcome:
    t, session, deps, user = turn.t, turn.session, turn.deps, turn.user
    if other.owner_id == user.id and other.status in inno.EDITABLE:
        resumed = await runner.resume_draft(session, deps, user, other.id)
        if resumed is not None:
            name = other.nama_inovasi or t.plain("reg.untitled")
            return Outcome([Screen(t("dup.opened", name=name), edit=True), *resumed])
    if other.owner_id == user.id:
        own = [await card(session, deps, user, other), Screen(t("dup.own_card"))]
        return Outcome([*own, *await _go_on(turn, draft)])
    if not rv.replicable(other):  # another's draft: never shown
        return stale(turn)
    text = t(
        "dup.not_yours",
        code=other.code or "",
        name=other.nama_inovasi or "",
        owner=other.owner.name or "-",
        unit=rv.unit_name(t, other),
    )
    screens = [Screen(text)]
    if await review.find_visible(session, user=user, innovation_id=other.id) is not None:
        data = await cards.load(
            session, deps.master, other, viewer=user, sources=views.label_sources()
        )
        # the card alone (its buttons are not theirs), only to whom /status shows it
        screens.insert(0, Screen(views.status_card(t, deps, data)))
    return Outcome([*screens, *await _go_on(turn, draft)])


async def on_duplicate(turn: Turn) -> Outcome:
    """Answer one of the near-duplicate warning's choices."""
    action, _, rest = turn.payload.removeprefix(rv.DUPLICATE_PREFIX).partition(":")
    raw_draft, _, raw_other = rest.partition(":")
    draft_id, other_id = parse_id(raw_draft), parse_id(raw_other)
    screens = await turn.gate()
    if screens is not None:
        return Outcome(screens)
    draft = None
    if draft_id is not None:
        draft = await inno.get_owned(turn.session, owner=turn.user, innovation_id=draft_id)
    if draft is None or draft.status not in inno.EDITABLE:
        return stale(turn)
    if action == "d" and not raw_other:
        return Outcome(
            [Screen(turn.t("dup.different_done"), edit=True), *await _go_on(turn, draft)]
        )
    other = await turn.session.get(Innovation, other_id) if other_id is not None else None
    if other is None or other.id == draft.id:
        return stale(turn)
    if action == "r":
        return await _replica(turn, draft, other)
    if action == "m":
        return await _mine(turn, draft, other)
    return stale(turn)


async def on_replicate(turn: Turn) -> Outcome:
    """🔁 Replikasi on the owner's card: record what the innovation replicates."""
    innovation_id = parse_id(turn.payload.removeprefix(rv.REPLICATE_PREFIX))
    screens = await turn.gate()
    if screens is not None:
        return Outcome(screens)
    innovation = None
    if innovation_id is not None:
        innovation = await inno.get_owned(
            turn.session, owner=turn.user, innovation_id=innovation_id
        )
    if innovation is None:
        return stale(turn)
    name = innovation.nama_inovasi or turn.t.plain("reg.untitled")
    intro = Screen(turn.t("repl.started", name=name))
    prompt = await runner.begin(
        turn.session, turn.deps, turn.user, REPLICATION, target_id=innovation.id
    )
    return Outcome([intro, *prompt])


ROUTES = Routes(buttons={rv.DUPLICATE_PREFIX: on_duplicate, rv.REPLICATE_PREFIX: on_replicate})
