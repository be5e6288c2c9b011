"""Hospital bookings: attempts and bookings per second, statements per attempt, in three
scenarios (distinct slots, a few hot slots, mixed), each checked in the database.

    .venv/bin/python bench/hospital_bookings.py [--bookings 300] [--threads 1,4]
        [--processes 2,3] [--scenario distinct,hot,mixed] [--hot-slots 5]
        [--database NAME] [--sqlite] [postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Creates a throw-away PostgreSQL database (named `--database`, random by default; with
`--sqlite` a fresh SQLite file instead), migrates it, loads the demo data (hospitals,
doctors, 14 days of slots from Monday 2026-11-30) and `--bookings` registered patients
(valid ID numbers, one mobile each, all elderly). Each patient makes one attempt per run,
one transaction through `app.hospital.appointments.book` as the call flow runs it
(caller's own number, confirmation SMS to the outbox, the reminder call the day before
scheduled: the slots are Wednesday to Saturday, so every booking has one). The attempts
are, by scenario:

- `distinct`: each patient its own free phone slot (no two attempts race for one);
- `hot`: every patient one of `--hot-slots` slots (patient i the slot i mod that), so
  that many are booked and every other attempt must be refused with `slot_taken`;
- `mixed`: four patients in five their own slot, the fifth one of the hot slots.

For each thread count the attempts are split round-robin between the threads of one
process (the GIL shared); `--processes` runs them again from that many processes, each
with its own engine (as `ivr serve --workers N` runs the service: no GIL between them),
timed from the moment every process has started and connected until the last is done.
Prints one row per scenario and run: attempts and bookings per second (wall time), for
thread runs also attempts per second of the process's CPU time and the statements per
attempt (a listener on the engine counts every statement sent, SAVEPOINT and RELEASE
included; COMMIT is counted apart; not counted in process runs). Between runs the
bookings are cancelled, the slots freed, and the outbox rows, reminders, jobs and
appointments deleted (then, on PostgreSQL, those tables vacuumed: each run starts alike).

Checked in the database after each run: no slot holds two live bookings, no patient two
in one department and day, every busy slot holds a live booking and every booking its
slot busy, every booking exactly its one confirmation SMS (and the outbox nothing else),
and every attempt either booked or refused with `slot_taken` (no other error; booked as
many as free slots were asked for). Includes: the ORM, the database and its locks, the
GIL (threads). Excludes: the call flow, finding offers, HTTP. Smoke run:
`--bookings 20 --threads 1`.
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, event, func, literal, select, text, update

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from pg_databases import create_database, drop_database  # noqa: E402

from app.core.db import Database  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.demo_data import load_demo  # noqa: E402
from app.hospital import appointments  # noqa: E402
from app.hospital.enums import AppointmentStatus, ScheduleStatus, SlotStatus  # noqa: E402
from app.hospital.errors import BookingError  # noqa: E402
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
SCENARIOS = ("distinct", "hot", "mixed")

Attempt = tuple[tuple[int, str], int]  # ((patient id, number), slot id)


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


def attempts(scenario: str, patients: list[tuple[int, str]], slots: list[int],
             hot_slots: int) -> tuple[list[Attempt], int]:
    """The scenario's attempts (one per patient) and how many of them must be booked."""
    hot = slots[-hot_slots:]  # never among the distinct ones (the first slots)
    if scenario == "distinct":
        return list(zip(patients, slots, strict=False)), len(patients)
    if scenario == "hot":
        work = [(p, hot[i % len(hot)]) for i, p in enumerate(patients)]
        return work, min(len(hot), len(patients))
    work = [(p, hot[(i // 5) % len(hot)] if i % 5 == 4 else slots[i])
            for i, p in enumerate(patients)]
    return work, sum(1 for i in range(len(patients)) if i % 5 != 4) + min(
        len(hot), len(patients) // 5)


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
                 "UPDATE": words[1] if len(words) > 1 else "",
                 "DELETE": words[2] if len(words) > 2 else ""}.get(kind, "")
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


def _book_each(db: Database, chunk: list[Attempt], outcome: Any) -> None:
    """Attempt each (patient, slot) of `chunk`, one transaction each, as the call flow does
    (a refusal is caught inside the step's transaction, which then commits: the call's
    step is saved either way); `outcome` is told "booked", the refusal's code, or the
    error."""
    for (patient_id, number), slot_id in chunk:
        try:
            with db.session() as session:
                try:
                    appointments.book(session, slot_id=slot_id, patient_id=patient_id,
                                      now=NOW, booked_by_number=number)
                    said = "booked"
                except BookingError as exc:
                    said = exc.code
            outcome(said)
        except Exception as exc:  # noqa: BLE001 - counted and reported
            outcome(f"{type(exc).__name__}: {exc}")


def run(db: Database, work: list[Attempt], threads: int) -> tuple[float, float, Counter[str]]:
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def told(what: str) -> None:
        with lock:
            outcomes[what] += 1

    workers = [threading.Thread(target=_book_each, args=(db, work[i::threads], told))
               for i in range(threads)]
    cpu, wall = time.process_time(), time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - wall, time.process_time() - cpu, outcomes


def _book_chunk(url: str, chunk: list[Attempt], ready: Any, told: Any) -> None:
    """One process's share: its own engine and connections, as a service worker has;
    connected before the clock starts (a service worker is running already)."""
    logging.disable(logging.WARNING)
    db = Database(url)
    db.ping()
    ready.wait()
    outcomes: Counter[str] = Counter()
    _book_each(db, chunk, lambda what: outcomes.update([what]))
    told.put(outcomes)
    db.dispose()


def run_processes(url: str, work: list[Attempt], processes: int) -> tuple[float, Counter[str]]:
    """The same attempts from `processes` processes (as `ivr serve --workers N` runs the
    service: no GIL shared between them); returns the wall time and the outcomes."""
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(processes + 1)
    told = context.Queue()
    workers = [context.Process(target=_book_chunk, args=(url, work[i::processes], ready, told))
               for i in range(processes)]
    for worker in workers:
        worker.start()
    ready.wait()  # every process started and connected
    wall = time.perf_counter()
    outcomes: Counter[str] = Counter()
    for _ in workers:
        outcomes.update(told.get())
    elapsed = time.perf_counter() - wall
    for worker in workers:
        worker.join()
    return elapsed, outcomes


def check(db: Database, outcomes: Counter[str], attempted: int, expected: int) -> list[str]:
    """What the database holds after a run, against what the attempts were told."""
    live = Appointment.status == AppointmentStatus.BOOKED
    with db.session() as session:
        booked = session.scalar(select(func.count()).where(live)) or 0
        per_slot = session.scalar(select(func.max(select(func.count()).where(live)
                                  .group_by(Appointment.slot_id).subquery().c[0])))
        per_day = session.scalar(select(func.max(select(func.count()).where(live).group_by(
            Appointment.patient_id, Appointment.department_name, Appointment.day
        ).subquery().c[0])))
        busy = session.scalar(select(func.count()).where(Slot.status == SlotStatus.BUSY))
        busy_booked = session.scalar(select(func.count()).select_from(Slot).join(
            Appointment, Appointment.slot_id == Slot.id).where(
            live, Slot.status == SlotStatus.BUSY))
        texts = session.scalar(select(func.count(OutboxMessage.id)))
        own_text = session.scalar(select(func.count()).select_from(Appointment).join(
            OutboxMessage, OutboxMessage.idempotency_key == literal("appointment:")
            + cast(Appointment.id, String) + ":booked:sms:" + Appointment.booked_by_number
        ).where(live))
    problems = []
    if per_slot not in (None, 1):
        problems.append(f"a slot holds {per_slot} live bookings")
    if per_day not in (None, 1):
        problems.append(f"a patient holds {per_day} bookings in one department and day")
    if not busy == busy_booked == booked:
        problems.append(f"{busy} busy slots, {busy_booked} of them booked, {booked} bookings")
    if not texts == own_text == booked:
        problems.append(f"{texts} SMS, {own_text} of them a booking's own, {booked} bookings")
    others = {k: n for k, n in outcomes.items() if k not in ("booked", "slot_taken")}
    if sum(outcomes.values()) != attempted or others:
        problems.append(f"of {attempted} attempts: {dict(outcomes)}")
    if not outcomes["booked"] == booked == expected:
        problems.append(f"{outcomes['booked']} told booked, {booked} in the database, "
                        f"{expected} expected")
    return problems


def reset(db: Database) -> None:
    with db.session() as session:
        session.execute(update(Appointment).values(status=AppointmentStatus.CANCELLED))
        session.execute(update(Slot).where(Slot.status == SlotStatus.BUSY)
                        .values(status=SlotStatus.FREE))
        for table in ("outbox", "scheduled_jobs", "appointment_reminders", "appointments"):
            session.execute(text(f"DELETE FROM {table}"))
    if db.engine.dialect.name == "postgresql":  # every run starts without dead rows
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE) outbox, scheduled_jobs, appointment_reminders,"
                              " appointments, slots"))


def _numbers(text_: str) -> list[int]:
    return [int(t) for t in text_.split(",") if t]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL, help="PostgreSQL server URL")
    parser.add_argument("--bookings", type=int, default=300, help="patients (attempts) per run")
    parser.add_argument("--threads", default="1,4", help="comma-separated thread counts")
    parser.add_argument("--processes", default="",
                        help="comma-separated process counts (each its own engine)")
    parser.add_argument("--scenario", default=",".join(SCENARIOS),
                        help="comma-separated: distinct, hot, mixed")
    parser.add_argument("--hot-slots", type=int, default=5, help="slots the hot attempts race for")
    parser.add_argument("--database", help="name of the throw-away database (default: random)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead")
    args = parser.parse_args()
    scenarios = [s for s in args.scenario.split(",") if s]
    if not set(scenarios) <= set(SCENARIOS):
        parser.error(f"--scenario: one or more of {', '.join(SCENARIOS)}")
    logging.disable(logging.WARNING)
    if args.sqlite:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    else:
        url = create_database(args.url, args.database)
    rows: list[tuple[Any, ...]] = []
    kinds_first: dict[str, int] = {}
    try:
        upgrade(url)
        db = Database(url)
        patients, slots = load(db, args.bookings)
        if len(slots) < args.bookings + args.hot_slots:
            raise SystemExit(f"only {len(slots)} free phone slots; use --bookings "
                             f"{len(slots) - args.hot_slots}")
        counter = Statements(db)
        for scenario in scenarios:
            work, expected = attempts(scenario, patients, slots, args.hot_slots)
            for threads in _numbers(args.threads):
                reset(db)
                counter.reset()
                wall, cpu, outcomes = run(db, work, threads)
                kinds = dict(counter.kinds)
                kinds_first = kinds_first or kinds
                problems = check(db, outcomes, len(work), expected)
                rows.append((scenario, f"{threads} thread{'s' * (threads > 1)}", wall, cpu,
                             outcomes, sum(kinds.values()), problems, os.getloadavg()))
            for processes in _numbers(args.processes):
                reset(db)
                db.dispose()  # no connection shared with the forked processes
                wall, outcomes = run_processes(url, work, processes)
                problems = check(db, outcomes, len(work), expected)
                rows.append((scenario, f"{processes} processes", wall, None, outcomes, None,
                             problems, os.getloadavg()))
                db.dispose()
        db.dispose()
    finally:
        if not args.sqlite:
            drop_database(args.url, url)
    backend = "SQLite" if args.sqlite else "PostgreSQL"
    n = args.bookings
    print(f"Hospital bookings, {backend}, {n} attempts per run ({args.hot_slots} hot slots), "
          f"{len(os.sched_getaffinity(0))} cores")
    print(f"{'scenario':<9} {'run':<12} {'booked':>6} {'taken':>5} {'attempts/s':>10} "
          f"{'bookings/s':>10} {'per CPU s':>9} {'statements':>10}  load average")
    for scenario, how, wall, cpu, outcomes, statements, _problems, load_avg in rows:
        per_cpu = f"{n / cpu:>9.1f}" if cpu else f"{'':>9}"
        per_attempt = f"{statements / n:>10.2f}" if statements is not None else f"{'':>10}"
        print(f"{scenario:<9} {how:<12} {outcomes['booked']:>6} {outcomes['slot_taken']:>5} "
              f"{n / wall:>10.1f} {outcomes['booked'] / wall:>10.1f} {per_cpu} {per_attempt}  "
              f"{' '.join(f'{v:.2f}' for v in load_avg)}")
    if kinds_first:
        print(f"statements per attempt, by kind (first thread run, {scenarios[0]}):")
        for kind, count in sorted(kinds_first.items(), key=lambda kv: -kv[1]):
            print(f"    {count / n:5.2f}  {kind}")
    problems = [f"{row[0]}, {row[1]}: {p}" for row in rows for p in row[6]]
    if problems:
        raise SystemExit("check failed: " + "; ".join(problems[:10]))
    print("checked: no slot holds two live bookings, no patient two in one department and day,"
          " every booking its slot and its one SMS, every attempt booked or slot_taken")


if __name__ == "__main__":
    main()
