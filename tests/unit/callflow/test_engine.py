"""The engine's shared behaviour, defined once for every state: repeat, transfer, re-prompt."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from app.callflow.actions import ActionRegistry
from app.callflow.engine import CallState, Engine
from app.callflow.loader import load_flows
from app.callflow.messages import (
    CallStarted,
    HangUp,
    Hangup,
    Keys,
    Listen,
    Output,
    Say,
    Silence,
    Speech,
    Transfer,
)
from support.engine_fakes import COMMON, FakeContext

FLOW = {
    "name": "main",
    "start": "hello",
    "on_hang_up": "note_hang_up",
    "prompts": {
        "hello": "{call_name}您好。",
        "menu": "叫车请按1。",
        "menu_simple": "叫车按1。",
        "sure": "车到家接您，对吗？",
        "sure_simple": "对按1，不对按2。",
        "queued": "车已经叫好了。",
    },
    "states": {
        "hello": {"action": "greet", "say": "hello", "next": "menu"},
        "menu": {
            "ask": "menu",
            "simpler": "menu_simple",
            "expect": "intent",
            "keys": {1: "sure"},
            "answers": {"taxi": "sure"},
        },
        "sure": {
            "ask": "sure",
            "simpler": "sure_simple",
            "on_hum": "sure_simple",
            "expect": "yesno",
            "keys": {1: "book", 2: "menu"},
            "answers": {"yes": "book", "no": "menu"},
        },
        "book": {"action": "book", "next": "done"},
        "done": {"end": "queued"},
    },
}
WORDS = {"叫车": "taxi", "再说一遍": "repeat", "转人工": "operator", "是喽嘛": "yes", "不活": "no"}


def fake_understand(expect: str, text: str, today: date, question: str | None = None) -> object:
    value = WORDS.get(text)
    if expect == "intent":
        return value if value in {"taxi", "repeat", "operator"} else "unknown"
    if expect == "yesno":
        return value if value in {"yes", "no"} else "unknown"
    return None


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    (tmp_path / "common.yaml").write_text(yaml.safe_dump(COMMON, allow_unicode=True))
    (tmp_path / "main.yaml").write_text(yaml.safe_dump(FLOW, allow_unicode=True))
    actions = ActionRegistry()

    @actions.register("greet")
    def greet(ctx: FakeContext) -> None:
        ctx.vars["call_name"] = "张奶奶"

    @actions.register("book", commits=True)
    def book(ctx: FakeContext) -> None:
        ctx.booked.append(ctx.call_id)

    @actions.register("note_hang_up")
    def note(ctx: FakeContext) -> None:
        ctx.hung_up.append(ctx.call_id)

    return Engine(load_flows(tmp_path, actions), actions, fake_understand)


def start(engine: Engine) -> tuple[CallState, FakeContext, list[Output]]:
    call = CallState()
    ctx = FakeContext(vars=call.vars)
    out = engine.step(call, CallStarted("+8613800000001", "+868710000000"), ctx)
    return call, ctx, out


def says(outputs: list[Output]) -> list[str]:
    return [o.text for o in outputs if isinstance(o, Say)]


def test_greets_by_name_and_waits_at_the_menu(engine: Engine) -> None:
    call, _, out = start(engine)
    assert says(out) == ["张奶奶您好。", "叫车请按1。"]
    assert isinstance(out[-1], Listen) and out[-1].keys == ("1",)
    assert call.state == "menu"


def test_star_repeats_the_prompt_more_slowly(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    out = engine.step(call, Keys("*"), ctx)
    assert out[0] == Say("叫车请按1。", pace="slow")
    assert isinstance(out[1], Listen)
    assert call.state == "menu" and not call.ended


def test_spoken_repeat_request_repeats(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    out = engine.step(call, Speech("再说一遍"), ctx)
    assert out[0] == Say("叫车请按1。", pace="slow")


def test_zero_transfers_to_a_person_from_any_question(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    engine.step(call, Keys("1"), ctx)
    out = engine.step(call, Keys("0"), ctx)
    assert isinstance(out[-1], Transfer)
    assert call.ended and call.outcome == "transferred"


def test_asking_for_a_person_in_words_transfers(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    out = engine.step(call, Speech("转人工"), ctx)
    assert isinstance(out[-1], Transfer)


def test_first_silence_reprompts_in_simpler_words(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    out = engine.step(call, Silence(), ctx)
    assert out[0] == Say("叫车按1。", pace="slow")
    assert isinstance(out[1], Listen) and not call.ended


def test_second_silence_transfers_never_hangs_up(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    engine.step(call, Silence(), ctx)
    out = engine.step(call, Silence(), ctx)
    assert isinstance(out[-1], Transfer)
    assert not any(isinstance(o, Hangup) for o in out)


def test_misunderstanding_says_so_then_reprompts_then_transfers(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    first = engine.step(call, Speech("我家猫跑了"), ctx)
    assert says(first) == ["没听明白。", "叫车按1。"]
    second = engine.step(call, Keys("7"), ctx)
    assert isinstance(second[-1], Transfer)


def test_a_wrong_key_asks_to_press_again_not_to_say_again(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    first = engine.step(call, Keys("7"), ctx)
    assert says(first) == ["请再按一遍。", "叫车按1。"]
    assert isinstance(first[-1], Listen)
    second = engine.step(call, Keys("8"), ctx)
    assert second[-1] == Transfer(reason="not_understood")


def test_failures_are_counted_per_question(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    engine.step(call, Silence(), ctx)
    out = engine.step(call, Keys("1"), ctx)
    assert call.state == "sure" and isinstance(out[-1], Listen)
    out = engine.step(call, Silence(), ctx)
    assert isinstance(out[-1], Listen), "one silence at a new question only re-prompts"


def test_books_only_after_yes_then_says_goodbye(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    engine.step(call, Speech("叫车"), ctx)
    assert ctx.booked == []
    out = engine.step(call, Speech("是喽嘛"), ctx)
    assert ctx.booked == ["CA1"]
    assert says(out) == ["车已经叫好了。"] and isinstance(out[-1], Hangup)
    assert call.outcome == "completed"


def test_no_at_confirmation_books_nothing_and_returns_to_menu(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    engine.step(call, Keys("1"), ctx)
    engine.step(call, Speech("不活"), ctx)
    assert ctx.booked == [] and call.state == "menu"


def test_hang_up_runs_the_flows_hang_up_action_once(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    engine.step(call, HangUp(), ctx)
    engine.step(call, HangUp(), ctx)
    assert ctx.hung_up == ["CA1"] and call.outcome == "caller_hung_up"


def test_events_after_the_end_change_nothing(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    engine.step(call, Keys("0"), ctx)
    assert engine.step(call, Keys("1"), ctx) == []
    assert call.outcome == "transferred"


def test_state_survives_a_round_trip_through_json(engine: Engine) -> None:
    call, ctx, _ = start(engine)
    engine.step(call, Keys("1"), ctx)
    restored = CallState.from_dict(call.to_dict())
    assert restored == call


def test_call_state_is_stored_with_every_field_and_read_back_equal() -> None:
    """`to_dict` lists the fields by hand (no deep copy): a field added later must be in it."""
    state = CallState(
        flow="taxi",
        state="confirm",
        vars={"places": [{"label": "家"}], "call_name": "张奶奶"},
        failures=1,
        repeats=2,
        ended=True,
        outcome="completed",
    )
    stored = json.loads(json.dumps(state.to_dict()))
    assert set(stored) == {f.name for f in dataclasses.fields(CallState)}
    assert CallState.from_dict(stored) == state
