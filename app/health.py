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
    """Ready when the database answers and flows are loaded; speech, the prompt voice and
    notifications are reported, not required."""
    state = request.app.state
    database_ok = state.db.ping()
    flows = getattr(state, "flows", None)
    prompt_audio = getattr(state, "prompt_audio", None)
    body = {
        "database": "ok" if database_ok else "unreachable",
        "flows": sorted(flows.names()) if flows is not None else [],
        "speech": getattr(state, "speech_status", "keypad-only: speech not configured"),
        "prompt_voice": prompt_audio.voice_status if prompt_audio is not None else "not loaded",
        "notifications": getattr(state, "notifications_status", "not configured"),
    }
    ready = database_ok and flows is not None
    body["status"] = "ready" if ready else "not ready"
    return JSONResponse(body, status_code=200 if ready else 503)
