"""The guidance-desk table (grammars/symptoms.yaml): lay and dialect complaints name one
department; its "ask" complaints name none and ask for a person; short phrases are not
matched by sound inside ordinary sentences."""

from __future__ import annotations

import datetime as dt

import pytest

from app.understanding import data, understand
from app.understanding.department import catalogue
from app.understanding.normalize import clean

TODAY = dt.date(2026, 12, 3)


def department(text: str) -> object:
    return understand("department", text, TODAY)


def test_every_table_department_is_in_the_catalogue():
    table = data.load("symptoms")
    assert set(table["departments"]) <= set(catalogue())
    assert sum(len(v) for v in table["departments"].values()) >= 500


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("我这两天心跳乱得很", "心血管内科"),
        ("眼睛 看 东西 模模糊糊 的", "眼科"),
        ("耳朵 嗡嗡 响 一天到晚", "耳鼻喉科"),
        ("牙齿松了，吃东西咬不动", "口腔科"),
        ("医生说我要打胰岛素", "内分泌科"),
        ("儿媳妇怀了二胎，要来检查", "产科"),
        ("小便带血，解手的时候疼", "泌尿外科"),
        ("娃儿 发烧 两 天 了", "儿科"),
        ("老是心情不好，高兴不起来", "精神心理科"),
    ],
)
def test_lay_complaints_name_their_department(text: str, want: str):
    assert department(text) == want


@pytest.mark.parametrize(
    "text",
    [
        "最 近 不 太 好",  # 近不 sounds like a two-character complaint: not a department
        "脑壳 晕 晕乎乎 的",  # 晕乎 sounds like 孕妇: dizziness alone is asked about
    ],
)
def test_sound_alikes_inside_ordinary_words_name_nothing(text: str):
    assert department(text) is None


def test_ask_complaints_name_no_department_and_ask_for_a_person():
    for phrase in data.load("symptoms")["ask"][:40]:
        if department(phrase) is None:
            assert understand("clarify:department", phrase, TODAY) in {"ask", "dizziness"}, phrase
    assert department("发高烧") is None
    assert understand("clarify:department", "发高烧", TODAY) == "ask"


def test_the_table_reaches_the_recogniser_phrase_list():
    from app.understanding.phrases import phrase_list

    phrases = {clean(p) for p in phrase_list("department")}
    assert clean("心跳乱") in phrases and clean("发高烧") in phrases
