"""Fast loading: the syllable table (app/understanding/syllables.txt) says what pypinyin says,
libyaml reads the grammars as PyYAML does, and an answer needs neither pypinyin nor cn2an."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.understanding.fuzzy import Matcher, char_key, pinyin_key, sound_string

ROOT = Path(__file__).resolve().parents[3]


def _characters_in_use() -> set[str]:
    chars: set[str] = set()
    for path in (ROOT / "grammars").glob("*.yaml"):
        chars |= set(path.read_text(encoding="utf-8"))
    for path in (ROOT / "tests" / "unit" / "understanding").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                chars |= set(json.loads(line).get("text") or "")
    return {c for c in chars if "\u4e00" <= c <= "\u9fff"}


def test_table_agrees_with_pypinyin_for_grammar_and_corpus_characters() -> None:
    sample = {chr(code) for code in range(0x4E00, 0xA000, 97)}  # and a spread of the rest
    chars = sorted(_characters_in_use() | sample)
    assert len(chars) > 1000
    wrong = [(c, char_key(c), pinyin_key(c)) for c in chars if char_key(c) != pinyin_key(c)]
    assert wrong == []


def test_sound_strings_are_equal_exactly_when_the_syllables_are() -> None:
    assert sound_string("兄口疼") == sound_string("胸口疼")  # xiong = xiong
    assert sound_string("牛") == sound_string("刘")  # n/l merge
    assert sound_string("心") != sound_string("胸")
    assert sound_string("a") == sound_string("啊")  # a letter that is a whole syllable
    # A private-use character in the text never passes for a syllable.
    assert sound_string(sound_string("胸")) != sound_string("胸")


def test_equal_spans_prefer_written_then_longest_then_phrase_order() -> None:
    matcher = Matcher([("胸口", "a"), ("兄口疼", "b"), ("胸口疼", "c"), ("凶口疼", "d")])
    hits = matcher.hits("兄口疼")
    assert [(h.start, h.end, h.label, h.exact) for h in hits] == [(0, 3, "b", True)]
    hits = matcher.hits("雄口疼")  # heard by sound only: the first of the sound-alikes
    assert [(h.start, h.end, h.label, h.exact) for h in hits] == [(0, 3, "b", False)]
    hits = Matcher([("不是", "no"), ("是不是", "ask")]).hits("不是不是")
    assert [(h.start, h.end, h.label) for h in hits] == [(0, 2, "no"), (2, 4, "no")]


def test_answering_loads_neither_pypinyin_nor_cn2an() -> None:
    code = (
        "import sys, datetime; from app.understanding import understand, warm_up; warm_up();"
        "print(understand('intent', '兄口疼得很', datetime.date(2026, 12, 1)),"
        " 'pypinyin' in sys.modules, 'cn2an' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["operator", "False", "False"]


def test_libyaml_reads_every_grammar_as_the_pure_python_parser_does() -> None:
    yaml = __import__("yaml")
    for path in sorted((ROOT / "grammars").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        fast = yaml.load(text, Loader=yaml.CSafeLoader)  # noqa: S506 (a safe loader)
        assert repr(fast) == repr(yaml.safe_load(text)), path.name
