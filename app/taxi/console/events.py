"""GET /dispatch/events: server-sent events telling open consoles that the queue changed.

A ride can change in any process (a phone call handled by another worker), so changes are
detected in the database: one `ChangeFeed` per process polls a cheap fingerprint of the
rides table (`ride_queue.change_marker`: highest id and latest updated_at, both read from
an index, and the count and versions of live rides only) and of the callers waiting for a
person (`app.operators.panel.change_marker`, open rows only, by index) and of the
drivers on duty (`app.taxi.fleet.change_marker`, a small table) every
`POLL_SECONDS` while at least one console is connected, and fans the new marker out to
every connection. The page's script then fetches the re-rendered queue.

Each stream sends a keep-alive comment every few seconds (so a vanished client is noticed
when the write fails), ends after `MAX_STREAM_SECONDS` (the browser reconnects by itself
after `retry`), and always unsubscribes in `finally`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from app.consoles.auth import DispatchStaff
from app.consoles.http import console_router
from app.core.db import Database
from app.core.deps import SessionDep
from app.operators import panel as operators_panel
from app.taxi import fleet
from app.taxi import queue as ride_queue

logger = logging.getLogger(__name__)
router = console_router()

POLL_SECONDS = 0.25
KEEP_ALIVE_SECONDS = 5.0
MAX_STREAM_SECONDS = 300.0
RETRY_MILLISECONDS = 1000


class ChangeFeed:
    """One database poller per process, shared by every open event stream."""

    def __init__(self, db: Database, poll_seconds: float = POLL_SECONDS) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.marker: str | None = None
        self._subscribers: set[asyncio.Queue[str]] = set()
        self._task: asyncio.Task[None] | None = None

    def subscribe(self) -> asyncio.Queue[str]:
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=1)
        if self.marker is not None:
            # A console that connects late refreshes once: a change between rendering its
            # page and subscribing would otherwise go unseen until the next change.
            queue.put_nowait(self.marker)
        self._subscribers.add(queue)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="dispatch-change-feed")
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str]) -> None:
        self._subscribers.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def _read(self) -> str:
        with self.db.session() as session:
            rides = ride_queue.change_marker(session)
            waiting = operators_panel.change_marker(session)
            drivers = fleet.change_marker(session)
            return "|".join(map(str, (*rides, *waiting, *drivers)))

    async def _run(self) -> None:
        while self._subscribers:
            try:
                marker = await run_in_threadpool(self._read)
            except Exception:
                logger.warning("dispatch change feed: database poll failed", exc_info=True)
                await asyncio.sleep(self.poll_seconds * 4)
                continue
            if marker != self.marker:
                self.marker = marker
                for queue in list(self._subscribers):
                    _offer(queue, marker)
            await asyncio.sleep(self.poll_seconds)
        self.marker = None  # the next first subscriber starts from scratch


def _offer(queue: asyncio.Queue[str], marker: str) -> None:
    """Keep only the newest marker: a slow client needs one refresh, not a backlog."""
    with contextlib.suppress(asyncio.QueueEmpty):
        queue.get_nowait()
    queue.put_nowait(marker)


def change_feed(request: Request) -> ChangeFeed:
    feed: ChangeFeed | None = getattr(request.app.state, "dispatch_feed", None)
    if feed is None:
        feed = ChangeFeed(request.app.state.db)
        request.app.state.dispatch_feed = feed
    return feed


async def event_stream(feed: ChangeFeed, request: Request) -> AsyncIterator[str]:
    queue = feed.subscribe()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MAX_STREAM_SECONDS
    try:
        yield f"retry: {RETRY_MILLISECONDS}\n: connected\n\n"
        while loop.time() < deadline:
            try:
                marker = await asyncio.wait_for(queue.get(), timeout=KEEP_ALIVE_SECONDS)
            except TimeoutError:
                if await request.is_disconnected():
                    break
                yield ": keep-alive\n\n"
                continue
            yield f"event: queue\ndata: {marker}\n\n"
    finally:
        feed.unsubscribe(queue)


@router.get("/dispatch/events", response_class=Response)
def events(request: Request, staff: DispatchStaff, session: SessionDep) -> Response:
    session.close()  # the stream must not hold a pooled database connection for minutes
    return StreamingResponse(
        event_stream(change_feed(request), request),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )
