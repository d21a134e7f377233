"""People: invites (/undang), the user list (/pengguna), personal data (/dataku)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import views
from bot.forms import runner
from bot.forms.definitions import INVITE, USER_ROLE
from bot.forms.profile import EDIT_PREFIX, personal_data_screen, start_profile_edit
from bot.forms.screens import Button, Notice, Outcome, Screen
from bot.i18n import Raw, Translator
from handlers.core import Routes, Turn, stale
from models.ids import parse_id
from models.services import monev, people
from models.services import users as user_service
from models.tables import Role, Unit, User

PER_PAGE = 10


async def invite(turn: Turn) -> Outcome:
    """Start the invite flow (admins only)."""
    screens = await turn.gate(Role.ADMIN)
    if screens is None:
        screens = await runner.begin(turn.session, turn.deps, turn.user, INVITE)
    return Outcome(screens)


async def users_screen(session: AsyncSession, t: Translator, user: User, page: int) -> Screen:
    """Return one page of the user list (only for admins)."""
    if user.role != Role.ADMIN:
        return Screen(t("common.admin_only"))
    result = await people.list_users(session, page=page, per_page=PER_PAGE)
    items = [
        (
            t.plain(
                "people.user_item",
                name=u.name or "?",
                role=t.plain(f"role.{u.role}"),
                unit=u.unit.code if u.unit else "-",
            ),
            f"us:{u.id}",
        )
        for u in result.items
    ]
    title = t("people.users_title", total=result.total)
    return views.paged_list(t, title, items, page=result.page, pages=result.pages, list_key="users")


async def users(turn: Turn) -> Outcome:
    """List users (admins only)."""
    screens = await turn.gate(Role.ADMIN)
    if screens is None:
        screens = [await users_screen(turn.session, turn.t, turn.user, 0)]
    return Outcome(screens)


async def user_card(turn: Turn) -> Outcome:
    """Show one user to an admin, with a button to change role or unit."""
    action, _, raw_id = turn.payload.partition(":")
    target_id = parse_id(raw_id)
    session, user, t = turn.session, turn.user, turn.t
    target = await session.get(User, target_id) if target_id is not None else None
    if user.role != Role.ADMIN or target is None or target.deleted_at is not None:
        return stale(turn)
    if action == "ur":
        return Outcome(await runner.begin(session, turn.deps, user, USER_ROLE, target_id=target.id))
    unit = await session.get(Unit, target.unit_id) if target.unit_id else None
    text = t(
        "people.user_card",
        name=Raw(views.person(t, target)),
        role=t.plain(f"role.{target.role}"),
        unit=t.plain("form.unit_code", name=unit.name, code=unit.code) if unit else "-",
        nip=target.nip or "-",
        phone=target.phone or "-",
    )
    if user_service.admin_by_settings(target, turn.deps.settings.admins):
        text += "\n" + t("people.settings_admin")
    return Outcome([Screen(text, [[Button(t.plain("people.change_role"), f"ur:{target.id}")]])])


async def my_data(turn: Turn) -> Outcome:
    """Show what the bot stores about the user, with buttons to change or erase it."""
    return Outcome([await personal_data_screen(turn.session, turn.deps, turn.t, turn.user)])


async def change_data(turn: Turn) -> Outcome:
    """Ask for a new name, unit, NIP or phone number (one step, saved at once)."""
    field = turn.payload.removeprefix(EDIT_PREFIX)
    screens = None
    if turn.user.deleted_at is None:
        screens = await start_profile_edit(turn.session, turn.deps, turn.user, field)
    return stale(turn) if screens is None else Outcome(screens)


async def erase(turn: Turn) -> Outcome:
    """Ask to confirm, then erase the user's personal data and tell the admins."""
    session, user, t, deps = turn.session, turn.user, turn.t, turn.deps
    if turn.payload == "me:erase":
        buttons = [
            [
                Button(t.plain("privacy.erase_yes"), "me:erase-yes"),
                Button(t.plain("reg.delete_no"), "me:erase-no"),
            ]
        ]
        return Outcome([Screen(t("privacy.erase_confirm"), buttons)])
    if turn.payload == "me:erase-yes" and user.deleted_at is None:
        outcome = Outcome()
        person_id = user.id
        await people.erase_personal_data(session, user, now=deps.clock.now())
        recipients = await monev.notice_recipients(session, unit_id=None, exclude=person_id)
        for admin in recipients.users:
            ta = deps.translator(admin.language)
            text = ta("privacy.admin_notice", id=str(person_id))
            outcome.notices.append(Notice(admin.id, Screen(text)))
        told = views.told(t, recipients)
        outcome.screens = [Screen(t("privacy.erased") + "\n\n" + told)]
        return outcome
    if turn.payload == "me:erase-no":
        return Outcome([Screen(t("privacy.kept"))])
    return stale(turn)


ROUTES = Routes(
    commands={
        "undang": invite,
        "invite": invite,
        "pengguna": users,
        "users": users,
        "dataku": my_data,
        "mydata": my_data,
    },
    buttons={"us:": user_card, "ur:": user_card, EDIT_PREFIX: change_data, "me:erase": erase},
)
