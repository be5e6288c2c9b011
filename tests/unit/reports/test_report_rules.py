"""The report's small rules: age bands, what counts as a re-ask, keys pressed, empty charts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.reports.charts import bar_chart
from app.reports.figures import StepRow, age_band, keys_pressed, reask_kind

LISTEN = {"kind": "listen"}
SAY = {"kind": "say", "text": "…"}


def _step(event: dict[str, Any], before: str, after: str, *outputs: dict[str, Any]) -> StepRow:
    return StepRow("c", 2, event, before, after, list(outputs))


@pytest.mark.parametrize(
    ("birth", "band"),
    [(date(1966, 3, 2), "60-69"), (date(1966, 3, 3), "unknown"), (date(1956, 3, 2), "70-79"),
     (date(1956, 3, 3), "60-69"), (date(1946, 3, 2), "80+"), (None, "unknown")],
)
def test_age_bands_count_birthdays_exactly(birth: date | None, band: str) -> None:
    assert age_band(birth, on=date(2026, 3, 2)) == band


@pytest.mark.parametrize(
    ("step", "kind"),
    [
        (_step({"kind": "keys", "digits": "*"}, "q", "q", SAY, LISTEN), "repeat"),
        (_step({"kind": "speech", "text": "再说一遍"}, "q", "q", SAY, LISTEN), "repeat"),
        (_step({"kind": "silence"}, "q", "q", SAY, LISTEN), "silence"),
        (_step({"kind": "speech", "text": ""}, "q", "q", SAY, LISTEN), "silence"),
        (_step({"kind": "speech", "text": "嗯"}, "q", "q", SAY, SAY, LISTEN), "not_understood"),
        (_step({"kind": "keys", "digits": "9"}, "q", "q", SAY, SAY, LISTEN), "not_understood"),
        (_step({"kind": "keys", "digits": "1"}, "q", "r", SAY, LISTEN), None),  # moved on
        (_step({"kind": "silence"}, "q", "q", SAY, {"kind": "transfer"}), None),  # handed over
        (_step({"kind": "hang_up"}, "q", "q"), None),
    ],
)
def test_a_re_ask_stays_at_the_question_and_asks_again(step: StepRow, kind: str | None) -> None:
    assert reask_kind(step) == kind


def test_keys_pressed_counts_typed_and_redacted_entries_only() -> None:
    assert keys_pressed({"kind": "keys", "digits": "123"}) == 3
    assert keys_pressed({"kind": "keys", "digits": "[redacted 18]"}) == 18
    assert keys_pressed({"kind": "speech", "text": "一二三"}) == 0


def test_a_chart_draws_one_bar_per_value_scaled_to_the_largest() -> None:
    svg = bar_chart("结果", [("甲", 4), ("乙", 1)])
    assert svg.count('class="bar"') == 2
    assert 'width="320.0"' in svg and 'width="80.0"' in svg
    assert bar_chart("空", []).count('class="bar"') == 0
    assert "&lt;b&gt;" in bar_chart("x", [("<b>", 1)])  # labels are escaped
