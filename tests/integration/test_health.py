"""Liveness and readiness over real HTTP, and start-up refusing a broken flow."""

from __future__ import annotations

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
