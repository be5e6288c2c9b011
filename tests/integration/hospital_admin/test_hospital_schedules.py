"""Hospital administration services on SQLite and PostgreSQL: generation from weekly
templates, idempotence, one-off changes, the calendar, pools, and refused bad input."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, tzinfo

import pytest
from admin_helpers import (
    DERMA,
    NOW,
    TOMORROW,
    WANG,
    ZHANG,
    a_doctor_of,
    doctor_schedules,
    person_id,
    set_up_clinic,
)
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import app as ivr
from app.consoles.auth import can_access_hospital
from app.core.config import Settings
from app.core.db import Database
from app.hospital import administration, appointments, desk, holidays, schedules
from app.hospital import cli as hospital_cli
from app.hospital.audit import AdminError, AdminNotFound
from app.hospital.enums import AppointmentStatus, ClinicSession, ScheduleStatus
from app.hospital.errors import BookingError
from app.hospital.models import Appointment, Hospital, HospitalAudit, Schedule, Slot
from app.hospital.offers import find_offers
from app.hospital.rules import BookingRules, calendar_gap
from app.staff.accounts import StaffUserError, create_user
from app.staff.enums import StaffRole
from app.taxi import regular
from app.taxi.models import RegularRide

RULES_FORM = {
    "booking_window_days": "7",
    "release_time": "15:00",
    "next_day_close_time": "",
    "cancel_deadline_time": "16:00",
    "cancel_deadline_day": "working",
    "noshow_penalties": "1:30, 2:60, 3:90",
    "elderly_share_percent": "33",
    "onsite_share_percent": "0",
}


def _book_first(db: Database, number: str, doctor_id: int, day: date = TOMORROW) -> int:
    """A phone booking through the booking service, in the first free slot offered."""
    with db.session() as session:
        patient = person_id(db, number)
        offers = [
            o
            for o in find_offers(session, department=DERMA, patient_id=patient, now=NOW, limit=20)
            if o.day == day
        ]
        assert offers, "no offer for the new doctor"
        return appointments.book(
            session,
            slot_id=offers[0].slot_id,
            patient_id=patient,
            now=NOW,
            booked_by_number=number,
        ).id


def _schedule_id(db: Database, doctor_id: int, day: date) -> int:
    with db.session() as session:
        return session.scalars(
            select(Schedule.id).where(Schedule.doctor_id == doctor_id, Schedule.day == day)
        ).one()


def test_a_template_generates_the_window_once(clinic: int, demo: Database) -> None:
    doctor_id, _ = set_up_clinic(demo, clinic, weekday=1, capacity=6)
    # The window at Monday 10:00 with 7 days: Dec 1 .. Dec 7; one Tuesday in it.
    assert doctor_schedules(demo, doctor_id) == [(TOMORROW, "active", 6)]
    with demo.session() as session:
        pools = session.execute(
            select(Slot.reserved_for_elderly, Slot.reserved_for_onsite, Slot.start_time)
            .join(Schedule)
            .where(Schedule.doctor_id == doctor_id)
            .order_by(Slot.start_time)
        ).all()
    assert [p[0] for p in pools] == [True, True, False, False, False, False]  # 33% of 6
    assert [f"{p[2]:%H:%M}" for p in pools] == [
        "08:00",
        "08:40",
        "09:20",
        "10:00",
        "10:40",
        "11:20",
    ]
    with demo.session() as session:
        again = schedules.generate(session, hospital_id=clinic, actor_id=None, now=NOW)
    assert (again.created, again.resized, again.withdrawn) == (0, 0, 0)
    assert doctor_schedules(demo, doctor_id) == [(TOMORROW, "active", 6)]
    # A week later the window holds the next Tuesday too; the first is not made twice.
    with demo.session() as session:
        later = schedules.generate(
            session, hospital_id=clinic, actor_id=None, now=NOW + timedelta(days=7)
        )
    assert later.created == 1
    assert [row[0] for row in doctor_schedules(demo, doctor_id)] == [
        TOMORROW,
        TOMORROW + timedelta(days=7),
    ]


def test_the_new_doctor_is_offered_and_booked_by_phone(clinic: int, demo: Database) -> None:
    doctor_id, _ = set_up_clinic(demo, clinic)
    appointment_id = _book_first(demo, ZHANG, doctor_id)
    with demo.session() as session:
        appointment = session.get(Appointment, appointment_id)
        assert appointment is not None and appointment.status == AppointmentStatus.BOOKED
        assert appointment.day == TOMORROW and appointment.department_name == DERMA


def test_overlapping_template_is_refused(clinic: int, demo: Database) -> None:
    doctor_id, _ = set_up_clinic(demo, clinic, weekday=1)
    with demo.session() as session, pytest.raises(AdminError) as err:
        schedules.add_template(
            session,
            hospital_id=clinic,
            doctor_id=doctor_id,
            weekday=1,
            clinic_session=ClinicSession.AM,
            capacity=3,
            actor_id=None,
            now=NOW,
        )
    assert "排班重叠" in err.value.message and "星期二上午" in err.value.message
    # The afternoon of the same day is another session: fine.
    with demo.session() as session:
        schedules.add_template(
            session,
            hospital_id=clinic,
            doctor_id=doctor_id,
            weekday=1,
            clinic_session=ClinicSession.PM,
            capacity=3,
            actor_id=None,
            now=NOW,
        )
    assert len(doctor_schedules(demo, doctor_id)) == 2


@pytest.mark.parametrize("capacity", [0, 201])
def test_capacity_out_of_range_is_refused(clinic: int, demo: Database, capacity: int) -> None:
    doctor_id, _ = set_up_clinic(demo, clinic)
    with demo.session() as session, pytest.raises(AdminError, match="1 到 200"):
        schedules.add_template(
            session,
            hospital_id=clinic,
            doctor_id=doctor_id,
            weekday=2,
            clinic_session=ClinicSession.AM,
            capacity=capacity,
            actor_id=None,
            now=NOW,
        )


def test_capacity_below_bookings_is_refused_and_above_keeps_them(
    clinic: int, demo: Database
) -> None:
    doctor_id, template_id = set_up_clinic(demo, clinic, capacity=6)
    booked = [_book_first(demo, ZHANG, doctor_id), _book_first(demo, WANG, doctor_id)]
    with demo.session() as session, pytest.raises(AdminError) as err:
        schedules.change_template_capacity(
            session,
            hospital_id=clinic,
            template_id=template_id,
            capacity=1,
            actor_id=None,
            now=NOW,
        )
    assert "号源数不能少于已预约人数" in err.value.message and "已有 2 人预约" in err.value.message
    assert doctor_schedules(demo, doctor_id) == [(TOMORROW, "active", 6)]
    with demo.session() as session:
        schedules.change_template_capacity(
            session,
            hospital_id=clinic,
            template_id=template_id,
            capacity=2,
            actor_id=None,
            now=NOW,
        )
    assert doctor_schedules(demo, doctor_id) == [(TOMORROW, "active", 2)]
    with demo.session() as session:
        statuses = session.scalars(select(Appointment.status).where(Appointment.id.in_(booked)))
        assert set(statuses) == {AppointmentStatus.BOOKED}
        schedules.change_template_capacity(
            session,
            hospital_id=clinic,
            template_id=template_id,
            capacity=8,
            actor_id=None,
            now=NOW,
        )
    assert doctor_schedules(demo, doctor_id) == [(TOMORROW, "active", 8)]


def test_removing_a_template_lists_booked_sessions_and_drops_empty_ones(
    clinic: int, demo: Database
) -> None:
    doctor_id, tuesday = set_up_clinic(demo, clinic, weekday=1)
    with demo.session() as session:
        wednesday = schedules.add_template(
            session,
            hospital_id=clinic,
            doctor_id=doctor_id,
            weekday=2,
            clinic_session=ClinicSession.AM,
            capacity=4,
            actor_id=None,
            now=NOW,
        ).id
    _book_first(demo, ZHANG, doctor_id)
    with demo.session() as session:
        result = schedules.remove_template(
            session, hospital_id=clinic, template_id=tuesday, actor_id=None, now=NOW
        )
    assert [(c.day, c.booked) for c in result.conflicts] == [(TOMORROW, 1)]
    with demo.session() as session:
        result = schedules.remove_template(
            session, hospital_id=clinic, template_id=wednesday, actor_id=None, now=NOW
        )
    assert result.withdrawn == 1
    # The booked Tuesday stays (nothing dropped silently); the empty Wednesday is gone.
    assert doctor_schedules(demo, doctor_id) == [(TOMORROW, "active", 6)]
    conflict = result.conflicts[0]
    with demo.session() as session:
        schedules.keep_session(
            session, hospital_id=clinic, schedule_id=conflict.schedule_id, actor_id=None, now=NOW
        )
    with demo.session() as session:
        assert schedules.conflicts(session, hospital_id=clinic, now=NOW) == []


def test_closing_a_day_lists_its_bookings_until_stopped_with_notice(
    clinic: int, demo: Database
) -> None:
    doctor_id, _ = set_up_clinic(demo, clinic)
    appointment_id = _book_first(demo, ZHANG, doctor_id)
    with demo.session() as session:
        result = administration.set_calendar_day(
            session, hospital_id=clinic, day=TOMORROW, kind="closed", actor_id=None, now=NOW
        )
    assert [(c.day, c.reason) for c in result.conflicts] == [(TOMORROW, "本院这天休息")]
    with demo.session() as session:
        hospital = session.get(Hospital, clinic)
        assert hospital is not None
        assert BookingRules.from_json(hospital.rules).is_closed(TOMORROW)
        # The phone cannot book the closed day any more.
        assert find_offers(session, department=DERMA, patient_id=None, now=NOW) == []
        desk.stop_session(
            session,
            schedule_id=result.conflicts[0].schedule_id,
            now=NOW,
            reason="医院临时休息",
            hospital_id=clinic,
        )
    with demo.session() as session:
        appointment = session.get(Appointment, appointment_id)
        assert appointment is not None and appointment.status == AppointmentStatus.CANCELLED
        assert schedules.conflicts(session, hospital_id=clinic, now=NOW) == []


def test_doctor_away_withdraws_and_coming_back_restores(clinic: int, demo: Database) -> None:
    doctor_id, _ = set_up_clinic(demo, clinic)
    with demo.session() as session:
        away = schedules.add_change(
            session,
            hospital_id=clinic,
            kind="doctor_away",
            day=TOMORROW,
            doctor_id=doctor_id,
            clinic_session=None,
            capacity=None,
            note="外出开会",
            actor_id=None,
            now=NOW,
        ).id
    assert doctor_schedules(demo, doctor_id) == []
    with demo.session() as session:
        schedules.remove_change(session, hospital_id=clinic, change_id=away, actor_id=None, now=NOW)
    assert doctor_schedules(demo, doctor_id) == [(TOMORROW, "active", 6)]


def test_extra_session_and_its_refusals(clinic: int, demo: Database) -> None:
    doctor_id, _ = set_up_clinic(demo, clinic)
    thursday, sunday = date(2026, 12, 3), date(2026, 12, 6)
    with demo.session() as session:
        schedules.add_change(
            session,
            hospital_id=clinic,
            kind="extra_session",
            day=thursday,
            doctor_id=doctor_id,
            clinic_session=ClinicSession.PM,
            capacity=4,
            note="",
            actor_id=None,
            now=NOW,
        )
    assert doctor_schedules(demo, doctor_id) == [(TOMORROW, "active", 6), (thursday, "active", 4)]
    cases = [
        (TOMORROW, ClinicSession.AM, "排班重叠"),
        (sunday, ClinicSession.AM, "本院休息"),
        (NOW.date(), ClinicSession.PM, "明天及以后"),
    ]
    for day, clinic_session, message in cases:
        with demo.session() as session, pytest.raises(AdminError, match=re.escape(message)):
            schedules.add_change(
                session,
                hospital_id=clinic,
                kind="extra_session",
                day=day,
                doctor_id=doctor_id,
                clinic_session=clinic_session,
                capacity=4,
                note="",
                actor_id=None,
                now=NOW,
            )
    # A working Sunday entered by the hospital opens the day for an extra session.
    with demo.session() as session:
        administration.set_calendar_day(
            session, hospital_id=clinic, day=sunday, kind="working", actor_id=None, now=NOW
        )
        schedules.add_change(
            session,
            hospital_id=clinic,
            kind="extra_session",
            day=sunday,
            doctor_id=doctor_id,
            clinic_session=ClinicSession.AM,
            capacity=2,
            note="义诊",
            actor_id=None,
            now=NOW,
        )
    assert (sunday, "active", 2) in doctor_schedules(demo, doctor_id)


def test_rules_shares_over_100_percent_and_bad_values_are_refused(
    clinic: int, demo: Database
) -> None:
    bad = [
        ({"elderly_share_percent": "60", "onsite_share_percent": "50"}, "60% + 50% = 110%"),
        ({"elderly_share_percent": "120"}, "0 到 100"),
        ({"booking_window_days": "abc"}, "整数"),
        ({"release_time": "25:00"}, "时:分"),
        ({"noshow_penalties": "once"}, "次数:停约天数"),
    ]
    for change, message in bad:
        with demo.session() as session, pytest.raises(AdminError, match=re.escape(message)):
            administration.update_rules(
                session, hospital_id=clinic, form={**RULES_FORM, **change}, actor_id=None, now=NOW
            )
    with demo.session() as session:
        rules = administration.update_rules(
            session,
            hospital_id=clinic,
            form={
                **RULES_FORM,
                "onsite_share_percent": "50",
                "booking_window_days": "14",
                "cancel_deadline_day": "calendar",
            },
            actor_id=None,
            now=NOW,
        )
    assert rules.onsite_share_percent == 50 and rules.booking_window_days == 14
    assert not rules.cancel_deadline_working_day


def test_onsite_share_is_never_booked_by_phone(clinic: int, demo: Database) -> None:
    with demo.session() as session:
        administration.update_rules(
            session,
            hospital_id=clinic,
            form={**RULES_FORM, "elderly_share_percent": "0", "onsite_share_percent": "50"},
            actor_id=None,
            now=NOW,
        )
    doctor_id, _ = set_up_clinic(demo, clinic, capacity=4)
    with demo.session() as session:
        onsite = session.scalars(
            select(Slot.id)
            .join(Schedule)
            .where(Schedule.doctor_id == doctor_id, Slot.reserved_for_onsite.is_(True))
        ).all()
        assert len(onsite) == 2
        offered = {
            o.slot_id
            for o in find_offers(session, department=DERMA, patient_id=None, now=NOW, limit=10)
        }
        assert offered and not offered & set(onsite)
        with pytest.raises(BookingError) as err:
            appointments.book(
                session,
                slot_id=onsite[0],
                patient_id=person_id(demo, ZHANG),
                now=NOW,
                booked_by_number=ZHANG,
            )
        assert err.value.code == "slot_unavailable"


def test_another_hospitals_ids_are_not_found(clinic: int, demo: Database) -> None:
    set_up_clinic(demo, clinic)
    with demo.session() as session:
        other = session.scalars(select(Hospital.id).where(Hospital.id != clinic)).first()
    assert other is not None
    foreign_doctor = a_doctor_of(demo, other)
    with demo.session() as session, pytest.raises(AdminNotFound):
        schedules.add_template(
            session,
            hospital_id=clinic,
            doctor_id=foreign_doctor,
            weekday=3,
            clinic_session=ClinicSession.AM,
            capacity=3,
            actor_id=None,
            now=NOW,
        )
    with demo.session() as session, pytest.raises(AdminError, match="标准科室目录"):
        administration.add_department(
            session, hospital_id=clinic, name="美容科", display_name="", actor_id=None, now=NOW
        )


def test_every_change_is_audited(clinic: int, demo: Database) -> None:
    set_up_clinic(demo, clinic)
    with demo.session() as session:
        actions = session.scalars(
            select(HospitalAudit.action)
            .where(HospitalAudit.hospital_id == clinic)
            .order_by(HospitalAudit.id)
        ).all()
        assert actions == ["department_added", "doctor_added", "template_added"]
        assert (
            session.scalar(
                select(func.count(Schedule.id)).where(Schedule.status == ScheduleStatus.STOPPED)
            )
            == 0
        )


def test_calendar_gap_is_the_first_day_without_holiday_data() -> None:
    assert calendar_gap(date(2026, 12, 1), date(2026, 12, 31)) is None
    assert calendar_gap(date(2026, 12, 28), date(2027, 1, 4)) == date(2027, 1, 1)


@pytest.fixture
def entered_days() -> Iterator[None]:
    """The rules read the days entered in this test only while it runs."""
    yield
    holidays.forget()


def test_holidays_entered_once_close_every_hospital_and_skip_regular_rides(
    demo: Database, entered_days: None
) -> None:
    """2027 is not in the package. A service admin enters a (test) 春节 week and a 调休
    Sunday once: every hospital's rules and the regular rides follow; a hospital's own
    calendar entry still wins; a year the package covers is refused."""
    monday, sunday, tuesday_after = date(2027, 2, 8), date(2027, 2, 7), date(2027, 2, 16)
    plain = BookingRules.from_json({})
    assert not plain.is_closed(monday) and plain.is_closed(sunday)  # the plain week
    assert calendar_gap(date(2027, 1, 1), date(2027, 12, 31)) == date(2027, 1, 1)
    with demo.session() as session:
        assert holidays.set_days(session, first=monday, last=monday + timedelta(days=4),
                                 kind="holiday", name="春节", actor_id=None, now=NOW) == 5
        holidays.set_days(session, first=sunday, last=None, kind="workday", name="春节",
                          actor_id=None, now=NOW)
        with pytest.raises(holidays.HolidayError, match="国家日历"):
            holidays.set_days(session, first=date(2026, 10, 1), last=None, kind="holiday",
                              name="国庆节", actor_id=None, now=NOW)
        # A 调休 working day is a Saturday or Sunday; a day is entered once.
        with pytest.raises(holidays.HolidayError,
                           match=r"星期六或星期日；2月19日（星期五）本来就是工作日"):
            holidays.set_days(session, first=date(2027, 2, 19), last=date(2027, 2, 20),
                              kind="workday", name="春节", actor_id=None, now=NOW)
        with pytest.raises(holidays.HolidayError, match=r"2月12日（星期五）已经录入过了"):
            holidays.set_days(session, first=date(2027, 2, 12), last=date(2027, 2, 13),
                              kind="holiday", name="元旦", actor_id=None, now=NOW)
    holidays.forget()  # as another process: it reads the table
    holidays.watch(demo)
    assert plain.is_closed(monday) and plain.is_closed(monday + timedelta(days=4))
    assert not plain.is_closed(sunday) and not plain.is_closed(tuesday_after)
    assert calendar_gap(date(2027, 1, 1), date(2027, 12, 31)) is None
    # "16:00 the working day before" a visit on Monday 15 Feb: back over the holiday week
    # and its weekend to the 调休 Sunday.
    assert plain.cancel_deadline(date(2027, 2, 15)).date() == sunday
    own = BookingRules.from_json({"working_days": [monday.isoformat()]})
    assert not own.is_closed(monday)  # the hospital's own entry wins for that hospital
    rule = RegularRide(weekdays="1,2", first_day=date(2027, 1, 1), last_day=None,
                       skip_holidays=True)
    assert not regular.runs_on(rule, monday) and regular.runs_on(rule, tuesday_after)


def test_a_hospital_admin_is_bound_to_exactly_one_hospital(clinic: int, demo: Database) -> None:
    with (
        demo.session() as session,
        pytest.raises(StaffUserError, match="医院管理员必须属于一家医院"),
    ):
        create_user(
            session,
            username="noone",
            display_name="无医院",
            password="correct-horse-battery",
            role=StaffRole.HOSPITAL_ADMIN,
        )
    with demo.session() as session:
        admin = create_user(
            session,
            username="office.he",
            display_name="何主任",
            password="correct-horse-battery",
            role=StaffRole.HOSPITAL_ADMIN,
            hospital_id=clinic,
        )
        assert can_access_hospital(admin, clinic)
        assert not can_access_hospital(admin, clinic + 1)


def test_the_daily_command_moves_the_window_for_every_hospital_with_templates(
    clinic: int, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    doctor_id, _ = set_up_clinic(demo, clinic)
    settings = Settings(database_url=demo.url, secret_key="x" * 40)
    monkeypatch.setattr(hospital_cli, "get_settings", lambda: settings)
    monkeypatch.setattr(hospital_cli, "datetime", _FrozenDatetime)
    result = CliRunner().invoke(ivr, ["schedules", "generate"])
    assert result.exit_code == 0, result.output
    # Only the new hospital has templates; a week on, its next Tuesday is made, once.
    assert result.output.strip() == "云南省第一人: created 1, resized 0, withdrawn 0, to decide 0"
    again = CliRunner().invoke(ivr, ["schedules", "generate"])
    assert "created 0" in again.output
    assert [row[0] for row in doctor_schedules(demo, doctor_id)] == [
        TOMORROW,
        TOMORROW + timedelta(days=7),
    ]
    with demo.session() as session:
        who = session.scalars(
            select(HospitalAudit.staff_user_id).where(HospitalAudit.action == "sessions_generated")
        ).all()
    assert who == [None, None]  # the system, not a person


class _FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _FrozenDatetime:
        moment = NOW + timedelta(days=7)
        return cls.fromtimestamp(moment.timestamp(), tz)
