"""Benchmark of ``app.understanding``: cold start of ``ivr understand`` and throughput.

    .venv/bin/python bench/understanding.py [--seconds 2] [--cold-runs 5]

What it measures, in one process on one core (the machine's other work is not stopped:
print ``uptime`` with the figures):

1. Cold start: ``ivr understand --expect intent 我要叫个车`` run ``--cold-runs`` times as a
   fresh Python process (``python -c "from app.cli import main; main()"``, what the
   installed ``ivr`` script runs), wall time from spawn to exit, median and best. Includes
   the interpreter's start, imports, reading the grammars and building the matchers the
   answer needs. Excludes nothing of the command.
2. In-process start-up: import ``app.understanding`` and ``warm_up()`` (every grammar read,
   every matcher built).
3. Throughput on the realistic mix: every labelled line of the development sets
   (``tests/unit/understanding/corpus.jsonl``, ``heldout*.jsonl`` and
   ``tests/data/understanding/independent_{a,b,c}.jsonl``; never ``final_sealed.jsonl``)
   understood as its labelled kind, so each kind weighs as often as it is labelled there
   (the weights are printed), in a fixed shuffled order, cycled for ``--seconds``.
   Understandings per second of wall time and per second of this process's CPU time (the
   latter is what one core gives when the machine's other work takes CPU too).
4. Per spoken answer: what the call engine runs for each spoken answer (``emergency``,
   then ``intent``, then the question's kind: three understandings), on the same lines.
5. Per kind, on that kind's lines of the mix; and yes/no answers with the question that
   read a detail back (``independent_fr.jsonl``, as the flows pass it).

Every line is understood once before timing (grammars read, matchers built). The small
per-text memories (`clean`, `is_emergency`, the backstop's features and predictions: the
same answer asked of several kinds, or said again) are
emptied before each pass over the lines, so only repeats within one line's understanding
are remembered, as in a call. Excludes: speech recognition, HTTP, the call engine and the
database.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV_SETS = [
    "tests/unit/understanding/corpus.jsonl",
    "tests/unit/understanding/heldout.jsonl",
    "tests/unit/understanding/heldout2.jsonl",
    "tests/unit/understanding/heldout3.jsonl",
    "tests/data/understanding/independent_a.jsonl",
    "tests/data/understanding/independent_b.jsonl",
    "tests/data/understanding/independent_c.jsonl",
]
COLD_COMMAND = "from app.cli import main; main()"
#: Yes/no answers with the question that read a detail back (the flows pass it).
READ_BACK_SET = "tests/data/understanding/independent_fr.jsonl"

Case = tuple[str, str, dt.date]


def _lines() -> list[Case]:
    cases: list[Case] = []
    for name in DEV_SETS:
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                today = dt.date.fromisoformat(row.get("today") or "2026-12-01")
                cases.append((row["expect"], row.get("text") or "", today))
    random.Random(14).shuffle(cases)
    return cases


def _read_back_lines() -> list[tuple[str, dt.date, str]]:
    rows = [json.loads(x) for x in (ROOT / READ_BACK_SET).read_text("utf-8").splitlines() if x]
    return [(r["text"], dt.date.fromisoformat(r["today"]), r["question"]) for r in rows]


def cold_start(runs: int) -> list[float]:
    # Bytecode cached as after installation, even where the environment says not to write it
    # (the first run writes it; the median of the runs is reported).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    args = ["understand", "--expect", "intent", "我要叫个车"]
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", COLD_COMMAND, *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(time.perf_counter() - start)
        assert json.loads(out.stdout) == {"value": "taxi"}, out.stdout
    return times


def rate(work: Callable[[], int], seconds: float) -> tuple[float, float]:
    """(per wall second, per CPU second) of ``work`` (returns the understandings done)."""
    done = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while (wall := time.perf_counter() - wall0) < seconds:
        done += work()
    cpu = time.process_time() - cpu0
    return done / wall, done / cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    cold = cold_start(args.cold_runs) if args.cold_runs else []

    sys.path.insert(0, str(ROOT))
    t0 = time.perf_counter()
    from app.understanding import backstop, understand, warm_up
    from app.understanding.emergency import is_emergency
    from app.understanding.normalize import clean

    warm_up()

    def forget() -> None:  # nothing remembered from the previous pass over the lines
        clean.cache_clear()
        is_emergency.cache_clear()
        backstop.forget()

    startup = time.perf_counter() - t0

    cases = _lines()
    for expect, text, today in cases:  # warm: every line once
        understand(expect, text, today)
        understand("emergency", text, today)
        understand("intent", text, today)

    def mix(subset: list[Case]) -> Callable[[], int]:
        def run() -> int:
            forget()
            for expect, text, today in subset:
                understand(expect, text, today)
            return len(subset)

        return run

    def answers() -> int:
        forget()
        for expect, text, today in cases:
            understand("emergency", text, today)
            understand("intent", text, today)
            understand(expect, text, today)
        return len(cases)

    if cold:
        print(
            f"cold start, `ivr understand --expect intent 我要叫个车` ({len(cold)} runs): "
            f"median {statistics.median(cold) * 1000:.0f} ms, best {min(cold) * 1000:.0f} ms"
        )
    print(f"in-process start-up (import + warm_up): {startup * 1000:.0f} ms")
    weights = collections.Counter(expect for expect, _, _ in cases)
    print(
        f"mix: {len(cases)} labelled lines; "
        + ", ".join(f"{k} {n / len(cases):.0%}" for k, n in weights.most_common())
    )
    print(f"{'what':<34}{'lines':>7}{'per s (wall)':>14}{'per CPU s':>11}{'us each':>9}")
    wall, cpu = rate(mix(cases), args.seconds)
    print(
        f"{'mix, one understanding per line':<34}{len(cases):>7}{wall:>14.0f}{cpu:>11.0f}"
        f"{1e6 / cpu:>9.0f}"
    )
    wall, cpu = rate(answers, args.seconds)
    print(
        f"{'spoken answer (emergency+intent+kind)':<34}{len(cases):>7}{wall:>14.0f}"
        f"{cpu:>11.0f}{1e6 / cpu:>9.0f}"
    )
    for kind, n in weights.most_common():
        subset = [c for c in cases if c[0] == kind]
        wall, cpu = rate(mix(subset), args.seconds / 4)
        print(f"{'  ' + kind:<34}{n:>7}{wall:>14.0f}{cpu:>11.0f}{1e6 / cpu:>9.0f}")
    asked = _read_back_lines()

    def read_back() -> int:
        forget()
        for text, today, question in asked:
            understand("yesno", text, today, question=question)
        return len(asked)

    for text, today, question in asked:  # warm
        understand("yesno", text, today, question=question)
    wall, cpu = rate(read_back, args.seconds / 4)
    label = "  yesno with the question read back"
    print(f"{label:<34}{len(asked):>7}{wall:>14.0f}{cpu:>11.0f}{1e6 / cpu:>9.0f}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
