"""An hour named with a yes at the hospital's offer ("好，10点的" at an offer of 明天上午8点)
is never booked as the slot offered: the slot at that hour of that day, else the nearest
one said so, is offered to be confirmed. The same at a booking read out and at a move
offer ("改到后天", "好，后天的", "好，3点的"): the move goes only where the caller said.
Whole calls through the real flows, understanding, booking rules and database."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.callflow.messages import CallStarted, Keys, Say, Speech
from app.calls.enums import CallChannel
from app.calls.service import CallService
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.hospital.models import Appointment, AppointmentReminder
from app.taxi.enums import RideStatus
from support.booked import book_ride
from support.calls import (
    HOTLINE,
    all_said,
    demo_call_service,
    last_four,
    local_pickup,
    rides,
    said_after,
)
from support.calls import play as call
from support.offer_calls import (
    CARDIOLOGY,
    FIRST_OFFER,
    NOW,
    TODAY,
    TUESDAY,
    WEDNESDAY,
    ZHANG,
    booked,
)


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


@pytest.mark.parametrize(
    ("answer", "heard", "start"),
    [
        # No slot at 10: said so, the nearest of that morning offered.
        ("好，10点的", "您说的是明天星期二上午10点。这天上午10点没有空的号，离得最近的号是："
         "明天星期二上午9点40分", "09:40"),
        ("行 十点钟那个", "这天上午10点没有空的号，离得最近的号是：明天星期二上午9点40分",
         "09:40"),
        # An afternoon hour: the slot at that hour, that afternoon.
        ("要得，下午三点的", "您说的是明天星期二下午3点。这天的号是：明天星期二下午3点",
         "15:00"),
        # Noon: no clinic at 12, the nearest is the afternoon's first.
        ("好，12点的", "您说的是明天星期二中午12点。这天中午12点没有空的号，离得最近的号是："
         "明天星期二下午2点", "14:00"),
        # An hour with a no: that hour's slot, not "这个号不挂".
        ("不行，十点的", "离得最近的号是：明天星期二上午9点40分", "09:40"),
    ],
)
def test_an_hour_named_at_the_offer_is_that_hours_slot_booked_only_when_confirmed(
    service: CallService, db: Database, answer: str, heard: str, start: str
) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, answer, "hangup")
    assert FIRST_OFFER in all_said(lines)
    after = said_after(lines, answer)
    assert heard in after and "挂好了" not in after, after
    assert booked(db) == []  # least of all 8:00
    lines = call(service, ZHANG, *CARDIOLOGY, answer, "1", "2")  # confirmed, no car
    assert "给您自己挂好了：明天星期二" in said_after(lines, answer)
    assert booked(db) == [(TUESDAY, start)]


def test_the_hour_offered_named_with_the_yes_books_at_once(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, "好，八点钟那个", "2")
    assert said_after(lines, "好，八点钟那个").startswith("热线：给您自己挂好了：明天星期二上午8点")
    assert booked(db) == [(TUESDAY, "08:00")]


def _book_tuesday_8(service: CallService) -> None:
    call(service, ZHANG, *CARDIOLOGY, "1", "2")  # 明天星期二上午8点, no car


DETAILS = "这个号留着，请按1。要改时间，请按3。"
SAID_TUESDAY_3 = "您说的是明天星期二下午3点。"
MOVE_TUESDAY_3 = "您自己的号可以改到：明天星期二下午3点"


@pytest.mark.parametrize(
    ("turns", "heard", "moved_to"),
    [
        # At the booking read out: a day said for it is the move to that day.
        (("改到后天",), "您说的是后天星期三。\n热线：您自己的号可以改到：后天星期三上午8点",
         (WEDNESDAY, "08:00")),
        (("对，后天的",), "您自己的号可以改到：后天星期三上午8点", (WEDNESDAY, "08:00")),
        (("后天下午的",), "您说的是后天星期三下午。\n热线：您自己的号可以改到：后天星期三下午2点",
         (WEDNESDAY, "14:00")),
        # An hour alone: of the booking's own day.
        (("改到下午三点",), f"{SAID_TUESDAY_3}\n热线：{MOVE_TUESDAY_3}", (TUESDAY, "15:00")),
        # At a move offer (明天下午2点): a yes naming another day or hour is no yes.
        (("3", "好，后天的"), "您自己的号可以改到：后天星期三上午8点", (WEDNESDAY, "08:00")),
        (("3", "好，3点的"), f"{SAID_TUESDAY_3}\n热线：{MOVE_TUESDAY_3}", (TUESDAY, "15:00")),
        # No slot at the hour said: said so, the nearest that morning offered.
        (("3", "好，后天10点的"),
         "您说的是后天星期三上午10点。这天上午10点没有空的号。\n热线：您自己的号可以改到："
         "后天星期三上午9点40分", (WEDNESDAY, "09:40")),
    ],
)
def test_a_day_or_hour_named_for_a_booking_moves_it_only_there_once_confirmed(
    service: CallService, db: Database, turns: tuple[str, ...], heard: str,
    moved_to: tuple[date, str],
) -> None:
    _book_tuesday_8(service)
    lines = call(service, ZHANG, "2", "2", last_four(db), *turns, "hangup")
    assert DETAILS in all_said(lines)
    after = said_after(lines, turns[-1])
    assert heard in after and "改好了" not in after and "没有听明白" not in after, after
    assert booked(db) == [(TUESDAY, "08:00")]  # not moved, least of all to 下午2点
    lines = call(service, ZHANG, "2", "2", last_four(db), *turns, "1")
    assert "您自己的号改好了" in said_after(lines, turns[-1])
    assert booked(db) == [moved_to]


def test_a_no_naming_the_day_of_a_move_offer_keeps_the_booking(
    service: CallService, db: Database
) -> None:
    _book_tuesday_8(service)
    lines = call(service, ZHANG, "2", "2", last_four(db), "3", "明天不行", "hangup")
    assert "好的，这个号给您留着。" in said_after(lines, "明天不行")
    assert booked(db) == [(TUESDAY, "08:00")]


# --- the car to the visit, offered once booked ------------------------------------------

CAR_OFFER = "车明天早上7点15分到家接。要，请按1"
CAR_AGAIN = "这辆车是明天早上7点15分到家接，是按看病的时间算好的。约这辆车，请按1"


def _car_pickups(db: Database) -> list[datetime]:
    return [local_pickup(r) for r in rides(db) if r.status == RideStatus.SCHEDULED]


@pytest.mark.parametrize("then", ["hangup", "1"])
def test_a_yes_naming_another_time_for_the_car_books_no_car_at_it(
    service: CallService, db: Database, then: str
) -> None:
    """"要，八点的" at the car offered at 早上7点15分 (for an 8:00 visit) booked the 7:15 car:
    the car's time is said again with why, booked only on a yes to it."""
    lines = call(service, ZHANG, *CARDIOLOGY, "1", "要，八点的", then)
    assert CAR_OFFER in all_said(lines)
    after = said_after(lines, "要，八点的")
    assert CAR_AGAIN in after, after
    if then == "hangup":
        assert "车约好了" not in after and _car_pickups(db) == []
    else:
        assert "好的，车约好了：明天早上7点15分" in after
        assert [p.strftime("%m-%d %H:%M") for p in _car_pickups(db)] == ["12-01 07:15"]


def test_another_time_for_the_car_said_twice_reaches_a_person_and_books_no_car(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, "1", "要，八点的", "八点的嘛")
    assert "工作人员帮您约" in said_after(lines, "八点的嘛")
    assert _car_pickups(db) == []


@pytest.mark.parametrize("answer", ["要", "要，明天早上的"])
def test_a_yes_naming_the_cars_time_or_nothing_books_it_at_once(
    service: CallService, db: Database, answer: str
) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, "1", answer)
    assert "好的，车约好了：明天早上7点15分" in said_after(lines, answer)
    assert len(_car_pickups(db)) == 1


def _reminder_call(service: CallService, db: Database, *turns: Keys | Speech) -> list[str]:
    """The reminder call the day before 张秀英's booking (明天上午8点): what it says."""
    _book_tuesday_8(service)
    with db.session() as session:
        appointment = session.scalars(select(Appointment)).one()
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
    for number, event in enumerate([CallStarted(ZHANG, HOTLINE, flow="reminder"), *turns]):
        result = service.handle(
            call_id="CA-reminder", event=event, event_key=f"e{number}",
            channel=CallChannel.TWILIO,
        )
        said += [o.text for o in result.outputs if isinstance(o, Say)]
    return said


def test_a_yes_naming_another_time_at_the_reminder_calls_car_books_no_car_at_it(
    service: CallService, db: Database
) -> None:
    said = _reminder_call(service, db, Keys("3"), Speech("约，八点的"))
    assert "车明天早上7点15分到家接您" in said[-2] and "约这辆车，请按1" in said[-2], said
    assert said[-1].startswith(CAR_AGAIN.removesuffix("约这辆车，请按1")), said
    assert _car_pickups(db) == []
    said = _reminder_call_more(service, Keys("1"))
    assert "车约好了" in said[-1], said
    assert [p.strftime("%m-%d %H:%M") for p in _car_pickups(db)] == ["12-01 07:15"]


def _reminder_call_more(service: CallService, *turns: Keys | Speech) -> list[str]:
    """More turns of the reminder call begun by `_reminder_call` (three events so far)."""
    said: list[str] = []
    for number, event in enumerate(turns, start=3):
        result = service.handle(
            call_id="CA-reminder", event=event, event_key=f"e{number}",
            channel=CallChannel.TWILIO,
        )
        said += [o.text for o in result.outputs if isinstance(o, Say)]
    return said


LATE_AGAIN = "换的车是明天早上7点15分到家接，是按看病的时间算好的。换成这辆车，请按1"


@pytest.mark.parametrize("then", ["hangup", "1"])
def test_a_yes_naming_another_time_for_the_earlier_car_books_none_at_it(
    service: CallService, db: Database, then: str
) -> None:
    """A car booked for 9:00 would miss the 8:00 visit: "换，八点的" at "换成明天早上7点15分…
    的车，请按1" booked the 7:15 car; now its time is said again, booked only on a yes."""
    _book_tuesday_8(service)
    lines = call(
        service, ZHANG, "明天上午九点叫个车去医院", "1", last_four(db), "换，八点的", then
    )
    assert "换成明天早上7点15分到家接" in all_said(lines)
    after = said_after(lines, "换，八点的")
    assert LATE_AGAIN in after, after
    if then == "hangup":
        assert "车约好了" not in after and _car_pickups(db) == []
    else:
        assert "车约好了：明天早上7点15分" in after, after
        assert [p.strftime("%m-%d %H:%M") for p in _car_pickups(db)] == ["12-01 07:15"]


@pytest.mark.parametrize("then", ["hangup", "1"])
def test_a_yes_naming_another_time_at_the_replacement_of_a_late_car_replaces_nothing(
    service: CallService, db: Database, then: str
) -> None:
    """A car booked for 9:00 to the hospital, then the 8:00 visit booked: "换，八点的" at
    "换成明天早上7点15分到家接的车，请按1" replaced the car with the 7:15 one."""
    call(service, ZHANG, "3", "2", "9", "3", "1")  # tomorrow 9:00 to 春城第一人民医院
    lines = call(service, ZHANG, *CARDIOLOGY, "1", "换，八点的", then)
    assert "换成明天早上7点15分到家接的车，请按1" in all_said(lines)
    _assert_replaced_only_on_a_yes(db, lines, then)


@pytest.mark.parametrize("then", ["hangup", "1"])
def test_a_yes_naming_another_time_at_a_listed_late_car_replaces_nothing(
    service: CallService, db: Database, then: str
) -> None:
    """A car booked by staff for 9:00 to the 8:00 visit, heard with key 3: "换，八点的" at
    "换成明天早上7点15分到家接的车，请按1" replaced it with the 7:15 car."""
    _book_tuesday_8(service)
    book_ride(db, number=ZHANG, pickup=datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ), now=NOW,
              to_hospital=True)
    lines = call(service, ZHANG, "3", "1", last_four(db), "换，八点的", then)
    assert "这辆车赶不上您看病的号。换成明天早上7点15分到家接的车，请按1" in all_said(lines)
    _assert_replaced_only_on_a_yes(db, lines, then)


def _assert_replaced_only_on_a_yes(db: Database, lines: list[str], then: str) -> None:
    """After "换，八点的" the 7:15 car is said again with why; the 9:00 car stays unless
    the caller then presses 1."""
    after = said_after(lines, "换，八点的")
    assert "换的车是明天早上7点15分到家接，是按看病的时间算好的。" in after, after
    if then == "hangup":
        assert "车换好了" not in after
        assert [p.strftime("%H:%M") for p in _car_pickups(db)] == ["09:00"]
    else:
        assert "车换好了：明天早上7点15分" in after, after
        assert [p.strftime("%H:%M") for p in _car_pickups(db)] == ["07:15"]
