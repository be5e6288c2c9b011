"""A yes that names a day other than the one a question offers ("好，明天下午" at an offer
of 明天上午8点) is that day, never the yes: the question's `otherwise.offered` names the
call variable holding what it offers; a yes naming only what agrees with it is the yes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.callflow.engine import SAID_WITH_NO, SAID_WITH_YES, CallState, Engine
from app.callflow.loader import FlowError
from app.callflow.messages import CallStarted, Keys, Speech
from support.engine_fakes import MAIN_TO_HOSPITAL, FakeContext, engine_over

SATURDAY = "2026-12-05"
SUNDAY = "2026-12-06"
OFFERED = {"date": SATURDAY, "session": "am"}  # the slot offered: 礼拜六上午


def understand(expect: str, text: str, today: date, question: str | None = None) -> object:
    """As crude as a grammar can be, enough to tell the engine's paths apart."""
    if expect == "yesno":
        return "no" if "不" in text else "yes" if any(w in text for w in "好要挂") else None
    if expect == "when":
        day = SATURDAY if "礼拜六" in text else SUNDAY if "礼拜天" in text else None
        half = "am" if "上午" in text else "pm" if "下午" in text else None
        return {"date": day, "session": half} if day or half else None
    return False if expect in ("emergency", "decline") else "unknown"



OFFER = {
    "ask": "offer", "simpler": "offer_s", "expect": "yesno", "on_hum": "offer_s",
    "keys": {1: "book"}, "key_words": {1: ["挂这个"]},
    "answers": {"yes": "book", "no": "refused"},
    "otherwise": {"expect": "when", "save_as": "wanted", "on_value": "day",
                  "offered": "offer_when"},
}


def hospital(offer: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "hospital",
        "start": "start",
        "prompts": {
            "start": "挂号。按1。",
            "offer": "礼拜六上午8点。挂这个按1。",
            "offer_s": "挂这个按1。",
            "booked": "挂好了。",
            "refused": "这个号不挂。",
            "day": "哪天？",
        },
        "states": {
            "start": {"ask": "start", "simpler": "start", "keys": {1: "offer"}},
            "offer": offer,
            "book": {"end": "booked"},
            "refused": {"end": "refused"},
            "day": {"ask": "day", "simpler": "day", "expect": "when", "save_as": "wanted",
                    "on_value": "refused"},
        },
    }


def _engine(tmp_path: Path, flow: dict[str, Any]) -> Engine:
    return engine_over(tmp_path, {"main": MAIN_TO_HOSPITAL, "hospital": flow}, understand)


def _at_offer(
    tmp_path: Path, offer: dict[str, Any] = OFFER, offered: object = OFFERED
) -> tuple[Engine, CallState]:
    hotline, call = _engine(tmp_path, hospital(offer)), CallState()
    if offered is not None:
        call.vars["offer_when"] = offered
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    hotline.step(call, Keys("1"), ctx)
    assert call.state == "offer"
    return hotline, call


@pytest.mark.parametrize(
    ("said", "wanted"),
    [
        ("好，礼拜六下午", {"date": SATURDAY, "session": "pm"}),  # the other half-day
        ("好，下午", {"date": None, "session": "pm"}),  # a half-day alone, not the one offered
        ("好，礼拜天", {"date": SUNDAY, "session": None}),  # another day
        ("要，礼拜天上午", {"date": SUNDAY, "session": "am"}),  # the half-day, another day
        ("挂这个，礼拜六下午", {"date": SATURDAY, "session": "pm"}),  # the yes key's words
    ],
)
def test_a_yes_naming_another_day_is_that_day_never_the_yes(
    tmp_path: Path, said: str, wanted: dict[str, str | None]
) -> None:
    hotline, call = _at_offer(tmp_path)
    hotline.step(call, Speech(said), FakeContext(vars=call.vars))
    assert call.state == "day"
    assert call.vars["wanted"] == wanted
    assert call.vars[SAID_WITH_YES] is True and SAID_WITH_NO not in call.vars


@pytest.mark.parametrize(
    "said", ["好", "好，礼拜六上午", "好，礼拜六", "要得，上午的", "挂这个", "挂这个，礼拜六上午"]
)
def test_a_yes_naming_nothing_or_only_what_is_offered_is_the_yes(
    tmp_path: Path, said: str
) -> None:
    hotline, call = _at_offer(tmp_path)
    hotline.step(call, Speech(said), FakeContext(vars=call.vars))
    assert call.state == "book" and SAID_WITH_YES not in call.vars


def test_with_nothing_offered_known_a_yes_naming_a_day_is_never_booked(
    tmp_path: Path,
) -> None:
    """No `offer_when` set: what the caller named cannot be checked, so it is their day."""
    hotline, call = _at_offer(tmp_path, offered=None)
    hotline.step(call, Speech("好，礼拜六上午"), FakeContext(vars=call.vars))
    assert call.state == "day"
    hotline, call = _at_offer(tmp_path, offered=None)
    hotline.step(call, Speech("好"), FakeContext(vars=call.vars))
    assert call.state == "book"


@pytest.mark.parametrize(
    ("said", "state"),
    [("好，礼拜六上午", "book"), ("好，礼拜天", "book"), ("好", "book"), ("好，礼拜六下午", "day")],
)
def test_what_is_offered_said_in_more_than_one_way_agrees_with_any_of_them(
    tmp_path: Path, said: str, state: str
) -> None:
    """A list in the variable: each answer means what is offered (the read-back of a ride
    and the caller's own words found to mean it); a yes agreeing with one is the yes."""
    offered = [OFFERED, {"date": SUNDAY, "session": None}]
    hotline, call = _at_offer(tmp_path, offered=offered)
    hotline.step(call, Speech(said), FakeContext(vars=call.vars))
    assert call.state == state


def test_without_offered_a_yes_is_a_yes_whatever_it_names(tmp_path: Path) -> None:
    """The check belongs to the questions that say what they offer."""
    offer = {**OFFER, "otherwise": {"expect": "when", "save_as": "wanted", "on_value": "day"}}
    hotline, call = _at_offer(tmp_path, offer)
    hotline.step(call, Speech("好，礼拜六下午"), FakeContext(vars=call.vars))
    assert call.state == "book"


def test_said_with_yes_lasts_for_its_own_step_only(tmp_path: Path) -> None:
    hotline, call = _at_offer(tmp_path)
    hotline.step(call, Speech("好，礼拜天"), FakeContext(vars=call.vars))
    assert call.state == "day" and call.vars[SAID_WITH_YES] is True
    hotline.step(call, Speech("礼拜天"), FakeContext(vars=call.vars))
    assert call.state == "refused" and SAID_WITH_YES not in call.vars


def test_the_loader_refuses_offered_at_a_question_that_is_not_yes_no(tmp_path: Path) -> None:
    flow = hospital(OFFER)
    flow["states"]["day"]["otherwise"] = {
        "expect": "when", "save_as": "wanted", "on_value": "refused", "offered": "offer_when"
    }
    with pytest.raises(FlowError, match="`otherwise.offered` belongs on a yes/no question"):
        _engine(tmp_path, flow)
