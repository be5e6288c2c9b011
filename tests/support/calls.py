"""Whole calls played through the real call service, as the simulator plays them."""

from __future__ import annotations

from app.calls.service import CallService
from app.simulator import run_call

#: The hotline's own number, dialled by every simulated caller.
HOTLINE = "+868710000000"


def play(service: CallService, number: str, *turns: str) -> list[str]:
    """Call the hotline from ``number`` with ``turns`` (keys, words, "hangup"); every line
    the simulator shows (prompts, the caller's turns, notes) in order."""
    lines: list[str] = []
    run_call(service, from_number=number, to_number=HOTLINE, turns=iter(turns), show=lines.append)
    return lines
