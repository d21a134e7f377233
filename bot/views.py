"""What the bot shows about innovations: status cards, list labels, review notices.

Everything here returns channel-independent :class:`Screen` objects or safe HTML strings.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from bot import deadline_views
from bot.deps import Deps
from bot.field_labels import field_labels
from bot.forms.definitions import REGISTRATION
from bot.forms.engine import Button, Notice, Screen, Step, format_value
from bot.forms.screens import Menu, TemplateHint
from bot.i18n import Raw, Translator
from models.filecheck import safe_filename
from models.services import innovations as inno
from models.services import monev, review
from models.services.cards import Card, Labels
from models.services.notice_data import Decided, Submitted
from models.tables import Innovation, RevisionStatus, Status, StatusEvent, Unit, User
from models.validation import count_words

MAX_MESSAGE = 4000
CARD_PREVIEWS = (120, 60, 30)


def label_sources(keys: Iterable[str] | None = None) -> set[str]:
    """Return the option sources the profile's fields (or those of ``keys``) show labels of."""
    steps = REGISTRATION.steps if keys is None else [REGISTRATION.step(k) for k in keys]
    return {s.options for s in steps if s.options}


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


def _labels(labels: Labels, step: Step) -> Mapping[str, str]:
    return labels.get(step.options, {}) if step.options else {}


def profile_lines(
    t: Translator, labels: Labels, answers: dict[str, Any], preview: int
) -> list[str]:
    """Return one line per asked field of the profile (``labels``: by option source)."""
    lines = []
    for step in REGISTRATION.steps:
        if not step.asked(answers):
            continue
        value = format_value(step, answers.get(step.key), t, _labels(labels, step), preview=preview)
        lines.append(f"<b>{t(f'reg.{step.key}.label')}</b>: {value}")
    return lines


def timeline(
    t: Translator, deps: Deps, events: Iterable[StatusEvent], actors: Mapping[int, User]
) -> list[str]:
    """Return the audit trail as lines: when, what, who (``actors``: by id), comment."""
    lines = []
    for event in events:
        who = person(t, actors.get(event.actor_id) if event.actor_id else None)
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


def status_card(t: Translator, deps: Deps, card: Card, tail: str = "") -> str:
    """Return the full card of one innovation: fields, status, completeness, files, timeline,
    then ``tail`` (what the caller adds: replications, indicators, changes), all within the
    message limit."""
    innovation, owner, unit = card.innovation, card.owner, card.unit
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
        fields = field_labels(t, deps.iid, innovation.flagged_fields)
        head.append(t("card.flagged", fields=fields))
    revision = card.revision if innovation.status == Status.TERVERIFIKASI else None
    if revision is not None:  # the fields below stay the verified ones until it is accepted
        status = t.plain(f"rvs.status.{revision.status}")
        head.append(t("rvs.card_line", n=revision.number, status=status))
    if card.deadline is not None:
        today = local(deps, deps.clock.now()).date()
        line = deadline_views.deadline_line(t, card.deadline, today=today)
        head.append(t("card.next_deadline", line=Raw(line)))
    events = timeline(t, deps, card.events, card.actors)
    text = ""
    for preview in CARD_PREVIEWS:
        body = profile_lines(t, card.labels, answers, preview)
        shown_events = events
        while True:
            parts = [*head, "", *body, "", t("card.timeline"), *shown_events]
            text = "\n".join(parts) + tail
            if len(text) <= MAX_MESSAGE or len(shown_events) <= 3:
                break
            shown_events = shown_events[-(len(shown_events) // 2) :]
        if len(text) <= MAX_MESSAGE:
            return text
    return text[:MAX_MESSAGE]


def changes_text(t: Translator, labels: Labels, changes: dict[str, tuple[Any, Any]]) -> str:
    """Return "field: old → new" lines for a resubmitted profile (``labels``: by source)."""
    lines = []
    for key, (old, new) in changes.items():
        step = REGISTRATION.step(key)
        shown = _labels(labels, step)
        lines.append(
            t(
                "review.change",
                label=t.plain(f"reg.{key}.label"),
                old=Raw(format_value(step, old, t, shown, preview=200)),
                new=Raw(format_value(step, new, t, shown, preview=200)),
            )
        )
    return "\n".join(lines)


def languages_of(recipients: monev.Recipients) -> set[str]:
    """Return the languages the recipients of a notice read."""
    return {u.language for u in recipients.users}


def notice_sources(changes: dict[str, tuple[Any, Any]], recipients: monev.Recipients) -> set[str]:
    """Return the label sources of the changed fields, if anyone is told of ``changes``."""
    told = any(u.reachable_somewhere for u in recipients.users)
    return label_sources(changes) if told else set()


def submission_sources(submission: inno.Submission, recipients: monev.Recipients) -> set[str]:
    """Return the label sources :func:`submission_notices` shows (a resubmission's)."""
    returned = submission.returned_by is not None
    return notice_sources(submission.changes, recipients) if returned else set()


def submission_notices(
    deps: Deps,
    innovation: Innovation,
    submission: inno.Submission,
    recipients: monev.Recipients,
    data: Submitted,
) -> list[Notice]:
    """Tell the recipients that an innovation was submitted (again: with what changed)."""
    owner, unit = data.owner, data.unit
    notices = []
    for reviewer in recipients.users:
        if not reviewer.reachable_somewhere:
            continue
        t = deps.translator(reviewer.language)
        name = innovation.nama_inovasi or ""
        if submission.returned_by is not None:
            changes = changes_text(t, data.labels_in(t.lang), submission.changes)
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
        notices.append(Notice(reviewer.id, Screen(text, [[button]])))
    return notices


def reach_owner(deps: Deps, owner: User | None) -> tuple[int, Translator] | None:
    """Return the owner (their id, for a notice) and their texts, if the bot may write to
    them."""
    if owner is None or owner.deleted_at is not None or not owner.reachable_somewhere:
        return None
    return owner.id, deps.translator(owner.language)


def returned_notices(deps: Deps, innovation: Innovation, decided: Decided) -> list[Notice]:
    """Tell the owner their innovation came back, with the comment and the fields to fix."""
    reach = reach_owner(deps, decided.owner)
    if reach is None:
        return []
    chat, t = reach
    fields = field_labels(t, deps.iid, innovation.flagged_fields)
    text = t(
        "review.returned",
        code=innovation.code or "",
        name=innovation.nama_inovasi or "",
        comment=decided.comment or "",
    )
    if fields:
        text += "\n" + t("card.flagged", fields=fields)
    button = Button(t.plain("review.fix_now"), f"draft:{innovation.id}")
    name = f"{innovation.nama_inovasi or ''} ({innovation.code or ''})"
    hint = TemplateHint("returned", (("innovation", name),))
    return [Notice(chat, Screen(text, [[button]], template=hint))]


def owner_told(t: Translator, owner: User | None, notices: list[Notice]) -> str:
    """Say whether the owner could be told of a decision on their innovation: only when a
    notice was made for them and the bot can still reach them."""
    told = bool(notices) and owner is not None and not owner.unreachable
    return t("review.owner_told" if told else "review.owner_not_told")


def decision_notices(deps: Deps, innovation: Innovation, decided: Decided) -> list[Notice]:
    """Tell the owner their innovation was verified or stopped."""
    reach = reach_owner(deps, decided.owner)
    if reach is None:
        return []
    chat, t = reach
    text = t(
        f"review.{innovation.status}",
        code=innovation.code or "",
        name=innovation.nama_inovasi or "",
        comment=decided.comment or "-",
    )
    rows = [[Button(t.plain("card.open"), f"st:{innovation.id}")]]
    if innovation.status == Status.TERVERIFIKASI:  # ask whether to show it on the catalog
        text += "\n\n" + t("pub.ask")
        rows.append([Button(t.plain("pub.agree"), f"pub:y:{innovation.id}")])
        rows.append([Button(t.plain("pub.decline"), f"pub:n:{innovation.id}")])
    return [Notice(chat, Screen(text, rows))]


def role_notices(deps: Deps, target: User, unit: Unit | None) -> tuple[list[Notice], list[Menu]]:
    """Tell a user their role changed; return the notice and the command menu to set."""
    if not target.reachable_somewhere:
        return [], []
    t = deps.translator(target.language)
    text = t(
        "people.your_role",
        role=t.plain(f"role.{target.role}"),
        unit=unit.name if unit else "-",
    )
    menu = Menu(target.id, target.role, target.language)
    return [Notice(target.id, Screen(text))], [menu]


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
        nav.append(Button(t.plain("form.page", n=page + 1, total=pages), "noop", info=True))
        if page < pages - 1:
            nav.append(Button(t.plain("form.next_page"), f"pg:{list_key}:{page + 1}"))
        rows.append(nav)
    return Screen(title, rows)


_EVERYONE = (
    "start", "baru", "draf", "inovasiku", "status", "indikator", "proposal", "monev", "jadwal",
    "batal", "dataku", "bahasa",
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


def file_code(t: Translator, innovation: Innovation) -> str:
    """What names an innovation's files and folders: its code, ``draf-<id>`` before it has one."""
    return innovation.code or t.plain("read.draft_name", id=innovation.id)


def evidence_files(t: Translator, innovation: Innovation) -> list[EvidenceFile]:
    """Return the innovation's evidence files named for what they are (``INO-2026-0001-bukti-
    1.pdf``, with the extension of the content the bot detected) and captioned with the
    sender's name of the file."""
    code = file_code(t, innovation)
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
