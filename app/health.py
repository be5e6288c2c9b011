"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and serving HTTP."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers and flows are loaded; speech is reported, not required.

    The speech status names model folders and recogniser URLs: shown in development only;
    elsewhere just whether speech is on (details are in the start-up log).
    """
    state = request.app.state
    database_ok = state.db.ping()
    flows = getattr(state, "flows", None)
    speech_status = getattr(state, "speech_status", "keypad-only: speech not configured")
    if not state.settings.is_development:
        speech_status = "keypad-only" if speech_status.startswith("keypad-only") else "available"
    body = {
        "database": "ok" if database_ok else "unreachable",
        "flows": sorted(flows.names()) if flows is not None else [],
        "speech": speech_status,
    }
    ready = database_ok and flows is not None
    body["status"] = "ready" if ready else "not ready"
    return JSONResponse(body, status_code=200 if ready else 503)
