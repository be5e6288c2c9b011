"""停诊 and the cars linked to its bookings, over real HTTP: the hospital's confirmation
page says how many cars the stop will cancel before staff confirm; after the stop,
dispatch sees those rides marked "因停诊取消" above the live queue and on 预约用车 (with the
driver named ahead, who is not texted about a booked ride, to be phoned)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
from sqlalchemy import select

from app.core.config import Settings
from app.hospital import appointments
from app.hospital.enums import SlotStatus
from app.hospital.models import Appointment, Department, Slot
from app.hotline import build_call_service
from app.people.models import PersonPhone
from app.staff.enums import StaffRole
from app.taxi import ahead, hospital_trips
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, HospitalTrip, Ride
from support.calls import play
from support.demo import demo_data
from support.live_server import LiveServer, add_staff, csrf_from, sign_in

ZHANG = "+8613800000001"  # 张秀英 (张奶奶)
YANG = "+8613800000006"  # 杨树林, also of 春城第一人民医院
TODAY = date(2026, 11, 30)  # as the hospital trip call tests
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
BOOK_CARDIOLOGY_WITH_CAR = ("2", "1", "1", "1", "1")  # 挂号, 内科, 心血管内科, earliest; car


def _booked_with_cars(server: LiveServer) -> tuple[int, int, list[int]]:
    """张奶奶 books by phone and takes the car; 杨树林 is booked into the same clinic
    session with a car through the same services. The hospital, the session, the rides."""
    db = server.db
    demo_data(db, today=TODAY)
    server.clock.set(NOW)
    calls = build_call_service(Settings(database_url=db.url), db, clock=lambda: NOW)
    play(calls, ZHANG, *BOOK_CARDIOLOGY_WITH_CAR)
    with db.session() as session:  # 杨树林, at the desk's services, in the same session
        first = session.scalars(select(Appointment)).one()
        schedule_id = session.get(Slot, first.slot_id).schedule_id  # type: ignore[union-attr]
        free = session.scalars(
            select(Slot.id).where(
                Slot.schedule_id == schedule_id, Slot.status == SlotStatus.FREE,
                Slot.reserved_for_onsite.is_(False), Slot.reserved_for_family_doctor.is_(False),
            ).order_by(Slot.start_time)
        ).first()
        yang = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == YANG)
        ).one()
        second = appointments.book(
            session, slot_id=free, patient_id=yang, now=NOW, booked_by_number=YANG  # type: ignore[arg-type]
        )
        hospital_trips.book(session, appointment_id=second.id, now=NOW,
                            settings=Settings(database_url=db.url), caller_number=YANG)
    with db.session() as session:
        department = session.get(Department, first.department_id)
        assert department is not None
        ride_ids = list(session.scalars(select(HospitalTrip.ride_id).order_by(HospitalTrip.id)))
        assert len(ride_ids) == 2
        assert hospital_trips.rides_a_stop_cancels(session, schedule_id=schedule_id) == ride_ids
        return department.hospital_id, schedule_id, ride_ids


def _client(server: LiveServer, username: str) -> httpx.Client:
    client = server.client()
    assert sign_in(client, username).status_code == 303
    return client


def test_the_stop_page_counts_the_cars_and_dispatch_sees_them_cancelled(
    live_server: LiveServer,
) -> None:
    hospital_id, schedule_id, (zhang_ride, yang_ride) = _booked_with_cars(live_server)
    db = live_server.db
    with db.session() as session:  # 杨树林's car has its driver named ahead
        liu = session.scalars(select(Driver).where(Driver.plate == "云A·D1234")).one()
        ride = session.get(Ride, yang_ride)
        assert ride is not None
        ahead.assign_ahead(session, ride_id=yang_ride, driver_id=liu.id,
                           expected_version=ride.version)
    add_staff(db, "nurse", StaffRole.HOSPITAL_STAFF, hospital_id=hospital_id)
    add_staff(db, "op1", StaffRole.OPERATOR)
    operator = _client(live_server, "op1")
    assert "因停诊取消" not in operator.get("/dispatch/queue.html").text

    nurse = _client(live_server, "nurse")
    form = nurse.get(f"/hospital/{hospital_id}/schedules/{schedule_id}/stop")
    assert form.status_code == 200
    assert '<dd id="linked-rides"><strong>2</strong> 辆</dd>' in form.text
    assert 'id="kept-rides-note"' not in form.text  # both cars were booked for the visit
    assert "约好送这些老人去医院的 2 辆车也会一起取消" in form.text
    stopped = nurse.post(
        f"/hospital/{hospital_id}/schedules/{schedule_id}/stop",
        data={"csrf_token": csrf_from(form.text), "reason": "医生生病", "day": "2026-12-01"},
    )
    assert stopped.status_code == 303, stopped.text
    after = nurse.get(f"/hospital/{hospital_id}/schedules/{schedule_id}/stop")
    assert "这个出诊已经停诊" in after.text and 'id="linked-rides"' not in after.text
    nurse.close()

    with db.session() as session:
        statuses = [session.get(Ride, r).status for r in (zhang_ride, yang_ride)]  # type: ignore[union-attr]
    assert statuses == [RideStatus.CANCELLED, RideStatus.CANCELLED]

    queue = operator.get("/dispatch/queue.html").text
    assert 'id="stop-notice"' in queue
    assert "医院停诊，2 张去医院的预约车已随预约取消" in queue
    assert "其中 1 张提前选了司机（刘师傅）" in queue
    scheduled = operator.get("/dispatch/scheduled").text
    for ride_id in (zhang_ride, yang_ride):
        row = scheduled.split(f'id="stopped-{ride_id}"', 1)[1].split("</tr>", 1)[0]
        assert "因停诊取消" in row and "医生生病" in row
        assert f'id="booked-{ride_id}"' not in scheduled  # no longer booked
    yang_row = scheduled.split(f'id="stopped-{yang_ride}"', 1)[1].split("</tr>", 1)[0]
    assert "云A·D1234 · 刘师傅，如已说好请告诉司机" in yang_row
    assert "13800000006" not in scheduled and "138****0006" in scheduled  # masked

    # Once the pickup time has passed the notice is gone.
    live_server.clock.set(datetime(2026, 12, 1, 0, 0, tzinfo=UTC))  # 08:00 on the day
    assert "因停诊取消" not in operator.get("/dispatch/queue.html").text
    operator.close()


def test_hospital_staff_see_no_count_for_another_hospitals_session(
    live_server: LiveServer,
) -> None:
    hospital_id, schedule_id, _ = _booked_with_cars(live_server)
    with live_server.db.session() as session:
        other = session.scalars(
            select(Department.hospital_id).where(Department.hospital_id != hospital_id)
        ).first()
    assert other is not None
    add_staff(live_server.db, "other", StaffRole.HOSPITAL_STAFF, hospital_id=other)
    stranger = _client(live_server, "other")
    own_url = f"/hospital/{other}/schedules/{schedule_id}/stop"
    assert stranger.get(own_url).status_code == 404
    assert stranger.get(f"/hospital/{hospital_id}/schedules/{schedule_id}/stop").status_code == 403
