"""An answer left to someone at home at the hospital's offer ("我要问一下我儿子，他说挂就挂")
books nothing and is not "not understood": the caller hears that the line waits while they
ask, then the offer again with half a minute to answer, and the answer they bring back is
taken as any answer. Whole
calls through the real flows, understanding, booking rules and database."""

from __future__ import annotations

import pytest

from app.calls.service import CallService
from app.core.db import Database
from support.calls import all_said, demo_call_service, said_after
from support.calls import play as call
from support.offer_calls import CARDIOLOGY, FIRST_OFFER, NOW, TODAY, TUESDAY, ZHANG, booked

WAITING = "好的，您先问问家里人，我在电话这头等着。"
NOT_UNDERSTOOD = "没有听明白"


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


@pytest.mark.parametrize(
    "answer",
    ["我要问一下我儿子，他说挂就挂", "我 问 问 我 姑 娘", "好的，我再跟我女儿商量一下"],
)
def test_an_answer_left_to_family_waits_and_offers_again(
    service: CallService, db: Database, answer: str
) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, answer, "hangup")
    after = said_after(lines, answer)
    assert WAITING in after and FIRST_OFFER in after, after
    assert "30秒" in after  # half a minute to answer while the family is asked
    assert NOT_UNDERSTOOD not in after
    assert booked(db) == []


def test_the_answer_brought_back_books_the_slot(service: CallService, db: Database) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, "我问一下我老伴", "要得，挂嘛", "2")
    assert WAITING in all_said(lines)
    assert [day for day, _ in booked(db)] == [TUESDAY]


def test_a_no_before_asking_stays_a_no(service: CallService, db: Database) -> None:
    lines = call(service, ZHANG, *CARDIOLOGY, "不用不用，我再问问我儿子", "hangup")
    assert WAITING not in all_said(lines)
    assert booked(db) == []
