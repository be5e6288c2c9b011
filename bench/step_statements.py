"""SQL statements and CPU time per webhook step of whole calls, through the call service.

    .venv/bin/python bench/step_statements.py [--calls 30] [--show] [--database-url URL]

A fresh SQLite file (or the given PostgreSQL database, migrated and emptied by the caller)
is loaded with the demo data and `--calls` registered callers, each with a saved home and
a family contact. Each caller then plays, one call after another through the real call
service (`CallService.handle`, one transaction per step, keys only): a taxi call (call
starts, menu key 1 "a car to my home", confirm key 1: ride queued) and a hospital call
(call starts, menu key 2). A statement listener on the engine counts every statement and
every commit per step. Prints per step: statements and transactions (the same for every
call: printed as one figure, or min-max if they differ), the statements per table
(`--show`: the statements of the first call), and the CPU time of this process per step
(median over the calls; the engine, the flow actions, the ORM and the database driver,
and SQLite's own work in this process). Excludes HTTP, Twilio signatures and speech.
Checked after the run: every taxi call queued exactly one ride for its caller.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sqlalchemy import event, func, select  # noqa: E402

from app.callflow.messages import CallStarted, Event, Keys  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.db import Database  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.hotline import build_call_service  # noqa: E402
from app.people.enums import PhoneKind, PlaceKind  # noqa: E402
from app.people.models import FamilyContact, Person, PersonPhone, SavedPlace  # noqa: E402
from app.taxi.enums import RideStatus  # noqa: E402
from app.taxi.models import Ride  # noqa: E402
from support.demo import demo_data  # noqa: E402

HOTLINE = "+868710000000"
STEPS: list[tuple[str, str, Event | None]] = [
    ("taxi", "call starts", None),
    ("taxi", "menu key 1 (draft ride)", Keys("1")),
    ("taxi", "confirm key 1 (ride queued)", Keys("1")),
    ("hospital", "call starts", None),
    ("hospital", "menu key 2 (registration)", Keys("2")),
]
TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE|JOIN)\s+(\w+)")


def number(n: int) -> str:
    return f"+86138666{n:05d}"


def keys_only(expect: str, text: str, today: date) -> object:
    return "unknown"


def add_callers(db: Database, calls: int) -> None:
    with db.session() as session:
        for n in range(calls):
            person = Person(full_name=f"统计{n}", call_name=f"统计{n}", gender="F")
            person.phones.append(PersonPhone(number=number(n), kind=PhoneKind.MOBILE))
            person.places.append(
                SavedPlace(position=1, kind=PlaceKind.HOME, label="家", address=f"翠湖南路{n}号")
            )
            person.contacts.append(
                FamilyContact(name=f"家属{n}", relation="女儿", phone=f"+86139777{n:05d}")
            )
            session.add(person)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--show", action="store_true", help="print the first call's statements")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--full", action="store_true", help="with --show: whole statements")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    upgrade(url)
    db = Database(url)
    demo_data(db, today=datetime.now(UTC).date())
    add_callers(db, args.calls)
    service = build_call_service(Settings(database_url=url), db, understand=keys_only)
    statements: list[str] = []
    commits: list[int] = []

    def seen(*arguments: Any) -> None:
        statements.append(" ".join(str(arguments[2]).split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    event.listen(db.engine, "commit", lambda *_: commits.append(1))
    counts: dict[int, list[tuple[int, int]]] = {i: [] for i in range(len(STEPS))}
    cpu: dict[int, list[float]] = {i: [] for i in range(len(STEPS))}
    tables: dict[int, Counter[str]] = {i: Counter() for i in range(len(STEPS))}
    first: dict[int, list[str]] = {}
    for n in range(args.calls):
        sids = {"taxi": f"CAT{n:06d}", "hospital": f"CAH{n:06d}"}
        for i, (flow, _label, keys) in enumerate(STEPS):
            sid = sids[flow]
            event_ = keys if keys is not None else CallStarted(number(n), HOTLINE)
            statements.clear()
            commits.clear()
            started = time.process_time()
            service.handle(call_id=sid, event=event_, event_key=f"{sid}:{i}")
            cpu[i].append((time.process_time() - started) * 1000)
            counts[i].append((len(statements), len(commits)))
            if n == 0:
                first[i] = list(statements)
                tables[i].update(t for s in statements for t in TABLE.findall(s)[:1])
    event.remove(db.engine, "before_cursor_execute", seen)
    check_rides(db, args.calls)
    print(f"{args.calls} calls of each kind on {url.split(':')[0]}")
    print("| step | statements | transactions | CPU ms (median) | statements by table (1st call) |")
    print("|---|---:|---:|---:|---|")
    for i, (flow, label, _keys) in enumerate(STEPS):
        n_statements = sorted({c[0] for c in counts[i]})
        n_commits = sorted({c[1] for c in counts[i]})
        by_table = ", ".join(f"{t} {k}" for t, k in tables[i].most_common())
        print(
            f"| {flow}: {label} | {span(n_statements)} | {span(n_commits)} | "
            f"{statistics.median(cpu[i]):.2f} | {by_table} |"
        )
    if args.show:
        for i, (flow, label, _keys) in enumerate(STEPS):
            print(f"\n## {flow}: {label}")
            for statement in first[i]:
                print("   ", statement if "--full" in sys.argv else statement[:160])
    db.dispose()


def span(values: list[int]) -> str:
    return str(values[0]) if len(values) == 1 else f"{values[0]}-{values[-1]}"


def check_rides(db: Database, calls: int) -> None:
    with db.session() as session:
        queued = dict(
            session.execute(
                select(Ride.caller_number, func.count(Ride.id))
                .where(Ride.status == RideStatus.QUEUED)
                .group_by(Ride.caller_number)
            ).all()
        )
    wrong = [n for n in range(calls) if queued.get(number(n)) != 1]
    if wrong:
        raise SystemExit(f"{len(wrong)} taxi calls did not queue exactly one ride")
    print(f"checked: each of the {calls} taxi calls queued exactly one ride for its caller")


if __name__ == "__main__":
    main()
