"""A statistical backstop beside the rules: a character and syllable n-gram classifier.

The rules (grammars + decisions per kind) stay the first word. For ``intent``, ``yesno``
and ``department`` a linear model trained at build time on every labelled development set
(``scripts/train_understanding_backstop.py``, scikit-learn) gives a second opinion, used
only where the rules abstain or would accept what the model confidently calls nothing:

* the rules abstain (``unknown`` / ``None``) and the model is confident -> the model's
  value; a ``yes`` only when the model is very confident (``YES_THRESHOLD``) and the
  rules heard a yes word they did not trust in an answer with nothing that could make it
  a no, a question or another request (``yesno.plainly_assenting``): a booking is never
  confirmed on a statistical guess alone;
* the rules accept an intent or a yes/no answer found in a longer sentence and the model
  is confident it is nothing (a sentence that mentions a taxi without asking for one) ->
  nothing: asking again is cheaper than a false accept;
* the rules find a department from complaints alone (no department name, no condition) in
  a longer sentence, and the model is very confident (``DOUBT_THRESHOLD``) of another
  department or none -> none: the caller is asked, since a confident wrong department is
  worse than a question.

Short answers stay with the rules (我要, 我不, 咳: the rules read them better than any
n-gram model), a department is never filled in for a sentence with a negation in it
(我血压不高 names no complaint), and a yes/no answer that asks back (是不是不要了, 去得了不,
不晓得) or opens with a condition (要是不贵就叫) is never filled in: the caller is asked again.

Features are those of the rules' clean-up (dialect words rewritten, particles dropped):
character 1-3-grams and folded-pinyin syllable 1-2-grams, so a near-homophone (瓜号 for
挂号) has the same syllables as the word it stands for. The service only reads the
exported weights (``grammars/backstop_model.json``) with numpy; scikit-learn is needed to
train, not to run.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from functools import cache, lru_cache
from itertools import repeat
from operator import add
from pathlib import Path
from typing import Any

from app.understanding import data
from app.understanding.fuzzy import char_key
from app.understanding.normalize import SEP, clean

MODEL_FILE = "backstop_model.json"
#: A veto needs a sentence at least this long (after clean-up); a fill-in at least two
#: characters.
VETO_MIN_CHARS = 6
_NEGATIONS = frozenset("不没莫别未")
#: The kinds the backstop reviews, and the rules' "nothing understood" label of each.
NOTHING_LABEL = {"intent": "unknown", "yesno": "unknown", "department": "none"}


def features(text: str) -> list[str]:
    """Character 1-3-grams (clause edges marked) and folded-syllable 1-2-grams of the
    cleaned text."""
    cleaned = clean(text)
    marked = "^" + cleaned.replace(SEP, "$^") + "$"
    out = [
        "c:" + marked[k : k + n]
        for n in (1, 2, 3)
        for k in range(len(marked) - n + 1)
        if marked[k : k + n] not in ("^", "$")
    ]
    syllables = ["^", *("#" if ch == SEP else char_key(ch) for ch in cleaned), "$"]
    out += ["p:" + s for s in syllables[1:-1]]
    out += ["p:" + a + "_" + b for a, b in zip(syllables, syllables[1:], strict=False)]
    return out


def pack(array: Any) -> dict[str, Any]:
    """A float array as base64 float16 with its shape (the model file stays small)."""
    import base64

    import numpy as np

    values = np.asarray(array, dtype="<f2")
    return {"shape": list(values.shape), "f16": base64.b64encode(values.tobytes()).decode()}


def unpack(packed: dict[str, Any]) -> Any:
    import base64

    import numpy as np

    raw = np.frombuffer(base64.b64decode(packed["f16"]), dtype="<f2")
    return raw.astype(np.float64).reshape(packed["shape"])


def model_path() -> Path:
    return data.grammars_dir() / MODEL_FILE


@cache
def _model() -> dict[str, Any] | None:
    """Each head as :func:`predict` reads it (see :func:`_head`)."""
    path = model_path()
    if not path.exists():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {kind: _head(head) for kind, head in raw["heads"].items()}


def _head(head: dict[str, Any]) -> dict[str, Any]:
    """One head of the model file ready to predict from.

    ``keys`` finds a feature's row by its key as :func:`_feature_counts` makes it (a
    character n-gram as it is, a syllable feature after ``|``); a feature the model does
    not know finds the last row, all zeros. A row holds the feature's coefficients times
    its idf and then its idf squared, so one gather of the found rows and one sum give
    both the product with the classes and the square of the tf-idf vector's norm."""
    import numpy as np

    idf = unpack(head["idf"])
    coef = unpack(head["coef"])  # features x classes
    rows = np.zeros((len(idf) + 1, coef.shape[1] + 1))
    rows[:-1, :-1] = coef * idf[:, None]
    rows[:-1, -1] = idf * idf
    names = "\n" + "\n".join(head["features"])  # no feature has a line break (clean-up)
    if names.count("\nc:") + names.count("\np:") != len(idf):
        raise ValueError(f"{model_path()}: a feature neither c: nor p:")
    keys = names.replace("\nc:", "\n").replace("\np:", "\n" + SEP)[1:].split("\n")
    return {
        "classes": head["classes"],
        "threshold": float(head["threshold"]),
        "keys": dict(zip(keys, range(len(keys)), strict=True)),
        "unknown": len(idf),
        "rows": rows,
        "intercepts": [float(v) for v in head["intercept"]],
    }


class _PerCharacter(dict[str, str]):
    """A string made from each character's folded syllable (``#`` for a clause break),
    made once per character."""

    def __init__(self, prefix: str, suffix: str = "") -> None:
        super().__init__()
        self._prefix = prefix
        self._suffix = suffix

    def __missing__(self, ch: str) -> str:
        value = self[ch] = self._prefix + ("#" if ch == SEP else char_key(ch)) + self._suffix
        return value


# A character n-gram's key is the n-gram itself ("c:" + it in the model file); a syllable
# feature's is SEP + the syllables ("p:" + them in the file). SEP is never in an n-gram of
# the marked text (every SEP became "$^"), so the two never meet.
_SYLLABLE = _PerCharacter("")
_UNIGRAM = _PerCharacter(SEP)
_LEFT = _PerCharacter(SEP, "_")


class _TermFrequencies(dict[int, float]):
    """The sublinear term frequency (1 + log count) of a count, made once."""

    def __missing__(self, count: int) -> float:
        value = self[count] = 1.0 + math.log(count)
        return value


_TF = _TermFrequencies()


@lru_cache(maxsize=256)
def _feature_counts(cleaned: str) -> tuple[list[str], list[int] | None]:
    """The keys of the distinct :func:`features` of an already cleaned text and how often
    each occurs, or None when each occurs once. The same features, made with string
    operations rather than one slice at a time. Remembered for the last few hundred texts
    (intent and then the question's kind read the same answer)."""
    marked = "^" + cleaned.replace(SEP, "$^") + "$"
    pairs = list(map(add, marked[:-1], marked[1:]))
    keys = [
        *marked.replace("^", "").replace("$", ""),
        *pairs,
        *map(add, pairs[:-1], marked[2:]),
        *map(_UNIGRAM.__getitem__, cleaned),
        *map(
            add,
            [SEP + "^_", *map(_LEFT.__getitem__, cleaned)],
            [*map(_SYLLABLE.__getitem__, cleaned), "$"],
        ),
    ]
    if len(set(keys)) == len(keys):
        return keys, None
    counts = Counter(keys)
    return list(counts), list(counts.values())


def predict(kind: str, text: str) -> tuple[str, float] | None:
    """The model's most probable label for ``text`` and its probability, or ``None`` when
    there is no model for ``kind`` (or no model file)."""
    global _remembered_for
    heads = _model()
    if heads is None or kind not in heads:
        return None
    if heads is not _remembered_for:  # another model file was read: forget the old answers
        _predict.cache_clear()
        _remembered_for = heads
    return _predict(kind, clean(text))


#: The model whose answers :func:`_predict` remembers.
_remembered_for: dict[str, Any] | None = None


@lru_cache(maxsize=256)
def _predict(kind: str, cleaned: str) -> tuple[str, float]:
    """:func:`predict` of a cleaned text, remembered for the last few hundred (a caller
    says the same words again): the normalised tf-idf vector of the text's features times
    the coefficients, plus the intercepts; the largest of their softmax."""
    import numpy as np

    head = _remembered_for[kind]  # type: ignore[index]
    keys, counts = _feature_counts(cleaned)
    rows = head["rows"].take(
        np.fromiter(map(head["keys"].get, keys, repeat(head["unknown"])), np.intp, len(keys)),
        axis=0,
    )
    if counts is None:  # every term frequency 1
        sums = rows.sum(axis=0).tolist()
        square = sums.pop()
    else:  # 1 + log(count), and its square for the norm
        tf = np.fromiter(map(_TF.__getitem__, counts), np.float64, len(counts))
        sums = (tf @ rows[:, :-1]).tolist()
        tf *= tf
        square = float(tf @ rows[:, -1])
    logits = head["intercepts"]
    if square > 0:
        scale = 1.0 / math.sqrt(square)
        logits = [b + v * scale for b, v in zip(logits, sums, strict=True)]
    top = max(logits)
    return head["classes"][logits.index(top)], 1.0 / math.fsum([math.exp(v - top) for v in logits])


def forget() -> None:
    """Empty the per-text memories (the benchmark's passes; a model file swapped in tests)."""
    _feature_counts.cache_clear()
    _predict.cache_clear()


def review(kind: str, text: str, value: object) -> object:
    """The rules' ``value`` for ``text``, or the model's where the rules abstain or would
    accept what the model confidently calls nothing (see the module docstring). The model
    is only asked where its answer could change anything."""
    nothing = NOTHING_LABEL.get(kind)
    cleaned = clean(text)
    if nothing is None or len(cleaned) < 2:
        return value
    abstained = value is None or value == nothing
    if abstained:
        if kind == "department" and _NEGATIONS & set(cleaned):
            return value
        if kind == "yesno" and _undecided(text):
            return value
    elif value == "operator" or len(cleaned) < VETO_MIN_CHARS:
        return value
    elif kind == "yesno" and _says_where(text):
        return value  # (seventeenth round) not ready, not there, or come down: the rules know
    elif kind == "department":
        return _doubted_department(text, str(value))
    verdict = predict(kind, text)
    heads = _model()
    if verdict is None or heads is None:
        return value
    label, probability = verdict
    if probability < heads[kind]["threshold"]:
        return value
    if abstained and kind == "yesno" and label == "yes":
        return label if probability >= YES_THRESHOLD and _plainly_assenting(text) else value
    if abstained and label != nothing:
        return label
    if not abstained and label == nothing:
        return _nothing(kind)
    return value


#: How sure the model must be of a "yes" the rules did not trust before it stands, and only
#: for an answer whose every word assents (``yesno.plainly_assenting``): chosen by ten-fold
#: cross-validation by set (docs/understanding.md, fourteenth round).
YES_THRESHOLD = 0.9

#: How sure the model must be of another department (or none) before the rules' department
#: is asked about instead of booked: a confident wrong department is worse than a question.
DOUBT_THRESHOLD = 0.7


def _doubted_department(text: str, department: str) -> str | None:
    """The rules' department, or None (the caller is asked) when the model is confident the
    words name another department or none. Only a department found from complaints alone is
    doubted: one named by its name or by a condition (结石, 白内障) stays."""
    from app.understanding.department import by_complaints_alone

    if not by_complaints_alone(text):
        return department
    verdict = predict("department", text)
    if verdict is None:
        return department
    label, probability = verdict
    return None if label != department and probability >= DOUBT_THRESHOLD else department


def _plainly_assenting(text: str) -> bool:
    from app.understanding.yesno import plainly_assenting

    return plainly_assenting(text)


def _says_where(text: str) -> bool:
    from app.understanding.yesno import says_where

    return says_where(text)


def _undecided(text: str) -> bool:
    from app.understanding.yesno import undecided

    return undecided(text)


def _nothing(kind: str) -> object:
    return None if kind == "department" else "unknown"
