"""Events counted where they happen, for Prometheus: webhook and call-step latency, how
calls end, why callers reached a person, recogniser latency and failures.

The shared machinery (telephony, speech, the call service) counts here with one line at
each place; `app.metrics` exposes these together with the gauges it reads from the
database. Labels carry codes only, never a phone number, a call id or what a caller said.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram
from sqlalchemy.orm import Session

# A caller waits in silence while we answer: the interesting range is 10 ms to a few seconds.
_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)

WEBHOOK_SECONDS = Histogram(
    "ivr_webhook_seconds",
    "Time to answer a Twilio webhook, by route template.",
    ["route"],
    buckets=_LATENCY_BUCKETS,
)
CALL_STEP_SECONDS = Histogram(
    "ivr_call_step_seconds",
    "Time of one call step (CallService.handle), by event kind.",
    ["event"],
    buckets=_LATENCY_BUCKETS,
)
CALLS_ENDED = Counter(
    "ivr_calls_ended",
    "Calls ended, by outcome (completed, transferred, caller_hung_up).",
    ["outcome"],
)
TRANSFERS = Counter("ivr_transfers", "Callers handed to a person, by reason code.", ["reason"])
RECOGNITION_SECONDS = Histogram(
    "ivr_recognition_seconds",
    "Time the recogniser took for its final result, by source (stream or recording).",
    ["source"],
    buckets=_LATENCY_BUCKETS,
)
RECOGNITION_FAILURES = Counter(
    "ivr_recognition_failures",
    "Recogniser errors (the caller fell back to keys), by source.",
    ["source"],
)


_AFTER_COMMIT = "ivr_metrics_after_commit"

def step_finished(event: str, *, started: float) -> None:
    """One call step is over; `started` is its `time.perf_counter()` at the start."""
    CALL_STEP_SECONDS.labels(event=event).observe(time.perf_counter() - started)


def call_ended(session: Session, outcome: str) -> None:
    """Count a call ended by `session`'s transaction, once it commits (see `publish`)."""
    after_commit(session).append(CALLS_ENDED.labels(outcome=outcome).inc)


def transferred(session: Session, reason: str) -> None:
    """Count a hand-over to a person made by `session`'s transaction, once it commits."""
    after_commit(session).append(TRANSFERS.labels(reason=reason).inc)


def after_commit(session: Session) -> list[Callable[[], None]]:
    """Counts waiting for `session` to commit: a step rolled back (and then recorded as a
    failure, or answered by a concurrent worker) must not count twice."""
    pending: list[Callable[[], None]] = session.info.setdefault(_AFTER_COMMIT, [])
    return pending


def publish(pending: list[Callable[[], None]]) -> None:
    """The transaction committed: apply its counts."""
    for count in pending:
        count()


@contextmanager
def recognition(source: str) -> Iterator[None]:
    """Time one final recognition; an exception is counted as a failure and re-raised."""
    started = time.perf_counter()
    try:
        yield
    except Exception:
        RECOGNITION_FAILURES.labels(source=source).inc()
        raise
    RECOGNITION_SECONDS.labels(source=source).observe(time.perf_counter() - started)
