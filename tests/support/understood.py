"""The rule tests' one day and one call: every kind understood as on Monday 2026-11-30."""

from __future__ import annotations

import datetime as dt

from app.understanding import understand

MON = dt.date(2026, 11, 30)


def u(kind: str, text: str) -> object:
    """``text`` understood as an answer of ``kind`` on :data:`MON`."""
    return understand(kind, text, MON)
