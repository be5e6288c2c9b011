"""What the caller wants at a top-level menu: the intent, with two requests told apart
that the intent alone would get wrong.

- A car for later: a taxi request that names a later day ("我明天早上要车"), a clock time
  ("下午三点要个车") or books (约, 预约, 订: "帮我约个车") is not a ride now. Unless it
  also says now (马上, 现在): "约个车，马上就走" is a ride now.
- A booked car given up: "明天的车不要了", "取消明天的车", "约的车不要了" cancel a ride
  booked ahead, not "never mind" and not a ride now.

- A car to the hospital now: a taxi request that says where ("帮我喊个车克医院", "叫个车去
  医院看病", "叫车去云大医院") is ``{"want": "taxi_to", "to": "医院" | the name said}``: the
  taxi flow reads back the hospital and never asks "去医院" again.
- Going to the hospital, no car said ("明天要去医院", "我要去医院"): a booking (挂号) or a
  car there? ``{"want": "hospital_or_car"}``, asked in one short question. A registration
  said ("明天去医院挂号", "去医院看病": the intent's `hospital`) is not asked.

These come back as ``{"want": ..., "said": text}``: the flow goes on with the words said
(the day and hour are read from them). A plain never mind (不消了, 算了, naming nothing)
is ``"nothing"``; a never mind that names a car or a booking (车不要了, 明天的号不要了) is
``"cancel"``; anything else is the intent.
"""

from __future__ import annotations

import datetime as dt
import re

from app.understanding.change import destination
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
    to = destination(text) if intent == "taxi" else None
    if to is not None and not car:
        return {"want": "hospital_or_car", "said": text}  # 明天要去医院: 挂号, or a car?
    if intent == "taxi" and (said_later or booked) and not any(w in text for w in _NOW):
        return {"want": "ahead", "said": text}  # the ahead flow keeps the hospital said
    if to is not None:
        return {"want": "taxi_to", "to": to, "said": text}
    return intent


def car_to_hospital(text: str, today: dt.date) -> dict[str, object]:
    """The car chosen after "明天要去医院" (挂号, or a car?): booked ahead when the words
    name a later day or an hour ("明天要去医院": the hour is asked), else a car now."""
    if _later_day(text, today) or parse_clock(text) is not None:
        return {"want": "ahead", "said": text}
    return {"want": "taxi_to", "to": destination(text) or "医院", "said": text}
