"""The personal-data card (/dataku) and the flow that changes one of its fields.

Each change is one step: the onboarding step of that field (its validation included), asked
alone. The answer is stored on the user at once, recorded in the people audit trail, and the
card is shown again from what is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import views
from bot.deps import Deps
from bot.forms.definitions import ONBOARDING
from bot.forms.engine import Answers, Button, Flow, FormEngine, Outcome, Screen
from bot.forms.flows import HostContext, StateHost
from bot.i18n import Translator
from models.services import flows as flow_states
from models.services import people
from models.tables import User
from models.validation import InvalidInput

EDIT_PREFIX = "me:ed:"


def _editing(key: str) -> Callable[[Answers], bool]:
    def asked(answers: Answers) -> bool:
        return answers.get("field") == key

    return asked


# One flow, one step asked: the field being changed (``data["field"]``).
PROFILE = Flow(
    "prof",
    tuple(replace(ONBOARDING.step(key), asked=_editing(key)) for key in people.PROFILE_FIELDS),
    summary=False,
)


async def personal_data_screen(
    session: AsyncSession, deps: Deps, t: Translator, user: User
) -> Screen:
    """Return what is stored about ``user``, with buttons to change or erase it."""
    data = await people.personal_data(session, user)
    text = t(
        "privacy.card",
        name=data.name or "-",
        nip=data.nip or "-",
        phone=data.phone or "-",
        telegram_id=str(data.telegram_id or "-"),
        whatsapp_id=data.whatsapp_id or "-",
        unit=data.unit or "-",
        role=t.plain(f"role.{data.role}"),
        language=data.language,
        since=t.date(views.local(deps, data.created_at).date()),
        innovations=data.innovations,
    )
    change = [
        Button(t.plain(f"privacy.change_{key}"), f"{EDIT_PREFIX}{key}")
        for key in people.PROFILE_FIELDS
    ]
    rows = [change[:2], change[2:], [Button(t.plain("privacy.erase"), "me:erase")]]
    return Screen(text, rows)


class ProfileHost(StateHost):
    """Stores the one changed field on the user at once."""

    flow = PROFILE

    def _field(self) -> str:
        return str(self.ctx.state.data.get("field") or "")

    async def load(self) -> dict[str, Any]:
        """Return the field being changed and the stored values."""
        user = self.ctx.user
        return {
            "field": self._field(),
            "name": user.name,
            "unit_id": str(user.unit_id) if user.unit_id is not None else None,
            "nip": user.nip,
            "phone": user.phone,
        }

    async def save(self, key: str, value: Any, *, skipped: bool = False) -> None:
        """Store the new value (Lewati removes an optional one) and record the change."""
        ctx = self.ctx
        if key == "unit_id":
            if people.unit_is_bound(ctx.user):
                raise InvalidInput("prof.unit_bound")
            value = int(value)
        changed = people.change_profile(
            ctx.session, ctx.user, field=key, value=value, now=ctx.deps.clock.now()
        )
        result = "unchanged" if not changed else "removed" if value is None else "saved"
        data = dict(ctx.state.data)
        data["result"] = result
        ctx.state.data = data
        await ctx.session.flush()

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Say what changed and show the card again, as stored."""
        ctx, t = self.ctx, self.ctx.t
        field = self._field()
        result = str(ctx.state.data.get("result") or "unchanged")
        await flow_states.remove(ctx.session, ctx.state)
        await ctx.session.refresh(ctx.user)
        head = Screen(t(f"prof.{result}", label=t.plain(f"prof.{field}.label")))
        card = await personal_data_screen(ctx.session, ctx.deps, t, ctx.user)
        return Outcome([head, card], finished=True)


async def start_profile_edit(
    session: AsyncSession, deps: Deps, user: User, field: str
) -> list[Screen] | None:
    """Ask for a new value of one field of the user's data; None if there is no such field."""
    if field not in people.PROFILE_FIELDS:
        return None
    t = deps.translator(user.language)
    if field == "unit_id" and people.unit_is_bound(user):
        return [Screen(t("prof.unit_bound"))]
    old = await flow_states.find(session, user_id=user.id, flow=PROFILE.name, target_id=None)
    if old is not None:
        await flow_states.remove(session, old)
    state = await flow_states.activate(
        session,
        user_id=user.id,
        flow=PROFILE.name,
        target_id=None,
        first_step=field,
        now=deps.clock.now(),
        data={"field": field},
    )
    ctx = HostContext(session, deps, user, state, t)
    return await FormEngine(ProfileHost(ctx), state, t, today=ctx.today).show()


async def profile_host(ctx: HostContext) -> ProfileHost | None:
    """Build the host of a change to one's own data."""
    return ProfileHost(ctx) if ctx.state.data.get("field") in people.PROFILE_FIELDS else None
