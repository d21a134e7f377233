"""`indikator KODE`, `proposal KODE` and `dokumen KODE`: the evaluation documents of an
innovation. The owner fills them in (flows on the form engine); whoever may see the innovation
(its verifier, an admin) reads them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import PurePosixPath

from bot import views
from bot.documents.build import profile_file, proposal_file
from bot.forms import runner
from bot.forms.indicators import indicator_flow, summary_lines
from bot.forms.proposal import first_drafts, proposal_flow
from bot.forms.screens import Button, Outcome, Screen
from bot.i18n import Translator
from handlers.core import Routes, Turn, stale
from handlers.status import CODE, evidence_outcome
from models.document_tables import IndicatorAnswer
from models.filecheck import safe_filename
from models.ids import parse_id
from models.iid import IidRules
from models.services import indicators as answers_service
from models.services import proposal as proposal_service
from models.services import review
from models.tables import Innovation
from models.validation import count_words

Opener = Callable[[Turn, Innovation], Awaitable[Outcome]]


async def _by_button(turn: Turn, prefix: str) -> Innovation | None:
    innovation_id = parse_id(turn.payload.removeprefix(prefix))
    if innovation_id is None:
        return None
    return await review.find_visible(turn.session, user=turn.user, innovation_id=innovation_id)


async def _command(turn: Turn, prefix: str, usage: str, opener: Opener) -> Outcome:
    """A command with a code: open that innovation; without one: the user's own to choose."""
    screens = await turn.gate()
    if screens is not None:
        return Outcome(screens)
    found = CODE.search(" ".join(turn.args))
    if found is None:
        return Outcome([await _choose(turn, prefix, usage)])
    code = found.group(0).upper()
    innovation = await review.find_visible(turn.session, user=turn.user, code=code)
    if innovation is None:
        return Outcome([Screen(turn.t("card.not_found", code=code))])
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
    found = await answers_service.read(turn.session, rules, innovation)
    lines = summary_lines(t, rules, innovation, found)
    count = sum(len(row.files) for row in found.rows.values())
    buttons = []
    if count:
        label = t.plain("iid.evidence_button", count=count)
        buttons.append([Button(label, f"iidf:{innovation.id}")])
    return Screen("\n".join(lines), buttons)


def indicator_files(
    t: Translator, rules: IidRules, innovation: Innovation, rows: Mapping[str, IndicatorAnswer]
) -> list[views.EvidenceFile]:
    """The indicators' evidence files, in IID order, named for what they are
    (``INO-2026-0001-iid-01-regulasi-1.pdf``) and captioned with the sender's name."""
    code = views.file_code(t, innovation)
    files = []
    for indicator in rules.indikator:
        row = rows.get(indicator.key)
        for n, stored in enumerate(row.files if row else [], start=1):
            extension = PurePosixPath(stored.path).suffix.lstrip(".").lower() or "bin"
            name = t.plain(
                "iid.file_name", code=code, no=f"{indicator.nomor:02d}", slug=indicator.key, n=n,
                ext=extension,
            )  # fmt: skip
            caption = t(
                "iid.file_caption", no=indicator.nomor, name=indicator.name(t.lang),
                original=safe_filename(stored.filename),
            )  # fmt: skip
            files.append(views.EvidenceFile(stored.path, name, caption, stored.kind == "photo"))
    return files


async def indicator_evidence(turn: Turn) -> Outcome:
    """📎 The indicators' evidence files, for whoever may read the innovation."""
    innovation = await _by_button(turn, "iidf:")
    if innovation is None or not await _may_read(turn, innovation):
        return stale(turn)
    rows = await answers_service.stored(turn.session, innovation.id)
    files = indicator_files(turn.t, turn.deps.iid, innovation, rows)
    if not files:
        return Outcome([Screen(turn.t("iid.no_files"))])
    return evidence_outcome(turn.deps.files_dir, turn.t, files)


async def open_proposal(turn: Turn, innovation: Innovation) -> Outcome:
    """The owner writes the proposal (first drafts from the profile); others get the DOCX."""
    if innovation.owner_id != turn.user.id:
        return await send_proposal(turn, innovation)
    written = await proposal_service.sections(turn.session, innovation.id)
    mode = "summary" if any(count_words(text) for text in written.values()) else "form"
    drafts = await first_drafts(turn.session, turn.deps, turn.t, innovation)
    flow = proposal_flow(turn.deps.master)
    screens = await runner.begin(
        turn.session, turn.deps, turn.user, flow, target_id=innovation.id,
        data={"drafts": drafts}, mode=mode,
    )  # fmt: skip
    return Outcome(screens)


async def send_proposal(turn: Turn, innovation: Innovation) -> Outcome:
    """The proposal as a DOCX, for whoever may read the innovation."""
    if not await _may_read(turn, innovation):
        return stale(turn)
    file = await proposal_file(turn.session, turn.deps, turn.t, innovation)
    return Outcome([Screen(turn.t("kipp.sending"))], files=[file])


async def send_profile(turn: Turn, innovation: Innovation) -> Outcome:
    """The profile as a DOCX, for whoever may read the innovation."""
    if not await _may_read(turn, innovation):
        return stale(turn)
    file = await profile_file(turn.session, turn.deps, turn.t, innovation)
    return Outcome([Screen(turn.t("doc.sending"))], files=[file])


async def _may_read(turn: Turn, innovation: Innovation) -> bool:
    try:
        await review.readable(turn.session, user=turn.user, innovation_id=innovation.id)
    except review.NotAllowed:
        return False
    return True


async def proposal_command(turn: Turn) -> Outcome:
    """`proposal KODE`."""
    return await _command(turn, "kipp:", "kipp.usage", open_proposal)


async def document_command(turn: Turn) -> Outcome:
    """`dokumen KODE`: the profile as a DOCX."""
    return await _command(turn, "doc:", "doc.usage", send_profile)


async def proposal_button(turn: Turn) -> Outcome:
    """📝 Proposal on a card."""
    innovation = await _by_button(turn, "kipp:")
    return await open_proposal(turn, innovation) if innovation is not None else stale(turn)


async def document_button(turn: Turn) -> Outcome:
    """📄 Dokumen profil on a card."""
    innovation = await _by_button(turn, "doc:")
    return await send_profile(turn, innovation) if innovation is not None else stale(turn)


async def indicators_command(turn: Turn) -> Outcome:
    """`indikator KODE`."""
    return await _command(turn, "iid:", "iid.usage", open_indicators)


async def indicators_button(turn: Turn) -> Outcome:
    """📊 Indikator on a card or in the list of one's innovations."""
    innovation = await _by_button(turn, "iid:")
    return await open_indicators(turn, innovation) if innovation is not None else stale(turn)


ROUTES = Routes(
    commands={
        "indikator": indicators_command,
        "indicators": indicators_command,
        "proposal": proposal_command,
        "dokumen": document_command,
        "document": document_command,
    },
    buttons={
        "iid:": indicators_button,
        "iidf:": indicator_evidence,
        "kipp:": proposal_button,
        "doc:": document_button,
    },
)
