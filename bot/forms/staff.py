"""The flows of verifiers and admins: return a submission with comments or stop it, invite a
verifikator or an admin, change a user's role (hosts moved out of flows.py, same behaviour)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bot import views
from bot.field_labels import field_label
from bot.forms.definitions import (
    INVITE,
    REVIEW_RETURN,
    REVIEW_STOP,
    USER_ROLE,
)
from bot.forms.engine import (
    FormEngine,
    Outcome,
    Step,
)
from bot.forms.flows import StateHost
from bot.i18n import Raw
from bot.settings import Settings
from models.services import indicators, notice_data, people, proposal, review
from models.services import units as unit_service
from models.services import users as user_service
from models.services.document_checks import INDICATOR_FLAG, SECTION_FLAG
from models.tables import Role, Status, User
from models.validation import InvalidInput, count_words


class ReviewHost(StateHost):
    """A reviewer's decision that needs words: return with comments, or stop."""

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Apply the decision if the innovation still awaits review, and tell its owner."""
        ctx, t = self.ctx, self.ctx.t
        answers = await self.load()
        try:
            innovation = await review.lock_for_review(
                ctx.session, reviewer=ctx.user, innovation_id=ctx.state.target_id or 0
            )
        except review.NotAllowed:
            return await self._done(t("common.stale"))
        now = ctx.deps.clock.now()
        if self.flow is REVIEW_RETURN:
            fields = [str(f) for f in answers.get("fields") or []]
            review.return_for_changes(
                ctx.session, innovation, reviewer=ctx.user, comment=answers["comment"],
                fields=fields, now=now,
            )  # fmt: skip
            decided = await notice_data.decided(
                ctx.session, innovation, to_status=Status.DIKEMBALIKAN
            )
            notices = views.returned_notices(ctx.deps, innovation, decided)
            key = "review.returned_done"
        else:
            review.stop(ctx.session, innovation, actor=ctx.user, reason=answers["reason"], now=now)
            decided = await notice_data.decided(ctx.session, innovation)
            notices = views.decision_notices(ctx.deps, innovation, decided)
            key = "review.stopped_done"
        text = t(key, code=innovation.code or "") + " "
        text += views.owner_told(t, decided.owner, notices)
        return await self._done(text, notices=notices)


class ReturnHost(ReviewHost):
    """Return with a comment and the fields to fix: profile fields, and the IID indicators
    and proposal sections the owner has answered."""

    flow = REVIEW_RETURN

    async def labels(self, step: Step) -> dict[str, str]:
        """Add the answered indicators and the written proposal sections to the fields."""
        labels = await super().labels(step)
        if step.options != "profile_fields" or self.ctx.state.target_id is None:
            return labels
        session, t, rules = self.ctx.session, self.ctx.t, self.ctx.deps.iid
        innovation_id = self.ctx.state.target_id
        answered = await indicators.stored(session, innovation_id)
        for indicator in rules.indikator:
            row = answered.get(indicator.key)
            if row is not None and (row.level or row.files or row.link):
                key = INDICATOR_FLAG + indicator.key
                labels[key] = field_label(t, rules, key)
        written = await proposal.sections(session, innovation_id)
        for section in self.ctx.deps.master.kipp_bagian:
            if count_words(written.get(section.key)):
                key = SECTION_FLAG + section.key
                labels[key] = field_label(t, rules, key)
        return labels


class StopHost(ReviewHost):
    """Stop an innovation with a reason."""

    flow = REVIEW_STOP


class InviteHost(StateHost):
    """An admin creates an invite link for a verifikator (of a unit) or an admin."""

    flow = INVITE
    unit_codes = True

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Create the invite and show its deep link."""
        ctx, t = self.ctx, self.ctx.t
        if ctx.user.role != Role.ADMIN:
            return await self._done(t("common.admin_only"))
        answers = await self.load()
        unit_id = int(answers["unit_id"]) if answers.get("unit_id") else None
        invite = await people.create_invite(
            ctx.session, actor=ctx.user, role=answers["role"], unit_id=unit_id,
            now=ctx.deps.clock.now(), valid_for=people.INVITE_VALID_FOR,
        )  # fmt: skip
        link = "\n".join(invite_links(ctx.deps.settings, ctx.deps.bot_username, invite.code))
        unit = await unit_service.get(ctx.session, unit_id) if unit_id else None
        text = t(
            "people.invite_created",
            role=t.plain(f"role.{invite.role}"),
            unit=unit.name if unit else "-",
            link=link,
            expires=t.time(views.local(ctx.deps, invite.expires_at)),
        )
        return await self._done(text)


def invite_links(settings: Settings, bot_username: str | None, code: str) -> list[str]:
    """Return the links that open the bot with an invite, one per configured channel: a
    Telegram deep link, and a wa.me link with the command typed in for the invitee."""
    links = []
    if settings.telegram_enabled:
        links.append(f"https://t.me/{bot_username}?start={code}")
    if settings.whatsapp_enabled and settings.whatsapp_number:
        links.append(f"https://wa.me/{settings.whatsapp_number}?text={quote('/start ' + code)}")
    return links


class UserRoleHost(StateHost):
    """An admin changes another user's role and unit."""

    flow = USER_ROLE
    unit_codes = True

    def _fixed_by_settings(self, target: User) -> bool:
        return user_service.admin_by_settings(target, self.ctx.deps.settings.admins)

    async def _target(self) -> User | None:
        target = await self.ctx.session.get(User, self.ctx.state.target_id or 0)
        return target if target is not None and target.deleted_at is None else None

    async def save(self, key: str, value: Any, *, skipped: bool = False) -> None:
        """Keep one answer; refuse a role other than admin for an admin by the settings."""
        target = await self._target()
        if key == "role" and value != Role.ADMIN and target and self._fixed_by_settings(target):
            raise InvalidInput("people.role_by_settings", name=target.name or "-")
        await super().save(key, value, skipped=skipped)

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Apply the change, record it and tell the user; say what is stored afterwards."""
        ctx, t = self.ctx, self.ctx.t
        target = await self._target()
        if ctx.user.role != Role.ADMIN or target is None:
            return await self._done(t("common.stale"))
        answers = await self.load()
        name = target.name or "-"
        if answers["role"] != Role.ADMIN and self._fixed_by_settings(target):
            return await self._done(t("people.role_by_settings", name=name))
        unit_id = int(answers["unit_id"]) if answers.get("unit_id") else None
        if answers["role"] == Role.VERIFIKATOR and unit_id is None and target.unit_id is None:
            return await self._done(t("people.needs_unit"))
        changed = await people.set_role(
            ctx.session, actor=ctx.user, target=target, role=answers["role"], unit_id=unit_id,
            now=ctx.deps.clock.now(),
        )  # fmt: skip
        await ctx.session.refresh(target)
        unit = await unit_service.get(ctx.session, target.unit_id) if target.unit_id else None
        text = t(
            "people.role_changed" if changed else "people.role_unchanged",
            name=Raw(views.person(t, target)),
            role=t.plain(f"role.{target.role}"),
            unit=unit.name if unit else "-",
        )
        if not changed:
            return await self._done(text)
        notices, menus = views.role_notices(ctx.deps, target, unit)
        return await self._done(text, notices=notices, menus=menus)
