"""/statistik with the IID indicators: innovations by the band of their estimated score and the
indicators most often without evidence, counted by hand from what was seeded."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from bot.app import DEFAULT_IID_RULES
from bot.settings import Settings
from bot.simulator import BotApiSimulator
from models import iid
from models.tables import Innovation, Status, Unit
from tests import phones
from tests.conftest import BotHarness, onboard, texts
from tests.factories import answer_indicator, make_user
from tests.handlers.test_evaluator import ADMIN_ID, seed

RULES = iid.load_rules(DEFAULT_IID_RULES)
WEIGHT = {i.key: i.bobot for i in RULES.indikator}
MAX = 3 * sum(WEIGHT.values())
VIDEO = "https://youtu.be/inovasi"

# per innovation: indicator key -> (level or None, with evidence)
Plan = dict[str, tuple[int | None, bool]]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with one bootstrap admin."""
    phones.set_admins(settings, ADMIN_ID)
    return settings


def plans(rows: list[Innovation]) -> dict[int, Plan]:
    """What each innovation answers: the first three of every indicator with evidence (top
    levels, bottom levels, bottom levels but the video at the top); the j-th of the others
    indicators 1..j at level 1 with evidence and, for odd j, the video at level 2 without
    evidence; a draft everything (drafts are not counted)."""
    out: dict[int, Plan] = {}
    others = [r for r in rows if r.status != Status.DRAF][3:]
    first = [r for r in rows if r.status != Status.DRAF][:3]
    out[first[0].id] = {i.key: (3, True) for i in RULES.indikator}
    out[first[1].id] = {i.key: (1, True) for i in RULES.indikator}
    out[first[2].id] = {i.key: (3 if i.key == "video" else 1, True) for i in RULES.indikator}
    for j, row in enumerate(others):
        plan: Plan = {i.key: (1, True) for i in RULES.indikator if i.nomor <= j}
        if j % 2 and "video" not in plan:
            plan["video"] = (2, False)
        out[row.id] = plan
    draft = next(r for r in rows if r.status == Status.DRAF)
    out[draft.id] = {i.key: (3, True) for i in RULES.indikator}
    return out


async def give(harness: BotHarness, rows: list[Innovation], plan: dict[int, Plan]) -> None:
    by_id = {r.id: r for r in rows}
    async with await harness.session() as session, session.begin():
        for innovation_id, answers in plan.items():
            for key, (level, evidence) in answers.items():
                await answer_indicator(
                    session, harness.clock, by_id[innovation_id], key, level,
                    files=[f"{key}.pdf"] if evidence and key != "video" else [],
                    link=VIDEO if evidence and key == "video" else None,
                )  # fmt: skip


def expected_lines(rows: list[Innovation], plan: dict[int, Plan]) -> tuple[str, list[str]]:
    """The band line and the top five, computed from the plan (score = level x weight with
    evidence; a level the profile implies has no evidence here, so it only splits the gaps)."""
    bands: Counter[str] = Counter()
    level_only: Counter[str] = Counter()
    unanswered: Counter[str] = Counter()
    for row in rows:
        answers = plan.get(row.id, {})
        score = sum(level * WEIGHT[k] for k, (level, ok) in answers.items() if ok and level)
        band = RULES.band(100 * score / MAX)
        bands[band.label if score and band else "belum dinilai"] += 1
        for indicator in RULES.indikator:
            level, evidence = answers.get(indicator.key, (None, False))
            implied = indicator.key == "kecepatan" and row.waktu_penerapan is not None
            if not evidence:
                (level_only if level or implied else unanswered)[indicator.key] += 1
    labels = [b.label for b in RULES.predikat] + ["belum dinilai"]
    band_line = " · ".join(f"{label} {bands[label]}" for label in labels)
    ranked = sorted(
        RULES.indikator, key=lambda i: (-(level_only[i.key] + unanswered[i.key]), i.nomor)
    )[:5]
    gaps = [
        f"• {i.nomor}. {i.label}: {level_only[i.key] + unanswered[i.key]} "
        f"({level_only[i.key]} + {unanswered[i.key]})"
        for i in ranked
    ]
    return band_line, gaps


async def test_statistics_show_iid_bands_and_the_indicators_most_often_without_evidence(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    rows = await seed(harness)
    plan = plans(rows)
    await give(harness, rows, plan)
    submitted = [r for r in rows if r.status != Status.DRAF]
    band_line, gaps = expected_lines(submitted, plan)
    # the seeding gives every band something, and the gaps differ by indicator
    assert band_line == "Sangat Inovatif 1 · Inovatif 1 · Kurang Inovatif 21 · belum dinilai 1"
    assert gaps[0] == "• 20. Video inovasi: 20 (10 + 10)"

    admin = sim.user(ADMIN_ID)
    await onboard(admin, name="Admin", unit="Bagian Organisasi")
    replies = await admin.send("/statistik")
    text = texts(replies)
    assert f"Perkiraan predikat IID (dari indikator dan buktinya): {band_line}" in text
    assert (
        "5 indikator paling sering tanpa bukti (inovasi tanpa bukti: memilih tingkat tanpa "
        "bukti + belum dijawab):\n" + "\n".join(gaps)
    ) in text
    [photo] = [m for m in replies if m.photo]
    assert photo.photo is not None and len(photo.photo) > 10_000

    # a verifikator of Dinas Kesehatan counts the unit (and the units below it) only
    async with await harness.session() as session, session.begin():
        await make_user(
            session, harness.clock, telegram_id=7201, name="Verifikator Kes",
            unit_code="DINKES", role="verifikator",
        )  # fmt: skip
    async with await harness.session() as session:
        kes = (await session.execute(select(Unit).where(Unit.code == "DINKES"))).scalar_one()
    own = [r for r in submitted if r.unit_id == kes.id]
    assert 0 < len(own) < len(submitted)
    band_line, gaps = expected_lines(own, plan)
    verifier = sim.user(7201, started=True)
    text = texts(await verifier.send("/statistik"))
    assert f"Perkiraan predikat IID (dari indikator dan buktinya): {band_line}" in text
    assert "\n".join(gaps) in text


@pytest.mark.telegram_only
async def test_statistics_in_english_and_without_innovations(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    admin = sim.user(ADMIN_ID, language_code="en")
    await admin.send("/start")
    await admin.send("Adi Admin")
    await admin.press("Bagian Organisasi")
    await admin.press("Skip")
    assert "Your account is ready" in texts(await admin.press("Skip"))
    text = texts(await admin.send("/stats"))
    assert "IID band" not in text  # nothing submitted: no IID lines
    rows = await seed(harness, count=5)
    first = next(r for r in rows if r.status == Status.DIAJUKAN)
    await give(harness, rows, {first.id: {"video": (3, True)}})
    text = texts(await admin.send("/stats"))
    # 3 x 4 of 105: 11.4 %
    assert (
        "Estimated IID band (from the indicators and their evidence): Very innovative 0 · "
        "Innovative 0 · Less innovative 1 · not scored yet 3"
    ) in text
    assert "• 1. Regulation of the innovation: 4 (0 + 4)" in text
