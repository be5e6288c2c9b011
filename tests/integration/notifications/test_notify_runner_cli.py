"""The worker thread (start/stop, as `ivr serve` uses it) and the `outbox` CLI commands."""

from __future__ import annotations

import logging
import time

import pytest
from outbox_helpers import enqueue, row
from typer.testing import CliRunner

from app.core import config
from app.core.config import Settings
from app.core.db import Database
from app.notify.cli import outbox_app
from app.notify.enums import OutboxStatus
from app.notify.runner import start_worker_thread
from support.fake_twilio import FakeTwilio


def test_worker_thread_sends_then_stops_cleanly(
    db: Database, notify_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    handle = start_worker_thread(db, notify_settings)
    try:
        message_id = enqueue(db, "thread:1")
        deadline = time.monotonic() + 10
        while row(db, message_id).status != OutboxStatus.SENT:
            assert time.monotonic() < deadline, "worker thread did not send"
            time.sleep(0.05)
    finally:
        assert handle.stop(timeout=10)
    assert not handle.running
    assert len(fake_twilio.creates()) == 1


def test_cli_run_once_and_status(
    db: Database,
    notify_settings: Settings,
    fake_twilio: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "DATABASE_URL": db.url,
        "IVR_TWILIO_ACCOUNT_SID": notify_settings.twilio_account_sid,
        "IVR_TWILIO_AUTH_TOKEN": notify_settings.twilio_auth_token,
        "IVR_TWILIO_FROM_NUMBER": notify_settings.twilio_from_number,
        "IVR_TWILIO_API_BASE": fake_twilio.url,
        "IVR_LOG_JSON": "false",
    }.items():
        monkeypatch.setenv(name, value)
    config.get_settings.cache_clear()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)  # `run` configures logging for the process
    try:
        enqueue(db, "cli:1")
        enqueue(db, "cli:2")
        runner = CliRunner()
        result = runner.invoke(outbox_app, ["run", "--once"])
        assert result.exit_code == 0, result.output
        assert "handled 2 message(s)" in result.output
        result = runner.invoke(outbox_app, ["status"])
        assert result.exit_code == 0
        lines = dict(line.split() for line in result.stdout.splitlines())
        assert lines["sent"] == "2" and lines["pending"] == "0"
    finally:
        config.get_settings.cache_clear()
        root.handlers[:], root.level = saved[0], saved[1]
    assert len(fake_twilio.creates()) == 2
