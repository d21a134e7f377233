"""What the bot shows about revisions of verified innovations and withdrawn submissions."""

from __future__ import annotations

from typing import Any

from bot import views
from bot.deps import Deps
from bot.forms.engine import Button, Notice, Screen
from bot.i18n import Raw, Translator
from models.services import monev
from models.services import revisions as rev
from models.services.cards import Card, Labels
from models.services.notice_data import Revised
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


def changes_block(
    t: Translator,
    labels: Labels,
    changes: dict[str, tuple[Any, Any]],
    *,
    room: int = CHANGES_ROOM,
) -> str:
    """Return one "field: old → new" line per change, as many as fit in ``room`` characters
    (then how many more fields changed), or that nothing changed yet (``labels``: of
    :func:`views.label_sources` of the changed fields)."""
    if not changes:
        return t("rvs.no_changes")
    lines: list[str] = []
    for n, (key, change) in enumerate(changes.items()):
        line = views.changes_text(t, labels, {key: change})
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


def card_rows(t: Translator, user: User, card: Card) -> list[list[Button]]:
    """Return the status card's buttons for changing what was sent: 🔄 Perbarui or ✏️
    Lanjutkan revisi (the owner of a verified innovation), 🔍 Periksa revisi (its reviewer,
    once the revision is submitted), ↩️ Tarik kembali (the owner of a submission)."""
    innovation = card.innovation
    owner = innovation.owner_id == user.id
    if innovation.status == Status.DIAJUKAN and owner:
        return [[Button(t.plain("wd.button"), f"{WITHDRAW_PREFIX}a:{innovation.id}")]]
    if innovation.status != Status.TERVERIFIKASI:
        return []
    revision = card.revision
    if revision is None:
        return (
            [[Button(t.plain("rvs.update"), f"{REVISION_PREFIX}n:{innovation.id}")]]
            if owner
            else []
        )
    if owner and revision.status in rev.EDITABLE:
        label = t.plain("rvs.continue", n=revision.number)
        return [[Button(label, f"{REVISION_PREFIX}e:{innovation.id}")]]
    if revision.status == RevisionStatus.DIAJUKAN and card.reviews:
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


def review_screen(
    t: Translator,
    deps: Deps,
    revision: Revision,
    innovation: Innovation,
    changes: dict[str, tuple[Any, Any]],
    author: Revised,
) -> Screen:
    """Return what a reviewer decides on: what changed (``changes``, old → new),
    completeness, who sent it (``author``, with the labels of the changed fields) and when,
    with ✅ Terima / ↩️ Kembalikan / ⛔ Tolak."""
    check = rev.completeness_of(revision, innovation)
    when = views.local(deps, revision.submitted_at or revision.updated_at)
    lines = [
        title(t, revision, innovation),
        t("rvs.sent_by", when=t.time(when), who=Raw(views.person(t, author.person))),
        "",
        t("rvs.changes_title"),
        changes_block(t, author.labels_in(t.lang), changes),
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


def submitted_notices(
    deps: Deps,
    revision: Revision,
    innovation: Innovation,
    changes: dict[str, tuple[Any, Any]],
    recipients: monev.Recipients,
    owner: Revised,
) -> list[Notice]:
    """Tell the reviewers that a revision awaits them, with what it changes (``owner``: the
    innovation's, with the labels of the changed fields)."""
    notices = []
    for reviewer in recipients.users:
        if not reviewer.reachable_somewhere:
            continue
        t = deps.translator(reviewer.language)
        text = t(
            "rvs.submitted_notice",
            title=Raw(title(t, revision, innovation)),
            owner=Raw(views.person(t, owner.person)),
            changes=Raw(changes_block(t, owner.labels_in(t.lang), changes)),
        )
        button = Button(
            t.plain("rvs.review", n=revision.number), f"{REVISION_PREFIX}o:{revision.id}"
        )
        notices.append(Notice(reviewer.id, Screen(text, [[button]])))
    return notices


def owner_notices(
    deps: Deps, revision: Revision, innovation: Innovation, owner: User | None
) -> list[Notice]:
    """Tell the innovation's ``owner`` that their revision was accepted, returned (with the
    comment and the fields to fix) or rejected."""
    reach = views.reach_owner(deps, owner)
    if reach is None:
        return []
    chat, t = reach
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
    return [Notice(chat, Screen(text, [[button]]))]


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
        if not reviewer.reachable_somewhere:
            continue
        t = deps.translator(reviewer.language)
        text = t(
            "wd.notice",
            code=innovation.code or "",
            name=innovation.nama_inovasi or "",
            owner=Raw(views.person(t, owner)),
        )
        notices.append(Notice(reviewer.id, Screen(text)))
    return notices
