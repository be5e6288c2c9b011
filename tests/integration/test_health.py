"""Liveness and readiness over real HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app


def test_healthz_answers_ok(db: Database) -> None:
    client = TestClient(create_app(Settings(database_url=db.url)))
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_database_flows_and_speech(db: Database) -> None:
    client = TestClient(create_app(Settings(database_url=db.url)))
    body = client.get("/readyz").json()
    assert body["status"] == "ready" and body["database"] == "ok"
    assert {"main", "taxi", "hospital"} <= set(body["flows"])
    assert body["speech"]


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=1"
    client = TestClient(create_app(Settings(database_url=url)))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["database"] == "unreachable"


def test_start_up_refuses_a_broken_flow(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    import pytest

    from app.callflow.loader import FlowError
    from app.core.config import PROJECT_ROOT

    shutil.copytree(PROJECT_ROOT / "dialogs", tmp_path / "dialogs")
    main = tmp_path / "dialogs" / "main.yaml"
    main.write_text(main.read_text("utf-8").replace("action: identify_caller", "action: nope"))
    with pytest.raises(FlowError, match="unknown action 'nope'"):
        create_app(Settings(database_url=db.url, dialogs_dir=tmp_path / "dialogs"))
