"""What every update handler needs, created once at start-up and passed down."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.i18n import Translator
from bot.settings import Settings
from models.clock import Clock
from models.iid import IidRules
from models.masterdata import MasterData
from models.policy import Policy
from models.services.duplicates import SimilarityCache


@dataclass
class Deps:
    """Settings, database, texts, master data and the clock."""

    settings: Settings
    catalogs: dict[str, dict[str, str]]
    master: MasterData
    clock: Clock
    iid: IidRules
    engine: AsyncEngine | None = None
    sessions: async_sessionmaker[AsyncSession] | None = None
    bot_username: str = "bot"
    housekeeping_done_on: date | None = None
    next_draft_scan: datetime | None = None
    similarity: SimilarityCache = field(default_factory=SimilarityCache)  # near-duplicates

    @property
    def files_dir(self) -> Path:
        """Return where evidence files are kept."""
        return self.settings.files_dir

    @cached_property
    def policy(self) -> Policy:
        """Return the reminder policy and time zone the settings describe."""
        return Policy.from_settings(self.settings)

    def today(self) -> date:
        """Return today's date in the Pemda's time zone."""
        return self.policy.local_date(self.clock.now())

    def translator(self, lang: str) -> Translator:
        """Return the texts of one language."""
        return Translator(self.catalogs, lang)

    def session_factory(self) -> async_sessionmaker[AsyncSession]:
        """Return the session factory; the database is opened in post_init."""
        if self.sessions is None:
            raise RuntimeError("database not initialised")
        return self.sessions
