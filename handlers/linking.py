"""One person on Telegram and WhatsApp: ``tautkan`` shows a one-time code on one channel and,
typed on the other, links both; ``saluran`` chooses the channel reminders go to."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from bot.forms.screens import Button, Menu, Outcome, Screen
from handlers.core import Routes, Turn, stale
from models.services import linking
from models.services.users import TELEGRAM, WHATSAPP

PREFIX = "ch:"
AUTO = "auto"


def _other(channel: str) -> str:
    return WHATSAPP if channel == TELEGRAM else TELEGRAM


async def link(turn: Turn) -> Outcome:
    """``tautkan``: show a code to type on the other channel; ``tautkan KODE``: link."""
    t, user, now = turn.t, turn.user, turn.deps.clock.now()
    channel = turn.request.who.channel
    if turn.args:
        try:
            person = await linking.redeem(
                turn.session, user=user, channel=channel, code="".join(turn.args), now=now
            )
        except linking.LinkError as exc:
            return Outcome([Screen(t(f"link.{exc.reason}"))])
        menu = Menu(person.id, person.role, person.language)
        text = t("link.done", name=person.name or "-")
        return Outcome([Screen(text)], menus=[menu])
    screens = await turn.gate()
    if screens is not None:
        return Outcome(screens)
    other = _other(channel)
    if other in linking.channels_of(user):
        return Outcome([Screen(t("link.already"))])
    code = await linking.create_code(turn.session, user, channel=channel, now=now)
    settings = turn.deps.settings
    where = ""
    if other == WHATSAPP and settings.whatsapp_enabled and settings.whatsapp_number:
        where = f"https://wa.me/{settings.whatsapp_number}?text={quote('tautkan ' + code)}"
    elif other == TELEGRAM and settings.telegram_enabled and turn.deps.bot_username:
        where = f"https://t.me/{turn.deps.bot_username}"
    text = t(
        "link.code",
        code=code,
        channel=t.plain(f"channel.{other}"),
        minutes=linking.VALID_FOR // timedelta(minutes=1),
    )
    if where:
        text += "\n" + t("link.open", channel_link=where)
    return Outcome([Screen(text)])


def _channel_screen(turn: Turn) -> Screen:
    t, user = turn.t, turn.user
    have = linking.channels_of(user)
    current = user.reminder_channel
    shown = t.plain(f"channel.{current}") if current else t.plain("channel.auto")
    buttons = [[Button(t.plain(f"channel.{c}"), f"{PREFIX}{c}")] for c in have]
    buttons.append([Button(t.plain("channel.auto"), f"{PREFIX}{AUTO}")])
    hint = "" if len(have) > 1 else "\n" + t("channel.link_hint")
    return Screen(t("channel.card", current=shown) + hint, buttons)


async def channel(turn: Turn) -> Outcome:
    """``saluran``: where reminders and notices go."""
    screens = await turn.gate()
    if screens is not None:
        return Outcome(screens)
    return Outcome([_channel_screen(turn)])


async def choose(turn: Turn) -> Outcome:
    """A channel chosen for reminders and notices."""
    wanted = turn.payload.removeprefix(PREFIX)
    try:
        linking.choose_reminder_channel(turn.user, None if wanted == AUTO else wanted)
    except ValueError:
        return stale(turn)
    shown = turn.t.plain(f"channel.{wanted}")
    return Outcome([Screen(turn.t("channel.set", channel=shown))])


ROUTES = Routes(
    commands={"tautkan": link, "link": link, "saluran": channel, "channel": channel},
    buttons={PREFIX: choose},
)
