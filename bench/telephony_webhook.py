"""How fast the Twilio voice webhooks answer (Twilio gives up after 15 s).

Starts the real service with uvicorn on loopback against a fresh SQLite file (or
DATABASE_URL), then plays whole signed taxi calls by keys: incoming call, menu key 1,
confirm key 1 (ride queued), plus a retried last step. Prints p50/p95/max per endpoint.

    .venv/bin/python bench/telephony_webhook.py [--calls 70]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import httpx
import uvicorn
from twilio.request_validator import RequestValidator

from app.core.config import Settings
from app.core.migrate import upgrade
from app.hotline import build_call_service
from app.main import create_app
from app.people.enums import PhoneKind, PlaceKind
from app.people.models import Person, PersonPhone, SavedPlace
from app.telephony.routes import router

TOKEN = "bench-token"
PUBLIC = "https://hotline.example.org"
CALLER = "+8613800000001"


def understand(expect: str, text: str, today: date) -> object:
    return "unknown"  # the bench drives calls by keys only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=70, help="whole calls (4 requests each)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    )
    upgrade(url)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=url, twilio_auth_token=TOKEN, public_base_url=PUBLIC
    )
    app = create_app(settings)
    app.include_router(router)
    app.state.call_service = build_call_service(settings, app.state.db, understand=understand)
    with app.state.db.session() as s:
        person = Person(full_name="张桂芬", call_name="张奶奶", gender="F")
        person.phones.append(PersonPhone(number=CALLER, kind=PhoneKind.MOBILE))
        person.places.append(
            SavedPlace(position=1, kind=PlaceKind.HOME, label="家", address="翠湖南路12号")
        )
        s.add(person)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)

    timings: dict[str, list[float]] = {}
    validator = RequestValidator(TOKEN)
    with httpx.Client(base_url=base, timeout=15) as client:

        def post(label: str, path: str, params: dict[str, str]) -> None:
            headers = {
                "X-Twilio-Signature": validator.compute_signature(PUBLIC + path, params),
                "Content-Type": "application/x-www-form-urlencoded",
            }
            started = time.perf_counter()
            response = client.post(path, content=urlencode(params), headers=headers)
            timings.setdefault(label, []).append((time.perf_counter() - started) * 1000)
            response.raise_for_status()

        for n in range(args.calls):
            sid = f"CA{n:032x}"
            post("POST /voice (call starts)", "/twilio/voice", {"CallSid": sid, "From": CALLER})
            post(
                "POST /voice/step (menu key)",
                "/twilio/voice/step?step=1",
                {"CallSid": sid, "Digits": "1"},
            )
            done = {"CallSid": sid, "Digits": "1"}
            post("POST /voice/step (ride queued)", "/twilio/voice/step?step=2", done)
            post("POST /voice/step (retry, replayed)", "/twilio/voice/step?step=2", done)
    server.should_exit = True
    thread.join(10)

    backend = url.split(":", 1)[0]
    everything = [t for ts in timings.values() for t in ts]
    print(f"Twilio webhook response times, {backend}, loopback, {len(everything)} requests (ms)")
    print(f"{'endpoint':<36} {'n':>5} {'p50':>7} {'p95':>7} {'max':>7}")
    for label, ts in [*timings.items(), ("all", everything)]:
        print(f"{label:<36} {len(ts):>5} {pct(ts, 50):>7.1f} {pct(ts, 95):>7.1f} {max(ts):>7.1f}")


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


if __name__ == "__main__":
    main()
