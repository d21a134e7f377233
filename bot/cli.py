"""Command line: run, web, demo, migrate, export, dokumen, proposal, units import."""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import Conflict, InvalidToken, TelegramError

from bot import demo, logging_setup
from bot.app import close_database, make_deps, open_database
from bot.settings import Settings, SettingsError, load_settings
from bot.telegram.transport import AiohttpRequest
from models import db
from models.masterdata import load_unit_file
from models.services import units as unit_service
from models.tables import Status

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python bot.py", description="Bot pendaftaran dan monev inovasi daerah"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot against Telegram (needs TELEGRAM_BOT_TOKEN)")
    demo_parser = sub.add_parser(
        "demo",
        help="chat with the bot in this terminal, no token needed",
        description=demo.DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo_parser.add_argument(
        "--data",
        type=Path,
        default=demo.DEFAULT_DATA_DIR,
        metavar="DIR",
        help=f"folder data demo (bawaan: {demo.DEFAULT_DATA_DIR})",
    )
    demo_parser.add_argument(
        "--fresh", action="store_true", help="hapus data demo sebelumnya dan mulai dari awal"
    )
    demo_parser.add_argument(
        "--channel",
        choices=demo.CHANNELS,
        default=demo.TELEGRAM,
        help="saluran yang ditiru: telegram (bawaan) atau whatsapp",
    )
    sub.add_parser(
        "web", help="serve only the public catalog (/katalog) and /healthz on WEBHOOK_LISTEN:PORT"
    )
    sub.add_parser("migrate", help="bring the database schema up to date")
    export = sub.add_parser("export", help="export innovations in IID column order")
    export.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    export.add_argument("--out", type=Path, required=True, help="file to write")
    export.add_argument("--status", choices=[s.value for s in Status])
    export.add_argument("--unit", help="unit code or name, e.g. DINKES (its sub-units too)")
    export.add_argument("--year", type=int, help="year of registration")
    export.add_argument("--files", type=Path, help="also write the evidence files to this zip")
    export.add_argument("--lang", choices=("id", "en"), default="id")
    for name, what in (("dokumen", "the innovation profile"), ("proposal", "the KIPP proposal")):
        document = sub.add_parser(name, help=f"write {what} of one innovation as DOCX")
        document.add_argument("code", help="the innovation's code, e.g. INO-2026-0001")
        document.add_argument("--out", type=Path, required=True, help="file to write")
        document.add_argument("--lang", choices=("id", "en"), default="id")
    units = sub.add_parser("units", help="manage the unit list")
    units_sub = units.add_subparsers(dest="units_command", required=True)
    units_import = units_sub.add_parser("import", help="import units from a YAML or CSV file")
    units_import.add_argument("file", type=Path)
    return parser


async def _check_database(settings: Settings) -> None:
    engine = db.create_engine(settings.database_url)
    try:
        await db.migrate(engine)
    finally:
        await engine.dispose()


async def _document(settings: Settings, args: argparse.Namespace) -> str:
    from bot.documents.build import profile_document, proposal_document
    from bot.documents.docx import profile_docx, proposal_docx
    from models.services import innovations as inno

    deps = make_deps(settings)
    t = deps.translator(args.lang)
    await open_database(deps)
    try:
        async with db.transaction(deps.session_factory()) as session:
            innovation = await inno.get_by_code(session, args.code)
            if innovation is None:
                raise UsageError(f"{args.code}: no innovation has this code")
            if args.command == "proposal":
                content = proposal_docx(await proposal_document(session, deps, t, innovation))
            else:
                content = profile_docx(await profile_document(session, deps, t, innovation))
    finally:
        await close_database(deps)
    args.out.write_bytes(content)
    return f"{innovation.code}: {args.command} written to {args.out}"


async def _import_units(settings: Settings, path: Path) -> str:
    records = load_unit_file(path)
    engine = db.create_engine(settings.database_url)
    try:
        await db.migrate(engine)
        async with db.transaction(db.session_factory(engine)) as session:
            result = await unit_service.import_units(session, records.units)
    finally:
        await engine.dispose()
    return f"units: {result.added} added, {result.updated} updated, {result.unchanged} unchanged"


async def _export(settings: Settings, args: argparse.Namespace) -> str:
    from tqdm import tqdm

    from bot import evidence_zip, exports
    from models.services.export import Filters, count_innovations

    deps = make_deps(settings)
    filters = Filters(status=args.status, unit_code=args.unit, year=args.year)
    t = deps.translator(args.lang)
    await open_database(deps)
    try:
        async with db.transaction(deps.session_factory()) as session:
            if args.unit:
                await _one_unit(session, args.unit)
            total = await count_innovations(session, viewer=None, filters=filters)
            with tqdm(total=total, unit="inovasi", disable=total < 200) as bar:
                build = exports.build_csv if args.format == "csv" else exports.build_xlsx
                content = await build(
                    session, deps, t, viewer=None, filters=filters, progress=bar.update
                )
            args.out.write_bytes(content)
            message = f"{total} innovations written to {args.out}"
            if args.files:
                count = await evidence_zip.write_evidence_zip(
                    session, deps, viewer=None, filters=filters, out=args.files, t=t
                )
                message += f"; {count} evidence files written to {args.files}"
    finally:
        await close_database(deps)
    return message


class BotApiError(Exception):
    """Telegram refused the token or could not be reached; the message is one line."""


async def _check_bot_api(settings: Settings) -> None:
    """Ask the Bot API who we are, so a wrong token or a dead API is one clear line."""
    token = settings.require_token().get_secret_value()
    bot = Bot(token, base_url=settings.telegram_api_url, request=AiohttpRequest(timeout=20))
    try:
        async with bot:  # getMe; shut down again even when it fails
            pass
    except InvalidToken:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN: Telegram rejected the token; copy it again from @BotFather"
        ) from None
    except TelegramError as exc:
        host = urlsplit(settings.telegram_api_url).netloc
        raise BotApiError(
            f"TELEGRAM_API_URL: cannot reach the Bot API at {host} ({exc.message})"
        ) from None


class UsageError(Exception):
    """A command-line argument names nothing or several things; the message is one line."""


async def _one_unit(session: AsyncSession, wanted: str) -> None:
    """Refuse a --unit that names no unit, or several."""
    found = await unit_service.find(session, wanted)
    if not found:
        raise UsageError(f"--unit: no unit has the code or name {wanted!r}")
    if len(found) > 1:
        codes = ", ".join(u.code for u in found)
        raise UsageError(f"--unit: {wanted!r} matches several units ({codes}); give one code")


def _configure_logging(settings: Settings, level: int) -> None:
    logging_setup.configure(level, secrets=settings.secrets(), fmt=settings.log_format)


def _run(settings: Settings) -> None:
    settings.require_channel()
    make_deps(settings)  # the master data and the IID rules hold together
    _configure_logging(settings, settings.logging_level)
    lock = claim_sqlite(settings)  # noqa: F841 - held open while the process runs
    if settings.telegram_enabled:
        asyncio.run(_check_bot_api(settings))
    asyncio.run(_check_database(settings))
    asyncio.run(_serve(settings))


def claim_sqlite(settings: Settings) -> IO[bytes] | None:
    """On SQLite, make sure this is the only bot process on the database file (it holds a
    lock on ``<file>.lock`` while it runs); return the lock file to keep open."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(f"{url.database}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("wb")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise SettingsError(
            "DATABASE_URL: another bot process already uses this SQLite database; SQLite "
            "means one process (use PostgreSQL to run several)"
        ) from None
    return handle


async def _serve(settings: Settings) -> None:
    """Run the bot until SIGINT or SIGTERM."""
    from bot.runtime import BotRuntime

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runtime = BotRuntime(settings)
    listen = f"{settings.webhook_listen}:{settings.port}"
    modes = []
    if runtime.app is not None:
        modes.append(
            f"Telegram webhook on {listen}" if runtime.webhook_mode else "Telegram polling"
        )
    if runtime.whatsapp is not None:
        modes.append(f"WhatsApp webhook on {listen}")
    log.info("bot starting (%s)", ", ".join(modes))
    try:
        await runtime.run_until_stopped(stop)
    except Conflict:
        raise BotApiError(
            "TELEGRAM_BOT_TOKEN: another process takes this bot's updates (polling or a "
            "webhook); run one polling process, or set WEBHOOK_URL for several"
        ) from None
    except InvalidToken:
        raise SettingsError("TELEGRAM_BOT_TOKEN: Telegram rejected the token") from None
    log.info("bot stopped")


async def _bot_username(settings: Settings) -> str | None:
    """Ask the Bot API for the bot's username (for the catalog's links); None if it fails."""
    token = settings.require_token().get_secret_value()
    bot = Bot(token, base_url=settings.telegram_api_url, request=AiohttpRequest(timeout=20))
    try:
        async with bot:
            return bot.username
    except TelegramError as exc:
        log.warning("catalog: no Telegram link, the Bot API did not answer (%s)", exc.message)
        return None


async def _serve_catalog(settings: Settings) -> None:
    """Serve the catalog and /healthz until SIGINT or SIGTERM (it only reads the database, so
    on SQLite it may run beside the bot's process)."""
    from bot import web
    from bot.catalog import web as catalog_web

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    deps = make_deps(settings)
    if settings.telegram_enabled:
        deps.bot_username = await _bot_username(settings) or deps.bot_username
    await open_database(deps)
    app = web.build(deps, [catalog_web.routes(deps)])
    server = web.WebServer(app, host=settings.webhook_listen, port=settings.port)
    try:
        try:
            await server.start()
        except OSError as exc:
            listen = f"{settings.webhook_listen}:{settings.port}"
            raise SettingsError(f"PORT: cannot listen on {listen} ({exc.strerror})") from None
        log.info("catalog on http://%s:%d/katalog", settings.webhook_listen, server.port)
        await stop.wait()
    finally:
        await server.stop()
        await close_database(deps)
    log.info("catalog stopped")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    settings: Settings | None = None
    try:
        if args.command == "demo":
            logging_setup.configure(logging.WARNING)
            demo.run(args.data, fresh=args.fresh, channel=args.channel)
            return 0
        settings = load_settings()
        quiet = max(settings.logging_level, logging.WARNING)
        if args.command == "run":
            _run(settings)
        elif args.command == "web":
            make_deps(settings)  # the master data and the IID rules hold together
            _configure_logging(settings, settings.logging_level)
            asyncio.run(_serve_catalog(settings))
        elif args.command == "migrate":
            _configure_logging(settings, settings.logging_level)
            asyncio.run(_check_database(settings))
            print("database is up to date")
        elif args.command == "export":
            _configure_logging(settings, quiet)
            print(asyncio.run(_export(settings, args)))
        elif args.command in ("dokumen", "proposal"):
            _configure_logging(settings, quiet)
            print(asyncio.run(_document(settings, args)))
        elif args.command == "units":
            _configure_logging(settings, quiet)
            print(asyncio.run(_import_units(settings, args.file)))
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except BotApiError as exc:
        print(str(exc), file=sys.stderr)
        return 4
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (OSError, ConnectionError) as exc:
        redact = logging_setup.Redactor(settings.secrets() if settings else ())
        reason = redact(f"{exc.__class__.__name__}: {exc}")
        print(f"DATABASE_URL: cannot open the database ({reason})", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    return 0
