"""🔄 Perbarui a verified innovation and ↩️ Tarik kembali a submission, end to end."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import func, select

from bot.simulator import BotApiSimulator, SentMessage, SimUser
from bot.simulator.whatsapp import WaMessage, WaUser
from models.tables import Attachment, Innovation, Revision, RevisionFile, StatusEvent
from tests.conftest import BotHarness, button_answer, screen_labels, texts
from tests.factories import make_innovation, make_user

OWNER, VERIFIER = 5401, 5402
PDF = b"%PDF-1.4\n" + b"1" * 1024


async def seed(harness: BotHarness, status: str) -> Innovation:
    """An owner and a verifikator of Dinas Kesehatan, and the owner's innovation in
    ``status`` (tahapan Penerapan, trial 3 March 2025)."""
    async with await harness.session() as session, session.begin():
        owner = await make_user(
            session, harness.clock, telegram_id=OWNER, name="Siti Aminah", unit_code="DINKES"
        )
        verifier = await make_user(
            session, harness.clock, telegram_id=VERIFIER, name="Vera Verifikator",
            unit_code="DINKES", role="verifikator",
        )  # fmt: skip
        return await make_innovation(
            session, harness.clock, owner=owner, n=2, status=status, reviewer=verifier
        )


async def stored(harness: BotHarness) -> Innovation:
    async with await harness.session() as session:
        return (await session.execute(select(Innovation))).unique().scalar_one()


async def revision_rows(harness: BotHarness) -> list[Revision]:
    async with await harness.session() as session:
        return list((await session.execute(select(Revision).order_by(Revision.id))).scalars())


def was_stale(user: SimUser | WaUser, replies: list[SentMessage] | list[WaMessage]) -> bool:
    """Whether the bot answered the user's button with "no longer valid"."""
    notice, _ = button_answer(user, replies)
    return "tidak berlaku" in (notice or "")


async def edit(user: SimUser, label: str) -> list[SentMessage]:
    """From a summary card, open one field (through the field list when the card has one)."""
    card = user.latest_with_buttons()
    assert card is not None
    if not any(label in b for b in card.button_labels()):
        await user.press("Ubah isian")
    return await user.press(label)


async def test_a_verified_innovation_is_revised_reviewed_again_and_kept_until_accepted(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    innovation = await seed(harness, "terverifikasi")
    old_name = innovation.nama_inovasi or ""
    owner, verifier = sim.user(OWNER), sim.user(VERIFIER)
    await verifier.send("/start")  # a chat the bot may write to

    card = texts(await owner.send("/status INO-2026-0001"))
    assert "Terverifikasi" in card
    replies = await owner.press("Perbarui")
    assert "Perbarui INO-2026-0001?" in texts(replies)
    confirm = owner.latest_with_buttons()
    assert confirm is not None
    replies = await owner.press("Ya, mulai revisi")
    assert "Revisi ke-1 dari INO-2026-0001" in texts(replies)
    assert "Ringkasan revisi" in texts(replies) and "belum ada isian yang berubah" in texts(replies)
    assert "Versi terverifikasi tetap berlaku" in texts(replies)
    # the confirmation pressed again starts nothing new
    await owner.press("Ya, mulai revisi", message=confirm)
    assert len(await revision_rows(harness)) == 1

    await edit(owner, "Nama inovasi")
    await owner.send("Posyandu Sehat Versi Dua yang Lebih Panjang")
    await edit(owner, "Waktu uji coba")
    replies = await owner.send("Maret 2025")  # a month alone: kept as a month
    await edit(owner, "Bukti dukung")
    await owner.send_document("sk-perubahan.pdf", PDF, "application/pdf")
    replies = await owner.press("Selesai")
    summary = texts(replies)
    assert "Nama inovasi: Posyandu Sehat Versi Dua yang Lebih Panjang" in summary
    assert "Waktu uji coba: Maret 2025" in summary and "sk-perubahan.pdf" in summary
    assert "Berubah dari versi terverifikasi: Nama inovasi, Waktu uji coba, Bukti dukung" in summary

    # until accepted, the verified version is what the card shows
    card = texts(await owner.send("/status INO-2026-0001"))
    assert old_name in card and "Versi Dua" not in card
    assert "Revisi ke-1: sedang disusun" in card
    assert (await stored(harness)).nama_inovasi == old_name

    await owner.press("Lanjutkan revisi ke-1")
    summary_card = owner.latest_with_buttons()
    replies = await owner.press("Kirim revisi")
    assert "dikirim untuk diperiksa" in texts(replies) and "Vera Verifikator" in texts(replies)
    await owner.press("Kirim revisi", message=summary_card)  # pressed twice: sent once
    assert [r.round for r in await revision_rows(harness)] == [1]
    notice = verifier.last
    assert "Revisi ke-1 dari INO-2026-0001" in notice.text
    assert f"Nama inovasi: {old_name} → Posyandu Sehat Versi Dua yang Lebih Panjang" in notice.text
    assert "Waktu uji coba: 3 Maret 2025 → Maret 2025" in notice.text
    assert "Bukti dukung: (kosong) → 1 berkas: sk-perubahan.pdf" in notice.text

    # the queue lists it; the reviewer's card and export show the verified version, with the
    # revision to review
    assert "🔄 INO-2026-0001 · " in await queue(verifier)
    card = texts(await verifier.send("/status INO-2026-0001"))
    assert old_name in card and "Revisi ke-1: diajukan" in card
    assert "🔍 Periksa revisi ke-1" in screen_labels(verifier)
    [export] = [m for m in await verifier.send("/ekspor csv") if m.document]
    assert export.document is not None
    exported = export.document.data.decode("utf-8-sig")
    assert old_name in exported and "Versi Dua" not in exported

    replies = await verifier.press("Periksa revisi ke-1", message=notice)
    first_review = verifier.latest_with_buttons()
    assert first_review is not None and "Yang berubah" in texts(replies)
    assert "Waktu uji coba: 3 Maret 2025 → Maret 2025" in texts(replies)
    assert "Diajukan 20 November 2026 09.01 oleh Siti Aminah" in texts(replies)
    await verifier.press("Kembalikan")
    await verifier.press("Nama inovasi")
    await verifier.press("Selesai")
    replies = await verifier.send("Nama terlalu panjang, mohon persingkat.")
    assert "dikembalikan ke pengusul" in texts(replies)
    assert "dikembalikan oleh verifikator" in owner.last.text
    assert "Nama terlalu panjang" in owner.last.text

    replies = await owner.press("Perbaiki revisi")
    assert "🚩" in texts(replies) and "Nama terlalu panjang" in texts(replies)
    await edit(owner, "Nama inovasi")
    await owner.send("Posyandu Sehat Versi Dua")
    await owner.press("Kirim revisi")
    assert "Revisi ke-1 dari INO-2026-0001" in verifier.last.text

    # the first submission's buttons do not decide the second
    assert was_stale(verifier, await verifier.press("Terima revisi", message=first_review))
    assert (await stored(harness)).nama_inovasi == old_name

    await verifier.press("Periksa revisi ke-1")
    decision = verifier.latest_with_buttons()
    assert decision is not None
    accept = next(b.callback_data for b in decision.all_buttons() if "Terima" in b.text)
    assert accept is not None
    replies = await verifier.press("Terima revisi")
    assert "diterima" in texts(replies) and "Pengusul sudah diberi tahu" in texts(replies)
    assert "diterima verifikator" in owner.last.text
    replies = await verifier.press_data(accept, message=decision)  # pressed twice: once is enough
    assert was_stale(verifier, replies)

    after = await stored(harness)
    assert after.nama_inovasi == "Posyandu Sehat Versi Dua"
    assert (after.waktu_uji_coba, after.waktu_uji_coba_precision) == (date(2025, 3, 1), "month")
    assert [a.filename for a in after.attachments] == ["sk-perubahan.pdf"]
    path = harness.settings.files_dir / after.attachments[0].path
    assert await asyncio.to_thread(path.read_bytes) == PDF
    [revision] = await revision_rows(harness)
    assert (revision.status, revision.round, revision.comment) == (
        "diterima",
        2,
        "Nama terlalu panjang, mohon persingkat.",
    )
    async with await harness.session() as session:
        events = list(
            (await session.execute(select(StatusEvent).order_by(StatusEvent.id))).scalars()
        )
        pending = (await session.execute(select(func.count()).select_from(RevisionFile))).scalar()
        attachments = (await session.execute(select(func.count()).select_from(Attachment))).scalar()
    steps = [(e.data or {}).get("revision_status") for e in events if "revision" in (e.data or {})]
    assert steps == ["diajukan", "dikembalikan", "diajukan", "diterima"]
    changes = (events[-1].data or {})["changes"]  # who, when and what changed, kept
    assert list(changes) == ["nama_inovasi", "waktu_uji_coba", "bukti_dukung"]
    assert changes["waktu_uji_coba"] == ["2025-03-03", "2025-03"]
    assert changes["bukti_dukung"] == [[], ["sk-perubahan.pdf"]]
    assert {e.to_status for e in events[-4:]} == {"terverifikasi"}
    assert (pending, attachments) == (0, 1)

    card = texts(await owner.send("/status INO-2026-0001"))
    assert "Posyandu Sehat Versi Dua" in card and "Waktu uji coba: Maret 2025" in card
    assert "Revisi ke-1 diterima oleh Vera Verifikator" in card
    assert "Berubah: Nama inovasi, Waktu uji coba, Bukti dukung" in card
    assert any("Perbarui" in label for label in screen_labels(owner))  # revision 2 may follow


async def test_an_unchanged_revision_is_not_sent_and_a_cancelled_one_leaves_nothing(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await seed(harness, "terverifikasi")
    owner, verifier = sim.user(OWNER), sim.user(VERIFIER)
    await verifier.send("/start")  # a chat the bot may write to
    await owner.send("/status INO-2026-0001")
    await owner.press("Perbarui")
    await owner.press("Ya, mulai revisi")
    replies = await owner.press("Kirim revisi")
    assert "Belum ada isian yang berubah" in texts(replies)
    assert "Revisi" not in texts(verifier.messages)
    await edit(owner, "Bukti dukung")
    await owner.send_document("foto.pdf", PDF, "application/pdf")
    await owner.press("Selesai")
    [stored_file] = await _revision_files(harness)
    file_path = harness.settings.files_dir / stored_file
    assert await asyncio.to_thread(file_path.exists)
    await owner.press("Batalkan revisi")
    replies = await owner.press("Ya, batalkan")
    assert "Revisi ke-1 dibatalkan" in texts(replies)
    assert await revision_rows(harness) == []
    assert not await asyncio.to_thread(file_path.exists)
    await owner.send("/status INO-2026-0001")
    assert any("Perbarui" in label for label in screen_labels(owner))


async def _revision_files(harness: BotHarness) -> list[str]:
    async with await harness.session() as session:
        return list((await session.execute(select(RevisionFile.path))).scalars())


async def queue(verifier: SimUser) -> str:
    """Return the verifier's /antrian: its text and the items' buttons."""
    [shown] = await verifier.send("/antrian")
    return "\n".join([shown.text, *shown.button_labels()])


async def test_a_submission_is_withdrawn_before_review_and_sent_again(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await seed(harness, "diajukan")
    owner, verifier = sim.user(OWNER), sim.user(VERIFIER)
    await verifier.send("/start")  # a chat the bot may write to
    assert "INO-2026-0001" in await queue(verifier)

    await owner.send("/status INO-2026-0001")
    replies = await owner.press("Tarik kembali")
    assert "Tarik kembali INO-2026-0001?" in texts(replies)
    confirm = owner.latest_with_buttons()
    assert confirm is not None
    yes = next(b.callback_data for b in confirm.all_buttons() if "Ya" in b.text)
    assert yes is not None
    replies = await owner.press("Ya, tarik kembali")
    assert "ditarik kembali dan kembali menjadi draf" in texts(replies)
    assert "ditarik kembali oleh Siti Aminah" in verifier.last.text
    replies = await owner.press_data(yes, message=confirm)  # the same confirmation once more
    assert was_stale(owner, replies)

    withdrawn = await stored(harness)
    assert withdrawn.status == "draf" and withdrawn.code == "INO-2026-0001"
    async with await harness.session() as session:
        events = list(
            (await session.execute(select(StatusEvent).order_by(StatusEvent.id))).scalars()
        )
    assert [(e.from_status, e.to_status) for e in events] == [
        ("draf", "diajukan"),
        ("diajukan", "draf"),
    ]
    assert events[-1].data == {"withdrawn": True} and events[-1].actor_id == withdrawn.owner_id
    assert "Antrian verifikasi kosong" in await queue(verifier)
    done = owner.latest_with_buttons()
    card = texts(await owner.send("/status INO-2026-0001"))
    assert "Ditarik kembali oleh Siti Aminah" in card
    assert not any("Tarik kembali" in label for label in screen_labels(owner))

    await owner.send("/draf")  # from /draf too, a withdrawn submission opens at its summary
    replies = await owner.press("INO-2026-0001")
    assert "Ringkasan profil inovasi" in texts(replies)
    replies = await owner.press("Ubah dan kirim lagi", message=done)
    assert "Ringkasan profil inovasi" in texts(replies)
    replies = await owner.press("Kirim")
    assert "INO-2026-0001" in texts(replies) and "diajukan" in texts(replies)
    assert (await stored(harness)).status == "diajukan"
    assert "INO-2026-0001" in await queue(verifier)
    # the first submission's confirmation does not withdraw the second one
    assert was_stale(owner, await owner.press_data(yes, message=confirm))
    assert (await stored(harness)).status == "diajukan"


async def test_a_revision_moving_the_innovation_out_of_the_reviewers_units_is_not_accepted(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await seed(harness, "terverifikasi")
    owner, verifier = sim.user(OWNER), sim.user(VERIFIER)
    await verifier.send("/start")
    await owner.send("/status INO-2026-0001")
    await owner.press("Perbarui")
    await owner.press("Ya, mulai revisi")
    await edit(owner, "Perangkat daerah")
    await owner.send("pendidikan")
    await owner.press("Dinas Pendidikan")
    await owner.press("Kirim revisi")
    notice = verifier.last
    assert "Perangkat daerah: Dinas Kesehatan → Dinas Pendidikan" in notice.text
    await verifier.press("Periksa revisi ke-1", message=notice)
    replies = await verifier.press("Terima")
    assert "memindahkan inovasi ke Dinas Pendidikan, di luar unit yang Anda periksa" in texts(
        replies
    )
    [revision] = await revision_rows(harness)
    assert revision.status == "diajukan"
    unit = (await stored(harness)).unit
    assert unit is not None and unit.code == "DINKES"
