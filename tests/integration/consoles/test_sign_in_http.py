"""Staff sign-in over real HTTP: uvicorn on a free port, httpx as the browser."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi import HTTPException
from sqlalchemy import func, select

from app.consoles.http import console_router
from app.core.deps import SessionDep
from app.people.models import Community
from app.staff import accounts
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from support.live_server import (
    PASSWORD,
    PRODUCTION_READY,
    LiveServer,
    add_hospital,
    add_staff,
    csrf_from,
    sign_in,
)


def _set_cookie(response) -> str:  # type: ignore[no-untyped-def]
    return next(v for v in response.headers.get_list("set-cookie") if v.startswith("ivr_staff="))


def test_sign_in_with_right_password_opens_landing_page(live_server: LiveServer) -> None:
    add_staff(live_server.db, "li.op", display_name="李调度")
    with live_server.client() as client:
        response = sign_in(client, "li.op")
        assert response.status_code == 303
        assert response.headers["location"] == "/console"
        page = client.get("/console")
    assert page.status_code == 200
    assert "李调度" in page.text and "调度员" in page.text
    assert 'href="/dispatch"' in page.text
    assert 'href="/hospital"' not in page.text
    assert 'href="/console/users"' not in page.text


@pytest.mark.parametrize(
    ("role", "expected", "absent"),
    [
        (StaffRole.ADMIN, ["/dispatch", "/hospital", "/people", "/console/users"], []),
        (StaffRole.HOSPITAL_STAFF, ["/hospital"], ["/dispatch", "/people", "/console/users"]),
        (StaffRole.COMMUNITY_STAFF, ["/people"], ["/dispatch", "/hospital", "/console/users"]),
    ],
)
def test_landing_page_links_only_the_consoles_of_the_role(
    live_server: LiveServer, role: StaffRole, expected: list[str], absent: list[str]
) -> None:
    extra: dict[str, int] = {}
    if role is StaffRole.HOSPITAL_STAFF:
        extra["hospital_id"] = add_hospital(live_server.db)
    if role is StaffRole.COMMUNITY_STAFF:
        with live_server.db.session() as session:
            community = Community(name="翠湖社区", district="五华区")
            session.add(community)
            session.flush()
            extra["community_id"] = community.id
    add_staff(live_server.db, "someone", role, **extra)
    with live_server.client() as client:
        assert sign_in(client, "someone").status_code == 303
        page = client.get("/console").text
    for path in expected:
        assert f'href="{path}"' in page
    for path in absent:
        assert f'href="{path}"' not in page
    if not expected:
        assert "没有可以使用的工作台" in page


def test_wrong_password_shows_one_generic_message(live_server: LiveServer) -> None:
    add_staff(live_server.db, "li.op")
    with live_server.client() as client:
        wrong = sign_in(client, "li.op", "not-the-password")
        unknown = sign_in(client, "no.such.user", "not-the-password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "用户名或密码错误" in response.text
        assert not any(v.startswith("ivr_staff=") for v in response.headers.get_list("set-cookie"))


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_login_form_without_valid_csrf_token_is_refused(
    live_server: LiveServer, token: str | None
) -> None:
    add_staff(live_server.db, "li.op")
    with live_server.client() as client:
        client.get("/login")
        data = {"username": "li.op", "password": PASSWORD}
        if token is not None:
            data["csrf_token"] = token
        response = client.post("/login", data=data)
    assert response.status_code == 403
    assert "页面已过期" in response.text
    assert not any(v.startswith("ivr_staff=") for v in response.headers.get_list("set-cookie"))


def test_login_csrf_token_is_bound_to_the_browser_cookie(live_server: LiveServer) -> None:
    add_staff(live_server.db, "li.op")
    with live_server.client() as attacker, live_server.client() as victim:
        token = csrf_from(attacker.get("/login").text)
        victim.get("/login")
        response = victim.post(
            "/login", data={"username": "li.op", "password": PASSWORD, "csrf_token": token}
        )
    assert response.status_code == 403


def test_logout_without_csrf_token_is_refused_and_keeps_session(live_server: LiveServer) -> None:
    add_staff(live_server.db, "li.op")
    with live_server.client() as client:
        sign_in(client, "li.op")
        refused = client.post("/logout", data={})
        assert refused.status_code == 403
        assert "表单校验失败" in refused.text
        assert client.get("/console").status_code == 200


def test_csrf_token_of_another_session_is_refused(live_server: LiveServer) -> None:
    add_staff(live_server.db, "li.op")
    add_staff(live_server.db, "wang.op")
    with live_server.client() as first, live_server.client() as second:
        sign_in(first, "li.op")
        sign_in(second, "wang.op")
        foreign = csrf_from(first.get("/console").text)
        assert second.post("/logout", data={"csrf_token": foreign}).status_code == 403
        own = csrf_from(second.get("/console").text)
        assert second.post("/logout", data={"csrf_token": own}).status_code == 303


def test_logout_ends_the_session(live_server: LiveServer) -> None:
    add_staff(live_server.db, "li.op")
    with live_server.client() as client:
        sign_in(client, "li.op")
        token = csrf_from(client.get("/console").text)
        response = client.post("/logout", data={"csrf_token": token})
        assert response.status_code == 303 and response.headers["location"] == "/login"
        assert client.get("/console").status_code == 303


def test_session_cookie_is_httponly_and_samesite_but_not_secure_in_development(
    live_server: LiveServer,
) -> None:
    add_staff(live_server.db, "li.op")
    with live_server.client() as client:
        cookie = _set_cookie(sign_in(client, "li.op")).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "max-age" not in cookie  # a browser-session cookie; the server enforces limits
    assert "secure" not in cookie


@pytest.mark.parametrize(
    "overrides",
    [
        PRODUCTION_READY,
        {"secure_cookies": True},
    ],
)
def test_session_cookie_is_secure_in_production(
    live_server_factory: Callable[..., LiveServer], overrides: dict[str, object]
) -> None:
    server = live_server_factory(**overrides)
    add_staff(server.db, "li.op")
    with server.client() as client:
        form = client.get("/login")
        csrf_cookie = form.headers["set-cookie"].lower()
        # the pre-session cookie is Secure too, so httpx will not send it back over http
        token = csrf_from(form.text)
        client.cookies.set("ivr_csrf", form.cookies["ivr_csrf"])
        response = client.post(
            "/login", data={"username": "li.op", "password": PASSWORD, "csrf_token": token}
        )
    assert "secure" in csrf_cookie
    cookie = _set_cookie(response).lower()
    assert "; secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_page_without_session_redirects_to_login(live_server: LiveServer) -> None:
    with live_server.client() as client:
        response = client.get("/console/users?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fconsole%2Fusers%3Fx%3D1"


def test_script_request_without_session_gets_401(live_server: LiveServer) -> None:
    with live_server.client(headers={"accept": "application/json"}) as client:
        response = client.get("/console")
    assert response.status_code == 401
    assert response.json() == {"detail": "请先登录。"}


def test_sign_in_returns_to_next_page_but_never_to_another_site(live_server: LiveServer) -> None:
    add_staff(live_server.db, "admin1", StaffRole.ADMIN)
    with live_server.client() as client:
        for target, expected in [("/console/users", "/console/users"),
                                 ("//evil.example/x", "/console"),
                                 ("https://evil.example/", "/console")]:
            client.cookies.clear()
            token = csrf_from(client.get("/login").text)
            response = client.post("/login", data={
                "username": "admin1", "password": PASSWORD, "csrf_token": token, "next": target,
            })
            assert response.headers["location"] == expected


def test_operator_cannot_open_user_list(live_server: LiveServer) -> None:
    add_staff(live_server.db, "li.op")
    with live_server.client() as client:
        sign_in(client, "li.op")
        response = client.get("/console/users")
    assert response.status_code == 403
    assert "无权使用此页面" in response.text


def test_admin_user_list_shows_users_without_password_hashes(live_server: LiveServer) -> None:
    hospital_id = add_hospital(live_server.db, "昆明市延安医院")
    add_staff(live_server.db, "admin1", StaffRole.ADMIN, display_name="王管理")
    add_staff(live_server.db, "nurse.zhang", StaffRole.HOSPITAL_STAFF, hospital_id=hospital_id)
    with live_server.client() as client:
        sign_in(client, "admin1")
        page = client.get("/console/users")
    assert page.status_code == 200
    assert "nurse.zhang" in page.text and "昆明市延安医院" in page.text and "王管理" in page.text
    assert "$argon2" not in page.text


def test_deactivated_user_loses_session(live_server: LiveServer) -> None:
    user_id = add_staff(live_server.db, "li.op")
    with live_server.client() as client:
        sign_in(client, "li.op")
        assert client.get("/console").status_code == 200
        with live_server.db.session() as session:
            user = session.get(StaffUser, user_id)
            assert user is not None
            accounts.set_active(session, user, False, now=datetime.now(UTC))
        response = client.get("/console")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_password_change_ends_existing_sessions(live_server: LiveServer) -> None:
    user_id = add_staff(live_server.db, "li.op")
    with live_server.client() as client:
        sign_in(client, "li.op")
        with live_server.db.session() as session:
            user = session.get(StaffUser, user_id)
            assert user is not None
            accounts.set_password(session, user, "a-brand-new-password", now=datetime.now(UTC))
        assert client.get("/console").status_code == 303


def test_tampered_or_foreign_session_cookie_is_rejected(live_server: LiveServer) -> None:
    add_staff(live_server.db, "li.op")
    add_staff(live_server.db, "admin1", StaffRole.ADMIN)
    forged = secrets.token_urlsafe(32)  # a well-formed token no session has
    with live_server.client() as client:
        sign_in(client, "li.op")
        value = client.cookies["ivr_staff"]
        client.cookies.set("ivr_staff", value[:-3] + ("xyz" if value[-3:] != "xyz" else "abc"))
        assert client.get("/console").status_code == 303
        client.cookies.set("ivr_staff", forged)
        assert client.get("/console/users").status_code == 303


def test_console_pages_send_security_headers(live_server: LiveServer) -> None:
    with live_server.client() as client:
        response = client.get("/login")
        css = client.get("/static/console.css")
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_refused_request_on_a_console_route_rolls_back_its_changes(
    live_server_factory: Callable[..., LiveServer],
) -> None:
    router = console_router()

    @router.post("/test-only/half-done")
    def half_done(session: SessionDep) -> None:
        session.add(Community(name="不应保存的社区", district="盘龙区"))
        session.flush()
        raise HTTPException(status_code=409, detail="已被其他调度员处理。")

    server = live_server_factory()
    server.app.include_router(router)
    with server.client() as client:
        response = client.post("/test-only/half-done")
    assert response.status_code == 409
    assert "已被其他调度员处理。" in response.text
    with server.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Community)) == 0
