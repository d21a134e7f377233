"""Changing what was sent: 🔄 Perbarui a verified innovation (a revision, reviewed again) and
↩️ Tarik kembali a submission nobody has reviewed yet.

Payloads (buttons on the status card, the confirmations, the notices):
``rs:n:<innovation>`` asks to start a revision, ``rs:ny:<innovation>:<revisions so far>`` starts
it, ``rs:x`` keeps things as they are, ``rs:e:<innovation>`` continues the revision in
progress; a reviewer's ``rs:o:<revision>`` opens it, ``rs:a|k|t:<revision>:<round>`` accepts,
returns or rejects that submission of it. ``wd:a:<innovation>`` asks to withdraw,
``wd:y:<innovation>:<submission>`` withdraws that submission, ``wd:n`` keeps it, ``wd:e`` opens
the withdrawn draft's summary. A button whose state has passed only says it is stale.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot import revision_views as rv
from bot import views
from bot.forms import runner
from bot.forms.definitions import REGISTRATION
from bot.forms.revision import REJECT, RETURN, REVISION, begin_decision
from bot.forms.screens import Outcome, Screen
from bot.i18n import Raw
from handlers.core import Routes, Turn, stale
from models.ids import parse_id
from models.services import flows as flow_states
from models.services import innovations as inno
from models.services import monev, notice_data, units
from models.services import revisions as rev
from models.services.files import discard_after_commit
from models.tables import Status


class Stale(Exception):
    """The button no longer applies."""


def _ids(data: str, prefix: str) -> tuple[str, int, int | None]:
    """Split ``<prefix><action>:<id>[:<n>]``; raise Stale for anything malformed."""
    action, _, rest = data.removeprefix(prefix).partition(":")
    raw_id, _, raw_n = rest.partition(":")
    target = parse_id(raw_id)
    number = parse_id(raw_n) if raw_n else None
    if target is None or (raw_n and number is None):
        raise Stale
    return action, target, number


# (turn, action, target id, number) -> what to answer
Action = Callable[[Turn, str, int, int | None], Awaitable[Outcome]]


async def _button(turn: Turn, prefix: str, act: Action) -> Outcome:
    """Run one button of this module; a button whose state has passed only says it is
    stale."""
    gate = await turn.gate()
    if gate is not None:
        return Outcome(gate)
    try:
        action, target, number = _ids(turn.payload, prefix)
        return await act(turn, action, target, number)
    except (Stale, rev.NotAllowed, inno.NotEditable):
        return stale(turn)


async def revision_button(turn: Turn) -> Outcome:
    """Start, continue or decide on a revision."""
    return await _button(turn, rv.REVISION_PREFIX, _revision_action)


async def _revision_action(turn: Turn, action: str, target: int, number: int | None) -> Outcome:
    session, deps, user, t = turn.session, turn.deps, turn.user, turn.t
    if action in ("n", "ny", "x", "e"):
        innovation = await inno.lock_owned(session, owner=user, innovation_id=target)
        if innovation is None or innovation.status != Status.TERVERIFIKASI:
            raise Stale
        current = await rev.open_of(session, innovation.id)
        if action == "x":
            return Outcome([Screen(t("rvs.start_kept"), edit=True)])
        if current is None and action == "n":
            count = await rev.count_of(session, innovation.id)
            return Outcome([rv.start_confirmation(t, innovation, count)])
        if current is None and action == "ny" and number is not None:
            # a new revision starts from the verified profile, not from an old form state
            await flow_states.remove_for_target(session, flow=REVISION.name, target_id=target)
            current = await rev.start(
                session, innovation, author=user, seen=number, now=deps.clock.now()
            )
            intro = Screen(t("rvs.started", title=Raw(rv.title(t, current, innovation))))
            prompt = await runner.begin(
                session, deps, user, REVISION, target_id=innovation.id, mode="summary"
            )
            return Outcome([intro, *prompt])
        if current is None or current.status not in rev.EDITABLE:
            raise Stale
        prompt = await runner.begin(
            session, deps, user, REVISION, target_id=innovation.id, mode="summary"
        )
        return Outcome(prompt)
    if action not in ("o", "a", "k", "t") or (action != "o" and number is None):
        raise Stale
    revision, innovation = await rev.lock_for_review(
        session, reviewer=user, revision_id=target, round_=number if action != "o" else None
    )
    if action == "o":
        changes = rev.changes_of(revision, innovation)
        author = await notice_data.revised(
            session, deps.master, revision.author_id, views.label_sources(changes), [t.lang]
        )
        return Outcome([rv.review_screen(t, deps, revision, innovation, changes, author)])
    if action == "a":
        try:
            _, dropped = await rev.accept(
                session, revision, innovation, reviewer=user, now=deps.clock.now()
            )
        except rev.OutsideScope as exc:
            unit = await units.get(session, exc.unit_id)
            return Outcome([Screen(t("rvs.outside_scope", unit=unit.name if unit else "-"))])
        discard_after_commit(session, deps.files_dir, dropped)
        owner = await notice_data.owner_of(session, innovation)
        notices = rv.owner_notices(deps, revision, innovation, owner)
        text = t("rvs.diterima_done", title=Raw(rv.title(t, revision, innovation)))
        text += " " + views.owner_told(t, owner, notices)
        return Outcome([Screen(text, edit=True)], notices=notices)
    decision = RETURN if action == "k" else REJECT
    intro = Screen(t(f"rvs.{decision}_intro", title=Raw(rv.title(t, revision, innovation))))
    prompt = await begin_decision(session, deps, user, revision, decision)
    return Outcome([intro, *prompt])


async def withdraw_button(turn: Turn) -> Outcome:
    """Ask to withdraw a submission, withdraw it, keep it, or open the withdrawn draft."""
    return await _button(turn, rv.WITHDRAW_PREFIX, _withdraw_action)


async def _withdraw_action(turn: Turn, action: str, target: int, number: int | None) -> Outcome:
    session, deps, user, t = turn.session, turn.deps, turn.user, turn.t
    innovation = await inno.lock_owned(session, owner=user, innovation_id=target)
    if innovation is None:
        raise Stale
    code = innovation.code or ""
    if action == "e" and innovation.status == Status.DRAF:
        prompt = await runner.begin(
            session, deps, user, REGISTRATION, target_id=innovation.id, mode="summary"
        )
        return Outcome(prompt)
    if innovation.status != Status.DIAJUKAN:
        raise Stale
    if action == "a":
        version = await inno.submission_event_id(session, innovation.id)
        return Outcome([rv.withdraw_confirmation(t, innovation, version)])
    if action == "n":
        return Outcome([Screen(t("wd.kept", code=code), edit=True)])
    if action != "y" or number is None:
        raise Stale
    await inno.withdraw(session, innovation, actor=user, version=number, now=deps.clock.now())
    recipients = await monev.notice_recipients(
        session, unit_id=innovation.unit_id, exclude=innovation.owner_id
    )
    notices = rv.withdrawn_notices(deps, innovation, user, recipients)
    button = rv.edit_withdrawn_button(t, innovation)
    done = Screen(t("wd.done", code=code), [[button]], edit=True)
    return Outcome([done], notices=notices)


ROUTES = Routes(buttons={rv.REVISION_PREFIX: revision_button, rv.WITHDRAW_PREFIX: withdraw_button})
