"""The access log never carries what the hospital desk typed to find a person (`?q=`)."""

from __future__ import annotations

import logging

from app.core.logging import RedactSearchQuery


def _access_line(path: str) -> str:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200), None,
    )
    assert RedactSearchQuery().filter(record)
    return record.getMessage()


def test_search_terms_are_blanked_and_the_rest_kept() -> None:
    line = _access_line("/hospital/1?day=2026-12-01&q=13800000001&page=2")
    assert "13800000001" not in line
    assert "/hospital/1?day=2026-12-01&q=***&page=2" in line
    assert "%E5%BC%A0" not in _access_line("/hospital/1?q=%E5%BC%A0%E7%A7%80&day=2026-12-01")
    plain = _access_line("/hospital/1?day=2026-12-01")
    assert plain.endswith('"GET /hospital/1?day=2026-12-01 HTTP/1.1" 200')
