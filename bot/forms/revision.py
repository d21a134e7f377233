"""Revising a verified innovation: the registration's steps and summary, on a revision.

The answers go into the revision (``models.services.revisions``), never into the verified
profile, which stays what everyone sees until a reviewer accepts the revision. The reviewer's
words for returning or rejecting one come from a small flow of their own.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import revision_views as rv
from bot import views
from bot.deps import Deps
from bot.forms.definitions import REGISTRATION
from bot.forms.engine import (
    Answers,
    Button,
    Flow,
    FlowView,
    FormEngine,
    IncomingFile,
    Kind,
    Outcome,
    Screen,
    Step,
)
from bot.forms.flows import BaseHost, HostContext, StateHost, keep_upload
from bot.i18n import Raw
from models.filecheck import FileType
from models.services import flows as flow_states
from models.services import innovations as inno
from models.services import monev, notice_data
from models.services import revisions as rev
from models.services.files import discard_after_commit
from models.tables import Innovation, Revision, RevisionStatus, Status, User

# The registration's steps, texts (the catalog's "rev" section merges "reg") and summary.
REVISION = replace(REGISTRATION, name="rev")

RETURN = "k"
REJECT = "t"


def _returning(answers: Answers) -> bool:
    return answers.get("decision") == RETURN


def _never(_answers: Answers) -> bool:
    return False


# A reviewer returns a revision (fields to fix, then a comment) or rejects it (a reason).
REVISION_DECISION = Flow(
    "rvd",
    (
        Step("fields", Kind.MULTI, options="profile_fields", asked=_returning, required=_never),
        Step("comment", Kind.TEXT, min_len=5, max_len=1500),
    ),
    summary=False,
)


class RevisionHost(BaseHost):
    """Stores the answers of a revision being edited by the innovation's owner."""

    flow = REVISION

    def __init__(self, ctx: HostContext, innovation: Innovation, revision: Revision) -> None:
        super().__init__(ctx)
        self.innovation = innovation
        self.revision = revision

    def flagged(self) -> set[str]:
        """Return the fields the reviewer asked to fix."""
        return set(self.revision.flagged_fields or [])

    async def load(self) -> dict[str, Any]:
        """Return the revised profile."""
        answers = rev.answers_of(self.revision, self.innovation)
        if answers.get("unit_id") is not None:
            answers["unit_id"] = str(answers["unit_id"])
        return answers

    async def save(self, key: str, value: Any, *, skipped: bool = False) -> None:
        """Write one answer into the revision (the files are kept as they arrive)."""
        if key != rev.FILES:
            now = self.ctx.deps.clock.now()
            rev.set_answer(self.revision, self.innovation, key, value, now=now)
        await self.ctx.session.flush()

    async def store_file(self, file: IncomingFile, data: bytes, detected: FileType) -> None:
        """Write the evidence file under FILES_DIR, named by the bot, and record it with the
        revision (it joins the innovation's files when the revision is accepted)."""
        folder = Path(str(self.innovation.id))
        kept = await keep_upload(self.ctx.deps.files_dir, folder, file, data, detected)
        now = self.ctx.deps.clock.now()
        await rev.add_file(self.ctx.session, self.revision, self.innovation, kept, now=now)

    async def remove_file(self, key: str, index: int) -> str | None:
        """Drop one evidence file from the revised profile (a file the revision brought is
        deleted at once; a verified one only when the revision is accepted)."""
        if key != rev.FILES:
            return None
        now = self.ctx.deps.clock.now()
        removed = await rev.remove_file(
            self.ctx.session, self.revision, self.innovation, index, now=now
        )
        if removed is None:
            return None
        name, path = removed
        if path is not None:
            discard_after_commit(self.ctx.session, self.ctx.deps.files_dir, [path])
        return name

    async def summary_extra(
        self, answers: Answers, engine: FlowView
    ) -> tuple[str, list[list[Button]]]:
        """Show which revision this is, what it changes so far, IID completeness and the
        Kirim revisi / Simpan / Batalkan revisi buttons."""
        t, revision, innovation = self.ctx.t, self.revision, self.innovation
        check = rev.completeness_of(revision, innovation)
        lines = [
            rv.title(t, revision, innovation),
            t("rvs.kept_note"),
            t("reg.completeness", percent=check.percent, met=check.met, total=check.total),
        ]
        if revision.status == RevisionStatus.DIKEMBALIKAN and revision.comment:
            lines.append(t("rvs.reviewer_comment", comment=revision.comment))
        lines += [t("reg.missing", label=t(f"reg.{key}.label")) for key in check.missing]
        lines += [t("reg.short", label=t(f"reg.{key}.label")) for key in check.short]
        lines.append(rv.changed_labels(t, rev.changes_of(revision, innovation)))
        actions = [
            [engine.button(t("rvs.submit"), "k")],
            [engine.button(t("rvs.save"), "v"), engine.button(t("rvs.cancel"), "h")],
        ]
        return "\n".join(lines), actions

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Send the revision for review, keep it for later, or give it up (after asking)."""
        ctx, t = self.ctx, self.ctx.t
        session, revision, innovation = ctx.session, self.revision, self.innovation
        if action == "k":
            return await self._submit(engine)
        if action == "v":
            ctx.state.active = False
            return Outcome([Screen(t("rvs.saved", n=revision.number))], finished=True)
        if action == "h":
            engine.state.rev += 1
            buttons = [
                [engine.button(t("rvs.cancel_yes"), "hy"), engine.button(t("rvs.cancel_no"), "hn")]
            ]
            return Outcome([Screen(t("rvs.cancel_confirm", n=revision.number), buttons)])
        if action == "hy":
            paths = await rev.cancel(
                session, revision, innovation, actor=ctx.user, now=ctx.deps.clock.now()
            )
            await flow_states.remove(session, ctx.state)
            discard_after_commit(ctx.session, ctx.deps.files_dir, paths)
            return Outcome([Screen(t("rvs.cancelled", n=revision.number))], finished=True)
        if action == "hn":
            return Outcome(await engine.show())
        return Outcome(notice=t("common.stale"), stale=True)

    async def _submit(self, engine: FormEngine) -> Outcome:
        ctx, t = self.ctx, self.ctx.t
        session, revision, innovation = ctx.session, self.revision, self.innovation
        try:
            changes = await rev.submit(
                session, revision, innovation, actor=ctx.user, now=ctx.deps.clock.now()
            )
        except inno.NotSubmittable as exc:
            labels = ", ".join(t(f"reg.{k}.label") for k in exc.missing)
            return await self._again(engine, t("reg.not_submittable", fields=labels))
        except rev.NothingChanged:
            return await self._again(engine, t("rvs.nothing_changed"))
        await flow_states.remove(session, ctx.state)
        recipients = await monev.notice_recipients(
            session,
            unit_id=innovation.unit_id,
            exclude=innovation.owner_id,
            reviewer_id=revision.reviewer_id,
        )
        sources = views.notice_sources(changes, recipients)
        owner = await notice_data.revised(
            session, ctx.deps.master, innovation.owner_id, sources, views.languages_of(recipients)
        )
        notices = rv.submitted_notices(ctx.deps, revision, innovation, changes, recipients, owner)
        text = t("rvs.submitted", title=Raw(rv.title(t, revision, innovation)))
        text += "\n\n" + views.told(t, recipients, kept="rvs.kept")
        return Outcome([Screen(text)], finished=True, notices=notices)

    async def _again(self, engine: FormEngine, problem: str) -> Outcome:
        screens = await engine.show()
        screens[0].text = problem + "\n\n" + screens[0].text
        return Outcome(screens)


async def revision_host(ctx: HostContext) -> RevisionHost | None:
    """Build the host of the owner's revision in progress (``target_id``: the innovation)."""
    if ctx.state.target_id is None:
        return None
    innovation = await inno.get_owned(
        ctx.session, owner=ctx.user, innovation_id=ctx.state.target_id
    )
    if innovation is None or innovation.status != Status.TERVERIFIKASI:
        return None
    revision = await rev.open_of(ctx.session, innovation.id)
    if revision is None or revision.status not in rev.EDITABLE:
        return None
    return RevisionHost(ctx, innovation, revision)


class DecisionHost(StateHost):
    """A reviewer's words for returning or rejecting a revision."""

    flow = REVISION_DECISION

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Apply the decision if the revision still awaits it, and tell the owner."""
        ctx, t = self.ctx, self.ctx.t
        data = ctx.state.data
        answers = await self.load()
        try:
            revision, innovation = await rev.lock_for_review(
                ctx.session, reviewer=ctx.user, revision_id=int(data["revision"]),
                round_=int(data["round"]),
            )  # fmt: skip
        except rev.NotAllowed:
            return await self._done(t("common.stale"))
        now = ctx.deps.clock.now()
        if answers.get("decision") == RETURN:
            fields = [str(f) for f in answers.get("fields") or []]
            rev.return_for_changes(
                ctx.session, revision, innovation, reviewer=ctx.user,
                comment=str(answers["comment"]), fields=fields, now=now,
            )  # fmt: skip
        else:
            rev.reject(
                ctx.session, revision, innovation, reviewer=ctx.user,
                reason=str(answers["comment"]), now=now,
            )  # fmt: skip
        owner = await notice_data.owner_of(ctx.session, innovation)
        notices = rv.owner_notices(ctx.deps, revision, innovation, owner)
        text = t(f"rvs.{revision.status}_done", title=Raw(rv.title(t, revision, innovation)))
        text += " " + views.owner_told(t, owner, notices)
        return await self._done(text, notices=notices)


async def decision_host(ctx: HostContext) -> DecisionHost | None:
    """Build the host of a reviewer's return or rejection of a revision."""
    return DecisionHost(ctx) if ctx.state.data.get("revision") else None


async def begin_decision(
    session: AsyncSession, deps: Deps, reviewer: User, revision: Revision, decision: str
) -> list[Screen]:
    """Ask for the reviewer's words on this submission of the revision: the fields to fix and
    a comment (returning), or the reason (rejecting)."""
    old = await flow_states.find(
        session, user_id=reviewer.id, flow=REVISION_DECISION.name, target_id=revision.id
    )
    if old is not None:  # an earlier decision left unfinished, maybe on an earlier round
        await flow_states.remove(session, old)
    state = await flow_states.activate(
        session,
        user_id=reviewer.id,
        flow=REVISION_DECISION.name,
        target_id=revision.id,
        first_step="fields" if decision == RETURN else "comment",
        now=deps.clock.now(),
        data={
            "revision": revision.id,
            "round": revision.round,
            "answers": {"decision": decision},
        },
    )
    t = deps.translator(reviewer.language)
    ctx = HostContext(session, deps, reviewer, state, t)
    return await FormEngine(DecisionHost(ctx), state, t, today=ctx.today).show()
