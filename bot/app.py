"""What every bot process opens, whatever its channels: settings, texts, master data, the
database."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.deps import Deps
from bot.i18n import load_catalogs
from bot.settings import Settings, SettingsError
from models import db, iid
from models.clock import Clock, SystemClock
from models.masterdata import load_master_data, load_unit_file
from models.services import units as unit_service

log = logging.getLogger(__name__)
DATA_DIR = Path(__file__).parent / "data"
DEFAULT_MASTER_DATA = DATA_DIR / "master-2026.yaml"
DEFAULT_IID_RULES = DATA_DIR / "iid-2026.yaml"
EXAMPLE_UNITS = DATA_DIR / "units-example.yaml"


def make_deps(settings: Settings, *, clock: Clock | None = None) -> Deps:
    """Load texts, master data and the IID rules once; wrong rules stop here (SettingsError)."""
    master = load_master_data(settings.master_data_file or DEFAULT_MASTER_DATA)
    try:
        rules = iid.load_rules(
            settings.iid_rules_file or DEFAULT_IID_RULES, [e.key for e in master.iid_indikator]
        )
    except iid.RulesError as exc:
        raise SettingsError(str(exc)) from None
    return Deps(settings, load_catalogs(), master, clock or SystemClock(), iid=rules)


async def open_database(deps: Deps) -> None:
    """Create the engine, bring the schema up to date and import the configured units."""
    settings = deps.settings
    pool: dict[str, int] = {}
    if not settings.database_url.startswith("sqlite"):
        # a connection for each update the worker runs, its own, and the sweep's
        pool = {"pool_size": settings.inbox_concurrency, "max_overflow": 8}
    engine = db.create_engine(settings.database_url, **pool)
    deps.engine = engine
    await db.migrate(engine)
    deps.sessions = db.session_factory(engine)
    if deps.settings.units_file is not None:
        units = load_unit_file(deps.settings.units_file)
        async with db.transaction(deps.sessions) as session:
            result = await unit_service.import_units(session, units.units)
        log.info("units: %d added, %d updated", result.added, result.updated)


async def close_database(deps: Deps) -> None:
    """Dispose of the engine."""
    if deps.engine is not None:
        await deps.engine.dispose()
        deps.engine = None
        deps.sessions = None
