"""Evidence files kept under FILES_DIR: what is recorded about each, in one shape for the
innovation's files, a revision's and a monev report's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.tables import StoredFile


@dataclass(frozen=True)
class EvidenceFile:
    """An evidence file already written under FILES_DIR (``path`` is relative to it)."""

    kind: str
    filename: str
    mime_type: str
    size: int
    path: str
    unique_id: str | None = None

    def columns(self, *, now: datetime) -> dict[str, Any]:
        """Return the columns of a :class:`StoredFile` row for this file."""
        return {
            "kind": self.kind,
            "filename": self.filename,
            "mime_type": self.mime_type,
            "size": self.size,
            "path": self.path,
            "telegram_file_unique_id": self.unique_id,
            "created_at": now,
        }


def same_file(stored: StoredFile) -> dict[str, Any]:
    """Return the columns of ``stored`` for a row of another table holding the same file."""
    evidence = EvidenceFile(
        stored.kind,
        stored.filename,
        stored.mime_type,
        stored.size,
        stored.path,
        stored.telegram_file_unique_id,
    )
    return evidence.columns(now=stored.created_at)
