"""Fakes for engine tests: the shared prompts, an engine over flows written for a test, and
an action context without a database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from app.callflow.actions import ActionRegistry
from app.callflow.engine import Engine, Understand
from app.callflow.loader import load_flows

COMMON = {
    "prompts": {
        "didnt_catch": "没听明白。",
        "wrong_key": "请再按一遍。",
        "transferring": "转人工。",
        "system_error": "出错。",
        "emergency": "打120。",
        "restated": "好的。",
    }
}


#: A main flow that hands the call straight to the hospital flow.
MAIN_TO_HOSPITAL = {
    "name": "main", "start": "hello", "prompts": {"hello": "您好。"},
    "states": {"hello": {"say": "hello", "next": "hospital"}},
}


def engine_over(
    tmp_path: Path,
    flows: dict[str, dict[str, Any]],
    understand: Understand,
) -> Engine:
    """An engine over the shared prompts and ``flows`` (file name -> flow), with no actions."""
    (tmp_path / "common.yaml").write_text(yaml.safe_dump(COMMON, allow_unicode=True))
    for name, flow in flows.items():
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(flow, allow_unicode=True))
    actions = ActionRegistry()
    return Engine(load_flows(tmp_path, actions), actions, understand)


@dataclass
class FakeContext:
    vars: dict[str, Any]
    now: datetime = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    call_id: str = "CA1"
    from_number: str | None = "+8613800000001"
    booked: list[str] = field(default_factory=list)
    hung_up: list[str] = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.now.date()
