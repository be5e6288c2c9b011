"""The app in a FastAPI TestClient: HTTP tests without a live server (no lifespan, so no
outbox worker), with a movable clock and signed-in clients.

    app = app_clients(db, clock)          # an AppClients on the test database
    desk = app.client("desk")             # signed in (support.live_server.PASSWORD)
    anonymous = app.client()
"""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from app.consoles.auth import get_now
from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from support.live_server import HTML, PASSWORD, TEST_SECRET, csrf_from


class Clock:
    """A fixed clock the tests move by setting `current`."""

    def __init__(self, current: datetime) -> None:
        self.current = current

    def now(self) -> datetime:
        return self.current


class AppClients:
    def __init__(self, db: Database, clock: Clock) -> None:
        settings = Settings(
            database_url=db.url,
            secret_key=TEST_SECRET,
            environment="development",
            secure_cookies=False,
            outbox_in_process=False,
        )
        self.app = create_app(settings)
        self.app.dependency_overrides[get_now] = clock.now
        self.clock = clock
        self._opened: list[TestClient] = []

    def client(self, username: str | None = None, password: str = PASSWORD) -> TestClient:
        """A client that asks for HTML and follows no redirects; signed in if a username."""
        test_client = TestClient(self.app, follow_redirects=False, headers=HTML)
        self._opened.append(test_client)
        if username is not None:
            form = test_client.get("/login")
            signed = test_client.post(
                "/login",
                data={"username": username, "password": password,
                      "csrf_token": csrf_from(form.text)},
            )
            assert signed.status_code == 303, signed.text
        return test_client

    def close(self) -> None:
        for test_client in self._opened:
            test_client.close()
        self.app.state.db.dispose()
