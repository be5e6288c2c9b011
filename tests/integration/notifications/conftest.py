"""Fixtures for the notification tests: the fake Twilio, settings pointing at it, a clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.config import Settings
from app.core.db import Database
from app.notify.sender import TwilioSender
from support.fake_twilio import FakeTwilio, fake_twilio  # noqa: F401
from support.live_server import FakeClock

FROM_NUMBER = "+868710000000"
PUBLIC_BASE = "https://hotline.example.org"


@pytest.fixture
def twilio_settings(fake_twilio: FakeTwilio, tmp_path: Path) -> Settings:  # noqa: F811
    """Settings for the fake Twilio, without the `db` fixture (sender-only tests)."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        twilio_account_sid=fake_twilio.account_sid,
        twilio_auth_token=fake_twilio.auth_token,
        twilio_from_number=FROM_NUMBER,
        twilio_api_base=fake_twilio.url,
        public_base_url=PUBLIC_BASE,
        outbox_poll_seconds=0.05,
        outbox_max_attempts=12,
        outbox_backoff_seconds=5.0,
    )


@pytest.fixture
def notify_settings(db: Database, twilio_settings: Settings) -> Settings:
    return twilio_settings.model_copy(update={"database_url": db.url})


@pytest.fixture
def clock() -> FakeClock:
    fake = FakeClock()
    fake.set(datetime.now(UTC) + timedelta(seconds=30))  # rows written now are due
    return fake


@pytest.fixture
def sender(twilio_settings: Settings) -> Iterator[TwilioSender]:
    yield TwilioSender(twilio_settings, timeout=0.5)
