"""Vosk phrase lists come from the same grammar data as understanding."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.understanding import KINDS, NOTHING, data, understand
from app.understanding.phrases import UNKNOWN, phrase_list, vosk_grammar


@pytest.mark.parametrize("kind", KINDS)
def test_phrase_list_is_unique_and_ends_with_unk(kind: str) -> None:
    phrases = phrase_list(kind)
    assert phrases[-1] == UNKNOWN
    assert len(phrases) == len(set(phrases)) > 10
    assert json.loads(vosk_grammar(kind)) == phrases


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "intent"])
def test_every_prompt_accepts_operator_and_repeat(kind: str) -> None:
    assert "转人工" in phrase_list(kind) and "再说一遍" in phrase_list(kind)


TODAY = dt.date(2025, 6, 18)


@pytest.mark.parametrize("kind", ["department", "digits", "choice", "when"])
def test_most_phrases_are_understood_by_their_kind(kind: str) -> None:
    """Recognition and understanding agree: a phrase Vosk may return is mostly understood."""
    shared = set(phrase_list("yesno"))  # operator / repeat phrases added to every prompt
    own = [p for p in phrase_list(kind)[:-1] if p not in shared]
    understood = [p for p in own if understand(kind, p, TODAY) != NOTHING[kind]]
    missed = sorted(set(own) - set(understood))
    assert len(understood) >= 0.8 * len(own), missed


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_yes_and_no_phrases_are_understood_as_written(answer: str) -> None:
    words = data.words("yesno", f"{answer}_words")
    wrong = [w for w in words if understand("yesno", w, TODAY) != answer]
    assert not wrong


def test_dialect_forms_are_in_the_phrase_lists() -> None:
    assert "莫得问题" in phrase_list("yesno")
    assert "屙肚子" not in phrase_list("department")  # found through the lexicon (屙 -> 拉)
    assert "幺" in phrase_list("digits") and "拐" in phrase_list("digits")


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError):
        phrase_list("colour")
