"""/inovasiku and /status KODE: where things stand, scoped by role."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot import (
    check_views,
    public_views,
    publication_views,
    replication_views,
    revision_views,
    views,
)
from bot.deps import Deps
from bot.forms.indicators import card_line
from bot.forms.screens import Button, Outcome, OutgoingFile, Screen
from bot.i18n import Translator
from handlers.core import Routes, Turn, stale
from models.ids import parse_id
from models.services import cards, catalog_page, publication, replications, review
from models.services import indicators as answers_service
from models.services import innovations as inno
from models.tables import Innovation, Status, User

PER_PAGE = 10
CODE = re.compile(r"\bINO-\d{4}-\d{4,}\b", re.IGNORECASE)


async def card(session: AsyncSession, deps: Deps, user: User, innovation: Innovation) -> Screen:
    """Return an innovation's card with the buttons this viewer may use."""
    t = deps.translator(user.language)
    data = await cards.load(
        session, deps.master, innovation, viewer=user, sources=views.label_sources()
    )
    replicated = replication_views.card_lines(
        t, *await replications.both_ways(session, innovation.id)
    )
    tail = "\n\n" + replicated if replicated else ""
    found = await answers_service.read(session, deps.iid, innovation)
    if found.rows:  # once any indicator is answered
        tail += "\n" + card_line(t, found.estimate)
    if data.changes:
        tail += "\n\n" + check_views.card_line(t, deps.iid, data.changes)
    text = views.status_card(t, deps, data, tail)
    rows: list[list[Button]] = []
    if innovation.owner_id == user.id and innovation.status in inno.EDITABLE:
        key = "card.fix" if innovation.status == Status.DIKEMBALIKAN else "card.continue"
        rows.append([Button(t.plain(key), f"draft:{innovation.id}")])
    rows += revision_views.card_rows(t, user, data)
    if data.changes and data.reviews:
        accept = check_views.accept_button(t, innovation, deps.clock.now())
        rows.append([accept, check_views.return_button(t, innovation)])
    if innovation.status == Status.DIAJUKAN and data.reviews:
        rows.append(
            [
                Button(t.plain("review.verify"), f"rv:v:{innovation.id}"),
                Button(t.plain("review.return"), f"rv:k:{innovation.id}"),
            ]
        )
        rows.append([Button(t.plain("review.stop"), f"rv:h:{innovation.id}")])
    rows.append(
        [
            Button(t.plain("card.read_full"), f"rd:t:{innovation.id}"),
            Button(
                t.plain("card.evidence", count=len(innovation.attachments)),
                f"rd:f:{innovation.id}",
            ),
        ]
    )
    if innovation.owner_id == user.id or innovation.status != Status.DRAF:
        rows.append(
            [
                Button(t.plain("card.indicators"), f"iid:{innovation.id}"),
                Button(t.plain("doc.proposal_button"), f"kipp:{innovation.id}"),
            ]
        )
        rows.append([Button(t.plain("doc.profile_button"), f"doc:{innovation.id}")])
    rows += replication_views.card_row(t, user, innovation)
    published = await publication.get(session, innovation.id)
    rows += publication_views.card_rows(user.id, user.role, innovation, t, published)
    return Screen(text, rows)


async def mine_screen(session: AsyncSession, t: Translator, user: User, page: int) -> Screen:
    """Return one page of the innovations this user may see."""
    result = await review.list_visible(session, user=user, page=page, per_page=PER_PAGE)
    if not result.total:
        return Screen(t("mine.empty"))
    items = [(views.item_label(t, i), f"st:{i.id}") for i in result.items]
    title = t(f"mine.title_{user.role}", total=result.total)
    return views.paged_list(t, title, items, page=result.page, pages=result.pages, list_key="mine")


async def mine(turn: Turn) -> Outcome:
    """List the user's innovations (a verifikator: the unit's; an admin: all) with status."""
    screens = await turn.gate()
    if screens is None:
        screens = [await mine_screen(turn.session, turn.t, turn.user, 0)]
    return Outcome(screens)


async def public_card(session: AsyncSession, deps: Deps, t: Translator, code: str) -> Screen | None:
    """Return the public card of an innovation on the catalog, None if it is not on it."""
    public = await catalog_page.innovation(session, code.upper())
    return Screen(public_views.public_card(t, deps.master, public)) if public else None


async def open_by_code(session: AsyncSession, deps: Deps, user: User, code: str) -> list[Screen]:
    """Return the card of a visible innovation, the public card of one on the catalog, or
    "not found" (also for others' codes)."""
    t = deps.translator(user.language)
    innovation = (
        await review.find_visible(session, user=user, code=code) if user.onboarded else None
    )
    if innovation is not None:
        return [await card(session, deps, user, innovation)]
    public = await public_card(session, deps, t, code)
    return [public or Screen(t("card.not_found", code=code.upper()))]


async def status_command(turn: Turn) -> Outcome:
    """Show one innovation's card: /status INO-2026-0001 (an innovation on the public catalog
    to anyone, before onboarding too: a visitor comes from the catalog's link)."""
    found = CODE.search(" ".join(turn.args))
    if found is not None and not turn.user.onboarded:
        public = await public_card(turn.session, turn.deps, turn.t, found.group(0))
        if public is not None:
            return Outcome([public])
    screens = await turn.gate()
    if screens is None:
        if found is None:
            screens = [Screen(turn.t("card.usage"))]
        else:
            screens = await open_by_code(turn.session, turn.deps, turn.user, found.group(0))
    return Outcome(screens)


async def open_card(turn: Turn) -> Outcome:
    """Open a card from a list button."""
    innovation_id = parse_id(turn.payload.removeprefix("st:"))
    innovation = None
    if innovation_id is not None:
        innovation = await review.find_visible(
            turn.session, user=turn.user, innovation_id=innovation_id
        )
    if innovation is None:
        return stale(turn)
    return Outcome([await card(turn.session, turn.deps, turn.user, innovation)])


async def read(turn: Turn) -> Outcome:
    """📖 Read in full (the long texts, cut under the channel's limit) or 📎 the evidence
    files (sent as files named for what they are); only for whoever may see the innovation."""
    action, _, raw_id = turn.payload.removeprefix("rd:").partition(":")
    innovation_id = parse_id(raw_id)
    t = turn.t
    try:
        if innovation_id is None or action not in ("t", "f"):
            raise review.NotAllowed
        innovation = await review.readable(
            turn.session, user=turn.user, innovation_id=innovation_id
        )
    except review.NotAllowed:
        return stale(turn)
    if action == "t":
        return Outcome([Screen(text) for text in views.full_texts(t, innovation)])
    files = views.evidence_files(t, innovation)
    if not files:
        code = innovation.code or t.plain("status.no_code")
        return Outcome([Screen(t("evidence.none", code=code))])
    return evidence_outcome(turn.deps.files_dir, t, files)


def evidence_outcome(files_dir: Path, t: Translator, files: list[views.EvidenceFile]) -> Outcome:
    """Send the evidence files kept in ``files_dir``; say which are gone from the disk."""
    outcome = Outcome()
    gone = []
    for item in files:
        if (files_dir / item.path).is_file():
            outcome.files.append(
                OutgoingFile(
                    item.filename, caption=item.caption, photo=item.photo, path=Path(item.path)
                )
            )
        else:
            gone.append(item.filename)
    if gone:
        outcome.after_files.append(Screen(t("evidence.missing", names=", ".join(gone))))
    return outcome


ROUTES = Routes(
    commands={"inovasiku": mine, "mine": mine, "status": status_command},
    buttons={"st:": open_card, "rd:": read},
)
