"""app.hospital.family_doctors on the real database (SQLite and PostgreSQL): signing,
booking from the family-doctor share, moving atomically, cancelling before the deadline,
and who may see what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from family_helpers import (
    CARDIO,
    DAUGHTER,
    LI,
    NOW,
    SON,
    TODAY,
    TUESDAY,
    WANG,
    WEDNESDAY,
    ZHANG,
    ZHANG_LANDLINE,
    at,
    hospital_ids,
    person_id,
    schedule_id,
    staff_id,
)
from sqlalchemy import func, select

from app.core.db import Database
from app.hospital import administration, appointments, family_doctors, schedules
from app.hospital.audit import AdminError
from app.hospital.enums import AppointmentStatus, ClinicSession
from app.hospital.errors import BookingError
from app.hospital.family_doctors import FamilyDoctorError
from app.hospital.models import Appointment, FamilyDoctorPatient, Slot
from app.hospital.offers import find_offers
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.people.audit import Actor
from app.people.erasure import erase_person
from app.people.models import Person
from app.staff import accounts
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from support.demo import demo_data


@pytest.fixture
def demo(db: Database) -> Database:
    demo_data(db, today=TODAY)
    return db


def _doctor(session, db: Database, username: str = "familydoc1") -> StaffUser:  # type: ignore[no-untyped-def]
    user = session.get(StaffUser, staff_id(db, username))
    assert user is not None
    return user


def _book(db: Database, number: str, schedule: int, *, username: str = "familydoc1") -> int:
    with db.session() as session:
        appointment = family_doctors.book_for(
            session,
            doctor=_doctor(session, db, username),
            person_id=person_id(db, number),
            schedule_id=schedule,
            now=NOW,
        )
        return appointment.id


def _messages(db: Database) -> list[tuple[str, str, str]]:
    with db.session() as session:
        return [
            (str(m.kind), m.to_number, m.body)
            for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def _count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Appointment.id))) or 0


def _second_doctor(db: Database, hospital_id: int) -> str:
    with db.session() as session:
        accounts.create_user(
            session,
            username="familydoc2",
            display_name="钱医生",
            password="correct-horse-battery",
            role=StaffRole.FAMILY_DOCTOR,
            hospital_id=hospital_id,
        )
    return "familydoc2"


def test_a_family_doctor_sees_their_signed_patients_masked(demo: Database) -> None:
    with demo.session() as session:
        patients = family_doctors.signed_patients(session, doctor=_doctor(session, demo), now=NOW)
        zhang = session.get(Person, person_id(demo, ZHANG))
        assert zhang is not None and zhang.id_number
        full_id = zhang.id_number
    assert [p.name for p in patients] == sorted(["张秀英", "李桂芳", "杨树林"])
    first = next(p for p in patients if p.name == "张秀英")
    assert first.phone_masked == "138****0001"
    assert first.id_masked.startswith(full_id[:6]) and full_id not in first.id_masked
    assert "*" in first.id_masked and first.id_masked.endswith(full_id[-4:])


def test_booking_for_a_signed_patient_takes_the_family_share_and_tells_the_family(
    demo: Database,
) -> None:
    ours, _ = hospital_ids(demo)
    schedule = schedule_id(demo, ours, TUESDAY)
    appointment_id = _book(demo, ZHANG, schedule)
    with demo.session() as session:
        appointment = session.get(Appointment, appointment_id)
        assert appointment is not None
        slot = session.get(Slot, appointment.slot_id)
        assert slot is not None and slot.reserved_for_family_doctor
        assert appointment.booked_by_staff_id == staff_id(demo, "familydoc1")
        assert appointment.status == AppointmentStatus.BOOKED
    sent = _messages(demo)
    # The patient's mobile and both family contacts get the booked text; the landline
    # nothing (she has a mobile).
    assert sorted(n for _, n, _ in sent) == sorted([ZHANG, DAUGHTER, SON])
    assert all(kind == OutboxKind.SMS for kind, _, _ in sent)
    assert all("挂号成功：张秀英" in body and CARDIO in body for _, _, body in sent)
    assert ZHANG_LANDLINE not in [n for _, n, _ in sent]


def test_a_patient_with_only_a_landline_gets_a_call(demo: Database) -> None:
    ours, _ = hospital_ids(demo)
    with demo.session() as session:
        for phone in session.get(Person, person_id(demo, LI)).phones:  # type: ignore[union-attr]
            phone.kind = "landline"  # type: ignore[assignment]
    _book(demo, LI, schedule_id(demo, ours, TUESDAY))
    sent = _messages(demo)
    calls = [n for kind, n, _ in sent if kind == OutboxKind.CALL]
    assert calls == [LI]
    assert [n for kind, n, _ in sent if kind == OutboxKind.SMS] == ["+8613900000004"]


def test_phone_callers_never_get_the_family_share_and_doctors_only_get_it(
    demo: Database,
) -> None:
    ours, _ = hospital_ids(demo)
    wang = person_id(demo, WANG)
    with demo.session() as session:
        offers = find_offers(
            session, department=CARDIO, patient_id=wang, now=NOW, hospital_id=ours, limit=200
        )
        assert offers
        family_slots = set(
            session.scalars(select(Slot.id).where(Slot.reserved_for_family_doctor.is_(True)))
        )
        assert family_slots
        assert not {o.slot_id for o in offers} & family_slots
        with pytest.raises(BookingError) as phone:
            appointments.book(
                session, slot_id=min(family_slots), patient_id=wang, now=NOW,
                booked_by_number=WANG,
            )
        assert phone.value.code == "slot_unavailable"
        with pytest.raises(BookingError) as doctor:
            appointments.book(
                session, slot_id=offers[0].slot_id, patient_id=person_id(demo, ZHANG), now=NOW,
                booked_by_number=None, family_doctor_id=staff_id(demo, "familydoc1"),
            )
        assert doctor.value.code == "slot_unavailable"


def test_refusals_patient_not_signed_pool_full_other_hospital(demo: Database) -> None:
    ours, theirs = hospital_ids(demo)
    schedule = schedule_id(demo, ours, TUESDAY)
    with pytest.raises(FamilyDoctorError) as not_signed:
        _book(demo, WANG, schedule)
    assert not_signed.value.not_found and "没有和您签约" in not_signed.value.message
    with pytest.raises(FamilyDoctorError) as foreign:
        _book(demo, ZHANG, schedule_id(demo, theirs, TUESDAY))
    assert foreign.value.not_found and "不属于本院" in foreign.value.message
    assert _count(demo) == 0
    _book(demo, ZHANG, schedule)  # the session's only family-doctor slot
    with pytest.raises(FamilyDoctorError) as full:
        _book(demo, LI, schedule)
    assert not full.value.not_found and "约满" in full.value.message
    assert _count(demo) == 1
    # The phone rules apply too: one booking per department and day.
    with pytest.raises(FamilyDoctorError) as twice:
        _book(demo, ZHANG, schedule_id(demo, ours, TUESDAY, nth=1))
    assert "同一天同一个科只能挂一个号" in twice.value.message


def test_open_sessions_are_the_bookable_days_of_the_own_hospital(demo: Database) -> None:
    ours, _ = hospital_ids(demo)
    with demo.session() as session:
        found = family_doctors.open_sessions(session, doctor=_doctor(session, demo), now=NOW)
    assert found and {s.day for s in found} <= {TUESDAY + timedelta(days=n) for n in range(5)}
    assert TODAY not in {s.day for s in found}
    assert all(s.left == 1 and s.total == 1 for s in found)
    taken = schedule_id(demo, ours, TUESDAY)
    _book(demo, ZHANG, taken)
    with demo.session() as session:
        after = family_doctors.open_sessions(
            session, doctor=_doctor(session, demo), now=NOW, department=CARDIO
        )
    assert taken not in {s.schedule_id for s in after}
    assert after and {s.department_name for s in after} == {CARDIO}


def test_move_rebooks_atomically_with_one_message(demo: Database) -> None:
    ours, _ = hospital_ids(demo)
    first = _book(demo, ZHANG, schedule_id(demo, ours, TUESDAY))
    target = schedule_id(demo, ours, WEDNESDAY, ClinicSession.PM)
    with demo.session() as session:
        before = len(_messages(demo))
        new = family_doctors.move(
            session, doctor=_doctor(session, demo), appointment_id=first, schedule_id=target,
            now=NOW,
        )
        new_id = new.id
    with demo.session() as session:
        old = session.get(Appointment, first)
        moved = session.get(Appointment, new_id)
        assert old is not None and moved is not None
        assert old.status == AppointmentStatus.CANCELLED and old.cancel_reason == "家庭医生改约"
        assert moved.status == AppointmentStatus.BOOKED and moved.day == WEDNESDAY
        assert moved.booked_by_staff_id == staff_id(demo, "familydoc1")
    new_messages = _messages(demo)[before:]
    assert sorted(n for _, n, _ in new_messages) == sorted([ZHANG, DAUGHTER, SON])
    bodies = {b for _, _, b in new_messages}
    assert len(bodies) == 1, bodies
    assert (
        "改约成功：张秀英原来12月1日 星期二 上午 10:00的号已取消，改为市一院 心血管内科，"
        "12月2日 星期三 下午 16:00" in bodies.pop()
    )


def test_a_refused_move_leaves_the_old_booking(demo: Database) -> None:
    ours, theirs = hospital_ids(demo)
    first = _book(demo, ZHANG, schedule_id(demo, ours, TUESDAY))
    full = schedule_id(demo, ours, WEDNESDAY)
    _book(demo, LI, full)
    before = _messages(demo)
    for target, expected in ((full, "约满"), (schedule_id(demo, theirs, WEDNESDAY), "不属于本院")):
        with demo.session() as session:
            with pytest.raises(FamilyDoctorError) as refused:
                family_doctors.move(
                    session, doctor=_doctor(session, demo), appointment_id=first,
                    schedule_id=target, now=NOW,
                )
            assert expected in refused.value.message
            session.commit()  # what the savepoint left is committed: nothing changed
    with demo.session() as session:
        old = session.get(Appointment, first)
        assert old is not None and old.status == AppointmentStatus.BOOKED
    assert _count(demo) == 2
    assert _messages(demo) == before


def test_cancel_before_the_deadline_and_not_after(demo: Database) -> None:
    ours, _ = hospital_ids(demo)
    tuesday = _book(demo, ZHANG, schedule_id(demo, ours, TUESDAY))
    wednesday = _book(demo, LI, schedule_id(demo, ours, WEDNESDAY))
    # Tuesday's deadline is Monday 16:00: at 16:01 it is too late.
    late = at(TODAY, 16, 1)
    with demo.session() as session:
        with pytest.raises(FamilyDoctorError) as refused:
            family_doctors.cancel_for(
                session, doctor=_doctor(session, demo), appointment_id=tuesday, now=late
            )
        assert "取消截止时间（11月30日16点）" in refused.value.message
        with pytest.raises(FamilyDoctorError):
            family_doctors.move(
                session, doctor=_doctor(session, demo), appointment_id=tuesday,
                schedule_id=schedule_id(demo, ours, WEDNESDAY, ClinicSession.PM), now=late,
            )
    with demo.session() as session:
        family_doctors.cancel_for(
            session, doctor=_doctor(session, demo), appointment_id=wednesday, now=late
        )
    with demo.session() as session:
        assert session.get(Appointment, tuesday).status == AppointmentStatus.BOOKED  # type: ignore[union-attr]
        cancelled = session.get(Appointment, wednesday)
        assert cancelled is not None and cancelled.status == AppointmentStatus.CANCELLED
        slot = session.get(Slot, cancelled.slot_id)
        assert slot is not None and str(slot.status) == "free"
    assert any("已取消挂号：李桂芳" in b for _, _, b in _messages(demo))


def test_another_family_doctor_sees_and_changes_nothing(demo: Database) -> None:
    ours, _ = hospital_ids(demo)
    booked = _book(demo, ZHANG, schedule_id(demo, ours, TUESDAY))
    other = _second_doctor(demo, ours)
    with demo.session() as session:
        doctor = _doctor(session, demo, other)
        assert family_doctors.signed_patients(session, doctor=doctor, now=NOW) == []
        for call in (
            lambda: family_doctors.cancel_for(
                session, doctor=doctor, appointment_id=booked, now=NOW
            ),
            lambda: family_doctors.move(
                session, doctor=doctor, appointment_id=booked,
                schedule_id=schedule_id(demo, ours, WEDNESDAY), now=NOW,
            ),
            lambda: family_doctors.book_for(
                session, doctor=doctor, person_id=person_id(demo, ZHANG),
                schedule_id=schedule_id(demo, ours, WEDNESDAY), now=NOW,
            ),
        ):
            with pytest.raises(FamilyDoctorError) as refused:
                call()
            assert refused.value.not_found
    with demo.session() as session:
        assert session.get(Appointment, booked).status == AppointmentStatus.BOOKED  # type: ignore[union-attr]


def test_signing_one_family_doctor_at_a_time_within_the_hospital(demo: Database) -> None:
    ours, theirs = hospital_ids(demo)
    other = _second_doctor(demo, ours)
    with demo.session() as session:
        wang = session.get(Person, person_id(demo, WANG))
        assert wang is not None and wang.id_number
        wang_id = wang.id_number
        link = family_doctors.sign(
            session, hospital_id=ours, doctor_id=staff_id(demo, other), id_number=wang_id,
            started_on=TODAY, actor_id=None, now=NOW,
        )
        link_id = link.id
    with demo.session() as session:
        with pytest.raises(FamilyDoctorError) as second:
            family_doctors.sign(
                session, hospital_id=ours, doctor_id=staff_id(demo, "familydoc1"),
                id_number=wang_id, started_on=TODAY, actor_id=None, now=NOW,
            )
        assert "只能签一位家庭医生" in second.value.message
        with pytest.raises(FamilyDoctorError) as foreign:
            family_doctors.sign(
                session, hospital_id=theirs, doctor_id=staff_id(demo, other),
                id_number=wang_id, started_on=TODAY, actor_id=None, now=NOW,
            )
        assert foreign.value.not_found
        with pytest.raises(FamilyDoctorError) as foreign_link:
            family_doctors.end(session, hospital_id=theirs, link_id=link_id, actor_id=None, now=NOW)
        assert foreign_link.value.not_found
        with pytest.raises(FamilyDoctorError) as unknown:
            family_doctors.sign(
                session, hospital_id=ours, doctor_id=staff_id(demo, other),
                id_number="11010519491231002X", started_on=TODAY, actor_id=None, now=NOW,
            )
        assert "还没有登记" in unknown.value.message
    with demo.session() as session:
        family_doctors.end(session, hospital_id=ours, link_id=link_id, actor_id=None, now=NOW)
    with demo.session() as session:
        family_doctors.sign(
            session, hospital_id=ours, doctor_id=staff_id(demo, "familydoc1"),
            id_number=wang_id, started_on=TODAY, actor_id=None, now=NOW,
        )
    with demo.session() as session:
        links = session.scalars(
            select(FamilyDoctorPatient).where(FamilyDoctorPatient.person_id == wang.id)
        ).all()
        assert sorted((link.ended_on is None) for link in links) == [False, True]


def test_generated_sessions_keep_the_family_doctor_share(demo: Database) -> None:
    ours, _ = hospital_ids(demo)
    form = {
        "booking_window_days": "7",
        "release_time": "15:00",
        "next_day_close_time": "",
        "cancel_deadline_time": "16:00",
        "cancel_deadline_day": "working",
        "noshow_penalties": "1:30",
        "elderly_share_percent": "25",
        "onsite_share_percent": "25",
        "family_doctor_share_percent": "50",
    }
    with demo.session() as session:
        administration.update_rules(session, hospital_id=ours, form=form, actor_id=None, now=NOW)
        department = administration.add_department(
            session, hospital_id=ours, name="皮肤科", display_name="", actor_id=None, now=NOW
        )
        doctor = administration.add_doctor(
            session, hospital_id=ours, department_id=department.id, name="和医生",
            title="主任医师", clinic_type="general", fee_yuan=10, actor_id=None, now=NOW,
        )
        schedules.add_template(
            session, hospital_id=ours, doctor_id=doctor.id, weekday=1,
            clinic_session=ClinicSession.AM, capacity=4, actor_id=None, now=NOW,
        )
    with demo.session() as session:
        pools = session.execute(
            select(Slot.reserved_for_elderly, Slot.reserved_for_onsite,
                   Slot.reserved_for_family_doctor)
            .where(Slot.schedule_id == schedule_id(demo, ours, TUESDAY, department="皮肤科"))
            .order_by(Slot.start_time)
        ).all()
    assert [tuple(p) for p in pools] == [
        (True, False, False), (False, True, False), (False, False, True), (False, False, True)
    ]
    with demo.session() as session:
        with pytest.raises(AdminError) as too_much:
            administration.update_rules(
                session, hospital_id=ours, form={**form, "family_doctor_share_percent": "60"},
                actor_id=None, now=NOW,
            )
        assert "不能超过 100%" in too_much.value.message


def test_erasing_a_person_removes_their_signing(demo: Database) -> None:
    yang = person_id(demo, "+8613800000006")  # 杨树林: signed, nothing booked
    with demo.session() as session:
        erase_person(session, person_id=yang, changed_by=Actor("社区"), today=TODAY, now=NOW)
    with demo.session() as session:
        assert session.scalars(
            select(FamilyDoctorPatient).where(FamilyDoctorPatient.person_id == yang)
        ).all() == []
        names = [
            p.name
            for p in family_doctors.signed_patients(session, doctor=_doctor(session, demo), now=NOW)
        ]
    assert sorted(names) == sorted(["张秀英", "李桂芳"])
