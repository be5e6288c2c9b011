"""Recognition of a caller's recording that may outlast a webhook reply.

Twilio waits 15 s at most for a webhook. Recognising a `<Record>` answer runs in a worker
thread, keyed by (call sid, step); the webhook waits `recognition_hold_seconds` for it.
When the text is not ready, the caller hears a short holding sentence and Twilio is sent
to a signed continue URL for the same step (`&wait=K`), which waits again (see
`routes.step`). The jobs live in this process only: a continue request that reaches
another service process finds no job and recognises the recording again there.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

logger = logging.getLogger(__name__)

JobKey = tuple[str, int]  # (call sid, step)

MAX_HOLDS = 4  # continue requests per step before the answer counts as not understood
FORGET_AFTER_S = 120.0  # a finished job nobody came back for (the caller hung up)


class RecognitionJobs:
    """Recognitions under way in this process; at most one per (call sid, step)."""

    def __init__(self, *, workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="recognise")
        self._jobs: dict[JobKey, tuple[float, Future[str]]] = {}
        self._lock = threading.Lock()

    def start(self, key: JobKey, recognise: Callable[[], str]) -> Future[str]:
        """The job for `key`: the one already running here, or a new one."""
        with self._lock:
            self._forget_stale()
            existing = self._jobs.get(key)
            if existing is not None:
                return existing[1]
            future = self._pool.submit(recognise)
            self._jobs[key] = (time.monotonic(), future)
            return future

    def forget(self, key: JobKey) -> None:
        with self._lock:
            self._jobs.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _forget_stale(self) -> None:
        now = time.monotonic()
        for key, (started, future) in list(self._jobs.items()):
            if future.done() and now - started > FORGET_AFTER_S:
                del self._jobs[key]


async def result_within(future: Future[str], seconds: float) -> str | None:
    """The recognised text when ready within `seconds`, else None (the job runs on).
    A recognition that failed counts as nothing heard: ""."""
    wrapped = asyncio.wrap_future(future)
    done, _ = await asyncio.wait({wrapped}, timeout=max(seconds, 0.0))
    if not done:
        return None
    try:
        return wrapped.result()
    except Exception as exc:
        logger.warning("recording not recognised: %s", type(exc).__name__)
        return ""
