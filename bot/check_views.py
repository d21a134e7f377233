"""What the owner, the verifiers and the exports see of changes to a verified innovation's
indicators and proposal that wait for a verifier (:mod:`models.services.document_checks`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import views
from bot.deps import Deps
from bot.field_labels import field_labels
from bot.forms.screens import Button, Notice, Screen
from bot.i18n import Raw, Translator
from models.document_tables import IndicatorAnswer
from models.iid import IidRules
from models.services import monev
from models.services.document_checks import Waiting
from models.tables import Innovation, Status, User

# the review buttons' actions (handlers/review.py reads them back):
ACCEPT = "dv"  # rv:dv:<innovation>:<what the reviewer saw, in microseconds since 1970>
RETURN = "dk"  # rv:dk:<innovation>: ask for a fix, with a comment


def names(t: Translator, rules: IidRules, waiting: Waiting) -> str:
    """The changed indicators and sections, by their names."""
    return field_labels(t, rules, waiting.flags())


def card_line(t: Translator, rules: IidRules, waiting: Waiting) -> str:
    """The card's line on what waits for a verifier."""
    return t("checks.card_waiting", names=names(t, rules, waiting))


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def seen_stamp(now: datetime) -> int:
    """The moment a card was shown, as the accept button carries it (exact microseconds)."""
    return (now - EPOCH) // MICROSECOND


def seen_time(stamp: int) -> datetime | None:
    """The moment an accept button says its card was shown (None if out of range)."""
    try:
        return EPOCH + stamp * MICROSECOND
    except OverflowError:
        return None


def accept_button(t: Translator, innovation: Innovation, now: datetime) -> Button:
    """✅ for a reviewer: accept what changed up to now."""
    return Button(t.plain("checks.accept_button"), f"rv:{ACCEPT}:{innovation.id}:{seen_stamp(now)}")


def is_waiting(innovation: Innovation, row: IndicatorAnswer | None) -> bool:
    """Whether a verified innovation's stored answer changed since a verifier checked it."""
    return innovation.status == Status.TERVERIFIKASI and row is not None and row.verified_at is None


def verified_cell(t: Translator, innovation: Innovation, row: IndicatorAnswer | None) -> str:
    """The export's "Diverifikasi" cell of one indicator: yes once the innovation is verified
    and the answer has not changed since (an answer the profile implies was verified with
    it)."""
    checked = innovation.status == Status.TERVERIFIKASI and not is_waiting(innovation, row)
    return t.plain("checks.verified_yes" if checked else "checks.verified_no")


def change_notices(
    deps: Deps,
    innovation: Innovation,
    owner: User,
    waiting: Waiting,
    recipients: monev.Recipients,
) -> list[Notice]:
    """Tell the reviewers the owner changed a verified innovation's indicators or proposal."""
    notices = []
    code = innovation.code or ""
    for reviewer in recipients.users:
        t = deps.translator(reviewer.language)
        text = t(
            "checks.notice",
            owner=Raw(views.person(t, owner)),
            names=names(t, deps.iid, waiting),
            code=code,
            name=innovation.nama_inovasi or "",
        )
        button = Button(t.plain("checks.open_button", code=code), f"st:{innovation.id}")
        notices.append(Notice(reviewer.id, Screen(text, [[button]])))
    return notices


def return_button(t: Translator, innovation: Innovation) -> Button:
    """↩️ for a reviewer: ask the owner to fix what changed, with a comment."""
    return Button(t.plain("checks.return_button"), f"rv:{RETURN}:{innovation.id}")


def returned_notices(
    deps: Deps, innovation: Innovation, owner: User | None, waiting: Waiting, comment: str
) -> list[Notice]:
    """Tell the owner a reviewer asks them to fix the changes, with the comment and the
    buttons that open the indicators and the proposal."""
    reach = views.reach_owner(deps, owner)
    if reach is None:
        return []
    owner_id, t = reach
    text = t(
        "checks.owner_returned", code=innovation.code or "", name=innovation.nama_inovasi or "",
        names=names(t, deps.iid, waiting), comment=comment,
    )  # fmt: skip
    rows = []
    if waiting.indicators:
        rows.append([Button(t.plain("card.indicators"), f"iid:{innovation.id}")])
    if waiting.sections:
        rows.append([Button(t.plain("doc.proposal_button"), f"kipp:{innovation.id}")])
    return [Notice(owner_id, Screen(text, rows))]


def accepted_notices(deps: Deps, innovation: Innovation, owner: User | None) -> list[Notice]:
    """Tell the owner a reviewer accepted the changes."""
    reach = views.reach_owner(deps, owner)
    if reach is None:
        return []
    owner_id, t = reach
    text = t(
        "checks.owner_accepted", code=innovation.code or "", name=innovation.nama_inovasi or ""
    )
    return [Notice(owner_id, Screen(text))]
