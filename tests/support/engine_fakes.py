"""Fakes for engine tests: the shared prompts and an action context without a database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

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
