"""The simulator's reading of typed turns and its call-time estimate."""

from __future__ import annotations

import pytest

from app.callflow.messages import HangUp, Keys, Listen, Say, Silence, Speech
from app.callflow.voice import ELDERLY_CHARS_PER_MINUTE
from app.simulator import parse_turn, speaking_seconds


@pytest.mark.parametrize(
    ("line", "event"),
    [
        ("1", Keys("1")),
        ("*", Keys("*")),
        ("530102194603120021#", Keys("530102194603120021")),
        ("", Silence()),
        ("  ", Silence()),
        ("挂断", HangUp()),
        ("hangup", HangUp()),
        ("我要叫车", Speech("我要叫车")),
    ],
)
def test_typed_lines_become_events(line: str, event: object) -> None:
    assert parse_turn(line) == event


def test_prompt_time_counts_spoken_characters_and_pauses_not_quotes() -> None:
    plain = speaking_seconds([Say("叫车按一")])
    assert plain == pytest.approx(4 * 60 / ELDERLY_CHARS_PER_MINUTE)
    assert speaking_seconds([Say("“叫车按一”")]) == pytest.approx(plain)
    assert speaking_seconds([Say("叫车，按一。")]) > plain
    assert speaking_seconds([Listen(expect="intent")]) == 0
