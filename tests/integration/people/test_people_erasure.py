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


def _leftovers(db: Database) -> list[str]:
    found = []
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                text = json.dumps(list(row), default=str, ensure_ascii=False)
                found += [f"{table.name}: {s}" for s in SECRETS if s in text]
    return found


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
