"""🔁 Replikasi on an innovation's card: its owner records that it replicates another
innovation, of this Pemda (chosen by typing part of its name or its code) or elsewhere (name
and region typed). The original's owner, when it is of this Pemda, is told at once."""

from __future__ import annotations

from bot import replication_views
from bot.forms.engine import Answers, Choice, Flow, FormEngine, Kind, Outcome, Step
from bot.forms.flows import HostContext, StateHost
from models.ids import parse_id
from models.services import replications
from models.services.replications import Side
from models.tables import Innovation

HERE, ELSEWHERE = "here", "elsewhere"


def _here(answers: Answers) -> bool:
    return answers.get("where") in (None, HERE)  # counted until the choice is made


def _elsewhere(answers: Answers) -> bool:
    return answers.get("where") == ELSEWHERE


REPLICATION = Flow(
    "repl",
    (
        Step("where", Kind.CHOICE, options="repl_where"),
        Step("original", Kind.CHOICE, options="repl_originals", asked=_here),
        Step("name", Kind.TEXT, min_len=5, max_len=150, asked=_elsewhere),
        Step("region", Kind.TEXT, min_len=3, max_len=150, asked=_elsewhere),
    ),
    summary=False,
)


class ReplicationHost(StateHost):
    """Records the replication at the end; the answers stay in the flow state till then."""

    flow = REPLICATION

    async def _replica(self) -> Innovation | None:
        innovation = await self.ctx.session.get(Innovation, self.ctx.state.target_id or 0)
        ok = innovation is not None and innovation.owner_id == self.ctx.user.id
        return innovation if ok else None

    async def options(self, step: Step, answers: Answers) -> list[Choice]:
        """Return where the original is, or this Pemda's innovations (code · name (unit))."""
        t = self.ctx.t
        if step.options == "repl_where":
            return [Choice(k, t.plain(f"repl.where_{k}")) for k in (HERE, ELSEWHERE)]
        found = await replications.originals(
            self.ctx.session, except_id=self.ctx.state.target_id or 0
        )
        return [
            Choice(
                str(o.id),
                t.plain("repl.original_item", code=o.code, name=o.name, unit=o.unit or "-"),
            )
            for o in found
        ]

    async def labels(self, step: Step) -> dict[str, str]:
        """Return the labels of this flow's choices."""
        return {c.key: c.label for c in await self.options(step, await self.load())}

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Record the replication, tell the original's owner and say so."""
        ctx, t = self.ctx, self.ctx.t
        replica = await self._replica()
        if replica is None:
            return await self._done(t("common.stale"))
        answers = await self.load()
        original: Innovation | None = None
        if answers.get("where") == HERE:
            original = await ctx.session.get(Innovation, parse_id(str(answers["original"])) or 0)
            if original is None or not replication_views.replicable(original):
                return await self._done(t("common.stale"))
            side = Side.internal(original)
        else:
            side = Side.external(str(answers["name"]), str(answers["region"]))
        try:
            await replications.record(
                ctx.session, original=side, replica=Side.internal(replica), by=ctx.user.id,
                now=ctx.deps.clock.now(),
            )  # fmt: skip
        except replications.NotRecorded as exc:
            return await self._done(t(f"repl.refused.{exc.reason}"))
        if original is None:
            text = t(
                "repl.recorded_external",
                name=replica.nama_inovasi or "",
                original=str(answers["name"]),
                region=str(answers["region"]),
            )
            return await self._done(text)
        notices = replication_views.original_told(ctx.deps, original, replica, by=ctx.user)
        text = t(
            "repl.recorded",
            name=replica.nama_inovasi or "",
            code=original.code or "",
            original=original.nama_inovasi or "",
        )
        told = replication_views.told_line(t, notices, original, ctx.user)
        return await self._done(f"{text} {told}".strip(), notices=notices)


async def replication_host(ctx: HostContext) -> ReplicationHost | None:
    """Build the host: only for the owner of the replica."""
    host = ReplicationHost(ctx)
    return host if await host._replica() is not None else None
