"""The scheduler and booked rides, with the clock under the test's control.

A ride booked on Monday 2026-11-30 at 10:00 (Kunming) for Tuesday 08:00 is released into
the live queue at 07:30 and reminded on Monday at 19:00, once, whatever restarts or
second schedulers run meanwhile.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.config import Settings
from app.core.db import Database
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.people.audit import Actor
from app.people.erasure import erase_person
from app.people.registration import RegistrationError
from app.scheduler.enums import JobKind, JobStatus
from app.scheduler.jobs import MAX_ATTEMPTS, Job, run_due
from app.scheduler.models import ScheduledJob
from app.scheduler.runner import Scheduler
from app.taxi import ahead, rides
from app.taxi.ahead import AheadRules
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from app.taxi.queue import live_queue
from support.booked import book_ride, kunming
from support.demo import demo_data

ZHANG = "+8613800000001"
ZHANG_LANDLINE = "+868715550101"
RULES = AheadRules()


at = kunming


BOOKED_AT = at(30, 10)
PICKUP = at(1, 8)


@pytest.fixture
def settings(db: Database) -> Settings:
    demo_data(db, today=date(2026, 11, 30))
    return Settings(database_url=db.url)


def book(db: Database, *, number: str = ZHANG, pickup: datetime = PICKUP,
         now: datetime = BOOKED_AT, to_hospital: bool = False) -> int:
    return book_ride(db, number=number, pickup=pickup, now=now, to_hospital=to_hospital,
                     rules=RULES)


def run(db: Database, settings: Settings, now: datetime) -> None:
    Scheduler(db, settings, clock=lambda: now).run_once()


def ride(db: Database, ride_id: int) -> Ride:
    with db.session() as session:
        found = session.get(Ride, ride_id)
        assert found is not None
        return found


def messages(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def jobs(db: Database) -> dict[JobKind, ScheduledJob]:
    with db.session() as session:
        return {j.kind: j for j in session.scalars(select(ScheduledJob))}


def test_a_ride_booked_for_eight_is_released_at_half_past_seven_with_its_priority(
    db: Database, settings: Settings
) -> None:
    ride_id = book(db, to_hospital=True)
    run(db, settings, at(1, 7, 29))
    assert ride(db, ride_id).status == RideStatus.SCHEDULED
    with db.session() as session:
        assert live_queue(session, now=at(1, 7, 29)) == []
    run(db, settings, at(1, 7, 30))
    released = ride(db, ride_id)
    assert released.status == RideStatus.QUEUED
    assert released.queued_at == at(1, 7, 30)
    with db.session() as session:
        (entry,) = live_queue(session, now=at(1, 7, 31))
    assert entry.ride_id == ride_id and entry.priority == 30 and entry.to_hospital
    assert jobs(db)[JobKind.RELEASE_RIDE].status == JobStatus.DONE


def test_the_reminder_goes_the_evening_before_once_across_restarts_and_a_second_scheduler(
    db: Database, settings: Settings
) -> None:
    ride_id = book(db)
    run(db, settings, at(30, 18, 59))
    assert messages(db) == []
    run(db, settings, at(30, 19, 0))
    (sms,) = messages(db)
    assert sms.kind == OutboxKind.SMS and sms.to_number == ZHANG
    assert "提醒您：明天早上8点，车到家接您。" in sms.body
    # A restart (a new process, a new engine) and a second scheduler: nothing more.
    second = Database(db.url)
    try:
        Scheduler(second, settings, clock=lambda: at(30, 19, 5)).run_once()
        Scheduler(second, settings, clock=lambda: at(30, 20, 0)).run_once()
    finally:
        second.dispose()
    run(db, settings, at(1, 7, 0))
    assert len(messages(db)) == 1
    job = jobs(db)[JobKind.REMIND_RIDE]
    assert job.status == JobStatus.DONE and job.attempts == 1
    assert ride(db, ride_id).status == RideStatus.SCHEDULED


def test_two_schedulers_at_the_same_moment_remind_once(db: Database, settings: Settings) -> None:
    book(db)
    databases = [Database(db.url), Database(db.url)]
    start = threading.Barrier(len(databases))
    errors: list[BaseException] = []

    def one(database: Database) -> None:
        try:
            start.wait()
            Scheduler(database, settings, clock=lambda: at(30, 19, 0)).run_once()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(d,)) for d in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for database in databases:
        database.dispose()
    run(db, settings, at(30, 19, 1))  # anything a locked-out scheduler left
    assert not errors
    assert len(messages(db)) == 1
    assert jobs(db)[JobKind.REMIND_RIDE].status == JobStatus.DONE


def test_a_landline_caller_is_phoned_for_the_reminder(db: Database, settings: Settings) -> None:
    book(db, number=ZHANG_LANDLINE)
    run(db, settings, at(30, 19, 0))
    (call,) = messages(db)
    assert call.kind == OutboxKind.CALL and call.to_number == ZHANG_LANDLINE
    assert "长者服务热线" in call.body and "明天早上8点" in call.body


def test_missed_jobs_a_release_is_caught_up_a_reminder_late_at_night_is_dropped(
    db: Database, settings: Settings
) -> None:
    """The scheduler was down from Monday 18:00 to Monday 21:30."""
    ride_id = book(db)
    run(db, settings, at(30, 21, 30))
    assert messages(db) == []
    assert jobs(db)[JobKind.REMIND_RIDE].status == JobStatus.DROPPED
    run(db, settings, at(1, 8, 10))  # down again past the pickup: still released
    assert ride(db, ride_id).status == RideStatus.QUEUED
    assert ride(db, ride_id).queued_at == at(1, 8, 10)


def test_a_reminder_missed_by_less_than_its_grace_is_caught_up(
    db: Database, settings: Settings
) -> None:
    book(db)
    run(db, settings, at(30, 20, 30))
    assert len(messages(db)) == 1


def test_no_reminder_for_a_ride_booked_after_the_reminder_hour_and_one_job_per_occurrence(
    db: Database, settings: Settings
) -> None:
    ride_id = book(db, now=at(30, 20, 0))
    assert set(jobs(db)) == {JobKind.RELEASE_RIDE}
    with db.session() as session:  # booking the same ride again (a retried step)
        booked = session.get(Ride, ride_id)
        assert booked is not None
        ahead.book(session, booked, pickup_at=PICKUP, now=at(30, 20, 0), rules=RULES)
        assert len(session.scalars(select(ScheduledJob)).all()) == 1
    run(db, settings, at(1, 7, 30))
    assert messages(db) == []
    assert ride(db, ride_id).status == RideStatus.QUEUED


def test_a_cancelled_booking_is_neither_reminded_nor_released(
    db: Database, settings: Settings
) -> None:
    ride_id = book(db)
    with db.session() as session:
        ahead.cancel_booked(session, ride_id=ride_id, reason="来电者在电话里取消预约")
    cancelled = [m.body for m in messages(db)]
    run(db, settings, at(30, 19, 0))
    run(db, settings, at(1, 7, 30))
    assert ride(db, ride_id).status == RideStatus.CANCELLED
    assert [m.body for m in messages(db)] == cancelled  # only the cancellation itself
    assert all(j.status == JobStatus.DONE for j in jobs(db).values())


def test_a_driver_named_ahead_is_assigned_at_release_through_the_assignment_service(
    db: Database, settings: Settings
) -> None:
    ride_id = book(db)
    with db.session() as session:
        driver = session.scalars(select(Driver).where(Driver.active.is_(True))).first()
        assert driver is not None
        driver_id, plate = driver.id, driver.plate
        ahead.assign_ahead(
            session, ride_id=ride_id, driver_id=driver_id,
            expected_version=ride(db, ride_id).version,
        )
    assert ride(db, ride_id).status == RideStatus.SCHEDULED  # nobody is told yet
    run(db, settings, at(1, 7, 30))
    assigned = ride(db, ride_id)
    assert assigned.status == RideStatus.ASSIGNED and assigned.driver_id == driver_id
    assert assigned.eta_minutes == 30
    assert any(plate in m.body for m in messages(db) if m.kind == OutboxKind.SMS)


def test_a_busy_driver_named_ahead_leaves_the_ride_queued_for_an_operator(
    db: Database, settings: Settings
) -> None:
    ride_id = book(db)
    with db.session() as session:
        driver = session.scalars(select(Driver).where(Driver.active.is_(True))).first()
        assert driver is not None
        other = rides.queue(
            session, now=at(1, 7, 0), created_by_staff_id=None, caller_number="+8613812345678",
            caller_name="路人", pickup_address="某路1号",
        )
        rides.assign_driver(
            session, ride_id=other.id, driver_id=driver.id, eta_minutes=5,
            expected_version=other.version,
        )
        ahead.assign_ahead(
            session, ride_id=ride_id, driver_id=driver.id,
            expected_version=session.get(Ride, ride_id).version,  # type: ignore[union-attr]
        )
    run(db, settings, at(1, 7, 30))
    released = ride(db, ride_id)
    assert released.status == RideStatus.QUEUED and released.driver_id is None


def test_a_failing_job_is_rolled_back_retried_later_then_marked_failed(
    db: Database, settings: Settings
) -> None:
    ride_id = book(db)

    def broken(session, job: Job, now: datetime) -> None:  # type: ignore[no-untyped-def]
        session.get(Ride, job.subject_id).status = RideStatus.QUEUED
        raise RuntimeError("boom")

    handlers = {JobKind.RELEASE_RIDE: broken}
    now = at(1, 7, 30)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = run_due(db, handlers, now=now)
        assert report.failed if attempt == MAX_ATTEMPTS else report.retried
        job = jobs(db)[JobKind.RELEASE_RIDE]
        assert job.attempts == attempt and job.last_error == "RuntimeError"
        assert ride(db, ride_id).status == RideStatus.SCHEDULED  # its work rolled back
        assert not run_due(db, handlers, now=now).handled  # not again before its retry time
        now = job.due_at + timedelta(seconds=1)
    assert jobs(db)[JobKind.RELEASE_RIDE].status == JobStatus.FAILED


def test_a_person_with_a_booked_ride_is_not_erased_until_it_is_over(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    ride_id = book(db)
    with db.session() as session:
        person_id = session.get(Ride, ride_id).person_id  # type: ignore[union-attr]
    with pytest.raises(RegistrationError) as caught, db.session() as session:
        erase_person(
            session, person_id=person_id, changed_by=Actor("翠湖社区 王主任", None),
            today=date(2026, 11, 30), recordings_dir=tmp_path,
        )
    assert caught.value.code == "ride_under_way"
