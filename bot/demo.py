"""`python bot.py demo`: the bot against the Bot API simulator, chatted with in the terminal by
three people (pengusul, verifikator, admin), on data kept in a folder between runs."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import BigInteger, cast, func, select

from bot.app import EXAMPLE_UNITS, make_deps
from bot.deps import Deps
from bot.runtime import BotRuntime
from bot.settings import load_settings
from bot.telegram.requests import CHANNEL
from models import db
from models.services import people as people_service
from models.services import units as unit_service
from models.services import users as user_service
from models.tables import HandledUpdate, InboxUpdate, Role

DEFAULT_DATA_DIR = Path("data") / "demo"
PEMDA_NAME = "Pemerintah Kabupaten Nunukan (demo)"
# What a demo folder holds; --fresh removes exactly these, nothing else that may be there.
DATABASE_FILE = "demo.db"
FILES_DIR = "files"
RECEIVED_DIR = "received"
_DEMO_ITEMS = (
    DATABASE_FILE,
    f"{DATABASE_FILE}-journal",
    f"{DATABASE_FILE}-wal",
    f"{DATABASE_FILE}-shm",
    FILES_DIR,
    RECEIVED_DIR,
)


@dataclass(frozen=True)
class DemoPerson:
    """One person of the demo: a Telegram account, and the account the demo prepares."""

    name: str
    alias: str
    telegram_id: int
    first_name: str
    about: str
    role: str = Role.PENGUSUL
    full_name: str | None = None  # set: the demo creates the account, onboarded
    unit_code: str | None = None


PEOPLE = (
    DemoPerson(
        "pengusul",
        "submitter",
        1001,
        "Demo",
        "mendaftarkan dan mengirim inovasi; mulai dengan /start",
    ),
    DemoPerson(
        "verifikator",
        "verifier",
        1002,
        "Vera",
        "Vera Verifikator, verifikator Dinas Kesehatan (akun disiapkan demo): /antrian",
        role=Role.VERIFIKATOR,
        full_name="Vera Verifikator",
        unit_code="DINKES",
    ),
    DemoPerson(
        "admin",
        "admin",
        1003,
        "Adi",
        "Adi Admin, admin lewat ADMIN_TELEGRAM_IDS: /pengguna, /undang, /statistik",
        role=Role.ADMIN,
        full_name="Adi Admin",
        unit_code="ORG",
    ),
)
ADMIN_IDS = [p.telegram_id for p in PEOPLE if p.role == Role.ADMIN]

DESCRIPTION = f"""\
Mengobrol dengan bot di terminal ini, lewat tiruan Bot API Telegram; tidak perlu token.

Ada tiga orang, masing-masing dengan akun Telegram dan chat sendiri. Pindah dengan
/sebagai pengusul|verifikator|admin (atau /as submitter|verifier|admin):
  pengusul    (id 1001) mendaftarkan dan mengirim inovasi; mulai dengan /start
  verifikator (id 1002) Vera Verifikator, Dinas Kesehatan; akunnya (peran dan unit)
              disiapkan demo di basis data saat pertama kali dijalankan
  admin       (id 1003) Adi Admin, Bagian Organisasi; admin karena ADMIN_TELEGRAM_IDS=1003
              di pengaturan demo (akunnya juga disiapkan demo)
Pesan bot untuk orang yang sedang tidak dipilih tampil sebagai satu baris
"📨 pesan baru untuk ..."; setelah pindah, pesan terbaru chat itu ditampilkan lagi.

Data (basis data SQLite dan berkas bukti) disimpan di folder --data DIR (bawaan:
{DEFAULT_DATA_DIR}) dan dipakai lagi di demo berikutnya; --fresh menghapusnya dan mulai
dari awal. Dokumen dan grafik yang dikirim bot disimpan di DIR/{RECEIVED_DIR}/ (jalurnya
tampil di terminal).

Di dalam demo: ketik teks untuk mengirim pesan, nomor (mis. 1) untuk menekan tombol [1];
/file PATH, /foto PATH, /lokasi LINTANG BUJUR, /kontak NOMOR; /bantuan-demo menampilkan
semua perintah terminal; /keluar (atau Ctrl-D) untuk berhenti.
"""


def clear(data_dir: Path) -> None:
    """Remove what an earlier demo left in data_dir (only the demo's own files)."""
    for name in _DEMO_ITEMS:
        path = data_dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


async def next_update_id(database_url: str) -> int:
    """Return the first update id the demo's simulator may use: past every id the bot
    remembers from earlier runs (it takes a remembered id for a repeat and ignores it)."""
    engine = db.create_engine(database_url)
    try:
        await db.migrate(engine)
        async with engine.connect() as conn:
            handled = await conn.scalar(
                select(func.max(cast(HandledUpdate.update_key, BigInteger))).where(
                    HandledUpdate.channel == CHANNEL
                )
            )
            kept = await conn.scalar(
                select(func.max(cast(InboxUpdate.platform_id, BigInteger))).where(
                    InboxUpdate.channel == CHANNEL
                )
            )
    finally:
        await engine.dispose()
    return max(handled or 0, kept or 0) + 1


async def prepare_accounts(deps: Deps) -> None:
    """Create the verifikator's and the admin's accounts the first time, through the same
    services the bot uses: onboarded, the verifikator with its role and unit (recorded as a
    role change with reason "demo"), the admin an admin by ADMIN_TELEGRAM_IDS. Accounts that
    exist are left as they are (an admin may have changed them)."""
    now = deps.clock.now()
    async with db.transaction(deps.session_factory()) as session:
        units = {unit.code: unit for unit in await unit_service.list_active(session)}
        for person in PEOPLE:
            if person.full_name is None or person.unit_code is None:
                continue
            if await user_service.get_by_telegram_id(session, person.telegram_id) is not None:
                continue
            unit = units[person.unit_code]
            user = await user_service.get_or_create(
                session,
                address=person.telegram_id,
                language="id",
                now=now,
                admins=deps.settings.admins,
            )
            user_service.complete_onboarding(
                user, name=person.full_name, unit_id=unit.id, nip=None, phone=None
            )
            if person.role == Role.VERIFIKATOR:
                await people_service.set_role(
                    session,
                    actor=None,
                    target=user,
                    role=Role.VERIFIKATOR,
                    unit_id=unit.id,
                    now=now,
                    reason="demo",
                )


def run(data_dir: Path, *, fresh: bool) -> None:
    """Run the demo on the data in data_dir (emptied first if fresh) until the terminal user
    leaves."""
    data_dir = data_dir.expanduser().resolve()
    if fresh:
        clear(data_dir)
    resumed = (data_dir / DATABASE_FILE).exists()
    data_dir.mkdir(parents=True, exist_ok=True)
    if resumed:
        print(f"Data demo: {data_dir} (melanjutkan data sebelumnya; --fresh untuk mulai baru)")
    else:
        print(f"Data demo: {data_dir} (baru)")
    asyncio.run(_chat(data_dir))
    print(f"Data demo tersimpan di {data_dir}")


async def _chat(data_dir: Path) -> None:
    from bot.simulator import BotApiSimulator
    from bot.simulator.terminal import HELP_TEXT, Person, people_help, run_terminal

    database_url = f"sqlite+aiosqlite:///{data_dir / DATABASE_FILE}"
    received = data_dir / RECEIVED_DIR
    first_update = await next_update_id(database_url)
    async with BotApiSimulator(first_update_id=first_update) as sim:
        settings = load_settings(
            telegram_bot_token=sim.token,
            telegram_api_url=sim.api_url,
            telegram_file_url=sim.file_url,
            database_url=database_url,
            files_dir=data_dir / FILES_DIR,
            units_file=EXAMPLE_UNITS,
            pemda_name=PEMDA_NAME,
            timezone="Asia/Makassar",
            admin_telegram_ids=ADMIN_IDS,
        )
        # Every person has started the bot (their chats exist), so it can write to them.
        people = [
            Person(
                p.name,
                sim.user(p.telegram_id, first_name=p.first_name, started=True),
                about=p.about,
                aliases=(p.alias,) if p.alias != p.name else (),
            )
            for p in PEOPLE
        ]
        deps = make_deps(settings)
        runtime = BotRuntime(settings, deps=deps, webhook_mode=False, poll_timeout=5)
        sim.attach(runtime.worker)
        help_text = (
            f"{HELP_TEXT}\n\n{people_help(people)}\n\n"
            f"Data demo disimpan di {data_dir} dan dipakai lagi di demo berikutnya "
            "(python bot.py demo --fresh untuk mulai dari awal). "
            f"Dokumen dan grafik dari bot disimpan di {received}."
        )
        await runtime.start()
        try:
            await prepare_accounts(deps)
            await run_terminal(
                sim, people[0].user, people=people, received_dir=received, help_text=help_text
            )
        finally:
            await runtime.stop()
