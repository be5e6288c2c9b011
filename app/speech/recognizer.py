"""Recognition: the `Recognizer` interfaces, results, the shared Vosk model and recogniser.

- `RecognitionResult` / `WordConfidence`: what a flow gets back (text, per-word
  confidence, `needs_confirmation()` when the flow should confirm instead of acting).
- `Recognizer` (sync) and `AsyncRecognizer` (async) protocols: flows and their tests
  depend only on these; `ScriptedRecognizer` is a fake for flow tests.
- `SpeechModel`: one Vosk model loaded once per process and shared by all calls, plus a
  thread pool so decoding never blocks the asyncio event loop.
- `VoskRecognizer`: one per utterance, optionally constrained by a phrase list. Vosk's
  own endpointer may cut a slow answer into segments; those are joined, because the end
  of an answer is decided by `app.speech.vad`, not by Vosk.
- `ThreadedRecognizer`: runs a sync recogniser's decoding in the model's thread pool.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

log = logging.getLogger(__name__)

UNK = "[unk]"
DEFAULT_CONFIRM_THRESHOLD = 0.7


@dataclass(frozen=True)
class WordConfidence:
    word: str
    conf: float
    start: float = 0.0
    end: float = 0.0


@dataclass(frozen=True)
class RecognitionResult:
    """Final result of one utterance. Empty text means "nothing recognised"."""

    text: str
    words: tuple[WordConfidence, ...] = ()
    reason: str = ""  # why it ended / why it is empty: "speech_end", "no_input", ...

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()

    @property
    def confidence(self) -> float:
        """The lowest word confidence (one doubtful word is enough to confirm); 0 if empty."""
        real = [w.conf for w in self.words if w.word != UNK]
        if self.is_empty:
            return 0.0
        return min(real) if real else 1.0

    @property
    def has_unknown(self) -> bool:
        return any(w.word == UNK for w in self.words) or UNK in self.text.split()

    def needs_confirmation(self, threshold: float = DEFAULT_CONFIRM_THRESHOLD) -> bool:
        """True when the flow should ask "did you say ...?" rather than act."""
        return self.is_empty or self.has_unknown or self.confidence < threshold

    @classmethod
    def nothing(cls, reason: str) -> RecognitionResult:
        return cls(text="", words=(), reason=reason)


@runtime_checkable
class Recognizer(Protocol):
    """Synchronous streaming recogniser for one utterance (16-bit mono PCM bytes)."""

    sample_rate: int

    def accept(self, pcm: bytes) -> str:
        """Feed audio; return the current partial text (for barge-in and logs)."""
        ...

    def final(self) -> RecognitionResult:
        """Flush and return the final result; the recogniser is then reset."""
        ...


@runtime_checkable
class AsyncRecognizer(Protocol):
    """The interface the call flows use: never blocks the event loop."""

    sample_rate: int

    async def accept(self, pcm: bytes) -> str: ...

    async def final(self) -> RecognitionResult: ...

    async def close(self) -> None: ...


# --------------------------------------------------------------------------- parsing


def parse_vosk_result(raw: str | dict[str, Any], reason: str = "") -> RecognitionResult:
    """Turn Vosk's JSON result (with `SetWords(True)`) into a `RecognitionResult`."""
    data = json.loads(raw) if isinstance(raw, str) else raw
    words = tuple(
        WordConfidence(
            word=str(w.get("word", "")),
            conf=float(w.get("conf", 0.0)),
            start=float(w.get("start", 0.0)),
            end=float(w.get("end", 0.0)),
        )
        for w in data.get("result", []) or []
    )
    return RecognitionResult(text=str(data.get("text", "")).strip(), words=words, reason=reason)


def join_results(parts: Iterable[RecognitionResult], reason: str = "") -> RecognitionResult:
    parts = [p for p in parts if not p.is_empty]
    return RecognitionResult(
        text=" ".join(p.text for p in parts),
        words=tuple(w for p in parts for w in p.words),
        reason=reason,
    )


# --------------------------------------------------------------------------- grammar

_CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")


@dataclass
class GrammarReport:
    """Outcome of checking a phrase list against a model's vocabulary."""

    words: list[str] = field(default_factory=list)  # every vocabulary word used
    missing: list[str] = field(default_factory=list)  # words the model does not know
    dropped_phrases: list[str] = field(default_factory=list)  # phrases with missing words
    has_unk: bool = True  # whether the model has "[unk]" (a garbage word)

    @property
    def ok(self) -> bool:
        return not self.missing


def segment_phrase(phrase: str, has_word: Callable[[str], bool], max_len: int = 6) -> list[str]:
    """Split a phrase into vocabulary words.

    Tokens separated by spaces are used as they are when the model knows them. A token of
    Chinese characters the model does not know as a whole is segmented by forward maximum
    matching against the vocabulary (Chinese models list words such as 挂号 or 医院, and a
    phrase list is usually written without spaces). A character that matches nothing is
    returned as is, so it shows up as missing.
    """
    words: list[str] = []
    for token in phrase.split():
        if has_word(token) or not _CJK.match(token):
            words.append(token)
            continue
        i = 0
        while i < len(token):
            for j in range(min(len(token), i + max_len), i, -1):
                if j - i == 1 or has_word(token[i:j]):
                    words.append(token[i:j])
                    i = j
                    break
    return words


def build_grammar(
    phrases: Sequence[str], has_word: Callable[[str], bool]
) -> tuple[str, GrammarReport]:
    """Phrase list -> Vosk grammar JSON (phrases as vocabulary words, plus "[unk]").

    Phrases containing a word the model does not know are dropped from the grammar and
    reported (Vosk would silently drop just that word, turning the phrase into another).
    """
    report = GrammarReport(has_unk=has_word(UNK))
    grammar: list[str] = []
    for phrase in phrases:
        words = segment_phrase(phrase, has_word)
        if not words:
            continue
        missing = [w for w in words if not has_word(w)]
        if missing:
            report.missing.extend(w for w in missing if w not in report.missing)
            report.dropped_phrases.append(phrase)
            continue
        report.words.extend(w for w in words if w not in report.words)
        joined = " ".join(words)
        if joined not in grammar:
            grammar.append(joined)
    if report.has_unk:
        grammar.append(UNK)
    return json.dumps(grammar, ensure_ascii=False), report


# --------------------------------------------------------------------------- Vosk model


class SpeechModel:
    """A Vosk model loaded once per process, shared by every call's recognisers.

    Vosk models are safe to share between threads; each recogniser is used by one
    utterance at a time. `executor` runs decoding off the event loop; its size defaults to
    the number of cores (Vosk releases the GIL while decoding).
    """

    def __init__(
        self,
        path: Path,
        *,
        name: str = "",
        sample_rate: int = 16000,
        grammar_supported: bool = True,
        workers: int | None = None,
    ) -> None:
        import vosk

        vosk.SetLogLevel(-1)
        self.path = Path(path)
        self.name = name or self.path.name
        self.sample_rate = sample_rate
        self.grammar_supported = grammar_supported
        self._model = vosk.Model(str(self.path))
        self._vocab_cache: dict[str, bool] = {}
        self._vocab_lock = threading.Lock()
        self.executor = ThreadPoolExecutor(
            max_workers=workers or max(2, os.cpu_count() or 2), thread_name_prefix="vosk"
        )

    @property
    def vosk_model(self) -> Any:
        return self._model

    def has_word(self, word: str) -> bool:
        with self._vocab_lock:
            if word not in self._vocab_cache:
                finder = getattr(self._model, "find_word", None) or self._model.vosk_model_find_word
                self._vocab_cache[word] = int(finder(word)) >= 0
            return self._vocab_cache[word]

    def check_phrases(self, phrases: Sequence[str]) -> GrammarReport:
        return build_grammar(phrases, self.has_word)[1]

    def check_phrase_lists(self, lists: dict[str, Sequence[str]]) -> dict[str, GrammarReport]:
        """Check every prompt's phrase list at start-up and log the missing words."""
        reports = {}
        for name, phrases in lists.items():
            report = self.check_phrases(phrases)
            reports[name] = report
            if report.missing:
                log.warning(
                    "phrase list %s: words not in model %s: %s (phrases dropped: %s)",
                    name,
                    self.name,
                    ", ".join(report.missing),
                    "; ".join(report.dropped_phrases),
                )
        return reports

    def recognizer(self, phrases: Sequence[str] | None = None) -> VoskRecognizer:
        return VoskRecognizer(self, phrases)

    def async_recognizer(self, phrases: Sequence[str] | None = None) -> ThreadedRecognizer:
        """Build a recogniser in the calling thread (cheap with a grammar)."""
        return ThreadedRecognizer(self.recognizer(phrases), self.executor)

    async def open_recognizer(self, phrases: Sequence[str] | None = None) -> ThreadedRecognizer:
        """Build a recogniser in the thread pool: compiling a grammar or allocating a
        full-vocabulary decoder takes milliseconds that the event loop should not wait."""
        loop = asyncio.get_running_loop()
        inner = await loop.run_in_executor(self.executor, self.recognizer, phrases)
        return ThreadedRecognizer(inner, self.executor)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


class VoskRecognizer:
    """Streaming recogniser for one utterance; implements `Recognizer`."""

    def __init__(
        self,
        model: SpeechModel,
        phrases: Sequence[str] | None = None,
        partial_interval: float = 0.2,
    ) -> None:
        import vosk

        self.model = model
        self.sample_rate = model.sample_rate
        self.report: GrammarReport | None = None
        self.grammar: str | None = None
        if phrases is not None and model.grammar_supported:
            self.grammar, self.report = build_grammar(phrases, model.has_word)
            if self.report.missing:
                log.warning(
                    "grammar words missing from model %s: %s",
                    model.name,
                    ", ".join(self.report.missing),
                )
            self._rec = vosk.KaldiRecognizer(model.vosk_model, self.sample_rate, self.grammar)
        else:
            if phrases is not None:
                log.info("model %s has no grammar support; using full vocabulary", model.name)
            self._rec = vosk.KaldiRecognizer(model.vosk_model, self.sample_rate)
        self._rec.SetWords(True)
        self._segments: list[RecognitionResult] = []
        self._lock = threading.Lock()
        # Asking Vosk for a partial result costs about as much as decoding a 20 ms frame,
        # so it is refreshed every `partial_interval` seconds of audio, not every frame.
        self._partial_every = int(partial_interval * self.sample_rate * 2)
        self._since_partial = self._partial_every
        self._partial = ""

    def accept(self, pcm: bytes) -> str:
        if not pcm:
            return self._partial_text()
        if len(pcm) % 2:
            pcm = pcm[:-1]  # a torn sample; 16-bit PCM must have an even length
        with self._lock:
            if self._rec.AcceptWaveform(pcm):
                self._segments.append(parse_vosk_result(self._rec.Result()))
                self._partial = ""
                self._since_partial = 0
                return self._partial_text()
            self._since_partial += len(pcm)
            if self._since_partial >= self._partial_every:
                self._since_partial = 0
                self._partial = json.loads(self._rec.PartialResult()).get("partial", "")
        return self._partial_text(self._partial)

    def _partial_text(self, current: str = "") -> str:
        return " ".join([s.text for s in self._segments if s.text] + ([current] if current else []))

    def final(self, reason: str = "") -> RecognitionResult:
        with self._lock:
            last = parse_vosk_result(self._rec.FinalResult())
            parts = [*self._segments, last]
            self._segments = []
            self._partial = ""
            self._since_partial = self._partial_every
        return join_results(parts, reason=reason)


class ThreadedRecognizer:
    """Adapts a sync `Recognizer` to `AsyncRecognizer` using a thread pool.

    Calls for one utterance are awaited in order by its caller; different calls run in
    parallel on different pool threads, so a slow call does not delay the others.
    """

    def __init__(self, inner: Recognizer, executor: ThreadPoolExecutor | None = None) -> None:
        self.inner = inner
        self.sample_rate = inner.sample_rate
        self._executor = executor

    async def accept(self, pcm: bytes) -> str:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.inner.accept, pcm)

    async def final(self) -> RecognitionResult:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.inner.final)

    async def close(self) -> None:
        return None


class ScriptedRecognizer:
    """A fake recogniser for flow tests: returns prepared results in order, no audio."""

    def __init__(self, results: Sequence[RecognitionResult | str], sample_rate: int = 16000):
        self._results = [r if isinstance(r, RecognitionResult) else _scripted(r) for r in results]
        self.sample_rate = sample_rate
        self.audio_bytes = 0

    async def accept(self, pcm: bytes) -> str:
        self.audio_bytes += len(pcm)
        return self._results[0].text if self._results else ""

    async def final(self) -> RecognitionResult:
        if not self._results:
            return RecognitionResult.nothing("script exhausted")
        return self._results.pop(0)

    async def close(self) -> None:
        return None


def _scripted(text: str, conf: float = 1.0) -> RecognitionResult:
    return RecognitionResult(
        text=text, words=tuple(WordConfidence(w, conf) for w in text.split()), reason="scripted"
    )
