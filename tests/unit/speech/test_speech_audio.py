"""Unit tests for the audio path: mu-law, base64 frames, resampling, levels, recordings."""

from __future__ import annotations

import base64
import io
import shutil
import struct
import warnings
import wave

import numpy as np
import pytest

from app.speech.audio import (
    MULAW_DECODE_TABLE,
    AudioError,
    StreamNormaliser,
    StreamResampler,
    clipped_fraction,
    decode_twilio_payload,
    encode_twilio_payload,
    load_recording,
    mulaw_decode,
    mulaw_encode,
    normalise,
    resample,
    rms_dbfs,
)


def sine(freq: float, rate: int, seconds: float, amp: float = 10000) -> np.ndarray:
    n = np.arange(int(rate * seconds))
    return (amp * np.sin(2 * np.pi * freq * n / rate)).astype(np.int16)


def wav_bytes(samples: np.ndarray, rate: int, channels: int = 1, width: int = 2) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


def test_mulaw_table_matches_g711_reference_points() -> None:
    assert MULAW_DECODE_TABLE[0xFF] == 0
    assert MULAW_DECODE_TABLE[0x7F] == 0
    assert MULAW_DECODE_TABLE[0x00] == -32124
    assert MULAW_DECODE_TABLE[0x80] == 32124


def test_mulaw_is_bit_exact_with_audioop_for_every_sample_and_code() -> None:
    # audioop: the standard library up to Python 3.12, the `audioop-lts` package from 3.13
    # (a dependency with that marker), so this comparison never skips.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop
    x = np.arange(-32768, 32768, dtype=np.int16)
    assert mulaw_encode(x) == audioop.lin2ulaw(x.tobytes(), 2)
    ref = np.frombuffer(audioop.ulaw2lin(bytes(range(256)), 2), dtype=np.int16)
    assert np.array_equal(mulaw_decode(bytes(range(256))), ref)


def test_mulaw_round_trip_error_is_small() -> None:
    x = sine(440, 8000, 0.1)
    y = mulaw_decode(mulaw_encode(x))
    assert np.max(np.abs(y.astype(int) - x)) < 400  # G.711 step at this level


def test_twilio_payload_round_trip() -> None:
    x = sine(300, 8000, 0.02)
    payload = encode_twilio_payload(x)
    assert len(base64.b64decode(payload)) == 160
    assert len(decode_twilio_payload(payload)) == 160


@pytest.mark.parametrize(
    "payload",
    ["!!!not base64!!!", "abc", "ÿÿÿÿ", "AAAA" * 30000, 12345],
    ids=["garbage", "truncated-padding", "non-ascii", "too-large", "not-a-string"],
)
def test_bad_twilio_payloads_raise_audio_error(payload: object) -> None:
    with pytest.raises(AudioError):
        decode_twilio_payload(payload)  # type: ignore[arg-type]


def test_truncated_but_valid_frame_is_decoded() -> None:
    payload = base64.b64encode(b"\xff" * 37).decode()
    assert len(decode_twilio_payload(payload)) == 37
    assert len(decode_twilio_payload("")) == 0


@pytest.mark.parametrize(("src", "dst"), [(8000, 16000), (22050, 16000), (16000, 8000)])
def test_resample_keeps_a_tone(src: int, dst: int) -> None:
    y = resample(sine(1000, src, 1.0), src, dst)
    assert len(y) == dst
    ref = 10000 * np.sin(2 * np.pi * 1000 * np.arange(dst) / dst)
    assert np.sqrt(np.mean((y[200:-200] - ref[200:-200]) ** 2)) < 50


def test_downsampling_removes_content_above_new_nyquist() -> None:
    y = resample(sine(6000, 16000, 1.0), 16000, 8000)
    assert rms_dbfs(y[200:-200]) < rms_dbfs(sine(6000, 16000, 1.0)) - 30


def test_stream_resampler_in_frames_equals_whole_buffer_and_flushes_its_tail() -> None:
    x = sine(700, 8000, 0.5)
    one = StreamResampler(8000, 16000)
    whole = np.concatenate([one.process(x), one.flush()])
    rs = StreamResampler(8000, 16000)
    parts = [rs.process(x[i : i + 160]) for i in range(0, len(x), 160)]
    streamed = np.concatenate([*parts, rs.flush()])
    assert len(whole) == len(streamed) == 2 * len(x)  # the held-back tail comes out
    assert np.max(np.abs(whole.astype(np.int32) - streamed)) <= 2  # rounding only
    # No clicks at the 20 ms joins: the streamed tone is the tone, delayed by the filter.
    lag = len(x) * 2 - sum(len(p) for p in parts)
    assert 0 < lag < 1600  # held back: under 0.1 s at 16 kHz
    ref = 10000 * np.sin(2 * np.pi * 700 * np.arange(len(streamed)) / 16000)
    assert np.sqrt(np.mean((streamed[400:-400] - ref[400:-400]) ** 2)) < 50


def test_normalise_raises_quiet_speech_without_clipping() -> None:
    quiet = sine(500, 8000, 0.5, amp=300)
    loud = normalise(quiet)
    assert rms_dbfs(loud) > rms_dbfs(quiet) + 20
    assert np.max(np.abs(loud)) < 32767
    assert np.array_equal(normalise(np.zeros(100, np.int16)), np.zeros(100, np.int16))
    assert len(normalise(np.zeros(0, np.int16))) == 0


def test_stream_normaliser_boosts_quiet_and_spares_loud() -> None:
    agc = StreamNormaliser()
    quiet = sine(500, 8000, 0.02, amp=300)
    for _ in range(50):
        out = agc.process(quiet)
    assert rms_dbfs(out) > rms_dbfs(quiet) + 12
    agc2 = StreamNormaliser()
    loud = sine(500, 8000, 0.02, amp=20000)
    assert rms_dbfs(agc2.process(loud)) == pytest.approx(rms_dbfs(loud), abs=0.1)


def test_clipped_fraction() -> None:
    n = np.arange(800)
    clipped = np.clip(60000 * np.sin(2 * np.pi * 300 * n / 8000), -32768, 32767).astype(np.int16)
    assert clipped_fraction(clipped) > 0.3
    assert clipped_fraction(sine(300, 8000, 0.1)) == 0


def test_load_wav_resamples_and_downmixes() -> None:
    stereo = np.repeat(sine(440, 44100, 0.5), 2)
    rec = load_recording(wav_bytes(stereo, 44100, channels=2))
    assert rec.sample_rate == 16000 and rec.source_rate == 44100 and rec.source_channels == 2
    assert rec.duration == pytest.approx(0.5, abs=0.01)


def test_load_8khz_phone_wav_from_path(tmp_path) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(wav_bytes(sine(440, 8000, 1.0), 8000))
    rec = load_recording(path)
    assert len(rec.samples) == 16000
    assert len(rec.pcm_bytes()) == 32000


def test_recording_with_too_low_sample_rate_is_rejected() -> None:
    with pytest.raises(AudioError, match="below 8000"):
        load_recording(wav_bytes(sine(440, 4000, 0.5), 4000))


@pytest.mark.parametrize(
    "data", [b"", b"hello this is not audio at all", b"RIFF\x00\x00\x00\x00WAVEjunk"]
)
def test_garbage_recordings_raise_audio_error(data: bytes) -> None:
    with pytest.raises(AudioError):
        load_recording(data)


def test_missing_and_unsupported_recordings(tmp_path) -> None:
    with pytest.raises(AudioError, match="not found"):
        load_recording(tmp_path / "nope.wav")
    ogg = tmp_path / "x.ogg"
    ogg.write_bytes(b"OggS" + b"\0" * 100)
    with pytest.raises(AudioError, match="unsupported recording format"):
        load_recording(ogg)


def _wav_with_codec(tag: int, payload: bytes, rate: int = 8000) -> bytes:
    fmt = struct.pack("<HHIIHH", tag, 1, rate, rate, 1, 8)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_mulaw_wav_is_decoded_with_ffmpeg() -> None:
    data = _wav_with_codec(7, mulaw_encode(sine(440, 8000, 0.5)))
    rec = load_recording(data)
    assert rec.source_rate == 8000 and rec.duration == pytest.approx(0.5, abs=0.02)


def test_wav_with_wrong_codec_data_raises_audio_error() -> None:
    # Claims to be MPEG-in-WAV (tag 0x55) but holds noise.
    with pytest.raises(AudioError):
        load_recording(_wav_with_codec(0x55, bytes(range(256)) * 4))


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_mp3_round_trip(tmp_path) -> None:
    from pydub import AudioSegment

    seg = AudioSegment(
        sine(440, 16000, 1.0).tobytes(), frame_rate=16000, sample_width=2, channels=1
    )
    path = tmp_path / "r.mp3"
    seg.export(path, format="mp3")
    rec = load_recording(path)
    assert rec.sample_rate == 16000 and rec.duration == pytest.approx(1.0, abs=0.1)
    assert rms_dbfs(rec.samples) > -25
