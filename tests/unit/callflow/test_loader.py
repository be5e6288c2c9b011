"""The flow loader refuses broken flows with a message naming the file, state and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.callflow.actions import ActionRegistry
from app.callflow.loader import FlowError, load_flows
from app.core.config import PROJECT_ROOT
from app.hotline import build_actions

COMMON = {
    "prompts": {
        "didnt_catch": "没听清",
        "wrong_key": "再按一遍",
        "transferring": "转人工",
        "system_error": "出错",
        "emergency": "打120",
        "restated": "好的",
    }
}


def _actions() -> ActionRegistry:
    registry = ActionRegistry()
    registry.register("lookup", outcomes=("found", "missing"))(lambda ctx: "found")
    registry.register("book", outcomes=("booked",), commits=True)(lambda ctx: "booked")
    return registry


def _menu(**overrides: object) -> dict[str, object]:
    flow: dict[str, object] = {
        "name": "main",
        "start": "menu",
        "prompts": {"menu": "按1", "menu_simple": "按1", "bye": "再见"},
        "states": {
            "menu": {"ask": "menu", "simpler": "menu_simple", "keys": {1: "bye"}},
            "bye": {"end": "bye"},
        },
    }
    flow.update(overrides)
    return flow


def _write(tmp_path: Path, *flows: dict[str, object]) -> Path:
    (tmp_path / "common.yaml").write_text(yaml.safe_dump(COMMON, allow_unicode=True))
    for flow in flows:
        (tmp_path / f"{flow['name']}.yaml").write_text(yaml.safe_dump(flow, allow_unicode=True))
    return tmp_path


def _problems(tmp_path: Path, *flows: dict[str, object]) -> str:
    with pytest.raises(FlowError) as info:
        load_flows(_write(tmp_path, *flows), _actions())
    return str(info.value)


def test_the_shipped_dialogs_are_valid() -> None:
    flows = load_flows(PROJECT_ROOT / "dialogs", build_actions())
    assert {"main", "taxi", "hospital"} <= set(flows.names())


def test_a_valid_minimal_flow_loads(tmp_path: Path) -> None:
    flows = load_flows(_write(tmp_path, _menu()), _actions())
    assert flows.start().state == "menu"


def test_rejects_unknown_target_state(tmp_path: Path) -> None:
    flow = _menu()
    flow["states"]["menu"]["keys"] = {1: "nowhere"}  # type: ignore[index]
    assert "key 1 goes to unknown state 'nowhere'" in _problems(tmp_path, flow)


def test_rejects_unreachable_state(tmp_path: Path) -> None:
    flow = _menu()
    flow["states"]["orphan"] = {"end": "bye"}  # type: ignore[index]
    assert "state 'orphan' is unreachable" in _problems(tmp_path, flow)


def test_rejects_missing_prompt(tmp_path: Path) -> None:
    flow = _menu()
    flow["states"]["bye"] = {"end": "farewell"}  # type: ignore[index]
    assert "missing prompt 'farewell'" in _problems(tmp_path, flow)


def test_rejects_unknown_action(tmp_path: Path) -> None:
    flow = _menu(start="look")
    flow["states"]["look"] = {"action": "teleport", "next": "menu"}  # type: ignore[index]
    assert "unknown action 'teleport'" in _problems(tmp_path, flow)


def test_rejects_action_outcome_without_a_target(tmp_path: Path) -> None:
    flow = _menu(start="look")
    flow["states"]["look"] = {"action": "lookup", "outcomes": {"found": "menu"}}  # type: ignore[index]
    assert "outcome 'missing' of 'lookup' goes nowhere" in _problems(tmp_path, flow)


def test_rejects_reserved_keys_in_a_flow(tmp_path: Path) -> None:
    flow = _menu()
    flow["states"]["menu"]["keys"] = {0: "bye", 1: "bye"}  # type: ignore[index]
    assert "key '0' is reserved" in _problems(tmp_path, flow)


def test_rejects_ask_state_without_a_simpler_reprompt(tmp_path: Path) -> None:
    flow = _menu()
    del flow["states"]["menu"]["simpler"]  # type: ignore[attr-defined]
    assert "needs a `simpler` prompt" in _problems(tmp_path, flow)


def test_rejects_a_booking_reachable_without_confirmation(tmp_path: Path) -> None:
    flow = _menu()
    flow["states"]["menu"]["keys"] = {1: "book"}  # type: ignore[index]
    flow["states"]["book"] = {"action": "book", "next": "bye"}  # type: ignore[index]
    assert "without a yes/no confirmation" in _problems(tmp_path, flow)


def test_accepts_a_booking_behind_a_yes_no_confirmation(tmp_path: Path) -> None:
    flow = _menu()
    prompts = flow["prompts"]
    prompts.update(sure="确定吗", sure_simple="确定按1")  # type: ignore[attr-defined]
    flow["states"]["menu"]["keys"] = {1: "sure"}  # type: ignore[index]
    flow["states"]["sure"] = {  # type: ignore[index]
        "ask": "sure",
        "simpler": "sure_simple",
        "on_hum": "sure_simple",
        "expect": "yesno",
        "keys": {1: "book", 2: "menu"},
        "answers": {"yes": "book", "no": "menu"},
    }
    flow["states"]["book"] = {"action": "book", "next": "bye"}  # type: ignore[index]
    assert load_flows(_write(tmp_path, flow), _actions()).names() == ["main"]
    # Without `on_hum` a bare 嗯 would be the yes that books: refused.
    del flow["states"]["sure"]["on_hum"]  # type: ignore[index]
    assert "without `on_hum`" in _problems(tmp_path, flow)


def test_rejects_a_loop_that_never_listens(tmp_path: Path) -> None:
    flow = _menu(start="a")
    flow["states"]["a"] = {"say": "bye", "next": "b"}  # type: ignore[index]
    flow["states"]["b"] = {"say": "bye", "next": "a"}  # type: ignore[index]
    flow["states"]["menu"]["keys"] = {1: "a"}  # type: ignore[index]
    assert "loops without waiting for the caller" in _problems(tmp_path, flow)


def test_rejects_unknown_fields_with_the_file_name(tmp_path: Path) -> None:
    flow = _menu()
    flow["states"]["menu"]["askk"] = "menu"  # type: ignore[index]
    assert "main.yaml: states.menu.askk" in _problems(tmp_path, flow)


def test_rejects_invalid_yaml(tmp_path: Path) -> None:
    _write(tmp_path, _menu())
    (tmp_path / "main.yaml").write_text("states: [unclosed")
    with pytest.raises(FlowError, match="not valid YAML"):
        load_flows(tmp_path, _actions())
