"""A no that names a day at a question taking a day too is that day ("后天上午不行，下午嘛"),
the step knowing it came with a no; an answer that only says what the flow is for ("我想挂个
号" inside the hospital flow) asks the question again kindly."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.callflow.engine import SAID_WITH_NO, CallState, Engine
from app.callflow.messages import CallStarted, Keys, Say, Speech, Transfer
from support.engine_fakes import MAIN_TO_HOSPITAL, FakeContext, engine_over

SATURDAY = {"date": "2026-12-05", "session": "am"}
SOME_TIME = {"date": None, "session": None}  # a time word, no day nor half-day


def understand(expect: str, text: str, today: date, question: str | None = None) -> object:
    """As crude as a grammar can be, enough to tell the engine's paths apart."""
    if expect == "intent":
        return "hospital" if "挂号" in text or "挂个号" in text else "unknown"
    if expect == "yesno":
        return "no" if "不" in text else "yes" if "要" in text else "unknown"
    if expect == "when":
        return SATURDAY if "礼拜六" in text else SOME_TIME if "随便" in text else None
    if expect == "department":
        return "心血管内科" if "心" in text else None
    return False if expect in ("emergency", "decline") else "unknown"




def hospital(offer: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": "hospital",
        "start": "department",
        "prompts": {
            "department": "要看哪个科？内科，请按1。",
            "department_s": "看哪个科？内科，按1。",
            "restated": "好的，这就帮您挂号。",
            "offer": "明天上午8点。挂这个按1。",
            "offer_s": "挂这个按1。",
            "booked": "挂好了。",
            "refused": "这个号不挂。",
            "day": "哪天？",
        },
        "states": {
            "department": {
                "ask": "department", "simpler": "department_s", "expect": "department",
                "keys": {1: "offer"}, "save_as": "department", "on_value": "offer",
            },
            "offer": offer or {
                "ask": "offer", "simpler": "offer_s", "expect": "yesno",
                "keys": {1: "book"}, "answers": {"yes": "book", "no": "refused"},
                "otherwise": {"expect": "when", "save_as": "wanted", "on_value": "day"},
            },
            "book": {"end": "booked"},
            "refused": {"end": "refused"},
            "day": {"end": "day"},
        },
    }


def _engine(tmp_path: Path, flow: dict[str, Any]) -> Engine:
    return engine_over(tmp_path, {"main": MAIN_TO_HOSPITAL, "hospital": flow}, understand)


def _at_offer(tmp_path: Path, flow: dict[str, Any] | None = None) -> tuple[Engine, CallState]:
    hotline, call = _engine(tmp_path, flow or hospital()), CallState()
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    hotline.step(call, Keys("1"), ctx)
    assert call.state == "offer"
    return hotline, call


@pytest.mark.parametrize(
    ("said", "state", "with_no"),
    [
        ("礼拜五不行，礼拜六嘛", "day", True),  # a no naming a day: that day, no `after_no`
        ("礼拜六上午", "day", False),  # a day said alone, as before
        ("不行", "refused", False),  # a plain no stays the plain no
        ("不行，随便哪天", "refused", False),  # a no whose day names nothing: the plain no
        ("要", "book", False),
    ],
)
def test_a_no_naming_a_day_is_that_day_at_a_question_taking_a_day(
    tmp_path: Path, said: str, state: str, with_no: bool
) -> None:
    hotline, call = _at_offer(tmp_path)
    hotline.step(call, Speech(said), FakeContext(vars=call.vars))
    assert call.state == state
    assert call.vars.get(SAID_WITH_NO, False) is with_no
    if state == "day":
        assert call.vars["wanted"] == SATURDAY


def test_said_with_no_lasts_for_its_own_step_only(tmp_path: Path) -> None:
    """The action run in the step reads it; the next event finds it gone (a later day
    chosen at a day menu is never taken for one refused)."""
    day = {"ask": "day", "simpler": "day", "expect": "when", "save_as": "wanted",
           "on_value": "refused"}
    flow = hospital()
    flow["states"]["day"] = day
    hotline, call = _at_offer(tmp_path, flow)
    hotline.step(call, Speech("不行，礼拜六嘛"), FakeContext(vars=call.vars))
    assert call.state == "day" and call.vars[SAID_WITH_NO] is True
    hotline.step(call, Speech("礼拜六"), FakeContext(vars=call.vars))
    assert call.state == "refused" and SAID_WITH_NO not in call.vars


def test_a_no_is_not_tried_as_another_second_kind_without_after_no(tmp_path: Path) -> None:
    """Only a day corrects a no by itself; other second kinds still need `after_no`."""
    offer = {
        "ask": "offer", "simpler": "offer_s", "expect": "yesno", "keys": {1: "book"},
        "answers": {"yes": "book", "no": "refused"},
        "otherwise": {"expect": "department", "save_as": "department", "on_value": "day"},
    }
    hotline, call = _at_offer(tmp_path, hospital(offer))
    hotline.step(call, Speech("不是这个，看心内科"), FakeContext(vars=call.vars))
    assert call.state == "refused"


def _said(out: list[Any]) -> list[str]:
    return [o.text for o in out if isinstance(o, Say)]


def test_saying_again_what_the_flow_is_for_asks_the_question_again_kindly(
    tmp_path: Path,
) -> None:
    """"我想挂个号" at the hospital flow's department question: the flow's `restated` words
    and the question in its simpler words, no "didn't understand", no failure counted; the
    second time at the same question it counts (still kindly), the third is a person."""
    hotline, call = _engine(tmp_path, hospital()), CallState()
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    out = hotline.step(call, Speech("我想挂个号"), ctx)
    assert _said(out) == ["好的，这就帮您挂号。", "看哪个科？内科，按1。"]
    assert call.state == "department" and call.failures == 0
    out = hotline.step(call, Speech("挂号"), ctx)
    assert _said(out) == ["好的，这就帮您挂号。", "看哪个科？内科，按1。"]
    assert call.failures == 1
    out = hotline.step(call, Speech("挂号"), ctx)
    assert any(isinstance(o, Transfer) for o in out) and call.ended


def test_the_kind_asking_again_is_free_once_per_visit_of_a_question(tmp_path: Path) -> None:
    hotline, call = _engine(tmp_path, hospital()), CallState()
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    hotline.step(call, Speech("我想挂个号"), ctx)
    hotline.step(call, Speech("心脏不好"), ctx)  # a department: the call moves on
    assert call.state == "offer"
    out = hotline.step(call, Speech("挂号"), ctx)  # at the offer: asked again, free
    assert _said(out) == ["好的，这就帮您挂号。", "挂这个按1。"] and call.failures == 0


def test_an_answer_naming_another_purpose_is_still_not_understood(tmp_path: Path) -> None:
    hotline, call = _engine(tmp_path, hospital()), CallState()
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    out = hotline.step(call, Speech("叫个车"), ctx)
    assert _said(out)[0] == "没听明白。" and call.failures == 1
