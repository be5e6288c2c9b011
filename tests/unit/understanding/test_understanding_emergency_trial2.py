"""Emergency classes from the second user trial of issue 9: palpitations, sudden loss of
sight, seizures, a sudden severe headache, very high blood pressure with symptoms,
poisoning and self-harm, not responding, heavy bleeding, a person down, breathing, being hit
by a vehicle; and the ordinary talk next to each class that must stay ordinary.

Examples are written per class in several voices and with recogniser spacing, not copied
from the trial's sentences; each class also checks that ``intent`` agrees (never a taxi or a
hospital request for an emergency).
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import understand
from app.understanding.phrases import phrase_list

TODAY = dt.date(2026, 12, 1)

ACUTE = {
    "palpitations": [
        "我心慌得不行",
        "心 跳 得 太 快 了",
        "老伴心咚咚跳得厉害",
        "突然一下子心慌起来",
        "心怦怦乱跳",
    ],
    "sight": [
        "我一只眼睛突然啥都看不见了",
        "突然 看 不 见 东 西 了",
        "老头子一下子眼睛模糊得很",
        "刚才眼前一黑，突然看不到了",
    ],
    "seizure": [
        "我老伴抽筋了",
        "他 浑 身 抽 筋",
        "娃娃他爷爷口吐白沫",
        "我妈在抽搐",
        "羊癫疯犯了",
        "翻白眼了，叫他也不答应",
    ],
    "headache": [
        "头突然疼得很",
        "脑壳一下子痛起来，从来没有这么痛过",
        "我头疼得要炸了",
        "头 疼 得 受 不 了",
    ],
    "blood_pressure": [
        "血压高得很，头晕得站不稳",
        "量了血压两百多，头疼",
        "血 压 好 高 想 吐",
    ],
    "poison_self_harm": [
        "我爸吃了老鼠药",
        "她 喝 了 敌 敌 畏",
        "安眠药吃多了",
        "老伴吃了一瓶药",
        "我妈把药吃错了",
        "我活不下去了",
        "不想活了，活着没意思",
        "我想死",
        "他说想不开要跳楼",
    ],
    "unresponsive": [
        "我老头一动不动",
        "妈 不 动 了",
        "叫她也没反应",
        "躺着不动了",
        "爷爷没有反应了",
        "叫 他 半 天 没 反 应",
        "没反应",
    ],
    "bleeding": [
        "头上流了好多血",
        "血一直流，止不住",
        "手 割 了 血 止 不 住",
        "流了一地的血",
    ],
    "person_down": [
        "我奶奶倒了",
        "老伴摔了",
        "她 摔 了",
        "我站不起来了",
        "起不来了",
        "倒了",
    ],
    "breathing": ["我喘不动了", "气 都 喘 不 动"],
    "vehicle": [
        "我爸被车撞了",
        "遭 摩 托 撞 了",
        "在路口被一辆电动车撞倒了",
        "出车祸了",
        "车撞到人了",
    ],
}

ORDINARY = [
    # a cramp, an old complaint, chronic or past
    "晚上腿抽筋",
    "小腿肚抽筋了",
    "我胃抽筋了，想挂消化科",
    "脚 杆 抽 筋 好 几 年 了",
    "经常心慌得很，想挂心内科",
    "有点心慌",
    "血压高，头有点晕",
    "血压有点高，想开点药",
    "白内障，看不清楚",
    "眼睛看不清，想配个眼镜",
    "头疼，想看下神经内科",
    "骨头疼得受不了",
    "手指头突然疼起来",
    "上个月遭车撞过，腿还疼",
    "去年被车撞了，要复查",
    "以前喝过农药，洗过胃",
    # everyday words that contain a sign
    "按了没反应",
    "我叫的车半天没反应",
    "车 半 天 没 有 动 静 了",
    "司机没反应",
    "吃了药也没反应",
    "想死你们了",
    "累得想死",
    "我不想死",
    "他倒了杯水给我",
    "早上起不来",
    "我走不动了，要叫个车",
    "车不动了",
    "我想买点农药打虫",
    "救护车刚从楼下开过去",
    "出血",
]


@pytest.mark.parametrize(
    "text", [t for texts in ACUTE.values() for t in texts], ids=lambda t: t.replace(" ", "")
)
def test_acute_classes_are_emergencies_and_never_a_request(text: str) -> None:
    assert understand("emergency", text, TODAY) is True
    assert understand("intent", text, TODAY) == "operator"


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_talk_next_to_each_class_is_no_emergency(text: str) -> None:
    assert understand("emergency", text, TODAY) is False


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("我要坐车去医院", "taxi"),
        ("帮我叫个车", "taxi"),
        ("我想挂个号", "hospital"),
        ("遭车撞了，在北京路", "operator"),
        ("我 被 出 租 车 撞 了", "operator"),
        ("我妈摔了，想叫个车去医院", "operator"),
    ],
)
def test_a_vehicle_accident_beats_the_taxi_intent(text: str, intent: str) -> None:
    assert understand("intent", text, TODAY) == intent


@pytest.mark.parametrize("text", ["突然", "头疼", "血压高", "眼睛不好", "心跳"])
def test_one_half_of_a_pair_alone_is_not_an_emergency(text: str) -> None:
    assert understand("emergency", text, TODAY) is False


def test_every_prompt_can_hear_the_new_signs_and_pair_halves() -> None:
    for kind in ("intent", "yesno", "department", "decline"):
        words = set(phrase_list(kind))
        assert {"农药", "不想活了", "抽筋了", "口吐白沫", "止不住", "站不起来", "车祸"} <= words
        assert {"突然", "头疼", "看不见", "心慌"} <= words
