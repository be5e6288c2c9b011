"""Answers typed on the keypad: keys standing for words, and * for X in an ID number."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from app.callflow.actions import ActionRegistry
from app.callflow.engine import CallState, Engine
from app.callflow.loader import load_flows
from app.callflow.messages import CallStarted, Keys, Listen, Say, Speech
from support.engine_fakes import COMMON, FakeContext

FLOW = {
    "name": "main",
    "start": "department",
    "prompts": {
        "dept": "哪个科？心内科按1。",
        "dept_s": "心内科按1。",
        "id": "输入身份证号。",
        "id_s": "身份证号。",
        "got": "{department}，{id_number}。",
    },
    "states": {
        "department": {
            "ask": "dept",
            "simpler": "dept_s",
            "expect": "department",
            "key_answers": {1: "心血管内科"},
            "save_as": "department",
            "on_value": "id",
        },
        "id": {
            "ask": "id",
            "simpler": "id_s",
            "expect": "digits",
            "max_digits": 18,
            "save_as": "id_number",
            "on_value": "done",
        },
        "done": {"end": "got"},
    },
}


def understand(expect: str, text: str, today: date, question: str | None = None) -> object:
    if expect == "digits":
        return text if text.replace("X", "").isdigit() else None
    if expect == "department":
        return "骨科" if "腰杆疼" in text else None
    return "unknown"


def engine(tmp_path: Path) -> Engine:
    (tmp_path / "common.yaml").write_text(yaml.safe_dump(COMMON, allow_unicode=True))
    (tmp_path / "main.yaml").write_text(yaml.safe_dump(FLOW, allow_unicode=True))
    actions = ActionRegistry()
    return Engine(load_flows(tmp_path, actions), actions, understand)


def test_a_key_can_stand_for_a_spoken_answer(tmp_path: Path) -> None:
    hotline, call = engine(tmp_path), CallState()
    ctx = FakeContext(vars=call.vars)
    first = hotline.step(call, CallStarted(None, None), ctx)
    assert isinstance(first[-1], Listen) and first[-1].keys == ("1",)
    hotline.step(call, Keys("1"), ctx)
    assert call.vars["department"] == "心血管内科" and call.state == "id"


def test_the_same_question_still_accepts_words(tmp_path: Path) -> None:
    hotline, call = engine(tmp_path), CallState()
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    hotline.step(call, Speech("我腰杆疼"), ctx)
    assert call.vars["department"] == "骨科"


def test_star_inside_a_typed_id_number_is_x(tmp_path: Path) -> None:
    hotline, call = engine(tmp_path), CallState()
    ctx = FakeContext(vars=call.vars)
    hotline.step(call, CallStarted(None, None), ctx)
    hotline.step(call, Keys("1"), ctx)
    out = hotline.step(call, Keys("11010519491231002*"), ctx)
    assert call.vars["id_number"] == "11010519491231002X"
    assert out[0] == Say("心血管内科，11010519491231002X。")
