"""The near-duplicate warning at registration, end to end: shown once the masalah is done,
each of its three choices does what it says, and nothing typed is lost."""

from __future__ import annotations

from sqlalchemy import select

from bot.simulator import BotApiSimulator, SentMessage, SimUser
from bot.simulator.whatsapp import WaMessage, WaUser
from models.catalog_tables import Replication
from models.db import transaction
from models.services import innovations as inno
from models.tables import FlowState, Innovation, Status, User
from tests import phones
from tests.conftest import BotHarness, labels_of, onboard, texts
from tests.factories import make_innovation
from tests.scheduler.support import add_user, deps_of

OWNER, REGISTRANT = 9601, 9602
NAME = "Si Cantik: Posyandu Digital"
MASALAH = (
    "Ibu hamil dan balita di wilayah perbatasan sering terlambat mendapat layanan "
    "karena jadwal posyandu tidak diketahui dan data kunjungan masih dicatat di buku. "
    "Kader kesulitan melaporkan kasus gizi buruk tepat waktu ke puskesmas."
)
OTHER_MASALAH = (
    "Jadwal posyandu di wilayah perbatasan tidak diketahui ibu hamil dan balita, sehingga "
    "layanan sering terlambat; data kunjungan dicatat di buku dan kader sulit melaporkan "
    "gizi buruk ke puskesmas tepat waktu."
)
RANCANG = "Kader mencatat kunjungan posyandu lewat aplikasi sederhana di ponsel."
WARNED = "Mirip dengan INO-2026-0001 (Dinas Kesehatan): Posyandu Digital Si Cantik"
Sim = BotApiSimulator | phones.WhatsAppPhones


async def existing(
    harness: BotHarness,
    sim: Sim,
    *,
    name: str = "Posyandu Digital Si Cantik",
    masalah: str = OTHER_MASALAH,
    owner_id: int = OWNER,
    status: str = Status.TERVERIFIKASI,
) -> Innovation:
    """An innovation of another person (or ``owner_id``'s) already registered."""
    async with transaction(deps_of(harness).session_factory()) as session:
        owner = (
            await session.execute(select(User).where(phones.is_person(owner_id)))
        ).scalar_one_or_none()
        if owner is None:
            owner = await add_user(
                session, sim, telegram_id=owner_id, name="Rina Pemilik", now=harness.clock.now()
            )
        innovation = await make_innovation(
            session, harness.clock, owner=owner, n=2, status=Status.DRAF
        )
        inno.set_field(innovation, "nama_inovasi", name, now=harness.clock.now())
        inno.set_field(innovation, "masalah", masalah, now=harness.clock.now())
        if status != Status.DRAF:
            await inno.submit(session, innovation, actor=owner, now=harness.clock.now())
            innovation.status = status
        await session.flush()
        return innovation


async def register_until_masalah(
    user: SimUser | WaUser, name: str = NAME, masalah: str = MASALAH
) -> list[SentMessage] | list[WaMessage]:
    """Answer every step up to the masalah and finish it; return the bot's answer."""
    await user.send("/baru")
    await user.send(name)
    await user.press("Dinas Kesehatan")
    await user.press("Penerapan")
    await user.press("ASN")
    await user.press("Saya sendiri")
    await user.press("Digital")
    await user.press("Inovasi pelayanan publik")
    await user.press("Digitalisasi layanan pemerintahan")
    await user.send("kesehat")
    await user.press("Kesehatan")
    await user.press("Pendidikan")
    await user.press("Selesai")
    await user.send("05/03/2024")
    await user.send("Juni 2024")
    await user.send(masalah)
    return await user.press("Selesai")


def warning_in(replies: list[SentMessage] | list[WaMessage]) -> SentMessage | WaMessage:
    """Return the warning message among the replies."""
    [message] = [m for m in replies if "Mirip dengan" in m.text and m.buttons]
    return message


def warning_labels(replies: list[SentMessage] | list[WaMessage]) -> list[str]:
    """Return the labels of the warning's buttons."""
    return list(warning_in(replies).button_labels())


async def press_on_warning(
    user: SimUser | WaUser, label: str, replies: list[SentMessage] | list[WaMessage]
) -> list[SentMessage] | list[WaMessage]:
    """Press a button of the warning message among the replies (not of a later message)."""
    warning = warning_in(replies)
    if isinstance(user, SimUser):
        assert isinstance(warning, SentMessage)
        return await user.press(label, message=warning)
    assert isinstance(warning, WaMessage)
    return await user.press(label, message=warning)


async def registrant(sim: Sim) -> SimUser | WaUser:
    user = sim.user(REGISTRANT, first_name="Sari")
    await onboard(user, name="Sari Pendaftar")
    return user


async def draft_of(harness: BotHarness) -> Innovation:
    async with await harness.session() as session:
        owner = (
            await session.execute(select(User).where(phones.is_person(REGISTRANT)))
        ).scalar_one()
        latest = (
            (
                await session.execute(
                    select(Innovation)
                    .where(Innovation.owner_id == owner.id)
                    .order_by(Innovation.id.desc())
                )
            )
            .scalars()
            .first()
        )
        assert latest is not None
        return latest


async def replications(harness: BotHarness) -> list[Replication]:
    async with await harness.session() as session:
        return list((await session.execute(select(Replication).order_by(Replication.id))).scalars())


async def test_a_different_innovation_goes_on_where_it_was(harness: BotHarness, sim: Sim) -> None:
    await existing(harness, sim)
    user = await registrant(sim)
    replies = await register_until_masalah(user)
    shown = texts(replies)
    assert "Ada inovasi yang sangat mirip" in shown and WARNED in shown
    assert "Jadwal posyandu di wilayah perbatasan" in shown  # its masalah, shortened
    assert "Rancang bangun" in shown  # the flow went on to the next step
    assert warning_labels(replies) == [
        "✅ Inovasi berbeda, lanjutkan",
        "🔁 Replikasi dari INO-2026-0001",
        "📂 Itu milik saya",
    ]
    replies = await press_on_warning(user, "✅ Inovasi berbeda, lanjutkan", replies)
    assert "dicatat sebagai inovasi yang berbeda" in texts(replies)
    assert "Rancang bangun" in texts(replies)
    await user.send(RANCANG)
    draft = await draft_of(harness)
    assert draft.masalah == MASALAH and draft.rancang_bangun == RANCANG
    assert await replications(harness) == []
    # once shown, the same innovation is not shown again for this draft
    await user.press("Kembali")
    replies = await user.press("Selesai")
    assert "Mirip dengan" not in texts(replies) and "Rancang bangun" in texts(replies)


async def test_a_replication_is_recorded_and_the_original_owner_told(
    harness: BotHarness, sim: Sim
) -> None:
    original = await existing(harness, sim)
    user = await registrant(sim)
    replies = await register_until_masalah(user)
    replies = await press_on_warning(user, "🔁 Replikasi dari INO-2026-0001", replies)
    answer = texts(replies)
    assert "inovasi Anda adalah replikasi dari INO-2026-0001 (Posyandu Digital Si Cantik)" in answer
    assert "Pemilik inovasi asal sudah diberi tahu" in answer
    assert "Rancang bangun" in answer
    draft = await draft_of(harness)
    [row] = await replications(harness)
    assert (row.original_id, row.replica_id, row.original_name, row.replica_name) == (
        original.id, draft.id, None, None,
    )  # fmt: skip
    notice = sim.user(OWNER).last
    assert "Inovasi Anda INO-2026-0001" in notice.text and NAME in notice.text
    assert "Sari Pendaftar" in notice.text
    replies = await user.send(RANCANG)  # the registration goes on where it was
    assert "kata" in texts(replies)
    assert (await draft_of(harness)).rancang_bangun == RANCANG
    # pressed again: recorded once
    await user.press_data(f"dup:r:{draft.id}:{original.id}")
    assert len(await replications(harness)) == 1


async def test_that_one_is_mine_names_another_persons_innovation_and_keeps_the_draft(
    harness: BotHarness, sim: Sim
) -> None:
    await existing(harness, sim)
    user = await registrant(sim)
    replies = await register_until_masalah(user)
    replies = await press_on_warning(user, "📂 Itu milik saya", replies)
    answer = texts(replies)
    assert "INO-2026-0001 (Posyandu Digital Si Cantik) terdaftar atas nama Rina Pemilik" in answer
    assert "(Dinas Kesehatan), bukan akun Anda" in answer
    assert "Riwayat" not in answer  # a pengusul is not shown another person's card
    assert "Rancang bangun" in answer
    await user.send(RANCANG)
    draft = await draft_of(harness)
    assert (draft.nama_inovasi, draft.masalah, draft.rancang_bangun) == (NAME, MASALAH, RANCANG)
    assert await replications(harness) == []


async def test_that_one_is_mine_resumes_the_owners_own_draft(harness: BotHarness, sim: Sim) -> None:
    user = await registrant(sim)
    first = await existing(harness, sim, owner_id=REGISTRANT, status=Status.DRAF)
    replies = await register_until_masalah(user)
    warning = warning_in(replies)
    assert "Mirip dengan draf Anda (Dinas Kesehatan): Posyandu Digital Si Cantik" in warning.text
    # a draft never submitted is no original to replicate
    assert warning_labels(replies) == ["✅ Inovasi berbeda, lanjutkan", "📂 Itu milik saya"]
    replies = await press_on_warning(user, "📂 Itu milik saya", replies)
    assert "Membuka draf Anda" in texts(replies) and "Nama inovasi" in texts(replies)
    async with await harness.session() as session:
        state = (
            await session.execute(select(FlowState).where(FlowState.active.is_(True)))
        ).scalar_one()
        drafts = list(
            (await session.execute(select(Innovation).where(Innovation.status == "draf"))).scalars()
        )
    assert state.target_id == first.id
    assert {d.nama_inovasi for d in drafts} == {"Posyandu Digital Si Cantik", NAME}
    new = next(d for d in drafts if d.id != first.id)
    assert new.masalah == MASALAH  # nothing typed is lost


async def test_no_warning_for_a_different_innovation(harness: BotHarness, sim: Sim) -> None:
    await existing(
        harness, sim, name="Sekolah Ramah Anak",
        masalah="Banyak anak putus sekolah karena perundungan dan ruang kelas yang tidak aman.",
    )  # fmt: skip
    user = await registrant(sim)
    replies = await register_until_masalah(user)
    assert "Mirip dengan" not in texts(replies)
    assert "Rancang bangun" in texts(replies)


async def test_that_one_is_mine_shows_the_owners_submitted_innovation_and_keeps_the_draft(
    harness: BotHarness, sim: Sim
) -> None:
    user = await registrant(sim)
    await existing(harness, sim, owner_id=REGISTRANT)
    replies = await register_until_masalah(user)
    replies = await press_on_warning(user, "📂 Itu milik saya", replies)
    answer = texts(replies)
    assert "INO-2026-0001" in answer and "Ini inovasi Anda" in answer
    assert "🔁 Replikasi" in labels_of(replies)  # the owner's own card, with its buttons
    assert "Rancang bangun" in answer
    await user.send(RANCANG)
    assert (await draft_of(harness)).rancang_bangun == RANCANG
