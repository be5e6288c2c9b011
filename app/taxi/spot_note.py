"""The very spot said with the yes to a pick-up read back ("对，到小区门口嘛", "是的，我在大门口
保安亭那点等"): the car still goes to the place read back, and the caller's words go with it to
the dispatcher and the driver (the ride's transcript, shown beside the saved address)."""

from __future__ import annotations

import re

#: The call variable the pick-up read-backs keep their spoken answer in (`keep_said` in
#: dialogs/taxi.yaml).
SAID_AT_READBACK = "readback_said"
#: Words that say where exactly to stop: a gate, the road, a landmark beside the place.
_SPOT = re.compile(
    r"门口|大门|[东南西北前后侧正]门|楼下|楼底下|路口|巷子|巷口|路边|路旁|马路|对面|旁边|边上"
    r"|保安|门卫|站牌|车站|公交站|超市|药店|商店|小卖部|树下|底下|单元|栋|号楼|停车场|岔路"
)
#: The ride's transcript column holds at most this many characters.
_MOST = 200


def spot_said(said: str | None) -> str | None:
    """The caller's words when they name the very spot, else None."""
    words = (said or "").strip()
    return words[:_MOST] if words and _SPOT.search(words) else None
