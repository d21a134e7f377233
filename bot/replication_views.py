"""What the bot shows about near-duplicates and replications: the warning during registration,
the card's lines, and the notice to the owner of a replicated innovation.

Payloads: ``dup:<d|r|m>:<draft id>[:<other id>]`` (the warning's choices: a different
innovation, a replication of the other, the other is mine) and ``rpl:<id>`` (the card's
"🔁 Replikasi"), handled in handlers/replication.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot import views
from bot.deps import Deps
from bot.forms.screens import Button, Notice, Screen
from bot.i18n import Raw, Translator
from models.services.replications import Link
from models.tables import Innovation, User

DUPLICATE_PREFIX = "dup:"
REPLICATE_PREFIX = "rpl:"
MASALAH_PREVIEW = 160
REF_IN_BUTTON = 14  # a draft's name in a button, when there is no code to name it by
MAX_LISTED = 5  # replications named on a card, per direction


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def unit_name(t: Translator, innovation: Innovation) -> str:
    """Return the innovation's unit, or "-"."""
    return innovation.unit.name if innovation.unit is not None else "-"


def reference(t: Translator, innovation: Innovation) -> str:
    """Return how to name an innovation in one line: its code, or "draf Anda"."""
    return innovation.code or t.plain("dup.your_draft")


def replicable(innovation: Innovation) -> bool:
    """Whether an innovation may be named as the original of a replication: it has been
    submitted (a code), not a draft no one else has seen."""
    return innovation.code is not None


def warning(t: Translator, draft: Innovation, found: Sequence[Innovation]) -> Screen:
    """Return the near-duplicate warning: the closest innovations and the three choices."""
    lines = [t("dup.title"), ""]
    for other in found:
        lines.append(
            t(
                "dup.match",
                ref=reference(t, other),
                unit=unit_name(t, other),
                name=other.nama_inovasi or "",
            )
        )
        if other.masalah:
            lines.append(t("dup.masalah", text=_cut(other.masalah, MASALAH_PREVIEW)))
    lines += ["", t("dup.question")]
    rows = [[Button(t.plain("dup.different"), f"{DUPLICATE_PREFIX}d:{draft.id}")]]
    for other in found:
        if replicable(other):
            label = t.plain("dup.replica", code=other.code)
            rows.append([Button(label, f"{DUPLICATE_PREFIX}r:{draft.id}:{other.id}")])
    for other in found:
        ref = other.code or _cut(other.nama_inovasi or "", REF_IN_BUTTON)
        label = t.plain("dup.mine") if len(found) == 1 else t.plain("dup.mine_of", ref=ref)
        rows.append([Button(label, f"{DUPLICATE_PREFIX}m:{draft.id}:{other.id}")])
    return Screen("\n".join(lines), rows)


def link_text(t: Translator, link: Link) -> str:
    """Return one replication's other side: "INO-2026-0003 name", "name (region)", "region"."""
    if link.other is not None:
        code = link.other.code or t.plain("status.no_code")
        return t("repl.item_internal", code=code, name=link.name or "")
    if link.name:
        return t("repl.item_external", name=link.name, region=link.region or "-")
    return t("repl.item_region", region=link.region or "-")


def card_lines(t: Translator, originals: Sequence[Link], replicas: Sequence[Link]) -> str:
    """Return the card's lines on what the innovation replicates and who replicated it."""
    lines = []
    for key, links in (("repl.card_from", originals), ("repl.card_by", replicas)):
        if not links:
            continue
        items = "; ".join(link_text(t, link) for link in links[:MAX_LISTED])
        if len(links) > MAX_LISTED:
            items += "; " + t("repl.card_more", count=len(links) - MAX_LISTED)
        lines.append(t(key, count=len(links), items=Raw(items)))
    return "\n".join(lines)


def card_row(t: Translator, user: User, innovation: Innovation) -> list[list[Button]]:
    """Return the owner's "🔁 Replikasi" button on the card."""
    if innovation.owner_id != user.id:
        return []
    return [[Button(t.plain("repl.card_button"), f"{REPLICATE_PREFIX}{innovation.id}")]]


def original_told(
    deps: Deps, original: Innovation, replica: Innovation, *, by: User
) -> list[Notice]:
    """Tell the original's owner (unless they recorded it themselves) that another
    innovation of the Pemda replicates theirs."""
    reach = views.reach_owner(deps, original.owner)
    if reach is None or original.owner_id == by.id:
        return []
    chat, t = reach
    text = t(
        "repl.notice",
        code=original.code or t.plain("status.no_code"),
        name=original.nama_inovasi or "",
        replica=replica.nama_inovasi or t.plain("reg.untitled"),
        replica_code=replica.code or t.plain("repl.notice_draft"),
        unit=unit_name(t, replica),
        who=Raw(views.person(t, by)),
    )
    button = Button(t.plain("repl.notice_open"), f"st:{original.id}")
    return [Notice(chat, Screen(text, [[button]]))]


def told_line(t: Translator, notices: Sequence[Notice], original: Innovation, by: User) -> str:
    """Say whether the original's owner was told."""
    if original.owner_id == by.id:
        return ""
    return t("repl.owner_told" if notices else "repl.owner_not_told")
