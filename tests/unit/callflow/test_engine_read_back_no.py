"""A read-back whose no is a named alternative (the default, `put_right_is_no: false`): the
detail said again is still the yes, a detail put right is asked again, the caller's own no
is the no; with `put_right_is_no: true` a detail put right is the no."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.callflow.engine import CallState
from app.callflow.messages import CallStarted, Speech
from app.understanding import understand
from support.engine_fakes import FakeContext, engine_over


def flow(put_right_is_no: bool) -> dict[str, Any]:
    return {
        "name": "main",
        "start": "confirm",
        "prompts": {
            "confirm": "是给{passenger_title}叫车吗？对，请按1。给您自己叫，请按2。",
            "confirm_s": "给{passenger_title}叫车，按1。给您自己，按2。",
            "theirs": "给家人叫。",
            "yours": "给您自己叫。",
        },
        "states": {
            "confirm": {
                "ask": "confirm", "simpler": "confirm_s", "expect": "yesno",
                "keys": {1: "theirs", 2: "yours"}, "answers": {"yes": "theirs", "no": "yours"},
                "put_right_is_no": put_right_is_no,
            },
            "theirs": {"end": "theirs"},
            "yours": {"end": "yours"},
        },
    }


@pytest.mark.parametrize(
    ("put_right_is_no", "said", "state"),
    [
        (False, "给我妈叫", "theirs"),
        (False, "给我老伴叫", "confirm"),  # asked again
        (False, "是的，给我老伴叫", "confirm"),  # a yes with the detail put right: asked again
        (False, "不是", "yours"),
        (True, "给我老伴叫", "yours"),  # the flow says a detail put right is the no
    ],
)
def test_a_detail_put_right_is_the_no_only_where_the_flow_says(
    tmp_path: Path, put_right_is_no: bool, said: str, state: str
) -> None:
    engine, call = engine_over(tmp_path, {"main": flow(put_right_is_no)}, understand), CallState()
    ctx = FakeContext(vars=call.vars)
    call.vars["passenger_title"] = "您母亲张秀英"
    engine.step(call, CallStarted(None, None), ctx)
    engine.step(call, Speech(said), ctx)
    assert call.state == state
