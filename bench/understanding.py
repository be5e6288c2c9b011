"""Benchmark of ``app.understanding.understand``: start-up time and understandings per second.

Run: ``.venv/bin/python bench/understanding.py [--seconds S]``. Start-up is the time to import
the package and load every grammar (``warm_up``); throughput is then measured on one core
per kind, cycling over that kind's utterances in the labelled corpus.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "unit" / "understanding" / "corpus.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per kind")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    t0 = time.perf_counter()
    from app.understanding import KINDS, understand, warm_up

    warm_up()
    startup = time.perf_counter() - t0

    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    print(f"start-up (import + load grammars): {startup * 1000:.0f} ms")
    print(f"{'kind':<12}{'utterances':>11}{'per second':>12}{'us each':>10}")
    total_calls = 0
    total_time = 0.0
    for kind in KINDS:
        cases = [
            (r["text"], dt.date.fromisoformat(r["today"])) for r in rows if r["expect"] == kind
        ]
        for text, today in cases:  # first pass fills the per-character pinyin cache
            understand(kind, text, today)
        calls = 0
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < args.seconds:
            for text, today in cases:
                understand(kind, text, today)
            calls += len(cases)
        total_calls += calls
        total_time += elapsed
        print(f"{kind:<12}{len(cases):>11}{calls / elapsed:>12.0f}{elapsed / calls * 1e6:>10.0f}")
    print(
        f"{'all':<12}{'':>11}{total_calls / total_time:>12.0f}"
        f"{total_time / total_calls * 1e6:>10.0f}"
    )


if __name__ == "__main__":
    main()
