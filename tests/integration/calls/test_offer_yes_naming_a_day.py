"""A yes that names another day or half-day than the one offered ("好，明天下午" at an offer
of 明天上午8点) is never booked for the slot offered: it is that day's offer, booked only
once confirmed; a yes naming the day offered, or no day, books at once. Whole calls through
the real flows, understanding, booking rules and database."""

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
FIRST_OFFER = "最早的号是：明天星期二上午8点"
SAID, ITS = "您说的是", "这天的号是："
BOOKED_MORNING = "热线：给您自己挂好了：明天星期二上午8点"


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def booked(db: Database) -> list[tuple[date, ClinicSession, str]]:
    """The day, half-day and start of every booked appointment."""
    with db.session() as session:
        rows = session.execute(
            select(Schedule.day, Schedule.session, Slot.start_time)
            .join(Slot, Slot.schedule_id == Schedule.id)
            .join(Appointment, Appointment.slot_id == Slot.id)
            .where(Appointment.status == AppointmentStatus.BOOKED)
        )
        return [(day, ClinicSession(half), f"{start:%H:%M}") for day, half, start in rows]


def _after(lines: list[str], answer: str) -> list[str]:
    return lines[lines.index(f"来电者：{answer}") + 1 :]


@pytest.mark.parametrize(
    ("answer", "offered", "slot"),
    [
        # The afternoon of the day offered, named with the yes.
        ("好，明天下午", f"{SAID}明天星期二下午。{ITS}明天星期二下午2点", ("2026-12-01", "pm")),
        # A half-day alone with a yes: that half-day of the day offered.
        ("好，下午的", f"{SAID}明天星期二下午。{ITS}明天星期二下午2点", ("2026-12-01", "pm")),
        # Another day, no half-day: that day's first slot.
        ("可以，后天", f"{SAID}后天星期三。{ITS}后天星期三上午8点", ("2026-12-02", "am")),
        # The yes in the offer's own words (挂这个 is key 1) naming another day.
        (
            "就挂这个，后天下午的",
            f"{SAID}后天星期三下午。{ITS}后天星期三下午2点",
            ("2026-12-02", "pm"),
        ),
    ],
)
def test_a_yes_naming_another_day_is_that_days_offer_booked_only_when_confirmed(
    service: CallService,
    db: Database,
    answer: str,
    offered: str,
    slot: tuple[str, str],
) -> None:
    # The caller hangs up at the new offer: nothing was booked by the yes.
    lines = call(service, ZHANG, *CARDIOLOGY, answer, "hangup")
    assert FIRST_OFFER in all_said(lines)
    after = all_said(_after(lines, answer))
    assert "挂好了" not in after, after
    assert offered in after, after
    assert booked(db) == []
    # The same answer, then the new offer confirmed (1) and no car (2): that slot booked.
    lines = call(service, ZHANG, *CARDIOLOGY, answer, "1", "2")
    after = all_said(_after(lines, answer))
    assert offered in after and "挂好了" in after, after
    day, half = slot
    assert [(d, s) for d, s, _ in booked(db)] == [(date.fromisoformat(day), ClinicSession(half))]


@pytest.mark.parametrize(
    "answer", ["好，明天上午", "要得", "好，明天上午那个", "好嘛，明天", "好，8点的"]
)
def test_a_yes_naming_the_day_offered_or_no_day_books_at_once(
    service: CallService, db: Database, answer: str
) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, answer, "2")  # booked, then no car
    assert FIRST_OFFER in all_said(lines)
    after = _after(lines, answer)
    assert after[0].startswith(BOOKED_MORNING), after  # no second question before it
    assert booked(db) == [(date(2026, 12, 1), ClinicSession.AM, "08:00")]


def test_a_yes_naming_a_half_day_without_clinic_hears_why_and_is_offered_again(
    service: CallService, db: Database
) -> None:
    """"好，礼拜六下午" at the offer of 明天上午8点: 心血管内科 has no Saturday afternoon
    clinic; said so, and Saturday morning is offered to be confirmed, nothing booked."""
    lines = call(service, ZHANG, *CARDIOLOGY, "好，礼拜六下午", "hangup")
    after = all_said(_after(lines, "好，礼拜六下午"))
    assert "这天下午没有心血管内科的门诊" in after, after
    assert f"{ITS}12月5号星期六上午8点" in after and "挂好了" not in after, after
    assert booked(db) == []
