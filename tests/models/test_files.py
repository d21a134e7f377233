"""Stored files are deleted only when the transaction that forgot them commits."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import db
from models.services.files import discard_after_commit


class Boom(Exception):
    pass


async def test_files_go_with_the_commit_and_stay_with_a_rollback(
    database_url: str, tmp_path: Path
) -> None:
    kept, gone = tmp_path / "kept.pdf", tmp_path / "gone.pdf"
    kept.write_bytes(b"%PDF-1.4")
    gone.write_bytes(b"%PDF-1.4")
    engine = db.create_engine(database_url)
    try:
        await db.migrate(engine)
        factory = db.session_factory(engine)
        with pytest.raises(Boom):
            async with db.transaction(factory) as session:
                discard_after_commit(session, tmp_path, ["kept.pdf"])
                raise Boom
        assert kept.exists()
        async with db.transaction(factory) as session:
            discard_after_commit(session, tmp_path, ["gone.pdf"])
            assert gone.exists()  # not before the commit
        assert not gone.exists() and kept.exists()
    finally:
        await engine.dispose()
