"""Whether a verified innovation is on the public catalog: its owner agrees (asked when it is
verified, changeable on its card), chooses whether the contact number and which photos are
shown; an admin can take it down."""

from __future__ import annotations

from bot import publication_views
from bot.forms.screens import Outcome, Screen
from handlers.core import Routes, Turn, stale
from models.ids import parse_id
from models.services import publication, review
from models.tables import Innovation, Role, Status

PREFIX = "pub:"
# pub:<action>:<innovation id>[:<attachment id>]
OWNER_ACTIONS = {"s", "y", "n", "c", "f"}
ADMIN_ACTIONS = {"h", "u"}


async def _innovation(turn: Turn, raw_id: str) -> Innovation | None:
    innovation_id = parse_id(raw_id)
    if innovation_id is None:
        return None
    return await review.find_visible(turn.session, user=turn.user, innovation_id=innovation_id)


async def screen(turn: Turn, innovation: Innovation, note: str = "") -> Screen:
    """The owner's catalog choices for one innovation, each a button that changes it."""
    row = await publication.get(turn.session, innovation.id)
    return publication_views.choices(turn.t, innovation, row, note)


async def on_button(turn: Turn) -> Outcome:
    """Show or change the catalog choices (owner), or take down / let back (admin)."""
    action, _, rest = turn.payload.removeprefix(PREFIX).partition(":")
    raw_id, _, raw_photo = rest.partition(":")
    innovation = await _innovation(turn, raw_id)
    if innovation is None or innovation.status != Status.TERVERIFIKASI:
        return stale(turn)
    t, now, user = turn.t, turn.deps.clock.now(), turn.user
    if action in ADMIN_ACTIONS and user.role == Role.ADMIN:
        if action == "h":
            await publication.hide(turn.session, innovation, by=user.id, now=now)
        else:
            await publication.unhide(turn.session, innovation)
        return Outcome([Screen(t(f"pub.admin_{action}", code=innovation.code or ""))])
    if action not in OWNER_ACTIONS or innovation.owner_id != user.id:
        return stale(turn)
    note = ""
    if action in ("y", "n"):
        await publication.decide(
            turn.session, innovation, published=action == "y", by=user.id, now=now
        )
        note = t(f"pub.done_{action}")
    elif action == "c":
        row = await publication.get(turn.session, innovation.id)
        await publication.set_contact(
            turn.session, innovation, shown=not (row and row.public_contact)
        )
    elif action == "f":
        photo_id = parse_id(raw_photo)
        if photo_id is None:
            return stale(turn)
        await publication.toggle_photo(turn.session, innovation, photo_id)
    return Outcome([await screen(turn, innovation, note)])


ROUTES = Routes(buttons={PREFIX: on_button})
