"""Regular rides (定期用车): a rule made by an operator, its instances made by the scheduler
a day ahead as ordinary booked rides, never twice (a second scheduler, a restart), public
holidays left out when the rule says so, one day skipped without ending the rule, paused,
resumed and ended (now, or after a last day ahead); bad rules refused with a clear
reason. Clock under the test's control."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.config import Settings
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.notify.models import OutboxMessage
from app.people.audit import Actor
from app.people.erasure import erase_person
from app.people.models import Person, PersonPhone, SavedPlace
from app.scheduler.enums import JobStatus
from app.scheduler.models import ScheduledJob
from app.scheduler.runner import Scheduler
from app.taxi import ahead, regular
from app.taxi.enums import RegularStatus, RideStatus
from app.taxi.models import RegularRide, Ride
from app.taxi.regular import RegularRideError, RegularRules, RuleFields
from support.booked import kunming
from support.demo import demo_data

ZHANG = "+8613800000001"  # 张秀英, home 翠湖南路
CREATED_AT = kunming(30, 10)  # Monday 2026-11-30 10:00
TUE_FRI = {2, 5}


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


@pytest.fixture
def settings(db: Database) -> Settings:
    demo_data(db, today=date(2026, 11, 30))
    return Settings(database_url=db.url)


def _person(db: Database) -> tuple[int, int]:
    with db.session() as session:
        person_id = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG)).one()
        home = session.scalars(select(SavedPlace).where(
            SavedPlace.person_id == person_id).order_by(SavedPlace.position)).first()
        assert home is not None
        return person_id, home.id


def _fields(place_id: int, *, weekdays: set[int] = TUE_FRI, at: time = time(8, 0),
            back: time | None = None, skip_holidays: bool = True,
            destination: str | None = "昆明市血液透析中心",
            last_day: date | None = None) -> RuleFields:
    return RuleFields(
        weekdays=weekdays, pickup_time=at, return_time=back, pickup_place_id=place_id,
        destination=destination, to_hospital=True, last_day=last_day,
        skip_holidays=skip_holidays, company_id=None, note=None,
    )


def _create(db: Database, settings: Settings, *, now: datetime = CREATED_AT,
            weekdays: set[int] = TUE_FRI, first_day: date = date(2026, 11, 30),
            skip_holidays: bool = True, at: time = time(8, 0), back: time | None = None,
            destination: str | None = "昆明市血液透析中心") -> int:
    person_id, place_id = _person(db)
    with db.session() as session:
        rule = regular.create(
            session, person_id=person_id,
            fields=_fields(place_id, weekdays=weekdays, at=at, back=back,
                           skip_holidays=skip_holidays, destination=destination),
            first_day=first_day, staff_id=None, now=now,
            rules=RegularRules.from_settings(settings),
        )
        return rule.id


def _instances(db: Database, rule_id: int) -> list[tuple[date, RideStatus, datetime | None]]:
    with db.session() as session:
        return [
            (r.regular_day, r.status, r.pickup_at)
            for r in session.scalars(
                select(Ride).where(Ride.regular_ride_id == rule_id).order_by(Ride.regular_day))
        ]


def _run(db: Database, settings: Settings, now: datetime) -> None:
    Scheduler(db, settings, clock=lambda: now).run_once()


def _pending_keys(db: Database) -> set[str]:
    with db.session() as session:
        return set(session.scalars(select(ScheduledJob.key).where(
            ScheduledJob.key.like("regular_ride:%"), ScheduledJob.status == JobStatus.PENDING)))


def test_each_instance_is_a_booked_ride_made_a_day_ahead_and_never_twice(
    db: Database, settings: Settings
) -> None:
    rule_id = _create(db, settings)
    # Tuesday 8:00 is less than a day away: made at once, as a ride booked ahead.
    [(day, status, pickup)] = _instances(db, rule_id)
    assert (day, status, pickup) == (date(2026, 12, 1), RideStatus.SCHEDULED,
                                     local(date(2026, 12, 1), 8))
    with db.session() as session:
        ride = session.scalars(select(Ride).where(Ride.regular_ride_id == rule_id)).one()
        keys = set(session.scalars(select(ScheduledJob.key)))
        assert ride.to_hospital and ride.destination == "昆明市血液透析中心"
        assert ride.caller_number == ZHANG  # reminded and told the plate like any booking
    assert {f"release_ride:{ride.id}", f"remind_ride:{ride.id}"} <= keys
    assert _pending_keys(db) == {f"regular_ride:{rule_id}:2026-12-04"}

    _run(db, settings, local(date(2026, 12, 3), 7, 59))  # Friday's moment not yet
    assert [d for d, *_ in _instances(db, rule_id)] == [date(2026, 12, 1)]
    friday_moment = local(date(2026, 12, 3), 8)
    for _ in range(2):  # a second scheduler at the same moment, then a restart
        _run(db, settings, friday_moment)
    made = _instances(db, rule_id)
    assert [d for d, *_ in made] == [date(2026, 12, 1), date(2026, 12, 4)]
    assert made[1][1] == RideStatus.SCHEDULED
    assert _pending_keys(db) == {f"regular_ride:{rule_id}:2026-12-08"}


def test_a_missed_day_is_caught_up_while_its_pickup_is_ahead(
    db: Database, settings: Settings
) -> None:
    rule_id = _create(db, settings)
    _run(db, settings, local(date(2026, 12, 4), 7, 40))  # down since Thursday 8:00
    assert [d for d, *_ in _instances(db, rule_id)][-1] == date(2026, 12, 4)


def test_public_holidays_are_left_out_when_the_rule_says_so(
    db: Database, settings: Settings
) -> None:
    """Thursdays from Wednesday 30 September 2026: 1 October is 国庆节."""
    wednesday = local(date(2026, 9, 30), 10)
    skipping = _create(db, settings, now=wednesday, weekdays={4}, first_day=date(2026, 9, 30))
    keeping = _create(db, settings, now=wednesday, weekdays={4}, first_day=date(2026, 9, 30),
                      skip_holidays=False, at=time(9, 0))
    assert _instances(db, skipping) == []
    assert [d for d, *_ in _instances(db, keeping)] == [date(2026, 10, 1)]
    assert f"regular_ride:{skipping}:2026-10-08" in _pending_keys(db)
    _run(db, settings, local(date(2026, 10, 7), 8))
    assert [d for d, *_ in _instances(db, skipping)] == [date(2026, 10, 8)]


def test_one_day_is_skipped_without_ending_the_rule(db: Database, settings: Settings) -> None:
    rule_id = _create(db, settings)
    with db.session() as session:  # Tuesday (made) and Friday (not made yet)
        regular.skip(session, rule_id=rule_id, day=date(2026, 12, 1), now=CREATED_AT)
        regular.skip(session, rule_id=rule_id, day=date(2026, 12, 4), now=CREATED_AT)
        with pytest.raises(RegularRideError, match="已经取消"):
            regular.skip(session, rule_id=rule_id, day=date(2026, 12, 4), now=CREATED_AT)
        with pytest.raises(RegularRideError, match="本来就不用车"):
            regular.skip(session, rule_id=rule_id, day=date(2026, 12, 2), now=CREATED_AT)
    assert [(d, s) for d, s, _ in _instances(db, rule_id)] == [
        (date(2026, 12, 1), RideStatus.CANCELLED), (date(2026, 12, 4), RideStatus.CANCELLED)]
    with db.session() as session:
        told = list(session.scalars(select(OutboxMessage.body).where(
            OutboxMessage.to_number == ZHANG)))
    assert any("这一次不用车" in body and "以后的车照常" in body for body in told)
    _run(db, settings, local(date(2026, 12, 3), 8))  # Friday's job: it stays skipped
    _run(db, settings, local(date(2026, 12, 7), 8))  # the next Tuesday is made
    assert [(d, s) for d, s, _ in _instances(db, rule_id)][-2:] == [
        (date(2026, 12, 4), RideStatus.CANCELLED), (date(2026, 12, 8), RideStatus.SCHEDULED)]
    with db.session() as session:
        assert session.get(RegularRide, rule_id).status == RegularStatus.ACTIVE  # type: ignore[union-attr]


def test_paused_resumed_and_ended(db: Database, settings: Settings) -> None:
    rule_id = _create(db, settings)
    rules = RegularRules.from_settings(settings)
    with db.session() as session:
        rule = session.get(RegularRide, rule_id)
        assert rule is not None
        regular.pause(session, rule_id=rule_id, expected_version=rule.version)
    _run(db, settings, local(date(2026, 12, 3), 8))
    assert len(_instances(db, rule_id)) == 1  # paused: Friday is not made
    resumed_at = local(date(2026, 12, 3), 9)
    with db.session() as session:
        rule = session.get(RegularRide, rule_id)
        assert rule is not None
        regular.resume(session, rule_id=rule_id, expected_version=rule.version,
                       now=resumed_at, rules=rules)
    assert [d for d, *_ in _instances(db, rule_id)][-1] == date(2026, 12, 4)
    with db.session() as session:
        rule = session.get(RegularRide, rule_id)
        assert rule is not None
        regular.end(session, rule_id=rule_id, expected_version=rule.version, now=resumed_at)
    assert _instances(db, rule_id)[-1][1] == RideStatus.CANCELLED  # Friday's booking went
    _run(db, settings, local(date(2026, 12, 7), 8))
    assert [d for d, *_ in _instances(db, rule_id)][-1] == date(2026, 12, 4)


def test_an_end_date_ahead_cancels_the_days_made_after_it_and_tells_the_rider(
    db: Database, settings: Settings
) -> None:
    """Made four days ahead, Tuesday and Friday are booked (with their return). Ending
    after Wednesday keeps Tuesday, cancels Friday's two legs (listed) and tells the rider
    once; the rule stays active until then and makes nothing after it."""
    four_days = settings.model_copy(update={"regular_ride_ahead_hours": 96})
    person_id, place_id = _person(db)
    with db.session() as session:
        rule_id = regular.create(
            session, person_id=person_id, fields=_fields(place_id, back=time(12, 0)),
            first_day=date(2026, 11, 30), staff_id=None, now=CREATED_AT,
            rules=RegularRules.from_settings(four_days),
        ).id
    with db.session() as session:
        rule = session.get(RegularRide, rule_id)
        assert rule is not None
        with pytest.raises(RegularRideError, match="不能早于今天"):
            regular.end(session, rule_id=rule_id, expected_version=rule.version,
                        now=CREATED_AT, last_day=date(2026, 11, 29))
        cancelled = regular.end(session, rule_id=rule_id, expected_version=rule.version,
                                now=CREATED_AT, last_day=date(2026, 12, 2))
        assert [(r.regular_day, r.regular_return) for r in cancelled] == [
            (date(2026, 12, 4), False), (date(2026, 12, 4), True)]
        session.commit()
        with pytest.raises(RegularRideError, match="本来就到12月02日为止"):
            regular.end(session, rule_id=rule_id, expected_version=rule.version,
                        now=CREATED_AT, last_day=date(2026, 12, 3))
    legs = {(d, b): status for d, b, status, _ in _legs(db, rule_id)}
    assert legs == {
        (date(2026, 12, 1), False): RideStatus.SCHEDULED,
        (date(2026, 12, 1), True): RideStatus.SCHEDULED,
        (date(2026, 12, 4), False): RideStatus.CANCELLED,
        (date(2026, 12, 4), True): RideStatus.CANCELLED,
    }
    with db.session() as session:
        rule = session.get(RegularRide, rule_id)
        assert rule is not None
        assert (rule.status, rule.last_day) == (RegularStatus.ACTIVE, date(2026, 12, 2))
        told = list(session.scalars(select(OutboxMessage.body).where(
            OutboxMessage.to_number == ZHANG, OutboxMessage.body.like("%为止%"))))
    assert len(told) == 1 and "到后天为止" in told[0] and "12月4号" in told[0], told
    Scheduler(db, four_days, clock=lambda: local(date(2026, 12, 7), 8)).run_once()
    assert len(_legs(db, rule_id)) == 4  # nothing after the last day


def test_a_deactivated_person_gets_no_instances(db: Database, settings: Settings) -> None:
    rule_id = _create(db, settings)
    person_id, _ = _person(db)
    with db.session() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.active = False
    _run(db, settings, local(date(2026, 12, 3), 8))
    assert len(_instances(db, rule_id)) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weekdays": set()}, "请至少选一个星期几"),
        ({"at": time(23, 0)}, "接人的时间要在早上6点到晚上10点之间"),
        ({"first_day": date(2026, 11, 29)}, "开始日期已经过了"),
        ({"back": time(7, 0)}, "回程的时间要晚于去的时间"),
        ({"back": time(12, 0), "destination": None}, "有回程的，请填写去哪里"),
        ({"back": time(22, 30)}, "接人的时间要在早上6点到晚上10点之间"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(
    db: Database, settings: Settings, change: dict[str, object], message: str
) -> None:
    with pytest.raises(RegularRideError, match=message):
        _create(db, settings, **change)  # type: ignore[arg-type]
    with db.session() as session:
        assert session.scalars(select(RegularRide)).all() == []


def test_a_place_of_someone_else_is_refused(db: Database, settings: Settings) -> None:
    person_id, _ = _person(db)
    with db.session() as session:
        other = session.scalars(select(SavedPlace).where(SavedPlace.person_id != person_id)).first()
        assert other is not None
        with pytest.raises(RegularRideError, match="登记的地点"):
            regular.create(
                session, person_id=person_id, fields=_fields(other.id, weekdays={1}),
                first_day=date(2026, 12, 1), staff_id=None, now=CREATED_AT,
                rules=RegularRules.from_settings(settings),
            )


def test_the_window_is_configurable(db: Database, settings: Settings) -> None:
    two_days = settings.model_copy(update={"regular_ride_ahead_hours": 48})
    rule_id = _create(db, two_days)
    assert [d for d, *_ in _instances(db, rule_id)] == [date(2026, 12, 1)]
    assert _pending_keys(db) == {f"regular_ride:{rule_id}:2026-12-04"}
    _run(db, two_days, local(date(2026, 12, 2), 8))  # Friday, two days ahead
    assert [d for d, *_ in _instances(db, rule_id)][-1] == date(2026, 12, 4)


def test_an_unknown_rule_is_refused(db: Database, settings: Settings) -> None:
    with db.session() as session, pytest.raises(RegularRideError):
        regular.skip(session, rule_id=999, day=date(2026, 12, 1), now=CREATED_AT)
    assert timedelta(hours=settings.regular_ride_ahead_hours) == timedelta(days=1)


def test_erasing_the_person_removes_the_rule_and_unlinks_its_rides(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    rule_id = _create(db, settings)
    person_id, _ = _person(db)
    with db.session() as session:  # nothing under way: the one booked day is skipped
        regular.skip(session, rule_id=rule_id, day=date(2026, 12, 1), now=CREATED_AT)
    with db.session() as session:
        erase_person(session, person_id=person_id, changed_by=Actor("翠湖社区 王主任", None),
                     today=date(2026, 11, 30), recordings_dir=tmp_path, now=CREATED_AT)
    with db.session() as session:
        assert session.get(RegularRide, rule_id) is None
        rides = list(session.scalars(select(Ride).where(Ride.person_id == person_id)))
    assert rides and all(r.regular_ride_id is None for r in rides)
    _run(db, settings, local(date(2026, 12, 3), 8))  # its pending job finds no rule
    with db.session() as session:
        assert session.scalars(select(Ride).where(Ride.regular_day.is_not(None),
                                                  Ride.regular_ride_id.is_not(None))).all() == []


def _legs(db: Database, rule_id: int) -> list[tuple[date, bool, RideStatus, datetime | None]]:
    with db.session() as session:
        return [
            (r.regular_day, r.regular_return, r.status, r.pickup_at)
            for r in session.scalars(select(Ride).where(Ride.regular_ride_id == rule_id)
                                     .order_by(Ride.regular_day, Ride.regular_return))
        ]


def test_a_return_trip_makes_two_booked_rides_a_day_and_a_skip_skips_both(
    db: Database, settings: Settings
) -> None:
    """Dialysis: there at 8:00, back at 12:00. Each day is two booked rides, made together
    when the ride there is due; the return goes from the centre to the home; one reminder
    an evening (the ride there's); skipping the day cancels both and tells the rider once."""
    rule_id = _create(db, settings, back=time(12, 0))
    tuesday = date(2026, 12, 1)
    assert _legs(db, rule_id) == [
        (tuesday, False, RideStatus.SCHEDULED, local(tuesday, 8)),
        (tuesday, True, RideStatus.SCHEDULED, local(tuesday, 12)),
    ]
    with db.session() as session:
        there, back = session.scalars(select(Ride).where(Ride.regular_ride_id == rule_id)
                                      .order_by(Ride.regular_return)).all()
        centre = "昆明市血液透析中心"
        assert there.destination == centre and "翠湖南路" in (there.pickup_address or "")
        assert back.pickup_address == centre and back.destination == there.pickup_address
        assert back.pickup_place_id is None and not back.to_hospital
        assert back.priority == there.priority
        jobs = dict(session.execute(select(ScheduledJob.key, ScheduledJob.status)).all())
    assert jobs[f"release_ride:{back.id}"] == JobStatus.PENDING  # released like any booking
    assert jobs[f"remind_ride:{there.id}"] == JobStatus.PENDING
    assert jobs.get(f"remind_ride:{back.id}") in (None, JobStatus.DROPPED)

    with db.session() as session:  # Tuesday (made) and next Tuesday (not made yet)
        regular.skip(session, rule_id=rule_id, day=tuesday, now=CREATED_AT)
        regular.skip(session, rule_id=rule_id, day=date(2026, 12, 8), now=CREATED_AT)
    _run(db, settings, local(date(2026, 12, 3), 8))  # Friday's pair, once, across a restart
    _run(db, settings, local(date(2026, 12, 3), 8))
    assert [(d, b) for d, b, *_ in _legs(db, rule_id)][2:4] == [
        (date(2026, 12, 4), False), (date(2026, 12, 4), True)]
    legs = {(d, b): status for d, b, status, _ in _legs(db, rule_id)}
    assert legs[(tuesday, False)] == legs[(tuesday, True)] == RideStatus.CANCELLED
    assert legs[(date(2026, 12, 8), False)] == legs[(date(2026, 12, 8), True)] == (
        RideStatus.CANCELLED)
    assert legs[(date(2026, 12, 4), True)] == RideStatus.SCHEDULED
    _run(db, settings, local(date(2026, 12, 7), 8))  # next Tuesday's job: nothing made
    assert {(d, b): s for d, b, s, _ in _legs(db, rule_id)}[(date(2026, 12, 8), True)] == (
        RideStatus.CANCELLED)
    with db.session() as session:
        told = list(session.scalars(select(OutboxMessage.body).where(
            OutboxMessage.to_number == ZHANG, OutboxMessage.body.like("%这一次不用车%"))))
    assert len(told) == 1 and "8点" in told[0]


def test_a_change_applies_to_days_not_made_and_keeps_those_made(
    db: Database, settings: Settings
) -> None:
    """Tuesday 8:00 is made (less than a day away). Changed to Wednesdays and Fridays at
    9:00 with a return at 13:00: Tuesday's booking stays as it was and is listed as kept;
    Wednesday and Friday are made at 9:00 (with their return) when due; the old Friday
    job does not make an 8:00 ride."""
    rule_id = _create(db, settings)
    _, place_id = _person(db)
    rules = RegularRules.from_settings(settings)
    with db.session() as session:
        rule = session.get(RegularRide, rule_id)
        assert rule is not None
        kept = regular.edit(
            session, rule_id=rule_id, expected_version=rule.version,
            fields=_fields(place_id, weekdays={3, 5}, at=time(9, 0), back=time(13, 0)),
            now=CREATED_AT, rules=rules,
        )
        assert [(r.regular_day, r.regular_return) for r in kept] == [(date(2026, 12, 1), False)]
        with pytest.raises(RegularRideError, match="刚刚被别人改过"):
            regular.edit(session, rule_id=rule_id, expected_version=0,
                         fields=_fields(place_id), now=CREATED_AT, rules=rules)
    assert _pending_keys(db) == {f"regular_ride:{rule_id}:2026-12-02"}
    _run(db, settings, local(date(2026, 12, 1), 9))  # Wednesday's moment
    _run(db, settings, local(date(2026, 12, 3), 8))  # the old Friday 8:00 moment: nothing
    assert [(d, b, p) for d, b, _, p in _legs(db, rule_id)] == [
        (date(2026, 12, 1), False, local(date(2026, 12, 1), 8)),  # kept as it was
        (date(2026, 12, 2), False, local(date(2026, 12, 2), 9)),
        (date(2026, 12, 2), True, local(date(2026, 12, 2), 13)),
    ]
    _run(db, settings, local(date(2026, 12, 3), 9))
    assert [(d, b) for d, b, *_ in _legs(db, rule_id)][-2:] == [
        (date(2026, 12, 4), False), (date(2026, 12, 4), True)]


def test_a_change_back_to_the_same_day_is_scheduled_again(
    db: Database, settings: Settings
) -> None:
    """Two changes of the time of the next day: the day's job (one key per day) is due at
    the last time chosen, never left dropped."""
    rule_id = _create(db, settings)
    _, place_id = _person(db)
    rules = RegularRules.from_settings(settings)
    for at in (time(9, 0), time(10, 0)):
        with db.session() as session:
            rule = session.get(RegularRide, rule_id)
            assert rule is not None
            regular.edit(session, rule_id=rule_id, expected_version=rule.version,
                         fields=_fields(place_id, at=at), now=CREATED_AT, rules=rules)
    with db.session() as session:
        job = session.scalars(select(ScheduledJob).where(
            ScheduledJob.key == f"regular_ride:{rule_id}:2026-12-04")).one()
    assert job.status == JobStatus.PENDING and job.due_at == local(date(2026, 12, 3), 10)
    _run(db, settings, local(date(2026, 12, 3), 10))
    assert _legs(db, rule_id)[-1][3] == local(date(2026, 12, 4), 10)


def test_an_ended_rule_cannot_be_changed(db: Database, settings: Settings) -> None:
    rule_id = _create(db, settings)
    _, place_id = _person(db)
    with db.session() as session:
        rule = session.get(RegularRide, rule_id)
        assert rule is not None
        regular.end(session, rule_id=rule_id, expected_version=rule.version, now=CREATED_AT)
        with pytest.raises(RegularRideError, match="已经停止"):
            regular.edit(session, rule_id=rule_id, expected_version=rule.version,
                         fields=_fields(place_id), now=CREATED_AT,
                         rules=RegularRules.from_settings(settings))


def test_a_return_is_never_made_or_kept_without_its_ride_there(
    db: Database, settings: Settings
) -> None:
    """Set up on Monday 10:00 for Mondays and Tuesdays, 8:00 there and 12:00 back: today's
    ride there has passed, so today gets no return either (nobody was taken there); nor
    when the scheduler runs again. A lone return left from before (booked without its
    ride there) is cancelled when the rule ends today."""
    monday, tuesday = date(2026, 11, 30), date(2026, 12, 1)
    rule_id = _create(db, settings, weekdays={1, 2}, back=time(12, 0))
    _run(db, settings, local(monday, 11))
    assert [(d, b) for d, b, *_ in _legs(db, rule_id)] == [(tuesday, False), (tuesday, True)]
    rules = RegularRules.from_settings(settings)
    with db.session() as session:
        rule = session.get(RegularRide, rule_id)
        assert rule is not None
        lone = regular._new_instance(session, rule, monday, status=RideStatus.DRAFT,
                                     now=CREATED_AT, back=True)
        ahead.book(session, lone, pickup_at=local(monday, 12), now=CREATED_AT,
                   rules=rules.booking)
        cancelled = regular.end(session, rule_id=rule_id, expected_version=rule.version,
                                now=CREATED_AT, last_day=monday)
        assert [(r.regular_day, r.regular_return) for r in cancelled] == [
            (tuesday, False), (tuesday, True), (monday, True)]
    assert {s for d, b, s, _ in _legs(db, rule_id)} == {RideStatus.CANCELLED}


def test_ending_now_still_brings_back_a_rider_taken_there_today(
    db: Database, settings: Settings
) -> None:
    """Set up on Monday at 7:00, 8:00 there and 12:00 back (today's pair made at once);
    ended at 10:00: today's return is kept (she was taken there)."""
    monday = date(2026, 11, 30)
    rule_id = _create(db, settings, weekdays={1}, back=time(12, 0), now=local(monday, 7))
    with db.session() as session:
        rule = session.get(RegularRide, rule_id)
        assert rule is not None
        cancelled = regular.end(session, rule_id=rule_id, expected_version=rule.version,
                                now=local(monday, 10))
        assert rule.status == RegularStatus.ENDED
    assert cancelled == []
    assert {(d, b): s for d, b, s, _ in _legs(db, rule_id)} == {
        (monday, False): RideStatus.SCHEDULED, (monday, True): RideStatus.SCHEDULED}


def test_the_pages_say_the_days_in_chinese_and_a_rule_ended_before_it_began_plainly(
    db: Database, settings: Settings
) -> None:
    """From Tuesday 12-01 to 2027-01-08 reads as the page's other days do; stopped on
    Monday before its first day (Tuesday's booking cancelled), it never rode."""
    rule_id = _create(db, settings, first_day=date(2026, 12, 1))
    with db.session() as session:
        rule = session.get(RegularRide, rule_id)
        assert rule is not None
        rule.last_day = date(2027, 1, 8)
        [entry] = regular.rule_list(session, now=CREATED_AT, person_id=rule.person_id)
        assert entry.span == "12月01日起，到2027年01月08日"
        regular.end(session, rule_id=rule_id, expected_version=rule.version, now=CREATED_AT)
        [entry] = regular.rule_list(session, now=CREATED_AT, person_id=rule.person_id)
    assert entry.span == "已停止，一次也没有用车"
