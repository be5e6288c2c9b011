"""A question's own words for its keys come before yes/no: "要晚一点的" at an offer is
key 2, not the "yes" its 要 would be; words of two keys at once are asked again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from app.callflow.actions import ActionRegistry
from app.callflow.engine import CallState, Engine
from app.callflow.key_words import keys_said
from app.callflow.loader import FlowError, load_flows
from app.callflow.messages import CallStarted, Speech
from support.engine_fakes import COMMON, FakeContext

OFFER_WORDS = {"1": ["挂这个"], "2": ["晚一点", "太早"], "3": ["换一天"]}
FLOW = {
    "name": "main",
    "start": "offer",
    "prompts": {
        "offer": "明天上午8点。挂这个按1。晚一点的按2。换一天按3。",
        "offer_s": "挂这个按1。",
        "booked": "挂好了。",
        "later": "晚一点的。",
        "day": "哪天？",
    },
    "states": {
        "offer": {
            "ask": "offer",
            "simpler": "offer_s",
            "expect": "yesno",
            "keys": {1: "book", 2: "later", 3: "day"},
            "key_words": OFFER_WORDS,
            "answers": {"yes": "book", "no": "later"},
        },
        "book": {"end": "booked"},
        "later": {"end": "later"},
        "day": {"end": "day"},
    },
}


def understand(expect: str, text: str, today: date, question: str | None = None) -> object:
    if expect == "decline":  # crude too: 不要了 / 不消了 want nothing
        return "不要了" in text or "不消了" in text
    if expect == "yesno":  # as crude as a grammar can be: any 要 is a yes
        return "no" if "不" in text else "yes" if "要" in text else "unknown"
    if expect == "when":
        return {"date": "2026-12-05", "session": "am"} if "礼拜六" in text else None
    return False if expect == "emergency" else "unknown"


def _engine(tmp_path: Path, flow: dict[str, object] = FLOW) -> Engine:
    (tmp_path / "common.yaml").write_text(yaml.safe_dump(COMMON, allow_unicode=True))
    (tmp_path / "main.yaml").write_text(yaml.safe_dump(flow, allow_unicode=True))
    actions = ActionRegistry()
    return Engine(load_flows(tmp_path, actions), actions, understand)


@pytest.mark.parametrize(
    ("said", "state"),
    [
        ("要晚一点的", "later"),
        ("太早了，要晚一点的", "later"),
        ("要换一天", "day"),
        ("要", "book"),
        ("不挂这个", "later"),  # a negated phrase counts for no key: yes/no answers
    ],
)
def test_the_offers_own_words_win_over_yes(tmp_path: Path, said: str, state: str) -> None:
    hotline, call = _engine(tmp_path), CallState()
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    hotline.step(call, Speech(said), ctx)
    assert call.state == state


def test_words_of_two_keys_are_asked_again(tmp_path: Path) -> None:
    hotline, call = _engine(tmp_path), CallState()
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    out = hotline.step(call, Speech("晚一点的也行，换一天也行"), ctx)
    assert call.state == "offer" and not call.ended and call.failures == 1
    assert "没听明白" in str(out[0])


@pytest.mark.parametrize(
    ("said", "keys"),
    [
        ("不取消", {"2"}),
        ("取消吧", {"8"}),
        ("不要等车了", {"8"}),
        ("要，还要等", {"2"}),
        ("不要", set()),
    ],
)
def test_the_longest_phrase_is_read_first(said: str, keys: set[str]) -> None:
    words = {"8": ["取消", "不要等车"], "2": ["不取消", "还要", "要等车"]}
    assert keys_said(words, said) == keys


@pytest.mark.parametrize(
    ("said", "noted"),
    [
        ("心血管内科的专家号", True),
        ("找个专家看", True),
        ("要专家号", True),
        ("心血管内科，不要专家", False),  # a verb of wanting between: still a negation
        ("不找专家，普通号就行", False),
        ("不想挂号，叫车", False),
    ],
)
def test_a_phrase_after_a_negated_verb_counts_for_nothing(said: str, noted: bool) -> None:
    words = {"wants_expert": ["专家号", "专家门诊", "专家"], "book": ["挂号"]}
    assert bool(keys_said(words, said)) is noted


@pytest.mark.parametrize(
    ("said", "keys"),
    [
        # a phrase that is itself a negation counts after 莫/不 (a stop, not a double negative)
        ("取消……哎莫莫莫，不取消，我记错日子了", {"8", "2"}),
        ("不不取消", {"2"}),
        ("取消", {"8"}),
    ],
)
def test_a_negative_phrase_after_a_stop_still_counts(said: str, keys: set[str]) -> None:
    words = {"8": ["取消", "取消掉"], "2": ["不取消", "莫取消"]}
    assert keys_said(words, said) == keys


def test_a_wish_noted_with_no_answer_asks_again_without_a_failure(tmp_path: Path) -> None:
    """"要专家号" alone at the department question: kept, and the question asked again."""
    offer = {**FLOW["states"]["offer"], "notes": {"wants_expert": ["专家号"]}}  # type: ignore[dict-item]
    flow = {**FLOW, "states": {**FLOW["states"], "offer": offer}}  # type: ignore[dict-item]
    hotline, call = _engine(tmp_path, flow), CallState()
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    out = hotline.step(call, Speech("专家号"), ctx)
    assert call.state == "offer" and call.failures == 0 and call.vars["wants_expert"] is True
    assert "挂这个按1" in str(out[0]) and "没听明白" not in str(out)
    out = hotline.step(call, Speech("专家号"), ctx)  # the same words again: not understood
    assert call.failures == 1 and "没听明白" in str(out[0])


def test_words_for_a_key_the_question_does_not_take_are_refused(tmp_path: Path) -> None:
    broken = {**FLOW, "states": {**FLOW["states"]}}  # type: ignore[dict-item]
    broken["states"]["offer"] = {**FLOW["states"]["offer"], "key_words": {"5": ["五"]}}  # type: ignore[index]
    with pytest.raises(FlowError, match="key_words"):
        _engine(tmp_path, broken)


def test_a_day_said_at_the_offer_is_the_second_kind_of_answer_it_takes(tmp_path: Path) -> None:
    offer = {**FLOW["states"]["offer"]}  # type: ignore[index]
    offer["otherwise"] = {"expect": "when", "save_as": "wanted", "on_value": "day"}
    flow = {**FLOW, "states": {**FLOW["states"], "offer": offer}}  # type: ignore[dict-item]
    hotline, call = _engine(tmp_path, flow), CallState()
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    hotline.step(call, Speech("礼拜六上午"), ctx)
    assert call.state == "day" and call.vars["wanted"]["date"] == "2026-12-05"


def _with_decline(tmp_path: Path, expect: str = "yesno", target: str = "stop") -> Engine:
    """The offer with `answers: {decline: target}`; `expect` free_text makes it a place
    question (any words are its answer)."""
    offer = {**FLOW["states"]["offer"], "expect": expect}  # type: ignore[dict-item]
    offer["answers"] = {**offer["answers"], "decline": target}
    if expect == "free_text":
        offer.update(answers={"decline": target}, on_value="later", save_as="place")
    flow = {
        **FLOW,
        "prompts": {**FLOW["prompts"], "stop": "好的，没有挂号。"},  # type: ignore[dict-item]
        "states": {**FLOW["states"], "offer": offer, "stop": {"end": "stop"}},  # type: ignore[dict-item]
    }
    return _engine(tmp_path, flow)


@pytest.mark.parametrize(
    ("said", "state"), [("不要了", "stop"), ("我不消了", "stop"), ("不", "later")]
)
def test_a_no_that_wants_nothing_goes_to_the_decline_state_before_no(
    tmp_path: Path, said: str, state: str
) -> None:
    hotline, call = _with_decline(tmp_path), CallState()
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    hotline.step(call, Speech(said), ctx)
    assert call.state == state


@pytest.mark.parametrize(("said", "state"), [("不消了", "stop"), ("翠湖南路", "later")])
def test_a_decline_is_heard_at_a_question_of_any_kind_not_taken_as_its_answer(
    tmp_path: Path, said: str, state: str
) -> None:
    """At a place question any words are an answer: 不消了 must not become a place."""
    hotline, call = _with_decline(tmp_path, expect="free_text"), CallState()
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    hotline.step(call, Speech(said), ctx)
    assert call.state == state
    assert call.vars.get("place") == (None if state == "stop" else said)


def test_a_decline_state_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FlowError, match="nowhere"):
        _with_decline(tmp_path, target="nowhere")


def test_literal_word_lists_to_a_state_are_gone(tmp_path: Path) -> None:
    """One way to say "never mind": the understanding's decline, not a list per question."""
    offer = {**FLOW["states"]["offer"], "words": {"book": ["不要了"]}}  # type: ignore[dict-item]
    with pytest.raises(FlowError, match="words"):
        _engine(tmp_path, {**FLOW, "states": {**FLOW["states"], "offer": offer}})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("said", "booking", "state"),
    [
        ("不是礼拜五，礼拜六", True, "day"),  # a no that names a day corrects it
        ("不", True, "later"),  # a plain no is still the question's no
        ("不是礼拜五，礼拜六", False, "later"),  # only while the call variable is set
    ],
)
def test_a_no_naming_the_second_kind_corrects_with_after_no(
    tmp_path: Path, said: str, booking: bool, state: str
) -> None:
    offer = {**FLOW["states"]["offer"]}  # type: ignore[index]
    offer["otherwise"] = {
        "expect": "when", "save_as": "wanted", "on_value": "day",
        "after_no": True, "only_if": "booking",
    }
    flow = {**FLOW, "states": {**FLOW["states"], "offer": offer}}  # type: ignore[dict-item]
    hotline, call = _engine(tmp_path, flow), CallState()
    call.vars["booking"] = booking
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    hotline.step(call, Speech(said), ctx)
    assert call.state == state
