"""A yes/no answer heard against the question that read a detail back: the detail said
again is a yes, put right a no, and a detail only spoken of, asked back or added is neither.
Without the question the same answers are what the rules make of them alone."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.understanding import understand

TODAY = dt.date(2025, 6, 18)  # a Wednesday
ROOT = Path(__file__).resolve().parents[3]
FOR_GRANDSON = "是给您孙子挂号吗？对，请按1。不对，请按2。转人工，按0。"
FOR_MOTHER = "是给您母亲张秀英挂号吗？对，请按1。不对，请按2。转人工，按0。"
FOR_SELF = "是给您自己挂号吗？"
CANCEL = "要取消您明天下午眼科的号吗？"
NEXT_THURSDAY = "给您挂的是下周四上午普通外科，对吗？"
PICK_UP = "是从官渡区金马小区门口上车吗？"
AT_SEVEN = "是明天早上七点来接吗？"
DAY_AFTER = "是挂后天的号吗？"


@pytest.mark.parametrize(
    ("question", "answer", "value"),
    [
        # the person said again, or put right
        (FOR_GRANDSON, "给我孙子", "yes"),
        (FOR_GRANDSON, "孙 子", "yes"),
        (FOR_GRANDSON, "给我外婆挂", "no"),
        (FOR_GRANDSON, "是给我外婆挂", "no"),  # 是 the verb, not the yes
        (FOR_MOTHER, "给我妈", "yes"),
        (FOR_MOTHER, "张秀英", "yes"),
        (FOR_MOTHER, "给 我 爸 挂", "no"),
        (FOR_MOTHER, "给我自己", "no"),
        (FOR_SELF, "是给我爸，不是我", "no"),
        (FOR_SELF, "给我挂", "yes"),
        (FOR_SELF, "给我孙女", "no"),
        # the day, the half-day, the hour
        (CANCEL, "明天下午那个", "yes"),
        (CANCEL, "后天的", "no"),
        (CANCEL, "下午", "yes"),
        (NEXT_THURSDAY, "周四嘛，要得", "yes"),  # the weekday without its week
        (NEXT_THURSDAY, "下周五上午", "no"),
        (DAY_AFTER, "是明天，不是后天。", "no"),
        (AT_SEVEN, "七点半 七点太早了", "no"),
        (AT_SEVEN, "七 点 嘛", "yes"),
        ("是明天上午八点以后的号，可以吗？", "八 点 太 早 了 我 赶 不 过 去", "no"),
        # the department named (a complaint is not a department put right)
        (CANCEL, "眼科那个", "yes"),
        (CANCEL, "心内科的", "no"),
        ("给您挂明天上午骨科的号，对吗？", "大声点，我耳朵背。", "unknown"),
        ("是给您老伴挂神经内科吗？", "他最近老是忘事情，晚上睡不着……", "unknown"),
        # a place said again
        (PICK_UP, "金马小区门口", "yes"),
        (PICK_UP, "就 在 金 马 小 区", "yes"),
        (PICK_UP, "在小区后门", "unknown"),
        # neither: asked back, undecided, added to, a relative only spoken of
        (FOR_GRANDSON, "孙子吗", "unknown"),
        (FOR_GRANDSON, "也给我外婆挂一个", "unknown"),
        ("要挂省中医的号吗？", "省中医 光华街那个 格是", "unknown"),
        ("是改到下周三吗？", "下周三还是下周四嘛……你等下，我看看日历。", "unknown"),
        ("是给您孙子挂儿科吗？", "等一下，我问问我老伴。", "unknown"),
        ("给您老伴挂下周三的号，对吗？", "我老伴他不在家，我先问下。", "unknown"),
        # a plain answer is the answer it is
        (FOR_GRANDSON, "对", "yes"),
        (FOR_GRANDSON, "不是", "no"),
    ],
)
def test_answer_against_the_read_back(question: str, answer: str, value: str) -> None:
    assert understand("yesno", answer, TODAY, question=question) == value


@pytest.mark.parametrize(
    ("answer", "alone"),
    [("给我孙子", "unknown"), ("给我外婆挂", "unknown"), ("是给我外婆挂", "yes")],
)
def test_without_the_question_the_rules_alone_decide(answer: str, alone: str) -> None:
    assert understand("yesno", answer, TODAY) == alone
    assert understand("yesno", answer, TODAY, question=None) == alone


def test_the_question_changes_no_other_kind() -> None:
    assert understand("when", "后天的", TODAY, question=CANCEL) == understand(
        "when", "后天的", TODAY
    )


def _ivr(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "understand", *args],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    )
    return done.stdout


def test_cli_takes_the_question_for_one_text_and_in_a_batch(tmp_path: Path) -> None:
    one = _ivr("--expect", "yesno", "--today", "2025-06-18", "--question", FOR_GRANDSON, "给我孙子")
    assert json.loads(one) == {"value": "yes"}
    rows = [
        {"expect": "yesno", "text": "给我外婆挂", "today": "2025-06-18", "question": FOR_GRANDSON},
        {"expect": "yesno", "text": "给我外婆挂", "today": "2025-06-18"},
    ]
    batch = tmp_path / "in.jsonl"
    batch.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    out = [json.loads(line) for line in _ivr("--batch", str(batch)).splitlines()]
    assert out == [{"value": "no"}, {"value": "unknown"}]


def test_the_recogniser_can_hear_a_read_back_said_again_or_put_right() -> None:
    from app.understanding.phrases import phrase_list

    heard = set(phrase_list("yesno"))
    for word in ("孙子", "外婆", "自己", "给我", "眼科", "心血管内科", "改嘛", "去嘛"):
        assert word in heard, word
