"""The database, its folder and callers' recordings are readable by the service user only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from app.core.db import Database
from app.telephony.stream_listen import save_recording


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _permissive_umask() -> Iterator[None]:
    """A typical umask (022) that would make new files world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_sqlite_database_and_its_folders_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "data" / "ivr.sqlite3"
    database = Database(f"sqlite:///{path}")
    with database.session() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        session.execute(text("INSERT INTO t VALUES (1)"))
    database.dispose()
    assert _mode(tmp_path / "var") == 0o700
    assert _mode(tmp_path / "var" / "data") == 0o700
    assert _mode(path) == 0o600
    for companion in path.parent.iterdir():  # -wal and -shm follow the database's mode
        assert _mode(companion) & 0o077 == 0, companion


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    Database(f"sqlite:///{tmp_path / 'ivr.sqlite3'}").dispose()
    assert _mode(tmp_path) == 0o755  # not ours to change
    assert _mode(tmp_path / "ivr.sqlite3") == 0o600


def test_recordings_are_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "var" / "recordings"
    name = save_recording(folder, "CA123", 2, np.zeros(800, dtype=np.float32))
    assert _mode(tmp_path / "var") == 0o700 and _mode(folder) == 0o700
    assert _mode(folder / name) == 0o600
    assert (folder / name).read_bytes()[:4] == b"RIFF"
