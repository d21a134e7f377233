"""What the bot shows about revisions of verified innovations and withdrawn submissions."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import views
from bot.deps import Deps
from bot.forms.engine import Button, Notice, Screen
from bot.i18n import Raw, Translator
from models.services import monev, review
from models.services import revisions as rev
from models.tables import Innovation, Revision, RevisionStatus, Status, User

# payloads: rs:<action>:<id>[:<n>] (see handlers/revisions.py), wd:<action>:<id>[:<version>]
REVISION_PREFIX = "rs:"
WITHDRAW_PREFIX = "wd:"


def title(t: Translator, revision: Revision, innovation: Innovation) -> str:
    """Return "Revisi ke-N dari INO-... · name"."""
    return t(
        "rvs.title",
        n=revision.number,
        code=innovation.code or "",
        name=innovation.nama_inovasi or "",
    )


CHANGES_ROOM = 2800  # of a message's 4096 characters, for the old → new lines


async def changes_block(
    session: AsyncSession,
    deps: Deps,
    t: Translator,
    changes: dict[str, tuple[Any, Any]],
    *,
    room: int = CHANGES_ROOM,
) -> str:
    """Return one "field: old → new" line per change, as many as fit in ``room`` characters
    (then how many more fields changed), or that nothing changed yet."""
    if not changes:
        return t("rvs.no_changes")
    lines: list[str] = []
    for n, (key, change) in enumerate(changes.items()):
        line = await views.changes_text(session, deps, t, {key: change})
        if lines and sum(len(x) + 1 for x in lines) + len(line) > room:
            lines.append(t("rvs.more_changes", count=len(changes) - n))
            break
        lines.append(line)
    return "\n".join(lines)


def changed_labels(t: Translator, changes: dict[str, tuple[Any, Any]]) -> str:
    """Return which fields differ from the verified version, or that none does yet."""
    if not changes:
        return t("rvs.no_changes")
    return t("rvs.changed", fields=", ".join(t.plain(f"reg.{k}.label") for k in changes))


async def card_rows(
    session: AsyncSession, t: Translator, user: User, innovation: Innovation
) -> list[list[Button]]:
    """Return the status card's buttons for changing what was sent: 🔄 Perbarui or ✏️
    Lanjutkan revisi (the owner of a verified innovation), 🔍 Periksa revisi (its reviewer,
    once the revision is submitted), ↩️ Tarik kembali (the owner of a submission)."""
    owner = innovation.owner_id == user.id
    if innovation.status == Status.DIAJUKAN and owner:
        return [[Button(t.plain("wd.button"), f"{WITHDRAW_PREFIX}a:{innovation.id}")]]
    if innovation.status != Status.TERVERIFIKASI:
        return []
    revision = await rev.open_of(session, innovation.id)
    if revision is None:
        return (
            [[Button(t.plain("rvs.update"), f"{REVISION_PREFIX}n:{innovation.id}")]]
            if owner
            else []
        )
    if owner and revision.status in rev.EDITABLE:
        label = t.plain("rvs.continue", n=revision.number)
        return [[Button(label, f"{REVISION_PREFIX}e:{innovation.id}")]]
    if revision.status == RevisionStatus.DIAJUKAN and await review.can_review(
        session, user, innovation
    ):
        label = t.plain("rvs.review", n=revision.number)
        return [[Button(label, f"{REVISION_PREFIX}o:{revision.id}")]]
    return []


def edit_withdrawn_button(t: Translator, innovation: Innovation) -> Button:
    """Return the button that opens a withdrawn submission's summary to change it."""
    return Button(t.plain("wd.edit"), f"{WITHDRAW_PREFIX}e:{innovation.id}")


def start_confirmation(t: Translator, innovation: Innovation, revisions_so_far: int) -> Screen:
    """Ask "Perbarui INO-...?" with what a revision means."""
    yes = f"{REVISION_PREFIX}ny:{innovation.id}:{revisions_so_far}"
    buttons = [
        [
            Button(t.plain("rvs.start_yes"), yes),
            Button(t.plain("rvs.start_no"), f"{REVISION_PREFIX}x:{innovation.id}"),
        ]
    ]
    text = t(
        "rvs.start_confirm",
        n=revisions_so_far + 1,
        code=innovation.code or "",
        name=innovation.nama_inovasi or "",
    )
    return Screen(text, buttons)


async def review_screen(
    session: AsyncSession, deps: Deps, t: Translator, revision: Revision, innovation: Innovation
) -> Screen:
    """Return what a reviewer decides on: what changed (old → new), completeness, who sent it
    and when, with ✅ Terima / ↩️ Kembalikan / ⛔ Tolak."""
    author = await session.get(User, revision.author_id) if revision.author_id else None
    check = rev.completeness_of(revision, innovation)
    when = views.local(deps, revision.submitted_at or revision.updated_at)
    changes = await changes_block(session, deps, t, rev.changes_of(revision, innovation))
    lines = [
        title(t, revision, innovation),
        t("rvs.sent_by", when=t.time(when), who=Raw(views.person(t, author))),
        "",
        t("rvs.changes_title"),
        changes,
        "",
        t("reg.completeness", percent=check.percent, met=check.met, total=check.total),
        t("rvs.review_hint"),
    ]
    text = "\n".join(lines)
    tail = f"{revision.id}:{revision.round}"
    buttons = [
        [
            Button(t.plain("rvs.accept"), f"{REVISION_PREFIX}a:{tail}"),
            Button(t.plain("rvs.return"), f"{REVISION_PREFIX}k:{tail}"),
        ],
        [Button(t.plain("rvs.reject"), f"{REVISION_PREFIX}t:{tail}")],
    ]
    return Screen(text, buttons)


async def submitted_notices(
    session: AsyncSession,
    deps: Deps,
    revision: Revision,
    innovation: Innovation,
    changes: dict[str, tuple[Any, Any]],
    recipients: monev.Recipients,
) -> list[Notice]:
    """Tell the reviewers that a revision awaits them, with what it changes."""
    owner = await session.get(User, innovation.owner_id)
    notices = []
    for reviewer in recipients.users:
        if reviewer.telegram_id is None:
            continue
        t = deps.translator(reviewer.language)
        text = t(
            "rvs.submitted_notice",
            title=Raw(title(t, revision, innovation)),
            owner=Raw(views.person(t, owner)),
            changes=Raw(await changes_block(session, deps, t, changes)),
        )
        button = Button(
            t.plain("rvs.review", n=revision.number), f"{REVISION_PREFIX}o:{revision.id}"
        )
        notices.append(Notice(reviewer.telegram_id, Screen(text, [[button]])))
    return notices


async def owner_notices(
    session: AsyncSession, deps: Deps, revision: Revision, innovation: Innovation
) -> list[Notice]:
    """Tell the owner that their revision was accepted, returned (with the comment and the
    fields to fix) or rejected."""
    owner = await session.get(User, innovation.owner_id)
    if owner is None or owner.deleted_at is not None or owner.telegram_id is None:
        return []
    t = deps.translator(owner.language)
    text = t(
        f"rvs.owner_{revision.status}",
        title=Raw(title(t, revision, innovation)),
        comment=revision.comment or "-",
    )
    if revision.status == RevisionStatus.DIKEMBALIKAN:
        if revision.flagged_fields:
            fields = ", ".join(t.plain(f"reg.{k}.label") for k in revision.flagged_fields)
            text += "\n" + t("card.flagged", fields=fields)
        button = Button(t.plain("rvs.fix_now"), f"{REVISION_PREFIX}e:{innovation.id}")
    else:
        button = Button(t.plain("card.open"), f"st:{innovation.id}")
    return [Notice(owner.telegram_id, Screen(text, [[button]]))]


def withdraw_confirmation(t: Translator, innovation: Innovation, version: int) -> Screen:
    """Ask "Tarik kembali INO-...?" with what it means."""
    buttons = [
        [
            Button(t.plain("wd.yes"), f"{WITHDRAW_PREFIX}y:{innovation.id}:{version}"),
            Button(t.plain("wd.no"), f"{WITHDRAW_PREFIX}n:{innovation.id}"),
        ]
    ]
    text = t("wd.confirm", code=innovation.code or "", name=innovation.nama_inovasi or "")
    return Screen(text, buttons)


def withdrawn_notices(
    deps: Deps, innovation: Innovation, owner: User, recipients: monev.Recipients
) -> list[Notice]:
    """Tell the reviewers a submission left their queue before they reviewed it."""
    notices = []
    for reviewer in recipients.users:
        if reviewer.telegram_id is None:
            continue
        t = deps.translator(reviewer.language)
        text = t(
            "wd.notice",
            code=innovation.code or "",
            name=innovation.nama_inovasi or "",
            owner=Raw(views.person(t, owner)),
        )
        notices.append(Notice(reviewer.telegram_id, Screen(text)))
    return notices
