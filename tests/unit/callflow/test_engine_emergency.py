"""Emergencies first, at every question: the 120 advice said slowly, then a person.

The engine runs with the real understanding layer (pure, no I/O), so these sentences go
through the same emergency grammar as a call does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.callflow.actions import ActionRegistry
from app.callflow.engine import CallState, Engine, fallback_outputs
from app.callflow.loader import FlowError, load_flows
from app.callflow.messages import (
    CallStarted,
    Keys,
    Listen,
    Output,
    Say,
    Silence,
    Speech,
    Transfer,
    output_from_dict,
    to_dict,
)
from app.understanding import understand
from support.engine_fakes import COMMON, FakeContext

ADVICE = COMMON["prompts"]["emergency"]
FLOW = {
    "name": "main",
    "start": "menu",
    "prompts": {
        "menu": "叫车请按1。说地方请按2。头晕请按3。",
        "menu_simple": "叫车按1。",
        "sure": "车到家接您，对吗？",
        "sure_simple": "对按1，不对按2。",
        "where": "请说在哪里上车。",
        "where_simple": "在哪里上车？",
        "dizzy": "手脚发麻、说话不清楚，按2。都没有，按1。",
        "dizzy_simple": "发麻按2。",
        "stroke": "这可能是中风。",
        "done": "好的，再见。",
    },
    "states": {
        "menu": {
            "ask": "menu", "simpler": "menu_simple", "expect": "intent",
            "keys": {1: "sure", 2: "where", 3: "dizzy"}, "answers": {"taxi": "sure"},
        },
        "sure": {
            "ask": "sure", "simpler": "sure_simple", "expect": "yesno",
            "keys": {1: "done", 2: "menu"}, "answers": {"yes": "done", "no": "menu"},
        },
        "where": {
            "ask": "where", "simpler": "where_simple", "expect": "free_text", "input": "speech",
            "record": True, "save_as": "pickup", "on_value": "done",
        },
        "dizzy": {
            "ask": "dizzy", "simpler": "dizzy_simple", "keys": {1: "done", 2: "stroke"},
        },
        "stroke": {"transfer": "stroke", "emergency": True},
        "done": {"end": "done"},
    },
}


def _write(folder: Path, flow: dict[str, object]) -> None:
    (folder / "common.yaml").write_text(yaml.safe_dump(COMMON, allow_unicode=True))
    (folder / "main.yaml").write_text(yaml.safe_dump(flow, allow_unicode=True))


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    _write(tmp_path, FLOW)
    actions = ActionRegistry()
    return Engine(load_flows(tmp_path, actions), actions, understand)


def at(engine: Engine, key: str | None = None) -> tuple[CallState, FakeContext]:
    call = CallState()
    ctx = FakeContext(vars=call.vars)
    engine.step(call, CallStarted("+8613800000001", "+868710000000"), ctx)
    if key is not None:
        engine.step(call, Keys(key), ctx)
    return call, ctx


def assert_emergency(out: list[Output], call: CallState) -> None:
    assert out == [Say(ADVICE, pace="slow"), Transfer(reason="emergency", emergency=True)]
    assert call.ended and call.outcome == "transferred"


def test_chest_pain_at_the_menu_hears_the_120_advice_slowly_then_a_person(
    engine: Engine,
) -> None:
    call, ctx = at(engine)
    out = engine.step(call, Speech("胸口 疼 得 很"), ctx)
    assert_emergency(out, call)


def test_an_emergency_goes_before_a_request_for_a_person_or_a_repeat(engine: Engine) -> None:
    call, ctx = at(engine)
    assert_emergency(engine.step(call, Speech("快来人 转人工"), ctx), call)
    call, ctx = at(engine)
    assert_emergency(engine.step(call, Speech("再说一遍 我喘不过气"), ctx), call)


def test_an_emergency_at_a_yes_no_question(engine: Engine) -> None:
    call, ctx = at(engine, "1")
    assert call.state == "sure"
    assert_emergency(engine.step(call, Speech("喘 不 过 气"), ctx), call)


def test_an_emergency_said_at_a_recorded_free_text_question_is_not_taken_as_the_answer(
    engine: Engine,
) -> None:
    call, ctx = at(engine, "2")
    assert call.state == "where"
    url = "https://example.org/RE1"
    out = engine.step(call, Speech("我老伴晕倒了叫不醒", recording_url=url), ctx)
    assert_emergency(out, call)
    assert "pickup" not in call.vars
    assert call.vars["pickup_recording"] == url  # a person can still listen to it


def test_an_old_complaint_at_a_free_text_question_is_the_answer(engine: Engine) -> None:
    call, ctx = at(engine, "2")
    out = engine.step(call, Speech("以前中过风，在翠湖南路"), ctx)
    assert not any(isinstance(o, Transfer) for o in out)
    assert call.vars["pickup"] == "以前中过风，在翠湖南路" and call.outcome == "completed"


def test_ordinary_answers_are_not_emergencies(engine: Engine) -> None:
    call, ctx = at(engine, "1")
    out = engine.step(call, Speech("不是"), ctx)
    assert call.state == "menu" and isinstance(out[-1], Listen)


def test_a_flow_transfer_marked_emergency_is_said_slowly_and_flagged(engine: Engine) -> None:
    call, ctx = at(engine, "3")
    out = engine.step(call, Keys("2"), ctx)
    assert out == [Say("这可能是中风。", pace="slow"), Transfer(reason="emergency", emergency=True)]
    assert call.ended


@pytest.mark.parametrize(
    ("turns", "reason"),
    [
        ([Keys("0")], "asked"),
        ([Speech("转人工")], "asked"),
        ([Silence(), Silence()], "silence"),
        ([Speech("我家猫跑了"), Speech("我家猫跑了")], "not_understood"),
        ([Keys("9"), Keys("8")], "not_understood"),
    ],
)
def test_every_transfer_says_why(engine: Engine, turns: list[object], reason: str) -> None:
    call, ctx = at(engine)
    out: list[Output] = []
    for turn in turns:
        out = engine.step(call, turn, ctx)  # type: ignore[arg-type]
    transfer = out[-1]
    assert isinstance(transfer, Transfer)
    assert transfer.reason == reason and transfer.emergency is False


def test_a_flow_transfer_and_a_system_error_say_why(tmp_path: Path, engine: Engine) -> None:
    flow = {**FLOW, "states": {**FLOW["states"], "stroke": {"transfer": "stroke"}}}  # type: ignore[dict-item]
    _write(tmp_path, flow)
    plain = Engine(load_flows(tmp_path, ActionRegistry()), ActionRegistry(), understand)
    call, ctx = at(plain, "3")
    out = plain.step(call, Keys("2"), ctx)
    assert out[-1] == Transfer(reason="flow")
    assert fallback_outputs(engine.flows)[-1] == Transfer(reason="system_error")


def test_the_emergency_flag_survives_storage_and_old_steps_still_load() -> None:
    stored = to_dict(Transfer(reason="emergency", emergency=True))
    assert output_from_dict(stored) == Transfer(reason="emergency", emergency=True)
    old = {"kind": "transfer", "reason": "caller pressed 0"}  # stored before the field existed
    assert output_from_dict(old) == Transfer(reason="caller pressed 0", emergency=False)


def test_the_loader_wants_the_shared_emergency_prompt(tmp_path: Path) -> None:
    prompts = {k: v for k, v in COMMON["prompts"].items() if k != "emergency"}
    (tmp_path / "common.yaml").write_text(yaml.safe_dump({"prompts": prompts}))
    (tmp_path / "main.yaml").write_text(yaml.safe_dump(FLOW, allow_unicode=True))
    with pytest.raises(FlowError, match="emergency"):
        load_flows(tmp_path, ActionRegistry())


def test_the_loader_refuses_emergency_outside_a_transfer_state(tmp_path: Path) -> None:
    states = {**FLOW["states"], "done": {"end": "done", "emergency": True}}  # type: ignore[dict-item]
    _write(tmp_path, {**FLOW, "states": states})
    with pytest.raises(FlowError, match="`emergency` belongs on a transfer state"):
        load_flows(tmp_path, ActionRegistry())
