"""How fast the Twilio voice webhooks answer (Twilio gives up after 15 s).

Starts the real service with uvicorn on loopback against a fresh SQLite file (or
DATABASE_URL), then plays whole signed taxi calls by keys: incoming call, menu key 1,
confirm key 1 (ride queued), plus a retried last step. Prints p50/p95/max per endpoint.

Each call comes from its own registered caller (created in the bench database with a
saved home address), so every call takes the booking path; after the run the bench checks
that every call queued exactly one ride and fails otherwise. Calls are played one after
another from one client (closed loop, no concurrency); latency is measured at the client
and includes loopback HTTP, signature checking and the database. It excludes Twilio's
network, speech recognition (keys only) and the background jobs (the outbox sender,
retention and scheduler threads are not started). Prints the date and the load average,
which the latencies depend on.

    .venv/bin/python bench/telephony_webhook.py [--calls 70]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]  # this tree's app, not an installed one

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from app.core.config import Settings  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.hotline import build_call_service  # noqa: E402
from app.main import create_app  # noqa: E402
from app.people.enums import PhoneKind, PlaceKind  # noqa: E402
from app.people.models import Person, PersonPhone, SavedPlace  # noqa: E402
from app.taxi.enums import RideStatus  # noqa: E402
from app.taxi.models import Ride  # noqa: E402

TOKEN = "bench-token"
PUBLIC = "https://hotline.example.org"


def caller_number(n: int) -> str:
    return f"+86138{n:08d}"


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
    app = create_app(settings, background_jobs=False)  # its routes include the webhooks
    app.state.call_service = build_call_service(settings, app.state.db, understand=understand)
    with app.state.db.session() as s:
        for n in range(args.calls):
            person = Person(full_name=f"测试{n}", call_name=f"测试{n}", gender="F")
            person.phones.append(PersonPhone(number=caller_number(n), kind=PhoneKind.MOBILE))
            person.places.append(
                SavedPlace(position=1, kind=PlaceKind.HOME, label="家", address=f"翠湖南路{n}号")
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
            start = {"CallSid": sid, "From": caller_number(n)}
            post("POST /voice (call starts)", "/twilio/voice", start)
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
    check_every_call_queued_a_ride(app, args.calls)

    backend = url.split(":", 1)[0]
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{when}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    everything = [t for ts in timings.values() for t in ts]
    print(f"Twilio webhook response times, {backend}, loopback, {len(everything)} requests (ms)")
    print(f"{'endpoint':<36} {'n':>5} {'p50':>7} {'p95':>7} {'max':>7}")
    for label, ts in [*timings.items(), ("all", everything)]:
        print(f"{label:<36} {len(ts):>5} {pct(ts, 50):>7.1f} {pct(ts, 95):>7.1f} {max(ts):>7.1f}")


def check_every_call_queued_a_ride(app: object, calls: int) -> None:
    """Each call's ride is queued once, for its own caller; a bench run is void otherwise."""
    sids = [f"CA{n:032x}" for n in range(calls)]
    with app.state.db.session() as s:  # type: ignore[attr-defined]
        rows = s.execute(
            select(Ride.call_id, Ride.caller_number, func.count(Ride.id))
            .where(Ride.call_id.in_(sids), Ride.status == RideStatus.QUEUED)
            .group_by(Ride.call_id, Ride.caller_number)
        ).all()
    queued = {sid: (number, count) for sid, number, count in rows}
    wrong = [
        sid for n, sid in enumerate(sids) if queued.get(sid) != (caller_number(n), 1)
    ]
    if wrong:
        raise SystemExit(f"{len(wrong)} of {calls} calls did not queue exactly one ride")
    print(f"checked: each of the {calls} calls queued exactly one ride for its own caller")


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


if __name__ == "__main__":
    main()
