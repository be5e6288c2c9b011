"""Sign-in throttling over real HTTP: strangers slow themselves down, nobody is locked out.

Clients connect from different loopback addresses (127.0.0.2, ...) so the server sees
different client addresses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.core.config import Settings
from app.core.db import Database
from app.staff import accounts, cli
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from support.demo import demo_data
from support.live_server import PASSWORD, PRODUCTION_READY, LiveServer, add_staff, sign_in

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
STRANGER = "127.0.0.2"


def test_a_strangers_wrong_passwords_do_not_stop_the_real_user(live_server: LiveServer) -> None:
    add_staff(live_server.db, "admin1", StaffRole.ADMIN)
    live_server.clock.set(T0)
    with live_server.client(from_address=STRANGER) as stranger:
        statuses = [sign_in(stranger, "admin1", "guess-number-x").status_code for _ in range(8)]
        assert 429 in statuses  # the stranger is slowed down
        assert sign_in(stranger, "admin1", PASSWORD).status_code == 429  # even with the password
    with live_server.client() as real_user:
        assert sign_in(real_user, "admin1").status_code == 303
        assert real_user.get("/console/users").status_code == 200


def test_after_the_free_failures_each_attempt_waits_a_growing_delay(
    live_server: LiveServer,
) -> None:
    add_staff(live_server.db, "li.op")
    live_server.clock.set(T0)
    with live_server.client() as client:
        for _ in range(4):  # three free failures, the fourth starts a 2 s delay
            assert sign_in(client, "li.op", "not-the-password").status_code == 401
        waiting = sign_in(client, "li.op", PASSWORD)
        assert waiting.status_code == 429
        assert "请2秒后再试" in waiting.text and waiting.headers["retry-after"] == "2"
        live_server.clock.advance(timedelta(seconds=3))
        assert sign_in(client, "li.op", "not-the-password").status_code == 401
        assert "请4秒后再试" in sign_in(client, "li.op", PASSWORD).text  # doubled
        live_server.clock.advance(timedelta(seconds=5))
        assert sign_in(client, "li.op", PASSWORD).status_code == 303


def test_unknown_and_existing_usernames_get_the_same_answers(live_server: LiveServer) -> None:
    add_staff(live_server.db, "li.op")
    live_server.clock.set(T0)
    answers = {}
    for name, address in (("li.op", "127.0.0.3"), ("ghost", "127.0.0.4")):
        with live_server.client(from_address=address) as client:
            responses = [sign_in(client, name, "not-the-password") for _ in range(6)]
        answers[name] = [(r.status_code, "请2秒后再试" in r.text) for r in responses]
    assert answers["li.op"] == answers["ghost"]
    assert answers["ghost"][-1] == (429, True)


def test_one_address_trying_many_names_is_slowed_down(
    live_server_factory: Callable[..., LiveServer],
) -> None:
    server = live_server_factory(login_address_free_failures=5)
    add_staff(server.db, "li.op")
    server.clock.set(T0)
    with server.client(from_address=STRANGER) as sprayer:
        statuses = [sign_in(sprayer, f"name{i}", "password-spray").status_code for i in range(6)]
        assert statuses == [401] * 6
        assert sign_in(sprayer, "li.op", PASSWORD).status_code == 429
    with server.client() as real_user:
        assert sign_in(real_user, "li.op").status_code == 303


def test_unknown_and_existing_usernames_each_cost_one_password_check(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_staff(db, "li.op")
    checks: list[str] = []
    real_verify = accounts._verify

    def counting_verify(password_hash: str, password: str) -> bool:
        checks.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(accounts, "_verify", counting_verify)
    for name in ("li.op", "ghost"):
        with db.session() as session:
            accounts.authenticate(
                session, username=name, password="not-the-password", address="192.0.2.9",
                now=T0,
            )
    assert len(checks) == 2 and all(h.startswith("$argon2id$") for h in checks)


def test_cli_unlock_lifts_the_delays_of_a_username(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_staff(live_server.db, "li.op")
    settings = Settings(database_url=live_server.db.url, secret_key="x" * 40)
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    live_server.clock.set(T0)
    with live_server.client() as client:
        for _ in range(6):
            sign_in(client, "li.op", "not-the-password")
        assert sign_in(client, "li.op", PASSWORD).status_code == 429
        result = CliRunner().invoke(cli.users_app, ["unlock", "LI.OP"])
        assert result.exit_code == 0, result.output
        assert "Cleared 1 sign-in throttle(s)" in result.output
        assert sign_in(client, "li.op", PASSWORD).status_code == 303


def test_demo_accounts_cannot_sign_in_in_production(
    live_server_factory: Callable[..., LiveServer],
) -> None:
    server = live_server_factory(**{**PRODUCTION_READY, "environment": "Production"})
    with server.db.session() as session:
        accounts.create_user(
            session, username="demo.op", display_name="演示调度", password=PASSWORD,
            role=StaffRole.OPERATOR, demo=True,
        )
    add_staff(server.db, "real.op")
    with server.client() as client:
        client.get("/login")
        form = client.get("/login")
        token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.cookies.set("ivr_csrf", form.cookies.get("ivr_csrf") or client.cookies["ivr_csrf"])
        demo = client.post(
            "/login", data={"username": "demo.op", "password": PASSWORD, "csrf_token": token}
        )
        real = client.post(
            "/login", data={"username": "real.op", "password": PASSWORD, "csrf_token": token}
        )
    assert demo.status_code == 403 and "演示账号" in demo.text
    assert real.status_code == 303


def test_demo_accounts_sign_in_in_development(live_server: LiveServer) -> None:
    with live_server.db.session() as session:
        accounts.create_user(
            session, username="demo.op", display_name="演示调度", password=PASSWORD,
            role=StaffRole.OPERATOR, demo=True,
        )
    with live_server.client() as client:
        assert sign_in(client, "demo.op").status_code == 303


def test_ivr_demo_marks_its_staff_accounts_as_demo(db: Database) -> None:
    demo_data(db)
    with db.session() as session:
        flags = session.scalars(select(StaffUser.demo)).all()
    assert flags and all(flags)
