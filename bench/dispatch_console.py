"""Dispatch console with many historical rides: queue.json latency and the change marker.

    .venv/bin/python bench/dispatch_console.py [--rides 1000000] [--live 20]
        [--requests 300] [--database NAME]
        [postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Smoke run: `--rides 1000 --requests 50`.

Creates a throw-away PostgreSQL database, migrates it, loads the demo data (drivers,
people), inserts `--rides` finished rides (completed/cancelled, spread over the past
years, set-based INSERT ... SELECT generate_series, then VACUUM ANALYZE so that
autovacuum does not run during the measurement) and `--live` live rides
through `app.taxi.rides` (a third of them assigned to drivers). It then:
1. starts the real app under uvicorn on loopback (one process, in a thread of this one),
   signs an operator in and fetches GET /dispatch/queue.json `--requests` times one after
   another (closed loop, one client, after 20 warm-up requests); the latency is measured
   at the client and includes HTTP, session checking, the live-queue and marker queries
   and JSON rendering;
2. times `change_marker` alone, then the console feed's whole poll (`ChangeFeed._read`:
   the rides, waiting-callers and drivers markers in one session, what each process runs
   every 250 ms while a console is open) with the CPU it takes this process, and for
   comparison the former marker (count, max and sum over the whole rides table);
3. prints the plans (EXPLAIN ANALYZE) of the marker and live-queue statements;
4. checks that queue.json shows exactly the live rides and the marker is stable.
Excludes: concurrent webhooks, several open consoles, the server-sent event stream and
browser rendering. Drops the database at the end. Prints a table.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import event, func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from pg_databases import create_database, drop_database  # noqa: E402

from app.core.config import Settings  # noqa: E402
from app.core.db import Database  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.demo_data import load_demo  # noqa: E402
from app.staff import accounts  # noqa: E402
from app.staff.enums import StaffRole  # noqa: E402
from app.taxi import queue as ride_queue  # noqa: E402
from app.taxi import rides  # noqa: E402
from app.taxi.console.events import POLL_SECONDS, ChangeFeed  # noqa: E402
from app.taxi.models import Ride  # noqa: E402

SECRET = "c" * 40
PASSWORD = "bench-password-2026"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

HISTORY = text(
    """
    INSERT INTO rides (caller_number, pickup_address, destination, to_hospital, priority,
                       status, cash_payment, version, created_at, updated_at, queued_at)
    SELECT '+86135' || lpad((g % 50000)::text, 8, '0'), '历史地址' || g, '昆明市第一人民医院',
           g % 3 = 0, 10, CASE WHEN g % 10 = 0 THEN 'cancelled' ELSE 'completed' END,
           true, 5, now() - g * interval '1 minute', now() - g * interval '1 minute',
           now() - g * interval '1 minute'
    FROM generate_series(1, :count) AS g
    """
)


def load(db: Database, history: int, live: int) -> set[int]:
    """Historical finished rides plus `live` live ones; returns the live rides' ids."""
    load_demo(db)
    with db.engine.begin() as conn:
        conn.execute(HISTORY, {"count": history})
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE rides"))  # as autovacuum would, not during the run
    now = datetime.now(UTC)
    live_ids: set[int] = set()
    with db.session() as session:
        drivers = [  # free drivers on duty: the ones the console offers
            driver.id for driver, free in ride_queue.drivers_roster(session) if free
        ]
    for i in range(live):
        with db.session() as session:
            ride = rides.queue(session, now=now, created_by_staff_id=None, caller_number=None,
                               caller_name=f"压测{i}", pickup_address=f"测试路{i}号")
            session.flush()
            if i % 3 == 0 and i // 3 < len(drivers):
                rides.assign_driver(session, ride_id=ride.id, driver_id=drivers[i // 3],
                                    eta_minutes=10, expected_version=ride.version,
                                    notify_voice_call=False)
            live_ids.add(ride.id)
    with db.session() as session:
        accounts.create_user(session, username="benchop", display_name="压测",
                             password=PASSWORD, role=StaffRole.OPERATOR)
    return live_ids


def serve(url: str) -> tuple[uvicorn.Server, str]:
    from app.main import create_app

    # Without the outbox, retention and scheduler threads: the retention job would blank
    # the months-old rides during the measurement.
    app = create_app(Settings(database_url=url, secret_key=SECRET),  # type: ignore[call-arg]
                     background_jobs=False)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{sock.getsockname()[1]}"


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, headers={"accept": "text/html"}, timeout=30)
    login = client.get("/login").text
    token = login.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"username": "benchop", "password": PASSWORD,
                                "csrf_token": token})
    return client


def timed(action: Callable[[], object], times: int) -> list[float]:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def former_marker(db: Database) -> None:
    """The marker before the change: count, max and sum over every ride."""
    with db.session() as session:
        session.execute(select(func.count(Ride.id), func.max(Ride.updated_at),
                               func.coalesce(func.sum(Ride.version), 0))).one()


def new_marker(db: Database) -> None:
    with db.session() as session:
        ride_queue.change_marker(session)


def live_queue(db: Database) -> None:
    with db.session() as session:
        ride_queue.live_queue(session, now=datetime.now(UTC))


def plan(db: Database, action: Callable[[Database], None], needle: str) -> list[str]:
    """EXPLAIN ANALYZE of the statement `action` sends that contains `needle`."""
    sent: list[tuple[str, object]] = []

    def capture(conn: object, cursor: object, statement: str, params: object,
                context: object, many: bool) -> None:
        sent.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        action(db)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, params = next((s, p) for s, p in sent if needle in s)
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, params)
            return [row[0] for row in cursor.fetchall()]


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL, help="PostgreSQL server URL")
    parser.add_argument("--rides", type=int, default=1_000_000, help="historical rides")
    parser.add_argument("--live", type=int, default=20, help="live rides")
    parser.add_argument("--requests", type=int, default=300, help="queue.json requests")
    parser.add_argument("--database", help="name of the throw-away database (default: random)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    url = create_database(args.url, args.database)
    try:
        upgrade(url)
        db = Database(url)
        started = time.perf_counter()
        live_ids = load(db, args.rides, args.live)
        loaded = time.perf_counter() - started
        server, base = serve(url)
        client = signed_in(base)

        def get_queue() -> dict[str, object]:
            response = client.get("/dispatch/queue.json")
            response.raise_for_status()
            return response.json()  # type: ignore[no-any-return]

        timed(get_queue, 20)
        queue_ms = timed(get_queue, args.requests)
        marker_ms = timed(lambda: new_marker(db), args.requests)
        feed = ChangeFeed(db)
        cpu = time.process_time()
        feed_ms = timed(feed._read, args.requests)  # noqa: SLF001 - the poll itself
        feed_cpu_ms = (time.process_time() - cpu) * 1000 / args.requests
        former_ms = timed(lambda: former_marker(db), 10)
        plans = {
            "change_marker": plan(db, new_marker, "max"),
            "live_queue": plan(db, live_queue, "ORDER BY"),
        }

        body = get_queue()
        shown = {int(r["ride_id"]) for r in body["rides"]}  # type: ignore[attr-defined,index]
        with db.session() as session:
            first = ride_queue.change_marker(session)
            second = ride_queue.change_marker(session)
            total = session.scalar(select(func.count(Ride.id)))
        server.should_exit = True
        client.close()
        db.dispose()

        print(f"Dispatch console, PostgreSQL, {args.rides:,} finished + {args.live} live "
              f"rides ({total:,} in all, loaded in {loaded:.0f} s), "
              f"{len(os.sched_getaffinity(0))} cores, load average "
              f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        print(f"{'what (ms)':<44} {'n':>5} {'p50':>7} {'p95':>7} {'max':>7}")
        for label, values in (
            ("GET /dispatch/queue.json over HTTP", queue_ms),
            ("change_marker (new, one session each)", marker_ms),
            ("console feed poll (rides+panel+drivers)", feed_ms),
            ("former marker: count/max/sum of all rides", former_ms),
        ):
            print(f"{label:<44} {len(values):>5} {pct(values, 50):>7.1f} "
                  f"{pct(values, 95):>7.1f} {max(values):>7.1f}")
        print(f"console feed poll: {feed_cpu_ms:.2f} ms of this process's CPU each; every "
              f"{POLL_SECONDS * 1000:.0f} ms while a console is open: "
              f"{feed_cpu_ms / (POLL_SECONDS * 1000) * 100:.1f}% of one core")
        problems = []
        if shown != live_ids:
            problems.append(f"queue.json shows {len(shown)} rides, {len(live_ids)} are live")
        if first != second:
            problems.append("the marker changed without a change")
        if total != args.rides + args.live:
            problems.append(f"{total} rides in the table, expected {args.rides + args.live}")
        for name, lines in plans.items():
            print(f"{name} plan (EXPLAIN ANALYZE):")
            print("\n".join(f"    {line}" for line in lines))
        if problems:
            raise SystemExit("check failed: " + "; ".join(problems))
        print(f"checked: queue.json shows exactly the {len(live_ids)} live rides; "
              "the marker is stable without changes")
    finally:
        drop_database(args.url, url)


if __name__ == "__main__":
    main()
