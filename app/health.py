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
    notifications are reported, not required.

    The speech and voice statuses name model folders and recogniser URLs: shown in
    development only; elsewhere just whether each is on (details are in the start-up log).
    """
    state = request.app.state
    database_ok = state.db.ping()
    flows = getattr(state, "flows", None)
    prompt_audio = getattr(state, "prompt_audio", None)
    speech_status = getattr(state, "speech_status", "keypad-only: speech not configured")
    voice_status = prompt_audio.voice_status if prompt_audio is not None else "not loaded"
    if not state.settings.is_development:
        speech_status = "keypad-only" if speech_status.startswith("keypad-only") else "available"
        voice_status = voice_status.split(":", 1)[0]
    body = {
        "database": "ok" if database_ok else "unreachable",
        "flows": sorted(flows.names()) if flows is not None else [],
        "speech": speech_status,
        "prompt_voice": voice_status,
        "notifications": getattr(state, "notifications_status", "not configured"),
    }
    ready = database_ok and flows is not None
    body["status"] = "ready" if ready else "not ready"
    return JSONResponse(body, status_code=200 if ready else 503)
