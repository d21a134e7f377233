"""The command line, run as a newcomer would: python bot.py ..."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def test_run_without_token_says_how_to_get_one() -> None:
    result = run_cli("run")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("TELEGRAM_BOT_TOKEN") and "@BotFather" in lines[0]


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


def test_demo_chats_in_the_terminal_without_a_token() -> None:
    script = "/start\nDemo Pengguna\n4\n2\n2\n/baru\nInovasi dari Terminal\n/keluar\n"
    result = run_cli("demo", stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Selamat datang" in out
    assert "Akun Anda siap" in out
    assert "Langkah 2/" in out and "Perangkat daerah" in out
    assert "Traceback" not in out + result.stderr


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
