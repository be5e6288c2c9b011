"""Twilio voice webhooks under open-loop load: whole taxi calls from distinct callers.

    .venv/bin/python bench/telephony_open_loop.py [--rates 10,20,30] [--seconds 10]
        [--database-url URL] [--workers N] [--history N] [--consoles K]

Starts `ivr serve` as its own process (`--workers` uvicorn workers, default 1;
keypad-only, no outbox, retention or scheduler thread) on a fresh SQLite file (or
`--database-url`, migrated), with one registered caller (saved home) per call to be
played. For each rate R (webhook requests per second) it then plays whole signed taxi
calls by keys for `--seconds`: a call starts every 3/R s (call starts, menu key 1 one
second later, confirm key 1 one second after that: three requests per call), so requests
arrive at R per second on a fixed schedule whatever the server does (open loop). Each
request is sent at its scheduled time, or when the call's previous answer came if that was
later; latency is measured from the scheduled time (a late server is charged for the wait
it caused). Prints p50/p95/p99/max per rate and the highest rate with p99 < 50 ms at it
and at every lower rate given (after five warm-up calls, not counted); pass the rates in
increasing order. Checked after each rate: how many calls did not queue exactly one ride
for their own caller (column "no ride"; a rate with any is not counted as met). Also
printed: the server's CPU time per request (column "cpu ms": the server process and its
worker processes, from /proc; Linux only), which unlike the latencies hardly depends on
what else the machine is doing. Includes loopback HTTP, signature checks, the call flow,
the ORM and the database; excludes Twilio's network, speech (keys only) and the outbox
sender. The client runs in this process (asyncio, httpx): on a loaded machine it takes CPU
from the server too; its start-up objects are frozen (`gc.freeze`) before the first rate, so
that its own collector does not stall the requests in flight.

`--history N` first inserts N finished rides, months old (PostgreSQL: one
`INSERT ... SELECT generate_series` then `VACUUM ANALYZE`, as `bench/dispatch_console.py`
does); `--consoles K` keeps K dispatch consoles open during every rate (K operators'
`GET /dispatch/events` streams, each read in a thread of this process), so that the
server's console feed polls its change marker every 250 ms beside the webhooks. Compare
a run with `--consoles 1` against one with `--consoles 0` on the same history.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select, text
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from served import free_port, service_env, wait_ready  # noqa: E402

from app.core.db import Database  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.people.enums import PhoneKind, PlaceKind  # noqa: E402
from app.people.models import Person, PersonPhone, SavedPlace  # noqa: E402
from app.staff import accounts  # noqa: E402
from app.staff.enums import StaffRole  # noqa: E402
from app.taxi.enums import RideStatus  # noqa: E402
from app.taxi.models import Ride  # noqa: E402

TOKEN = "bench-token"
PUBLIC = "https://hotline.example.org"
STEP_GAP_S = 1.0  # a caller presses the next key a second after the previous answer
TARGET_P99_MS = 50.0
WARM_UP_CALLS = 5


def caller_number(n: int) -> str:
    return f"+86137{n:08d}"


def add_callers(db: Database, first: int, count: int) -> None:
    with db.session() as s:
        for n in range(first, first + count):
            person = Person(full_name=f"开环{n}", call_name=f"开环{n}", gender="F")
            person.phones.append(PersonPhone(number=caller_number(n), kind=PhoneKind.MOBILE))
            person.places.append(
                SavedPlace(position=1, kind=PlaceKind.HOME, label="家", address=f"北京路{n}号")
            )
            s.add(person)


HISTORY = text(
    """
    INSERT INTO rides (caller_number, pickup_address, destination, to_hospital, priority,
                       status, cash_payment, version, created_at, updated_at, queued_at)
    SELECT '+86135' || lpad((g % 50000)::text, 8, '0'), '历史地址' || g, '昆明市第一人民医院',
           g % 3 = 0, 10, CASE WHEN g % 10 = 0 THEN 'cancelled' ELSE 'completed' END,
           true, 5, now() - interval '60 days' - g * interval '10 seconds',
           now() - interval '60 days' - g * interval '10 seconds',
           now() - interval '60 days' - g * interval '10 seconds'
    FROM generate_series(1, :count) AS g
    """
)
CONSOLE_PASSWORD = "bench-console-2026"


def add_history(db: Database, count: int) -> None:
    """`count` finished rides, two months old and older (PostgreSQL only)."""
    with db.engine.begin() as conn:
        conn.execute(HISTORY, {"count": count})
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE rides"))


def add_operators(db: Database, count: int) -> None:
    with db.session() as session:
        for n in range(count):
            accounts.create_user(session, username=f"console{n}", display_name=f"压测{n}",
                                 password=CONSOLE_PASSWORD, role=StaffRole.OPERATOR)


def open_consoles(base: str, count: int, stop: threading.Event, seen: list[str]) -> None:
    """`count` signed-in consoles, each holding /dispatch/events open until `stop`; every
    event line received is added to `seen`."""

    def watch(n: int) -> None:
        with httpx.Client(base_url=base, headers={"accept": "text/html"}, timeout=30) as client:
            login = client.get("/login").text
            token = login.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            client.post("/login", data={"username": f"console{n}",
                                        "password": CONSOLE_PASSWORD, "csrf_token": token})
            while not stop.is_set():  # the server ends a stream after 5 minutes
                with client.stream("GET", "/dispatch/events") as events:
                    events.raise_for_status()
                    for line in events.iter_lines():  # keep-alives every 5 s
                        seen.append(line)
                        if stop.is_set():
                            break

    for n in range(count):
        threading.Thread(target=watch, args=(n,), daemon=True).start()


def start_server(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = service_env(
        url, IVR_TWILIO_AUTH_TOKEN=TOKEN, IVR_PUBLIC_BASE_URL=PUBLIC, IVR_SPEECH_MODEL=""
    )
    server = subprocess.Popen(
        [
            *(sys.executable, "-c", "from app.cli import main; main()", "serve"),
            *("--port", str(port), "--workers", str(workers)),
        ],
        env=env,
        cwd=tempfile.mkdtemp(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_ready(server, port)
    return server, f"http://127.0.0.1:{port}"


async def play(base: str, rate: float, seconds: float, first: int) -> tuple[list[float], int]:
    validator = RequestValidator(TOKEN)
    calls = max(1, int(rate * seconds / 3))
    interval = 3 / rate
    latencies: list[float] = []
    errors = 0
    kinds: dict[str, int] = {}

    async def call(client: httpx.AsyncClient, n: int, start: float) -> None:
        nonlocal errors
        sid = f"CA{n:032x}"
        steps = [
            ("/twilio/voice", {"CallSid": sid, "From": caller_number(n)}),
            ("/twilio/voice/step?step=1", {"CallSid": sid, "Digits": "1"}),
            ("/twilio/voice/step?step=2", {"CallSid": sid, "Digits": "1"}),
        ]
        for k, (path, params) in enumerate(steps):
            scheduled = start + k * STEP_GAP_S
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            headers = {
                "X-Twilio-Signature": validator.compute_signature(PUBLIC + path, params),
                "Content-Type": "application/x-www-form-urlencoded",
            }
            try:
                response = await client.post(path, content=urlencode(params), headers=headers)
                response.raise_for_status()
            except httpx.HTTPStatusError as exc:
                errors += 1
                kinds[f"HTTP {exc.response.status_code}"] = (
                    kinds.get(f"HTTP {exc.response.status_code}", 0) + 1
                )
            except httpx.HTTPError as exc:
                errors += 1
                kinds[type(exc).__name__] = kinds.get(type(exc).__name__, 0) + 1
            latencies.append((time.perf_counter() - scheduled) * 1000)

    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        t0 = time.perf_counter() + 0.5
        await asyncio.gather(*(call(client, first + i, t0 + i * interval) for i in range(calls)))
    if kinds:
        print(f"  errors at {rate:.0f}/s: {kinds}")
    return latencies, errors


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and of its child processes (the
    workers of `ivr serve --workers N`; Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # itself, or its child
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def calls_without_their_ride(db: Database, first: int, calls: int) -> int:
    sids = [f"CA{n:032x}" for n in range(first, first + calls)]
    with db.session() as s:
        rows = s.execute(
            select(Ride.call_id, Ride.caller_number, func.count(Ride.id))
            .where(Ride.call_id.in_(sids), Ride.status == RideStatus.QUEUED)
            .group_by(Ride.call_id, Ride.caller_number)
        ).all()
    queued = {sid: (number, count) for sid, number, count in rows}
    return sum(queued.get(sid) != (caller_number(first + n), 1) for n, sid in enumerate(sids))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="10,20,30", help="webhook requests per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="arrivals per rate")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=1, help="`ivr serve --workers`")
    parser.add_argument("--history", type=int, default=0, help="finished rides (PostgreSQL)")
    parser.add_argument("--consoles", type=int, default=0, help="dispatch consoles open")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'open.sqlite3'}"
    upgrade(url)
    db = Database(url)
    counts = [max(1, int(r * args.seconds / 3)) for r in rates]
    add_callers(db, 0, WARM_UP_CALLS + sum(counts))
    if args.history:
        add_history(db, args.history)
    add_operators(db, args.consoles)
    server, base = start_server(url, args.workers)
    # This process imported the app's models, SQLAlchemy and httpx (some 140,000 objects):
    # a full collection of its own garbage collector over them stalled every request in
    # flight by 85-100 ms (docs/performance.md), charged to the server. They are frozen;
    # what the client makes during the rates is still collected.
    gc.collect()
    gc.freeze()
    stop_consoles = threading.Event()
    console_lines: list[str] = []
    open_consoles(base, args.consoles, stop_consoles, console_lines)
    backend = url.split(":", 1)[0]
    workers = f"`ivr serve --workers {args.workers}`"
    print(f"open-loop webhooks, {backend}, {workers}, {args.seconds:.0f} s per rate, "
          f"{args.history:,} finished rides, {args.consoles} dispatch console(s) open")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{started}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'rate/s':>7}{'calls':>7}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}"
        f"{'errors':>8}{'no ride':>8}{'cpu ms':>8}  load"
    )
    best = None  # the highest rate with p99 < 50 ms at it and at every lower rate
    missed = None  # the first rate that missed it
    first = 0
    try:  # warm-up calls (first requests import and cache things), checked, not counted
        asyncio.run(play(base, WARM_UP_CALLS, 3, first))
        if calls_without_their_ride(db, first, WARM_UP_CALLS):
            raise SystemExit("a warm-up call did not queue exactly one ride")
        first += WARM_UP_CALLS
        for rate, calls in zip(rates, counts, strict=True):
            cpu_before = cpu_seconds(server.pid)
            latencies, errors = asyncio.run(play(base, rate, args.seconds, first))
            cpu_ms = (cpu_seconds(server.pid) - cpu_before) * 1000 / len(latencies)
            wrong = calls_without_their_ride(db, first, calls)
            q = statistics.quantiles(latencies, n=100, method="inclusive")
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(
                f"{rate:>7.0f}{calls:>7}{q[49]:>9.1f}{q[94]:>9.1f}{q[98]:>9.1f}"
                f"{max(latencies):>9.1f}{errors:>8}{wrong:>8}{cpu_ms:>8.1f}  {load}"
            )
            met = q[98] < TARGET_P99_MS and not errors and not wrong
            if met and missed is None:
                best = rate
            elif not met and missed is None:
                missed = rate
            first += calls
    finally:
        stop_consoles.set()
        server.terminate()
        server.wait()
        db.dispose()
    if args.consoles:
        queue_events = sum(1 for line in console_lines if line == "event: queue")
        print(f"consoles: {queue_events} queue events received by {args.consoles} console(s)")
        if not queue_events:
            raise SystemExit("no console received a queue event: were they open?")
    print("no ride: calls that did not queue exactly one ride for their own caller")
    print("cpu ms: CPU time of the server and its workers per request (whatever the load)")
    print(
        f"highest rate with p99 < {TARGET_P99_MS:.0f} ms (at it and every lower rate): "
        f"{f'{best:.0f}/s' if best else 'none of those'}"
        + (f"; first missed at {missed:.0f}/s" if missed else "")
    )


if __name__ == "__main__":
    main()
