"""A no that names a day at the offer is that day ("后天上午不行，下午嘛"), a plain no stays
the plain no, and "我想挂个号" at the department question asks it again kindly: whole calls
through the real flows, understanding, booking rules and database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.calls.service import CallService
from app.core.db import Database
from app.hospital.enums import AppointmentStatus, ClinicSession
from app.hospital.models import Appointment, Schedule, Slot
from support.calls import all_said, demo_call_service
from support.calls import play as call

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
ZHANG = "+8613800000001"  # 张秀英, booking for herself
CARDIOLOGY = ("2", "1", "1")  # 挂号, 内科, 心血管内科: "最早的号是：明天星期二上午8点…"
SAID, ITS = "您说的是", "这天的号是："
PLAIN_NO = "这个号不挂。换个时间，请按1；换个科室，请按2；找人工，请按0。"


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def booked(db: Database) -> list[tuple[date, ClinicSession]]:
    """The day and half-day of every booked appointment."""
    with db.session() as session:
        rows = session.execute(
            select(Schedule.day, Schedule.session)
            .join(Slot, Slot.schedule_id == Schedule.id)
            .join(Appointment, Appointment.slot_id == Slot.id)
            .where(Appointment.status == AppointmentStatus.BOOKED)
        )
        return [(day, ClinicSession(half)) for day, half in rows]


@pytest.mark.parametrize(
    ("answer", "offered", "day", "half"),
    [
        # The morning refused, the afternoon of the day named wanted.
        (
            "后天上午不行，下午嘛",
            f"{SAID}后天星期三下午。{ITS}后天星期三下午2点",
            "2026-12-02",
            "pm",
        ),
        # The day refused is not the day wanted: the one said after it.
        (
            "不要明天的，大后天有没有",
            f"{SAID}12月3号星期四。{ITS}12月3号星期四上午8点",
            "2026-12-03",
            "am",
        ),
        ("这个号不要，礼拜五下午的有没有", "12月4号星期五下午2点", "2026-12-04", "pm"),
        # A half-day alone after a no: that half-day of the day offered.
        ("不行，我下午才有空", f"{SAID}明天星期二下午。{ITS}明天星期二下午2点", "2026-12-01", "pm"),
        # ... the morning refused with its reason, passed on from someone in the room
        (
            "我老伴说上午去不了，要下午的",
            f"{SAID}明天星期二下午。{ITS}明天星期二下午2点",
            "2026-12-01",
            "pm",
        ),
        # ... or the afternoon only asked about: that half-day of the day offered
        ("下午有没有", f"{SAID}明天星期二下午。{ITS}明天星期二下午2点", "2026-12-01", "pm"),
    ],
)
def test_a_no_naming_a_day_at_the_offer_is_that_days_offer(
    service: CallService, db: Database, answer: str, offered: str, day: str, half: str
) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, answer, "1", "2")  # then book it, no car
    said = all_said(lines)
    assert "最早的号是：明天星期二上午8点" in said
    assert PLAIN_NO not in said and "哪天去？" not in said, said
    assert offered in said, said
    assert booked(db) == [(date.fromisoformat(day), ClinicSession(half))]


@pytest.mark.parametrize("answer", ["不行", "不对不对", "明天不行", "明天的不行"])
def test_a_plain_no_or_one_refusing_the_day_offered_stays_the_plain_no(
    service: CallService, db: Database, answer: str
) -> None:
    """"明天不行" at an offer of 明天星期二上午8点 names only the day refused: the plain no,
    never the same slot offered again; 1 is then the day menu, as before."""
    lines = call(service, ZHANG, *CARDIOLOGY, answer, "1", "hangup")
    after = lines[lines.index(f"来电者：{answer}") + 1 :]
    assert after[0] == f"热线：{PLAIN_NO}没听清，请按星号。", after
    assert any("哪天去？按1，明天星期二；按2，后天星期三" in line for line in after), after
    assert sum("明天星期二上午8点" in line for line in lines) == 1, lines
    assert booked(db) == []


def test_the_afternoon_wanted_being_full_never_offers_the_morning_refused(
    service: CallService, db: Database
) -> None:
    """"礼拜六上午不行，下午嘛" at an offer of 礼拜六上午 where 消化内科 has no Saturday
    afternoon clinic: said so, then the day menu; never 礼拜六上午 again (the day's other
    half-day is offered only when it was not the one refused)."""
    lines = call(service, ZHANG, "2", "1", "3", "星期六上午", "星期六上午不行，下午嘛", "hangup")
    said = all_said(lines)
    assert "这天的号是：12月5号星期六上午8点" in said, said
    after = all_said(lines[lines.index("来电者：星期六上午不行，下午嘛") :])
    assert "这天下午没有消化内科的门诊" in after and "上午8点" not in after, after
    assert booked(db) == []


def test_wanting_to_book_said_at_the_department_question_asks_it_again_kindly(
    service: CallService, db: Database
) -> None:
    """"我想挂个号" at "您要看哪个科？" was "没有听明白": it says again what the flow is
    for, so the department question is asked again in its short words with its keys, no
    failure counted; a department then books as usual."""
    lines = call(service, ZHANG, "2", "我想挂个号", "心血管内科", "1", "2")
    said = all_said(lines)
    assert "没有听明白" not in said, said
    again = lines[lines.index("来电者：我想挂个号") + 1 :]
    assert again[0] == "热线（慢速）：好的，给您挂号。还要问您一句。", again
    assert again[1].startswith("热线（慢速）：看哪个科？内科，请按1；外科，请按2；其他科，请按3。")
    assert booked(db) == [(date(2026, 12, 1), ClinicSession.AM)]


def test_wanting_to_book_said_again_and_again_reaches_a_person(
    service: CallService, db: Database
) -> None:
    """Free once at a question; a second time it is an answer that is none (asked again,
    still kindly), the third a person, as two failures at one question always are."""
    lines = call(service, ZHANG, "2", "我要挂号", "我要挂号", "挂号嘛", "hangup")
    said = all_said(lines)
    assert said.count("好的，给您挂号。还要问您一句。") == 2 and "没有听明白" not in said, said
    assert "[转接人工：not_understood]" in said, said
    assert booked(db) == []
