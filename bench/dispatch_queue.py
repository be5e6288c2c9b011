"""Dispatch queue benchmark on PostgreSQL: calls queueing rides, and live-console latency.

    .venv/bin/python bench/dispatch_queue.py [--calls 200] [--concurrency 1,4,8]
        [--changes 40] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Creates a throw-away database, migrates it, loads the demo data plus `--calls` registered
callers, then:
1. for each concurrency N, runs `--calls` simulated calls (CallStarted, Keys 1, Keys 1)
   through the real CallService from N threads and reports rides queued per second;
2. starts the app under uvicorn, signs an operator in, opens /dispatch/events, commits
   `--changes` back-office orders from another connection and reports the time from each
   commit to the SSE event reaching the client (p50/p95/max).
Drops the database at the end. Logs are silenced (they would cost time, not add data).
"""

from __future__ import annotations

import argparse
import logging
import queue
import random
import socket
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from pg_databases import create_database, drop_database  # noqa: E402

from app.callflow.messages import CallStarted, Keys  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.db import Database  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.demo_data import load_demo  # noqa: E402
from app.hotline import build_call_service  # noqa: E402
from app.main import create_app  # noqa: E402
from app.people.enums import PhoneKind, PlaceKind  # noqa: E402
from app.people.models import Person, PersonPhone, SavedPlace  # noqa: E402
from app.staff import accounts  # noqa: E402
from app.staff.enums import StaffRole  # noqa: E402
from app.taxi import rides  # noqa: E402
from app.taxi.enums import RideStatus  # noqa: E402
from app.taxi.models import Ride  # noqa: E402

HOTLINE = "+868710000000"
SECRET = "b" * 40
PASSWORD = "bench-password-2026"


def add_callers(db: Database, count: int) -> list[str]:
    numbers = [f"+86135{i:08d}" for i in range(count)]
    with db.session() as session:
        for i, number in enumerate(numbers):
            person = Person(full_name=f"测试{i}", birth_date=date(1945, 1, 1))
            person.phones = [PersonPhone(number=number, kind=PhoneKind.MOBILE)]
            person.places = [SavedPlace(position=1, kind=PlaceKind.HOME, label="家",
                                        address=f"五华区测试路{i}号")]
            session.add(person)
    return numbers


def queue_throughput(db: Database, numbers: list[str], threads: int, run: str) -> float:
    service = build_call_service(Settings(database_url=db.url), db)
    work: queue.Queue[str] = queue.Queue()
    for n in numbers:
        work.put(n)

    def caller() -> None:
        while True:
            try:
                number = work.get_nowait()
            except queue.Empty:
                return
            call_id = f"{run}-{number}"
            service.handle(call_id=call_id, event=CallStarted(number, HOTLINE), event_key="s")
            service.handle(call_id=call_id, event=Keys("1"), event_key="k1")
            service.handle(call_id=call_id, event=Keys("1"), event_key="k2")

    started = time.perf_counter()
    pool = [threading.Thread(target=caller) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    with db.session() as session:
        queued = session.scalar(
            select(func.count(Ride.id)).where(
                Ride.status == RideStatus.QUEUED, Ride.call_id.like(f"{run}-%")
            )
        )
        # finish them so the next run's callers are not "calling about an active ride"
        session.execute(
            Ride.__table__.update().where(Ride.call_id.like(f"{run}-%")).values(
                status=RideStatus.COMPLETED.value
            )
        )
    assert queued == len(numbers), f"only {queued} of {len(numbers)} rides queued"
    return len(numbers) / elapsed


def serve(url: str) -> tuple[uvicorn.Server, str]:
    app = create_app(Settings(database_url=url, secret_key=SECRET))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{sock.getsockname()[1]}"


def sse_latency(db: Database, changes: int) -> list[float]:
    with db.session() as session:
        accounts.create_user(session, username="benchop", display_name="压测",
                                  password=PASSWORD, role=StaffRole.OPERATOR)
    server, base = serve(db.url)
    client = httpx.Client(base_url=base, headers={"accept": "text/html"}, timeout=30)
    login = client.get("/login").text
    token = login.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"username": "benchop", "password": PASSWORD, "csrf_token": token})
    arrivals: queue.Queue[float] = queue.Queue()
    stop = threading.Event()

    def listen() -> None:
        with client.stream("GET", "/dispatch/events") as stream:
            for line in stream.iter_lines():
                if line.startswith("event: queue"):
                    arrivals.put(time.perf_counter())
                if stop.is_set():
                    return

    threading.Thread(target=listen, daemon=True).start()
    arrivals.get(timeout=10)  # the first marker after connecting
    latencies = []
    for _ in range(changes):
        time.sleep(random.uniform(0.05, 0.4))  # changes land at random points of the poll
        with db.session() as session:
            rides.queue(session, now=datetime.now(UTC), created_by_staff_id=None,
                        caller_name="压测", caller_number=None, pickup_address="测试路1号")
        committed = time.perf_counter()
        latencies.append(arrivals.get(timeout=5) - committed)
    stop.set()
    server.should_exit = True
    return latencies


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--concurrency", default="1,4,8")
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    url = create_database(args.postgres)
    try:
        upgrade(url)
        db = Database(url)
        load_demo(db)
        numbers = add_callers(db, args.calls)
        print(f"PostgreSQL, {args.calls} calls per run (3 call steps each), "
              f"{len(__import__('os').sched_getaffinity(0))} CPU cores")
        print(f"{'concurrent calls':>17} | {'rides queued/s':>14} | {'steps/s':>8}")
        print("-" * 46)
        for n, threads in enumerate(int(c) for c in args.concurrency.split(",")):
            rate = queue_throughput(db, numbers, threads, f"run{n}")
            print(f"{threads:>17} | {rate:>14.1f} | {rate * 3:>8.1f}")
        latencies = [v * 1000 for v in sse_latency(db, args.changes)]
        print()
        print(f"queue change -> SSE event at client, {len(latencies)} changes (ms)")
        print(f"{'p50':>8} | {'p95':>8} | {'max':>8}")
        print(f"{percentile(latencies, 50):>8.0f} | {percentile(latencies, 95):>8.0f} | "
              f"{max(latencies):>8.0f}")
        db.dispose()
    finally:
        drop_database(args.postgres, url)


if __name__ == "__main__":
    main()
