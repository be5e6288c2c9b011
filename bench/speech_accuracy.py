"""Speech accuracy on a folder of recordings: WAV/MP3 files + transcripts in, a table out.

    .venv/bin/python bench/speech_accuracy.py DIR [--model vosk-model-small-cn-0.22]
        [--phrases grammar.txt] [--phone] [--threshold 0.7]

Transcripts: `DIR/transcripts.tsv` (file<TAB>text per line) or one `name.txt` next to each
`name.wav`. `--phrases` (one phrase per line) decodes with that phrase-list grammar, as the
hotline does; `--phone` first sends the audio through the 8 kHz mu-law phone path.
Reports utterance accuracy, word error rate (character error rate for Chinese), the
phrase-level error rate (wrong phrase accepted without confirmation, i.e. a harmful
error, versus errors the flow would catch by confirming) and the "nothing recognised"
rate. Chinese accuracy can only be measured this way, on real recordings with the real
Chinese model: the stand-in Korean model in the tests says nothing about it.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.speech.audio import AudioError, load_recording, mulaw_decode, mulaw_encode, resample
from app.speech.service import load_speech  # noqa: E402

_CJK = re.compile(r"[\u3400-\u9fff]")


def tokens(text: str) -> list[str]:
    """Words for Latin/Korean text; single characters for Chinese (CER)."""
    out: list[str] = []
    for word in text.split():
        out.extend(list(word) if _CJK.search(word) else [word])
    return out


def edit_distance(a: list[str], b: list[str]) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def normalise(text: str) -> str:
    return "".join(tokens(text)) if _CJK.search(text) else " ".join(text.split())


def read_transcripts(folder: Path) -> dict[Path, str]:
    tsv = folder / "transcripts.tsv"
    if tsv.exists():
        pairs = [
            line.split("\t", 1) for line in tsv.read_text("utf-8").splitlines() if "\t" in line
        ]
        return {folder / name.strip(): text.strip() for name, text in pairs}
    found = {}
    for audio in sorted([*folder.glob("*.wav"), *folder.glob("*.mp3")]):
        txt = audio.with_suffix(".txt")
        if txt.exists():
            found[audio] = txt.read_text("utf-8").strip()
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--model", default="vosk-model-small-cn-0.22")
    ap.add_argument(
        "--models-dir", type=Path, default=Path(__file__).resolve().parents[1] / "models"
    )
    ap.add_argument("--phrases", type=Path, help="phrase list, one per line (grammar mode)")
    ap.add_argument("--phone", action="store_true", help="simulate 8 kHz mu-law phone audio")
    ap.add_argument("--threshold", type=float, default=0.7, help="confirmation threshold")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()

    speech = load_speech(args.models_dir, args.model)
    if speech.model is None:
        sys.exit(speech.status)
    model = speech.model
    phrases = None
    if args.phrases:
        phrases = [p.strip() for p in args.phrases.read_text("utf-8").splitlines() if p.strip()]
        report = model.check_phrases(phrases)
        if report.missing:
            print(f"warning: words not in the model: {', '.join(report.missing)}")
    items = read_transcripts(args.folder)
    if not items:
        sys.exit(f"no recordings with transcripts in {args.folder}")

    n = exact = empty = errors_tok = ref_tok = unreadable = 0
    harmful = caught = 0
    for path, reference in items.items():
        try:
            rec = load_recording(path, target_rate=model.sample_rate)
        except AudioError as exc:
            print(f"skip {path.name}: {exc}")
            unreadable += 1
            continue
        samples = rec.samples
        if args.phone:
            phone = mulaw_decode(mulaw_encode(resample(samples, rec.sample_rate, 8000)))
            samples = resample(phone, 8000, model.sample_rate)
        recognizer = model.recognizer(phrases)
        recognizer.accept(samples.tobytes())
        result = recognizer.final()
        n += 1
        ok = normalise(result.text) == normalise(reference)
        exact += ok
        empty += result.is_empty
        ref = tokens(reference)
        errors_tok += edit_distance(ref, tokens(result.text))
        ref_tok += len(ref)
        if not ok and not result.is_empty:
            if result.needs_confirmation(args.threshold):
                caught += 1
            else:
                harmful += 1
        if args.verbose:
            mark = "ok " if ok else "ERR"
            print(
                f"{mark} {path.name}: ref={reference!r} hyp={result.text!r} "
                f"conf={result.confidence:.2f}"
            )

    def pct(x: float) -> str:
        return f"{100 * x / max(n, 1):.1f}%"

    rows = [
        ("model", f"{args.model} ({'grammar' if phrases else 'full vocabulary'})"),
        ("audio path", "8 kHz mu-law phone simulation" if args.phone else "as recorded"),
        ("utterances", f"{n} (unreadable: {unreadable})"),
        ("utterance accuracy", pct(exact)),
        ("word/char error rate", f"{100 * errors_tok / max(ref_tok, 1):.1f}%"),
        ("phrase errors accepted without confirming", pct(harmful)),
        ("phrase errors caught by confirmation", pct(caught)),
        ("nothing recognised", pct(empty)),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k.ljust(width)}  {v}")


if __name__ == "__main__":
    main()
