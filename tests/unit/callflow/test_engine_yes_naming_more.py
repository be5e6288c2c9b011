"""What the engine does with a yes (or a key's own words) naming something a question's
`otherwise` compares or takes beyond its day: an hour read by a second kind
(`compare_as`: "好，10点的" at an offer of 8点), a time at a question whose `otherwise`
is off (`yes_naming`: "对，十点的" at the read-back of a car now), a key's words with what
it changes to (`with_keys`: "改到礼拜天"), and a yes at a question whose yes goes nowhere."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.callflow.engine import SAID_WITH_KEY, SAID_WITH_YES, CallState, Engine
from app.callflow.loader import FlowError
from app.callflow.messages import CallStarted, Keys, Speech
from support.engine_fakes import MAIN_TO_HOSPITAL, FakeContext, engine_over

SATURDAY = "2026-12-05"
SUNDAY = "2026-12-06"
OFFERED = {"date": SATURDAY, "session": "am", "clock": [8, 0]}  # 礼拜六上午8点


def understand(expect: str, text: str, today: date, question: str | None = None) -> object:
    """As crude as a grammar can be, enough to tell the engine's paths apart."""
    if expect == "yesno":
        return "no" if "不" in text else "yes" if any(w in text for w in "好要对") else None
    day = SATURDAY if "礼拜六" in text else SUNDAY if "礼拜天" in text else None
    half = "am" if "上午" in text else "pm" if "下午" in text else None
    hour = re.search(r"(\d+)点", text)
    if expect == "when":
        if hour and half is None and int(hour[1]) < 12:
            half = "am"
        return {"date": day, "session": half} if day or half else None
    if expect == "change":
        clock = [int(hour[1]) + (12 if half == "pm" else 0), 0] if hour else None
        to = "医院" if "医院" in text else None
        if not (day or half or clock or to):
            return None
        return {"date": day, "clock": clock, "session": half, "to": to}
    return False if expect in ("emergency", "decline") else "unknown"


def flow(question: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "hospital",
        "start": "start",
        "prompts": {
            "start": "按1。", "ask": "礼拜六上午8点。对按1。", "ask_s": "对按1。",
            "done": "好了。", "other": "换。", "refused": "不挂。",
        },
        "states": {
            "start": {"ask": "start", "simpler": "start", "keys": {1: "ask"}},
            "ask": question,
            "done": {"end": "done"},
            "other": {"end": "other"},
            "refused": {"end": "refused"},
        },
    }


OFFER: dict[str, Any] = {
    "ask": "ask", "simpler": "ask_s", "expect": "yesno",
    "keys": {1: "done"}, "answers": {"yes": "done", "no": "refused"},
    "otherwise": {
        "expect": "when", "save_as": "wanted", "on_value": "other", "offered": "offered",
        "compare_as": {"expect": "change", "save_as": "wanted_time"},
    },
}


def _at(tmp_path: Path, question: dict[str, Any], **vars: Any) -> tuple[Engine, CallState]:
    hotline = engine_over(tmp_path, {"main": MAIN_TO_HOSPITAL, "hospital": flow(question)},
                          understand)
    call = CallState()
    call.vars.update(vars)
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    hotline.step(call, Keys("1"), ctx)
    assert call.state == "ask"
    return hotline, call


@pytest.mark.parametrize(
    ("said", "wanted", "time"),
    [
        ("好，10点的", {"date": None, "session": "am"}, [10, 0]),  # the half-day agrees
        ("好，下午3点的", {"date": None, "session": "pm"}, [15, 0]),
        ("好，12点的", None, [12, 0]),  # an hour the day kind has nothing of
    ],
)
def test_a_yes_naming_another_hour_is_that_answer_never_the_yes(
    tmp_path: Path, said: str, wanted: object, time: list[int]
) -> None:
    hotline, call = _at(tmp_path, OFFER, offered=OFFERED)
    hotline.step(call, Speech(said), FakeContext(vars=call.vars))
    assert call.state == "other"
    assert call.vars.get("wanted") == wanted
    assert call.vars["wanted_time"]["clock"] == time
    assert call.vars[SAID_WITH_YES] is True


@pytest.mark.parametrize("said", ["好", "好，8点的", "好，礼拜六上午8点", "好，去医院"])
def test_a_yes_naming_the_hour_offered_or_nothing_it_holds_is_the_yes(
    tmp_path: Path, said: str
) -> None:
    """A part the offer does not hold (where to) is not compared at all."""
    hotline, call = _at(tmp_path, OFFER, offered=OFFERED)
    hotline.step(call, Speech(said), FakeContext(vars=call.vars))
    assert call.state == "done", said


def test_an_hour_said_instead_of_yes_or_no_is_that_answer(tmp_path: Path) -> None:
    hotline, call = _at(tmp_path, OFFER, offered=OFFERED)
    hotline.step(call, Speech("12点的有没有"), FakeContext(vars=call.vars))
    assert call.state == "other" and call.vars["wanted_time"]["clock"] == [12, 0]
    assert SAID_WITH_YES not in call.vars


READ_BACK: dict[str, Any] = {
    "ask": "ask", "simpler": "ask_s", "expect": "yesno",
    "keys": {1: "done"}, "answers": {"yes": "done", "no": "refused"},
    "otherwise": {
        "expect": "change", "save_as": "change", "on_value": "other", "after_no": True,
        "only_if": "pickup_at", "offered": "offered", "yes_naming": ["date", "clock", "session"],
    },
}
NOW_OFFERED = [{"date": SATURDAY, "clock": None, "session": "am", "to": None}]


@pytest.mark.parametrize(
    ("said", "state"),
    [
        ("对，10点的", "other"),  # an hour: a booking for it
        ("对，礼拜天", "other"),  # another day
        ("对，礼拜六上午", "done"),  # the day and half-day it is now
        ("对，去医院", "done"),  # not a part that counts while `only_if` is unset
        ("对", "done"),
        ("不对，10点的", "refused"),  # a no is the no while `only_if` is unset
        ("10点的", "ask"),  # nothing but a yes is tried: not understood, asked again
    ],
)
def test_while_only_if_is_unset_only_a_yes_naming_a_counted_part_is_taken(
    tmp_path: Path, said: str, state: str
) -> None:
    hotline, call = _at(tmp_path, READ_BACK, offered=NOW_OFFERED)
    hotline.step(call, Speech(said), FakeContext(vars=call.vars))
    assert call.state == state, said
    if state == "other":
        assert call.vars[SAID_WITH_YES] is True


KEEP_OR_CHANGE: dict[str, Any] = {
    "ask": "ask", "simpler": "ask_s", "expect": "yesno",
    "keys": {1: "done", 2: "refused"}, "key_words": {1: ["留着"], 2: ["换", "改"]},
    "answers": {"decline": "done"},
    "otherwise": {"expect": "change", "save_as": "change", "on_value": "other",
                  "with_keys": [2]},
}


@pytest.mark.parametrize(
    ("said", "state"),
    [
        ("改到礼拜天", "other"),  # key 2's words with what it changes to
        ("改", "refused"),  # key 2's words alone: key 2
        ("留着，礼拜天的", "done"),  # key 1 is not in with_keys
        ("对，礼拜天的", "other"),  # a yes, at a question whose yes goes nowhere
        ("礼拜天下午的", "other"),  # said alone
    ],
)
def test_a_key_in_with_keys_said_with_what_it_changes_to_is_that_answer(
    tmp_path: Path, said: str, state: str
) -> None:
    hotline, call = _at(tmp_path, KEEP_OR_CHANGE)
    hotline.step(call, Speech(said), FakeContext(vars=call.vars))
    assert call.state == state, said
    if state == "other":
        assert call.vars["change"]["date"] == SUNDAY
    # The key whose words came with it, for the flow's action (this step only).
    assert call.vars.get(SAID_WITH_KEY) == ("2" if said.startswith("改到") else None)
    hotline.step(call, Speech("改"), FakeContext(vars=call.vars))
    assert SAID_WITH_KEY not in call.vars


def test_the_second_reading_is_kept_whole_even_with_nothing_offered(tmp_path: Path) -> None:
    """With nothing offered there is nothing to compare, but the hour of "改到下午3点" is
    still kept for the flow's action."""
    question = {**KEEP_OR_CHANGE, "otherwise": {
        "expect": "when", "save_as": "wanted", "on_value": "other", "with_keys": [2],
        "compare_as": {"expect": "change", "save_as": "wanted_time"},
    }}
    hotline, call = _at(tmp_path, question)
    hotline.step(call, Speech("改到下午3点"), FakeContext(vars=call.vars))
    assert call.state == "other"
    assert call.vars["wanted"] == {"date": None, "session": "pm"}
    assert call.vars["wanted_time"]["clock"] == [15, 0]


def test_a_plain_yes_where_yes_goes_nowhere_is_still_not_understood(tmp_path: Path) -> None:
    hotline, call = _at(tmp_path, KEEP_OR_CHANGE)
    hotline.step(call, Speech("对"), FakeContext(vars=call.vars))
    assert call.state == "ask" and call.failures == 1


def test_the_loader_refuses_with_keys_naming_a_key_without_words(tmp_path: Path) -> None:
    question = {**KEEP_OR_CHANGE,
                "otherwise": {**KEEP_OR_CHANGE["otherwise"], "with_keys": [3]}}
    with pytest.raises(FlowError, match="`otherwise.with_keys` names key '3'"):
        _at(tmp_path, question)
