"""`python bot.py demo`: the bot against the Bot API simulator (or, with --channel whatsapp,
the WhatsApp Cloud API simulator), chatted with in the terminal by three people (pengusul,
verifikator, admin), on data kept in a folder between runs."""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import Awaitable, Callable
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

TELEGRAM = user_service.TELEGRAM
WHATSAPP = user_service.WHATSAPP
CHANNELS = (TELEGRAM, WHATSAPP)

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
    """One person of the demo: a Telegram account or a WhatsApp number, and the account the
    demo prepares."""

    name: str
    alias: str
    telegram_id: int
    first_name: str
    about: str  # {admins}: the setting that makes admins on the channel
    role: str = Role.PENGUSUL
    full_name: str | None = None  # set: the demo creates the account, onboarded
    unit_code: str | None = None

    @property
    def wa_id(self) -> str:
        """Return the person's WhatsApp number (1001: 6281200001001)."""
        return f"62812{self.telegram_id:08d}"

    def address(self, channel: str) -> int | str:
        """Return who the person is on channel: the Telegram id, or the BSUID WhatsApp
        gives the business for the number."""
        from bot.simulator.whatsapp.inbound import bsuid_for

        return bsuid_for(self.wa_id) if channel == WHATSAPP else self.telegram_id

    def about_on(self, channel: str) -> str:
        """Return the few words about the person, naming the channel's admin setting."""
        admins = "ADMIN_WHATSAPP_IDS" if channel == WHATSAPP else "ADMIN_TELEGRAM_IDS"
        return self.about.format(admins=admins)


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
        "Adi Admin, admin lewat {admins}: /pengguna, /undang, /statistik",
        role=Role.ADMIN,
        full_name="Adi Admin",
        unit_code="ORG",
    ),
)
ADMIN_IDS = [p.telegram_id for p in PEOPLE if p.role == Role.ADMIN]
ADMINS = [p for p in PEOPLE if p.role == Role.ADMIN]
WA_NUMBERS = ", ".join(p.wa_id for p in PEOPLE)

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

Dengan --channel whatsapp demo yang sama berjalan lewat tiruan WhatsApp Cloud API (tanpa
Telegram). Nomor WhatsApp ketiganya: {WA_NUMBERS};
admin karena ADMIN_WHATSAPP_IDS berisi BSUID nomornya. Tombol, baris daftar dan balasan
cepat templat tampil bernomor [1], [2], ..., berlanjut di semua pesan bertombol dari
jawaban terakhir bot; WhatsApp tidak punya papan ketik.
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


async def prepare_accounts(deps: Deps, channel: str = TELEGRAM) -> None:
    """Create the verifikator's and the admin's accounts on channel the first time, through
    the same services the bot uses: onboarded, the verifikator with its role and unit
    (recorded as a role change with reason "demo"), the admin an admin by
    ADMIN_TELEGRAM_IDS (ADMIN_WHATSAPP_IDS). Accounts that exist are left as they are (an
    admin may have changed them)."""
    now = deps.clock.now()
    async with db.transaction(deps.session_factory()) as session:
        units = {unit.code: unit for unit in await unit_service.list_active(session)}
        for person in PEOPLE:
            if person.full_name is None or person.unit_code is None:
                continue
            address = person.address(channel)
            if await user_service.get_by_identity(session, channel, address) is not None:
                continue
            unit = units[person.unit_code]
            user = await user_service.get_or_create(
                session,
                channel=channel,
                address=address,
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


def run(data_dir: Path, *, fresh: bool, channel: str = TELEGRAM) -> None:
    """Run the demo on channel ("telegram" or "whatsapp") on the data in data_dir (emptied
    first if fresh) until the terminal user leaves."""
    data_dir = data_dir.expanduser().resolve()
    if fresh:
        clear(data_dir)
    resumed = (data_dir / DATABASE_FILE).exists()
    data_dir.mkdir(parents=True, exist_ok=True)
    if resumed:
        print(f"Data demo: {data_dir} (melanjutkan data sebelumnya; --fresh untuk mulai baru)")
    else:
        print(f"Data demo: {data_dir} (baru)")
    asyncio.run(chat_whatsapp(data_dir) if channel == WHATSAPP else _chat(data_dir))
    print(f"Data demo tersimpan di {data_dir}")


async def _chat(data_dir: Path) -> None:
    from bot.simulator import BotApiSimulator
    from bot.simulator.console import Person
    from bot.simulator.terminal import HELP_TEXT, people_help, run_terminal

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
                about=p.about_on(TELEGRAM),
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def chat_whatsapp(
    data_dir: Path,
    *,
    read_line: Callable[[], Awaitable[str | None]] | None = None,
    write: Callable[[str], None] = print,
) -> None:
    """Run the demo on WhatsApp only, chatting through read_line and write (default: this
    terminal): the bot serves its webhook on a free loopback port, the WhatsApp simulator
    posts the three people's messages to it. Telegram is not configured."""
    from bot.simulator.console import Person
    from bot.simulator.terminal_whatsapp import (
        WA_HELP_TEXT,
        run_whatsapp_terminal,
        whatsapp_people_help,
    )
    from bot.simulator.whatsapp import WaTemplate, WhatsAppSimulator
    from bot.whatsapp import templates as whatsapp_templates

    received = data_dir / RECEIVED_DIR
    async with WhatsAppSimulator() as sim:
        settings = load_settings(
            telegram_bot_token=None,  # WhatsApp only, whatever .env says
            whatsapp_token=sim.token,
            whatsapp_phone_id=sim.phone_id,
            whatsapp_app_secret=sim.app_secret,
            whatsapp_verify_token=sim.verify_token,
            whatsapp_api_url=sim.api_url,
            whatsapp_number=sim.display_phone_number,
            webhook_url=None,
            webhook_listen="127.0.0.1",
            port=_free_port(),
            database_url=f"sqlite+aiosqlite:///{data_dir / DATABASE_FILE}",
            files_dir=data_dir / FILES_DIR,
            units_file=EXAMPLE_UNITS,
            pemda_name=PEMDA_NAME,
            timezone="Asia/Makassar",
            admin_telegram_ids=[],
            admin_whatsapp_ids=[p.address(WHATSAPP) for p in ADMINS],
        )
        # the templates the bot sends outside the 24-hour window, as Meta would have approved
        for template in whatsapp_templates.load(
            settings.whatsapp_templates_file
        ).templates.values():
            for wording in template.languages.values():
                sim.templates[(template.name, wording.code)] = WaTemplate(
                    wording.body, buttons=tuple(wording.buttons)
                )
        # a script piped into the demo types faster than WhatsApp lets one person be answered
        sim.pair_burst = 10_000
        people = []
        for p in PEOPLE:
            user = sim.user(p.wa_id, name=p.first_name, language="id")
            sim.mark_inbound(user.wa_id)  # each wrote lately: the 24-hour window is open
            aliases = (p.alias,) if p.alias != p.name else ()
            people.append(Person(p.name, user, about=p.about_on(WHATSAPP), aliases=aliases))
        deps = make_deps(settings)
        runtime = BotRuntime(settings, deps=deps, webhook_mode=False)
        help_text = (
            f"{WA_HELP_TEXT}\n\n{whatsapp_people_help(people)}\n\n"
            f"Data demo disimpan di {data_dir} dan dipakai lagi di demo berikutnya "
            "(python bot.py demo --channel whatsapp --fresh untuk mulai dari awal). "
            f"Dokumen dan grafik dari bot disimpan di {received}."
        )
        await runtime.start()
        sim.webhook_url = f"http://127.0.0.1:{settings.port}/whatsapp"
        sim.attach(runtime.worker)
        try:
            await prepare_accounts(deps, WHATSAPP)
            await run_whatsapp_terminal(
                sim,
                people[0].user,
                read_line=read_line,
                write=write,
                people=people,
                received_dir=received,
                help_text=help_text,
            )
        finally:
            await runtime.stop()
