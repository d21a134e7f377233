"""Evidence files kept under FILES_DIR: what is recorded about each, in one shape for the
innovation's files, a revision's and a monev report's; and their deletion, which waits for
the commit of the transaction that forgot them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

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


_DISCARD = "files_to_discard"


def discard_after_commit(session: AsyncSession, root: Path, paths: Sequence[str]) -> None:
    """Delete these stored files (relative to ``root``) once the session's transaction has
    committed: if it rolls back, the rows that name them are back and so are the files."""
    if not paths:
        return
    pending: list[Path] | None = session.info.get(_DISCARD)
    if pending is None:
        pending = session.info[_DISCARD] = []
        sync = session.sync_session
        event.listen(sync, "after_commit", _unlink_pending)
        event.listen(sync, "after_rollback", _forget_pending)
    pending.extend(root / path for path in paths)


def _unlink_pending(session: Session) -> None:
    for path in session.info.pop(_DISCARD, []):
        path.unlink(missing_ok=True)
    session.info[_DISCARD] = []


def _forget_pending(session: Session) -> None:
    session.info[_DISCARD] = []
