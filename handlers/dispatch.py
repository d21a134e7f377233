"""One update, whatever the channel: its transaction, its user, its handler.

Commands are slash commands and words alike ("/baru" or "baru", "status INO-2026-0001",
"menu", "bantuan"), so a channel without a command menu works the same. Inside a flow a typed
word is an answer (an innovation may well be named "Baru"): there only the slash form and the
escape words act as commands.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from bot.deps import Deps
from bot.forms import runner
from bot.forms.screens import Outcome
from bot.i18n import pick_language
from handlers import (
    documents,
    evaluator,
    flow,
    linking,
    lists,
    monev,
    people,
    publishing,
    registration,
    replication,
    review,
    revisions,
    schedule,
    start,
    status,
)
from handlers.core import Handler, Request, Routes, Turn
from models.db import transaction
from models.services import flows as flow_states
from models.services import updates
from models.services import users as user_service

log = logging.getLogger(__name__)

FEATURES: tuple[Routes, ...] = (
    start.ROUTES,
    registration.ROUTES,
    status.ROUTES,
    review.ROUTES,
    revisions.ROUTES,
    people.ROUTES,
    linking.ROUTES,
    lists.ROUTES,
    evaluator.ROUTES,
    monev.ROUTES,
    schedule.ROUTES,
    documents.ROUTES,
    publishing.ROUTES,
    replication.ROUTES,
    flow.ROUTES,
)
# typed without a slash, these leave a flow too
ESCAPE_WORDS = frozenset({"batal", "cancel", "menu"})


def _merge(tables: Iterable[Mapping[str, Handler]]) -> dict[str, Handler]:
    merged: dict[str, Handler] = {}
    for table in tables:
        for key, handler in table.items():
            if key in merged:
                raise ValueError(f"{key!r} is routed twice")
            merged[key] = handler
    return merged


COMMANDS = _merge(f.commands for f in FEATURES)
# longest prefix first, so "rv:" never shadows "rvx:"
BUTTONS = sorted(_merge(f.buttons for f in FEATURES).items(), key=lambda kv: -len(kv[0]))


def command_word(text: str) -> tuple[str, tuple[str, ...]] | None:
    """Return (command, arguments) if ``text`` starts with a known command word, typed with
    or without a slash ("/status@NamaBot X" too)."""
    words = text.split()
    if not words:
        return None
    head = words[0].lower().removeprefix("/").split("@", 1)[0]
    if head in COMMANDS:
        return head, tuple(words[1:])
    return None


def button_handler(payload: str) -> Handler:
    """Return the handler of a button payload (an unknown one is stale)."""
    for prefix, handler in BUTTONS:
        if payload.startswith(prefix):
            return handler
    return flow.stale_button


async def _handler(turn: Turn) -> Handler:
    request = turn.request
    if request.payload is not None:
        return button_handler(request.payload)
    if request.command:
        return COMMANDS.get(request.command, flow.unknown_command)
    answer = request.answer
    if answer is not None and answer.kind == "text":
        slash = answer.text.lstrip().startswith("/")
        found = command_word(answer.text)
        if slash and found is None:
            return flow.unknown_command
        if found is not None:
            word = found[0]
            in_flow = await _in_flow(turn)
            if slash or word in ESCAPE_WORDS or not in_flow:
                turn.request = _as_command(request, *found)
                return COMMANDS[word]
    if not turn.user.onboarded and not await _in_flow(turn):
        # someone new writes "halo" (on WhatsApp, the first message is anything): welcome
        return COMMANDS["start"]
    return flow.on_message


async def _in_flow(turn: Turn) -> bool:
    return await flow_states.get_active(turn.session, turn.user.id) is not None


def _as_command(request: Request, command: str, args: tuple[str, ...]) -> Request:
    return Request(
        who=request.who,
        update_key=request.update_key,
        command=command,
        args=args,
        replayed=request.replayed,
    )


async def handle(deps: Deps, request: Request) -> Outcome:
    """Handle one update in one transaction and return what to send.

    The update's key is recorded as handled in the same transaction, so one delivered again
    changes nothing: it answers nothing, or, when it was taken up again after a process died
    (perhaps before its answer went out), it shows where the user's flow stands.
    """
    who = request.who
    async with transaction(deps.session_factory()) as session:
        first = await updates.first_delivery(
            session, channel=who.channel, key=request.update_key, now=deps.clock.now()
        )
        if not first:
            log.info("update %s:%s already handled", who.channel, request.update_key)
            if not request.replayed:
                return Outcome()
            known = await user_service.get_by_identity(session, who.channel, who.user_id)
            screens = (await runner.current(session, deps, known))[1] if known else []
            return Outcome(screens)
        user = await user_service.get_or_create(
            session,
            channel=who.channel,
            address=who.user_id,
            language=pick_language(who.language, deps.settings.default_language),
            now=deps.clock.now(),
            admins=deps.settings.admins,
        )
        turn = Turn(request, deps, session, user)
        handler = await _handler(turn)
        outcome = await handler(turn)
        outcome.language = user.language
        return outcome
