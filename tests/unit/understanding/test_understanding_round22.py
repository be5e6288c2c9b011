"""Twenty-second round: answers a user trial of calls was asked again for, read with the
question as the hotline speaks it (its key instructions included)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand

TODAY = dt.date(2026, 12, 2)
TRIP = (
    "给您母亲张秀英挂好了：明天星期四上午8点，春城第一人民医院，心血管内科李医生。"
    "要不要约车送她去医院？车明天早上7点15分到她家接她。要，请按1；不用，请按2。转人工，按0。"
)
PERSON = "要转人工吗？转人工，请按1。不用，请按2。"


@pytest.mark.parametrize(
    ("question", "text", "value"),
    [
        # the car asked for with a reason, at the offer of a car to hospital: the yes (the
        # menu's 转人工 is not what the question offers)
        (TRIP, "她走不动 要车", "yes"),
        (TRIP, "要个车嘛 她腿不好", "yes"),
        (TRIP, "她 走 不 动 要 约 车", "yes"),
        # ... refused, or a question about it, or thinking: never the yes
        (TRIP, "她走不动 不要车 她儿子开车送", "no"),
        (TRIP, "约车要好多钱", "unknown"),
        (TRIP, "要车 等下 我问问她", "unknown"),
        # a person offered: wanting one is still the yes, the menu read past
        (PERSON, "要 找个人跟我说", "yes"),
    ],
)
def test_offers_read_past_the_key_instructions(question: str, text: str, value: str) -> None:
    assert understand("yesno", text, TODAY, question=question) == value
