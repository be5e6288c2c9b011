"""A real hotline server on loopback for telephony tests: uvicorn in a thread, the real
database (`db` fixture: SQLite and PostgreSQL), Twilio-signed requests over HTTP and
WebSocket. The public URL differs from the loopback one, as behind a proxy."""

from __future__ import annotations

import io
import threading
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from app.calls.models import Call, CallStep
from app.core.config import Settings
from app.core.db import Database
from app.hotline import build_call_service
from app.main import create_app
from app.people.enums import PhoneKind, PlaceKind
from app.people.models import Person, PersonPhone, SavedPlace
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from app.telephony.prompt_audio import PlaceholderToneAudio
from support.live_server import serve_in_thread

AUTH_TOKEN = "test-auth-token-0123456789"
PUBLIC_BASE = "https://hotline.example.org"
CALLER = "+8613800000001"
HOTLINE = "+868710000000"

_WORDS = {"叫车": "taxi", "挂号": "hospital", "再说一遍": "repeat", "转人工": "operator"}
_YES = {"对", "是", "是呢", "对头", "要得", "好"}


def stub_understand(expect: str, text: str, today: date, question: str | None = None) -> object:
    """A tiny stand-in for app.understanding (the flows here are driven by keys)."""
    for word, intent in _WORDS.items():
        if word in text:
            return intent
    if expect == "yesno":
        return "yes" if text in _YES else "unknown"
    return "unknown"


@dataclass
class Hotline:
    base: str  # the loopback URL the tests talk to
    settings: Settings
    db: Database
    app: FastAPI

    @property
    def ws_base(self) -> str:
        return "ws://" + self.base.removeprefix("http://")

    def sign(self, path: str, params: dict[str, str], *, base: str = PUBLIC_BASE) -> str:
        return RequestValidator(AUTH_TOKEN).compute_signature(base + path, params)

    def post(
        self,
        path: str,
        params: dict[str, str],
        *,
        signature: str | None = "sign",
        content: str | None = None,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> httpx.Response:
        headers = {"Content-Type": content_type}
        if signature == "sign":
            headers["X-Twilio-Signature"] = self.sign(path, params)
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        body = content if content is not None else urlencode(params)
        return httpx.post(self.base + path, content=body, headers=headers, timeout=10)

    # --- database checks ---------------------------------------------------------------

    def rides(self) -> list[tuple[RideStatus, str | None]]:
        with self.db.session() as s:
            return [(r.status, r.call_id) for r in s.scalars(select(Ride))]

    def calls(self) -> int:
        with self.db.session() as s:
            return s.scalar(select(func.count()).select_from(Call)) or 0

    def steps(self, call_id: str) -> list[str]:
        with self.db.session() as s:
            rows = s.scalars(
                select(CallStep).where(CallStep.call_id == call_id).order_by(CallStep.step)
            )
            return [r.event_key for r in rows]

    def call_status(self, call_id: str) -> str | None:
        with self.db.session() as s:
            call = s.get(Call, call_id)
            return None if call is None else str(call.status)


def register_caller(db: Database, number: str = CALLER) -> None:
    """张奶奶, whose family registered her mobile and her home address."""
    with db.session() as s:
        person = Person(
            full_name="张桂芬", call_name="张奶奶", gender="F", birth_date=date(1944, 5, 6)
        )
        person.phones.append(PersonPhone(number=number, kind=PhoneKind.MOBILE))
        person.places.append(
            SavedPlace(
                position=1, kind=PlaceKind.HOME, label="家", address="昆明市五华区翠湖南路12号"
            )
        )
        s.add(person)


def serve(app: FastAPI) -> tuple[str, Callable[[], None]]:
    """Run `app` with uvicorn on a free loopback port in a thread; return (url, stop)."""
    server, thread, url = serve_in_thread(app)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)

    return url, stop


HotlineFactory = Callable[..., Hotline]


@pytest.fixture
def hotline_factory(db: Database) -> Iterator[HotlineFactory]:
    stops: list[Callable[[], None]] = []

    def make(**overrides: object) -> Hotline:
        fields: dict[str, object] = {
            "database_url": db.url,
            "twilio_auth_token": AUTH_TOKEN,
            "public_base_url": PUBLIC_BASE,
            "operator_number": "",
            "environment": "development",
        }
        fields.update(overrides)
        settings = Settings(_env_file=None, **fields)  # type: ignore[call-arg]
        app = create_app(settings)
        app.state.call_service = build_call_service(
            settings, app.state.db, understand=stub_understand
        )
        app.state.prompt_audio = PlaceholderToneAudio(seconds_scale=0.05)
        base, stop = serve(app)
        stops.append(stop)
        return Hotline(base, settings, db, app)

    yield make
    for stop in stops:
        stop()


@pytest.fixture
def hotline(hotline_factory: HotlineFactory) -> Hotline:
    return hotline_factory()


def silent_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of silence, as Twilio serves a recording."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


@pytest.fixture
def recordings() -> Iterator[str]:
    """A loopback server standing where Twilio serves recordings (`<url>.wav`)."""
    body = silent_wav(0.5)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            if not self.path.endswith(".wav"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "audio/x-wav")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/Recordings/RE1"
    server.shutdown()
    thread.join(5)
