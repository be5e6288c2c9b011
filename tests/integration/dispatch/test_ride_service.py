"""app.taxi.rides on the real database (SQLite and PostgreSQL): order, races, outbox."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app import texts
from app.core.db import Database
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.people.models import PersonPhone
from app.taxi import car_replacement, rides
from app.taxi import queue as ride_queue
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from app.taxi.rules import spoken_plate
from support.booked import released_trip
from support.demo import demo_data

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
ZHANG = "+8613800000001"  # 张奶奶, two family contacts
WANG = "+8613800000002"


@pytest.fixture
def demo(db: Database) -> Database:
    demo_data(db, today=NOW.date())
    return db


def _order(db: Database, number: str | None, *, minutes_ago: int = 0, **kw: object) -> int:
    with db.session() as session:
        ride = rides.queue(
            session, now=NOW - timedelta(minutes=minutes_ago), created_by_staff_id=None,
            caller_number=number, **kw,  # type: ignore[arg-type]
        )
        return ride.id


def _driver(db: Database, plate: str = "云A·D1234") -> int:
    with db.session() as session:
        return session.scalars(select(Driver.id).where(Driver.plate == plate)).one()


def _version(db: Database, ride_id: int) -> int:
    with db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None
        return ride.version


def test_queue_orders_by_priority_then_waiting_time(demo: Database) -> None:
    young = _order(demo, None, caller_name="小王", pickup_address="北京路1号", minutes_ago=30)
    with demo.session() as session:  # a young caller: no elderly priority
        session.get(Ride, young).priority = 0  # type: ignore[union-attr]
    elder_late = _order(demo, WANG, minutes_ago=2)
    elder_early = _order(demo, ZHANG, minutes_ago=8)
    hospital = _order(demo, "+8613800000003", to_hospital=True, minutes_ago=1)
    with demo.session() as session:
        queue = ride_queue.live_queue(session, now=NOW)
    assert [e.ride_id for e in queue] == [hospital, elder_early, elder_late, young]
    first = queue[1]
    assert first.person_name == "张奶奶" and first.age == 80
    assert first.pickup_label == "家" and first.pickup_address.startswith("五华区")  # type: ignore[union-attr]
    assert first.waiting_minutes == 8 and first.elderly
    assert queue[0].to_hospital and queue[0].priority == 30


def test_a_hung_up_request_is_flagged_and_kept(demo: Database) -> None:
    with demo.session() as session:
        session.add(Ride(caller_number=None, status=RideStatus.CALLER_HUNG_UP,
                         pickup_recording_url="r1.wav", pickup_transcript="翠湖边上"))
    with demo.session() as session:
        (entry,) = ride_queue.live_queue(session, now=datetime.now(UTC))
    assert entry.caller_hung_up and entry.status_label == "来电者已挂断"
    assert entry.recording_url == "r1.wav" and entry.transcript == "翠湖边上"


def test_assignment_writes_sms_and_call_in_the_same_transaction(demo: Database) -> None:
    ride_id = _order(demo, ZHANG)
    with demo.session() as session:
        rides.assign_driver(session, ride_id=ride_id, driver_id=_driver(demo), eta_minutes=8,
                            expected_version=1)
    with demo.session() as session:
        messages = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    sms = [m for m in messages if m.kind == OutboxKind.SMS]
    assert sorted(m.to_number for m in sms) == sorted([ZHANG, "+8613900000001", "+8613900000002"])
    assert all("云A·D1234" in m.body and "13700000001" in m.body and "8分钟" in m.body
               for m in sms)
    (call,) = [m for m in messages if m.kind == OutboxKind.CALL]
    assert call.to_number == ZHANG and call.body.count("云A，D，幺，二，三，四") == 2
    key = f"ride:{ride_id}:assigned:{_driver(demo)}:sms:{ZHANG}"
    assert key in {m.idempotency_key for m in sms}


def test_a_failure_after_assignment_rolls_back_the_messages_too(demo: Database) -> None:
    ride_id = _order(demo, ZHANG)
    with pytest.raises(RuntimeError), demo.session() as session:
        rides.assign_driver(session, ride_id=ride_id, driver_id=_driver(demo), eta_minutes=8,
                            expected_version=1)
        raise RuntimeError("the process died before commit")
    with demo.session() as session:
        assert session.scalar(select(func.count(OutboxMessage.id))) == 0
        assert session.get(Ride, ride_id).status == RideStatus.QUEUED  # type: ignore[union-attr]


def test_voice_call_is_optional(demo: Database) -> None:
    ride_id = _order(demo, WANG)
    with demo.session() as session:
        rides.assign_driver(session, ride_id=ride_id, driver_id=_driver(demo), eta_minutes=5,
                            expected_version=1, notify_voice_call=False)
    with demo.session() as session:
        kinds = session.scalars(select(OutboxMessage.kind)).all()
    assert kinds and set(kinds) == {OutboxKind.SMS}


def test_two_operators_assign_the_same_ride_at_once_only_one_wins(demo: Database) -> None:
    ride_id = _order(demo, ZHANG)
    drivers = [_driver(demo, "云A·D1234"), _driver(demo, "云A·D5678")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def operator(driver_id: int) -> None:
        barrier.wait()
        try:
            with demo.session() as session:
                rides.assign_driver(session, ride_id=ride_id, driver_id=driver_id,
                                    eta_minutes=10, expected_version=1)
            outcomes.append("ok")
        except rides.RideConflict as exc:
            assert "其他调度员" in exc.message or "不能派车" in exc.message
            outcomes.append("conflict")

    threads = [threading.Thread(target=operator, args=(d,)) for d in drivers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["conflict", "ok"]
    with demo.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.status == RideStatus.ASSIGNED and ride.version == 2
        keys = session.scalars(select(OutboxMessage.idempotency_key)).all()
    assert {k.split(":")[3] for k in keys} == {str(ride.driver_id)}  # one driver's messages only


def test_one_driver_cannot_take_two_rides_at_once(demo: Database) -> None:
    first, second = _order(demo, ZHANG), _order(demo, WANG)
    driver = _driver(demo)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def operator(ride_id: int) -> None:
        barrier.wait()
        try:
            with demo.session() as session:
                rides.assign_driver(session, ride_id=ride_id, driver_id=driver,
                                    eta_minutes=10, expected_version=1)
            outcomes.append("ok")
        except rides.RideConflict as exc:
            assert "另一张叫车单" in exc.message
            outcomes.append("busy")

    threads = [threading.Thread(target=operator, args=(r,)) for r in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["busy", "ok"]


def test_stale_version_is_a_conflict_with_a_chinese_message(demo: Database) -> None:
    ride_id = _order(demo, ZHANG)
    with demo.session() as session:
        rides.no_car_found(session, ride_id=ride_id, expected_version=1)
    with pytest.raises(rides.RideConflict, match="其他调度员"), demo.session() as session:
        rides.assign_driver(session, ride_id=ride_id, driver_id=_driver(demo), eta_minutes=5,
                            expected_version=1)


def test_no_car_found_tells_the_caller_and_keeps_the_ride_visible(demo: Database) -> None:
    ride_id = _order(demo, ZHANG)
    with demo.session() as session:
        rides.no_car_found(session, ride_id=ride_id, expected_version=1)
    with demo.session() as session:
        (entry,) = ride_queue.live_queue(session, now=NOW)
        messages = session.scalars(select(OutboxMessage)).all()
    assert entry.ride_id == ride_id and entry.status == RideStatus.NO_CAR and entry.waiting
    assert any(m.kind == OutboxKind.SMS and "没有空车" in m.body and m.to_number == ZHANG
               for m in messages)
    with demo.session() as session:  # a car turns up later: it can still be assigned
        rides.assign_driver(session, ride_id=ride_id, driver_id=_driver(demo), eta_minutes=15,
                            expected_version=_version(demo, ride_id))


def test_a_ride_runs_to_completion_with_cash_payment(demo: Database) -> None:
    ride_id = _order(demo, ZHANG, destination="市一院")
    steps = [
        lambda s, v: rides.assign_driver(s, ride_id=ride_id, driver_id=_driver(demo),
                                         eta_minutes=5, expected_version=v),
        lambda s, v: rides.mark_arriving(s, ride_id=ride_id, expected_version=v),
        lambda s, v: rides.mark_picked_up(s, ride_id=ride_id, expected_version=v),
        lambda s, v: rides.mark_completed(s, ride_id=ride_id, expected_version=v),
    ]
    for step in steps:
        with demo.session() as session:
            step(session, _version(demo, ride_id))
    with demo.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.status == RideStatus.COMPLETED and ride.cash_payment
        assert ride_queue.live_queue(session, now=NOW) == []
    with pytest.raises(rides.RideConflict, match="不能改为"), demo.session() as session:
        rides.mark_arriving(session, ride_id=ride_id, expected_version=_version(demo, ride_id))


def test_cancelling_an_assigned_ride_tells_the_driver(demo: Database) -> None:
    ride_id = _order(demo, ZHANG)
    driver = _driver(demo)
    with demo.session() as session:
        rides.assign_driver(session, ride_id=ride_id, driver_id=driver, eta_minutes=5,
                            expected_version=1)
    with demo.session() as session:
        rides.cancel(session, ride_id=ride_id, expected_version=2, reason="来电者不需要了")
    with demo.session() as session:
        assert session.scalar(select(OutboxMessage).where(
            OutboxMessage.to_number == "+8613700000001", OutboxMessage.body.contains("已取消")
        )) is not None
    other = _order(demo, WANG)  # the driver is free again
    with demo.session() as session:
        rides.assign_driver(session, ride_id=other, driver_id=driver, eta_minutes=5,
                            expected_version=1)


def test_back_office_order_for_an_unregistered_caller(demo: Database) -> None:
    ride_id = _order(demo, "+8613612345678", caller_name="孙大妈", pickup_address="翠湖公园东门")
    with demo.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.status == RideStatus.QUEUED and ride.priority == 10
        assert ride.caller_name == "孙大妈" and ride.person_id is None
        assert session.scalar(select(func.count(PersonPhone.id)).where(
            PersonPhone.number == "+8613612345678")) == 0  # not silently registered
    with pytest.raises(rides.RideError, match="上车地点"), demo.session() as session:
        rides.queue(session, now=NOW, created_by_staff_id=None, caller_name="无地址")


def test_plate_is_spelled_character_by_character() -> None:
    assert spoken_plate("云A·D1234") == "云A，D，幺，二，三，四"


def test_an_order_for_a_caller_with_a_live_ride_is_refused_unless_confirmed(
    demo: Database,
) -> None:
    first = _order(demo, ZHANG)
    with pytest.raises(rides.DuplicateOrder) as refused, demo.session() as session:
        rides.queue(session, now=NOW, created_by_staff_id=None, caller_number=ZHANG,
                    duplicate_ok=False)
    assert [r.ride_id for r in refused.value.open_rides] == [first]
    with demo.session() as session:  # the person, ordered for by id (the operators' panel)
        person_id = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG)
        ).one()
    with pytest.raises(rides.DuplicateOrder), demo.session() as session:
        rides.queue(session, now=NOW, created_by_staff_id=None, person_id=person_id,
                    duplicate_ok=False)
    second = _order(demo, ZHANG, duplicate_ok=True)  # "仍然下单": two cars really needed
    assert second != first


def test_open_rides_are_the_persons_and_the_numbers_oldest_first(demo: Database) -> None:
    with demo.session() as session:
        zhang, wang = (
            session.scalars(select(PersonPhone.person_id).where(PersonPhone.number == n)).one()
            for n in (ZHANG, WANG)
        )
    # Ordered for 张奶奶 by the person, from no number: found by the person her number is.
    hers = _order(demo, None, person_id=zhang, pickup_address="翠湖公园东门", minutes_ago=9)
    # Ordered from her number for 王大爷: found by the caller's number.
    from_her_phone = _order(demo, ZHANG, person_id=wang, pickup_address="金碧路1号")
    # 王大爷's own ride from his own number, and her ride already over: neither is hers.
    _order(demo, WANG, pickup_address="金碧路1号")
    over = _order(demo, ZHANG, pickup_address="南屏街")
    with demo.session() as session:
        rides.cancel(session, ride_id=over, expected_version=_version(demo, over),
                     reason="不要了", notify=False)
    with demo.session() as session:
        by_number = rides.open_rides(session, number=ZHANG, person_id=None)
        by_person = rides.open_rides(session, number=None, person_id=zhang)
        unknown_number = rides.open_rides(session, number="+8613612345678", person_id=zhang)
        nobody = rides.open_rides(session, number=None, person_id=None)
    assert [r.ride_id for r in by_number] == [hers, from_her_phone]
    assert [(r.status_label, r.pickup) for r in by_number] == [
        ("等待派车", "翠湖公园东门"), ("等待派车", "金碧路1号")
    ]
    assert [r.ride_id for r in by_person] == [hers]
    assert [r.ride_id for r in unknown_number] == [hers]
    assert nobody == []


@pytest.mark.parametrize("repeat", range(3))
def test_two_operators_ordering_for_one_person_at_once_make_one_ride(
    demo: Database, repeat: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One operator types the number, the other orders from the panel by the person: both
    # look for open rides before either has written (the pause), as at the same instant.
    with demo.session() as session:
        person_id = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG)
        ).one()
    real_open_rides = rides.open_rides

    def slow_open_rides(*args: object, **kw: object) -> list[rides.OpenRide]:
        found = real_open_rides(*args, **kw)  # type: ignore[arg-type]
        time.sleep(0.3)
        return found

    monkeypatch.setattr(rides, "open_rides", slow_open_rides)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def operator(**who: object) -> None:
        start.wait()
        try:
            with demo.session() as session:
                ride = rides.queue(session, now=NOW, created_by_staff_id=None,
                                   duplicate_ok=False, **who)  # type: ignore[arg-type]
                outcomes.append(f"queued {ride.id}")
        except rides.DuplicateOrder as exc:
            outcomes.append(f"told {[r.ride_id for r in exc.open_rides]}")

    threads = [threading.Thread(target=operator, kwargs={"caller_number": ZHANG}),
               threading.Thread(target=operator, kwargs={"person_id": person_id})]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with demo.session() as session:
        made = session.scalars(select(Ride.id).where(Ride.person_id == person_id)).all()
    assert len(made) == 1, outcomes
    assert sorted(o.split()[0] for o in outcomes) == ["queued", "told"]
    assert f"told [{made[0]}]" in outcomes


def test_orders_for_two_different_callers_do_not_wait_for_each_other(demo: Database) -> None:
    with demo.session() as first:
        rides.queue(first, now=NOW, created_by_staff_id=None, caller_number=ZHANG,
                    duplicate_ok=False)
        if demo.engine.dialect.name == "sqlite":
            return  # one writer at a time there: the lock is the database's
        with demo.session() as second:  # would block on the same key
            rides.queue(second, now=NOW, created_by_staff_id=None, caller_number=WANG,
                        duplicate_ok=False)


DAUGHTER = "+8613900000001"  # 李梅, 张奶奶's daughter


def _hospital_trip(db: Database) -> int:
    return released_trip(db, now=NOW)


def test_a_hospital_trip_shows_the_hospital_main_number_in_the_queue(demo: Database) -> None:
    trip = _hospital_trip(demo)
    other = _order(demo, WANG, to_hospital=True, destination="春城第一人民医院")
    with demo.session() as session:
        entries = {e.ride_id: e for e in ride_queue.live_queue(session, now=NOW)}
    assert entries[trip].hospital_name is not None and "医院" in entries[trip].hospital_name
    assert entries[trip].hospital_phone == "0871-5550101"  # the main one, grouped to be read
    # a ride to a hospital not booked as a trip: no hospital of record, no number
    assert (entries[other].hospital_name, entries[other].hospital_phone) == (None, None)


def test_a_late_booked_car_is_replaced_the_ride_back_in_the_queue(demo: Database) -> None:
    ride_id = _hospital_trip(demo)
    driver = _driver(demo)
    with demo.session() as session:
        before = session.get_one(Ride, ride_id)
        priority, queued_at, version = before.priority, before.queued_at, before.version
        sent = session.scalar(select(func.count()).select_from(OutboxMessage))

    with demo.session() as session:
        car_replacement.replace_car(session, ride_id=ride_id, expected_version=version)

    with demo.session() as session:
        ride = session.get_one(Ride, ride_id)
        assert (ride.status, ride.driver_id, ride.eta_minutes) == (RideStatus.QUEUED, None, None)
        assert (ride.priority, ride.queued_at) == (priority, queued_at)  # its place kept
        new = {(m.to_number, m.body) for m in session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id).offset(sent))}
    told = texts.sms("ride_car_replaced")
    assert new == {
        ("+8613700000001", texts.sms("ride_cancelled_driver", ride_id=ride_id,
                                     reason=car_replacement.DRIVER_REASON)),
        (DAUGHTER, told),  # who ordered the car
        (ZHANG, told),  # and the rider, as for a relative's cancel
    }
    with demo.session() as session:  # the driver is free: another ride can have him
        rides.assign_driver(session, ride_id=_order(demo, WANG), driver_id=driver,
                            eta_minutes=5, expected_version=1)
    with demo.session() as session:  # the ride waits for a car like any other
        rides.assign_driver(session, ride_id=ride_id, driver_id=_driver(demo, "云A·D5678"),
                            eta_minutes=10, expected_version=version + 1)
    with demo.session() as session:  # late again: replaced again, and told again
        car_replacement.replace_car(session, ride_id=ride_id, expected_version=version + 2)
    with demo.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.to_number == DAUGHTER, OutboxMessage.body == told)) == 2


def test_only_a_booked_car_on_its_way_can_be_replaced(demo: Database) -> None:
    now_ride = _order(demo, WANG)
    with demo.session() as session:
        rides.assign_driver(session, ride_id=now_ride, driver_id=_driver(demo), eta_minutes=5,
                            expected_version=1)
    with demo.session() as session, pytest.raises(rides.RideConflict) as refused:
        car_replacement.replace_car(session, ride_id=now_ride, expected_version=2)
    assert refused.value.message == car_replacement.NOT_BOOKED
    with demo.session() as session:
        rides.cancel(session, ride_id=now_ride, expected_version=2, reason="来电者不需要了")
    trip = _hospital_trip(demo)
    version = _version(demo, trip)
    with demo.session() as session, pytest.raises(rides.RideConflict) as refused:
        car_replacement.replace_car(session, ride_id=trip, expected_version=version - 1)
    assert "刚刚被其他调度员改过" in refused.value.message
    with demo.session() as session:
        car_replacement.replace_car(session, ride_id=trip, expected_version=version)
    with demo.session() as session, pytest.raises(rides.RideConflict) as refused:
        car_replacement.replace_car(session, ride_id=trip, expected_version=version + 1)
    assert refused.value.message == car_replacement.NOT_REPLACEABLE.format(status="等待派车")
