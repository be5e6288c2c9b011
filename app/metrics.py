"""Prometheus metrics at `/metrics`, for operating the service (see docs/metrics.md).

Two kinds of numbers:

* events counted where they happen (webhook and call-step latency, how calls end, why
  callers reached a person, recogniser latency and failures), kept in this process by
  `prometheus_client` and hooked in with one line at each place (`app.core.metrics`);
* gauges read from the database at scrape time by `DatabaseCollector` (ride queue,
  outbox backlog, bookings by channel): a few COUNT/MIN queries per scrape, so every
  worker process reports the same, current numbers.

Labels carry codes only (route templates, outcomes, reasons): never a phone number, a
call id or what a caller said. The endpoint answers only a bearer token equal to
`IVR_METRICS_TOKEN`; with no token configured it does not exist (404).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select

from app.calls.enums import CallStatus, TransferReason
from app.core import metrics as events
from app.core.db import Database
from app.hospital.models import Appointment
from app.notify.enums import OutboxStatus
from app.notify.models import OutboxMessage
from app.taxi.enums import RideStatus
from app.taxi.models import Ride

# Every known code starts at 0, so a rate or a ratio has a series before the first event.
for _outcome in (CallStatus.COMPLETED, CallStatus.TRANSFERRED, CallStatus.CALLER_HUNG_UP):
    events.CALLS_ENDED.labels(outcome=_outcome)
for _reason in TransferReason:
    events.TRANSFERS.labels(reason=_reason)
for _source in ("stream", "recording"):
    events.RECOGNITION_FAILURES.labels(source=_source)


# --- gauges read at scrape time ------------------------------------------------------------


class DatabaseCollector:
    """Ride queue, outbox backlog and bookings by channel, counted when scraped."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        now = datetime.now(UTC)
        with self.db.session() as session:
            queued, oldest = session.execute(
                select(func.count(Ride.id), func.min(Ride.queued_at)).where(
                    Ride.status == RideStatus.QUEUED
                )
            ).one()
            outbox = dict(
                session.execute(
                    select(OutboxMessage.status, func.count(OutboxMessage.id))
                    .where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.FAILED]))
                    .group_by(OutboxMessage.status)
                ).all()
            )
            by_call = dict(
                session.execute(
                    select(Appointment.call_id.is_not(None), func.count(Appointment.id)).group_by(
                        Appointment.call_id.is_not(None)
                    )
                ).all()
            )
        yield GaugeMetricFamily("ivr_ride_queue_length", "Rides queued for a car.", value=queued)
        wait = 0.0
        if oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
            wait = max(0.0, (now - oldest).total_seconds())
        yield GaugeMetricFamily(
            "ivr_ride_queue_oldest_wait_seconds",
            "How long the oldest queued ride has waited (0 with an empty queue).",
            value=wait,
        )
        yield GaugeMetricFamily(
            "ivr_outbox_pending",
            "Outbox messages waiting to be sent.",
            value=outbox.get(OutboxStatus.PENDING, 0),
        )
        yield GaugeMetricFamily(
            "ivr_outbox_failed",
            "Outbox messages that gave up (need a person).",
            value=outbox.get(OutboxStatus.FAILED, 0),
        )
        bookings = GaugeMetricFamily(
            "ivr_bookings",
            "Hospital appointments ever booked, by channel (phone_call: made on a call).",
            labels=["channel"],
        )
        bookings.add_metric(["phone_call"], _count(by_call, True))
        bookings.add_metric(["other"], _count(by_call, False))
        yield bookings


def _count(counts: Mapping[Any, int], key: bool) -> int:
    # SQLite answers the IS NOT NULL column as 0/1, PostgreSQL as a boolean.
    return sum(n for k, n in counts.items() if bool(k) is key)


class _ProcessMetrics:
    """The process-wide registry (events above, plus process and Python metrics)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def registry_for(db: Database) -> CollectorRegistry:
    """What one app exposes: this process's events and its database's gauges."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ProcessMetrics())
    registry.register(DatabaseCollector(db))
    return registry


# --- the endpoint --------------------------------------------------------------------------

router = APIRouter(tags=["metrics"])


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """The exposition, for a bearer token equal to IVR_METRICS_TOKEN (404 when unset)."""
    expected: str = request.app.state.settings.metrics_token.get_secret_value()
    if not expected:
        return Response("Not Found", status_code=404, media_type="text/plain")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return Response(
            "bearer token required",
            status_code=401,
            media_type="text/plain",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not hmac.compare_digest(token.strip().encode(), expected.encode()):
        return Response("invalid token", status_code=403, media_type="text/plain")
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
