"""Phrase syntax in grammars/ ([a|b] optional, (a|b) required, … gap) and lazy loading."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from app.understanding import understand
from app.understanding.fuzzy import Matcher
from app.understanding.patterns import GAP, compile_phrase, expand, surface_forms
from app.understanding.phrases import phrase_list


def test_expand_optional_and_required_groups() -> None:
    assert expand("打[个|一个]的") == ["打的", "打个的", "打一个的"]
    assert expand("咳(嗽|了)") == ["咳嗽", "咳了"]
    assert expand("(腰|背)…疼") == ["腰…疼", "背…疼"]


def test_compile_and_surface_forms() -> None:
    assert compile_phrase("血压…高", str) == [f"血压{GAP}高"]
    assert surface_forms("血压…(高|升)") == ["血压", "高", "血压", "升"]


@pytest.mark.parametrize(
    ("text", "found"),
    [("血压高", True), ("血压又高", True), ("血压有点高", True), ("血压一直都很高", True),
     ("血压好像一直都很高", False), ("血压不高", False), ("血压没有高", False),
     ("血压|高兴", False)],
)
def test_gap_phrase_window_clause_and_negation(text: str, found: bool) -> None:
    m = Matcher((p, "x") for p in compile_phrase("血压…高", str))
    assert bool(m.hits(text)) is found


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [("department", "咳了半个月", "呼吸内科"), ("department", "咳嗽", "呼吸内科"),
     ("department", "血压这两天又高了", "心血管内科"), ("department", "我血压不高", None),
     ("department", "拉了两天肚子", "消化内科"), ("department", "跌了一跤", "骨科"),
     ("department", "咳", None),
     ("intent", "打个的", "taxi"), ("intent", "帮我约辆车", "taxi"),
     ("intent", "我打电话的", "unknown"), ("intent", "我出门散步了", "unknown"),
     ("intent", "我要出门", "taxi"), ("intent", "车", "taxi"),
     ("intent", "医院门口好多人", "unknown"), ("intent", "去医院", "taxi")],
)
def test_general_classes(kind: str, text: str, value: object) -> None:
    import datetime as dt

    assert understand(kind, text, dt.date(2025, 6, 18)) == value


def test_gap_phrases_reach_vosk_as_parts() -> None:
    words = phrase_list("department")
    assert "血压…高" not in words and "血压" in words
    assert not [w for w in words[:-1] if any(c in w for c in "[]()|…")]


def test_import_does_not_load_heavy_libraries() -> None:
    code = "import sys, app.understanding; print('pypinyin' in sys.modules, 'cn2an' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_words_heard_as_written_beat_a_sound_alike() -> None:
    """身上起疙瘩: 上起 sounds like 疝气 (an/ang), but 起疙瘩 was heard exactly: skin."""
    today = date(2026, 11, 28)
    assert understand("department", "身上起疙瘩", today) == "皮肤科"
    assert understand("department", "身上起疹子，痒得很", today) == "皮肤科"
    assert understand("department", "我有疝气", today) == "普通外科"


def test_dizziness_alone_asks_a_follow_up_question() -> None:
    today = date(2026, 11, 28)
    assert understand("department", "我脑壳晕得很", today) is None
    assert understand("clarify:department", "我脑壳晕得很", today) == "dizziness"
    assert understand("clarify:department", "头晕还心慌", today) is None  # 心血管内科
    assert understand("clarify:department", "我家猫跑了", today) is None
