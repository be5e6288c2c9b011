"""The statistical backstop: its numpy inference is scikit-learn's, the committed model is
trained on the current development sets, and its policy never confirms on a guess."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest

from app.understanding import backstop, understand

ROOT = Path(__file__).resolve().parents[3]
TODAY = dt.date(2026, 12, 3)


def _trainer():
    spec = importlib.util.spec_from_file_location(
        "train_backstop", ROOT / "scripts" / "train_understanding_backstop.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_model_is_trained_on_the_current_development_sets():
    trainer = _trainer()
    model = json.loads(backstop.model_path().read_text(encoding="utf-8"))
    assert model["data_digest"] == trainer.data_digest(), (
        "a development set changed: run scripts/train_understanding_backstop.py"
    )
    assert not any("sealed" in name for name in model["trained_on"])


def test_numpy_inference_gives_scikit_learns_probabilities(tmp_path, monkeypatch):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    trainer = _trainer()
    rows = [r for r in trainer.labelled_rows() if r["expect"] == "yesno"][:80]
    head = trainer.fit(rows)
    head["threshold"] = 0.5
    for f in (ROOT / "grammars").glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    trainer.write({"heads": {"yesno": head}}, tmp_path / backstop.MODEL_FILE)
    monkeypatch.setenv("IVR_GRAMMARS_DIR", str(tmp_path))
    backstop._model.cache_clear()
    try:
        pairs = trainer._with_recogniser_copies(rows)
        vectorizer = TfidfVectorizer(analyzer=backstop.features, min_df=2, sublinear_tf=True)
        x = vectorizer.fit_transform([t for t, _ in pairs])
        model = LogisticRegression(C=4.0, max_iter=5000).fit(x, [lab for _, lab in pairs])
        for text in ("要 得 嘛", "我 再 想 想", "莫 整 了", "对头 对头", "你说啥子"):
            probs = model.predict_proba(vectorizer.transform([text]))[0]
            label, probability = backstop.predict("yesno", text)
            assert label == model.classes_[probs.argmax()]
            assert probability == pytest.approx(probs.max(), abs=5e-3)  # float16 weights
    finally:
        backstop._model.cache_clear()


@pytest.fixture
def verdict(monkeypatch):
    """Make the model say a given label with a given probability."""

    def say(label: str, probability: float) -> None:
        monkeypatch.setattr(backstop, "predict", lambda kind, text: (label, probability))

    return say


def test_a_confident_model_fills_in_where_the_rules_abstain(verdict):
    verdict("taxi", 0.9)
    assert backstop.review("intent", "整 个 车 子 过 来", "unknown") == "taxi"
    verdict("taxi", 0.3)  # below the threshold: the rules' answer stands
    assert backstop.review("intent", "整 个 车 子 过 来", "unknown") == "unknown"


def test_the_model_says_yes_only_very_sure_and_where_every_word_assents(verdict):
    verdict("yes", 0.99)
    assert backstop.review("yesno", "要 车 要 车", "unknown") == "yes"
    assert backstop.review("yesno", "这 个 我 看 看", "unknown") == "unknown"  # still thinking
    assert backstop.review("yesno", "对 门 的 张 奶 奶 也 要 去", "unknown") == "unknown"
    assert backstop.review("yesno", "好 嘛 不 过 要 快 点", "unknown") == "unknown"  # a but
    assert backstop.review("yesno", "要 车 嘛 车 上 能 放 轮 椅 吗", "unknown") == "unknown"
    assert backstop.review("yesno", "要 我 说 嘛 你 们 服 务 好", "unknown") == "unknown"
    verdict("yes", backstop.YES_THRESHOLD - 0.01)
    assert backstop.review("yesno", "要 车 要 车", "unknown") == "unknown"
    verdict("no", 0.9)
    assert backstop.review("yesno", "这 个 我 看 看", "unknown") == "no"


def test_a_confident_nothing_vetoes_an_accept_but_never_a_call_for_a_person(verdict):
    verdict("unknown", 0.9)
    assert backstop.review("intent", "我儿子是开出租车的", "taxi") == "unknown"
    assert backstop.review("intent", "救命", "operator") == "operator"
    assert backstop.review("yesno", "好是好，就是太远了", "yes") == "unknown"


def test_dizziness_and_umbrella_answers_are_asked_about_not_guessed(verdict):
    verdict("心血管内科", 0.99)
    assert understand("department", "头晕", TODAY) is None
    assert understand("department", "看内科", TODAY) is None


def test_a_department_the_model_confidently_doubts_is_asked_about_unless_named(verdict):
    verdict("骨科", 0.9)  # the model is sure of another department
    assert backstop.review("department", "心里头慌得很，晚上睡不着", "心血管内科") is None
    verdict("骨科", 0.5)  # not sure enough: the rules' department stands
    assert backstop.review("department", "心里头慌得很，晚上睡不着", "心血管内科") == "心血管内科"
    verdict("none", 0.95)  # a department said by its name is never doubted
    assert backstop.review("department", "我要挂心血管内科的号", "心血管内科") == "心血管内科"
    verdict("骨科", 0.99)  # a short answer stays with the rules
    assert backstop.review("department", "心口疼", "心血管内科") == "心血管内科"


FAST_PATH_SENTENCES = (
    "我要坐粗组车，明天上午去医院",
    "心里头慌得很，晚上睡不着",
    "要得要得",  # a repeated word: term frequencies above one
    "好 好 好 好",
    "我儿子是开出租车的，我不要车",
    "膝盖疼，走路疼，上下楼梯疼",
    "ok ok 嗯",
    "喂？喂？你说啥子",
    "x",
    "",
)


def predict_reference(kind: str, text: str) -> tuple[str, float]:
    """The prediction computed the straightforward way, from the model file as it is
    (numpy, nothing remembered): the check of the service's fast path."""
    import numpy as np

    raw = json.loads(backstop.model_path().read_text(encoding="utf-8"))["heads"][kind]
    index = {f: i for i, f in enumerate(raw["features"])}
    idf, coef = backstop.unpack(raw["idf"]), backstop.unpack(raw["coef"])  # features x classes
    counts: dict[int, int] = {}
    for f in backstop.features(text):
        if (i := index.get(f)) is not None:
            counts[i] = counts.get(i, 0) + 1
    logits = np.asarray(raw["intercept"], dtype=np.float64)
    if counts:
        idx = np.fromiter(counts, dtype=np.int64)
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))  # sublinear tf
        weights = tf * idf[idx]
        weights /= np.linalg.norm(weights)
        logits = logits + weights @ coef[idx]
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    best = int(probs.argmax())
    return raw["classes"][best], float(probs[best])


@pytest.mark.parametrize("kind", ["intent", "yesno", "department"])
def test_the_fast_prediction_is_the_straightforward_one(kind):
    for text in FAST_PATH_SENTENCES:
        backstop.forget()
        label, probability = backstop.predict(kind, text)
        expected_label, expected = predict_reference(kind, text)
        assert label == expected_label, text
        assert probability == pytest.approx(expected, abs=1e-9), text
        assert backstop.predict(kind, text) == (label, probability)  # remembered: the same


def test_the_fast_features_are_the_trainers_features():
    from collections import Counter

    from app.understanding.normalize import clean

    for text in FAST_PATH_SENTENCES:
        keys, counts = backstop._feature_counts(clean(text))
        fast = dict(zip(keys, [1] * len(keys) if counts is None else counts, strict=True))
        reference = {
            (f[2:] if f.startswith("c:") else "|" + f[2:]): n
            for f, n in Counter(backstop.features(text)).items()
        }
        assert fast == reference, text
