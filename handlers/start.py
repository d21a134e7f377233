"""/start (onboarding, invites, the menu), "menu" and /bantuan."""

from __future__ import annotations

from bot import views
from bot.forms import runner
from bot.forms.screens import Outcome, Screen
from handlers.core import Routes, Turn
from handlers.status import CODE, open_by_code
from models.services import people
from models.services import units as unit_service
from models.tables import Role


async def _redeem(turn: Turn, code: str) -> Screen:
    """Use an invite and say the role and unit the user has afterwards, as stored."""
    t, user = turn.t, turn.user
    key = "people.your_role"
    try:
        await people.redeem_invite(
            turn.session, user=user, code=code, now=turn.deps.clock.now(),
            admins=turn.deps.settings.admins,
        )  # fmt: skip
    except people.InviteError as exc:
        if exc.reason not in ("own", "by_settings", "already"):
            return Screen(t(f"people.invite_{exc.reason}"))
        key = f"people.invite_{exc.reason}"
    await turn.session.refresh(user)
    unit = await unit_service.get(turn.session, user.unit_id) if user.unit_id else None
    return Screen(t(key, role=t.plain(f"role.{user.role}"), unit=unit.name if unit else "-"))


async def start(turn: Turn) -> Outcome:
    """Onboard a new user, redeem an invite code, or greet a known user with the menu."""
    return await _greet(turn, turn.args[0] if turn.args else None)


async def menu(turn: Turn) -> Outcome:
    """Greet with the menu (the word "menu"; what follows it is no invite code)."""
    return await _greet(turn, None)


async def _greet(turn: Turn, invite: str | None) -> Outcome:
    user = turn.user
    screens: list[Screen] = []
    code = CODE.fullmatch(invite) if invite is not None else None
    if code is not None:  # from the catalog's "open in Telegram" link: that innovation first
        screens += await open_by_code(turn.session, turn.deps, user, code.group(0))
    elif invite is not None:
        screens.append(await _redeem(turn, invite))
    t = turn.t
    if not user.onboarded:
        screens.append(Screen(t("onb.welcome", pemda=turn.deps.settings.pemda_name)))
        screens += await runner.start_onboarding(turn.session, turn.deps, user)
    else:
        text = t("menu.welcome_back", name=user.name or "") + "\n\n" + t("menu.body")
        screens.append(Screen(text))
    menus = [turn.menu()] if user.role != Role.PENGUSUL else []
    return Outcome(screens, menus=menus)


async def help_command(turn: Turn) -> Outcome:
    """Show the commands this user's role allows."""
    t, user = turn.t, turn.user
    parts = [t("menu.help")]
    if user.role in (Role.VERIFIKATOR, Role.ADMIN):
        parts.append(t("menu.help_verifier"))
    if user.role == Role.ADMIN:
        parts.append(t("menu.help_admin"))
    parts.append(views.helpdesk(t, turn.deps))
    return Outcome([Screen("\n\n".join(parts))], menus=[turn.menu()])


ROUTES = Routes(
    commands={"start": start, "menu": menu, "bantuan": help_command, "help": help_command}
)
