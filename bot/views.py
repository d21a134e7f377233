"""What the bot shows about innovations: status cards, list labels, review notices.

Everything here returns channel-independent :class:`Screen` objects or safe HTML strings.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import deadline_views
from bot.deps import Deps
from bot.forms.definitions import REGISTRATION
from bot.forms.engine import Button, Notice, Screen, Step, format_value
from bot.forms.screens import Menu
from bot.i18n import Raw, Translator
from models.filecheck import safe_filename
from models.services import innovations as inno
from models.services import monev, review, revisions
from models.tables import Innovation, RevisionStatus, Status, StatusEvent, Unit, User
from models.validation import count_words

MAX_MESSAGE = 4000
CARD_PREVIEWS = (120, 60, 30)


async def option_labels(session: AsyncSession, deps: Deps, source: str) -> dict[str, str]:
    """Return key -> label for units (by id) or a master-data list."""
    if source == "units":
        units = (await session.execute(select(Unit))).scalars()
        return {str(u.id): u.name for u in units}
    if source == "urusan_irisan":
        source = "urusan"
    if not source:
        return {}
    return {o.key: o.label for o in deps.master.options(source)}


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def person(t: Translator, user: User | None) -> str:
    """Return a user's display name; erased users show as "pengguna dihapus"."""
    if user is None:
        return t("people.system")
    if user.deleted_at is not None or not user.name:
        return t("people.erased")
    return _esc(user.name)


def helpdesk(t: Translator, deps: Deps) -> str:
    """Return the help's last line: HELPDESK, or else the Pemda's Bagian Organisasi."""
    contact = deps.settings.helpdesk.strip()
    if contact:
        return t("menu.helpdesk", contact=contact)
    return t("menu.helpdesk_none", pemda=deps.settings.pemda_name)


def local(deps: Deps, moment: datetime) -> datetime:
    """Convert a stored UTC time to the Pemda's time zone."""
    return moment.astimezone(deps.policy.zone)


def status_label(t: Translator, status: str) -> str:
    """Return the readable name of a status."""
    return t(f"status.{status}")


def item_label(t: Translator, innovation: Innovation) -> str:
    """Return a one-line plain label for list buttons."""
    name = innovation.nama_inovasi or t.plain("reg.untitled")
    code = innovation.code or t.plain("status.no_code")
    return t.plain("card.item", code=code, name=name, status=t.plain(f"status.{innovation.status}"))


async def _labels(session: AsyncSession, deps: Deps, step: Step) -> dict[str, str]:
    return await option_labels(session, deps, step.options or "") if step.options else {}


async def profile_lines(
    session: AsyncSession, deps: Deps, t: Translator, answers: dict[str, Any], preview: int
) -> list[str]:
    """Return one line per asked field of the profile."""
    lines = []
    for step in REGISTRATION.steps:
        if not step.asked(answers):
            continue
        value = format_value(
            step, answers.get(step.key), t, await _labels(session, deps, step), preview=preview
        )
        lines.append(f"<b>{t(f'reg.{step.key}.label')}</b>: {value}")
    return lines


async def timeline(
    session: AsyncSession, deps: Deps, t: Translator, innovation: Innovation
) -> list[str]:
    """Return the audit trail as lines: when, what, who, comment."""
    events = await inno.events_of(session, innovation.id)
    actors = {e.actor_id for e in events if e.actor_id}
    users = {}
    if actors:
        rows = await session.execute(select(User).where(User.id.in_(actors)))
        users = {u.id: u for u in rows.scalars()}
    lines = []
    for event in events:
        who = person(t, users.get(event.actor_id) if event.actor_id else None)
        line = _event_line(t, event, when=t.time(local(deps, event.at)), who=Raw(who))
        if event.comment:
            line += "\n   " + t("card.comment", comment=event.comment)
        lines.append(line)
    return lines


def _event_line(t: Translator, event: StatusEvent, *, when: str, who: Raw) -> str:
    """Return one line of the history; a revision's step and a withdrawal say what they were
    (an accepted revision: which fields it changed)."""
    data = event.data or {}
    if "revision" in data:
        step = str(data.get("revision_status") or "")
        line = t(
            "card.event_revision",
            when=when,
            n=data["revision"],
            status=t.plain(f"rvs.status.{step}"),
            who=who,
        )
        changed = data.get("changes") or {}
        if changed and step == RevisionStatus.DITERIMA:
            labels = ", ".join(t.plain(f"reg.{k}.label") for k in changed)
            line += "\n   " + t("card.event_changed", fields=labels)
        return line
    if data.get("withdrawn"):
        return t("card.event_withdrawn", when=when, who=who)
    return t("card.event", when=when, status=status_label(t, event.to_status), who=who)


async def status_card(
    session: AsyncSession, deps: Deps, t: Translator, innovation: Innovation
) -> str:
    """Return the full card of one innovation: fields, status, completeness, files, timeline."""
    owner = await session.get(User, innovation.owner_id)
    unit = await session.get(Unit, innovation.unit_id) if innovation.unit_id else None
    check = inno.profile_completeness(innovation)
    answers = inno.answers_of(innovation)
    if answers.get("unit_id") is not None:
        answers["unit_id"] = str(answers["unit_id"])
    for key in ("waktu_uji_coba", "waktu_penerapan"):
        if answers.get(key) is not None:
            answers[key] = answers[key].isoformat()
    head = [
        t(
            "card.title",
            code=innovation.code or t.plain("status.no_code"),
            name=innovation.nama_inovasi or t.plain("reg.untitled"),
        ),
        t("card.status", status=Raw(status_label(t, innovation.status))),
        t("card.owner", unit=unit.name if unit else "-", owner=Raw(person(t, owner))),
        t("reg.completeness", percent=check.percent, met=check.met, total=check.total),
    ]
    if innovation.status == Status.DIKEMBALIKAN and innovation.flagged_fields:
        fields = ", ".join(t.plain(f"reg.{k}.label") for k in innovation.flagged_fields)
        head.append(t("card.flagged", fields=fields))
    if innovation.status == Status.TERVERIFIKASI:
        revision = await revisions.open_of(session, innovation.id)
        if revision is not None:  # the fields below stay the verified ones until it is accepted
            status = t.plain(f"rvs.status.{revision.status}")
            head.append(t("rvs.card_line", n=revision.number, status=status))
    deadline = await monev.next_deadline(session, innovation_id=innovation.id)
    if deadline is not None:
        today = local(deps, deps.clock.now()).date()
        line = deadline_views.deadline_line(t, deadline, today=today)
        head.append(t("card.next_deadline", line=Raw(line)))
    events = await timeline(session, deps, t, innovation)
    text = ""
    for preview in CARD_PREVIEWS:
        body = await profile_lines(session, deps, t, answers, preview)
        shown_events = events
        while True:
            parts = [*head, "", *body, "", t("card.timeline"), *shown_events]
            text = "\n".join(parts)
            if len(text) <= MAX_MESSAGE or len(shown_events) <= 3:
                break
            shown_events = shown_events[-(len(shown_events) // 2) :]
        if len(text) <= MAX_MESSAGE:
            return text
    return text[:MAX_MESSAGE]


def _plain_value(t: Translator, key: str, value: Any, labels: dict[str, str]) -> str:
    step = REGISTRATION.step(key)
    return format_value(step, value, t, labels, preview=200)


async def changes_text(
    session: AsyncSession, deps: Deps, t: Translator, changes: dict[str, tuple[Any, Any]]
) -> str:
    """Return "field: old → new" lines for a resubmitted profile."""
    lines = []
    for key, (old, new) in changes.items():
        step = REGISTRATION.step(key)
        labels = await _labels(session, deps, step)
        lines.append(
            t(
                "review.change",
                label=t.plain(f"reg.{key}.label"),
                old=Raw(_plain_value(t, key, old, labels)),
                new=Raw(_plain_value(t, key, new, labels)),
            )
        )
    return "\n".join(lines)


async def submission_notices(
    session: AsyncSession,
    deps: Deps,
    innovation: Innovation,
    submission: inno.Submission,
    recipients: monev.Recipients,
) -> list[Notice]:
    """Tell the recipients that an innovation was submitted (again: with what changed)."""
    owner = await session.get(User, innovation.owner_id)
    unit = await session.get(Unit, innovation.unit_id) if innovation.unit_id else None
    notices = []
    for reviewer in recipients.users:
        if reviewer.telegram_id is None:
            continue
        t = deps.translator(reviewer.language)
        name = innovation.nama_inovasi or ""
        if submission.returned_by is not None:
            changes = await changes_text(session, deps, t, submission.changes)
            text = t(
                "review.resubmitted",
                code=submission.code,
                name=name,
                changes=Raw(changes or t("review.no_changes")),
            )
        else:
            text = t(
                "review.submitted_notice",
                code=submission.code,
                name=name,
                unit=unit.name if unit else "-",
                owner=Raw(person(t, owner)),
            )
        button = Button(t.plain("card.open"), f"st:{innovation.id}")
        notices.append(Notice(reviewer.telegram_id, Screen(text, [[button]])))
    return notices


async def last_comment(session: AsyncSession, innovation_id: int) -> StatusEvent | None:
    """Return the latest return event (with the reviewer's comment)."""
    return await inno.last_event(session, innovation_id, to_status=Status.DIKEMBALIKAN)


def _owner_chat(owner: User | None) -> int | None:
    if owner is None or owner.deleted_at is not None:
        return None
    return owner.telegram_id


async def returned_notices(
    session: AsyncSession, deps: Deps, innovation: Innovation
) -> list[Notice]:
    """Tell the owner their innovation came back, with the comment and the fields to fix."""
    owner = await session.get(User, innovation.owner_id)
    chat = _owner_chat(owner)
    if owner is None or chat is None:
        return []
    t = deps.translator(owner.language)
    event = await last_comment(session, innovation.id)
    fields = ", ".join(t.plain(f"reg.{k}.label") for k in innovation.flagged_fields or [])
    text = t(
        "review.returned",
        code=innovation.code or "",
        name=innovation.nama_inovasi or "",
        comment=(event.comment if event else "") or "",
    )
    if fields:
        text += "\n" + t("card.flagged", fields=fields)
    button = Button(t.plain("review.fix_now"), f"draft:{innovation.id}")
    return [Notice(chat, Screen(text, [[button]]))]


async def owner_told(
    session: AsyncSession, t: Translator, innovation: Innovation, notices: list[Notice]
) -> str:
    """Say whether the owner could be told of a decision on their innovation: only when a
    notice was made for them and the bot can still reach them."""
    owner = await session.get(User, innovation.owner_id)
    told = bool(notices) and owner is not None and not owner.unreachable
    return t("review.owner_told" if told else "review.owner_not_told")


async def decision_notices(
    session: AsyncSession, deps: Deps, innovation: Innovation
) -> list[Notice]:
    """Tell the owner their innovation was verified or stopped."""
    owner = await session.get(User, innovation.owner_id)
    chat = _owner_chat(owner)
    if owner is None or chat is None:
        return []
    t = deps.translator(owner.language)
    events = await inno.events_of(session, innovation.id)
    comment = events[-1].comment if events else None
    text = t(
        f"review.{innovation.status}",
        code=innovation.code or "",
        name=innovation.nama_inovasi or "",
        comment=comment or "-",
    )
    return [Notice(chat, Screen(text, [[Button(t.plain("card.open"), f"st:{innovation.id}")]]))]


async def role_notices(
    session: AsyncSession, deps: Deps, target: User
) -> tuple[list[Notice], list[Menu]]:
    """Tell a user their role changed; return the notice and the command menu to set."""
    if target.telegram_id is None:
        return [], []
    t = deps.translator(target.language)
    unit = await session.get(Unit, target.unit_id) if target.unit_id else None
    text = t(
        "people.your_role",
        role=t.plain(f"role.{target.role}"),
        unit=unit.name if unit else "-",
    )
    menu = Menu(target.telegram_id, target.role, target.language)
    return [Notice(target.telegram_id, Screen(text))], [menu]


MAX_NAMES = 3


def told(t: Translator, recipients: monev.Recipients, *, kept: str = "") -> str:
    """Say who was told (by name, a few at most), or that nobody could be; when nobody was,
    ``kept`` (a text key) says what stays saved all the same."""
    unit = recipients.unit.name if recipients.unit else ""
    shown = [person(t, u) for u in recipients.users[:MAX_NAMES]]
    if len(recipients.users) > MAX_NAMES:
        shown.append(t("notify.more", count=len(recipients.users) - MAX_NAMES))
    names = Raw(", ".join(shown))
    if recipients.kind == "reviewer":
        return t("notify.reviewer", names=names)
    if recipients.kind == "verifiers":
        return t("notify.verifiers", unit=unit, names=names)
    if recipients.kind == "admins":
        key = "notify.admins_instead" if unit else "notify.admins"
        return t(key, unit=unit, names=names)
    text = t("notify.nobody" if unit else "notify.nobody_admins", unit=unit)
    return f"{text} {t(kept)}" if kept else text


def paged_list(
    t: Translator,
    title: str,
    items: list[tuple[str, str]],
    *,
    page: int,
    pages: int,
    list_key: str,
) -> Screen:
    """Return a list screen: one button per item, then ◀️ n/N ▶️ (payload ``pg:<key>:<n>``)."""
    rows = [[Button(label, data)] for label, data in items]
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(Button(t.plain("form.prev_page"), f"pg:{list_key}:{page - 1}"))
        nav.append(Button(t.plain("form.page", n=page + 1, total=pages), "noop"))
        if page < pages - 1:
            nav.append(Button(t.plain("form.next_page"), f"pg:{list_key}:{page + 1}"))
        rows.append(nav)
    return Screen(title, rows)


_EVERYONE = (
    "start", "baru", "draf", "inovasiku", "status", "monev", "jadwal", "batal", "dataku", "bahasa",
)  # fmt: skip
_REVIEW = ("antrian", "statistik", "ekspor")
ROLE_COMMANDS = {
    "pengusul": (*_EVERYONE, "bantuan"),
    "verifikator": (*_EVERYONE, *_REVIEW, "bantuan"),
    "admin": (*_EVERYONE, *_REVIEW, "tenggat", "undang", "pengguna", "bantuan"),
}


# -- before verifying, reading in full, the evidence -------------------------------------------

READ_FIELDS = ("masalah", "rancang_bangun", "tujuan", "manfaat", "hasil")
SPLIT_AT = ("\n\n", "\n", " ")  # paragraphs, then lines, then words, then characters
HEADER_ROOM = 300  # kept free in a message for a field's heading


def utf16_length(text: str) -> int:
    """Return the length Telegram counts (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _size(text: str) -> int:
    return utf16_length(_esc(text))


def split_text(text: str, limit: int, separators: tuple[str, ...] = SPLIT_AT) -> list[str]:
    """Cut a plain text into pieces no longer than ``limit`` once HTML-escaped: at paragraph
    boundaries when that is enough, else at line breaks, words, and as a last resort inside a
    word."""
    if _size(text) <= limit:
        return [text]
    if not separators:
        cuts, cut, size = [], "", 0
        for char in text:
            grows = _size(char)
            if cut and size + grows > limit:
                cuts.append(cut)
                cut, size = "", 0
            cut += char
            size += grows
        return [*cuts, cut] if cut else cuts
    sep, finer = separators[0], separators[1:]
    pieces: list[str] = []
    current: str | None = None
    size = 0
    for part in text.split(sep):
        first, *rest = split_text(part, limit, finer) or [""]
        if current is not None and size + _size(sep + first) <= limit:
            current += sep + first
            size += _size(sep + first)
        else:
            if current is not None:
                pieces.append(current)
            current, size = first, _size(first)
        for piece in rest:  # already packed as full as the finer cut allows
            pieces.append(current)
            current, size = piece, _size(piece)
    if current is not None:
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def full_texts(t: Translator, innovation: Innovation) -> list[str]:
    """Return the innovation's long texts in full, each under its label, as messages that fit
    Telegram's limit (cut at paragraph boundaries; a field cut in two says it continues)."""
    messages: list[str] = []
    current = t(
        "read.title",
        code=innovation.code or t.plain("status.no_code"),
        name=innovation.nama_inovasi or t.plain("reg.untitled"),
    )
    for key in READ_FIELDS:
        text = (getattr(innovation, key) or "").strip()
        label = t.plain(f"reg.{key}.label")
        if text:
            head = t("read.field", label=label, words=t.number(count_words(text)))
            pieces = [_esc(p) for p in split_text(text, MAX_MESSAGE - HEADER_ROOM)]
        else:
            head, pieces = t("read.field_empty", label=label), []
        blocks = [f"{head}\n{pieces[0]}" if pieces else head, *pieces[1:]]
        for n, block in enumerate(blocks):
            if utf16_length(current) + 2 + utf16_length(block) <= MAX_MESSAGE:
                current += "\n\n" + block
                continue
            messages.append(current)
            current = block if n == 0 else t("read.field_more", label=label) + "\n" + block
    messages.append(current)
    return messages


def verify_confirmation(t: Translator, check: review.VerificationCheck) -> Screen:
    """Ask "Verify INO-...?", naming what the profile still misses against IID's rules, with
    ✅ Yes, verify / ↩️ Return / Cancel."""
    innovation = check.innovation
    code = innovation.code or ""
    lines = [
        t("review.confirm_title", code=code, name=innovation.nama_inovasi or ""),
        "",
    ]
    percent = check.completeness.percent
    if check.gaps:
        lines.append(t("review.confirm_gaps", percent=percent))
        for gap in check.gaps:
            label = t.plain(f"reg.{gap.key}.label")
            if gap.words is None:
                lines.append(t("review.gap_missing", label=label))
            else:
                lines.append(t("review.gap_short", label=label, words=gap.words, min=gap.min_words))
        lines += ["", t("review.confirm_gaps_hint")]
    else:
        lines.append(t("review.confirm_complete", percent=percent))
    buttons = [
        [
            Button(t.plain("review.verify_yes"), f"rv:vy:{innovation.id}:{check.version}"),
            Button(t.plain("review.return"), f"rv:k:{innovation.id}"),
        ],
        [Button(t.plain("review.verify_cancel"), f"rv:b:{innovation.id}")],
    ]
    return Screen("\n".join(lines), buttons)


@dataclass(frozen=True)
class EvidenceFile:
    """One evidence file to send: where it is stored, the name it gets, its caption."""

    path: str
    filename: str
    caption: str
    photo: bool


def evidence_files(t: Translator, innovation: Innovation) -> list[EvidenceFile]:
    """Return the innovation's evidence files named for what they are (``INO-2026-0001-bukti-
    1.pdf``, with the extension of the content the bot detected) and captioned with the
    sender's name of the file."""
    code = innovation.code or t.plain("read.draft_name", id=innovation.id)
    total = len(innovation.attachments)
    files = []
    for n, attachment in enumerate(innovation.attachments, start=1):
        extension = PurePosixPath(attachment.path).suffix.lstrip(".").lower() or "bin"
        original = safe_filename(attachment.filename) or PurePosixPath(attachment.path).name
        files.append(
            EvidenceFile(
                path=attachment.path,
                filename=t.plain("evidence.file_name", code=code, n=n, ext=extension),
                caption=t("evidence.caption", code=code, n=n, total=total, name=original),
                photo=attachment.kind == "photo",
            )
        )
    return files
