"""Hospital bookings on distinct slots: bookings per second and statements per booking.

    .venv/bin/python bench/hospital_bookings.py [--bookings 300] [--threads 1,4]
        [--processes 2,3] [--database NAME] [--sqlite]
        [postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Creates a throw-away PostgreSQL database (named `--database`, random by default; with
`--sqlite` a fresh SQLite file instead), migrates it, loads the demo data (hospitals,
doctors, 14 days of slots from Monday 2026-11-30) and `--bookings` registered patients
(valid ID numbers, one mobile each). Then, for each thread count, books that many free
phone slots, each for its own patient (distinct slots, no two bookings racing for one),
each booking one transaction through `app.hospital.appointments.book` as the call flow
runs it (caller's own number, confirmation SMS to the outbox, the reminder call the day
before scheduled: Wednesday to Saturday, so every booking has one), and
prints bookings per second (wall time and the process's CPU time) and the statements per
booking (a listener on the engine counts every statement sent, SAVEPOINT and RELEASE
included; COMMIT is counted apart). The bookings are cancelled between runs, in one
statement, and their outbox rows, reminders and jobs deleted.

`--processes` books the same set again from that many processes, each with its own engine
(as `ivr serve --workers N` runs the service: no GIL between them), and prints their
bookings per second (wall time; statements are counted for the thread runs only).

Includes: the ORM, the database and its locks, the GIL (threads). Excludes: the call flow, HTTP.
Checked after each run: every patient holds exactly one booking, no slot holds two, and
every booking has its SMS in the outbox. Smoke run: `--bookings 20 --threads 1`.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text, update

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from pg_databases import create_database, drop_database  # noqa: E402

from app.core.db import Database  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.demo_data import load_demo  # noqa: E402
from app.hospital import appointments  # noqa: E402
from app.hospital.enums import AppointmentStatus, ScheduleStatus, SlotStatus  # noqa: E402
from app.hospital.models import Appointment, Schedule, Slot  # noqa: E402
from app.hospital.rules import LOCAL_TZ  # noqa: E402
from app.notify.models import OutboxMessage  # noqa: E402
from app.people.enums import PhoneKind  # noqa: E402
from app.people.models import Person, PersonPhone  # noqa: E402
from app.people.resident_id import make_resident_id  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TODAY = date(2026, 11, 30)  # the demo's schedules start on this Monday
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=LOCAL_TZ).astimezone(UTC)  # bookable: Tue-Sat
BORN = date(1950, 3, 1)  # elderly: the slots kept for older callers are theirs too


def load(db: Database, count: int) -> tuple[list[tuple[int, str]], list[int]]:
    """The demo data plus `count` patients; returns (patient id, number) and slot ids."""
    load_demo(db, today=TODAY)
    with db.session() as session:
        patients = []
        for n in range(count):
            number = f"+86137{n:08d}"
            born = BORN + timedelta(days=n // 400)
            person = Person(full_name=f"压测{n}", gender="F", birth_date=born,
                            id_number=make_resident_id("530102", born, 2 * (n % 400) + 2),
                            phones=[PersonPhone(number=number, kind=PhoneKind.MOBILE)])
            session.add(person)
            patients.append((person, number))
        session.flush()
        slots = list(session.scalars(
            select(Slot.id).join(Schedule, Slot.schedule_id == Schedule.id)
            .where(Slot.status == SlotStatus.FREE, Slot.reserved_for_onsite.is_(False),
                   Slot.reserved_for_family_doctor.is_(False),
                   Schedule.status == ScheduleStatus.ACTIVE,
                   Schedule.day.between(date(2026, 12, 2), date(2026, 12, 5)))
            .order_by(Slot.id)
        ))
        return [(p.id, number) for p, number in patients], slots


class Statements:
    """Counts what the engine sends, by first words."""

    def __init__(self, db: Database) -> None:
        self.kinds: Counter[str] = Counter()
        self.commits = 0
        self._lock = threading.Lock()
        event.listen(db.engine, "before_cursor_execute", self._statement)
        event.listen(db.engine, "commit", self._commit)

    def _statement(self, conn: object, cursor: object, statement: str, *args: object) -> None:
        words = statement.split()
        kind = words[0].upper()
        table = {"SELECT": "", "INSERT": words[2] if len(words) > 2 else "",
                 "UPDATE": words[1] if len(words) > 1 else ""}.get(kind, "")
        if kind == "SELECT":
            found = re.search(r"\bFROM\s+(\w+)", statement)
            table = found.group(1) if found else ""
        with self._lock:
            self.kinds[f"{kind} {table}".strip()] += 1

    def _commit(self, conn: object) -> None:
        with self._lock:
            self.commits += 1

    def reset(self) -> None:
        self.kinds.clear()
        self.commits = 0


def _book_each(
    db: Database, chunk: list[tuple[tuple[int, str], int]], failed: Callable[[str], object]
) -> None:
    """Book each (patient, slot) of `chunk`, one transaction each, as the call flow does."""
    for (patient_id, number), slot_id in chunk:
        try:
            with db.session() as session:
                appointments.book(session, slot_id=slot_id, patient_id=patient_id,
                                  now=NOW, booked_by_number=number)
        except Exception as exc:  # noqa: BLE001 - counted and reported
            failed(f"{type(exc).__name__}: {exc}")


def run(db: Database, patients: list[tuple[int, str]], slots: list[int], threads: int,
        failures: list[str]) -> tuple[float, float]:
    work = list(zip(patients, slots, strict=False))
    chunks = [work[i::threads] for i in range(threads)]

    workers = [
        threading.Thread(target=_book_each, args=(db, c, failures.append)) for c in chunks
    ]
    cpu, wall = time.process_time(), time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - wall, time.process_time() - cpu


def _book_chunk(url: str, chunk: list[tuple[tuple[int, str], int]], failed: Any) -> None:
    """One process's share: its own engine and connections, as a service worker has."""
    logging.disable(logging.WARNING)
    db = Database(url)
    _book_each(db, chunk, failed.put)
    db.dispose()


def run_processes(url: str, patients: list[tuple[int, str]], slots: list[int],
                  processes: int, failures: list[str]) -> float:
    """The same bookings from `processes` processes (as `ivr serve --workers N` runs the
    service: no GIL shared between them); returns the wall time."""
    work = list(zip(patients, slots, strict=False))
    context = multiprocessing.get_context("fork")
    failed = context.Queue()
    workers = [context.Process(target=_book_chunk, args=(url, work[i::processes], failed))
               for i in range(processes)]
    wall = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - wall
    while not failed.empty():
        failures.append(failed.get())
    return elapsed


def check(db: Database, patients: list[tuple[int, str]], expected: int) -> list[str]:
    with db.session() as session:
        live = AppointmentStatus.BOOKED
        booked = session.execute(
            select(Appointment.patient_id, func.count()).where(Appointment.status == live)
            .group_by(Appointment.patient_id)).all()
        per_slot = session.scalar(select(func.max(select(func.count()).where(
            Appointment.status == live).group_by(Appointment.slot_id).subquery().c[0])))
        texts = session.scalar(select(func.count(OutboxMessage.id)))
    problems = []
    if len(booked) != expected or any(n != 1 for _, n in booked):
        problems.append(f"{len(booked)} patients booked, expected {expected} with one each")
    if per_slot not in (None, 1):
        problems.append(f"a slot holds {per_slot} bookings")
    if texts != expected:
        problems.append(f"{texts} SMS in the outbox, expected {expected}")
    return problems


def reset(db: Database) -> None:
    with db.session() as session:
        session.execute(update(Appointment).values(status=AppointmentStatus.CANCELLED))
        session.execute(update(Slot).where(Slot.status == SlotStatus.BUSY)
                        .values(status=SlotStatus.FREE))
        for table in ("outbox", "scheduled_jobs", "appointment_reminders", "appointments"):
            session.execute(text(f"DELETE FROM {table}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL, help="PostgreSQL server URL")
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--threads", default="1,4", help="comma-separated thread counts")
    parser.add_argument("--database", help="name of the throw-away database (default: random)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead")
    parser.add_argument("--processes", default="",
                        help="comma-separated process counts (each its own engine)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    if args.sqlite:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    else:
        url = create_database(args.url, args.database)
    try:
        upgrade(url)
        db = Database(url)
        patients, slots = load(db, args.bookings)
        if len(slots) < args.bookings:
            raise SystemExit(f"only {len(slots)} free phone slots; use --bookings {len(slots)}")
        counter = Statements(db)
        rows = []
        for threads in (int(t) for t in args.threads.split(",")):
            reset(db)
            counter.reset()
            failures: list[str] = []
            wall, cpu = run(db, patients, slots, threads, failures)
            kinds = dict(counter.kinds)
            commits = counter.commits
            problems = check(db, patients, args.bookings) + failures[:3]
            rows.append((threads, wall, cpu, kinds, commits, problems, os.getloadavg()))
        db.dispose()
        process_rows = []
        for processes in (int(p) for p in args.processes.split(",") if p):
            reset(db)
            db.dispose()  # no connection shared with the forked processes
            failures = []
            wall = run_processes(url, patients, slots, processes, failures)
            problems = check(db, patients, args.bookings) + failures[:3]
            process_rows.append((processes, wall, problems, os.getloadavg()))
            db.dispose()
    finally:
        if not args.sqlite:
            drop_database(args.url, url)
    backend = "SQLite" if args.sqlite else "PostgreSQL"
    n = args.bookings
    print(f"Hospital bookings, {backend}, {n} bookings on distinct slots per run, "
          f"{len(os.sched_getaffinity(0))} cores")
    print(f"{'threads':>7} {'bookings/s':>10} {'per CPU s':>9} {'statements':>10} "
          f"{'commits':>7}  load average")
    for threads, wall, cpu, kinds, commits, _problems, load_avg in rows:
        print(f"{threads:>7} {n / wall:>10.1f} {n / cpu:>9.1f} "
              f"{sum(kinds.values()) / n:>10.2f} {commits / n:>7.2f}  "
              f"{' '.join(f'{v:.2f}' for v in load_avg)}")
    if process_rows:
        print(f"{'processes':>9} {'bookings/s':>10}  load average")
        for processes, wall, _problems, load_avg in process_rows:
            print(f"{processes:>9} {n / wall:>10.1f}  {' '.join(f'{v:.2f}' for v in load_avg)}")
    print("statements per booking, by kind (first run):")
    for kind, count in sorted(rows[0][3].items(), key=lambda kv: -kv[1]):
        print(f"    {count / n:5.2f}  {kind}")
    problems = [p for row in rows for p in row[5]] + [p for row in process_rows for p in row[2]]
    if problems:
        raise SystemExit("check failed: " + "; ".join(problems))
    print("checked: every patient holds exactly one booking, no slot two, one SMS each")


if __name__ == "__main__":
    main()
