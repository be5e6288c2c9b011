"""Desk search (name, phone tail, ID tail) and the printable day list with visit numbers:
the services on SQLite and PostgreSQL, the routes over HTTP (TestClient) for every role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.core.db import Database
from app.hospital import appointments, desk
from app.hospital import day_list as hospital_day
from app.hospital.enums import AppointmentStatus, ClinicSession, SlotStatus
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.people.models import Person, PersonPhone
from app.staff.enums import StaffRole
from support.app_client import AppClients, Clock
from support.demo import demo_data
from support.live_server import add_staff, csrf_from

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
        # Whole numbers, however they are typed: mobile, +86, spaces, landline, the ID.
        for whole in ("13800000001", "+86 138 0000 0001", "8613800000001", "0086-13800000001",
                      "0871-5550101", "(0871) 555 0101", "5550101", zhang.id_number or "",
                      (zhang.id_number or "")[-6:]):
            assert found(whole) == {booked["zhang"]}, whole
        assert found("13800000009") == set()
        for bad in ("", "123", "12-3", "+86 12", "13A8"):
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
    assert bad.status_code == 400 and "至少输入后4位" in bad.text
    whole = desk_client.get(
        f"/hospital/{ours}", params={"day": VISIT.isoformat(), "q": "+86 138 0000 0003"}
    )
    assert whole.status_code == 200 and f'id="appt-{booked["li"]}"' in whole.text
    assert f'id="appt-{booked["zhang"]}"' not in whole.text
    assert 'id="search-pages-top"' not in whole.text  # one page: no paging
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


def test_search_results_come_in_pages_of_twenty(
    db: Database, booked: dict[str, int], app: AppClients
) -> None:
    ours, _, schedule = _ids(db)
    with db.session() as session:  # 23 more (cancelled) bookings of 张秀英 that day
        person = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG)
        ).one()
        department = session.scalars(
            select(Department).join(Doctor).join(Schedule).where(Schedule.id == schedule)
        ).one()
        free = session.scalars(
            select(Slot.id)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .where(Department.hospital_id == ours, Schedule.day == VISIT,
                   Slot.status == SlotStatus.FREE)
            .order_by(Slot.id)
            .limit(23)
        ).all()
        for slot_id in free:
            session.add(Appointment(
                slot_id=slot_id, patient_id=person, department_id=department.id,
                department_name=department.name, day=VISIT, session=ClinicSession.AM,
                status=AppointmentStatus.CANCELLED, cancel_reason="test",
            ))
    with db.session() as session:
        expected = len(hospital_day.search(session, hospital_id=ours, day=VISIT, query="张秀英"))
    assert expected == 24
    desk_client = app.client("desk")

    def page(number: int | str | None) -> tuple[int, set[str], str]:
        params = {"day": VISIT.isoformat(), "q": "张秀英"}
        if number is not None:
            params["page"] = str(number)
        response = desk_client.get(f"/hospital/{ours}", params=params)
        assert response.status_code == 200
        rows = set(re.findall(r'<tr id="appt-(\d+)"', response.text))
        return len(rows), rows, response.text

    count, first_rows, first = page(None)
    assert count == 20 and "查找“张秀英”：24 条，这一页是第 1–20 条" in first
    assert "第 1 / 2 页" in first and 'id="search-prev-top"' not in first
    next_link = re.search(r'href="([^"]+)" rel="next" id="search-next-top"', first)
    assert next_link is not None and "page=2" in next_link.group(1)
    assert "q=%E5%BC%A0%E7%A7%80%E8%8B%B1" in next_link.group(1)
    count, second_rows, second = page(2)
    assert count == 4 and not first_rows & second_rows
    assert "第 2 / 2 页" in second and 'id="search-prev-bottom"' in second
    assert 'id="search-next-top"' not in second
    assert page(99)[1] == second_rows  # past the last page: the last one
    for bad in ("0", "abc", "-1"):  # a page number that is none: the first page
        assert page(bad)[1] == first_rows, bad
    # Another hospital's staff cannot page through this hospital's results.
    assert app.client("desk.other").get(
        f"/hospital/{ours}", params={"day": VISIT.isoformat(), "q": "张秀英", "page": "2"}
    ).status_code == 403


def test_check_in_from_a_search_returns_to_it_and_names_the_patient(
    db: Database, booked: dict[str, int], app: AppClients
) -> None:
    ours, _, _ = _ids(db)
    app.clock.current = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # the visit day, 09:00
    desk_client = app.client("desk")
    search = desk_client.get(f"/hospital/{ours}", params={"day": VISIT.isoformat(), "q": "0003"})
    assert search.status_code == 200
    form = re.search(
        rf'action="/hospital/{ours}/appointments/{booked["li"]}/check-in".*?</form>',
        search.text, re.S,
    )
    assert form is not None and 'name="q" value="0003"' in form.group(0)
    token = csrf_from(search.text)
    done = desk_client.post(
        f"/hospital/{ours}/appointments/{booked['li']}/check-in",
        data={"csrf_token": token, "day": VISIT.isoformat(), "q": "0003", "page": "1"},
    )
    assert done.status_code == 303
    location = done.headers["location"]
    assert "q=0003" in location and f"checked={booked['li']}" in location
    back = desk_client.get(location)
    assert back.status_code == 200 and 'id="search-result"' in back.text  # the same search
    assert f'id="appt-{booked["zhang"]}"' not in back.text
    notice = re.search(r'id="hospital-notice">(.*?)</p>', back.text, re.S)
    assert notice is not None
    with db.session() as session:
        row = hospital_day.get_row(session, hospital_id=ours, appointment_id=booked["li"])
    assert row.patient_name in notice.group(1) and row.id_masked in notice.group(1)
    assert "*" in row.id_masked and f"{row.start_time:%H:%M}" in notice.group(1)
    # Without a search, back to the day; another hospital's desk learns no name from the id.
    plain = desk_client.post(
        f"/hospital/{ours}/appointments/{booked['zhang']}/check-in",
        data={"csrf_token": token, "day": VISIT.isoformat()},
    )
    assert plain.status_code == 303 and "q=" not in plain.headers["location"]
    other = app.client("desk.other")
    _, theirs, _ = _ids(db)
    leak = other.get(f"/hospital/{theirs}", params={
        "day": VISIT.isoformat(), "done": "checked_in", "checked": booked["li"]})
    assert leak.status_code == 200 and row.patient_name not in leak.text
