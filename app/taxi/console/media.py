"""GET /dispatch/rides/{id}/recording: the caller's own words, for operators only.

`rides.pickup_recording_url` may be
- a path relative to `var/recordings/` (or absolute inside it) for recordings stored
  locally (media streams, the simulator), served as a file; or
- an https URL on api.twilio.com (or the configured `twilio_api_base`), fetched with the
  account's credentials and passed through, so the browser never talks to Twilio and the
  console's `default-src 'self'` policy holds.
Anything else is refused (404), so a stored URL can never make the server fetch elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import HTTPException
from fastapi.responses import FileResponse, Response

from app.consoles.auth import DispatchStaff
from app.consoles.http import console_router
from app.core.config import Settings
from app.core.deps import SessionDep, SettingsDep
from app.taxi.models import Ride

NO_RECORDING = "这张叫车单没有录音。"
UNAVAILABLE = "录音暂时无法播放，请稍后再试。"

router = console_router()


@router.get("/dispatch/rides/{ride_id}/recording", response_class=Response)
def recording(
    ride_id: int, staff: DispatchStaff, session: SessionDep, settings: SettingsDep
) -> Response:
    ride = session.get(Ride, ride_id)
    url = ride.pickup_recording_url if ride is not None else None
    if not url:
        raise HTTPException(status_code=404, detail=NO_RECORDING)
    session.close()  # do not hold a database connection while streaming audio
    return serve_recording(url, settings)


def serve_recording(url: str, settings: Settings) -> Response:
    """A stored recording location, served as described above (404 for anything else)."""
    if url.startswith(("http://", "https://")):
        return _from_twilio(url, settings)
    return _from_disk(url, settings.recordings_dir.resolve())


def _from_disk(location: str, recordings_dir: Path) -> Response:
    path = (recordings_dir / location).resolve()
    if not path.is_relative_to(recordings_dir) or not path.is_file():
        raise HTTPException(status_code=404, detail=NO_RECORDING)
    return FileResponse(path, headers={"cache-control": "private, no-store"})


def _twilio_hosts(settings: Settings) -> set[str]:
    hosts = {"api.twilio.com"}
    if settings.twilio_api_base:
        hosts.add(urlsplit(settings.twilio_api_base).netloc)
    return hosts


def _from_twilio(url: str, settings: Settings) -> Response:
    parts = urlsplit(url)
    if parts.netloc not in _twilio_hosts(settings):
        raise HTTPException(status_code=404, detail=NO_RECORDING)
    if parts.scheme != "https" and not settings.twilio_api_base:
        raise HTTPException(status_code=404, detail=NO_RECORDING)
    if not Path(parts.path).suffix:
        url += ".mp3"  # Twilio serves a recording resource as audio by extension
    import httpx  # on first use: ~0.05 s that `ivr serve` need not spend starting

    try:
        answer = httpx.get(
            url,
            auth=(settings.twilio_account_sid, settings.twilio_auth_token),
            timeout=10,
            follow_redirects=True,
        )
        answer.raise_for_status()
    except httpx.HTTPError as exc:
        raise HTTPException(status_code=502, detail=UNAVAILABLE) from exc
    media_type = answer.headers.get("content-type", "audio/mpeg")
    return Response(answer.content, media_type=media_type, headers={"cache-control": "private"})
