"""The elderly share's release (`elderly_release`): after the hospital's release moment the
unused slots kept for older phone callers are ordinary slots, for booking, for the HIS
(FHIR Slot pool) and in the console. Computed at `now`, with a controlled clock; SQLite and
PostgreSQL, the console and the admin form over HTTP (TestClient)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from app.core.db import Database
from app.hospital import appointments
from app.hospital import offers as appointment_offers
from app.hospital.enums import ClinicSession, ClinicType
from app.hospital.errors import BookingError
from app.hospital.fhir import search as fhir_search
from app.hospital.models import Department, Doctor, Hospital, Schedule, Slot
from app.hospital.rules import LOCAL_TZ, BookingRules
from app.people.enums import PhoneKind
from app.people.models import Person, PersonPhone
from app.people.resident_id import make_resident_id
from app.staff.enums import StaffRole
from support.app_client import AppClients, Clock
from support.demo import demo_data
from support.live_server import add_staff, csrf_from

TODAY = date(2026, 11, 30)  # Monday
TUESDAY = date(2026, 12, 1)
WEDNESDAY = date(2026, 12, 2)
CARDIO = "心血管内科"
# 市一院 releases the unused elderly share at noon the day before; phone booking for
# tomorrow stays open until 20:00, so a released slot can still be booked by phone.
RELEASE_RULES = {"elderly_release": "12:00 the day before", "next_day_close_time": "20:00"}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL_TZ).astimezone(UTC)


BEFORE, AFTER = at(TODAY, 11, 59), at(TODAY, 12, 0)


@pytest.fixture
def demo(db: Database) -> Database:
    demo_data(db, today=TODAY)
    with db.session() as session:
        first = session.scalars(select(Hospital).order_by(Hospital.id)).first()
        assert first is not None
        first.rules = {**first.rules, **RELEASE_RULES}
    return db


def _hospitals(db: Database) -> tuple[int, int]:
    with db.session() as session:
        ids = list(session.scalars(select(Hospital.id).order_by(Hospital.id)))
        return ids[0], ids[1]


def _young_person(db: Database) -> int:
    """A 36-year-old carer registered on the hotline, with a valid ID."""
    with db.session() as session:
        person = Person(
            full_name="李年轻", gender="M", birth_date=date(1990, 5, 1),
            id_number=make_resident_id("530102", date(1990, 5, 1), 991),
        )
        person.phones = [PersonPhone(number="+8613811112222", kind=PhoneKind.MOBILE)]
        session.add(person)
        session.flush()
        return person.id


def _cardio_session(db: Database, hospital_id: int, day: date) -> tuple[int, list[Slot]]:
    """The general cardiology morning session: (schedule id, its slots by time)."""
    with db.session() as session:
        schedule = session.scalars(
            select(Schedule.id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .where(
                Department.hospital_id == hospital_id, Department.name == CARDIO,
                Doctor.clinic_type == ClinicType.GENERAL, Schedule.day == day,
                Schedule.session == ClinicSession.AM,
            )
        ).one()
        slots = list(
            session.scalars(
                select(Slot).where(Slot.schedule_id == schedule).order_by(Slot.start_time)
            )
        )
        session.expunge_all()
        return schedule, slots


def _first_offer(db: Database, patient: int, hospital: int, day: date, now: datetime) -> time:
    with db.session() as session:
        offers = appointment_offers.find_offers(
            session, department=CARDIO, patient_id=patient, now=now, day=day,
            hospital_id=hospital, clinic_session=ClinicSession.AM,
            clinic_type=ClinicType.GENERAL, limit=1,
        )
    assert offers and not offers[0].reserved_for_elderly
    return offers[0].start_time


def test_the_rule_reads_and_releases_at_the_moment(demo: Database) -> None:
    rules = BookingRules.from_json(RELEASE_RULES)
    assert rules.elderly_release_moment(TUESDAY, "am") == datetime(
        2026, 11, 30, 12, 0, tzinfo=LOCAL_TZ
    )
    assert not rules.elderly_released(TUESDAY, "am", BEFORE)
    assert rules.elderly_released(TUESDAY, "pm", AFTER)
    assert not rules.elderly_released(WEDNESDAY, "am", AFTER)


def test_younger_callers_get_the_unused_elderly_share_after_the_release(demo: Database) -> None:
    ours, theirs = _hospitals(demo)
    young = _young_person(demo)
    _, slots = _cardio_session(demo, ours, TUESDAY)
    kept = [s for s in slots if s.reserved_for_elderly]
    assert [s.start_time for s in kept] == [time(8, 0), time(8, 20)]
    # Before noon: kept for older callers, neither offered nor bookable for a younger one.
    assert _first_offer(demo, young, ours, TUESDAY, BEFORE) == time(8, 40)
    with demo.session() as session, pytest.raises(BookingError) as refused:
        appointments.book(
            session, slot_id=kept[0].id, patient_id=young, now=BEFORE, booked_by_number=None
        )
    assert refused.value.code == "reserved_for_elderly"
    # From noon: ordinary slots, offered first by time and booked like any other. The
    # other hospital has no release rule and keeps its share.
    assert _first_offer(demo, young, ours, TUESDAY, AFTER) == time(8, 0)
    assert _first_offer(demo, young, theirs, TUESDAY, AFTER) == time(8, 40)
    with demo.session() as session:
        booked = appointments.book(
            session, slot_id=kept[0].id, patient_id=young, now=AFTER, booked_by_number=None
        )
        assert booked.day == TUESDAY
    # Wednesday's share is released only on Tuesday at noon.
    assert _first_offer(demo, young, ours, WEDNESDAY, AFTER) == time(8, 40)


def test_the_his_sees_released_slots_in_the_open_pool(demo: Database) -> None:
    ours, _ = _hospitals(demo)
    _, slots = _cardio_session(demo, ours, TUESDAY)
    kept_ids = {str(s.id) for s in slots if s.reserved_for_elderly}

    def pools(day: date, code: str | None, now: datetime) -> dict[str, str]:
        params = [("start", day.isoformat())]
        if code is not None:
            params.append(("service-type", code))
        with demo.session() as session:
            found = fhir_search.slots(session, ours, params, now)
        return {r["id"]: r["serviceType"][0]["coding"][0]["code"] for r in found}

    before = pools(TUESDAY, None, BEFORE)
    assert {before[i] for i in kept_ids} == {"elderly-phone"}
    after = pools(TUESDAY, None, AFTER)
    assert {after[i] for i in kept_ids} == {"open"}
    assert kept_ids <= set(pools(TUESDAY, "elderly-phone", BEFORE))
    assert pools(TUESDAY, "elderly-phone", AFTER) == {}
    assert kept_ids <= set(pools(TUESDAY, "open", AFTER))
    assert not kept_ids & set(pools(TUESDAY, "open", BEFORE))
    # Wednesday's share is still kept at that moment.
    assert "elderly-phone" in pools(WEDNESDAY, "elderly-phone", AFTER).values()


@pytest.fixture
def app(demo: Database) -> Iterator[AppClients]:
    ours, theirs = _hospitals(demo)
    add_staff(demo, "desk", StaffRole.HOSPITAL_STAFF, hospital_id=ours)
    add_staff(demo, "boss", StaffRole.HOSPITAL_ADMIN, hospital_id=ours)
    add_staff(demo, "boss.other", StaffRole.HOSPITAL_ADMIN, hospital_id=theirs)
    clients = AppClients(demo, Clock(BEFORE))
    yield clients
    clients.close()


def test_the_console_shows_when_the_share_is_released(demo: Database, app: AppClients) -> None:
    ours, _ = _hospitals(demo)
    schedule, _ = _cardio_session(demo, ours, TUESDAY)
    desk = app.client("desk")
    path = f"/hospital/{ours}?day={TUESDAY.isoformat()}"

    def cell(text: str) -> str:
        return text.split(f'id="elderly-{schedule}"', 1)[1].split("</td>", 1)[0]

    before = cell(desk.get(path).text)
    assert 'data-released="no"' in before
    assert "剩 2 / 2 个" in before and "11月30日 12:00 放开给所有人" in before
    app.clock.current = AFTER
    after = cell(desk.get(path).text)
    assert 'data-released="yes"' in after and "已放开" in after
    assert "2 个长者号已转为普通号" in after


def test_the_admin_sets_the_release_rule(demo: Database, app: AppClients) -> None:
    ours, theirs = _hospitals(demo)
    boss = app.client("boss")
    page = boss.get(f"/hospital/{ours}/admin")
    assert page.status_code == 200 and 'id="rule-elderly-release"' in page.text
    token = csrf_from(page.text)
    base = {
        "csrf_token": token, "booking_window_days": "7", "release_time": "15:00",
        "next_day_close_time": "20:00", "cancel_deadline_time": "16:00",
        "cancel_deadline_day": "working", "noshow_penalties": "1:30",
        "elderly_share_percent": "33", "onsite_share_percent": "0",
    }

    def rule() -> object:
        with demo.session() as session:
            hospital = session.get(Hospital, ours)
            assert hospital is not None
            return hospital.rules.get("elderly_release", "absent")

    path = f"/hospital/{ours}/admin/rules"
    done = boss.post(path, data={**base, "elderly_release": "days", "elderly_release_days": "2",
                                 "elderly_release_time": "17:30"})
    assert done.status_code == 303 and rule() == "17:30 2 days before"
    kept = boss.post(path, data=base)  # a form without the field keeps the rule
    assert kept.status_code == 303 and rule() == "17:30 2 days before"
    hours = boss.post(path, data={**base, "elderly_release": "hours",
                                  "elderly_release_hours": "4"})
    assert hours.status_code == 303 and rule() == "4 hours before"
    for bad, words in (
        ({"elderly_release": "hours", "elderly_release_hours": "0"}, "开诊前几小时"),
        ({"elderly_release": "days", "elderly_release_days": "9",
          "elderly_release_time": "17:00"}, "就诊前几天要在 1 到 7 之间"),
        ({"elderly_release": "days", "elderly_release_days": "1",
          "elderly_release_time": "5点"}, "长者号放开时间要写成 时:分"),
        ({"elderly_release": "sometimes"}, "长者号放开方式请选择"),
    ):
        refused = boss.post(path, data={**base, **bad})
        assert refused.status_code == 409 and words in refused.text, (bad, refused.text[-400:])
        assert rule() == "4 hours before"
    never = boss.post(path, data={**base, "elderly_release": "never"})
    assert never.status_code == 303 and rule() is None
    page = boss.get(f"/hospital/{ours}/admin")
    assert 'name="elderly_release" value="never" checked' in page.text
    # Another hospital's admin cannot change it; hospital staff neither.
    other = app.client("boss.other")
    other_token = csrf_from(other.get(f"/hospital/{theirs}/admin").text)
    assert other.post(
        path, data={**base, "csrf_token": other_token, "elderly_release": "hours",
                    "elderly_release_hours": "1"}
    ).status_code == 403
    desk = app.client("desk")
    desk_token = csrf_from(desk.get(f"/hospital/{ours}").text)
    assert desk.post(
        path, data={**base, "csrf_token": desk_token, "elderly_release": "hours",
                    "elderly_release_hours": "1"}
    ).status_code == 403
    assert rule() is None
