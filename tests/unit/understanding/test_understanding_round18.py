"""Eighteenth round: classes of answer found in the round's development sets (fs, fr, ft, fu),
each tested in words of its own as well as the set's."""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand
from app.understanding.yesno import parse_yesno

TODAY = dt.date(2025, 6, 18)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # going, moving or giving up said back as the verb of the offer
        ("要 去 要 去", "yes"),
        ("改嘛改嘛", "yes"),
        ("退 嘛", "yes"),
        ("克嘛", "yes"),
        ("去哪点嘛", "unknown"),
        ("换一个", "no"),
        # words said while looking for words: no answer (never a yes)
        ("呃……那个……嗯……", "unknown"),
        ("那 个 嘛 就 是 说 嗯", "unknown"),
        ("这个……然后……嗯", "unknown"),
        # where the caller is, asked back
        ("在小区门口接？哪个小区门口？", "unknown"),
        ("在门口了", "yes"),
        # a mind changed with 还是, either way
        ("不用车了，哎哟下雨了，还是来接一下嘛", "yes"),
        ("确认吧，唉等等，还是不要确认了，下午我有事", "no"),
        ("要，还是不要了，太贵了", "no"),
        ("是要……还是不要嘛……我想哈……要！", "yes"),
        # the Kunming 阿 opening the question said back, then the answer
        ("阿 要 发 短 信 哦 莫 发 莫 发", "no"),
        ("阿 要 叫 车 嘛 要 嘞", "yes"),
        # 要 and 叫车 as the recogniser writes them
        ("药 嘞 药 嘞 在 村 口 等", "yes"),
        ("吃药嘞", "unknown"),
        # a yes, then a wish about how it is done: still the yes
        ("可以嘛，就是要司机上楼来扶一下我", "yes"),
        ("好的，不过要个大点的车，我要带轮椅。", "yes"),
        ("要得，但是叫司机莫按喇叭，我孙子在睡觉", "yes"),
        # ... but not a wish that changes what was offered, or a doubt
        ("好嘛，但是要晚一点的", "unknown"),
        ("好是好，就是怕太贵", "unknown"),
    ],
)
def test_yes_no_classes(text: str, value: str) -> None:
    assert parse_yesno(text) == value
    assert understand("yesno", text, TODAY) == value
