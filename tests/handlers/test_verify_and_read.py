"""A verifier confirms a verification knowing what IID still misses, reads the long texts in
full and opens the evidence files: through the simulated Bot API."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.simulator import BotApiSimulator, SentMessage
from models.services import innovations as inno
from models.services import review
from models.tables import Attachment, Innovation, StatusEvent, User
from models.validation import count_words
from tests import phones
from tests.conftest import BotHarness, button_answer, labels_of, screen_labels, texts
from tests.factories import TRICKY_TEXT, make_innovation, make_user, profile
from tests.handlers.test_registration import JPEG, PDF
from tests.handlers.test_review import submit_one

ADMIN_ID = 9700
VERIFIER = 9710
OWNER = 9720
OTHER_VERIFIER = 9730
STRANGER = 9740
STALE = "Tombol ini sudah tidak berlaku."
EIGHT_WORDS = "Kader mencatat kunjungan lewat aplikasi di setiap posyandu."
TELEGRAM_LIMIT = 4096


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with one bootstrap admin."""
    phones.set_admins(settings, ADMIN_ID)
    return settings


async def people(harness: BotHarness) -> None:
    """A verifikator of Dinas Kesehatan, one of Dinas Pendidikan, and a pengusul."""
    async with await harness.session() as session, session.begin():
        for telegram_id, name, unit, role in (
            (VERIFIER, "Vera Verifikator", "DINKES", "verifikator"),
            (OTHER_VERIFIER, "Dedi Verifikator", "DISDIK", "verifikator"),
            (STRANGER, "Lain Pengusul", "DINKES", "pengusul"),
            (ADMIN_ID, "Adi Admin", "ORG", "admin"),
        ):
            await make_user(
                session, harness.clock, telegram_id=telegram_id, name=name, unit_code=unit,
                role=role,
            )  # fmt: skip


async def submit_short(harness: BotHarness) -> int:
    """Submit a profile whose rancang bangun has 8 words (IID asks for 300)."""
    async with await harness.session() as session, session.begin():
        owner = await make_user(
            session, harness.clock, telegram_id=OWNER, name="Sari Pengusul", unit_code="DINKES"
        )
        draft = await inno.create_draft(session, owner=owner, now=harness.clock.now())
        for key, value in profile(2, rancang_bangun=EIGHT_WORDS).items():
            inno.set_field(draft, key, value, now=harness.clock.now())
        await inno.submit(session, draft, actor=owner, now=harness.clock.now())
        return draft.id


async def history(harness: BotHarness) -> list[tuple[str | None, str]]:
    async with await harness.session() as session:
        rows = await session.execute(select(StatusEvent).order_by(StatusEvent.id))
        return [(e.from_status, e.to_status) for e in rows.scalars()]


async def status_of(harness: BotHarness, innovation_id: int) -> str:
    async with await harness.session() as session:
        innovation = await session.get(Innovation, innovation_id)
        assert innovation is not None
        return innovation.status


def callback_of(message: SentMessage, label: str) -> str:
    [button] = [b for b in message.all_buttons() if label in b.text]
    assert button.callback_data is not None
    return button.callback_data


async def test_verifying_asks_first_and_names_what_iid_misses(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await people(harness)
    innovation_id = await submit_short(harness)
    verifier = sim.user(VERIFIER, started=True)
    owner = sim.user(OWNER, started=True)
    async with await harness.session() as session:
        stored = await session.get(Innovation, innovation_id)
        assert stored is not None
        percent = inno.profile_completeness(stored).percent

    replies = await verifier.send("/antrian")
    assert "INO-2026-0001" in screen_labels(verifier)[0]
    card = await verifier.press("INO-2026-0001")
    assert f"Kelengkapan profil IID: {percent}%" in texts(card)
    replies = await verifier.press("Verifikasi")
    [ask] = replies
    assert "Verifikasi INO-2026-0001?" in ask.text
    assert f"belum memenuhi syarat IID ({percent}% lengkap)" in ask.text
    assert "Rancang bangun: 8 dari 300 kata" in ask.text
    assert "Latar belakang masalah" not in ask.text  # long enough: not named
    assert ask.button_labels() == ["✅ Ya, verifikasi", "↩️ Kembalikan", "Batal"]
    assert await status_of(harness, innovation_id) == "diajukan"

    replies = await verifier.press("Batal", message=ask)
    assert "Verifikasi INO-2026-0001 dibatalkan" in texts(replies)
    if isinstance(ask, SentMessage):  # Telegram takes the buttons away (WhatsApp cannot)
        assert ask.buttons == [] and ask.edited
    assert await status_of(harness, innovation_id) == "diajukan"

    # a confirmation asked for one submission does not verify a later one
    await verifier.press("Verifikasi", message=card[-1])
    first = verifier.last
    async with await harness.session() as session, session.begin():
        innovation = await session.get(Innovation, innovation_id)
        admin = (await session.execute(select(User).where(phones.is_person(ADMIN_ID)))).scalar_one()
        assert innovation is not None
        now = harness.clock.now()
        review.return_for_changes(
            session, innovation, reviewer=admin, comment="Lengkapi rancang bangun.",
            fields=["rancang_bangun"], now=now,
        )  # fmt: skip
        inno.set_field(innovation, "rancang_bangun", " ".join(["kata"] * 320), now=now)
        await inno.submit(session, innovation, actor=innovation.owner, now=now)
    before = await history(harness)
    replies = await verifier.press("Ya, verifikasi", message=first)
    assert button_answer(verifier, replies) == (STALE, [])
    assert await history(harness) == before

    await verifier.press("Verifikasi", message=card[-1])
    second = verifier.last
    assert "memenuhi semua syarat IID (100%)" in second.text
    assert "Rancang bangun" not in second.text
    forged = callback_of(second, "Ya, verifikasi")
    for data in (forged + "9", forged.rsplit(":", 1)[0], forged + ":1", "rv:vy:99999:1"):
        replies = await verifier.press_data(data, message=second)
        assert button_answer(verifier, replies) == (STALE, []), data
    assert await history(harness) == before

    # others cannot confirm, and a pengusul cannot either
    for person in (sim.user(OTHER_VERIFIER, started=True), sim.user(STRANGER, started=True)):
        await person.send("/bantuan")
        assert button_answer(person, await person.press_data(forged)) == (STALE, [])
    assert await history(harness) == before

    replies = await verifier.press("Kembalikan", message=second)
    assert "Mengembalikan INO-2026-0001 ke pengusul." in texts(replies)
    await verifier.send("/batal")
    replies = await verifier.press("Ya, verifikasi", message=second)
    assert "INO-2026-0001 terverifikasi" in texts(replies)
    assert not isinstance(second, SentMessage) or second.edited  # Telegram: in place
    assert "telah terverifikasi" in owner.last.text
    replies = await verifier.press_data(forged, message=second)  # pressed twice
    assert button_answer(verifier, replies) == (STALE, [])
    assert await history(harness) == [*before, ("diajukan", "terverifikasi")]


def paragraphs(prefix: str, count: int) -> list[str]:
    return [
        f"{prefix} {n}: " + " ".join(["kader", "posyandu", "<b>&"] * 25) + f" akhir {n}."
        for n in range(1, count + 1)
    ]


async def test_read_in_full_and_open_the_evidence(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await people(harness)
    verifier = sim.user(VERIFIER, started=True)
    owner = await submit_one(sim, OWNER)  # with sk-inovasi.pdf and a photo
    rancang = paragraphs("Tahap", 40)
    masalah = " ".join([f"masalah{n}" for n in range(900)])  # one paragraph, over the limit
    async with await harness.session() as session, session.begin():
        innovation = (await session.execute(select(Innovation))).scalar_one()
        innovation.rancang_bangun = "\n\n".join(rancang)
        innovation.masalah = TRICKY_TEXT + "\n\n" + masalah
        innovation.hasil = None
        innovation_id = innovation.id

    await verifier.send("/antrian")
    card = await verifier.press("INO-2026-0001")
    assert "📖 Baca lengkap" in labels_of(card)
    assert "📎 Lihat bukti (2)" in labels_of(card)
    assert "…" in texts(card)  # the card itself shows previews

    replies = await verifier.press("Baca lengkap", message=card[-1])
    assert len(replies) >= 4
    for message in replies:
        assert len(message.text) <= TELEGRAM_LIMIT
        if isinstance(message, SentMessage):  # Telegram counts the HTML in UTF-16 units
            assert len(message.html.encode("utf-16-le")) // 2 <= TELEGRAM_LIMIT
    shown = "\n".join(m.text for m in replies)
    assert replies[0].text.startswith("📖 INO-2026-0001 · Si Cantik: Posyandu Digital")
    labels = ["Latar belakang masalah", "Rancang bangun", "Tujuan", "Manfaat", "Hasil"]
    positions = [
        shown.index(f"{label} (") if label != "Hasil" else shown.index(label) for label in labels
    ]
    assert positions == sorted(positions)
    words = f"{count_words(chr(10).join(rancang)):,}".replace(",", ".")
    assert f"Rancang bangun ({words} kata)" in shown
    assert "Hasil: belum diisi" in shown
    assert TRICKY_TEXT in shown  # escaped, shown as typed
    for paragraph in rancang:  # cut between paragraphs, never inside one
        assert sum(paragraph in m.text for m in replies) == 1, paragraph[:20]
    assert shown.count("masalah") - shown.count("Latar belakang masalah") == 900
    assert "Rancang bangun (lanjutan)" in shown
    continued = [m for m in replies if "(lanjutan)" in m.text]
    assert all(m.text.split("\n", 1)[0].endswith("(lanjutan)") for m in continued)

    replies = await verifier.press("Lihat bukti", message=card[-1])
    document, photo = replies
    assert document.document is not None and photo.photo is not None
    assert document.document.filename == "INO-2026-0001-bukti-1.pdf"
    assert document.document.data == PDF
    assert "bukti 1 dari 2" in document.text and "sk-inovasi.pdf" in document.text
    assert photo.photo == JPEG and "bukti 2 dari 2" in photo.text

    # the owner opens them from /status too
    replies = await owner.send("/status INO-2026-0001")
    replies = await owner.press("Lihat bukti", message=replies[-1])
    assert [(m.document is not None, m.photo is not None) for m in replies] == [
        (True, False),
        (False, True),
    ]

    # nobody else may, and a forged button is only stale
    for person in (sim.user(OTHER_VERIFIER, started=True), sim.user(STRANGER, started=True)):
        await person.send("/bantuan")
        for data in (f"rd:t:{innovation_id}", f"rd:f:{innovation_id}"):
            assert button_answer(person, await person.press_data(data)) == (STALE, []), data
    for data in ("rd:x:1", f"rd:f:{innovation_id}9", "rd:t:", "rd:"):
        replies = await verifier.press_data(data, message=card[-1])
        assert button_answer(verifier, replies) == (STALE, []), data

    # a file gone from the server is named, the others still arrive
    async with await harness.session() as session:
        first = (
            (await session.execute(select(Attachment).order_by(Attachment.id))).scalars().first()
        )
        assert first is not None
    (Path(harness.settings.files_dir) / first.path).unlink()
    replies = await verifier.press("Lihat bukti", message=card[-1])
    assert [m.kind for m in replies] == ["photo", "text"]
    assert "INO-2026-0001-bukti-1.pdf" in replies[-1].text


async def test_no_evidence_is_said_plainly(harness: BotHarness, sim: BotApiSimulator) -> None:
    await people(harness)
    async with await harness.session() as session, session.begin():
        owner = await make_user(
            session, harness.clock, telegram_id=OWNER, name="Sari Pengusul", unit_code="DINKES"
        )
        await make_innovation(session, harness.clock, owner=owner, n=1)
    verifier = sim.user(VERIFIER, started=True)
    replies = await verifier.send("/status INO-2026-0001")
    assert "📎 Lihat bukti (0)" in replies[0].button_labels()
    replies = await verifier.press("Lihat bukti", message=replies[0])
    assert texts(replies) == "INO-2026-0001 belum punya bukti dukung."


async def test_verify_in_english(harness: BotHarness, sim: BotApiSimulator) -> None:
    await people(harness)
    await submit_short(harness)
    async with await harness.session() as session, session.begin():
        user = (await session.execute(select(User).where(phones.is_person(VERIFIER)))).scalar_one()
        user.language = "en"
    verifier = sim.user(VERIFIER, started=True, language_code="en")
    replies = await verifier.send("/status INO-2026-0001")
    assert "📖 Read in full" in labels_of(replies)
    replies = await verifier.press("Verify")
    assert "Verify INO-2026-0001?" in texts(replies)
    assert "Design: 8 of 300 words" in texts(replies)
    assert replies[0].button_labels() == ["✅ Yes, verify", "↩️ Return", "Cancel"]


@pytest.mark.telegram_only
async def test_verifying_says_whether_the_submitter_could_be_told(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await people(harness)
    innovation_id = await submit_short(harness)
    verifier = sim.user(VERIFIER, started=True)
    sim.user(OWNER, started=True)
    sim.block(OWNER)
    async with await harness.session() as session, session.begin():
        owner = (await session.execute(select(User).where(phones.is_person(OWNER)))).scalar_one()
        owner.unreachable = True  # the bot learnt it when a message bounced
    await verifier.send("/antrian")
    await verifier.press("INO-2026-0001")
    await verifier.press("Verifikasi")
    replies = await verifier.press("Ya, verifikasi")
    assert texts(replies).startswith("✅ INO-2026-0001 terverifikasi. Pengusul tidak dapat")
    assert await status_of(harness, innovation_id) == "terverifikasi"
