"""Staff sessions kept on the server, over real HTTP: ending a session ends it at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from app.core.config import Settings
from app.staff import accounts, cli
from app.staff.enums import StaffRole
from app.staff.models import StaffSession, StaffUser
from app.staff.sessions import token_digest
from support.live_server import LiveServer, add_staff, csrf_from, sign_in

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _copy_of_cookie(live_server: LiveServer, cookie: str):  # type: ignore[no-untyped-def]
    """Another browser that was handed the session cookie (e.g. copied from a shared PC)."""
    thief = live_server.client()
    thief.cookies.set("ivr_staff", cookie)
    return thief


def test_a_copied_cookie_is_refused_after_logout(live_server: LiveServer) -> None:
    add_staff(live_server.db, "li.op")
    with live_server.client() as client:
        sign_in(client, "li.op")
        cookie = client.cookies["ivr_staff"]
        with _copy_of_cookie(live_server, cookie) as thief:
            assert thief.get("/console").status_code == 200
            token = csrf_from(client.get("/console").text)
            assert client.post("/logout", data={"csrf_token": token}).status_code == 303
            after = thief.get("/console")
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


def test_the_database_stores_a_hash_of_the_session_token_not_the_token(
    live_server: LiveServer,
) -> None:
    user_id = add_staff(live_server.db, "li.op")
    with live_server.client() as client:
        sign_in(client, "li.op")
        cookie = client.cookies["ivr_staff"]
    with live_server.db.session() as session:
        row = session.scalars(select(StaffSession)).one()
    assert row.staff_user_id == user_id and row.ended_at is None
    assert row.token_hash == token_digest(cookie) and cookie not in row.token_hash


def test_cli_signout_ends_every_session_of_the_user_only(
    live_server: LiveServer, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    add_staff(live_server.db, "li.op")
    add_staff(live_server.db, "wang.op")
    settings = Settings(database_url=live_server.db.url, secret_key="x" * 40)
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    with (
        live_server.client() as office,
        live_server.client() as home,
        live_server.client() as other,
    ):
        sign_in(office, "li.op")
        sign_in(home, "li.op")
        sign_in(other, "wang.op")
        result = CliRunner().invoke(cli.users_app, ["signout", "li.op"])
        assert result.exit_code == 0, result.output
        assert "Ended 2 session(s)" in result.output
        assert office.get("/console").status_code == 303
        assert home.get("/console").status_code == 303
        assert other.get("/console").status_code == 200


def test_admin_button_signs_a_user_out_everywhere(live_server: LiveServer) -> None:
    add_staff(live_server.db, "admin1", StaffRole.ADMIN)
    user_id = add_staff(live_server.db, "li.op")
    with live_server.client() as admin, live_server.client() as operator:
        sign_in(admin, "admin1")
        sign_in(operator, "li.op")
        page = admin.get("/console/users")
        assert f'action="/console/users/{user_id}/signout"' in page.text
        refused = admin.post(f"/console/users/{user_id}/signout", data={})
        assert refused.status_code == 403
        assert operator.get("/console").status_code == 200
        done = admin.post(
            f"/console/users/{user_id}/signout", data={"csrf_token": csrf_from(page.text)}
        )
        assert done.status_code == 303
        assert "所有会话已结束" in admin.get(done.headers["location"]).text
        assert operator.get("/console").status_code == 303
        assert admin.get("/console").status_code == 200


def test_password_change_and_deactivation_end_copied_sessions(live_server: LiveServer) -> None:
    user_id = add_staff(live_server.db, "li.op")
    with live_server.client() as client:
        sign_in(client, "li.op")
        with live_server.db.session() as session:
            user = session.get(StaffUser, user_id)
            assert user is not None
            accounts.set_password(session, user, "a-brand-new-password", now=datetime.now(UTC))
        assert client.get("/console").status_code == 303
        sign_in(client, "li.op", "a-brand-new-password")
        assert client.get("/console").status_code == 200
        with live_server.db.session() as session:
            user = session.get(StaffUser, user_id)
            assert user is not None
            accounts.set_active(session, user, False, now=datetime.now(UTC))
            accounts.set_active(session, user, True, now=datetime.now(UTC))
        assert client.get("/console").status_code == 303  # reactivation revives nothing


def test_session_ends_after_the_idle_timeout(
    live_server_factory: Callable[..., LiveServer],
) -> None:
    server = live_server_factory(session_idle_minutes=30)
    add_staff(server.db, "li.op")
    server.clock.set(T0)
    with server.client() as client:
        sign_in(client, "li.op")
        server.clock.advance(timedelta(minutes=29))
        assert client.get("/console").status_code == 200  # a request keeps it alive
        server.clock.advance(timedelta(minutes=29))
        assert client.get("/console").status_code == 200
        server.clock.advance(timedelta(minutes=30))
        assert client.get("/console").status_code == 303


def test_session_ends_after_its_lifetime_even_when_in_use(
    live_server_factory: Callable[..., LiveServer],
) -> None:
    server = live_server_factory(session_idle_minutes=60, session_lifetime_hours=2)
    add_staff(server.db, "li.op")
    server.clock.set(T0)
    with server.client() as client:
        sign_in(client, "li.op")
        for _ in range(3):
            server.clock.advance(timedelta(minutes=39))
            assert client.get("/console").status_code == 200
        server.clock.advance(timedelta(minutes=4))  # 2 h 1 min after sign-in
        assert client.get("/console").status_code == 303
