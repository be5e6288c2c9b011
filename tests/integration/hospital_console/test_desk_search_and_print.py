"""Desk search (name, phone tail, ID tail) and the printable day list with visit numbers:
the services on SQLite and PostgreSQL, the routes over HTTP (TestClient) for every role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.core.db import Database
from app.hospital import appointments, desk
from app.hospital import day_list as hospital_day
from app.hospital.enums import ClinicSession
from app.hospital.models import Department, Doctor, Hospital, Schedule, Slot
from app.people.models import Person, PersonPhone
from app.staff.enums import StaffRole
from support.app_client import AppClients, Clock
from support.demo import demo_data
from support.live_server import add_staff

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in Kunming
VISIT = date(2026, 12, 1)
ZHANG = "+8613800000001"  # 张秀英, landline +868715550101
WANG = "+8613800000002"  # 王建国
LI = "+8613800000003"  # 李桂芳


def _ids(db: Database) -> tuple[int, int, int]:
    """(first hospital, second hospital, the first hospital's Tuesday cardiology AM)."""
    with db.session() as session:
        hospitals = list(session.scalars(select(Hospital.id).order_by(Hospital.id)))
        schedule = session.scalars(
            select(Schedule.id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .where(
                Department.hospital_id == hospitals[0],
                Department.name == "心血管内科",
                Schedule.day == VISIT,
                Schedule.session == ClinicSession.AM,
            )
            .order_by(Doctor.id)
        ).first()
        assert schedule is not None
        return hospitals[0], hospitals[1], schedule


def _book(db: Database, number: str, schedule_id: int, nth: int) -> int:
    """Book the nth slot (by time) of the session for the person with this number."""
    with db.session() as session:
        person = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == number)
        ).one()
        slot = list(
            session.scalars(
                select(Slot.id)
                .where(Slot.schedule_id == schedule_id, Slot.reserved_for_family_doctor.is_(False))
                .order_by(Slot.start_time, Slot.id)
            )
        )[nth]
        return appointments.book(
            session, slot_id=slot, patient_id=person, now=NOW, booked_by_number=number
        ).id


@pytest.fixture
def booked(db: Database) -> dict[str, int]:
    """Three bookings in one session, booked out of visit order, one then cancelled."""
    demo_data(db, today=NOW.date())
    _, _, schedule = _ids(db)
    result = {
        "li": _book(db, LI, schedule, 4),
        "zhang": _book(db, ZHANG, schedule, 0),
        "wang": _book(db, WANG, schedule, 2),
    }
    with db.session() as session:
        appointments.cancel(
            session, appointment_id=result["wang"], now=NOW, reason="test", enforce_deadline=False
        )
    return result


def test_search_by_name_phone_tail_and_id_tail(db: Database, booked: dict[str, int]) -> None:
    ours, theirs, _ = _ids(db)
    with db.session() as session:
        zhang = session.scalars(
            select(Person).join(PersonPhone).where(PersonPhone.number == ZHANG)
        ).one()
        id_tail = zhang.id_number[-4:]  # type: ignore[index]

        def found(query: str, hospital: int = ours) -> set[int]:
            rows = hospital_day.search(session, hospital_id=hospital, day=VISIT, query=query)
            return {r.appointment_id for r in rows}

        assert found("张秀") == {booked["zhang"]}
        assert found("0003") == {booked["li"]}  # 李桂芳's mobile
        assert found("0101") == {booked["zhang"]}  # 张秀英's landline
        assert found(id_tail) == {booked["zhang"]}
        assert found(" 王建国 ") == {booked["wang"]}  # cancelled ones are found too
        assert found("9999") == set()
        assert found("张秀", theirs) == set()  # another hospital's list
        for bad in ("", "123", "13800000001"):
            with pytest.raises(hospital_day.SearchError):
                found(bad)


def test_print_list_is_in_visit_order_with_live_bookings_only(
    db: Database, booked: dict[str, int]
) -> None:
    ours, theirs, schedule = _ids(db)
    with db.session() as session:
        [group] = hospital_day.print_list(session, hospital_id=ours, day=VISIT)
        assert group.schedule_id == schedule and group.department == "心血管内科"
        assert [(r.appointment_id, r.visit_number) for r in group.rows] == [
            (booked["zhang"], 1),
            (booked["li"], 5),
        ]
        assert all("*" in r.id_masked and "*" in r.phone_masked for r in group.rows)
        assert hospital_day.print_list(session, hospital_id=theirs, day=VISIT) == []
        with pytest.raises(desk.DeskNotFound):
            hospital_day.print_list(session, hospital_id=theirs, day=VISIT, schedule_id=schedule)


@pytest.fixture
def app(db: Database, booked: dict[str, int]) -> Iterator[AppClients]:
    ours, theirs, _ = _ids(db)
    add_staff(db, "desk", StaffRole.HOSPITAL_STAFF, hospital_id=ours)
    add_staff(db, "desk.other", StaffRole.HOSPITAL_STAFF, hospital_id=theirs)
    add_staff(db, "fd.one", StaffRole.FAMILY_DOCTOR, hospital_id=ours)
    add_staff(db, "op1", StaffRole.OPERATOR)
    clients = AppClients(db, Clock(NOW))
    yield clients
    clients.close()


def test_desk_search_and_print_over_http(
    db: Database, booked: dict[str, int], app: AppClients
) -> None:
    ours, theirs, schedule = _ids(db)
    desk_client = app.client("desk")
    result = desk_client.get(f"/hospital/{ours}", params={"day": VISIT.isoformat(), "q": "0003"})
    assert result.status_code == 200 and 'id="search-result"' in result.text
    assert f'id="appt-{booked["li"]}"' in result.text
    assert f'id="appt-{booked["zhang"]}"' not in result.text
    bad = desk_client.get(f"/hospital/{ours}", params={"day": VISIT.isoformat(), "q": "12"})
    assert bad.status_code == 400 and "后4位" in bad.text
    printed = desk_client.get(
        f"/hospital/{ours}/day-list/print", params={"day": VISIT.isoformat()}
    )
    assert printed.status_code == 200
    text = printed.text
    assert text.index(f'id="print-appt-{booked["zhang"]}"') < text.index(
        f'id="print-appt-{booked["li"]}"'
    )
    assert f'id="print-appt-{booked["wang"]}"' not in text  # cancelled
    assert "13800000001" not in text and "138****0001" in text
    one = desk_client.get(
        f"/hospital/{ours}/day-list/print",
        params={"day": VISIT.isoformat(), "schedule_id": schedule},
    )
    assert one.status_code == 200 and f'id="print-group-{schedule}"' in one.text
    # Isolation: another hospital's staff, a family doctor, an operator, a stranger.
    paths = [
        f"/hospital/{ours}?day={VISIT.isoformat()}&q=0003",
        f"/hospital/{ours}/day-list/print?day={VISIT.isoformat()}",
    ]
    for username in ("desk.other", "fd.one", "op1"):
        other = app.client(username)
        for path in paths:
            assert other.get(path).status_code == 403, (username, path)
    stranger = app.client()
    for path in paths:
        response = stranger.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    # Another hospital's session under its own URL: 404.
    other_desk = app.client("desk.other")
    foreign = other_desk.get(
        f"/hospital/{theirs}/day-list/print",
        params={"day": VISIT.isoformat(), "schedule_id": schedule},
    )
    assert foreign.status_code == 404
