"""What the caller wants at a top-level menu: the intent, with two requests told apart
that the intent alone would get wrong.

- A car for later: a taxi request that names a later day ("我明天早上要车"), a clock time
  ("下午三点要个车") or books (约, 预约, 订: "帮我约个车") is not a ride now. Unless it
  also says now (马上, 现在): "约个车，马上就走" is a ride now.
- A booked car given up: "明天的车不要了", "取消明天的车", "约的车不要了" cancel a ride
  booked ahead, not "never mind" and not a ride now.

Both come back as ``{"want": "ahead" | "cancel_booked", "said": text}``: the flow goes on
with the words said (the day and hour are read from them). A plain never mind (不消了,
算了, naming nothing) is ``"nothing"``; a never mind that names a car or a booking (车不要了,
明天的号不要了) is ``"cancel"``; anything else is the intent.
"""

from __future__ import annotations

import datetime as dt
import re

from app.understanding.decline import is_decline
from app.understanding.intent import parse_intent
from app.understanding.when import parse_clock, parse_when

# 约 / 订 of a car, not of a doctor ("叫个车，我约了医生" is a ride now).
_BOOKS = re.compile(r"(约|订)[^，。,.！？!?]{0,3}(车|的士|出租)")
_NOW = ("马上", "现在", "立刻", "赶紧", "赶快", "快点")
_CAR = ("车", "的士", "出租")
_BOOKING = ("号", "预约", "挂的")


def _later_day(text: str, today: dt.date) -> bool:
    when = parse_when(text, today)
    found = when.get("date") if isinstance(when, dict) else None
    return bool(found) and dt.date.fromisoformat(str(found)) > today


def parse_menu(text: str, today: dt.date, intent: str | None = None) -> object:
    """``intent``: the intent already understood (with its backstop), else the rules'."""
    intent = intent if intent is not None else parse_intent(text)
    car = any(w in text for w in _CAR)
    said_later = _later_day(text, today) or parse_clock(text) is not None
    declined = is_decline(text)
    booked = _BOOKS.search(text) is not None
    if car and (intent == "cancel" or declined) and (said_later or booked):
        return {"want": "cancel_booked", "said": text}
    if declined:
        # 车不要了 / 明天的号不要了 give up something named: a cancel, read back first.
        return "cancel" if car or any(w in text for w in _BOOKING) else "nothing"
    if intent == "taxi" and (said_later or booked) and not any(w in text for w in _NOW):
        return {"want": "ahead", "said": text}
    return intent
