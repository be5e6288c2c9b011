"""Offline speech synthesis with the espeak-ng library bundled in `espeakng-loader`.

Used by the tests and benchmarks to produce real speech without recordings (Korean `ko`
for the stand-in Korean model; `cmn` reads Chinese characters with espeak-ng 1.52).
Calls the C API through ctypes; espeak-ng keeps global state, so calls are serialised.
numpy is imported by `synthesize` only: `check_voice` (the service's start-up check of
the prompt voice) loads no more than the library.
"""

from __future__ import annotations

import ctypes
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE = 1  # espeakRATE parameter id

_lock = threading.Lock()
_state: dict[str, Any] = {}

_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class SynthesisError(RuntimeError):
    pass


def _init() -> tuple[Any, int]:
    if "lib" in _state:
        return _state["lib"], _state["rate"]
    try:
        import espeakng_loader
    except ImportError as exc:
        raise SynthesisError("espeakng-loader is not installed") from exc
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    rate = lib.espeak_Initialize(
        _AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0
    )
    if rate <= 0:
        raise SynthesisError("espeak-ng failed to initialise")
    chunks: list[bytes] = []

    def collect(wav: Any, n: int, _events: Any) -> int:
        if n > 0 and wav:
            chunks.append(ctypes.string_at(wav, n * ctypes.sizeof(ctypes.c_short)))
        return 0

    callback = _Callback(collect)
    lib.espeak_SetSynthCallback(callback)
    _state.update(lib=lib, rate=rate, chunks=chunks, callback=callback)
    return lib, rate


def check_voice(voice: str) -> None:
    """Raise `SynthesisError` unless espeak-ng loads and has `voice` (nothing is spoken)."""
    with _lock:
        lib, _rate = _init()
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise SynthesisError(f"espeak-ng has no voice {voice!r}")


def synthesize(text: str, voice: str = "ko", words_per_minute: int = 150) -> tuple[np.ndarray, int]:
    """Speak `text`; return (int16 samples, sample rate) - espeak-ng uses 22050 Hz."""
    import numpy as np

    with _lock:
        lib, rate = _init()
        chunks: list[bytes] = _state["chunks"]
        chunks.clear()
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise SynthesisError(f"espeak-ng has no voice {voice!r}")
        lib.espeak_SetParameter(_RATE, words_per_minute, 0)
        data = text.encode("utf-8")
        if lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None):
            raise SynthesisError("espeak-ng failed to synthesise")
        lib.espeak_Synchronize()
        audio = np.frombuffer(b"".join(chunks), dtype=np.int16).copy()
        chunks.clear()
    return audio, rate
