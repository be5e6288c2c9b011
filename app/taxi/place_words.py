"""The caller's words about places, kept as said (`keep_said`):

* the very spot said with the yes to a pick-up read back ("对，到小区门口嘛", "是的，我在大门口
  保安亭那点等"): the car still goes to the place read back, and the caller's words go with it
  to the dispatcher and the driver (the ride's transcript, shown beside the saved address);
* where the caller says she is when asking for the car at the menu ("我在市一院看完病了"):
  the pick-up."""

from __future__ import annotations

import re

#: The call variable the pick-up read-backs keep their spoken answer in (`keep_said` in
#: dialogs/taxi.yaml).
SAID_AT_READBACK = "readback_said"
#: The menu's words as said (`keep_said` in dialogs/main.yaml), and the place found in them,
#: for the taxi flow.
MENU_SAID = "menu_said"
PLACE_SAID_AT_MENU = "ride_from"
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


#: (twenty-second round, a user trial) Where the caller says she is when asking for the car
#: at the menu (我要叫个车 我在市一院看完病了 要回家; 叫个车 我现在在菜市场门口): a place name
#: ending in its kind. Home is no such place (我在家: the home read-back as ever).
_I_AM_AT = re.compile(
    r"我(?:现在|人|这会儿)?(?:在|到了)(?P<at>[^\s，,。.！!？?在]{1,8}"
    r"(?:医院|院|家|小区|菜市场|市场|门口|车站|站|公园|超市|学校|村|镇|广场))"
)
_HOME_ONLY = frozenset({"家", "屋", "我家", "自己家", "家里"})


def place_said_at_menu(said: str | None) -> str | None:
    """The place the caller says she is at, in her own words, or None."""
    found = _I_AM_AT.search("".join((said or "").split()))
    place = found["at"] if found else None
    return place if place and place not in _HOME_ONLY else None
