"""Deregistration with erasure on the real database: afterwards no table holds the person's
name, ID, numbers, addresses or contacts, while their ride, appointment and call stay."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.calls.models import Call, CallStep
from app.core.config import Settings
from app.core.db import Database
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment, Doctor, Schedule, Slot
from app.hotline import build_call_service
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.people.audit import Actor
from app.people.enums import ConsentBasis, PlaceKind
from app.people.erasure import ERASED_NAME, ERASED_TRAIL, erase_person
from app.people.models import Community, Person, PersonAuditEntry
from app.people.registration import (
    ContactInput,
    PlaceInput,
    RegistrationError,
    deactivate_person,
    register_person,
)
from app.people.resident_id import make_resident_id
from app.schema import Base
from app.simulator import run_call
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.demo import demo_data

DAY = date(2026, 11, 30)
STAFF = Actor("翠湖社区 王主任", None)
ID_NUMBER = make_resident_id("530102", date(1948, 3, 9), 22)
SECRETS = (
    ID_NUMBER,
    "赵桂兰",
    "赵奶奶",
    "13900001111",
    "8716660101",  # the landline, in E.164 (+868716660101) and local (08716660101) form
    "13900002222",  # her daughter, a contact of no one else
    "李红",
    "翠湖北路8号",
    "北京路100号",
)


def _register(db: Database) -> int:
    with db.session() as session:
        community = session.scalars(select(Community).where(Community.name == "翠湖社区")).one()
        return register_person(
            session,
            full_name="赵桂兰",
            registered_by=STAFF.name,
            consent_basis=ConsentBasis.PAPER_FORM,
            community_id=community.id,
            id_number=ID_NUMBER,
            phones=["13900001111", "0871-6660101"],
            home=PlaceInput(label="家", address="五华区翠湖北路8号2栋1单元", landmark="菜市场对面"),
            places=[PlaceInput("女儿家", "北京路100号", kind=PlaceKind.FAMILY)],
            contacts=[ContactInput(name="李红", relation="女儿", phone="13900002222")],
        ).id


def _readable(value: object) -> str:
    """A cell as text a person would read: JSON (a decoded column, or JSON kept in a text
    column) dumped without escapes, so 刘桂英 stored as \\u5218... is found too."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, default=str, ensure_ascii=False)


def _leftovers(db: Database, secrets: tuple[str, ...] = SECRETS) -> list[str]:
    found = []
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                text = " ".join(_readable(cell) for cell in row)
                found += [f"{table.name}: {s}" for s in secrets if s in text]
    return found


def test_the_scan_reads_escaped_json() -> None:
    escaped = json.dumps({"say": "是给您家人赵桂兰叫车吗"})
    assert "赵桂兰" not in escaped and "赵桂兰" in _readable(escaped)


def test_erasure_leaves_no_personal_data_and_keeps_rides_and_appointments(
    db: Database, tmp_path: Path
) -> None:
    demo_data(db, today=DAY)
    person_id = _register(db)
    lines: list[str] = []
    service = build_call_service(Settings(database_url=db.url), db)
    run_call(
        service,
        from_number="+868716660101",
        to_number="+868710000000",
        turns=iter(["1", "1"]),
        show=lines.append,
    )
    assert any("车已经叫了" in line for line in lines), lines
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    with db.session() as session:
        ride = session.scalars(select(Ride)).one()
        call_id = ride.call_id
        assert call_id is not None
        (recordings / f"{call_id}-1.wav").write_bytes(b"RIFF")
        (recordings / "pickup-1.wav").write_bytes(b"RIFF")
        ride.pickup_recording_url = "pickup-1.wav"
        ride.pickup_transcript = "翠湖北路8号"
        session.add(
            CallStep(
                call_id=call_id,
                step=99,
                event_key="step:99:keys",
                state_before="a",
                state_after="b",
                event={"kind": "keys", "digits": ID_NUMBER},
                outputs=[{"kind": "say", "text": "赵奶奶，身份证号" + ID_NUMBER}],
            )
        )
        slot, schedule, doctor = session.execute(
            select(Slot, Schedule, Doctor)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .where(Schedule.day > DAY)
            .limit(1)
        ).one()
        contact = session.get_one(Person, person_id).contacts[0]
        session.add(
            Appointment(
                slot_id=slot.id,
                patient_id=person_id,
                department_id=doctor.department_id,
                department_name="心血管内科",
                day=schedule.day,
                session=schedule.session,
                booked_by_contact_id=contact.id,
                booked_by_number=contact.phone,
            )
        )
        session.add(
            OutboxMessage(
                kind=OutboxKind.SMS,
                to_number="+8613900001111",
                body="赵奶奶，车已派出",
                idempotency_key="erasure-test-1",
            )
        )
    assert _leftovers(db)  # the scan finds the data while it is there

    def erase() -> None:
        with db.session() as session:
            erase_person(
                session, person_id=person_id, changed_by=STAFF, today=DAY, recordings_dir=recordings
            )

    with pytest.raises(RegistrationError) as caught:
        erase()
    assert caught.value.code == "ride_under_way"
    with db.session() as session:
        session.scalars(select(Ride)).one().status = RideStatus.COMPLETED
    with pytest.raises(RegistrationError) as caught:
        erase()
    assert caught.value.code == "booking_ahead" and "先取消" in caught.value.message
    with db.session() as session:
        session.scalars(select(Appointment)).one().status = AppointmentStatus.CANCELLED
    erase()

    assert _leftovers(db) == []
    assert list(recordings.iterdir()) == []
    with db.session() as session:
        person = session.get_one(Person, person_id)
        assert person.full_name == ERASED_NAME and person.erased_at is not None
        assert not person.active and person.community_id is not None
        ride = session.scalars(select(Ride)).one()
        assert ride.person_id == person_id and ride.status == RideStatus.COMPLETED
        appointment = session.scalars(select(Appointment)).one()
        assert appointment.patient_id == person_id and appointment.day > DAY
        call = session.get_one(Call, call_id)
        assert call.person_id == person_id and call.from_number is None
        kinds = [
            s.event["kind"]
            for s in session.scalars(
                select(CallStep).where(CallStep.call_id == call_id).order_by(CallStep.step)
            )
        ]
        assert kinds[-1] == "keys" and len(kinds) >= 3  # the report still counts the steps
        trail = session.scalars(
            select(PersonAuditEntry)
            .where(PersonAuditEntry.person_id == person_id)
            .order_by(PersonAuditEntry.id)
        ).all()
        assert [e.action for e in trail] == ["registered", "erased"]
        assert trail[0].changes == ERASED_TRAIL
    with pytest.raises(RegistrationError) as caught:
        erase()
    assert caught.value.code == "already_erased"


def test_a_relatives_call_for_the_person_is_erased_too(db: Database) -> None:
    """Her daughter 李红 orders a car for her from her own mobile (1, 1, 1), the ride is
    cancelled, she is erased: the daughter's call keeps nothing about her."""
    demo_data(db, today=DAY)
    person_id = _register(db)
    lines: list[str] = []
    service = build_call_service(Settings(database_url=db.url), db)
    run_call(
        service,
        from_number="+8613900002222",
        to_number="+868710000000",
        turns=iter(["1", "1", "1"]),
        show=lines.append,
    )
    assert any("是给您母亲赵桂兰叫车吗" in line for line in lines), lines
    with db.session() as session:
        ride = session.scalars(select(Ride)).one()
        assert ride.person_id == person_id and ride.call_id is not None
        call_id = ride.call_id
        ride.status = RideStatus.CANCELLED
    secrets = (*SECRETS, "五华区翠湖北路8号2栋1单元")
    assert {hit.split(":")[0] for hit in _leftovers(db, secrets)} >= {
        "call_sessions",
        "call_steps",
        "calls",
    }

    with db.session() as session:
        erase_person(session, person_id=person_id, changed_by=STAFF, today=DAY)

    assert _leftovers(db, secrets) == []
    with db.session() as session:
        ride = session.scalars(select(Ride)).one()
        assert ride.person_id == person_id and ride.call_id is None  # no link to her call
        call = session.get_one(Call, call_id)
        assert call.from_number is None
        steps = session.scalars(select(CallStep).where(CallStep.call_id == call_id)).all()
        assert len(steps) >= 3  # the report still counts the steps


def test_an_erased_persons_name_leaves_the_trail_of_whom_a_number_was_taken_from(
    db: Database,
) -> None:
    """周建华 takes 张奶奶's landline (改绑); erasing him leaves 另一位老人（已注销） on hers."""
    demo_data(db, today=DAY)
    with db.session() as session:
        zhang = session.scalars(select(Person).where(Person.full_name == "张秀英")).one()
        landline = next(p.number for p in zhang.phones if p.kind == "landline")
        zhou = register_person(
            session,
            full_name="周建华",
            registered_by=STAFF.name,
            consent_basis=ConsentBasis.PAPER_FORM,
            community_id=zhang.community_id,
            phones=[landline],
            rebind=True,
            actor=STAFF,
        )
        zhang_id, zhou_id = zhang.id, zhou.id

    def zhangs_trail() -> str:
        with db.session() as session:
            return "\n".join(
                session.scalars(
                    select(PersonAuditEntry.changes).where(PersonAuditEntry.person_id == zhang_id)
                )
            )

    assert "改绑给另一位老人（周建华" in zhangs_trail()
    with db.session() as session:
        deactivate_person(session, person_id=zhou_id, changed_by=STAFF)
        assert session.get_one(Person, zhou_id).former_numbers == [landline]
    with db.session() as session:
        erase_person(session, person_id=zhou_id, changed_by=STAFF, today=DAY)
    trail = zhangs_trail()
    assert "周建华" not in trail and "改绑给另一位老人（已注销）" in trail
    with db.session() as session:
        assert session.get_one(Person, zhou_id).unbound_numbers is None


def test_a_relatives_later_call_about_her_ride_and_its_messages_are_erased_too(
    db: Database,
) -> None:
    """The daughter orders the car (1, 1, 1), calls again and cancels it (8, 8): that second
    call names no one but holds the ride, and the cancel SMS to her number is keyed by the
    ride; after erasure neither ties the daughter's number to the erased person."""
    demo_data(db, today=DAY)
    person_id = _register(db)
    service = build_call_service(Settings(database_url=db.url), db)
    for turns in (["1", "1", "1"], ["8", "8"]):
        lines: list[str] = []
        run_call(
            service,
            from_number="+8613900002222",
            to_number="+868710000000",
            turns=iter(turns),
            show=lines.append,
        )
    assert any("车已经取消了" in line for line in lines), lines
    with db.session() as session:
        ride = session.scalars(select(Ride)).one()
        assert ride.status == RideStatus.CANCELLED
        keys = session.scalars(select(OutboxMessage.idempotency_key)).all()
        assert any(k.startswith(f"ride:{ride.id}:cancelled") for k in keys), keys

    with db.session() as session:
        erase_person(session, person_id=person_id, changed_by=STAFF, today=DAY)

    assert _leftovers(db) == []
    with db.session() as session:
        keys = session.scalars(select(OutboxMessage.idempotency_key)).all()
        assert not any(k.startswith("ride:") for k in keys), keys
