"""A statistical backstop beside the rules: a character and syllable n-gram classifier.

The rules (grammars + decisions per kind) stay the first word. For ``intent``, ``yesno``
and ``department`` a linear model trained at build time on every labelled development set
(``scripts/train_understanding_backstop.py``, scikit-learn) gives a second opinion, used
only where the rules abstain or would accept what the model confidently calls nothing:

* the rules abstain (``unknown`` / ``None``) and the model is confident -> the model's
  value, except a ``yes``: a booking is never confirmed on a statistical guess;
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
from functools import cache
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
    path = model_path()
    if not path.exists():
        return None
    import numpy as np

    raw = json.loads(path.read_text(encoding="utf-8"))
    heads: dict[str, Any] = {}
    for kind, head in raw["heads"].items():
        heads[kind] = {
            "classes": head["classes"],
            "index": {f: i for i, f in enumerate(head["features"])},
            "idf": unpack(head["idf"]),
            "coef": unpack(head["coef"]),  # features x classes
            "intercept": np.asarray(head["intercept"], dtype=np.float64),
            "threshold": float(head["threshold"]),
        }
    return heads


def predict(kind: str, text: str) -> tuple[str, float] | None:
    """The model's most probable label for ``text`` and its probability, or ``None`` when
    there is no model for ``kind`` (or no model file)."""
    heads = _model()
    if heads is None or kind not in heads:
        return None
    import numpy as np

    head = heads[kind]
    counts: dict[int, int] = {}
    for f in features(text):
        i = head["index"].get(f)
        if i is not None:
            counts[i] = counts.get(i, 0) + 1
    logits = head["intercept"].copy()
    if counts:
        idx = np.fromiter(counts, dtype=np.int64)
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))  # sublinear tf
        weights = tf * head["idf"][idx]
        weights /= np.linalg.norm(weights)
        logits += weights @ head["coef"][idx]
    logits -= logits.max()
    probs = np.exp(logits)
    probs /= probs.sum()
    best = int(probs.argmax())
    return head["classes"][best], float(probs[best])


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
    elif kind == "department":
        return _doubted_department(text, str(value))
    verdict = predict(kind, text)
    heads = _model()
    if verdict is None or heads is None:
        return value
    label, probability = verdict
    if probability < heads[kind]["threshold"]:
        return value
    if abstained and label != nothing and not (kind == "yesno" and label == "yes"):
        return label
    if not abstained and label == nothing:
        return _nothing(kind)
    return value


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


def _undecided(text: str) -> bool:
    from app.understanding.yesno import undecided

    return undecided(text)


def _nothing(kind: str) -> object:
    return None if kind == "department" else "unknown"
