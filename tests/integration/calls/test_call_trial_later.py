"""What the user trial of the merged code found on the call paths (calls simulated with
the demo data, Monday 2026-11-30 07:00 in Kunming), played as whole calls through the real
flows, understanding and database: a car for later is booked ahead, never sent now; a
booked car given up at the first menu is cancelled after its read-back; a cancelled
appointment takes the car booked for it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.callflow.messages import CallStarted, Keys, Listen, Say, Silence
from app.calls.enums import CallChannel
from app.calls.service import CallService
from app.core.db import Database
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment, AppointmentReminder
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.booked import book_ride, kunming
from support.calls import HOTLINE, all_said, demo_call_service, last_four, local_pickup, rides
from support.calls import play as call

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # 07:00 in Kunming
ZHANG = "+8613800000001"  # 张奶奶 (张秀英): a home, an ID number on file


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


# --- 1. a car for later is booked ahead, never sent now ---------------------------------


@pytest.mark.parametrize(
    "words", ["约个车", "帮我约个车", "预约个车", "后天早上约个车", "我明天早上要车"]
)
def test_a_car_for_later_said_at_the_menu_is_booked_ahead_not_sent_now(
    service: CallService, db: Database, words: str
) -> None:
    lines = call(service, ZHANG, words, "hangup")
    assert "车已经叫了" not in all_said(lines)
    assert "几点钟用车" in all_said(lines) or "哪天用车" in all_said(lines)
    assert not [r for r in rides(db) if r.status == RideStatus.QUEUED]


@pytest.mark.parametrize(
    ("words", "day_said"),
    [("后天早上约个车", "后天几点钟用车"), ("我明天早上要车", "明天几点钟用车")],
)
def test_the_day_said_with_the_request_is_kept(
    service: CallService, words: str, day_said: str
) -> None:
    lines = call(service, ZHANG, words, "hangup")
    assert day_said in all_said(lines)
    assert "哪天用车" not in all_said(lines)


def test_a_booking_with_its_day_said_later_is_booked_for_that_day(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "约个车", "后天晌午饭后", "要得")
    assert "车已经叫了" not in all_said(lines)
    (ride,) = rides(db)
    assert ride.status == RideStatus.SCHEDULED
    assert local_pickup(ride).date() == date(2026, 12, 2)


def test_a_car_now_is_still_a_car_now(service: CallService, db: Database) -> None:
    lines = call(service, ZHANG, "叫个车", "1")
    assert "车已经叫了" in all_said(lines)
    assert [r.status for r in rides(db)] == [RideStatus.QUEUED]


# --- 3. a booked car given up at the start of the call ----------------------------------


def _book_tomorrow(service: CallService, db: Database) -> None:
    call(service, ZHANG, "3", "2", "八点", "1")
    (ride,) = rides(db)
    assert ride.status == RideStatus.SCHEDULED


@pytest.mark.parametrize("words", ["明天的车不要了", "取消明天的车"])
def test_a_booked_car_given_up_at_the_menu_is_read_back_and_cancelled_with_8(
    service: CallService, db: Database, words: str
) -> None:
    _book_tomorrow(service, db)
    lines = call(service, ZHANG, words, last_four(db), "8")
    assert "什么都没有办" not in all_said(lines)
    assert "您预约了明天早上8点，到家接的车" in all_said(lines)
    assert "明天早上8点的车要取消吗？取消，请按8。" in all_said(lines)
    assert [r.status for r in rides(db)] == [RideStatus.CANCELLED]


def test_a_booked_car_given_up_then_kept_with_2_stays(service: CallService, db: Database) -> None:
    _book_tomorrow(service, db)
    lines = call(service, ZHANG, "明天的车不要了", last_four(db), "2", "hangup")
    assert "好的，车给您留着" in all_said(lines)
    assert [r.status for r in rides(db)] == [RideStatus.SCHEDULED]


def test_no_booked_car_on_the_day_said_reads_the_car_of_its_own_day(
    service: CallService, db: Database
) -> None:
    """Ninth trial: "没有找到您预约的车" when the car was on another day. That day has none,
    the caller's car is read (after the last four digits) and asked about; nothing is
    cancelled without the cancel key."""
    _book_tomorrow(service, db)
    lines = call(service, ZHANG, "后天的车不要了", last_four(db), "hangup")
    said = all_said(lines)
    assert "没有找到您预约的车" not in said
    assert "后天没有约车。" in said and "的车要取消吗" in said, lines
    assert [r.status for r in rides(db)] == [RideStatus.SCHEDULED]


# --- 2. a cancelled appointment takes the car booked for it ------------------------------

BOOK_CARDIOLOGY = ("2", "1", "1", "1")  # 挂号, 内科, 心血管内科, the earliest (Tue 8:00)


def _appointment_status(db: Database) -> AppointmentStatus:
    with db.session() as session:
        (appointment,) = session.scalars(select(Appointment)).all()
        return appointment.status


@pytest.mark.parametrize("after", [(), ("hangup",)])
def test_cancelling_the_appointment_by_phone_cancels_the_car_booked_for_it(
    service: CallService, db: Database, after: tuple[str, ...]
) -> None:
    booked = call(service, ZHANG, *BOOK_CARDIOLOGY, "1")
    assert "车也会一起取消" in all_said(booked)
    (ride,) = rides(db)
    assert ride.status == RideStatus.SCHEDULED
    lines = call(service, ZHANG, "2", "2", last_four(db), "8", "8", *after)
    assert "送去医院的车也会一起取消。取消，请再按8" in all_said(lines)
    assert "明天早上7点15分去医院的车也一起取消了" in all_said(lines)
    assert "车给您留着" not in all_said(lines)
    assert _appointment_status(db) == AppointmentStatus.CANCELLED
    assert [r.status for r in rides(db)] == [RideStatus.CANCELLED]


@pytest.mark.parametrize("words", ["车也不要了", "不要了"])
def test_a_ride_booked_before_and_joined_is_cancelled_on_never_mind_words(
    service: CallService, db: Database, words: str
) -> None:
    ride_id = book_ride(db, number=ZHANG, pickup=kunming(1, 7), now=NOW)
    with db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None
        ride.destination = "春城第一人民医院"
    call(service, ZHANG, *BOOK_CARDIOLOGY)
    lines = call(service, ZHANG, "2", "2", last_four(db), "8", "8", words)
    said = all_said(lines)
    assert "车也取消吗" in said
    assert "车给您留着" not in said
    # The booking first, then its car, and the booking not said again after the car.
    assert said.index("号已经取消了") < said.index("车也取消了")
    assert said.count("号已经取消了") == 1
    assert [r.status for r in rides(db)] == [RideStatus.CANCELLED]


def test_a_ride_booked_before_and_joined_stays_on_a_hang_up(
    service: CallService, db: Database
) -> None:
    ride_id = book_ride(db, number=ZHANG, pickup=kunming(1, 7), now=NOW)
    with db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None
        ride.destination = "春城第一人民医院"
    call(service, ZHANG, *BOOK_CARDIOLOGY)
    call(service, ZHANG, "2", "2", last_four(db), "8", "8", "hangup")
    assert _appointment_status(db) == AppointmentStatus.CANCELLED
    assert [r.status for r in rides(db)] == [RideStatus.SCHEDULED]


def test_cancelling_in_the_reminder_call_cancels_the_car_booked_for_it(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, *BOOK_CARDIOLOGY, "1")  # booked for tomorrow 8:00, with a car
    with db.session() as session:
        (appointment,) = session.scalars(select(Appointment)).all()
        reminder = session.scalars(
            select(AppointmentReminder).where(
                AppointmentReminder.appointment_id == appointment.id
            )
        ).first()
        if reminder is None:
            reminder = AppointmentReminder(appointment_id=appointment.id, attempt=1, due_at=NOW)
            session.add(reminder)
        reminder.call_sid = "CA-reminder"
    said: list[str] = []
    turns = [CallStarted(ZHANG, HOTLINE, flow="reminder"), Keys("2"), Keys(last_four(db)),
             Keys("8")]
    for number, event in enumerate(turns):
        result = service.handle(
            call_id="CA-reminder", event=event, event_key=f"e{number}",
            channel=CallChannel.TWILIO,
        )
        said += [o.text for o in result.outputs if isinstance(o, Say)]
    assert any("送去医院的车也会一起取消。取消，请按8" in text for text in said), said
    heard = "".join(said)
    assert "明天早上7点15分去医院的车也一起取消了" in heard, said
    # Booking before car, as everywhere else in the product; the booking said once.
    assert heard.index("这个号已经取消了") < heard.index("去医院的车也一起取消了"), said
    assert heard.count("号已经取消了") == 1, said
    assert _appointment_status(db) == AppointmentStatus.CANCELLED
    assert [r.status for r in rides(db)] == [RideStatus.CANCELLED]


# --- 4. the emergency advice: one instruction ---------------------------------------------


@pytest.mark.parametrize("turns", [("胸口疼得很",), ("2", "头晕", "2")], ids=["said", "key"])
def test_the_emergency_advice_never_orders_both_to_hang_up_and_to_hold(
    service: CallService, turns: tuple[str, ...]
) -> None:
    lines = call(service, ZHANG, *turns)
    (advice,) = [line for line in lines if "120" in line]
    assert advice.startswith("热线（慢速）：")
    assert "请马上拨打120。" in advice
    assert "挂断" not in advice  # no order to hang up before the person comes on
    assert "您也可以不挂电话，我们马上给您转人工" in advice
    assert any("[转接人工：emergency]" in line for line in lines), lines


# --- 5. no new booking is not "no booking" ------------------------------------------------


@pytest.mark.parametrize(
    "turns",
    [("2", "不消了"), ("2", "1", "1", "1", "2")],
    ids=["never-mind-at-has-booking", "no-second-visit-same-department"],
)
def test_no_new_booking_beside_one_made_says_the_old_one_is_kept(
    service: CallService, db: Database, turns: tuple[str, ...]
) -> None:
    call(service, ZHANG, *BOOK_CARDIOLOGY, "2")  # booked, no car
    lines = call(service, ZHANG, *turns, "hangup")
    assert "已经挂了" in all_said(lines)
    assert "好的，没有挂新的号。原来挂的号还在，给您留着。" in all_said(lines)
    assert "好的，没有挂号。" not in all_said(lines)
    assert _appointment_status(db) == AppointmentStatus.BOOKED


def test_no_booking_without_one_made_is_still_plain(service: CallService) -> None:
    lines = call(service, ZHANG, "2", "1", "算了", "hangup")
    assert "好的，没有挂号。" in all_said(lines)
    assert "原来挂的号" not in all_said(lines)


# --- 6. a wrong check character: the number is wrong, no digit named --------------------


def test_a_wrong_16th_digit_says_the_number_is_wrong_without_naming_a_digit(
    service: CallService, db: Database
) -> None:
    number = "+8613800000010"  # 马大爹 (born 1947-01-15), no ID number on file
    right = "530111194701150017"
    wrong = right[:15] + "2" + right[16:]  # the 16th digit mistyped
    lines = call(service, number, "2", wrong, right, "1", "1", "1", "1")
    assert "身份证号不对，请再按一遍。" in all_said(lines)
    assert "最后一位不对" not in all_said(lines)
    with db.session() as session:
        assert len(session.scalars(select(Appointment)).all()) == 1


# --- 7. two-digit hours by keypad -----------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "hour"), [("10", 10), ("11", 11), ("12", 12), ("7", 7), ("2", 14), ("20", 20)]
)
def test_hours_are_keyed_with_one_or_two_keys(
    service: CallService, db: Database, keys: str, hour: int
) -> None:
    lines = call(service, ZHANG, "3", "2", keys, "1")  # 约车, tomorrow, the hour, yes
    assert "[转接人工" not in all_said(lines)
    (ride,) = rides(db)
    assert ride.status == RideStatus.SCHEDULED
    assert local_pickup(ride).date() == date(2026, 12, 1)
    assert (local_pickup(ride).hour, local_pickup(ride).minute) == (hour, 0)


def test_the_hour_question_takes_two_keys_and_says_how(service: CallService) -> None:
    lines = call(service, ZHANG, "3", "2", "", "hangup")
    asked = [line for line in lines if "几点钟用车" in line]
    assert len(asked) == 2  # the question, then its re-prompt after the silence
    for line in asked:  # both name the keys, a two-digit hour included
        assert "七点，按7" in line and "十点，按1再按0" in line, line


def test_the_hour_question_waits_for_a_second_key_before_answering(
    service: CallService,
) -> None:
    """What the transports get: a keypad answer of up to two keys, ended by # (so "1 then
    0" reaches the flow as 10, not as 下午1点 and then 0 for a person); the question after
    a silence waits for two keys as well."""
    listens: list[Listen] = []
    turns = [CallStarted(ZHANG, HOTLINE), Keys("3"), Keys("2"), Silence()]
    for number, event in enumerate(turns):
        result = service.handle(
            call_id="CA-hour", event=event, event_key=f"e{number}",
            channel=CallChannel.TWILIO,
        )
        listens += [o for o in result.outputs if isinstance(o, Listen)]
    at_hour = listens[-2:]  # the hour question, then its re-prompt
    assert [(lis.max_digits, lis.finish_on_key) for lis in at_hour] == [(2, "#"), (2, "#")]
    assert all(lis.timeout_s >= 8 for lis in at_hour)  # the older caller's time to answer
