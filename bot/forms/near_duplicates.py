"""The near-duplicate warning of a registration: once its name and masalah are given (the
masalah step, or the name edited later, is left forward), the Pemda's innovations most like it
above ``SIMILARITY_THRESHOLD`` are shown with the choices of bot/replication_views.py. Each
innovation is shown once per draft."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import replication_views
from bot.deps import Deps
from bot.forms.screens import Screen
from bot.i18n import Translator
from models.profile import is_filled
from models.services import duplicates
from models.tables import FlowState, Innovation

WATCHED = frozenset({"nama_inovasi", "masalah"})  # leaving these forward looks for duplicates
SEEN = "dup_seen"  # flow-state data: the innovations already shown for this draft


async def warning_screens(
    session: AsyncSession, deps: Deps, t: Translator, state: FlowState, draft: Innovation
) -> list[Screen]:
    """Return the warning of the innovations very similar to ``draft``, if any not shown
    before (and remember them as shown)."""
    if not draft.nama_inovasi or not is_filled(draft.masalah):
        return []
    seen = [int(i) for i in (state.data or {}).get(SEEN) or []]
    found = await duplicates.similar(
        session, deps.similarity, draft, threshold=deps.settings.similarity_threshold, skip=seen
    )
    if not found:
        return []
    state.data = {**(state.data or {}), SEEN: seen + [i.id for i, _ in found]}
    return [replication_views.warning(t, draft, [i for i, _ in found])]
