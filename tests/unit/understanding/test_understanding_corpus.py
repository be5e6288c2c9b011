"""Accuracy floors of the understanding layer on the labelled corpus and the held-out set."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from app.understanding import KINDS, NOTHING
from app.understanding.report import read_lines, render, score

HERE = Path(__file__).parent
CORPUS = read_lines(HERE / "corpus.jsonl")
HELDOUT = read_lines(HERE / "heldout.jsonl")
HELDOUT2 = read_lines(HERE / "heldout2.jsonl")
# Written by a third person who had not seen the code, grammars or other sets; measured
# once before the one fix it prompted (上起 ~ 疝气 hiding 起疙瘩): 208 of 209 correct.
HELDOUT3 = read_lines(HERE / "heldout3.jsonl")

FLOORS = {
    "intent": 0.97,
    "yesno": 0.99,
    "department": 0.95,
    "when": 0.97,
    "digits": 1.0,
    "choice": 0.97,
    "offer": 0.97,
    "emergency": 0.97,
    "decline": 0.97,
    "change": 0.97,
    "menu": 0.97,
}
#: The kinds the held-out sets were written for; `emergency` came later and has no held-out
#: set yet (its corpus lines were written with its grammar, so they are not held-out).
HELDOUT_KINDS = ("intent", "yesno", "department", "when", "digits", "choice")
MAX_FALSE_ACCEPTS = 0.02


def test_corpus_has_at_least_500_utterances_covering_every_kind() -> None:
    assert len(CORPUS) >= 500
    counts = Counter(row["expect"] for row in CORPUS)
    assert set(counts) == set(KINDS)
    for kind in KINDS:
        nothing = [r for r in CORPUS if r["expect"] == kind and r["value"] == NOTHING[kind]]
        assert any("猫" in r["text"] for r in nothing), f"{kind}: no out-of-domain line"
        assert any(r["text"] == "" for r in nothing), f"{kind}: no empty line"


def test_heldout_is_mostly_new_sentences() -> None:
    """Short canonical answers (是嘞, 明早, 两号 ...) may recur, usually with another date."""
    seen = {(r["expect"], r["text"]) for r in CORPUS}
    repeated = [r for r in HELDOUT if (r["expect"], r["text"]) in seen]
    assert len(repeated) <= 0.2 * len(HELDOUT), [r["text"] for r in repeated]


@pytest.mark.parametrize("kind", KINDS)
def test_corpus_accuracy_floor(kind: str) -> None:
    report = score(CORPUS)
    assert report.kinds[kind].accuracy >= FLOORS[kind], render(report)


def test_corpus_false_accept_rate() -> None:
    report = score(CORPUS)
    assert report.false_accept_rate <= MAX_FALSE_ACCEPTS, render(report)


def test_heldout_sanity_floor() -> None:
    """The held-out set is never used for tuning; this only guards against collapse."""
    report = score(HELDOUT)
    print(render(report))
    for kind, s in report.kinds.items():
        assert s.accuracy >= 0.85, f"{kind}: {s.accuracy:.1%}\n{render(report)}"


# Both held-out sets are scored against the issue's targets. They were written before the
# code they measure was changed (heldout.jsonl by the author of the layer, heldout2.jsonl by a
# second engineer, 188 lines); misses were fixed only as general classes (gap phrases, verb +
# aspect, weak intents needing a request word), never by adding a held-out sentence. A kind
# that honestly misses a target must be marked xfail here with the measured number.
_SEEN = {(r["expect"], r["text"]) for r in CORPUS + HELDOUT}
#: heldout2 lines whose text is in neither earlier file (73 of 188 repeat short canonical
#: answers such as 是呢, 明天, 内科 or an empty line).
HELDOUT2_NEW = [r for r in HELDOUT2 if (r["expect"], r["text"]) not in _SEEN]
HELDOUT_SETS = {
    "heldout": HELDOUT,
    "heldout2": HELDOUT2,
    "heldout2-new": HELDOUT2_NEW,
    "heldout3": HELDOUT3,
}


@pytest.mark.parametrize("name", HELDOUT_SETS)
@pytest.mark.parametrize("kind", HELDOUT_KINDS)
def test_heldout_meets_issue_target(name: str, kind: str) -> None:
    report = score(HELDOUT_SETS[name])
    assert report.kinds[kind].accuracy >= FLOORS[kind], render(report)


@pytest.mark.parametrize("name", HELDOUT_SETS)
def test_heldout_false_accept_target(name: str) -> None:
    report = score(HELDOUT_SETS[name])
    assert report.false_accept_rate <= MAX_FALSE_ACCEPTS, render(report)


def test_heldout2_is_new_and_covers_every_kind() -> None:
    assert len(HELDOUT2) >= 150
    assert len(HELDOUT2_NEW) >= 100
    for kind in HELDOUT_KINDS:
        rows = [r for r in HELDOUT2 if r["expect"] == kind]
        assert any(r["value"] == NOTHING[kind] for r in rows), f"{kind}: no out-of-domain line"
