"""现场挂号 over real HTTP: desk staff of one hospital book and print for their own hospital
only; foreign ids in URLs and forms are refused; the ID number is never echoed."""

from __future__ import annotations

from datetime import UTC, datetime

from admin_helpers import NOW, TOMORROW, ZHANG, person_id, set_up_clinic
from sqlalchemy import func, select

from app.hospital import administration
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule
from app.people.models import Person
from app.staff.enums import StaffRole
from support.demo import demo_data
from support.live_server import LiveServer, add_hospital, add_staff, csrf_from, sign_in

VISIT = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # Tuesday 09:00 in Kunming
RULES = {
    "booking_window_days": "7",
    "release_time": "15:00",
    "next_day_close_time": "",
    "cancel_deadline_time": "16:00",
    "cancel_deadline_day": "working",
    "noshow_penalties": "1:30",
    "elderly_share_percent": "0",
    "onsite_share_percent": "50",
}


def _appointments(server: LiveServer) -> int:
    with server.db.session() as session:
        return session.scalar(select(func.count(Appointment.id))) or 0


def test_desk_staff_book_walk_ins_only_at_their_own_hospital(live_server: LiveServer) -> None:
    server = live_server
    demo_data(server.db, today=NOW.date())
    clinic = add_hospital(server.db, "云南省第一人民医院")
    with server.db.session() as session:
        administration.update_rules(session, hospital_id=clinic, form=RULES, actor_id=None, now=NOW)
    doctor_id, _ = set_up_clinic(server.db, clinic, capacity=4)
    with server.db.session() as session:
        ours = session.scalars(select(Schedule.id).where(Schedule.doctor_id == doctor_id)).one()
        theirs = session.scalars(
            select(Schedule.id)
            .join(Doctor)
            .join(Department)
            .join(Hospital)
            .where(Hospital.id != clinic, Schedule.day == TOMORROW)
        ).first()
        zhang = session.get(Person, person_id(server.db, ZHANG))
        assert zhang is not None and zhang.id_number is not None and theirs is not None
        id_number = zhang.id_number
    server.clock.set(VISIT)
    add_staff(server.db, "desk", StaffRole.HOSPITAL_STAFF, hospital_id=clinic)
    desk = server.client()
    assert sign_in(desk, "desk").status_code == 303
    form_page = desk.get(f"/hospital/{clinic}/walk-in")
    assert form_page.status_code == 200 and f'id="onsite-{ours}"' in form_page.text
    token = csrf_from(form_page.text)
    data = {"csrf_token": token, "schedule_id": str(ours), "id_number": id_number, "full_name": ""}
    assert (
        desk.post(f"/hospital/{clinic}/walk-in", data={**data, "csrf_token": "forged"}).status_code
        == 403
    )
    # Another hospital's session in the form: not found, nothing booked.
    sneaky = desk.post(f"/hospital/{clinic}/walk-in", data={**data, "schedule_id": str(theirs)})
    assert sneaky.status_code == 404 and "不属于本院" in sneaky.text
    # The typed number stays in its field only (eighth trial: a refusal cleared it).
    assert sneaky.text.count(id_number) == 1 and f'value="{id_number}"' in sneaky.text
    assert _appointments(server) == 0
    bad = desk.post(
        f"/hospital/{clinic}/walk-in",
        data={
            **data,
            "id_number": id_number[:17] + "0" if id_number[17] != "0" else id_number[:17] + "1",
        },
    )
    assert bad.status_code == 409 and "最后一位不对" in bad.text
    assert 'name="id_number"' in bad.text and bad.text.count(id_number[:17]) == 1
    assert f'value="{id_number[:17]}' in bad.text
    done = desk.post(f"/hospital/{clinic}/walk-in", data=data)
    assert done.status_code == 303
    again = desk.post(f"/hospital/{clinic}/walk-in", data=data)
    assert again.status_code == 409 and "同一科室一天只能挂一个" in again.text
    assert f'value="{id_number}"' in again.text
    slip_url = done.headers["location"]
    slip = desk.get(slip_url)
    assert slip.status_code == 200 and 'id="visit-number">1<' in slip.text
    assert "张秀英" in slip.text and id_number not in slip.text
    day = desk.get(f"/hospital/{clinic}")
    assert "现场挂号" in day.text
    appointment_id = int(slip_url.split("/")[-2])

    # Desk staff of another hospital: 403 on every walk-in route of this one.
    other = server.client()
    assert sign_in(other, "hospital1", "guahao-2026!").status_code == 303
    own = other.get("/hospital").headers["location"].rsplit("/", 1)[-1]
    other_token = csrf_from(other.get(f"/hospital/{own}/walk-in").text)
    assert other.get(f"/hospital/{clinic}/walk-in").status_code == 403
    assert other.get(slip_url).status_code == 403
    assert (
        other.post(
            f"/hospital/{clinic}/walk-in", data={**data, "csrf_token": other_token}
        ).status_code
        == 403
    )
    # This hospital's slip or session under their own hospital's URL: 404.
    assert other.get(f"/hospital/{own}/appointments/{appointment_id}/slip").status_code == 404
    foreign = other.post(f"/hospital/{own}/walk-in", data={**data, "csrf_token": other_token})
    assert foreign.status_code == 404
    assert _appointments(server) == 1

    operator_id = add_staff(server.db, "op1", StaffRole.OPERATOR)
    assert operator_id
    operator = server.client()
    assert sign_in(operator, "op1").status_code == 303
    assert operator.get(f"/hospital/{clinic}/walk-in").status_code == 403
    assert operator.get(slip_url).status_code == 403
