"""How calls end and why callers reach a person are counted for /metrics once, when the
step's transaction commits (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from prometheus_client import REGISTRY
from sqlalchemy.orm import Session

from app.callflow.messages import CallStarted, Keys, Transfer
from app.calls.models import Call
from app.calls.service import CallService
from app.core.db import Database
from support.calls import demo_call_service

ZHANG = "+8613800000001"  # 张奶奶 in the demo data, with her home saved
HOTLINE = "+868710000000"
TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def counts() -> dict[str, float]:
    def get(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    return {
        "completed": get("ivr_calls_ended_total", outcome="completed"),
        "transferred": get("ivr_calls_ended_total", outcome="transferred"),
        "system_error": get("ivr_transfers_total", reason="system_error"),
        "steps": get("ivr_call_step_seconds_count", event="keys"),
    }


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def book_a_taxi_by_keys(service: CallService) -> list[object]:
    service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    service.handle(call_id="CA1", event=Keys("1"), event_key="k1")
    return list(service.handle(call_id="CA1", event=Keys("1"), event_key="k2").outputs)


def test_a_completed_call_counts_once_and_a_replay_counts_no_more(service: CallService) -> None:
    before = counts()
    book_a_taxi_by_keys(service)
    service.handle(call_id="CA1", event=Keys("1"), event_key="k2")  # a webhook retry
    after = counts()
    assert after["completed"] == before["completed"] + 1
    assert after["transferred"] == before["transferred"]
    assert after["steps"] == before["steps"] + 3  # the replay is a step answered too


def test_a_step_rolled_back_after_ending_the_call_counts_only_the_hand_over(
    service: CallService,
) -> None:
    def settle_fails(session: Session, call: Call) -> None:
        raise RuntimeError("settling failed")

    service.on_end = settle_fails
    before = counts()
    outputs = book_a_taxi_by_keys(service)
    assert outputs[-1] == Transfer(reason="system_error")
    after = counts()
    assert after["completed"] == before["completed"]  # that transaction was rolled back
    assert after["transferred"] == before["transferred"] + 1
    assert after["system_error"] == before["system_error"] + 1
