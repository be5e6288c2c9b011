"""The operators' panel says, in Chinese, at which step of a call a caller asked for a
person: every question of the taxi, hospital and booked-car flows has a step label."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.operators.panel import _state_label

DIALOGS = Path(__file__).resolve().parents[2] / "dialogs"


@pytest.mark.parametrize("flow", ["taxi", "hospital", "ahead"])
def test_every_question_has_a_step_label(flow: str) -> None:
    states = yaml.safe_load((DIALOGS / f"{flow}.yaml").read_text(encoding="utf-8"))["states"]
    unlabelled = [
        name
        for name, spec in states.items()
        if isinstance(spec, dict) and "ask" in spec
        and " · " not in (_state_label(f"{flow}.{name}") or "")
    ]
    assert unlabelled == []
