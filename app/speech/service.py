"""Start-up of the speech layer: load the configured model once, or run keypad-only.

`load_speech(models_dir, model_name)` never raises for a missing or broken model: it
returns a `Speech` whose `model` is None and whose `status` says why (for `/readyz` and
the logs), so every prompt falls back to the keypad. Speech is an enhancement, never a
single point of failure. The loaded model is cached per process (`get_speech`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.speech.models import DEFAULT_MODELS_DIR, ManifestError, get_spec, model_problem
from app.speech.recognizer import AsyncRecognizer, GrammarReport, SpeechModel

log = logging.getLogger(__name__)


@dataclass
class Speech:
    """What the rest of the service sees of the speech layer."""

    model: SpeechModel | None
    status: str
    remote_url: str | None = None

    @property
    def available(self) -> bool:
        return self.model is not None or self.remote_url is not None

    @property
    def keypad_only(self) -> bool:
        return not self.available

    async def recognizer(self, phrases: Sequence[str] | None = None) -> AsyncRecognizer | None:
        """A recogniser for one utterance, or None when keypad-only."""
        if self.remote_url:
            from app.speech.remote import RemoteRecognizer  # websockets: remote speech only

            rate = self.model.sample_rate if self.model else 16000
            return await RemoteRecognizer(self.remote_url, phrases, sample_rate=rate).connect()
        if self.model is None:
            return None
        return await self.model.open_recognizer(phrases)

    def check_phrase_lists(self, lists: dict[str, Sequence[str]]) -> dict[str, GrammarReport]:
        if self.model is None:
            return {}
        return self.model.check_phrase_lists(lists)


def load_speech(
    models_dir: Path = DEFAULT_MODELS_DIR,
    model_name: str = "vosk-model-small-cn-0.22",
    *,
    remote_url: str | None = None,
    workers: int | None = None,
    manifest: Path | None = None,
) -> Speech:
    """Load `model_name` from the manifest in `models_dir`; keypad-only on any problem.

    With `remote_url` (a Vosk WebSocket server) no local model is needed.
    """
    if remote_url:
        status = f"speech: remote recogniser at {remote_url}"
        log.info(status)
        return Speech(model=None, status=status, remote_url=remote_url)
    try:
        spec = get_spec(model_name, Path(models_dir), manifest)
    except ManifestError as exc:
        status = f"keypad-only: {exc}"
        log.warning(status)
        return Speech(model=None, status=status)
    path = spec.local_path(Path(models_dir))
    problem = model_problem(path)
    if problem or path is None:
        where = path or f"{models_dir}/{model_name}"
        status = f"keypad-only: no model at {where} ({problem})"
        log.warning(status)
        return Speech(model=None, status=status)
    try:
        model = SpeechModel(
            path,
            name=spec.name,
            sample_rate=spec.sample_rate,
            grammar_supported=spec.grammar,
            workers=workers,
        )
    except Exception as exc:  # noqa: BLE001 - Vosk raises plain Exception on a bad model
        status = f"keypad-only: model {model_name} at {path} failed to load: {exc}"
        log.error(status)
        return Speech(model=None, status=status)
    status = f"speech: {spec.name} loaded from {path}"
    log.info(status)
    return Speech(model=model, status=status)


_cache: dict[tuple[str, str, str | None, str | None], Speech] = {}
_cache_lock = threading.Lock()


def get_speech(
    models_dir: Path = DEFAULT_MODELS_DIR,
    model_name: str = "vosk-model-small-cn-0.22",
    *,
    remote_url: str | None = None,
    manifest: Path | None = None,
) -> Speech:
    """Process-wide `load_speech`: the model is loaded once and shared by all calls."""
    key = (str(models_dir), model_name, remote_url, str(manifest) if manifest else None)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = load_speech(
                models_dir, model_name, remote_url=remote_url, manifest=manifest
            )
        return _cache[key]
