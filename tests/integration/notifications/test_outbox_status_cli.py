"""`ivr outbox status` says that nothing is sent while Twilio is not configured."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from outbox_helpers import enqueue
from typer.testing import CliRunner

from app.core import config
from app.core.db import Database
from app.notify.cli import outbox_app

TWILIO_VARIABLES = ("IVR_TWILIO_ACCOUNT_SID", "IVR_TWILIO_AUTH_TOKEN", "IVR_TWILIO_FROM_NUMBER")


@pytest.fixture
def environment(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("DATABASE_URL", db.url)
    for name in TWILIO_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    config.get_settings.cache_clear()
    yield monkeypatch
    config.get_settings.cache_clear()


def test_status_without_twilio_says_messages_are_not_sent(
    db: Database, environment: pytest.MonkeyPatch
) -> None:
    enqueue(db, "status:1")
    result = CliRunner().invoke(outbox_app, ["status"])
    assert result.exit_code == 0, result.output
    assert "pending    1" in result.stdout
    assert "未配置电话服务：短信和回拨电话不会发出。请联系管理员配置 Twilio。" in result.stdout
    assert "未发出：没有配置电话服务" in result.stdout
    assert "IVR_TWILIO_ACCOUNT_SID" in result.stdout


def test_status_with_twilio_has_no_warning(
    db: Database, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("IVR_TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    environment.setenv("IVR_TWILIO_AUTH_TOKEN", "test-token")
    environment.setenv("IVR_TWILIO_FROM_NUMBER", "+868710000000")
    result = CliRunner().invoke(outbox_app, ["status"])
    assert result.exit_code == 0, result.output
    assert "未配置电话服务" not in result.stdout and "未发出" not in result.stdout
