"""When: corrections in one breath, "no preference", recogniser spaces inside time words,
afternoon synonyms, and 一下 before a weekday (not 下礼拜). Written from the classes."""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand

TUESDAY = dt.date(2026, 12, 1)


def when(text: str) -> object:
    return understand("when", text, TUESDAY)


@pytest.mark.parametrize(
    ("text", "date", "session"),
    [
        ("明天，不不，后天", "2026-12-03", None),
        ("礼拜五不行，礼拜一", "2026-12-07", None),
        ("星期四上午不行 星期五下午", "2026-12-04", "pm"),
        ("今天来不及了，明天上午嘛", "2026-12-02", "am"),
        ("后天还是大后天，大后天", "2026-12-04", None),
        ("礼拜三下午不行，礼拜五", "2026-12-04", None),  # the rejected day's session goes too
        ("明天，下午，不是，上午", "2026-12-02", "am"),
    ],
)
def test_the_time_said_last_after_a_correction_counts(
    text: str, date: str, session: str | None
) -> None:
    assert when(text) == {"date": date, "session": session}


@pytest.mark.parametrize(
    "text",
    [
        "随便哪天",
        "越快越好",
        "尽快嘛",
        "你们定",
        "你 看 着 办",
        "哪天都得",
        "什么时候都行",
        "上午还是下午都行",
    ],
)
def test_no_preference_is_a_time_without_a_day(text: str) -> None:
    assert when(text) == {"date": None, "session": None}


@pytest.mark.parametrize(
    ("text", "date", "session"),
    [
        ("明 天 桑 午", "2026-12-02", "am"),
        ("后 天 下 五", "2026-12-03", "pm"),
        ("下 礼 拜 四 早 上", "2026-12-10", "am"),
        ("明天午饭过后", "2026-12-02", "pm"),
        ("后天中午过后", "2026-12-03", "pm"),
        ("等我想一下，礼拜四", "2026-12-03", None),
        ("我看一下 星期五", "2026-12-04", None),
    ],
)
def test_recogniser_spacing_afternoon_words_and_yixia(
    text: str, date: str, session: str | None
) -> None:
    assert when(text) == {"date": date, "session": session}


def test_no_preference_at_the_offer_takes_the_slot() -> None:
    assert understand("offer", "随便", TUESDAY) == "yes"
    assert understand("offer", "下个礼拜", TUESDAY) == "other_day"


def test_the_vosk_phrase_lists_hold_the_new_words() -> None:
    from app.understanding.phrases import phrase_list

    when_words, offer_words = phrase_list("when"), phrase_list("offer")
    for word in ("随便", "越快越好", "午饭过后", "不不"):
        assert word in when_words and word in offer_words, word
    for word in ("喘不赢", "心绞痛", "胸闷"):
        assert word in when_words or any(word in p for p in when_words), word
