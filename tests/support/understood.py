"""The rule tests' one day and one call: every kind understood as on Monday 2026-11-30."""

from __future__ import annotations

import datetime as dt

from app.understanding import understand

MON = dt.date(2026, 11, 30)


def u(kind: str, text: str) -> object:
    """``text`` understood as an answer of ``kind`` on :data:`MON`."""
    return understand(kind, text, MON)


def day(date: str | None, session: str | None = None) -> dict[str, str | None]:
    """The value of a day answer: ``{"date": ISO or None, "session": "am"/"pm"/None}``."""
    return {"date": date, "session": session}
