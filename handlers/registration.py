"""/baru, /draf and /batal: start, resume and leave the registration flow."""

from __future__ import annotations

from datetime import tzinfo

from bot.deadline_views import RESUME_DRAFT
from bot.forms import runner
from bot.forms.definitions import ONBOARDING, REGISTRATION
from bot.forms.monev import MONEV
from bot.forms.screens import Button, Outcome, Screen
from bot.i18n import Translator
from handlers.core import Routes, Turn
from models.ids import parse_id
from models.services import flows as flow_states
from models.services import innovations as inno
from models.services.files import discard_after_commit
from models.tables import Innovation

DRAFT_PREFIX = RESUME_DRAFT
# what /batal says, by the flow it leaves (others keep nothing to come back to)
CANCELLED = {
    REGISTRATION.name: "common.cancelled",
    MONEV.name: "common.cancelled_monev",
    ONBOARDING.name: "common.not_onboarded",
}
MAX_DRAFTS_SHOWN = 30


async def new(turn: Turn) -> Outcome:
    """Ask the first question of a new registration; in the middle of one, ask whether to
    continue it or start another."""
    screens = await turn.gate()
    if screens is None:
        t = turn.t
        open_draft = await runner.open_registration(turn.session, turn.user)
        if open_draft is not None:
            screens = [_continue_or_another(t, open_draft)]
        else:
            prompt = await runner.start_registration(turn.session, turn.deps, turn.user)
            screens = [Screen(t("reg.started")), *prompt]
    return Outcome(screens)


def _draft_name(t: Translator, innovation: Innovation) -> str:
    return (innovation.code + " " if innovation.code else "") + (
        innovation.nama_inovasi or t.plain("reg.untitled")
    )


def _continue_or_another(t: Translator, innovation: Innovation) -> Screen:
    name = _draft_name(t, innovation)
    buttons = [
        [Button(t.plain("reg.continue_draft", name=name), f"{DRAFT_PREFIX}{innovation.id}")],
        [Button(t.plain("reg.start_another"), f"{DRAFT_PREFIX}new")],
    ]
    return Screen(t("reg.open_draft_question", name=name), buttons)


async def drafts(turn: Turn) -> Outcome:
    """List the user's drafts as buttons, each with a delete button if never submitted."""
    screens = await turn.gate()
    if screens is None:
        items = await inno.list_drafts(turn.session, owner_id=turn.user.id)
        screens = [_drafts_screen(turn.t, items[:MAX_DRAFTS_SHOWN], turn.deps.policy.zone)]
    return Outcome(screens)


def _drafts_screen(t: Translator, items: list[Innovation], zone: tzinfo) -> Screen:
    rows = []
    for i in items:
        label = t.plain(
            "reg.draft_button",
            name=_draft_name(t, i),
            updated=t.date(i.updated_at.astimezone(zone).date()),
        )
        row = [Button(label, f"{DRAFT_PREFIX}{i.id}")]
        if inno.deletable(i):
            row.append(Button(t.plain("reg.draft_delete_button"), f"{DRAFT_PREFIX}del:{i.id}"))
        rows.append(row)
    return Screen(t("reg.drafts_title") if rows else t("reg.drafts_none"), rows)


async def open_draft(turn: Turn) -> Outcome:
    """Resume the chosen draft where it stopped, start another one, or delete one."""
    action, _, raw = turn.payload.removeprefix(DRAFT_PREFIX).rpartition(":")
    draft_id = parse_id(raw)
    t = turn.t
    screens = await turn.gate()
    if screens is not None:
        return Outcome(screens)
    if not action and raw == "new":
        prompt = await runner.start_registration(turn.session, turn.deps, turn.user)
        return Outcome([Screen(t("reg.started")), *prompt])
    found = None
    if draft_id is not None and action in ("del", "dely"):
        found = await _delete(turn, draft_id, confirmed=action == "dely")
    elif draft_id is not None and not action:
        found = await runner.resume_draft(turn.session, turn.deps, turn.user, draft_id)
    if found is None:
        key = "common.stale" if draft_id is None else "reg.draft_not_found"
        return Outcome(notice=t(key))
    return Outcome(found)


async def _delete(turn: Turn, draft_id: int, *, confirmed: bool) -> list[Screen] | None:
    """Ask to confirm, then delete a never-submitted draft and its files."""
    t, session = turn.t, turn.session
    draft = await inno.get_owned(session, owner=turn.user, innovation_id=draft_id)
    if draft is None or not inno.deletable(draft):
        return None
    name = _draft_name(t, draft)
    if not confirmed:
        buttons = [
            [
                Button(t.plain("reg.delete_yes"), f"{DRAFT_PREFIX}dely:{draft.id}"),
                Button(t.plain("reg.delete_no"), "noop"),
            ]
        ]
        return [Screen(t("reg.draft_delete_confirm", name=name), buttons)]
    paths = await inno.delete_draft(session, draft)
    await flow_states.remove_for_target(session, flow=REGISTRATION.name, target_id=draft_id)
    discard_after_commit(session, turn.deps.files_dir, paths)
    left = await inno.list_drafts(session, owner_id=turn.user.id)
    return [
        Screen(t("reg.draft_deleted", name=name)),
        _drafts_screen(t, left[:MAX_DRAFTS_SHOWN], turn.deps.policy.zone),
    ]


async def cancel(turn: Turn) -> Outcome:
    """Leave the current flow; the draft stays."""
    flow = await runner.leave(turn.session, turn.user)
    key = CANCELLED.get(flow, "common.cancelled_other") if flow else "common.nothing_to_cancel"
    return Outcome([Screen(turn.t(key))])


ROUTES = Routes(
    commands={
        "baru": new,
        "new": new,
        "draf": drafts,
        "drafts": drafts,
        "batal": cancel,
        "cancel": cancel,
    },
    buttons={DRAFT_PREFIX: open_draft},
)
