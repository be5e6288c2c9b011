"""Ten callers at once on the embedded SQLite database: step latency and lock waits.

    .venv/bin/python bench/sqlite_callers.py [--callers 10] [--calls 5]

A fresh SQLite file is migrated, loaded with the demo data and `--callers` x `--calls`
registered callers (each with a saved home). `--callers` threads then start together and
each plays `--calls` whole taxi calls by keys (call starts, menu key 1, confirm key 1: a
ride queued), one after another, through the real call service (`CallService.handle`:
engine, understanding, ORM and database, one transaction per step), all in this one
process as `ivr serve` runs them. Prints p50/p95/max step latency. Includes the
database's lock waits (WAL, busy timeout) and the GIL shared by the threads; excludes
HTTP, Twilio signatures and speech. Checked after the run: no step failed (no caller
handed to a person for an error) and each call queued exactly one ride for its caller.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sqlalchemy import func, select  # noqa: E402

from app.callflow.messages import CallStarted, Keys, Transfer  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.db import Database  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.hotline import build_call_service  # noqa: E402
from app.people.enums import PhoneKind, PlaceKind  # noqa: E402
from app.people.models import Person, PersonPhone, SavedPlace  # noqa: E402
from app.taxi.enums import RideStatus  # noqa: E402
from app.taxi.models import Ride  # noqa: E402
from support.demo import demo_data  # noqa: E402

HOTLINE = "+868710000000"


def _number(n: int) -> str:
    return f"+86138555{n:05d}"


def _keys_only(expect: str, text: str, today: date) -> object:
    return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=10)
    parser.add_argument("--calls", type=int, default=5, help="calls per caller thread")
    args = parser.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    upgrade(url)
    db = Database(url)
    now = datetime.now(UTC)
    demo_data(db, today=now.date())
    total = args.callers * args.calls
    with db.session() as s:
        for n in range(total):
            person = Person(full_name=f"并发{n}", call_name=f"并发{n}", gender="F")
            person.phones.append(PersonPhone(number=_number(n), kind=PhoneKind.MOBILE))
            person.places.append(
                SavedPlace(position=1, kind=PlaceKind.HOME, label="家", address=f"翠湖南路{n}号")
            )
            s.add(person)
    service = build_call_service(Settings(database_url=url), db, understand=_keys_only)
    barrier = threading.Barrier(args.callers)
    latencies: list[float] = []
    failed: list[int] = []

    def caller(first: int) -> None:
        barrier.wait()
        for n in range(first, first + args.calls):
            sid = f"CA{n:032x}"
            for event, key in (
                (CallStarted(_number(n), HOTLINE), "s"),
                (Keys("1"), "k1"),
                (Keys("1"), "k2"),
            ):
                started = time.perf_counter()
                result = service.handle(call_id=sid, event=event, event_key=key)
                latencies.append((time.perf_counter() - started) * 1000)
                if Transfer(reason="system_error") in result.outputs:
                    failed.append(n)

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    threads = [threading.Thread(target=caller, args=(c * args.calls,)) for c in range(args.callers)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    with db.session() as s:
        queued = dict(
            s.execute(
                select(Ride.caller_number, func.count(Ride.id))
                .where(Ride.status == RideStatus.QUEUED)
                .group_by(Ride.caller_number)
            ).all()
        )
    wrong = [n for n in range(total) if queued.get(_number(n)) != 1]
    if failed or wrong:
        raise SystemExit(f"{len(failed)} steps failed; {len(wrong)} calls without one ride")
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    print(f"{args.callers} callers at once, {total} calls, {len(latencies)} steps, SQLite")
    print(f"step latency (ms): p50 {q[49]:.1f}  p95 {q[94]:.1f}  max {max(latencies):.1f}")
    print(f"steps per second: {len(latencies) / wall:.0f}; every call queued one ride")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    db.dispose()


if __name__ == "__main__":
    main()
