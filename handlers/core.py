"""What every handler speaks, whatever the channel: a request in, an outcome out.

A channel adapter (``bot/telegram``, later WhatsApp) turns a platform update into a
:class:`Request`; :mod:`handlers.dispatch` opens the update's one transaction, finds the user
and the handler, and gives the handler a :class:`Turn`; the handler returns an ``Outcome``
(screens for this chat, files, notices for others, menus) that the adapter renders.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.deps import Deps
from bot.forms import runner
from bot.forms.screens import Incoming, Menu, Outcome, Screen
from bot.i18n import Translator
from models.tables import Role, User

Channel = Literal["telegram", "whatsapp"]


@dataclass(frozen=True)
class Identity:
    """Who sent an update: the channel, the person's id there (a Telegram user id, a WhatsApp
    id), the chat to answer in and the language their app is set to."""

    channel: Channel
    user_id: int | str
    chat_id: int | str
    language: str | None = None


@dataclass(frozen=True)
class Request:
    """One update, neutral: a command with its arguments, an answer, or a button payload.

    ``update_key`` is unique per channel (the record of handled updates uses it); ``replayed``
    marks an update taken up again after a process died while handling it.
    """

    who: Identity
    update_key: str
    command: str = ""
    args: tuple[str, ...] = ()
    answer: Incoming | None = None
    payload: str | None = None
    replayed: bool = False

    @property
    def is_button(self) -> bool:
        """Return True for a pressed button."""
        return self.payload is not None


@dataclass
class Turn:
    """What a handler gets: the request, the bot's dependencies, the update's transaction
    and the user (registered on first contact)."""

    request: Request
    deps: Deps
    session: AsyncSession
    user: User

    @property
    def t(self) -> Translator:
        """Return the texts in the user's language."""
        return self.deps.translator(self.user.language)

    @property
    def args(self) -> tuple[str, ...]:
        """Return the command's arguments."""
        return self.request.args

    @property
    def payload(self) -> str:
        """Return the pressed button's payload ("" for other requests)."""
        return self.request.payload or ""

    @property
    def chat_id(self) -> int | str:
        """Return the chat this update came from."""
        return self.request.who.chat_id

    def menu(self, role: str | None = None) -> Menu:
        """Return the command menu this user should see (for their role by default)."""
        return Menu(self.user.id, role or self.user.role, self.user.language)

    async def gate(self, *roles: Role) -> list[Screen] | None:
        """Return what to show instead when the user has not finished onboarding or, when
        ``roles`` are given, has none of them."""
        t = self.t
        if not self.user.onboarded:
            prompt = await runner.start_onboarding(self.session, self.deps, self.user)
            return [Screen(t("common.onboarding_first")), *prompt]
        return role_refusal(self.user, *roles, t=t) if roles else None


def role_refusal(user: User, *roles: Role, t: Translator) -> list[Screen] | None:
    """Return a polite refusal unless the user has one of ``roles``."""
    if user.role in roles:
        return None
    key = "common.admin_only" if roles == (Role.ADMIN,) else "common.reviewer_only"
    return [Screen(t(key))]


def stale(turn: Turn) -> Outcome:
    """Answer a button that is no longer valid."""
    return Outcome(notice=turn.t("common.stale"))


Handler = Callable[[Turn], Awaitable[Outcome]]


@dataclass(frozen=True)
class Routes:
    """A feature's entry points: command names (Indonesian and English) and button payload
    prefixes, each to its handler."""

    commands: Mapping[str, Handler] = field(default_factory=dict)
    buttons: Mapping[str, Handler] = field(default_factory=dict)
