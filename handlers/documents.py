"""`indikator KODE`, `proposal KODE` and `dokumen KODE`: the evaluation documents of an
innovation. The owner fills them in (flows on the form engine); whoever may see the innovation
(its verifier, an admin) reads them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot import views
from bot.forms import runner
from bot.forms.indicators import indicator_flow, score_lines, total_lines
from bot.forms.screens import Button, Outcome, Screen
from handlers.core import Routes, Turn, stale
from handlers.status import CODE
from models import iid
from models.ids import parse_id
from models.services import indicators as answers_service
from models.services import review
from models.tables import Innovation

Opener = Callable[[Turn, Innovation], Awaitable[Outcome]]


async def _by_code(turn: Turn) -> Innovation | str | None:
    """The innovation the command's argument names (None: no code given; "": not found)."""
    found = CODE.search(" ".join(turn.args))
    if found is None:
        return None
    innovation = await review.find_visible(turn.session, user=turn.user, code=found.group(0))
    return innovation if innovation is not None else ""


async def _by_button(turn: Turn, prefix: str) -> Innovation | None:
    innovation_id = parse_id(turn.payload.removeprefix(prefix))
    if innovation_id is None:
        return None
    return await review.find_visible(turn.session, user=turn.user, innovation_id=innovation_id)


async def _command(turn: Turn, prefix: str, usage: str, opener: Opener) -> Outcome:
    screens = await turn.gate()
    if screens is not None:
        return Outcome(screens)
    innovation = await _by_code(turn)
    if innovation is None:
        return Outcome([await _choose(turn, prefix, usage)])
    if innovation == "":
        code = CODE.search(" ".join(turn.args))
        return Outcome(
            [Screen(turn.t("card.not_found", code=code.group(0).upper() if code else ""))]
        )
    assert isinstance(innovation, Innovation)
    return await opener(turn, innovation)


async def _choose(turn: Turn, prefix: str, usage: str) -> Screen:
    """The usage line, with the user's own innovations as buttons."""
    page = await review.list_visible(turn.session, user=turn.user, page=0, per_page=8)
    own = [i for i in page.items if i.owner_id == turn.user.id]
    rows = [[Button(views.item_label(turn.t, i), f"{prefix}{i.id}")] for i in own]
    return Screen(turn.t(usage), rows)


async def open_indicators(turn: Turn, innovation: Innovation) -> Outcome:
    """The owner fills the indicators in; anyone else who may see them reads them."""
    if innovation.owner_id == turn.user.id:
        flow = indicator_flow(turn.deps.iid)
        rows = await answers_service.stored(turn.session, innovation.id)
        mode = "summary" if rows else "form"
        screens = await runner.begin(
            turn.session, turn.deps, turn.user, flow, target_id=innovation.id, mode=mode
        )
        return Outcome(screens)
    return Outcome([await indicator_card(turn, innovation)])


async def indicator_card(turn: Turn, innovation: Innovation) -> Screen:
    """The indicators, their scores and evidence, read-only."""
    t, rules = turn.t, turn.deps.iid
    rows = await answers_service.stored(turn.session, innovation.id)
    facts = await answers_service.profile_facts(turn.session, innovation)
    result = iid.estimate(rules, answers_service.answers(rules, rows, facts))
    names = {key: answers_service.evidence_names(row) for key, row in rows.items()}
    code = innovation.code or t.plain("status.no_code")
    lines = [t("iid.summary_title", name=innovation.nama_inovasi or "", code=code), ""]
    lines += score_lines(t, rules, result, names)
    lines += ["", *total_lines(t, rules, result)]
    return Screen("\n".join(lines))


async def indicators_command(turn: Turn) -> Outcome:
    """`indikator KODE`."""
    return await _command(turn, "iid:", "iid.usage", open_indicators)


async def indicators_button(turn: Turn) -> Outcome:
    """📊 Indikator on a card or in the list of one's innovations."""
    innovation = await _by_button(turn, "iid:")
    return await open_indicators(turn, innovation) if innovation is not None else stale(turn)


ROUTES = Routes(
    commands={"indikator": indicators_command, "indicators": indicators_command},
    buttons={"iid:": indicators_button},
)
