"""Structured logs: one JSON object per line, with the call id on every line of a call.

Personal data never goes into a log: phone numbers are masked by `mask_phone`, and ID
numbers, names and addresses are not logged at all.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime

call_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("call_id", default=None)


def mask_phone(number: str | None) -> str:
    """Keep the first three and last two digits: +8613800000001 -> +86138******01."""
    if not number:
        return ""
    if len(number) <= 6:
        return "*" * len(number)
    head = 6 if number.startswith("+86") else 3
    return number[:head] + "*" * (len(number) - head - 2) + number[-2:]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        call_id = getattr(record, "call_id", None) or call_id_var.get()
        if call_id:
            entry["call_id"] = call_id
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update(extra)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        call_id = getattr(record, "call_id", None) or call_id_var.get()
        prefix = f"[{call_id}] " if call_id else ""
        extra = getattr(record, "fields", None)
        suffix = f" {extra}" if extra else ""
        return f"{record.levelname:<7} {record.name}: {prefix}{record.getMessage()}{suffix}"


# Query parameters that carry what staff typed to find a person (the hospital desk's
# `?q=`: a name, a phone or an ID number): never written to the access log.
_PERSONAL_QUERY = re.compile(r"([?&]q=)[^&\s\"]*")


class RedactSearchQuery(logging.Filter):
    """Blanks `q=` values in the server's access-log lines (uvicorn.access)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _PERSONAL_QUERY.sub(r"\1***", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def configure_logging(level: str = "INFO", json_lines: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactSearchQuery) for f in access.filters):
        access.addFilter(RedactSearchQuery())


def log_fields(**fields: object) -> dict[str, object]:
    """`logger.info("msg", extra=log_fields(state="menu"))` adds fields to the JSON line."""
    return {"fields": fields}
