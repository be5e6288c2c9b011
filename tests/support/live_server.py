"""Fixtures for tests over real HTTP: a live server, a movable clock, staff users, a browser.

`live_server` runs `create_app(Settings(...))` under uvicorn on 127.0.0.1 (a free port) in
a background thread, on the `db` fixture's database (so once on SQLite and once on
PostgreSQL). Its `clock` replaces `app.consoles.auth.get_now`, so tests move time instead
of sleeping. `live_server_factory(**settings)` builds one with other settings (e.g.
production). tests/conftest.py makes these fixtures available to every test.

Browser tests use `page` (Playwright driving Debian's /usr/bin/chromium, never a
downloaded browser) and are marked `@pytest.mark.browser`.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from app.consoles.auth import get_now
from app.core.config import Settings
from app.core.db import Database
from app.hospital.models import Hospital
from app.main import create_app
from app.people.models import Community
from app.staff import accounts
from app.staff.enums import StaffRole
from support.passwords import remembered_hashes

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TEST_SECRET = "x" * 40
# What a production server needs to start (the public URL and a whole Twilio account).
PRODUCTION_READY: dict[str, object] = {
    "environment": "production",
    "public_base_url": "https://hotline.example.org",
    "twilio_account_sid": "AC-test",
    "twilio_auth_token": "test-token",
    "twilio_from_number": "+868710000001",
    "outbox_in_process": False,
    "scheduler_in_process": False,  # tests run the scheduler themselves, with their clock
    # production's own argon2 cost (the tests' environment sets a lower one for speed)
    "password_hash_time_cost": 3,
    "password_hash_memory_kib": 65536,
}
PASSWORD = "correct-horse-battery"  # meets the policy: 10+ characters
HTML = {"accept": "text/html,application/xhtml+xml"}
_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


class FakeClock:
    """Real time until `set` or `advance` is called; then frozen and moved by hand."""

    def __init__(self) -> None:
        self.current: datetime | None = None

    def now(self) -> datetime:
        return self.current or datetime.now(UTC)

    def set(self, when: datetime) -> None:
        self.current = when

    def advance(self, delta: timedelta) -> None:
        self.current = self.now() + delta


@dataclass
class LiveServer:
    url: str
    app: FastAPI
    settings: Settings
    db: Database
    clock: FakeClock
    _server: uvicorn.Server = field(repr=False)

    def client(self, *, from_address: str | None = None, **kwargs: Any) -> httpx.Client:
        """An httpx client for this server that asks for HTML and follows no redirects.

        `from_address` (e.g. "127.0.0.2") connects from another loopback address, so the
        server sees another client address.
        """
        kwargs.setdefault("headers", HTML)
        if from_address is not None:
            kwargs["transport"] = httpx.HTTPTransport(local_address=from_address)
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30, **kwargs)


def csrf_from(html: str) -> str:
    match = _CSRF_INPUT.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def sign_in(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    """Open the login form and submit it, as a browser would."""
    form = client.get("/login")
    assert form.status_code == 200
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(form.text)},
    )


def add_staff(
    db: Database,
    username: str,
    role: StaffRole = StaffRole.OPERATOR,
    *,
    password: str = PASSWORD,
    display_name: str | None = None,
    hospital_id: int | None = None,
    community_id: int | None = None,
) -> int:
    with remembered_hashes(), db.session() as session:
        user = accounts.create_user(
            session,
            username=username,
            display_name=display_name or f"测试{username}",
            password=password,
            role=role,
            hospital_id=hospital_id,
            community_id=community_id,
        )
        return user.id


def add_hospital(db: Database, name: str = "云南省第一人民医院") -> int:
    with db.session() as session:
        hospital = Hospital(name=name, short_name=name[:6], address="昆明市西山区金碧路157号")
        session.add(hospital)
        session.flush()
        return hospital.id


def add_community(db: Database, name: str = "翠湖社区") -> int:
    with db.session() as session:
        community = Community(name=name, district="五华区")
        session.add(community)
        session.flush()
        return community.id


class _PromptServer(uvicorn.Server):
    """uvicorn's server, stopping as soon as a test is done with it.

    uvicorn looks for `should_exit` every 100 ms and then waits another 100 ms for open
    connections to close: ~0.2 s at the end of each of the suite's ~400 live-server tests.
    This one looks every 10 ms and skips the wait when no connection is open."""

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            await asyncio.sleep(0.01)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.server_state.connections:
            await super().shutdown(sockets)
            return
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        await self.lifespan.shutdown()


def serve_in_thread(app: FastAPI) -> tuple[uvicorn.Server, threading.Thread, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    server = _PromptServer(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture
def live_server_factory(db: Database) -> Iterator[Callable[..., LiveServer]]:
    """Start servers on the test database; `factory(environment="production", ...)`."""
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def factory(**overrides: Any) -> LiveServer:
        values: dict[str, Any] = {
            "database_url": db.url,
            "secret_key": TEST_SECRET,
            "environment": "development",
            "secure_cookies": False,
        }
        values.update(overrides)
        settings = Settings(**values)
        app = create_app(settings)
        clock = FakeClock()
        app.dependency_overrides[get_now] = clock.now
        server, thread, url = serve_in_thread(app)
        running.append((server, thread))
        return LiveServer(url, app, settings, db, clock, server)

    yield factory
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture
def live_server(live_server_factory: Callable[..., LiveServer]) -> LiveServer:
    """The app on a real port with development settings."""
    return live_server_factory()


# --- browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module. Not session-wide: Playwright's sync API keeps an event
    loop running in the main thread while it is open, which breaks later asyncio tests."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium at /usr/bin/chromium")
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()

