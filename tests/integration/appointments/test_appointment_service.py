"""app.hospital.appointments on the real database (SQLite and PostgreSQL).

Demo data is loaded with schedules from Monday 2026-11-30; NOW is that Monday 10:00 in
Kunming, so before the 15:00 release the bookable days are Tue 1 .. Sat 5 December.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import event, func, select

from app.core.db import Database
from app.hospital import appointments, patients
from app.hospital import offers as appointment_offers
from app.hospital import upcoming as upcoming_appointments
from app.hospital.enums import (
    AppointmentStatus,
    ClinicSession,
    ClinicType,
    ScheduleStatus,
    SlotStatus,
)
from app.hospital.errors import BookingError
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.hospital.rules import LOCAL_TZ
from app.notify.models import OutboxMessage
from app.people.enums import PhoneKind
from app.people.models import FamilyContact, Person, PersonPhone
from app.people.resident_id import make_resident_id
from support.demo import demo_data

TODAY = date(2026, 11, 30)  # Monday
CARDIO = "心血管内科"
ZHANG = "+8613800000001"  # 张秀英, 80, two family contacts (女儿 李梅, 儿子 李强)
ZHANG_LANDLINE = "+868715550101"
DAUGHTER = "+8613900000001"
WANG = "+8613800000002"  # 王建国, 76
SUN = "+8613800000009"  # 孙美华: no ID number on file


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL_TZ).astimezone(UTC)


NOW = at(TODAY, 10)


def d(day: int) -> date:
    return date(2026, 12, day)


@pytest.fixture
def demo(db: Database) -> Database:
    demo_data(db, today=TODAY)
    return db


def _person(db: Database, number: str) -> int:
    with db.session() as session:
        return session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == number)
        ).one()


def _hospital(db: Database, short_name: str) -> int:
    with db.session() as session:
        return session.scalars(select(Hospital.id).where(Hospital.short_name == short_name)).one()


def _young_person(db: Database) -> int:
    """A 36-year-old (a carer registered on the hotline), with a valid ID."""
    with db.session() as session:
        person = Person(
            full_name="李年轻", gender="M", birth_date=date(1990, 5, 1),
            id_number=make_resident_id("530102", date(1990, 5, 1), 991),
        )
        person.phones = [PersonPhone(number="+8613811112222", kind=PhoneKind.MOBILE)]
        session.add(person)
        session.flush()
        return person.id


def _slot(
    db: Database,
    *,
    day: date,
    start: time = time(8, 0),
    clinic: ClinicType = ClinicType.GENERAL,
    hospital: str = "市一院",
    department: str = CARDIO,
) -> int:
    with db.session() as session:
        return session.scalars(
            select(Slot.id)
            .join(Schedule, Slot.schedule_id == Schedule.id)
            .join(Doctor, Schedule.doctor_id == Doctor.id)
            .join(Department, Doctor.department_id == Department.id)
            .join(Hospital, Department.hospital_id == Hospital.id)
            .where(
                Schedule.day == day, Slot.start_time == start, Doctor.clinic_type == clinic,
                Hospital.short_name == hospital, Department.name == department,
            )
        ).one()


def _book(db: Database, slot_id: int, patient_id: int, *, now: datetime = NOW,
          number: str | None = ZHANG, contact_id: int | None = None) -> int:
    with db.session() as session:
        appointment = appointments.book(
            session, slot_id=slot_id, patient_id=patient_id, now=now,
            booked_by_number=number, booked_by_contact_id=contact_id,
        )
        return appointment.id


def _sms(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _offers(db: Database, patient_id: int | None, **kw: object) -> list[appointment_offers.Offer]:
    with db.session() as session:
        return appointment_offers.find_offers(
            session, department=CARDIO, patient_id=patient_id, now=kw.pop("now", NOW),  # type: ignore[arg-type]
            **kw,  # type: ignore[arg-type]
        )


# --- offers -------------------------------------------------------------------------------


def test_offers_run_from_tomorrow_to_the_window_edge_before_the_release_time(
    demo: Database,
) -> None:
    offers = _offers(demo, _person(demo, ZHANG), limit=1000)
    assert {o.day for o in offers} == {d(1), d(2), d(3), d(4), d(5)}
    first = offers[0]
    assert (first.day, first.session, first.start_time) == (d(1), ClinicSession.AM, time(8))
    assert first.hospital == "市一院" and first.department == CARDIO
    assert first.clinic_type == ClinicType.GENERAL and first.fee_yuan == 10
    assert first.reserved_for_elderly
    assert first.spoken.startswith("市一院 心血管内科，12月1日 星期二 上午 8点，")
    assert first.cancel_deadline == datetime(2026, 11, 30, 16, 0, tzinfo=LOCAL_TZ)


def test_after_the_release_time_the_new_day_is_offered_and_tomorrow_is_not(
    demo: Database,
) -> None:
    offers = _offers(demo, _person(demo, ZHANG), now=at(TODAY, 15, 30), limit=1000)
    assert {o.day for o in offers} == {d(2), d(3), d(4), d(5), d(7)}


def test_a_closed_day_is_not_offered_even_if_a_schedule_exists(demo: Database) -> None:
    with demo.session() as session:  # a stray Sunday schedule, e.g. imported by mistake
        doctor = session.scalars(
            select(Doctor).join(Department).where(Department.name == CARDIO)
        ).first()
        assert doctor is not None
        schedule = Schedule(doctor_id=doctor.id, day=d(6), session=ClinicSession.AM)
        session.add(schedule)
        session.flush()
        session.add(Slot(schedule_id=schedule.id, start_time=time(8)))
    assert _offers(demo, None, day=d(6)) == []
    assert _offers(demo, None, day=d(8)) == []  # beyond the window


def test_elderly_slots_are_offered_to_older_patients_first(demo: Database) -> None:
    offers = _offers(demo, _person(demo, ZHANG), day=d(2), limit=5)
    assert [(o.start_time, o.clinic_type, o.hospital, o.reserved_for_elderly)
            for o in offers] == [
        (time(8, 0), ClinicType.GENERAL, "市一院", True),
        (time(8, 0), ClinicType.GENERAL, "滇池医院", True),
        (time(8, 0), ClinicType.EXPERT, "市一院", True),
        (time(8, 0), ClinicType.EXPERT, "滇池医院", True),
        (time(8, 20), ClinicType.GENERAL, "市一院", True),
    ]


def test_elderly_slots_are_not_offered_to_younger_patients(demo: Database) -> None:
    offers = _offers(demo, _young_person(demo), limit=1000)
    assert offers and not any(o.reserved_for_elderly for o in offers)
    assert offers[0].start_time == time(8, 40)


def test_an_unknown_patient_counts_as_elderly(demo: Database) -> None:
    assert _offers(demo, None)[0].reserved_for_elderly


def test_general_clinic_comes_before_expert_unless_expert_is_asked_for(demo: Database) -> None:
    general_first = _offers(demo, None, day=d(3), clinic_session=ClinicSession.PM, limit=2,
                            hospital_id=_hospital(demo, "市一院"))
    assert [o.clinic_type for o in general_first] == [ClinicType.GENERAL, ClinicType.EXPERT]
    assert all(o.session == ClinicSession.PM for o in general_first)
    expert = _offers(demo, None, clinic_type=ClinicType.EXPERT, hospital_id=None, limit=3)
    assert {o.clinic_type for o in expert} == {ClinicType.EXPERT}
    assert {o.fee_yuan for o in expert} == {30}


def test_offers_can_be_limited_to_one_hospital(demo: Database) -> None:
    offers = _offers(demo, None, hospital_id=_hospital(demo, "滇池医院"), limit=50)
    assert offers and {o.hospital for o in offers} == {"滇池医院"}


def test_taken_slots_and_days_already_booked_in_the_department_are_not_offered(
    demo: Database,
) -> None:
    zhang = _person(demo, ZHANG)
    _book(demo, _slot(demo, day=d(1)), zhang)
    offers = _offers(demo, zhang, limit=1000)
    assert ("市一院", d(1)) not in {(o.hospital, o.day) for o in offers}
    # One booking per department and day at any hospital: the other one's is left out too.
    assert ("滇池医院", d(1)) not in {(o.hospital, o.day) for o in offers}
    assert all(o.slot_id != _slot(demo, day=d(1)) for o in _offers(demo, None, limit=1000))


# --- booking --------------------------------------------------------------------------------


def test_booking_claims_the_slot_and_writes_the_sms_in_the_same_transaction(
    demo: Database,
) -> None:
    zhang = _person(demo, ZHANG)
    slot_id = _slot(demo, day=d(3), start=time(8, 20))
    appointment_id = _book(demo, slot_id, zhang)
    with demo.session() as session:
        appointment = session.get(Appointment, appointment_id)
        slot = session.get(Slot, slot_id)
        assert appointment is not None and slot is not None
        assert appointment.status == AppointmentStatus.BOOKED and slot.status == SlotStatus.BUSY
        assert (appointment.day, appointment.session) == (d(3), ClinicSession.AM)
        assert appointment.booked_by_number == ZHANG
    (sms,) = _sms(demo)  # the mobile only: a landline cannot take SMS
    assert sms.to_number == ZHANG
    assert sms.idempotency_key == f"appointment:{appointment_id}:booked:sms:{ZHANG}"
    for part in ("市一院", CARDIO, "12月3日 星期四 上午 08:20", "主治医师", "普通号10元",
                 "请带身份证，提前30分钟到", "12月2日16点前"):
        assert part in sms.body
    assert "530" not in sms.body  # no ID number in texts


def test_a_booking_is_one_read_and_five_writes_without_savepoint(demo: Database) -> None:
    """docs/performance.md, "Hospital bookings": the code before sent 12 (PostgreSQL),
    18 before that."""
    zhang = _person(demo, ZHANG)
    slot_id = _slot(demo, day=d(3), start=time(8, 20))
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        sent.append(" ".join(statement.split()))

    event.listen(demo.engine, "before_cursor_execute", seen)
    try:
        _book(demo, slot_id, zhang)
    finally:
        event.remove(demo.engine, "before_cursor_execute", seen)
    # SQLite: one more, the no-op write that takes the write lock before the slot is read.
    assert len(sent) == (7 if demo.engine.dialect.name == "sqlite" else 6), sent
    # The patient, the slot with its context and the patient's bookings that day: one read.
    (read,) = [s for s in sent if s.startswith("SELECT")]
    for table in ("people", "person_phones", "schedules", "fhir_links", "appointments"):
        assert f"JOIN {table}" in read, table
    assert not [s for s in sent if s.startswith(("SAVEPOINT", "RELEASE"))]
    assert [s.split()[2] for s in sent if s.startswith("INSERT")] == [
        "appointments", "appointment_reminders", "scheduled_jobs", "outbox"
    ]
    (take,) = [s for s in sent if s.startswith("UPDATE slots SET status")]
    assert "WHERE slots.id" in take and "slots.status =" in take  # taken only if still free
    assert len(_sms(demo)) == 1


def test_an_unknown_slot_is_refused_after_the_patient_checks(demo: Database) -> None:
    """The patient and the slot are read together; the refusals keep their order."""
    missing = 10**6
    for patient, code in ((missing, "patient_not_found"), (_person(demo, SUN), "id_required"),
                          (_person(demo, ZHANG), "slot_not_found")):
        with pytest.raises(BookingError) as err:
            _book(demo, missing, patient)
        assert err.value.code == code
    with pytest.raises(BookingError) as err:
        _book(demo, _slot(demo, day=d(3)), missing)
    assert err.value.code == "patient_not_found"


def test_a_failure_after_booking_rolls_back_the_sms_too(demo: Database) -> None:
    zhang = _person(demo, ZHANG)
    slot_id = _slot(demo, day=d(3))
    with pytest.raises(RuntimeError), demo.session() as session:
        appointments.book(session, slot_id=slot_id, patient_id=zhang, now=NOW,
                          booked_by_number=ZHANG)
        raise RuntimeError("the call step failed after booking")
    assert _sms(demo) == []
    with demo.session() as session:
        assert session.scalar(select(func.count(Appointment.id))) == 0
        assert session.get(Slot, slot_id).status == SlotStatus.FREE  # type: ignore[union-attr]


def test_a_booking_rolled_back_with_its_savepoint_leaves_the_session_as_before(
    demo: Database,
) -> None:
    """The booking's rows are written past the ORM's flush; a savepoint rolled back after
    it (a step failing after booking) takes them out of the session as it would rows the
    ORM inserted, and booking again in the same session works (SQLite gives the same ids
    again)."""
    zhang = _person(demo, ZHANG)
    slot_id = _slot(demo, day=d(3), start=time(8, 20))
    with demo.session() as session:
        with pytest.raises(RuntimeError), session.begin_nested():
            first = appointments.book(session, slot_id=slot_id, patient_id=zhang, now=NOW,
                                      booked_by_number=ZHANG)
            first_id, sms = first.id, session.scalars(select(OutboxMessage)).one()
            raise RuntimeError("the step failed after booking")
        assert session.get(Appointment, first_id) is None
        assert first not in session and sms not in session
        again = appointments.book(session, slot_id=slot_id, patient_id=zhang, now=NOW,
                                  booked_by_number=ZHANG)
        again_id = again.id
    with demo.session() as session:
        (kept,) = session.scalars(select(Appointment)).all()
        assert kept.id == again_id and kept.status == AppointmentStatus.BOOKED
        assert session.get(Slot, slot_id).status == SlotStatus.BUSY  # type: ignore[union-attr]
    (text,) = _sms(demo)
    assert text.idempotency_key == f"appointment:{again_id}:booked:sms:{ZHANG}"


def test_two_callers_racing_for_the_last_slot_only_one_gets_it(demo: Database) -> None:
    slot_id = _slot(demo, day=d(4), start=time(9, 40))
    patients = [_person(demo, ZHANG), _person(demo, WANG)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def caller(patient_id: int) -> None:
        barrier.wait()
        try:
            _book(demo, slot_id, patient_id, number=None)
            results.append("booked")
        except BookingError as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=caller, args=(p,)) for p in patients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["booked", "slot_taken"]
    with demo.session() as session:
        assert session.scalar(
            select(func.count(Appointment.id)).where(Appointment.slot_id == slot_id)
        ) == 1


def test_two_family_members_booking_one_patient_twice_at_once_only_one_wins(
    demo: Database,
) -> None:
    zhang = _person(demo, ZHANG)
    slots = [_slot(demo, day=d(4)), _slot(demo, day=d(4), clinic=ClinicType.EXPERT)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def caller(slot_id: int) -> None:
        barrier.wait()
        try:
            _book(demo, slot_id, zhang, number=None)
            results.append("booked")
        except BookingError as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=caller, args=(s,)) for s in slots]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["already_booked", "booked"]


def test_self_and_a_relative_booking_one_patient_at_two_hospitals_at_once_only_one_wins(
    demo: Database,
) -> None:
    """The patient books by their own phone while their daughter books at another hospital,
    at the same moment: the database keeps one booking per department and day, and the
    loser is told the patient already has it (not that the slot was taken)."""
    zhang = _person(demo, ZHANG)
    with demo.session() as session:
        daughter = session.scalars(
            select(FamilyContact.id).where(
                FamilyContact.person_id == zhang, FamilyContact.phone == DAUGHTER
            )
        ).one()
    bookings = [
        (_slot(demo, day=d(4)), ZHANG, None),
        (_slot(demo, day=d(4), hospital="滇池医院"), DAUGHTER, daughter),
    ]
    barrier = threading.Barrier(2)
    results: list[str] = []
    messages: list[str] = []

    def caller(slot_id: int, number: str, contact_id: int | None) -> None:
        barrier.wait()
        try:
            _book(demo, slot_id, zhang, number=number, contact_id=contact_id)
            results.append("booked")
        except BookingError as exc:
            results.append(exc.code)
            messages.append(exc.message)

    threads = [threading.Thread(target=caller, args=b) for b in bookings]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["already_booked", "booked"]
    with demo.session() as session:  # the loser's slot is free again (or never taken)
        assert [session.get(Slot, s).status for s, _, _ in bookings].count(  # type: ignore[union-attr]
            SlotStatus.FREE
        ) == 1
    assert "已经挂了" in messages[0] and CARDIO in messages[0] and "被别人" not in messages[0]
    with demo.session() as session:
        live = session.scalars(
            select(Appointment).where(
                Appointment.patient_id == zhang, Appointment.status == AppointmentStatus.BOOKED
            )
        ).all()
    assert len(live) == 1 and live[0].department_name == CARDIO


def test_the_unique_index_is_the_last_line_of_defence_for_a_slot(demo: Database) -> None:
    slot_id = _slot(demo, day=d(2))
    _book(demo, slot_id, _person(demo, ZHANG))
    with demo.session() as session:  # a buggy console frees the slot but keeps the booking
        session.get(Slot, slot_id).status = SlotStatus.FREE  # type: ignore[union-attr]
    with pytest.raises(BookingError) as err:
        _book(demo, slot_id, _person(demo, WANG))
    assert err.value.code == "slot_taken" and "被别人挂走" in err.value.message


def test_a_lost_race_leaves_the_callers_transaction_usable(demo: Database) -> None:
    slot_id = _slot(demo, day=d(2))
    _book(demo, slot_id, _person(demo, ZHANG))
    with demo.session() as session:
        session.get(Slot, slot_id).status = SlotStatus.FREE  # type: ignore[union-attr]
    with demo.session() as session:
        with pytest.raises(BookingError):
            appointments.book(session, slot_id=slot_id, patient_id=_person(demo, WANG),
                              now=NOW, booked_by_number=WANG)
        assert appointment_offers.find_offers(session, department=CARDIO, patient_id=None, now=NOW)
    with demo.session() as session:  # the refused booking took nothing: the slot as it was
        assert session.get(Slot, slot_id).status == SlotStatus.FREE  # type: ignore[union-attr]
        assert session.scalar(select(func.count(Appointment.id))) == 1
    assert len(_sms(demo)) == 1


def test_a_slot_taken_between_reading_and_taking_it_is_refused_and_nothing_kept(
    demo: Database,
) -> None:
    """Another caller takes the slot after this booking read it free (PostgreSQL: the slot
    is read without a lock; SQLite holds the write lock from the start, so the other
    writer waits and this booking wins)."""
    zhang = _person(demo, ZHANG)
    slot_id = _slot(demo, day=d(3), start=time(9, 0))
    postgres = demo.engine.dialect.name == "postgresql"
    other = Database(demo.url)
    taken: list[str] = []

    def take_it_first(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE slots SET status") and not taken:
            taken.append(statement)
            with other.session() as session:
                session.get(Slot, slot_id).status = SlotStatus.BUSY  # type: ignore[union-attr]

    if postgres:
        event.listen(demo.engine, "before_cursor_execute", take_it_first)
        try:
            with pytest.raises(BookingError) as err:
                _book(demo, slot_id, zhang)
        finally:
            event.remove(demo.engine, "before_cursor_execute", take_it_first)
        assert err.value.code == "slot_taken" and taken
        with demo.session() as session:
            assert session.scalar(select(func.count(Appointment.id))) == 0
        assert _sms(demo) == []
    else:
        _book(demo, slot_id, zhang)
    other.dispose()


def test_one_booking_per_patient_per_department_per_day(demo: Database) -> None:
    zhang = _person(demo, ZHANG)
    _book(demo, _slot(demo, day=d(2)), zhang)
    with pytest.raises(BookingError) as err:
        _book(demo, _slot(demo, day=d(2), clinic=ClinicType.EXPERT), zhang)
    assert err.value.code == "already_booked"
    assert "12月2日" in err.value.message and CARDIO in err.value.message
    # The department is the canonical one: the same department at another hospital too.
    with pytest.raises(BookingError) as err:
        _book(demo, _slot(demo, day=d(2), clinic=ClinicType.EXPERT, hospital="滇池医院"), zhang)
    assert err.value.code == "already_booked"
    # Another department: fine, outside the hour of the first booking (8:00).
    _book(demo, _slot(demo, day=d(2), start=time(9, 0), department="骨科"), zhang)
    _book(demo, _slot(demo, day=d(3)), zhang)  # another day: fine


def test_two_bookings_of_one_patient_within_the_hour_clash_in_any_department(
    demo: Database,
) -> None:
    """P6: 心血管内科 8:00 booked; 呼吸-style second visits at 8:00 or 8:40 are refused with
    a sentence that names the first booking; 9:00 is fine, and offers skip the clash."""
    zhang = _person(demo, ZHANG)
    _book(demo, _slot(demo, day=d(2)), zhang)
    for start in (time(8, 0), time(8, 40)):
        with pytest.raises(BookingError) as err:
            _book(demo, _slot(demo, day=d(2), start=start, department="骨科"), zhang)
        assert err.value.code == "time_clash"
        assert "8点" in err.value.message and CARDIO in err.value.message
        assert "同一个时间不能再挂" in err.value.message and "这位老人" in err.value.message
    with demo.session() as session:
        offered = appointment_offers.find_offers(
            session, department="骨科", patient_id=zhang, now=NOW, day=d(2), limit=100
        )
        anyone = appointment_offers.find_offers(
            session, department="骨科", patient_id=None, now=NOW, day=d(2), limit=1
        )
    assert offered and all(o.start_time >= time(9, 0) for o in offered)
    assert anyone[0].start_time == time(8, 0)  # the clash is the patient's own, not the slot's
    _book(demo, _slot(demo, day=d(2), start=time(9, 0), department="骨科"), zhang)


def test_a_suspended_patient_is_refused_until_the_suspension_ends(demo: Database) -> None:
    zhang = _person(demo, ZHANG)
    with demo.session() as session:
        session.get(Person, zhang).booking_suspended_until = d(2)  # type: ignore[union-attr]
    with pytest.raises(BookingError) as err:
        _book(demo, _slot(demo, day=d(3)), zhang)
    assert err.value.code == "suspended" and "12月2日 星期三以前" in err.value.message
    with pytest.raises(BookingError):
        _offers(demo, zhang)
    _book(demo, _slot(demo, day=d(4)), zhang, now=at(d(2), 9))


def test_booking_without_an_id_number_is_refused_until_one_is_given(demo: Database) -> None:
    sun = _person(demo, SUN)
    slot_id = _slot(demo, day=d(3))
    with pytest.raises(BookingError) as err:
        _book(demo, slot_id, sun, number=SUN)
    assert err.value.code == "id_required" and "身份证" in err.value.message
    raw = make_resident_id("530102", date(1958, 7, 7), 82).replace("X", "*")
    with demo.session() as session:
        masked = patients.set_id_number(session, person_id=sun, raw=raw, today=TODAY)
    assert masked == f"530102********{raw[-4:].replace('*', 'X')}"
    _book(demo, slot_id, sun, number=SUN)


def test_an_id_number_is_validated_and_cannot_belong_to_two_people(demo: Database) -> None:
    sun, zhang = _person(demo, SUN), _person(demo, ZHANG)
    with demo.session() as session:
        zhang_id = session.get(Person, zhang).id_number  # type: ignore[union-attr]
    cases = [
        ("12345", "id_invalid"),
        (zhang_id, "id_in_use"),
        (make_resident_id("530102", date(1960, 1, 1), 82), "id_mismatch"),  # wrong birthday
    ]
    for raw, code in cases:
        with pytest.raises(BookingError) as err, demo.session() as session:
            patients.set_id_number(session, person_id=sun, raw=raw or "", today=TODAY)
        assert err.value.code == code
    assert "18位" in BookingError("id_invalid", reason="身份证号应该是18位").message


def test_a_day_outside_the_window_cannot_be_booked(demo: Database) -> None:
    zhang = _person(demo, ZHANG)
    with pytest.raises(BookingError) as err:
        _book(demo, _slot(demo, day=d(7)), zhang)
    assert err.value.code == "not_yet" and "11月30日 星期一15点开始" in err.value.message
    assert err.value.said(TODAY) == "12月7号星期一的号还没有放出来，今天下午3点开始可以挂。"
    with pytest.raises(BookingError) as err:
        _book(demo, _slot(demo, day=d(1)), zhang, now=at(TODAY, 15, 0))
    assert err.value.code == "too_late"


def test_an_elderly_slot_cannot_be_booked_for_a_younger_patient(demo: Database) -> None:
    with pytest.raises(BookingError) as err:
        _book(demo, _slot(demo, day=d(2)), _young_person(demo))
    assert err.value.code == "reserved_for_elderly"


def test_a_stopped_session_cannot_be_booked(demo: Database) -> None:
    slot_id = _slot(demo, day=d(2), start=time(9, 0))
    with demo.session() as session:
        slot = session.get(Slot, slot_id)
        session.get(Schedule, slot.schedule_id).status = ScheduleStatus.STOPPED  # type: ignore[union-attr]
    with pytest.raises(BookingError) as err:
        _book(demo, slot_id, _person(demo, ZHANG))
    assert err.value.code == "slot_unavailable"
    assert all(o.slot_id != slot_id for o in _offers(demo, None, day=d(2), limit=100))


# --- family booking ---------------------------------------------------------------------------


def test_a_family_contact_may_book_for_the_relative_and_both_get_the_sms(demo: Database) -> None:
    zhang = _person(demo, ZHANG)
    with demo.session() as session:
        choices = patients.patients_for_caller(session, number=DAUGHTER)
        assert [(c.person.id, c.relation) for c in choices] == [(zhang, "女儿")]
        contact_id = choices[0].contact_id
    appointment_id = _book(demo, _slot(demo, day=d(3)), zhang, number=DAUGHTER,
                           contact_id=contact_id)
    assert {m.to_number for m in _sms(demo)} == {ZHANG, DAUGHTER}
    assert all(m.idempotency_key.startswith(f"appointment:{appointment_id}:booked:sms:")
               for m in _sms(demo))
    with demo.session() as session:
        appointment = session.get(Appointment, appointment_id)
        assert appointment is not None and appointment.booked_by_contact_id == contact_id


def test_a_caller_is_offered_themself_first_then_relatives(demo: Database) -> None:
    with demo.session() as session:
        zhang = session.get(Person, _person(demo, ZHANG))
        assert zhang is not None
        zhang.contacts.append(FamilyContact(name="王建国", relation="邻居", phone=WANG))
        session.add(FamilyContact(person_id=_person(demo, SUN), name="王建国", relation="朋友",
                                  phone=WANG, may_act_for=False))
    with demo.session() as session:
        choices = patients.patients_for_caller(session, number=WANG)
        assert [(c.person.full_name, c.relation, c.contact_id is None) for c in choices] == [
            ("王建国", "本人", True), ("张秀英", "邻居", False),
        ]
        assert patients.patients_for_caller(session, number="+8613999999999") == []


def test_a_contact_not_allowed_to_act_cannot_book(demo: Database) -> None:
    zhang = _person(demo, ZHANG)
    with demo.session() as session:
        contact = session.scalars(
            select(FamilyContact).where(FamilyContact.phone == DAUGHTER)
        ).one()
        contact.may_act_for = False
        contact_id = contact.id
    with demo.session() as session:
        assert patients.patients_for_caller(session, number=DAUGHTER) == []
    with pytest.raises(BookingError) as err:
        _book(demo, _slot(demo, day=d(3)), zhang, number=DAUGHTER, contact_id=contact_id)
    assert err.value.code == "not_allowed"


# --- cancelling, upcoming, no-shows -----------------------------------------------------------


def test_cancel_before_the_deadline_frees_the_slot_and_texts(demo: Database) -> None:
    zhang = _person(demo, ZHANG)
    slot_id = _slot(demo, day=d(3))
    appointment_id = _book(demo, slot_id, zhang, number=DAUGHTER)
    with demo.session() as session:
        appointments.cancel(session, appointment_id=appointment_id, now=at(d(2), 16, 0),
                            reason="身体好了")
    with demo.session() as session:
        appointment = session.get(Appointment, appointment_id)
        assert appointment is not None and appointment.status == AppointmentStatus.CANCELLED
        assert appointment.cancel_reason == "身体好了"
        assert session.get(Slot, slot_id).status == SlotStatus.FREE  # type: ignore[union-attr]
    cancelled = [m for m in _sms(demo) if ":cancelled:" in m.idempotency_key]
    assert {m.to_number for m in cancelled} == {ZHANG, DAUGHTER}
    assert "已取消挂号" in cancelled[0].body
    _book(demo, slot_id, _person(demo, WANG), now=at(d(2), 9))  # the slot is free again


def test_cancel_after_the_deadline_is_refused(demo: Database) -> None:
    appointment_id = _book(demo, _slot(demo, day=d(3)), _person(demo, ZHANG))
    with pytest.raises(BookingError) as err, demo.session() as session:
        appointments.cancel(session, appointment_id=appointment_id, now=at(d(2), 16, 1),
                            reason="")
    assert err.value.code == "cancel_too_late"
    assert "12月2日 星期三16点" in err.value.message
    # Read to a caller, the day is named as every other day of the call.
    assert err.value.said(d(2)) == "取消要在今天下午4点以前，已经过了时间，不能在电话里取消了。"
    assert "后天下午4点以前" in err.value.said(TODAY)
    with demo.session() as session:  # hospital staff may still cancel (session stopped)
        appointments.cancel(session, appointment_id=appointment_id, now=at(d(2), 17),
                            reason="医生停诊", enforce_deadline=False)


def test_cancelling_twice_is_harmless(demo: Database) -> None:
    appointment_id = _book(demo, _slot(demo, day=d(3)), _person(demo, ZHANG))
    for _ in range(2):
        with demo.session() as session:
            appointments.cancel(session, appointment_id=appointment_id, now=NOW, reason="")
    assert len([m for m in _sms(demo) if ":cancelled:" in m.idempotency_key]) == 1


def test_upcoming_lists_live_bookings_earliest_first(demo: Database) -> None:
    zhang = _person(demo, ZHANG)
    later = _book(demo, _slot(demo, day=d(4)), zhang)
    sooner = _book(demo, _slot(demo, day=d(2), department="骨科"), zhang)
    gone = _book(demo, _slot(demo, day=d(3)), zhang)
    with demo.session() as session:
        appointments.cancel(session, appointment_id=gone, now=NOW, reason="")
    with demo.session() as session:
        items = upcoming_appointments.upcoming(session, patient_id=zhang, now=at(d(1), 17))
    assert [i.appointment_id for i in items] == [sooner, later]
    assert not items[0].can_cancel and items[1].can_cancel  # 2 Dec: deadline 1 Dec 16:00
    assert items[0].spoken.startswith("12月2日 星期三 上午 8点，市一院 骨科")


