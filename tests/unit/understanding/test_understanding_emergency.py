"""Emergency understanding: a sudden serious emergency now is True, whatever else is said.

These sentences were written together with grammars/emergency.yaml (they are not a
held-out set). Recogniser-style lines have spaces between words and no punctuation.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from app.understanding import KINDS, NOTHING, understand
from app.understanding.phrases import phrase_list

TODAY = dt.date(2026, 11, 30)

SUDDEN = [
    # chest pain or tightness
    "胸口疼", "心口疼", "胸口闷得很", "我心口这里疼得很", "胸口痛得出冷汗", "胸口像石头压着",
    # cannot breathe
    "喘不过气", "上不来气", "呼吸困难", "我老伴透不过气了", "气都喘不过来", "他喘不上气",
    # stroke signs
    "嘴歪了", "我妈嘴巴有点歪了", "说话不清楚", "他突然说不出话", "一边手脚发麻",
    "半边身子动不了", "右边手脚没力气", "舌头发硬",
    # a bad fall
    "摔倒了起不来", "跌了一跤爬不起来", "我老伴绊倒了站不起来", "倒在地上动不了",
    # fainted or unconscious
    "晕倒了", "昏过去了", "叫不醒", "喊不醒", "我爸晕过去了",
    # vomiting blood, cries for help
    "吐血了", "吐了好多血", "救命", "救命啊", "快来人", "快叫救护车", "不行了", "我不行了",
    "快死了", "我老伴快不行了",
]

RECOGNISER_STYLE = [
    "胸口 疼 得 很", "我 喘 不 过 气", "他 说话 不 清楚", "老伴 晕倒 了", "摔倒 了 起 不 来",
    "半边 身子 动 不 了", "救命 啊", "叫 不 醒 了", "上 不 来 气",
]

SOUND_ALIKE = [
    "兄口疼",  # 胸 xiong / 兄 xiong
    "新口疼得很",  # 心 xin / 新 xin
    "穿不过气",  # 喘 chuan / 穿 chuan
    "喘不过器",  # 气 qi / 器 qi
    "呼吸困南",  # 难 nan / 南 nan
    "叫不行",  # 醒 xing / 行 xing
]

DIALECT = [
    "我脑壳晕，晕倒了",  # 脑壳 = 头
    "老倌喊不醒",  # 喊 = 叫
    "我不得行了",  # 不得行 = 不行
]

NOT_NOW = [
    # old or chronic complaints
    "老毛病", "胸口疼是老毛病了", "去年摔过一跤", "以前中过风", "去年摔倒了起不来",
    "以前胸口疼过", "我经常喘不过气", "胸口疼了好几年了",
    # negated or over
    "胸口不疼了", "没有摔", "我没有摔倒", "没有胸口疼", "不是喘不过气", "胸口疼，现在好多了",
    "昨天晕了一下，现在没事了",
]

ORDINARY = [
    "", "   ", "我要叫车", "挂心内科", "明天上午", "是的", "不要", "一二三", "我家猫跑了",
    "头晕", "咳嗽了三天", "腿疼", "血压有点高",
    "电话里听不清楚", "你说话不清楚", "我的东西运到了", "热得快死了", "这个时间不行了",
    "路口那棵树歪了", "东西倒在地上了", "再说一遍", "转人工",
]


@pytest.mark.parametrize("text", SUDDEN + RECOGNISER_STYLE + SOUND_ALIKE + DIALECT)
def test_a_sudden_serious_emergency_is_true(text: str) -> None:
    assert understand("emergency", text, TODAY) is True


@pytest.mark.parametrize("text", NOT_NOW)
def test_past_chronic_or_negated_signs_are_false(text: str) -> None:
    assert understand("emergency", text, TODAY) is False


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_talk_is_false(text: str) -> None:
    assert understand("emergency", text, TODAY) is False


def test_a_new_sign_today_outweighs_an_old_one() -> None:
    assert understand("emergency", "去年摔过一跤，今天又摔倒了起不来", TODAY) is True
    assert understand("emergency", "去年 摔 过 今天 又 摔倒 了 起 不 来", TODAY) is True


def test_emergency_is_a_kind_with_false_as_nothing() -> None:
    assert "emergency" in KINDS
    assert NOTHING["emergency"] is False


@pytest.mark.parametrize("kind", KINDS)
def test_every_phrase_list_holds_the_emergency_signs(kind: str) -> None:
    """Vosk only returns words of its phrase list: an emergency must be in every one."""
    phrases = phrase_list(kind)
    for sign in ("胸口疼", "喘不过气", "摔倒了起不来", "叫不醒", "救命", "说话不清楚"):
        assert sign in phrases or all(p in phrases for p in _parts(sign)), (kind, sign)


def _parts(sign: str) -> list[str]:
    return {"胸口疼": ["胸口", "疼"], "摔倒了起不来": ["摔", "起不来"],
            "说话不清楚": ["说话", "不清楚"]}.get(sign, [sign])


def test_cli_understands_the_emergency_kind() -> None:
    import typer

    from app.understanding.cli import understand_command

    app = typer.Typer(add_completion=False)
    app.command()(understand_command)
    result = CliRunner().invoke(app, ["--expect", "emergency", "胸口 疼 得 很"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"value": True}
    result = CliRunner().invoke(app, ["--expect", "emergency", "以前中过风"])
    assert json.loads(result.output) == {"value": False}
