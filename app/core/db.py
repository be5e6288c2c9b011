"""Database engine and sessions: SQLite by default, PostgreSQL by URL, same code for both.

Engines never put statement parameters (phone numbers, ID numbers, what callers said)
into error messages or logs (`hide_parameters=True`). A SQLite database is created
owner-only: its folder 0700, the file 0600 (SQLite gives its -wal and -shm files the
same mode).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, Table, create_engine, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction, make_transient_to_detached, sessionmaker

T = TypeVar("T")

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def make_private_dir(path: Path) -> None:
    """Create a folder (and missing parents) readable by this user only."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    for created in missing:
        os.chmod(created, PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask


def create_private_file(path: Path) -> None:
    """Create an empty file readable by this user only, unless it already exists."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        return
    os.chmod(path, PRIVATE_FILE_MODE)


def make_engine(url: str) -> Engine:
    """Create an engine; for SQLite, make a private file, enable foreign keys, WAL, a 30 s
    busy timeout (a writer waits for the one before it instead of failing) and
    synchronous=NORMAL."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            make_private_dir(Path(path).parent)
            create_private_file(Path(path))
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit takes
            # ~0.1 ms instead of an fsync (~5 ms here) while holding the write lock that
            # every other writer waits for. The file cannot be corrupted; a power cut (not
            # a crash of the service) may lose the last commits before it.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True
    )


class Database:
    """Owns the engine and hands out sessions; one per process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def insert_new(session: Session, model: type[T], **values: Any) -> T | None:
    """Insert a row unless a unique constraint already holds one: the new object, or None.

    One statement (`INSERT ... ON CONFLICT DO NOTHING RETURNING`, on both databases) where
    a look-up then an insert took two; on PostgreSQL an insert of the same key by another
    transaction still under way is waited for, then this one does nothing (a look-up then
    an insert would have failed). Only unique violations are skipped; any other error
    still raises. No ORM flush events fire for the row (no model with flush listeners is
    written this way).

    The statement is built once per model and database and runs on the session's
    connection (pending changes are flushed first, as the ORM's autoflush would); the
    returned row, every column of it, becomes a loaded object of the session without the
    ORM's bulk-insert machinery (docs/performance.md, "Hospital bookings").
    """
    if session.autoflush:
        session.flush()
    conn = session.connection()
    new = _NEW_ROWS.get((conn.dialect.name, model))
    if new is None:
        new = _NEW_ROWS[(conn.dialect.name, model)] = _NewRow(conn.dialect.name, model)
    row = conn.execute(new.statement, {new.column[k]: v for k, v in values.items()}).first()
    if row is None:
        return None
    return keep_inserted(session, model(**{new.attribute[k]: v for k, v in row._mapping.items()}))


def keep_inserted(session: Session, obj: T) -> T:
    """Make `obj`, a row just inserted by a Core statement with every column given, a
    loaded object of the session without a statement, as if the ORM had flushed it: a
    savepoint rolled back later takes it out of the session again (`session.get` then
    finds nothing). An object left in the session by a row rolled back earlier whose id
    the database has given again (SQLite reuses ids) is taken out first."""
    key = session.identity_key(instance=obj)
    stale = session.identity_map.get(key)
    if stale is not None:
        session.expunge(stale)
    make_transient_to_detached(obj)
    session.add(obj)
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_INSERTED, []).append((transaction, obj))
    return obj


_INSERTED = "rows_inserted_past_flush"


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, rolled_back: SessionTransaction) -> None:
    kept = session.info.get(_INSERTED)
    if not kept:
        return
    remaining = []
    for transaction, obj in kept:
        within = transaction
        while within is not None and within is not rolled_back:
            within = within.parent
        if within is None:
            remaining.append((transaction, obj))
        elif obj in session:
            session.expunge(obj)
    session.info[_INSERTED] = remaining


@event.listens_for(Session, "after_transaction_end")
def _forget_at_the_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed, or rolled back (every object expired)
        session.info.pop(_INSERTED, None)


class _NewRow:
    """`insert_new`'s statement for one model and database, and its names: attribute to
    column key and back."""

    def __init__(self, dialect: str, model: type[Any]) -> None:
        mapper = inspect(model)
        table = cast(Table, mapper.local_table)
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.statement = insert(table).on_conflict_do_nothing().returning(*table.c)
        self.column = {prop.key: prop.columns[0].key for prop in mapper.column_attrs}
        self.attribute = {column: attribute for attribute, column in self.column.items()}


_NEW_ROWS: dict[tuple[str, type[Any]], _NewRow] = {}
