"""/tenggat with the scope "mandatory IID indicators incomplete": the campaign's deadlines go
to exactly the innovations whose mandatory indicators lack a level or its evidence."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.simulator import BotApiSimulator
from models.db import transaction
from models.tables import Campaign, Deadline, Innovation, Role, Status
from tests import phones
from tests.conftest import BotHarness, labels_of, texts
from tests.factories import answer_indicator, make_innovation
from tests.scheduler.support import add_user, deps_of, fast

ADI = 7201
OWNER = 7202
MANDATORY = ("regulasi", "sdm", "kecepatan", "kemanfaatan", "video")
LABEL = "Indikator IID wajib belum lengkap"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Fast reminder settings, no background sweep."""
    return fast(settings)


async def complete(harness: BotHarness, innovation: Innovation, *, skip: str = "") -> None:
    """Answer every mandatory indicator with a level and evidence, except ``skip``'s
    evidence; Kecepatan's level is left to the profile when it implies one."""
    async with await harness.session() as session, session.begin():
        for key in MANDATORY:
            implied = key == "kecepatan" and innovation.waktu_penerapan is not None
            await answer_indicator(
                session, harness.clock, innovation, key, None if implied else 2,
                files=[] if key in ("video", skip) else [f"{key}.pdf"],
                link="https://youtu.be/x" if key == "video" and skip != "video" else None,
            )  # fmt: skip


async def test_an_indicators_campaign_concerns_only_incomplete_mandatory_indicators(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    deps, now = deps_of(harness), harness.clock.now()
    async with transaction(deps.session_factory()) as session:
        await add_user(session, sim, telegram_id=ADI, name="Adi Putra", now=now, role=Role.ADMIN)
        owner = await add_user(session, sim, telegram_id=OWNER, name="Sari Pengusul", now=now)
        made = {}
        for name, n, status in (
            ("complete", 1, Status.TERVERIFIKASI),
            ("from_profile", 2, Status.TERVERIFIKASI),  # Kecepatan read from the dates
            ("no_video", 4, Status.TERVERIFIKASI),
            ("no_regulasi_proof", 7, Status.DIAJUKAN),
            ("nothing", 10, Status.DIAJUKAN),
            ("draft", 13, Status.DRAF),
            ("stopped", 16, Status.DIHENTIKAN),
        ):
            made[name] = await make_innovation(
                session, harness.clock, owner=owner, n=n, status=status
            )
    assert made["from_profile"].waktu_penerapan is not None
    await complete(harness, made["complete"])
    await complete(harness, made["from_profile"])
    await complete(harness, made["no_video"], skip="video")
    await complete(harness, made["no_regulasi_proof"], skip="regulasi")
    await complete(harness, made["stopped"], skip="video")
    async with await harness.session() as session, session.begin():
        # every other indicator, not mandatory, does not matter
        await answer_indicator(session, harness.clock, made["complete"], "anggaran", 1)

    adi = sim.user(ADI)
    await adi.send("/tenggat")
    await adi.press("Tenggat baru")
    await adi.send("IID 2027: indikator wajib")
    replies = await adi.send("23 Desember 2026")
    # the scopes, the new one between the existing two (WhatsApp shortens a row's title and
    # shows the whole label below it)
    shown = " | ".join(labels_of(replies))
    assert (
        shown.index("Draf dan profil")
        < shown.index("Indikator IID wajib")
        < shown.index("Semua inovasi")
    )
    await adi.press(LABEL)
    replies = await adi.press("Simpan tenggat")
    assert "disimpan untuk 4 inovasi" in texts(replies)

    async with await harness.session() as session:
        campaign = (await session.execute(select(Campaign))).scalar_one()
        deadlines = (await session.execute(select(Deadline))).unique().scalars().all()
    assert campaign.scope == "indicators"
    concerned = {d.innovation_id for d in deadlines if d.campaign_id == campaign.id}
    assert concerned == {made[k].id for k in ("no_video", "no_regulasi_proof", "nothing", "draft")}


async def test_an_indicators_deadline_holds_until_the_owner_completes_them_in_chat(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    from bot import deadline_views
    from models.services import monev
    from tests.samples import PDF

    deps, now = deps_of(harness), harness.clock.now()
    async with transaction(deps.session_factory()) as session:
        admin = await add_user(session, sim, telegram_id=ADI, name="Adi", now=now, role=Role.ADMIN)
        owner = await add_user(session, sim, telegram_id=OWNER, name="Sari Pengusul", now=now)
        innovation = await make_innovation(
            session, harness.clock, owner=owner, n=1, status=Status.TERVERIFIKASI
        )
    await complete(harness, innovation, skip="regulasi")  # the profile itself is complete
    async with transaction(deps.session_factory()) as session:
        await monev.create_campaign(
            session, name="IID 2027", due_date=now.date(), scope=monev.INDICATORS,
            actor=admin, now=now, policy=deps.policy, rules=deps.iid,
        )  # fmt: skip
    async with await harness.session() as session:
        [deadline] = (await session.execute(select(Deadline))).unique().scalars().all()
        # not met by the profile: it asks for the indicators, and its reminder says so
        assert monev.still_needed(deadline)
        lines = deadline_views.missing_lines(deps.translator("id"), deadline)
        assert lines == [
            f"Yang diminta: indikator IID wajib lengkap dengan buktinya "
            f"(<code>indikator {innovation.code}</code>)."
        ]
    user = sim.user(OWNER)
    await user.send("/start")
    await user.send(f"indikator {innovation.code}")
    await user.press("Lengkapi yang belum")
    await user.send_document("perbup.pdf", PDF, "application/pdf")
    async with await harness.session() as session:
        [deadline] = (await session.execute(select(Deadline))).unique().scalars().all()
        assert deadline.status == "done"
        assert not monev.still_needed(deadline)
