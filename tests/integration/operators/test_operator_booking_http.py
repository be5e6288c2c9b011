"""为来电者挂号 from the operators' panel, over real HTTP with the fake Twilio: the operator
talking with a registered caller sees the offers the phone flow would read and books the
one the caller agreed to through the booking service (confirmation SMS, reminder job).

Only the operator on the line; an unregistered caller must be registered first; nothing
is booked without the caller's confirmation ticked or once the slot is taken."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time

from sqlalchemy import select

from app.core.local_time import LOCAL_TZ, local_today
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment, Department
from app.notify.models import OutboxMessage
from app.operators import booking
from app.people.models import Community, FamilyContact, Person
from app.scheduler.models import ScheduledJob
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from app.taxi import hospital_trips
from app.taxi.enums import RideStatus
from app.taxi.models import HospitalTrip, Ride
from support.fake_twilio import FakeTwilio
from support.live_server import LiveServer, add_hospital, add_staff, csrf_from, sign_in
from support.operator_desk import ZHANG, Desk, make_desk

CALLER_SID = "CA" + "1" * 32
STRANGER_SID = "CA" + "2" * 32
STRANGER = "+8615912345679"
DEPARTMENT = "心血管内科"


def _appointments(desk: Desk) -> list[Appointment]:
    with desk.server.db.session() as session:
        return list(session.scalars(select(Appointment).order_by(Appointment.id)))


def test_the_operator_on_the_line_books_the_offer_the_caller_agreed_to(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    # 8:00 this morning: before the reminder moment of tomorrow's slots (the day before at
    # IVR_APPOINTMENT_REMINDER_HOUR, 10:00), whatever the hour the test runs at
    today = local_today(datetime.now(UTC))
    desk.server.clock.set(datetime.combine(today, time(8), LOCAL_TZ).astimezone(UTC))
    request_id = desk.connected(CALLER_SID, ZHANG)
    op1, token = desk.operator("op1")
    url = f"/dispatch/operators/{request_id}/booking"
    assert f'href="{url}"' in op1.get("/dispatch/operators.html").text

    page = op1.get(url, params={"department": DEPARTMENT})
    assert page.status_code == 200 and "张奶奶" in page.text
    assert 'id="no-live-bookings"' in page.text and 'id="same-department"' not in page.text
    assert 'id="no-id-number"' not in page.text  # her ID number is on file
    slots = re.findall(r'name="slot_id" value="(\d+)"', page.text)
    assert slots, page.text[-2000:]
    assert "春城第一人民医院" in page.text or "滇池老年病医院" in page.text
    first = slots[0]

    unconfirmed = op1.post(url, data={"csrf_token": token, "department": DEPARTMENT,
                                      "slot_id": first})
    assert unconfirmed.status_code == 400 and "老人已确认" in unconfirmed.text
    assert 'name="slot_id"' in unconfirmed.text  # the offers stay on the page
    assert _appointments(desk) == []

    done = op1.post(url, data={"csrf_token": token, "department": DEPARTMENT,
                               "slot_id": first, "confirmed": "true"})
    assert done.status_code == 303
    [appointment] = _appointments(desk)
    assert done.headers["location"] == (
        f"{url}?booked={appointment.id}&patient={appointment.patient_id}"
    )
    [appointment] = _appointments(desk)
    assert appointment.slot_id == int(first) and appointment.status == AppointmentStatus.BOOKED
    assert (appointment.booked_by_number, appointment.call_id) == (ZHANG, CALLER_SID)
    with desk.server.db.session() as session:
        op1_id = session.scalar(select(StaffUser.id).where(StaffUser.username == "op1"))
        hospital_id = session.scalar(select(Department.hospital_id).where(
            Department.id == appointment.department_id))
    assert op1_id is not None and appointment.booked_by_staff_id == op1_id  # who booked it
    assert hospital_id is not None
    add_staff(desk.server.db, "desk1", StaffRole.HOSPITAL_STAFF, hospital_id=hospital_id)
    with desk.server.client() as nurse:
        assert sign_in(nurse, "desk1").status_code == 303
        day_list = nurse.get(f"/hospital/{hospital_id}",
                             params={"day": appointment.day.isoformat()})
        assert day_list.status_code == 200
        row = re.search(rf'id="appt-{appointment.id}".*?</tr>', day_list.text, re.S)
        assert row is not None, day_list.text[-2000:]
        assert "调度员代约" in row.group(0) and "电话预约" not in row.group(0)
    with desk.server.db.session() as session:
        sms = session.scalars(select(OutboxMessage).where(OutboxMessage.to_number == ZHANG)).all()
        assert any("心血管内科" in m.body for m in sms)  # the confirmation, as by phone
        reminder = session.scalars(select(ScheduledJob.key).where(
            ScheduledJob.key.startswith(f"remind_appointment:{appointment.id}:")
        )).all()
        assert reminder  # the reminder call the day before, as for a phone booking
    # What was booked, to read back: hospital, department, doctor, day and time.
    with desk.server.db.session() as session:
        [live] = booking.live_bookings(session, person_id=appointment.patient_id,
                                       today=appointment.day)
    after = op1.get(done.headers["location"])
    assert after.status_code == 200
    notice = re.search(r'id="booking-done"[^>]*>(.*?)</p>', after.text, re.S)
    assert notice is not None, after.text[-2000:]
    for part in (live.hospital, DEPARTMENT, live.doctor, f"{appointment.day.month}月"
                 f"{appointment.day.day}日", f"{live.start_time:%H:%M}"):
        assert part in notice.group(1), (part, notice.group(1))
    # ... and the caller's bookings are listed on the page from now on.
    listed = re.search(rf'id="live-{appointment.id}">(.*?)</li>', after.text, re.S)
    assert listed is not None and live.doctor in listed.group(1)
    assert 'id="no-live-bookings"' not in after.text
    # The department again: that day is not offered, and the page says why.
    again_page = op1.get(url, params={"department": DEPARTMENT})
    assert 'id="same-department"' in again_page.text and live.when in again_page.text
    assert f'value="{first}"' not in again_page.text
    # A booking in another department does not warn about this one.
    other = op1.get(url, params={"department": "眼科"})
    assert other.status_code == 200 and 'id="same-department"' not in other.text
    # Another appointment id in the URL (not the caller's) shows no notice.
    assert 'id="booking-done"' not in op1.get(url, params={"booked": appointment.id + 1}).text

    # The same slot again (a stale page): refused with the booking service's reason.
    again = op1.post(url, data={"csrf_token": token, "department": DEPARTMENT,
                                "slot_id": first, "confirmed": "true"})
    assert again.status_code in (400, 409) and "没有挂号" in again.text
    assert 'id="booking-done"' not in again.text
    assert len(_appointments(desk)) == 1
    op1.close()


def test_only_the_operator_on_the_line_and_only_for_a_registered_caller(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    request_id = desk.connected(CALLER_SID, ZHANG)
    url = f"/dispatch/operators/{request_id}/booking"
    op2, token2 = desk.operator("op2")
    assert f'href="{url}"' not in op2.get("/dispatch/operators.html").text
    seen = op2.get(url, params={"department": DEPARTMENT})
    assert seen.status_code == 409 and "只有正在和这位来电者通话的调度员" in seen.text
    with_slot = op2.post(url, data={"csrf_token": token2, "slot_id": "1", "confirmed": "true"})
    assert with_slot.status_code == 409
    assert _appointments(desk) == []
    op2.close()

    db = desk.server.db
    add_staff(db, "nurse", StaffRole.HOSPITAL_STAFF, hospital_id=add_hospital(db))
    nurse = desk.server.client()
    assert sign_in(nurse, "nurse").status_code == 303
    assert nurse.get(url).status_code == 403
    token = csrf_from(nurse.get("/hospital", follow_redirects=True).text)
    assert nurse.post(url, data={"csrf_token": token, "slot_id": "1"}).status_code == 403
    nurse.close()
    with desk.server.client() as anonymous:
        assert anonymous.get(url).status_code == 303

    stranger = desk.connected(STRANGER_SID, STRANGER)
    op1, _ = desk.operator("op1")
    unregistered = op1.get(f"/dispatch/operators/{stranger}/booking")
    assert unregistered.status_code == 400 and "请先点“登记为老人”" in unregistered.text
    op1.close()


def test_a_caller_registered_without_an_id_number_is_told_why_booking_cannot_be_done(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    request_id = desk.connected(STRANGER_SID, STRANGER)
    op1, token = desk.operator("op1")
    with desk.server.db.session() as session:
        community = session.scalars(select(Community.id).order_by(Community.id)).first()
    registered = op1.post(f"/dispatch/operators/{request_id}/register", data={
        "csrf_token": token, "full_name": "周桂兰", "home_address": "五华区华山南路12号",
        "consented": "true", "community_id": str(community),
    })
    assert registered.status_code == 303
    url = f"/dispatch/operators/{request_id}/booking"
    page = op1.get(url, params={"department": DEPARTMENT})
    assert page.status_code == 200 and 'id="no-id-number"' in page.text
    [slot, *_] = re.findall(r'name="slot_id" value="(\d+)"', page.text)
    refused = op1.post(url, data={"csrf_token": token, "department": DEPARTMENT,
                                  "slot_id": slot, "confirmed": "true"})
    assert refused.status_code == 400 and "没有挂号：电话挂号要实名" in refused.text
    assert _appointments(desk) == []
    op1.close()


DAUGHTER_SID = "CA" + "3" * 32


def _relative_of(desk: Desk, number: str) -> tuple[Person, FamilyContact]:
    with desk.server.db.session() as session:
        contact = session.scalars(select(FamilyContact).where(
            FamilyContact.phone == number, FamilyContact.may_act_for.is_(True)
        ).order_by(FamilyContact.id)).first()
        assert contact is not None
        person = session.get(Person, contact.person_id)
        assert person is not None
        session.expunge_all()
        return person, contact


def test_a_relative_on_the_line_books_for_their_parent_then_a_car_to_that_visit(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    """The caller is not registered themself but is the 女儿 a registered person lists as a
    family contact who may book for her: the operator books for the mother, as the phone
    flow would (the contact recorded), then offers the car to that appointment."""
    daughter = "+8613900000001"
    mother, contact = _relative_of(desk := make_desk(live_server_factory, fake_twilio), daughter)
    # 10 a.m. of the demo data's day: the earliest visits are within the days a car can be
    # booked for, and far enough ahead for one.
    today = local_today(desk.server.clock.now())
    desk.server.clock.set(datetime.combine(today, time(10), tzinfo=LOCAL_TZ).astimezone(UTC))
    request_id = desk.connected(DAUGHTER_SID, daughter)
    op1, token = desk.operator("op1")
    url = f"/dispatch/operators/{request_id}/booking"
    panel = op1.get("/dispatch/operators.html").text
    assert f'href="{url}"' in panel
    assert f"可为家人挂号：{mother.full_name}（来电者是老人的{contact.relation}）" in panel

    page = op1.get(url, params={"department": DEPARTMENT})
    assert page.status_code == 200, page.text[-1500:]
    title = re.search(r'<h2 id="booking-title">(.*?)</h2>', page.text, re.S)
    assert title is not None, page.text[-3000:]
    assert f"来电者是老人的{contact.relation}" in title.group(1), title.group(1)
    assert (mother.call_name or mother.full_name) in title.group(1)
    assert f'name="patient_id" value="{mother.id}"' in page.text
    [first, *_] = re.findall(r'name="slot_id" value="(\d+)"', page.text)
    done = op1.post(url, data={"csrf_token": token, "department": DEPARTMENT, "slot_id": first,
                               "confirmed": "true", "patient_id": str(mother.id)})
    assert done.status_code == 303, done.text[-1500:]
    [appointment] = _appointments(desk)
    assert appointment.patient_id == mother.id
    assert appointment.booked_by_contact_id == contact.id  # as a family booking by phone
    assert appointment.booked_by_number == daughter
    assert done.headers["location"] == f"{url}?booked={appointment.id}&patient={mother.id}"

    after = op1.get(done.headers["location"]).text
    assert 'id="booking-done"' in after and 'id="trip-offer"' in after, after[-3000:]
    assert 'id="trip-refused"' not in after
    with desk.server.db.session() as session:
        planned = hospital_trips.planned_pickup(
            session, appointment_id=appointment.id, now=desk.server.clock.now(),
            settings=desk.server.settings,
        )
    trip_url = f"{url}/{appointment.id}/trip"
    # Another operator may not book the car for this caller.
    op2, token2 = desk.operator("op2")
    assert op2.post(trip_url, data={"csrf_token": token2}).status_code == 409
    op2.close()
    booked = op1.post(trip_url, data={"csrf_token": token, "patient_id": str(mother.id)})
    assert booked.status_code == 303 and booked.headers["location"].endswith("&trip=booked")
    with desk.server.db.session() as session:
        trip = session.scalars(select(HospitalTrip)).one()
        ride = session.get(Ride, trip.ride_id)
        assert trip.appointment_id == appointment.id and ride is not None
        assert ride.person_id == mother.id and ride.caller_number == daughter
        assert ride.status == RideStatus.SCHEDULED and ride.to_hospital
        assert ride.pickup_at == planned  # the pickup the page offered
    shown = op1.get(booked.headers["location"]).text
    assert 'id="trip-done"' in shown and 'id="trip-form"' not in shown
    # Once booked, the offer is not made again and a second click books nothing.
    again = op1.post(trip_url, data={"csrf_token": token, "patient_id": str(mother.id)})
    assert again.status_code == 303
    with desk.server.db.session() as session:
        assert len(session.scalars(select(HospitalTrip)).all()) == 1
    op1.close()


def test_a_relative_cannot_book_for_someone_who_did_not_list_their_number(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    daughter = "+8613900000001"
    desk = make_desk(live_server_factory, fake_twilio)
    mother, _ = _relative_of(desk, daughter)
    with desk.server.db.session() as session:
        stranger = session.scalars(select(Person).where(
            Person.id != mother.id, Person.id_number.is_not(None)
        ).order_by(Person.id)).first()
        assert stranger is not None
        stranger_id = stranger.id
    request_id = desk.connected(DAUGHTER_SID, daughter)
    op1, token = desk.operator("op1")
    url = f"/dispatch/operators/{request_id}/booking"
    refused = op1.get(url, params={"patient": stranger_id, "department": DEPARTMENT})
    assert refused.status_code == 400 and "没有把来电号码登记为可以代挂号的家属" in refused.text
    page = op1.get(url, params={"department": DEPARTMENT, "patient": mother.id}).text
    [slot, *_] = re.findall(r'name="slot_id" value="(\d+)"', page)
    posted = op1.post(url, data={"csrf_token": token, "department": DEPARTMENT, "slot_id": slot,
                                 "confirmed": "true", "patient_id": str(stranger_id)})
    assert posted.status_code == 400 and "没有把来电号码登记为可以代挂号的家属" in posted.text
    assert _appointments(desk) == []
    # Nor a car to someone else's appointment, booked by the hospital staff say.
    with desk.server.db.session() as session:
        from app.hospital import appointments as service
        from app.hospital.offers import find_offers
        [free] = find_offers(session, department="眼科", patient_id=stranger_id,
                             now=desk.server.clock.now(), limit=1)
        theirs = service.book(session, slot_id=free.slot_id, patient_id=stranger_id,
                              now=desk.server.clock.now(), booked_by_number=None, notify=False)
        theirs_id = theirs.id
    car = op1.post(f"{url}/{theirs_id}/trip", data={"csrf_token": token})
    assert car.status_code == 400 and "不是来电者或其家属的" in car.text
    with desk.server.db.session() as session:
        assert session.scalars(select(HospitalTrip)).all() == []
    op1.close()
