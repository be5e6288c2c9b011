"""The family-doctor console and the admin's signing page over HTTP (the app in a
TestClient, on SQLite and PostgreSQL): roles, isolation on every new route, the book /
move / cancel flow, refusals with their messages, the role on the users page and CLI."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from family_helpers import (
    LI,
    NOW,
    TODAY,
    TUESDAY,
    WANG,
    WEDNESDAY,
    ZHANG,
    at,
    hospital_ids,
    person_id,
    schedule_id,
    staff_id,
)
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from app.core.config import Settings
from app.core.db import Database
from app.hospital import family_doctors
from app.hospital.enums import ClinicSession
from app.hospital.models import Appointment, FamilyDoctorPatient
from app.people.models import Person
from app.staff import accounts, cli
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from support.app_client import AppClients, Clock
from support.demo import demo_data
from support.live_server import PASSWORD, TEST_SECRET, add_staff, csrf_from

Client = Callable[..., TestClient]


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def client(db: Database, clock: Clock) -> Iterator[Client]:
    """Signed-in TestClients on the demo data with extra staff: a second family doctor of
    the same hospital, one of the other hospital, hospital staff and admins of both, an
    operator and an admin."""
    demo_data(db, today=TODAY)
    ours, theirs = hospital_ids(db)
    add_staff(db, "fd.same", StaffRole.FAMILY_DOCTOR, hospital_id=ours)
    add_staff(db, "fd.other", StaffRole.FAMILY_DOCTOR, hospital_id=theirs)
    add_staff(db, "desk", StaffRole.HOSPITAL_STAFF, hospital_id=ours)
    add_staff(db, "boss", StaffRole.HOSPITAL_ADMIN, hospital_id=ours)
    add_staff(db, "boss.other", StaffRole.HOSPITAL_ADMIN, hospital_id=theirs)
    add_staff(db, "op1", StaffRole.OPERATOR)
    add_staff(db, "root", StaffRole.ADMIN)
    with db.session() as session:  # the demo family doctor with the tests' password
        doctor = session.scalars(select(StaffUser).where(StaffUser.username == "familydoc1")).one()
        accounts.set_password(session, doctor, PASSWORD, now=NOW)
    clients = AppClients(db, clock)
    yield clients.client
    clients.close()


def _token(client: TestClient, path: str = "/console") -> str:
    return csrf_from(client.get(path).text)


def _appointments(db: Database) -> list[tuple[int, int, str]]:
    with db.session() as session:
        return [
            (a.id, a.patient_id, str(a.status))
            for a in session.scalars(select(Appointment).order_by(Appointment.id))
        ]


def _booked_tuesday_for_zhang(
    db: Database, doctor: TestClient, hospital_id: int
) -> tuple[TestClient, str, int, int]:
    """The family doctor books 张秀英 into the hospital's Tuesday session: (the doctor's
    client, its form token, her person id, the appointment id)."""
    zhang_id = person_id(db, ZHANG)
    token = csrf_from(doctor.get(f"/family-doctor/patients/{zhang_id}/book").text)
    doctor.post(
        f"/family-doctor/patients/{zhang_id}/book",
        data={"csrf_token": token, "schedule_id": str(schedule_id(db, hospital_id, TUESDAY))},
    )
    [(first, _, _)] = _appointments(db)
    return doctor, token, zhang_id, first


def _book_directly(db: Database, number: str, schedule: int) -> int:
    with db.session() as session:
        doctor = session.get(StaffUser, staff_id(db, "familydoc1"))
        assert doctor is not None
        return family_doctors.book_for(
            session, doctor=doctor, person_id=person_id(db, number), schedule_id=schedule, now=NOW
        ).id


def test_a_family_doctor_books_moves_and_cancels_for_a_signed_patient(
    db: Database, client: Client
) -> None:
    ours, _ = hospital_ids(db)
    doctor = client("familydoc1")
    home = doctor.get("/family-doctor")
    assert home.status_code == 200
    with db.session() as session:
        zhang = session.get(Person, person_id(db, ZHANG))
        assert zhang is not None and zhang.id_number
        full_id = zhang.id_number
    assert "张秀英" in home.text and "李桂芳" in home.text and "王建国" not in home.text
    assert full_id not in home.text and "138****0001" in home.text
    assert "13800000001" not in home.text
    zhang_id = person_id(db, ZHANG)
    form = doctor.get(f"/family-doctor/patients/{zhang_id}/book?department=心血管内科")
    assert form.status_code == 200
    tuesday = schedule_id(db, ours, TUESDAY)
    assert f'id="session-{tuesday}"' in form.text
    token = csrf_from(form.text)
    forged = doctor.post(
        f"/family-doctor/patients/{zhang_id}/book",
        data={"csrf_token": "forged", "schedule_id": str(tuesday)},
    )
    assert forged.status_code == 403 and _appointments(db) == []
    done = doctor.post(
        f"/family-doctor/patients/{zhang_id}/book",
        data={"csrf_token": token, "schedule_id": str(tuesday)},
    )
    assert done.status_code == 303 and "done=booked" in done.headers["location"]
    # No phone service in these tests: the doctor is told nothing was sent, not "会收到短信".
    booked_page = doctor.get(done.headers["location"]).text
    assert "未发出：没有配置电话服务" in booked_page and "会收到短信" not in booked_page
    [(first, patient, status)] = _appointments(db)
    assert (patient, status) == (zhang_id, "booked")
    # Move it to Wednesday afternoon.
    move_form = doctor.get(f"/family-doctor/appointments/{first}/move")
    assert move_form.status_code == 200 and "现在的预约" in move_form.text
    wednesday = schedule_id(db, ours, WEDNESDAY, ClinicSession.PM)
    moved = doctor.post(
        f"/family-doctor/appointments/{first}/move",
        data={"csrf_token": token, "schedule_id": str(wednesday)},
    )
    assert moved.status_code == 303 and "done=moved" in moved.headers["location"]
    rows = _appointments(db)
    assert [status for *_, status in rows] == ["cancelled", "booked"]
    second = rows[1][0]
    # Cancel: the list links to a page that asks (a GET: reloading it sends nothing).
    link = f"/family-doctor/appointments/{second}/cancel"
    assert f'href="{link}"' in doctor.get("/family-doctor").text
    ask = doctor.get(link)
    assert ask.status_code == 200 and "确认取消这个预约" in ask.text
    # An older form posting without `confirm` is sent to that page; nothing changes.
    posted = doctor.post(link, data={"csrf_token": token})
    assert posted.status_code == 303 and posted.headers["location"] == link
    assert _appointments(db)[1][2] == "booked"
    cancelled = doctor.post(
        f"/family-doctor/appointments/{second}/cancel",
        data={"csrf_token": token, "confirm": "yes"},
    )
    assert cancelled.status_code == 303 and "done=cancelled" in cancelled.headers["location"]
    assert _appointments(db)[1][2] == "cancelled"
    assert "已取消" in doctor.get(cancelled.headers["location"]).text


def test_a_booking_stopped_by_the_hospital_stays_listed_as_stopped(
    db: Database, client: Client, clock: Clock
) -> None:
    ours, _ = hospital_ids(db)
    doctor = client("familydoc1")
    zhang_id = person_id(db, ZHANG)
    tuesday = schedule_id(db, ours, TUESDAY)
    token = _token(doctor, "/family-doctor")
    booked = doctor.post(
        f"/family-doctor/patients/{zhang_id}/book",
        data={"csrf_token": token, "schedule_id": str(tuesday)},
    )
    assert booked.status_code == 303
    [(appointment_id, _, _)] = _appointments(db)
    # The next morning the desk stops Tuesday's session (停诊).
    clock.current = at(TUESDAY, 7, 30)
    desk = client("desk")
    stop_path = f"/hospital/{ours}/schedules/{tuesday}/stop"
    stopped = desk.post(
        stop_path, data={"csrf_token": csrf_from(desk.get(stop_path).text), "reason": "医生生病"}
    )
    assert stopped.status_code == 303, stopped.text
    assert _appointments(db) == [(appointment_id, zhang_id, "cancelled")]
    doctor = client("familydoc1")  # a new day, a new sign-in
    token = _token(doctor, "/family-doctor")
    page = doctor.get("/family-doctor")
    row = page.text.split(f'id="appt-{appointment_id}"', 1)[1].split("</tr>", 1)[0]
    assert "已停诊" in row and "医院于12月1日停诊：医生生病" in row
    assert "12月1日 星期二 上午" in row  # the visit day
    assert f"/family-doctor/appointments/{appointment_id}/move" not in row
    assert f'id="cancel-{appointment_id}"' not in row
    # A booking the family doctor cancelled is not listed (only the hospital's 停诊 is).
    wednesday = schedule_id(db, ours, WEDNESDAY)
    doctor.post(
        f"/family-doctor/patients/{zhang_id}/book",
        data={"csrf_token": token, "schedule_id": str(wednesday)},
    )
    second = _appointments(db)[-1][0]
    doctor.post(
        f"/family-doctor/appointments/{second}/cancel",
        data={"csrf_token": token, "confirm": "yes"},
    )
    assert _appointments(db)[-1] == (second, zhang_id, "cancelled")
    assert f'id="appt-{second}"' not in doctor.get("/family-doctor").text


def _checked_sessions(page: str) -> list[str]:
    radios = re.findall(r'<input type="radio" name="schedule_id"[^>]*>', page)
    return [re.search(r'value="(\d+)"', r).group(1) for r in radios if " checked" in r]  # type: ignore[union-attr]


def test_refusals_are_shown_with_their_reason_and_change_nothing(
    db: Database, client: Client, clock: Clock
) -> None:
    ours, theirs = hospital_ids(db)
    tuesday = schedule_id(db, ours, TUESDAY)
    booked = _book_directly(db, ZHANG, tuesday)
    doctor = client("familydoc1")
    token = _token(doctor, "/family-doctor")
    li = person_id(db, LI)
    full = doctor.post(
        f"/family-doctor/patients/{li}/book",
        data={"csrf_token": token, "schedule_id": str(tuesday)},
    )
    assert full.status_code == 409 and "家庭医生预留号已经约满" in full.text
    # No other session is chosen for the doctor (the full one has left the list).
    assert set(_checked_sessions(full.text)) <= {str(tuesday)}
    assert _checked_sessions(doctor.get(f"/family-doctor/patients/{li}/book").text) == []
    foreign = doctor.post(
        f"/family-doctor/patients/{li}/book",
        data={"csrf_token": token, "schedule_id": str(schedule_id(db, theirs, TUESDAY))},
    )
    assert foreign.status_code == 404 and "不属于本院" in foreign.text
    not_signed = doctor.post(
        f"/family-doctor/patients/{person_id(db, WANG)}/book",
        data={"csrf_token": token, "schedule_id": str(schedule_id(db, ours, WEDNESDAY))},
    )
    assert not_signed.status_code == 404 and "没有和您签约" in not_signed.text
    empty = doctor.post(f"/family-doctor/patients/{li}/book", data={"csrf_token": token})
    assert empty.status_code == 409 and "请选择出诊" in empty.text
    assert len(_appointments(db)) == 1
    clock.current = at(TODAY, 16, 1)  # past Tuesday's cancel deadline (Monday 16:00)
    doctor = client("familydoc1")  # (the first session has gone idle by then)
    token = _token(doctor, "/family-doctor")
    late = doctor.post(
        f"/family-doctor/appointments/{booked}/cancel", data={"csrf_token": token, "confirm": "yes"}
    )
    assert late.status_code == 409 and "已经过了取消截止时间" in late.text
    late_move = doctor.post(
        f"/family-doctor/appointments/{booked}/move",
        data={"csrf_token": token, "schedule_id": str(schedule_id(db, ours, WEDNESDAY))},
    )
    assert late_move.status_code == 409 and "已经过了取消截止时间" in late_move.text
    assert _appointments(db) == [(booked, person_id(db, ZHANG), "booked")]


def test_every_family_doctor_route_is_isolated(db: Database, client: Client) -> None:
    ours, _ = hospital_ids(db)
    booked = _book_directly(db, ZHANG, schedule_id(db, ours, TUESDAY))
    zhang = person_id(db, ZHANG)
    target = str(schedule_id(db, ours, WEDNESDAY))
    gets = [
        "/family-doctor",
        f"/family-doctor/patients/{zhang}/book",
        f"/family-doctor/appointments/{booked}/move",
        f"/family-doctor/appointments/{booked}/cancel",
    ]
    posts = [
        (f"/family-doctor/patients/{zhang}/book", {"schedule_id": target}),
        (f"/family-doctor/appointments/{booked}/move", {"schedule_id": target}),
        (f"/family-doctor/appointments/{booked}/cancel", {"confirm": "yes"}),
    ]
    before = _appointments(db)
    # Not signed in: pages send to /login, actions are refused.
    stranger = client()
    for path in gets:
        response = stranger.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    for path, data in posts:
        assert stranger.post(path, data={**data, "csrf_token": "x"}).status_code in (303, 401, 403)
    # Other roles: 403 everywhere, admins included.
    for username in ("desk", "boss", "op1", "root"):
        other = client(username)
        token = _token(other)
        for path in gets:
            assert other.get(path).status_code == 403, (username, path)
        for path, data in posts:
            assert other.post(path, data={**data, "csrf_token": token}).status_code == 403
    # Another family doctor, of this hospital or another: sees nobody, and 404 on ids.
    for username in ("fd.same", "fd.other"):
        other = client(username)
        home = other.get("/family-doctor")
        assert home.status_code == 200 and "张秀英" not in home.text
        assert 'id="no-patients"' in home.text
        token = csrf_from(home.text)
        for path in gets[1:]:
            assert other.get(path).status_code == 404, (username, path)
        for path, data in posts:
            response = other.post(path, data={**data, "csrf_token": token})
            assert response.status_code == 404, (username, path)
            assert "张秀英" not in response.text
    assert _appointments(db) == before
    # The hospital console stays closed to family doctors.
    doctor = client("familydoc1")
    assert doctor.get(f"/hospital/{ours}").status_code == 403
    assert doctor.get("/hospital").status_code == 403
    assert doctor.get(f"/hospital/{ours}/admin/family-doctors").status_code == 403


def test_the_hospital_admin_signs_and_ends_within_the_own_hospital(
    db: Database, client: Client
) -> None:
    ours, theirs = hospital_ids(db)
    path = f"/hospital/{ours}/admin/family-doctors"
    for username, status in (("desk", 403), ("op1", 403), ("boss.other", 403), ("fd.same", 403)):
        assert client(username).get(path).status_code == status, username
    assert client().get(path).status_code == 303
    boss = client("boss")
    page = boss.get(path)
    assert page.status_code == 200 and "赵敏医生" in page.text and "张秀英" in page.text
    with db.session() as session:
        wang = session.get(Person, person_id(db, WANG))
        zhang = session.get(Person, person_id(db, ZHANG))
        assert wang is not None and wang.id_number and zhang is not None and zhang.id_number
        wang_id, zhang_id = wang.id_number, zhang.id_number
    assert zhang_id not in page.text
    token = csrf_from(page.text)
    other_doctor = str(staff_id(db, "fd.other"))
    foreign = boss.post(
        f"{path}/sign", data={"csrf_token": token, "doctor_id": other_doctor, "id_number": wang_id}
    )
    assert foreign.status_code == 404 and "不属于本院" in foreign.text
    assert wang_id not in foreign.text
    taken = boss.post(
        f"{path}/sign",
        data={
            "csrf_token": token, "doctor_id": str(staff_id(db, "fd.same")), "id_number": zhang_id
        },
    )
    assert taken.status_code == 409 and "只能签一位家庭医生" in taken.text
    signed = boss.post(
        f"{path}/sign",
        data={"csrf_token": token, "doctor_id": str(staff_id(db, "fd.same")), "id_number": wang_id,
              "started_on": TODAY.isoformat()},
    )
    assert signed.status_code == 303
    with db.session() as session:
        link = session.scalars(
            select(FamilyDoctorPatient).where(
                FamilyDoctorPatient.person_id == person_id(db, WANG)
            )
        ).one()
        assert link.doctor_id == staff_id(db, "fd.same") and link.hospital_id == ours
        link_id = link.id
    assert "王建国" in client("fd.same").get("/family-doctor").text
    # Another hospital's admin cannot end it, under either hospital's URL.
    other_boss = client("boss.other")
    other_token = _token(other_boss)
    for data in ({"csrf_token": other_token}, {"csrf_token": other_token, "confirm": "yes"}):
        assert other_boss.post(f"{path}/links/{link_id}/end", data=data).status_code == 403
        assert other_boss.post(
            f"/hospital/{theirs}/admin/family-doctors/links/{link_id}/end", data=data
        ).status_code == 404
    assert other_boss.get(f"{path}/links/{link_id}/end").status_code == 403
    assert other_boss.get(
        f"/hospital/{theirs}/admin/family-doctors/links/{link_id}/end"
    ).status_code == 404
    for username in ("desk", "fd.same"):
        assert client(username).get(f"{path}/links/{link_id}/end").status_code == 403, username
    for username, home in (("desk", "/console"), ("fd.same", "/family-doctor")):
        someone = client(username)
        assert someone.post(
            f"{path}/links/{link_id}/end",
            data={"csrf_token": _token(someone, home), "confirm": "yes"},
        ).status_code == 403, username
    assert client().post(
        f"{path}/links/{link_id}/end", data={"csrf_token": "x", "confirm": "yes"}
    ).status_code in (303, 401, 403)
    # 解约 asks first: the list links to the confirmation page (a GET), which names the
    # patient and the doctor; nothing changes. A POST without `confirm` is sent there.
    assert f'href="{path}/links/{link_id}/end"' in boss.get(path).text
    posted = boss.post(f"{path}/links/{link_id}/end", data={"csrf_token": token})
    assert posted.status_code == 303 and posted.headers["location"] == f"{path}/links/{link_id}/end"
    asked = boss.get(f"{path}/links/{link_id}/end")
    assert asked.status_code == 200 and "确认解约？" in asked.text
    assert "王建国" in asked.text and 'name="confirm" value="yes"' in asked.text
    assert wang_id not in asked.text
    with db.session() as session:
        assert session.get(FamilyDoctorPatient, link_id).ended_on is None  # type: ignore[union-attr]
    assert "王建国" in client("fd.same").get("/family-doctor").text
    ended = boss.post(f"{path}/links/{link_id}/end", data={"csrf_token": token, "confirm": "yes"})
    assert ended.status_code == 303
    with db.session() as session:
        assert session.get(FamilyDoctorPatient, link_id).ended_on == TODAY  # type: ignore[union-attr]
    assert "王建国" not in client("fd.same").get("/family-doctor").text
    # Asking again about an ended signing goes back to the list.
    again = boss.post(f"{path}/links/{link_id}/end", data={"csrf_token": token})
    assert again.status_code == 303 and again.headers["location"].endswith("done=ended")


def test_the_users_page_and_cli_accept_the_family_doctor_role(
    db: Database, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, _ = hospital_ids(db)
    root = client("root")
    page = root.get("/console/users")
    assert "家庭医生" in page.text
    base = {
        "csrf_token": csrf_from(page.text), "username": "dr.qian", "display_name": "钱医生",
        "role": "family_doctor", "community_id": "", "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    unbound = root.post("/console/users", data={**base, "hospital_id": ""})
    assert unbound.status_code == 400 and "家庭医生必须属于一家医院" in unbound.text
    created = root.post("/console/users", data={**base, "hospital_id": str(ours)})
    assert created.status_code == 303
    monkeypatch.setattr(
        cli, "get_settings", lambda: Settings(database_url=db.url, secret_key=TEST_SECRET)
    )
    result = CliRunner().invoke(
        cli.users_app,
        ["create", "--username", "dr.sun", "--name", "孙医生", "--role", "family_doctor",
         "--hospital-id", str(ours), "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    with db.session() as session:
        roles = dict(
            session.execute(
                select(StaffUser.username, StaffUser.role).where(
                    StaffUser.username.in_(["dr.qian", "dr.sun"])
                )
            ).all()
        )
        assert roles == {"dr.qian": StaffRole.FAMILY_DOCTOR, "dr.sun": StaffRole.FAMILY_DOCTOR}
        assert session.scalar(
            select(func.count(StaffUser.id)).where(StaffUser.role == StaffRole.FAMILY_DOCTOR)
        ) == 5


def test_the_car_to_the_appointment_moves_and_is_cancelled_with_it_and_the_doctor_sees_it(
    db: Database, client: Client
) -> None:
    from app.taxi import hospital_trips
    from app.taxi.enums import RideStatus
    from app.taxi.models import HospitalTrip, Ride

    ours, _ = hospital_ids(db)
    doctor = client("familydoc1")
    zhang_id = person_id(db, ZHANG)
    form = doctor.get(f"/family-doctor/patients/{zhang_id}/book?department=心血管内科")
    token = csrf_from(form.text)
    doctor.post(
        f"/family-doctor/patients/{zhang_id}/book",
        data={"csrf_token": token, "schedule_id": str(schedule_id(db, ours, TUESDAY))},
    )
    [(first, _, _)] = _appointments(db)
    with db.session() as session:  # the car, as the reminder call's key 3 books it
        trip = hospital_trips.book(
            session, appointment_id=first, now=NOW, settings=Settings(database_url=db.url),
            caller_number=ZHANG,
        )
        ride_id = trip.ride.id
    before = doctor.get(f"/family-doctor/appointments/{first}/move").text
    assert "这个预约约了去医院的车：改约后车会改到新时间来接" in before  # said before moving
    moved = doctor.post(
        f"/family-doctor/appointments/{first}/move",
        data={"csrf_token": token,
              "schedule_id": str(schedule_id(db, ours, WEDNESDAY, ClinicSession.PM))},
    )
    assert "done=moved_ride" in moved.headers["location"]
    after = doctor.get(moved.headers["location"]).text
    assert "约好的去医院的车也改到了新时间来接" in after and "已经取消" not in after
    second = _appointments(db)[1][0]
    with db.session() as session:
        ride = session.get(Ride, ride_id)
        link = session.scalars(select(HospitalTrip)).one()
        assert ride is not None and ride.status == RideStatus.SCHEDULED
        assert ride.pickup_at is not None and ride.pickup_at.date() == WEDNESDAY
        assert link.appointment_id == second
    ask = doctor.get(f"/family-doctor/appointments/{second}/cancel")
    assert "这个预约约了去医院的车，会一起取消" in ask.text
    cancelled = doctor.post(
        f"/family-doctor/appointments/{second}/cancel",
        data={"csrf_token": token, "confirm": "yes"},
    )
    assert "done=cancelled_ride" in cancelled.headers["location"]
    assert "约好的去医院的车也一起取消了" in doctor.get(cancelled.headers["location"]).text
    with db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.status == RideStatus.CANCELLED


def test_moving_a_booking_never_moves_a_ride_booked_before_and_only_joined(
    db: Database, client: Client
) -> None:
    """The daughter booked a car to the hospital at 7:00 before the doctor's booking; the
    booking only joined it. Moving the booking leaves that car as it is, says so to the
    doctor, and the patient's message names it unchanged."""
    from app.notify.models import OutboxMessage
    from app.taxi import hospital_trips
    from app.taxi.enums import RideStatus
    from app.taxi.models import HospitalTrip, Ride
    from support.booked import book_ride

    ours, _ = hospital_ids(db)
    doctor = client("familydoc1")
    zhang_id = person_id(db, ZHANG)
    form = doctor.get(f"/family-doctor/patients/{zhang_id}/book?department=心血管内科")
    token = csrf_from(form.text)
    ride_id = book_ride(db, number=ZHANG, pickup=at(TUESDAY, 7), now=NOW)
    with db.session() as session:  # booked by the daughter, to that hospital
        ride = session.get(Ride, ride_id)
        assert ride is not None
        ride.caller_number, ride.destination = "+8613900000001", "春城第一人民医院"
    doctor.post(
        f"/family-doctor/patients/{zhang_id}/book",
        data={"csrf_token": token, "schedule_id": str(schedule_id(db, ours, TUESDAY))},
    )
    [(first, _, _)] = _appointments(db)
    with db.session() as session:  # as the phone flow joins it after a booking
        trip = hospital_trips.join_morning_ride(
            session, appointment_id=first, now=NOW, settings=Settings(database_url=db.url))
        assert trip is not None and trip.joined and trip.ride.id == ride_id
    moved = doctor.post(
        f"/family-doctor/appointments/{first}/move",
        data={"csrf_token": token,
              "schedule_id": str(schedule_id(db, ours, WEDNESDAY, ClinicSession.PM))},
    )
    assert "done=moved_ride_kept" in moved.headers["location"]
    notice = doctor.get(moved.headers["location"]).text
    assert "原来约好的车不是为这个预约约的，没有改动" in notice
    assert "也改到了新时间" not in notice
    second = _appointments(db)[1][0]
    with db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.status == RideStatus.SCHEDULED
        assert ride.pickup_at == at(TUESDAY, 7) and ride.destination == "春城第一人民医院"
        link = session.scalars(select(HospitalTrip)).one()
        assert link.appointment_id == first  # a Tuesday car does not serve Wednesday
        bodies = list(session.scalars(select(OutboxMessage.body).where(
            OutboxMessage.idempotency_key.like(f"appointment:{second}:moved%"))))
    assert bodies and all("车没有改动" in body for body in bodies)
    assert not any("去医院的车已改到" in body for body in bodies)


def test_cancelling_keeps_a_ride_booked_before_and_tells_the_patient_and_the_daughter(
    db: Database, client: Client
) -> None:
    """The daughter booked a 7:00 car to the hospital before the doctor's booking, which only
    joined it. The doctor cancels the booking: the car had a purpose of its own, nobody is
    there to ask, so it is kept (hospital_trips.car_fate); the page says so before and after,
    and one message tells the patient, and the daughter who booked the car, that it still
    comes and how to cancel it."""
    from app.notify.models import OutboxMessage
    from app.taxi import hospital_trips
    from app.taxi.enums import RideStatus
    from app.taxi.models import Ride
    from support.booked import book_ride

    daughter = "+8613900000001"
    ours, _ = hospital_ids(db)
    doctor = client("familydoc1")
    zhang_id = person_id(db, ZHANG)
    token = csrf_from(doctor.get(f"/family-doctor/patients/{zhang_id}/book").text)
    ride_id = book_ride(db, number=ZHANG, pickup=at(TUESDAY, 7), now=NOW)
    with db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None
        ride.caller_number, ride.destination = daughter, "春城第一人民医院"
    doctor.post(
        f"/family-doctor/patients/{zhang_id}/book",
        data={"csrf_token": token, "schedule_id": str(schedule_id(db, ours, TUESDAY))},
    )
    [(first, _, _)] = _appointments(db)
    with db.session() as session:
        trip = hospital_trips.join_morning_ride(
            session, appointment_id=first, now=NOW, settings=Settings(database_url=db.url))
        assert trip is not None and trip.joined
    ask = doctor.get(f"/family-doctor/appointments/{first}/cancel").text
    assert 'id="keep-ride"' in ask and "不会取消" in ask
    assert "会一起取消" not in ask
    cancelled = doctor.post(
        f"/family-doctor/appointments/{first}/cancel",
        data={"csrf_token": token, "confirm": "yes"},
    )
    assert "done=cancelled_ride_kept" in cancelled.headers["location"]
    assert "没有取消，照常来接" in doctor.get(cancelled.headers["location"]).text
    with db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.status == RideStatus.SCHEDULED
        assert ride.pickup_at == at(TUESDAY, 7)
        sent = dict(session.execute(
            select(OutboxMessage.to_number, OutboxMessage.body).where(
                OutboxMessage.idempotency_key.like(f"appointment:{first}:cancelled%"))).all())
        ride_cancelled = session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.idempotency_key.like(f"ride:{ride_id}:cancelled%")))
    assert {ZHANG, daughter} <= sent.keys()
    for body in (sent[ZHANG], sent[daughter]):
        assert "已取消挂号" in body and "车没有取消，照常来接您" in body
        assert "7点" in body
    assert ride_cancelled == 0


def test_cancelling_cancels_a_car_booked_for_it_in_one_message_that_says_so(
    db: Database, client: Client
) -> None:
    """A car booked for the appointment has no purpose without it: cancelled, silently as a
    ride, and the one cancellation message names it, to the patient and to whoever booked
    the car (here a relative's number), never the generic "您的叫车已取消"."""
    from app.notify.models import OutboxMessage
    from app.taxi import hospital_trips
    from app.taxi.enums import RideStatus
    from app.taxi.models import Ride

    relative = "+8613900000002"
    ours, _ = hospital_ids(db)
    doctor, token, zhang_id, first = _booked_tuesday_for_zhang(db, client("familydoc1"), ours)
    with db.session() as session:
        trip = hospital_trips.book(
            session, appointment_id=first, now=NOW, settings=Settings(database_url=db.url),
            caller_number=relative,
        )
        ride_id = trip.ride.id
    doctor.post(
        f"/family-doctor/appointments/{first}/cancel",
        data={"csrf_token": token, "confirm": "yes"},
    )
    with db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.status == RideStatus.CANCELLED
        sent = dict(session.execute(
            select(OutboxMessage.to_number, OutboxMessage.body).where(
                OutboxMessage.idempotency_key.like(f"appointment:{first}:cancelled%"))).all())
        generic = session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.idempotency_key.like(f"ride:{ride_id}:cancelled%")))
    assert {ZHANG, relative} <= sent.keys()
    assert all("去医院的" in body and "车也已取消" in body for body in sent.values())
    assert generic == 0


def test_the_choice_shows_one_day_of_sessions_at_a_time(db: Database, client: Client) -> None:
    ours, _ = hospital_ids(db)
    doctor = client("familydoc1")
    zhang_id = person_id(db, ZHANG)
    with db.session() as session:
        staff = session.get(StaffUser, staff_id(db, "familydoc1"))
        assert staff is not None
        every = family_doctors.open_sessions(session, doctor=staff, now=NOW)
    days = sorted({s.day for s in every})
    assert len(days) > 2 and len(every) > 20  # the list that was too long to use

    def radios(page: str) -> set[int]:
        return {int(v) for v in re.findall(r'name="schedule_id" value="(\d+)"', page)}

    def of_day(day: object) -> set[int]:
        return {s.schedule_id for s in every if s.day == day}

    page = doctor.get(f"/family-doctor/patients/{zhang_id}/book").text
    assert radios(page) == of_day(days[0])  # the first day only
    links = re.findall(r'id="day-(\d{4}-\d{2}-\d{2})"', page)
    assert links == [d.isoformat() for d in days]
    counts = [int(n) for n in re.findall(r'<span class="sub">(\d+) 个出诊</span>', page)]
    assert sum(counts) == len(every)
    assert f'id="day-{days[0].isoformat()}"' in page.split('aria-current="date"')[0]
    # The confirm button comes right after the day's sessions, in the bar that stays in view.
    bar = page.split('id="choice-bar"', 1)[1].split("</div>", 1)[0]
    assert 'id="confirm-book"' in bar
    third = doctor.get(
        f"/family-doctor/patients/{zhang_id}/book?department=&day={days[2].isoformat()}"
    ).text
    assert radios(third) == of_day(days[2])
    # A day that is not offered, or not a date: the first day, not an error.
    for bad in ("2020-01-01", "abc"):
        answer = doctor.get(f"/family-doctor/patients/{zhang_id}/book?day={bad}")
        assert answer.status_code == 200 and radios(answer.text) == of_day(days[0])
    # The department filter and the day go together in the day links.
    cardio = doctor.get(f"/family-doctor/patients/{zhang_id}/book?department=心血管内科").text
    assert "department=%E5%BF%83%E8%A1%80%E7%AE%A1%E5%86%85%E7%A7%91&amp;day=" in cardio
    # A refused choice shows the day of the session chosen, still chosen.
    token = csrf_from(page)
    wednesday = schedule_id(db, ours, WEDNESDAY)
    with db.session() as session:
        session.get(Person, zhang_id).booking_suspended_until = TODAY + timedelta(days=30)  # type: ignore[union-attr]
    refused = doctor.post(
        f"/family-doctor/patients/{zhang_id}/book",
        data={"csrf_token": token, "schedule_id": str(wednesday)},
    )
    assert refused.status_code == 409
    assert radios(refused.text) == of_day(WEDNESDAY)
    assert _checked_sessions(refused.text) == [str(wednesday)]


def test_a_move_the_car_cannot_follow_says_before_and_after_that_the_car_is_cancelled(
    db: Database, client: Client
) -> None:
    """Eighth trial: the move page said nothing of the car before, and afterwards "改了时间
    （新时间接不了的车已取消）" did not say which happened. With no pickup place left the car
    cannot follow the booking and is cancelled, and the notice says so."""
    from app.people.models import SavedPlace
    from app.taxi import hospital_trips
    from app.taxi.enums import RideStatus
    from app.taxi.models import Ride

    ours, _ = hospital_ids(db)
    doctor, token, zhang_id, first = _booked_tuesday_for_zhang(db, client("familydoc1"), ours)
    with db.session() as session:
        ride_id = hospital_trips.book(
            session, appointment_id=first, now=NOW, settings=Settings(database_url=db.url),
            caller_number=ZHANG,
        ).ride.id
    new_schedule = schedule_id(db, ours, WEDNESDAY, ClinicSession.PM)
    with db.session() as session:  # her saved places gone since: no car can fetch her
        session.execute(delete(SavedPlace).where(SavedPlace.person_id == zhang_id))
    page = doctor.get(f"/family-doctor/appointments/{first}/move").text
    assert 'id="move-ride"' in page and "新时间车接不了" in page
    moved = doctor.post(
        f"/family-doctor/appointments/{first}/move",
        data={"csrf_token": token, "schedule_id": str(new_schedule)},
    )
    assert moved.status_code == 303, moved.text
    notice = doctor.get(moved.headers["location"]).text
    assert "约好的去医院的车接不了新时间，已经取消" in notice
    assert "改到了新时间来接" not in notice
    with db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.status == RideStatus.CANCELLED


def test_the_cancel_page_says_no_message_goes_out_without_a_phone_service(
    db: Database, client: Client
) -> None:
    ours, _ = hospital_ids(db)
    booking = _book_directly(db, ZHANG, schedule_id(db, ours, TUESDAY))
    page = client("familydoc1").get(f"/family-doctor/appointments/{booking}/cancel").text
    assert "未发出：没有配置电话服务" in page  # as every notice says it (phone_service_banner)
    assert "会收到取消短信" not in page
