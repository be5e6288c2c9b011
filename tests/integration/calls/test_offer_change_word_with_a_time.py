"""A change word at the hospital's offer said with what it changes to ("换一天，后天的",
"晚一点，十点的" at an offer of 明天上午8点) is that day or hour, never only key 3 or 2:
the day or hour is offered and booked only when confirmed. A half-day alone after 换一天
(with the words, or at the day menu after 3) belongs to a later day than the one the caller
asked to change. Whole calls through the real flows, understanding, booking rules and
database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.calls.service import CallService
from app.core.db import Database
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment, Schedule, Slot
from support.calls import all_said, demo_call_service
from support.calls import play as call

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
ZHANG = "+8613800000001"  # 张秀英, booking for herself
CARDIOLOGY = ("2", "1", "1")  # 挂号, 内科, 心血管内科: "最早的号是：明天星期二上午8点…"
FIRST_OFFER = "最早的号是：明天星期二上午8点"
TUESDAY, WEDNESDAY = date(2026, 12, 1), date(2026, 12, 2)


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def booked(db: Database) -> list[tuple[date, str]]:
    """The day and start of every booked appointment."""
    with db.session() as session:
        rows = session.execute(
            select(Schedule.day, Slot.start_time)
            .join(Slot, Slot.schedule_id == Schedule.id)
            .join(Appointment, Appointment.slot_id == Slot.id)
            .where(Appointment.status == AppointmentStatus.BOOKED)
        )
        return sorted((day, f"{start:%H:%M}") for day, start in rows)


def _after(lines: list[str], answer: str) -> str:
    return all_said(lines[lines.index(f"来电者：{answer}") + 1 :])


@pytest.mark.parametrize(
    ("turns", "heard", "slot"),
    [
        # 换一天 with the day: that day's offer, not the day menu.
        (("换一天，后天的",), "您说的是后天星期三。这天的号是：后天星期三上午8点",
         (WEDNESDAY, "08:00")),
        # 换一天 with a half-day only: the next day's afternoon, never the day refused.
        (("换一天，下午的",), "您说的是后天星期三下午。这天的号是：后天星期三下午2点",
         (WEDNESDAY, "14:00")),
        # 晚一点 with an hour: that hour of the day offered (none at 10: the nearest).
        (("晚一点，十点的",), "您说的是明天星期二上午10点。这天上午10点没有空的号，离得最近的"
         "号是：明天星期二上午9点40分", (TUESDAY, "09:40")),
        (("晚一点，下午三点的",), "您说的是明天星期二下午3点。这天的号是：明天星期二下午3点",
         (TUESDAY, "15:00")),
        # At the day menu after 换一天 (3): a half-day alone is a later day's, too.
        (("3", "下午"), "您说的是后天星期三下午。这天的号是：后天星期三下午2点",
         (WEDNESDAY, "14:00")),
    ],
    ids=["another-day-named", "another-day-half-day", "later-hour", "later-afternoon-hour",
         "day-menu-half-day"],
)
def test_a_change_word_with_what_it_changes_to_is_that_offer_booked_once_confirmed(
    service: CallService, db: Database, turns: tuple[str, ...], heard: str,
    slot: tuple[date, str],
) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, *turns, "hangup")
    assert FIRST_OFFER in all_said(lines)
    after = _after(lines, turns[-1])
    assert heard in after, after
    assert "哪天去" not in after and "挂好了" not in after, after
    assert booked(db) == []
    lines = call(service, ZHANG, *CARDIOLOGY, *turns, "1", "2")  # confirmed, no car
    assert "给您自己挂好了：" + heard.rsplit("号是：", 1)[1] in _after(lines, turns[-1])
    assert booked(db) == [slot]


@pytest.mark.parametrize(
    ("answer", "heard"), [("换一天", "哪天去？"), ("晚一点", "晚一点的号是：")]
)
def test_the_change_word_alone_is_still_its_key(
    service: CallService, db: Database, answer: str, heard: str
) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, answer, "hangup")
    assert heard in _after(lines, answer)
    assert booked(db) == []


def test_a_half_day_at_the_day_menu_after_a_plain_no_stays_on_the_day_offered(
    service: CallService, db: Database
) -> None:
    """"不行" then 换个时间 (1) asks no other day: "下午" is the afternoon of the day offered."""
    lines = call(service, ZHANG, *CARDIOLOGY, "不行", "1", "下午", "hangup")
    assert "您说的是明天星期二下午。这天的号是：明天星期二下午2点" in _after(lines, "下午")
    assert booked(db) == []
