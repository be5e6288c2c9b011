"""Shared fixtures: a real, migrated database on SQLite and on PostgreSQL.

Every test that asks for `db` runs once per backend. PostgreSQL is the server on
127.0.0.1:5432 (override with IVR_TEST_POSTGRES_URL); when it is unreachable the
PostgreSQL runs are skipped, unless IVR_REQUIRE_POSTGRES=1 (as in CI), which fails them.

Web-layer tests (browser pages in tests/e2e, role and isolation checks over HTTP in
`*_http.py`) and flow-layer tests (whole calls through the engine in
tests/integration/calls and over Twilio's webhooks and media streams in
tests/integration/telephony) exercise pages, permissions and call flows, whose SQL is the
services': they run on the production database (PostgreSQL) only, when both backends are
tested. Service-level tests keep running on both. IVR_TEST_WEB_ON_EVERY_BACKEND=1 runs
them on both too.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url

from app.core.db import Database
from app.core.migrate import alembic_config, upgrade
from app.schema import Base

POSTGRES_ADMIN_URL = os.environ.get(
    "IVR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# The daily retention job would run inside every test app against wall-clock time and
# remove test rows dated in the past; tests run it themselves with a controlled `now`.
os.environ.setdefault("IVR_RETENTION_IN_PROCESS", "false")
# Staff passwords are hashed and verified with real argon2id at the lowest cost it allows
# (the same settings a deployment tunes; production refuses less than OWASP's minimum):
# the default cost (~0.3 s a check) spent minutes on the suite's sign-ins.
os.environ.setdefault("IVR_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("IVR_PASSWORD_HASH_MEMORY_KIB", "1024")
BACKENDS = [b for b in os.environ.get("IVR_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]


def _create_postgres_database() -> str:
    """Create a throw-away database on the local server and return its URL."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"ivr_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is down or refuses us
        admin.dispose()
        if os.environ.get("IVR_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _postgres_reachable() -> bool:
    engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


_ONE_BACKEND_DIRS = ("e2e", "calls", "telephony")


def _web_layer(item: pytest.Item) -> bool:
    """A web- or flow-layer test (see the module docstring)."""
    path = Path(str(item.fspath))
    return any(d in path.parts for d in _ONE_BACKEND_DIRS) or path.name.endswith("_http.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run web- and flow-layer tests on PostgreSQL only when both backends are tested."""
    if "postgresql" not in BACKENDS or os.environ.get("IVR_TEST_WEB_ON_EVERY_BACKEND") == "1":
        return
    if os.environ.get("IVR_REQUIRE_POSTGRES") != "1" and not _postgres_reachable():
        return  # the PostgreSQL runs will be skipped: keep the SQLite ones
    dropped = [
        item
        for item in items
        if _web_layer(item)
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("database_url") == "sqlite"  # type: ignore[attr-defined]
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        ids = {id(item) for item in dropped}
        items[:] = [item for item in items if id(item) not in ids]


@pytest.fixture(scope="session")
def _migrated_databases() -> Iterator[dict[str, str]]:
    """One migrated database per backend for the whole session (created on first use).

    `database_url` is parametrized by backend, so pytest sets it up again each time the
    backend changes between tests (for every test file): the database itself is kept here,
    so a switch costs nothing and the demo snapshots (keyed by URL) stay valid."""
    made: dict[str, str] = {}
    yield made
    if "postgresql" in made:
        _drop_postgres_database(made["postgresql"])


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _migrated_databases: dict[str, str],
) -> str:
    """A migrated database for the whole test session, per backend (emptied by `db`)."""
    backend = request.param
    if backend not in _migrated_databases:
        if backend == "sqlite":
            path: Path = tmp_path_factory.mktemp("db") / "test.sqlite3"
            url = f"sqlite:///{path}"
        else:
            url = _create_postgres_database()
        upgrade(url)
        _migrated_databases[backend] = url
    return _migrated_databases[backend]


@cache
def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The session database, emptied before each test (and brought back to the head
    revision if a migration test left it elsewhere: it serves the whole session)."""
    database = Database(database_url)
    with database.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if version != _head_revision():
        database.engine.dispose()
        upgrade(database_url)
    with database.engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # no foreign-key checks while all rows go
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
    yield database
    database.dispose()


# Live HTTP server, movable clock and browser fixtures for tests over real HTTP.
from support.fake_twilio import fake_twilio  # noqa: E402,F401
from support.live_server import browser, live_server, live_server_factory, page  # noqa: E402,F401
