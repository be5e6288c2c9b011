"""Korean test speech from espeak-ng, the same whatever ran before it.

espeak-ng keeps internal state between utterances that survives even `espeak_Terminate`,
so the samples for a text depend on what the process synthesised earlier (a few samples
longer or shorter, enough to change what the stand-in Korean model hears). Tests must not
depend on their order (or on which worker runs them), so each text is synthesised as the
first utterance of a fresh interpreter, once per test process.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache

import numpy as np

from app.speech.audio import TWILIO_RATE, resample

_SYNTHESISE = """
import sys
from app.speech.espeak import synthesize
audio, rate = synthesize(sys.argv[1], sys.argv[2])
sys.stdout.buffer.write(rate.to_bytes(4, "little") + audio.tobytes())
"""


@cache
def spoken_8k(text: str, voice: str = "ko") -> np.ndarray:
    """`text` spoken by espeak-ng, resampled to the 8 kHz of a phone line (int16)."""
    out = subprocess.run(
        [sys.executable, "-c", _SYNTHESISE, text, voice], check=True, capture_output=True
    ).stdout
    rate = int.from_bytes(out[:4], "little")
    audio = np.frombuffer(out[4:], dtype=np.int16)
    return resample(audio, rate, TWILIO_RATE)
