"""Outbox throughput: messages/second through the real twilio client to the fake Twilio.

    .venv/bin/python bench/outbox_throughput.py [--messages 300] [--workers 1,2,4]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

For each backend (a fresh SQLite file; a throw-away PostgreSQL database when reachable)
and worker count, enqueues N SMS, runs the workers (threads, one TwilioSender and one
engine each) until the outbox is empty, checks every message was sent exactly once, and
prints a table. Numbers include the HTTP round trip to a loopback fake, not to Twilio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from app.core.config import Settings  # noqa: E402
from app.core.db import Database  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.notify.enums import OutboxKind  # noqa: E402
from app.notify.outbox import enqueue_message  # noqa: E402
from app.notify.sender import TwilioSender  # noqa: E402
from app.notify.worker import OutboxWorker  # noqa: E402
from support.fake_twilio import FakeTwilioServer  # noqa: E402


def run_once(url: str, messages: int, workers: int) -> tuple[float, int]:
    with FakeTwilioServer() as fake:
        settings = Settings(
            database_url=url,
            twilio_account_sid=fake.account_sid,
            twilio_auth_token=fake.auth_token,
            twilio_from_number="+868710000000",
            twilio_api_base=fake.url,
            public_base_url="https://hotline.example.org",
        )
        db = Database(url)
        with db.session() as session:
            session.execute(text("DELETE FROM outbox"))
            for n in range(messages):
                enqueue_message(
                    session,
                    kind=OutboxKind.SMS,
                    to_number=f"+86138{n:08d}",
                    body=f"车牌云A{n:05d}，约8分钟到。",
                    idempotency_key=f"bench:{n}",
                )
        db.dispose()

        def work() -> None:
            worker_db = Database(url)
            worker = OutboxWorker(worker_db, TwilioSender(settings), settings)
            while worker.run_once():
                pass
            worker_db.dispose()

        threads = [threading.Thread(target=work) for _ in range(workers)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        counts = Counter(r.form["Body"] for r in fake.creates())
        assert len(counts) == messages and set(counts.values()) == {1}, "lost or duplicated"
        return elapsed, len(fake.creates())


def backends(postgres_admin: str) -> list[tuple[str, str, str | None]]:
    found: list[tuple[str, str, str | None]] = []
    path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    found.append(("SQLite", f"sqlite:///{path}", None))
    try:
        admin = create_engine(postgres_admin, isolation_level="AUTOCOMMIT")
        name = f"ivr_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(postgres_admin).set(database=name).render_as_string(hide_password=False)
        found.append(("PostgreSQL", url, name))
    except Exception as exc:
        print(f"(PostgreSQL skipped: {type(exc).__name__})", file=sys.stderr)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    print("| backend | workers | messages | seconds | messages/s |")
    print("|---|---:|---:|---:|---:|")
    for label, url, pg_name in backends(args.postgres):
        upgrade(url)
        for workers in counts:
            elapsed, sent = run_once(url, args.messages, workers)
            print(f"| {label} | {workers} | {sent} | {elapsed:.2f} | {sent / elapsed:.0f} |")
        if pg_name:
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
