"""Ten callers at once: every step of every call commits (no "database is locked" on
SQLite: WAL, a busy timeout, and short transactions), each call queues its own ride."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from app.callflow.messages import CallStarted, Keys, Transfer
from app.calls.models import Call
from app.core.config import Settings
from app.core.db import Database
from app.hotline import build_call_service
from app.people.enums import PhoneKind, PlaceKind
from app.people.models import Person, PersonPhone, SavedPlace
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.demo import demo_data

CALLERS = 10
HOTLINE = "+868710000000"
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def _number(n: int) -> str:
    return f"+86138555{n:05d}"


def _keys_only(expect: str, text: str, today: date, question: str | None = None) -> object:
    return "unknown"


def test_ten_callers_at_once_all_queue_their_ride(db: Database) -> None:
    demo_data(db, today=NOW.date())
    with db.session() as s:
        for n in range(CALLERS):
            person = Person(full_name=f"并发{n}", call_name=f"并发{n}", gender="F")
            person.phones.append(PersonPhone(number=_number(n), kind=PhoneKind.MOBILE))
            person.places.append(
                SavedPlace(position=1, kind=PlaceKind.HOME, label="家", address=f"翠湖南路{n}号")
            )
            s.add(person)
    service = build_call_service(
        Settings(database_url=db.url), db, understand=_keys_only, clock=lambda: NOW
    )
    start = threading.Barrier(CALLERS)
    outputs: dict[int, list[object]] = {}
    errors: list[BaseException] = []

    def caller(n: int) -> None:
        try:
            sid = f"CA{n:032x}"
            start.wait()
            steps = [
                service.handle(call_id=sid, event=CallStarted(_number(n), HOTLINE), event_key="s"),
                service.handle(call_id=sid, event=Keys("1"), event_key="k1"),
                service.handle(call_id=sid, event=Keys("1"), event_key="k2"),
            ]
            outputs[n] = [o for step in steps for o in step.outputs]
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(CALLERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    failed = [n for n, out in outputs.items() if Transfer(reason="system_error") in out]
    assert failed == [] and len(outputs) == CALLERS
    with db.session() as s:
        queued = dict(
            s.execute(
                select(Ride.caller_number, func.count(Ride.id))
                .where(Ride.status == RideStatus.QUEUED)
                .group_by(Ride.caller_number)
            ).all()
        )
        transferred = s.scalar(select(func.count(Call.id)).where(Call.transfer_reason.is_not(None)))
    assert queued == {_number(n): 1 for n in range(CALLERS)}
    assert transferred == 0


def test_sqlite_connections_wait_for_each_other_and_commit_without_fsync(db: Database) -> None:
    if not db.url.startswith("sqlite"):
        return  # PostgreSQL: nothing to set per connection
    with db.engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "busy_timeout", "synchronous", "foreign_keys")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "busy_timeout": 30000,
        "synchronous": 1,
        "foreign_keys": 1,
    }
