"""Every other message or button goes to the user's active flow."""

from __future__ import annotations

from bot.forms import runner
from bot.forms.screens import Incoming, Outcome, Screen
from handlers.core import Routes, Turn, stale
from handlers.status import CODE, open_by_code
from models.ids import parse_id

FLOW_PREFIX = "f:"


def incoming_from_button(data: str) -> Incoming:
    """Parse a flow button payload ``f:<rev>:<action>:<arg>``."""
    parts = data.split(":", 3)
    rev = parse_id(parts[1]) if len(parts) == 4 else None
    if rev is None:
        return Incoming("button", rev=-1)
    return Incoming("button", rev=rev, action=parts[2], arg=parts[3])


async def on_message(turn: Turn) -> Outcome:
    """Answer the current step of the active flow; outside one, a code opens its card."""
    incoming = turn.request.answer or Incoming("other")
    outcome = await runner.feed(turn.session, turn.deps, turn.user, incoming)
    if outcome is not None:
        return outcome
    code = CODE.search(incoming.text) if incoming.kind == "text" else None
    if code is not None and turn.user.onboarded:
        return Outcome(await open_by_code(turn.session, turn.deps, turn.user, code.group(0)))
    return Outcome([Screen(turn.t("common.no_flow"))])


async def on_button(turn: Turn) -> Outcome:
    """Handle a flow button; buttons of old messages change nothing."""
    incoming = incoming_from_button(turn.payload)
    outcome = await runner.feed(turn.session, turn.deps, turn.user, incoming)
    return outcome if outcome is not None else stale(turn)


async def unknown_command(turn: Turn) -> Outcome:
    """Answer a command the bot does not know."""
    return Outcome([Screen(turn.t("common.unknown_command"))])


async def stale_button(turn: Turn) -> Outcome:
    """Answer a button whose payload no handler knows."""
    return stale(turn)


async def noop_button(_turn: Turn) -> Outcome:
    """Answer a button that only shows information (a page number)."""
    return Outcome()


ROUTES = Routes(buttons={FLOW_PREFIX: on_button, "noop": noop_button})
