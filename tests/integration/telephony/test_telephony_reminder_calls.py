"""The reminder call the day before an appointment, over signed Twilio webhooks: the
scheduler places it through the outbox, Twilio's answer request starts the reminder
flow, keys cancel (2, last four digits, 8) or book the car (3, then 1), and the status
callback retries an unanswered call and finally texts the family. Clock controlled."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from telephony_harness import HOTLINE, Hotline
from test_telephony_webhooks import gather_step, press, spoken

from app.core.db import Database
from app.hospital import appointments
from app.hospital.enums import AppointmentStatus, SlotStatus
from app.hospital.models import Appointment, AppointmentReminder, Schedule, Slot
from app.hotline import build_call_service
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.notify.outgoing import Outgoing
from app.notify.sender import TwilioSender, flow_call_urls
from app.people.models import Person
from app.scheduler.models import ScheduledJob
from app.scheduler.runner import Scheduler
from app.taxi.enums import RideStatus
from app.taxi.models import HospitalTrip, Ride
from support.booked import book_ride, kunming
from support.demo import demo_data
from support.fake_twilio import FakeTwilio

ZHANG = "+8613800000001"  # 张秀英; family: 李梅 +8613900000001, 李强 +8613900000002
BOOKED_AT = kunming(30, 9)  # Monday 09:00
REMIND_AT = kunming(30, 10)  # Monday 10:00: IVR_APPOINTMENT_REMINDER_HOUR the day before


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(BOOKED_AT)


@pytest.fixture
def reminder_line(hotline: Hotline, clock: Clock) -> Hotline:
    """The hotline with demo data and the test's clock; 张秀英 booked for Tuesday 8:00."""
    demo_data(hotline.db, today=date(2026, 11, 30))
    hotline.app.state.call_service = build_call_service(
        hotline.settings, hotline.app.state.db, clock=clock  # the real understanding
    )
    with hotline.db.session() as session:
        patient = session.scalars(select(Person).where(Person.full_name == "张秀英")).one()
        slot_id = session.scalars(
            select(Slot.id)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .where(
                Schedule.day == date(2026, 12, 1),
                Slot.status == SlotStatus.FREE,
                Slot.reserved_for_onsite.is_(False),
                Slot.reserved_for_family_doctor.is_(False),
            )
            .order_by(Slot.start_time, Slot.id)
        ).first()
        appointments.book(
            session, slot_id=slot_id, patient_id=patient.id, now=BOOKED_AT,
            booked_by_number=ZHANG,
        )
    return hotline


def _scheduler(line: Hotline, clock: Clock) -> Scheduler:
    return Scheduler(line.app.state.db, line.settings, clock=clock)


def _calls_placed(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == OutboxKind.FLOW_CALL)
                .order_by(OutboxMessage.id)
            )
        )


def _twilio_urls(line: Hotline, message: OutboxMessage) -> tuple[str, str]:
    """What the sender gives Twilio: the answer and status paths (public base removed)."""
    outgoing = Outgoing(message.id, message.kind, message.to_number, message.body,
                        message.created_at)
    answer, status = flow_call_urls(line.settings, outgoing)
    base = line.settings.public_base_url
    return answer.removeprefix(base), status.removeprefix(base)


def _reminders(db: Database) -> list[AppointmentReminder]:
    with db.session() as session:
        return list(
            session.scalars(select(AppointmentReminder).order_by(AppointmentReminder.attempt))
        )


def _answer(line: Hotline, path: str, sid: str) -> str:
    response = line.post(path, {"CallSid": sid, "From": HOTLINE, "To": ZHANG,
                                "CallStatus": "in-progress"})
    assert response.status_code == 200, response.text
    return response.text


def _status(line: Hotline, path: str, sid: str, status: str) -> None:
    response = line.post(path, {"CallSid": sid, "CallStatus": status})
    assert response.status_code == 200, response.text


def _place(line: Hotline, clock: Clock) -> OutboxMessage:
    _scheduler(line, clock).run_once()
    placed = _calls_placed(line.db)
    assert placed, "no reminder call placed"
    return placed[-1]


def _last_four(db: Database) -> str:
    with db.session() as session:
        person = session.scalars(select(Person).where(Person.full_name == "张秀英")).one()
        assert person.id_number is not None
        return person.id_number[-4:].replace("X", "*")


def test_the_reminder_is_placed_the_day_before_at_ten_once(
    reminder_line: Hotline, clock: Clock
) -> None:
    clock.now = kunming(30, 9, 59)
    _scheduler(reminder_line, clock).run_once()
    assert _calls_placed(reminder_line.db) == []
    clock.now = REMIND_AT
    _scheduler(reminder_line, clock).run_once()
    _scheduler(reminder_line, clock).run_once()  # a second scheduler, the same moment
    (placed,) = _calls_placed(reminder_line.db)
    assert placed.to_number == ZHANG
    answer, status = _twilio_urls(reminder_line, placed)
    assert answer.startswith("/twilio/reminder/answer?reminder=")
    assert parse_qs(urlsplit(status).query)["ref"] == [str(placed.id)]


def test_key_2_cancels_after_the_last_four_digits_and_a_confirmation(
    reminder_line: Hotline, clock: Clock
) -> None:
    clock.now = REMIND_AT
    answer, status = _twilio_urls(reminder_line, _place(reminder_line, clock))
    sid = "CA" + "2" * 32
    first = _answer(reminder_line, answer, sid)
    said = spoken(first)
    assert "张奶奶您好，这里是长者服务热线。明天星期二上午8点在春城第一人民医院看" in said
    assert "记得带身份证。要取消这个号，请按2；要约车，请按3；再听一遍，请按星号。" in said
    ask = press(reminder_line, gather_step(first), "2", sid=sid)
    assert "身份证号的最后4位" in spoken(ask)
    confirm = press(reminder_line, gather_step(ask), _last_four(reminder_line.db), sid=sid)
    assert "的号吗？取消，请按8。不取消，请按1。" in spoken(confirm)
    with reminder_line.db.session() as session:  # nothing cancelled before the 8
        assert session.scalars(select(Appointment.status)).one() == AppointmentStatus.BOOKED
    done = press(reminder_line, gather_step(confirm), "8", sid=sid)
    assert "这个号已经取消了" in spoken(done)
    _status(reminder_line, status, sid, "completed")
    with reminder_line.db.session() as session:
        assert session.scalars(select(Appointment.status)).one() == AppointmentStatus.CANCELLED
    (reminder,) = _reminders(reminder_line.db)
    assert (reminder.status, reminder.answer, reminder.call_sid) == ("answered", "cancelled", sid)
    assert reminder.call_status == "completed"


def test_key_3_reads_the_car_back_and_1_books_it_linked_to_the_appointment(
    reminder_line: Hotline, clock: Clock
) -> None:
    clock.now = REMIND_AT
    answer, status = _twilio_urls(reminder_line, _place(reminder_line, clock))
    sid = "CA" + "3" * 32
    first = _answer(reminder_line, answer, sid)
    offer = press(reminder_line, gather_step(first), "3", sid=sid)
    assert "车明天早上7点15分到家接您，送到春城第一人民医院。约这辆车，请按1。" in spoken(offer)
    assert reminder_line.rides() == []  # read back first, nothing booked yet
    done = press(reminder_line, gather_step(offer), "1", sid=sid)
    assert "车约好了" in spoken(done)
    _status(reminder_line, status, sid, "completed")
    with reminder_line.db.session() as session:
        ride = session.scalars(select(Ride)).one()
        trip = session.scalars(select(HospitalTrip)).one()
        appointment = session.scalars(select(Appointment)).one()
    assert ride.status == RideStatus.SCHEDULED and ride.to_hospital
    assert trip.ride_id == ride.id and trip.appointment_id == appointment.id
    (reminder,) = _reminders(reminder_line.db)
    assert reminder.answer == "ride_booked"


def test_key_3_names_a_car_booked_elsewhere_that_hour_keeps_it_and_a_person_helps(
    reminder_line: Hotline, clock: Clock
) -> None:
    """A car at 8:00 to another hospital: a 7:15 car would double it, so none is offered;
    that car is named, left as it is, and a person can change it."""
    ride_id = book_ride(reminder_line.db, number=ZHANG, pickup=kunming(1, 8), now=BOOKED_AT)
    with reminder_line.db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None
        ride.destination = "滇池老年病医院"
    clock.now = REMIND_AT
    answer, _ = _twilio_urls(reminder_line, _place(reminder_line, clock))
    sid = "CA" + "4" * 32
    first = _answer(reminder_line, answer, sid)
    said = spoken(press(reminder_line, gather_step(first), "3", sid=sid))
    assert "您明天早上8点已经约了车，去滇池老年病医院。这辆车不变。" in said
    assert "工作人员帮您" in said and "约这辆车" not in said
    with reminder_line.db.session() as session:
        (ride,) = session.scalars(select(Ride)).all()
        assert session.scalars(select(HospitalTrip)).all() == []
    assert ride.id == ride_id and ride.destination == "滇池老年病医院"
    assert ride.pickup_at == kunming(1, 8) and ride.status == RideStatus.SCHEDULED
    (reminder,) = _reminders(reminder_line.db)
    assert reminder.answer == "person"


def test_an_unanswered_reminder_is_tried_three_times_then_the_family_is_texted(
    reminder_line: Hotline, clock: Clock
) -> None:
    clock.now = REMIND_AT
    for attempt in (1, 2, 3):
        placed = _place(reminder_line, clock)
        _, status = _twilio_urls(reminder_line, placed)
        sid = f"CA{attempt:032d}"
        _status(reminder_line, status, sid, "ringing")  # interim: nothing happens
        _status(reminder_line, status, sid, "no-answer")
        _status(reminder_line, status, sid, "no-answer")  # Twilio retried the callback
        assert len(_reminders(reminder_line.db)) == min(attempt + 1, 3)
        if attempt < 3:
            _scheduler(reminder_line, clock).run_once()  # not due yet: no call
            assert len(_calls_placed(reminder_line.db)) == attempt
            clock.now += timedelta(minutes=30)
    assert len(_calls_placed(reminder_line.db)) == 3
    reminders = _reminders(reminder_line.db)
    assert [r.status for r in reminders] == ["unanswered"] * 3
    assert [r.call_status for r in reminders] == ["no-answer"] * 3
    assert reminders[-1].answer == "family_told"
    with reminder_line.db.session() as session:
        sms = list(
            session.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.SMS))
        )
        jobs = list(session.scalars(select(ScheduledJob.key).where(
            ScheduledJob.key.like("remind_appointment:%"))))
    told = [m for m in sms if "提醒电话打了3次都没有人接" in m.body]
    assert {m.to_number for m in told} == {"+8613900000001", "+8613900000002"}
    assert len(jobs) == 3  # one keyed job per try, none twice


def test_the_answer_request_is_signed(reminder_line: Hotline, clock: Clock) -> None:
    clock.now = REMIND_AT
    answer, _ = _twilio_urls(reminder_line, _place(reminder_line, clock))
    response = reminder_line.post(answer, {"CallSid": "CA" + "9" * 32, "To": ZHANG},
                                  signature="forged")
    assert response.status_code == 403
    assert reminder_line.calls() == 0
    assert json.loads(_calls_placed(reminder_line.db)[0].body)["answer"] == answer


def test_the_reminder_call_asks_twilio_for_machine_detection(
    reminder_line: Hotline, clock: Clock, fake_twilio: FakeTwilio
) -> None:
    """At the HTTP boundary: the real twilio client, through the sender, against the fake
    Twilio API: the call is created with MachineDetection and the answer URL."""
    clock.now = REMIND_AT
    placed = _place(reminder_line, clock)
    settings = reminder_line.settings.model_copy(update={
        "twilio_account_sid": fake_twilio.account_sid,
        "twilio_auth_token": fake_twilio.auth_token,
        "twilio_from_number": HOTLINE,
        "twilio_api_base": fake_twilio.url,
    })
    outgoing = Outgoing(placed.id, placed.kind, placed.to_number, placed.body, placed.created_at)
    sid = TwilioSender(settings, timeout=2).send(outgoing)
    (request,) = fake_twilio.creates("Calls")
    assert request.form["MachineDetection"] == "DetectMessageEnd"
    assert request.form["To"] == ZHANG
    answer, _ = _twilio_urls(reminder_line, placed)
    assert request.form["Url"] == reminder_line.settings.public_base_url + answer
    assert sid.startswith("CA")


def test_an_answering_machine_hears_a_short_message_no_menu_and_is_tried_again(
    reminder_line: Hotline, clock: Clock
) -> None:
    clock.now = REMIND_AT
    answer, status = _twilio_urls(reminder_line, _place(reminder_line, clock))
    sid = "CA" + "5" * 32
    response = reminder_line.post(answer, {"CallSid": sid, "From": HOTLINE, "To": ZHANG,
                                           "CallStatus": "in-progress",
                                           "AnsweredBy": "machine_end_beep"})
    assert response.status_code == 200, response.text
    assert "<Gather" not in response.text and "<Hangup" in response.text
    said = spoken(response.text)
    assert "提醒您明天去医院看病" in said
    assert "按" not in said and "心血管内科" not in said  # no menu, no details on a tape
    assert reminder_line.calls() == 0  # no flow started
    (reminder,) = _reminders(reminder_line.db)
    assert (reminder.status, reminder.answer, reminder.call_sid) == ("machine", "machine", sid)
    _status(reminder_line, status, sid, "completed")
    first, second = _reminders(reminder_line.db)
    assert (first.status, first.answer, first.call_status) == (
        "unanswered", "machine", "completed")
    assert second.attempt == 2 and second.status == "pending"
    assert second.due_at == REMIND_AT + timedelta(minutes=30)


def test_an_unsure_detection_is_taken_for_a_person_who_hears_the_menu(
    reminder_line: Hotline, clock: Clock
) -> None:
    clock.now = REMIND_AT
    answer, _ = _twilio_urls(reminder_line, _place(reminder_line, clock))
    response = reminder_line.post(answer, {"CallSid": "CA" + "6" * 32, "From": HOTLINE,
                                           "To": ZHANG, "CallStatus": "in-progress",
                                           "AnsweredBy": "unknown"})
    assert "要取消这个号，请按2" in spoken(response.text)
    (reminder,) = _reminders(reminder_line.db)
    assert reminder.status == "answered"
