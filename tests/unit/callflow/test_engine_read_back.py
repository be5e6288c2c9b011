"""A yes/no question that reads a detail back is heard with its words as asked: the real
understanding, through the engine, takes the person said again as the yes and the person
put right as the no (the question rendered with the call's own variables)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.callflow.engine import CallState
from app.callflow.messages import CallStarted, Say, Speech
from app.understanding import understand
from support.engine_fakes import FakeContext, engine_over

FLOW: dict[str, Any] = {
    "name": "main",
    "start": "confirm",
    "prompts": {
        "confirm": "是给{patient_title}挂号吗？对，请按1。不对，请按2。",
        "confirm_s": "给{patient_title}挂号。对，按1。不对，按2。",
        "booking": "好的，给{patient_title}挂。",
        "who": "那是给谁挂？",
    },
    "states": {
        "confirm": {
            "ask": "confirm", "simpler": "confirm_s", "expect": "yesno",
            "keys": {1: "booking", 2: "who"}, "answers": {"yes": "booking", "no": "who"},
            "put_right_is_no": True,
        },
        "booking": {"end": "booking"},
        "who": {"end": "who"},
    },
}


@pytest.mark.parametrize(
    ("patient_title", "said", "state"),
    [
        ("您孙子", "给我孙子", "booking"),
        ("您孙子", "给 我 外 婆 挂", "who"),
        ("您母亲张秀英", "张秀英", "booking"),
        ("您母亲张秀英", "是给我爸挂", "who"),
    ],
)
def test_the_read_back_decides_an_answer_without_yes_or_no(
    tmp_path: Path, patient_title: str, said: str, state: str
) -> None:
    engine, call = engine_over(tmp_path, {"main": FLOW}, understand), CallState()
    ctx = FakeContext(vars=call.vars)
    call.vars["patient_title"] = patient_title
    engine.step(call, CallStarted(None, None), ctx)
    out = engine.step(call, Speech(said), ctx)
    assert call.state == state
    assert call.ended
    if state == "booking":
        assert any(isinstance(o, Say) and patient_title in o.text for o in out)


def test_without_a_detail_the_answer_is_asked_again(tmp_path: Path) -> None:
    engine, call = engine_over(tmp_path, {"main": FLOW}, understand), CallState()
    ctx = FakeContext(vars=call.vars)
    call.vars["patient_title"] = "您孙子"
    engine.step(call, CallStarted(None, None), ctx)
    engine.step(call, Speech("给他看看嘛"), ctx)
    assert call.state == "confirm"
    assert not call.ended
