"""A change word at the hospital's offer said with what it changes to ("换一天，后天的",
"晚一点，十点的" at an offer of 明天上午8点) is that day or hour, never only key 3 or 2:
the day or hour is offered and booked only when confirmed. A half-day alone after 换一天
(with the words, or at the day menu after 3) belongs to a later day than the one the caller
asked to change. Whole calls through the real flows, understanding, booking rules and
database."""

from __future__ import annotations

from datetime import date

import pytest

from app.calls.service import CallService
from app.core.db import Database
from support.calls import all_said, demo_call_service, said_after
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
    after = said_after(lines, turns[-1])
    assert heard in after, after
    assert "哪天去" not in after and "挂好了" not in after, after
    assert booked(db) == []
    lines = call(service, ZHANG, *CARDIOLOGY, *turns, "1", "2")  # confirmed, no car
    assert "给您自己挂好了：" + heard.rsplit("号是：", 1)[1] in said_after(lines, turns[-1])
    assert booked(db) == [slot]


@pytest.mark.parametrize(
    ("answer", "heard"), [("换一天", "哪天去？"), ("晚一点", "晚一点的号是：")]
)
def test_the_change_word_alone_is_still_its_key(
    service: CallService, db: Database, answer: str, heard: str
) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, answer, "hangup")
    assert heard in said_after(lines, answer)
    assert booked(db) == []


def test_a_half_day_at_the_day_menu_after_a_plain_no_stays_on_the_day_offered(
    service: CallService, db: Database
) -> None:
    """"不行" then 换个时间 (1) asks no other day: "下午" is the afternoon of the day offered."""
    lines = call(service, ZHANG, *CARDIOLOGY, "不行", "1", "下午", "hangup")
    assert "您说的是明天星期二下午。这天的号是：明天星期二下午2点" in said_after(lines, "下午")
    assert booked(db) == []
