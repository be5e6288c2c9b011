"""Retention of callers' recordings kept on disk: personal data is not kept for ever.

Recordings made over media streams live in `Settings.recordings_dir`. This is the files-only
purge of `ivr recordings purge`; the daily retention job (app/retention) deletes the files,
the recordings Twilio keeps and the references to both.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

RECORDING_SUFFIXES = (".wav", ".mp3")


def purge_recordings(directory: Path, *, older_than: timedelta, now: datetime) -> int:
    """Delete recordings last written before `now - older_than`; return how many.

    A ride whose recording is gone still shows its transcript; the console answers
    "no recording" for it.
    """
    if not directory.is_dir():
        return 0
    cutoff = (now - older_than).timestamp()
    removed = 0
    for path in directory.iterdir():
        if path.suffix in RECORDING_SUFFIXES and path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
