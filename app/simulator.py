"""A call in the terminal: the same engine, database and services as a real call.

Prompts are printed; the caller types keys (`1`, `*`, `0`, `110101...#`) or Chinese text.
An empty line is silence, `挂断` or `hangup` (or end of input) hangs up. With a script,
each line is one caller turn.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from app.callflow.messages import CallStarted, Event, HangUp, Keys, Output, Silence, Speech
from app.callflow.voice import ELDERLY_CHARS_PER_MINUTE
from app.calls.enums import CallChannel
from app.calls.service import CallService

HANG_UP_WORDS = {"hangup", "挂断", "挂电话"}
KEYPAD = set("0123456789*#")
CALLER_TURN_SECONDS = 3.0  # assumed time for an older caller to press a key or answer


@dataclass
class SimulatedCall:
    call_id: str
    turn_ends: list[float] = field(default_factory=list)  # call time when each answer is in
    seconds: float = 0.0


def parse_turn(line: str) -> Event:
    """One line typed (or scripted) by the caller -> one engine event."""
    text = line.strip()
    if not text or text in {".", "(silence)", "（沉默）"}:
        return Silence()
    if text.lower() in HANG_UP_WORDS:
        return HangUp()
    if set(text) <= KEYPAD:
        return Keys(text.rstrip("#") if len(text) > 1 else text)
    return Speech(text)


def render(output: Output) -> str:
    if output.kind == "say":
        slow = "（慢速）" if output.pace == "slow" else ""
        return f"热线{slow}：{output.text}"
    if output.kind == "listen":
        what = {"keys": "按键", "speech": "说话", "both": "按键或说话"}[output.input]
        return f"   [等待{what}，{output.timeout_s}秒]"
    if output.kind == "transfer":
        return f"   [转接人工：{output.reason}]"
    return "   [挂断]"


COMMA_PAUSE_S = 0.3  # ，、
STOP_PAUSE_S = 0.5  # 。？！；：


def speaking_seconds(outputs: Iterable[Output]) -> float:
    """How long the prompts take: spoken characters at the elderly speaking rate, plus the
    pauses a synthesiser makes at commas and full stops (quote marks are silent)."""
    seconds = 0.0
    for output in outputs:
        if output.kind != "say":
            continue
        text = output.text
        spoken = sum(ch.isalnum() for ch in text)
        seconds += spoken * 60 / ELDERLY_CHARS_PER_MINUTE
        seconds += COMMA_PAUSE_S * sum(text.count(p) for p in "，、,")
        seconds += STOP_PAUSE_S * sum(text.count(p) for p in "。？！；：")
    return seconds


def run_call(
    service: CallService,
    *,
    from_number: str | None,
    to_number: str | None,
    turns: Iterator[str],
    show: Callable[[str], None] = print,
) -> SimulatedCall:
    """Play one call to its end.

    Before each caller turn it shows the call time so far: prompts at the elderly speaking
    rate, plus CALLER_TURN_SECONDS per answer (prompts are heard in full: no barge-in).
    """
    call_id = f"SIM{uuid.uuid4().hex[:24]}"
    result = service.handle(
        call_id=call_id,
        event=CallStarted(from_number, to_number),
        event_key="start",
        channel=CallChannel.SIMULATOR,
    )
    total = speaking_seconds(result.outputs)
    for output in result.outputs:
        show(render(output))
    turn = 0
    played = SimulatedCall(call_id)
    while not result.ended:
        line = next(turns, None)
        event: Event = HangUp() if line is None else parse_turn(line)
        turn += 1
        show(f"   [约 {total:.0f} 秒]")
        total += CALLER_TURN_SECONDS
        played.turn_ends.append(total)
        show(
            f"来电者：{line.strip() if line and line.strip() else '（沉默）'}"
            if line is not None
            else "来电者：（挂断）"
        )
        result = service.handle(call_id=call_id, event=event, event_key=f"turn:{turn}")
        total += speaking_seconds(result.outputs)
        for output in result.outputs:
            show(render(output))
        if isinstance(event, HangUp):
            break
    show(f"   [通话结束，约 {total:.0f} 秒（按每分钟 {ELDERLY_CHARS_PER_MINUTE} 字计）]")
    played.seconds = total
    return played
