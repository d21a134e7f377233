"""The command line, run as a newcomer would: python bot.py ..."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "bot.py", *args],
        cwd=ROOT,
        env={**base, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_run_without_any_channel_says_what_is_missing() -> None:
    result = run_cli("run")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("no channel is configured")
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]
    assert "WHATSAPP_TOKEN" in lines[0] and "WHATSAPP_PHONE_ID" in lines[0]


def test_wrong_setting_stops_with_one_line() -> None:
    result = run_cli("migrate", env={"TIMEZONE": "Jakarta"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("TIMEZONE:")


def test_unreachable_database_stops_with_one_line() -> None:
    result = run_cli("migrate", env={"DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/x"})
    assert result.returncode == 3
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("DATABASE_URL: cannot open the database")


def test_migrate_and_import_units_from_yaml_and_csv(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    assert run_cli("migrate", env=env).stdout.strip() == "database is up to date"
    result = run_cli("units", "import", str(ROOT / "bot/data/units-example.yaml"), env=env)
    assert result.stdout.strip() == "units: 18 added, 0 updated, 0 unchanged"
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(
        "code,name,parent\nDINKES,Dinas Kesehatan Daerah,\nPKM-X,Puskesmas X,DINKES\n"
    )
    result = run_cli("units", "import", str(csv_file), env=env)
    assert result.stdout.strip() == "units: 1 added, 1 updated, 0 unchanged"


def test_demo_chats_in_the_terminal_without_a_token(tmp_path: Path) -> None:
    script = "/start\nDemo Pengguna\n4\n2\n2\n/baru\nInovasi dari Terminal\n/keluar\n"
    result = run_cli("demo", "--data", str(tmp_path / "demo"), stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Selamat datang" in out
    assert "Akun Anda siap" in out
    assert "Langkah 2/" in out and "Perangkat daerah" in out
    assert "Traceback" not in out + result.stderr


RANCANG_BANGUN = " ".join(
    ["Kader posyandu memakai aplikasi untuk jadwal dan pencatatan gizi."] * 35
)
# The pengusul registers a short innovation (tahapan Inisiatif) and submits it; numbers press
# the numbered buttons of the latest message.
SUBMIT = [
    "/start", "Sari Pengusul", "4", "2", "2",  # onboarding: Dinas Kesehatan, no NIP, no phone
    "/baru", "Posyandu Keliling Digital",
    "1",  # perangkat daerah: Dinas Kesehatan (the user's unit, first)
    "1", "1", "1",  # tahapan Inisiatif, an inisiator, "Saya sendiri"
    "1", "1", "1",  # jenis, bentuk, tematik
    "2", "13",  # urusan utama Kesehatan; urusan beririsan: Lewati
    "Banyak ibu hamil dan balita di desa terpencil tidak datang ke posyandu karena jadwal "
    "tidak diketahui, jaraknya jauh, dan data gizi dicatat di kertas sehingga terlambat sampai "
    "ke puskesmas dan dinas kesehatan setiap bulan.", "1",
    RANCANG_BANGUN, "1",
    "Semua ibu hamil dan balita terlayani posyandu setiap bulan.", "1",
    "Jadwal diketahui warga; data gizi sampai hari itu juga.", "1",
    "2",  # hasil: Lewati
    "/lokasi 4.1367 117.6631",
    "2",  # bukti dukung: Lewati
    "/kontak 081234567890",
    "2",  # 📤 Kirim untuk diverifikasi (after ✏️ Ubah isian)
]  # fmt: skip
CODE_RE = re.compile(r"INO-\d{4}-0001")


def test_demo_switches_between_people_and_keeps_its_data(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    review = ["/sebagai verifikator", "/antrian", "1", "1", "1", "/statistik"]  # 1: Ya, verifikasi
    review += ["/sebagai pengusul", "/as admin", "/pengguna"]
    result = run_cli("demo", "--data", str(data), stdin="\n".join(SUBMIT + review) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert out.startswith(f"Data demo: {data} (baru)\n")
    assert "/sebagai NAMA (atau /as NAME)" in out and "/bantuan-demo" in out
    assert f"Dokumen dan grafik dari bot disimpan di {data / 'received'}" in out
    submitted, verifier = out.split("👤 Sekarang Anda verifikator (id 1002)", 1)
    assert "Terkirim!" in submitted and CODE_RE.search(submitted)
    verifier, submitter = verifier.split("👤 Sekarang Anda pengusul (id 1001)", 1)
    assert "Antrian verifikasi (1, tertua dulu)" in verifier
    assert "Posyandu Keliling Digital · Diajukan" in verifier and "[1] ✅ Verifikasi" in verifier
    assert "terverifikasi. Pengusul sudah diberi tahu." in verifier  # read back: Sari can be told
    notice = "\n📨 pesan baru untuk pengusul (baca dengan /sebagai pengusul)\n"
    assert verifier.count(notice) == 1  # the pengusul was told, in their own chat
    chart = data / "received" / "foto.png"
    assert f"[foto: {chart.stat().st_size} bytes] → disimpan di {chart}" in verifier
    assert chart.read_bytes().startswith(b"\x89PNG")
    code = CODE_RE.findall(out)[0]
    assert submitter.splitlines()[1:3] == [
        "🤖 Bot:",
        f"✅ Inovasi {code} · Posyandu Keliling Digital telah terverifikasi. Selamat!",
    ]
    admin = submitter.split("👤 Sekarang Anda admin (id 1003)", 1)[1]
    assert "Pengguna (3)" in admin
    assert "Vera Verifikator · Verifikator · DINKES" in admin and "Adi Admin · Admin · ORG" in admin

    again = run_cli("demo", "--data", str(data), stdin="/inovasiku\n/as verifier\n/antrian\n")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"Data demo: {data} (melanjutkan data sebelumnya;")
    assert "Posyandu Keliling Digital · Terverifikasi" in again.stdout
    assert "Antrian verifikasi kosong" in again.stdout

    fresh = run_cli("demo", "--data", str(data), "--fresh", stdin="/inovasiku\n")
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout.startswith(f"Data demo: {data} (baru)\n")
    assert "Selesaikan pendaftaran akun dulu" in fresh.stdout
    assert not (data / "received").exists()


def test_demo_help_explains_people_and_data() -> None:
    result = run_cli("demo", "--help")
    assert result.returncode == 0
    for part in ("/sebagai pengusul|verifikator|admin", "/as submitter|verifier|admin",
                 "ADMIN_TELEGRAM_IDS=1003", "📨 pesan baru untuk", "--data DIR", "--fresh",
                 "data/demo", "received/", "/bantuan-demo", "--channel {telegram,whatsapp}",
                 "6281200001001", "ADMIN_WHATSAPP_IDS"):  # fmt: skip
        assert part in result.stdout, part


def test_demo_on_whatsapp_chats_in_the_terminal_and_keeps_its_data(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    script = "/start\nSari Pengusul\n4\n2\n3\n/as admin\n/pengguna\n/keluar\n"
    result = run_cli("demo", "--channel", "whatsapp", "--data", str(data), stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert out.startswith(f"Data demo: {data} (baru)\n")
    assert "👤 Sekarang Anda pengusul (nomor 6281200001001)" in out
    assert "☰ Pilih\n[1] Bagian Organisasi Sekretariat Daerah" in out
    assert "Terima kasih, Sari Pengusul. Akun Anda siap." in out
    admin = out.split("👤 Sekarang Anda admin (nomor 6281200001003)", 1)[1]
    assert "Pengguna (3)" in admin and "Sari Pengusul · Pengusul · DINKES" in admin

    again = run_cli("demo", "--channel", "whatsapp", "--data", str(data), stdin="/dataku\n")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"Data demo: {data} (melanjutkan data sebelumnya;")
    assert "Nama: Sari Pengusul" in again.stdout and "Unit: Dinas Kesehatan" in again.stdout


def test_export_from_the_command_line(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", "FILES_DIR": str(tmp_path)}
    out = tmp_path / "inovasi.xlsx"
    result = run_cli(
        "export",
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--files",
        str(tmp_path / "bukti.zip"),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"0 innovations written to {out}; 0 evidence files written to {tmp_path / 'bukti.zip'}"
    )
    assert out.read_bytes()[:2] == b"PK"
    result = run_cli(
        "export", "--format", "csv", "--out", str(tmp_path / "x.csv"), "--status", "draf", env=env
    )
    assert result.returncode == 0
    assert (
        (tmp_path / "x.csv").read_text(encoding="utf-8-sig").startswith("Kode,Status,Nama inovasi")
    )


def test_export_refuses_a_unit_that_names_nothing_or_several(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", "FILES_DIR": str(tmp_path)}
    assert (
        run_cli("units", "import", str(ROOT / "bot/data/units-example.yaml"), env=env).returncode
        == 0
    )
    out = str(tmp_path / "x.csv")
    unknown = run_cli("export", "--format", "csv", "--out", out, "--unit", "Dinas Rahasia", env=env)
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "--unit: no unit has the code or name 'Dinas Rahasia'"
    several = run_cli("export", "--format", "csv", "--out", out, "--unit", "puskesmas", env=env)
    assert several.returncode == 2
    assert several.stderr.startswith("--unit: 'puskesmas' matches several units (PKM-")
    by_name = run_cli(
        "export", "--format", "csv", "--out", out, "--unit", "dinas kesehatan", env=env
    )
    assert by_name.returncode == 0, by_name.stderr


def test_sqlite_means_one_bot_process(tmp_path: Path) -> None:
    from bot.cli import claim_sqlite
    from bot.settings import SettingsError, load_settings

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    settings = load_settings(_env_file=None, database_url=url)
    first = claim_sqlite(settings)
    assert first is not None
    with pytest.raises(SettingsError, match=r"^DATABASE_URL: another bot process already uses"):
        claim_sqlite(settings)  # a second process on the same file
    first.close()  # the first process ended
    again = claim_sqlite(settings)
    assert again is not None
    again.close()
    pg = load_settings(_env_file=None, database_url="postgresql+asyncpg://u@127.0.0.1/x")
    assert claim_sqlite(pg) is None


BAD_RULES = {
    "wrong weight": (
        ("bobot: 1\n    wajib: true\n    confirmed: false", "bobot: -1\n    wajib: true"),
        "indikator[0] (regulasi).bobot",
    ),
    "unknown indicator": (("key: sdm", "key: kepuasan"), "indikator[1] (kepuasan): unknown"),
    "missing level": (
        ("      - {label: 1-10 orang, label_en: 1-10 people}\n", ""),
        "indikator[1] (sdm).levels: 3 levels needed, 2 given",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_RULES))
def test_a_wrong_rules_file_stops_start_up_with_one_line(case: str, tmp_path: Path) -> None:
    (old, new), entry = BAD_RULES[case]
    text = (ROOT / "bot/data/iid-2026.yaml").read_text(encoding="utf-8")
    assert old in text
    rules = tmp_path / "iid-pemda.yaml"
    rules.write_text(text.replace(old, new, 1), encoding="utf-8")
    env = {
        "TELEGRAM_BOT_TOKEN": "123:ABC",
        "IID_RULES_FILE": str(rules),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    }
    result = run_cli("run", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"IID_RULES_FILE {rules}: ")
    assert entry in lines[0]


async def _seed_innovation(url: str) -> str:
    from datetime import UTC, datetime

    from models import db
    from models.clock import FrozenClock
    from models.masterdata import load_unit_file
    from models.services import proposal
    from models.services import units as unit_service
    from models.tables import Status
    from tests.factories import make_innovation, make_user

    clock = FrozenClock(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    engine = db.create_engine(url)
    try:
        await db.migrate(engine)
        async with db.transaction(db.session_factory(engine)) as session:
            units = load_unit_file(ROOT / "bot/data/units-example.yaml")
            await unit_service.import_units(session, units.units)
            owner = await make_user(session, clock, telegram_id=1, name="Sari", unit_code="DINKES")
            innovation = await make_innovation(
                session, clock, owner=owner, n=2, status=Status.TERVERIFIKASI
            )
            await proposal.save(
                session, innovation.id, "kebaruan", "Baru <b>sekali</b> =1+1", now=clock.now()
            )
            return innovation.code or ""
    finally:
        await engine.dispose()


def test_documents_from_the_command_line(tmp_path: Path) -> None:
    import asyncio
    import io

    import docx

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    code = asyncio.run(_seed_innovation(url))
    env = {"DATABASE_URL": url}
    profile, proposal = tmp_path / "profil.docx", tmp_path / "proposal.docx"
    result = run_cli("dokumen", code.lower(), "--out", str(profile), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{code}: dokumen written to {profile}"
    word = docx.Document(io.BytesIO(profile.read_bytes()))
    cells = [c.text for table in word.tables for row in table.rows for c in row.cells]
    assert "Nama inovasi" in cells and "Dinas Kesehatan" in cells
    assert "Regulasi inovasi daerah" in cells
    result = run_cli("proposal", code, "--out", str(proposal), env=env)
    assert result.returncode == 0, result.stderr
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(proposal.read_bytes())).paragraphs)
    assert "Baru <b>sekali</b> =1+1" in text
    result = run_cli("dokumen", "INO-2026-9999", "--out", str(profile), env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == "INO-2026-9999: no innovation has this code"
