"""Liveness and readiness over real HTTP, and start-up refusing a broken flow."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.callflow.loader import FlowError
from app.core.config import PROJECT_ROOT, Settings
from app.core.db import Database
from app.main import create_app
from support.live_server import LiveServer


def test_healthz_answers_ok(live_server: LiveServer) -> None:
    assert httpx.get(f"{live_server.url}/healthz").json() == {"status": "ok"}


def test_readyz_reports_database_flows_and_keypad_only_speech(
    live_server_factory: Any, tmp_path: Path
) -> None:
    server: LiveServer = live_server_factory(models_dir=tmp_path)  # no speech model there
    body = httpx.get(f"{server.url}/readyz").json()
    assert body["status"] == "ready" and body["database"] == "ok"
    assert {"main", "taxi", "hospital"} <= set(body["flows"])
    assert body["speech"].startswith("keypad-only")


def test_readyz_is_503_when_the_database_is_unreachable(live_server_factory: Any) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=1"
    server: LiveServer = live_server_factory(database_url=url)
    response = httpx.get(f"{server.url}/readyz", timeout=10)
    assert response.status_code == 503 and response.json()["database"] == "unreachable"


def test_start_up_refuses_a_broken_flow(db: Database, tmp_path: Path) -> None:
    shutil.copytree(PROJECT_ROOT / "dialogs", tmp_path / "dialogs")
    main = tmp_path / "dialogs" / "main.yaml"
    main.write_text(main.read_text("utf-8").replace("action: identify_caller", "action: nope"))
    with pytest.raises(FlowError, match="unknown action 'nope'"):
        create_app(Settings(database_url=db.url, dialogs_dir=tmp_path / "dialogs"))


def test_readyz_names_espeak_ng_as_the_prompt_voice(live_server_factory: Any) -> None:
    server: LiveServer = live_server_factory()
    assert httpx.get(f"{server.url}/readyz").json()["prompt_voice"] == "espeak-ng (cmn)"


def test_placeholder_voice_is_a_start_up_warning_and_shown_by_readyz(
    live_server_factory: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from app.speech import espeak

    def broken(*args: object, **kwargs: object) -> None:
        raise espeak.SynthesisError("no espeak-ng here")

    monkeypatch.setattr(espeak, "_init", broken)  # the library does not load
    with caplog.at_level(logging.WARNING, logger="app.telephony.prompt_audio"):
        server: LiveServer = live_server_factory()
    body = httpx.get(f"{server.url}/readyz").json()
    assert body["status"] == "ready" and body["prompt_voice"].startswith("placeholder tone")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("placeholder tone" in r.getMessage() for r in warnings)


def test_readyz_says_notifications_are_not_configured_without_twilio(
    live_server_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="app.main"):
        server: LiveServer = live_server_factory()
    assert httpx.get(f"{server.url}/readyz").json()["notifications"].startswith("not configured")
    assert any("notifications: not configured" in r.getMessage() for r in caplog.records)


def test_readyz_names_the_sender_when_twilio_is_configured(live_server_factory: Any) -> None:
    server: LiveServer = live_server_factory(
        twilio_account_sid="AC-test",
        twilio_auth_token="token",
        twilio_from_number="+868710000001",
        outbox_in_process=False,
    )
    body = httpx.get(f"{server.url}/readyz").json()
    assert body["notifications"] == "twilio, sent by a separate `ivr outbox run`"
