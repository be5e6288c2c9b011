"""The console's change marker and live queue on the real database (SQLite and PostgreSQL).

The marker must change with every change to a ride and stay put otherwise; the live queue
must show live rides only, however many finished rides the table holds.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from app.core.db import Database
from app.taxi import queue as ride_queue
from app.taxi import rides
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from support.demo import demo_data

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
FINISHED = (RideStatus.COMPLETED, RideStatus.CANCELLED)


@pytest.fixture
def demo(db: Database) -> Database:
    demo_data(db, today=NOW.date())
    return db


def _marker(db: Database) -> tuple[int, str, int, int, int]:
    with db.session() as session:
        return ride_queue.change_marker(session)


def _order(db: Database, address: str = "北京路1号") -> Ride:
    with db.session() as session:
        ride = rides.queue(session, now=NOW, created_by_staff_id=None, caller_number=None,
                           caller_name="小王", pickup_address=address)
        session.flush()
        session.expunge(ride)
        return ride


def _finished(db: Database, count: int) -> list[int]:
    with db.session() as session:
        made = [
            Ride(caller_number=f"+86135{i:08d}", status=FINISHED[i % 2], pickup_address="旧单")
            for i in range(count)
        ]
        session.add_all(made)
        session.flush()
        return [r.id for r in made]


def test_the_marker_stays_put_while_nothing_changes(demo: Database) -> None:
    _order(demo)
    _finished(demo, 5)
    first = _marker(demo)
    with demo.session() as session:
        ride_queue.live_queue(session, now=NOW)  # reading the queue is no change
    assert _marker(demo) == first == _marker(demo)


def test_the_marker_changes_on_every_change_to_a_ride(demo: Database) -> None:
    seen = [_marker(demo)]
    ride = _order(demo)
    seen.append(_marker(demo))
    with demo.session() as session:
        driver_id = session.scalars(select(Driver.id).order_by(Driver.id)).first()
        assert driver_id is not None
        rides.assign_driver(session, ride_id=ride.id, driver_id=driver_id, eta_minutes=10,
                            expected_version=ride.version, notify_voice_call=False)
    seen.append(_marker(demo))
    with demo.session() as session:
        current = session.get(Ride, ride.id)
        assert current is not None
        rides.mark_arriving(session, ride_id=ride.id, expected_version=current.version)
    seen.append(_marker(demo))
    _finished(demo, 1)  # even a ride that is finished from the start
    seen.append(_marker(demo))
    assert len(set(seen)) == len(seen), seen


def test_a_late_commit_with_an_older_timestamp_still_changes_the_marker(
    demo: Database,
) -> None:
    """Another process may commit a change stamped before the newest `updated_at`."""
    older = _order(demo, "翠湖南路1号")
    _order(demo, "翠湖南路2号")  # the newest updated_at from now on
    before = _marker(demo)
    with demo.session() as session:
        session.execute(
            update(Ride).where(Ride.id == older.id).values(
                # stamped before the newer ride's insert: keeps its own older time
                status=RideStatus.NO_CAR, version=Ride.version + 1, updated_at=Ride.updated_at,
            )
        )
    assert _marker(demo) != before


def test_a_live_ride_finishing_changes_the_marker_and_leaves_the_queue(demo: Database) -> None:
    ride = _order(demo)
    before = _marker(demo)
    with demo.session() as session:
        rides.cancel(session, ride_id=ride.id, expected_version=ride.version, reason="重复下单")
    assert _marker(demo) != before
    with demo.session() as session:
        assert ride.id not in [e.ride_id for e in ride_queue.live_queue(session, now=NOW)]


def test_the_live_queue_shows_exactly_the_live_rides_among_many_finished(
    demo: Database,
) -> None:
    finished = _finished(demo, 200)
    live = {_order(demo, f"测试路{i}号").id for i in range(3)}
    with demo.session() as session:
        shown = [e.ride_id for e in ride_queue.live_queue(session, now=NOW)]
        busy = {d.id for d, free in ride_queue.drivers_roster(session) if not free}
    assert sorted(shown) == sorted(live)
    assert not set(finished) & set(shown)
    assert busy == set()
