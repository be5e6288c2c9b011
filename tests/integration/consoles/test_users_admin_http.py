"""用户管理 over real HTTP: the staff lifecycle on the admin page, audited, admins only."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from app.core.db import Database
from app.staff import accounts, audit
from app.staff.accounts import StaffUserError
from app.staff.enums import StaffRole
from app.staff.models import StaffAudit, StaffUser
from support.live_server import (
    PASSWORD,
    LiveServer,
    add_community,
    add_hospital,
    add_staff,
    csrf_from,
    sign_in,
)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
NEW_PASSWORD = "a-brand-new-password"


def _admin(live_server: LiveServer, client: httpx.Client) -> int:
    admin_id = add_staff(live_server.db, "admin1", StaffRole.ADMIN, display_name="王管理")
    assert sign_in(client, "admin1").status_code == 303
    return admin_id


def _post(client: httpx.Client, path: str, **data: str) -> httpx.Response:
    token = csrf_from(client.get("/console/users").text)
    return client.post(path, data={"csrf_token": token, **data})


def _trail(db: Database) -> list[tuple[int | None, int, str, str]]:
    with db.session() as session:
        rows = session.scalars(select(StaffAudit).order_by(StaffAudit.id)).all()
        return [(r.actor_id, r.target_id, r.action, r.detail) for r in rows]


def test_admin_creates_a_scoped_user_audited_and_logged_by_id_only(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    hospital_id = add_hospital(live_server.db)
    with live_server.client() as admin:
        admin_id = _admin(live_server, admin)
        with caplog.at_level(logging.INFO):
            done = _post(
                admin,
                "/console/users",
                username="nurse.zhao",
                display_name="赵护士",
                role="hospital_staff",
                hospital_id=str(hospital_id),
                community_id="",
                password=NEW_PASSWORD,
                password_confirm=NEW_PASSWORD,
            )
        assert done.status_code == 303
        page = admin.get(done.headers["location"]).text
    assert "账号已创建" in page and "nurse.zhao" in page
    assert "新建账号" in page and "医院工作人员（云南省第一人民医院）" in page
    with live_server.db.session() as session:
        user = accounts.get_user_by_username(session, "nurse.zhao")
        assert user is not None
        assert (user.role, user.hospital_id, user.demo) == (
            StaffRole.HOSPITAL_STAFF,
            hospital_id,
            False,
        )
        user_id = user.id
    [(actor, target, action, detail)] = _trail(live_server.db)
    assert (actor, target, action) == (admin_id, user_id, audit.CREATED)
    assert NEW_PASSWORD not in detail
    logged = " ".join(f"{r.getMessage()} {r.__dict__.get('fields')}" for r in caplog.records)
    assert "staff account changed by admin" in logged
    assert "nurse.zhao" not in logged and NEW_PASSWORD not in logged
    with live_server.client() as nurse:
        assert sign_in(nurse, "nurse.zhao", NEW_PASSWORD).status_code == 303


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"password": "short", "password_confirm": "short"}, "密码至少要10个字符"),
        ({"password_confirm": "another-password-1"}, "两次输入的密码不一致"),
        ({"username": "admin1"}, "用户名已被使用"),
        ({"username": "李"}, "用户名须为3-50个字符"),
        ({"role": "hospital_admin"}, "医院管理员必须属于一家医院"),
        ({"role": "community_staff"}, "社区工作人员必须属于一个社区"),
        ({"hospital_id": "1; drop"}, "医院选择不对"),
    ],
)
def test_refused_creation_says_why_and_keeps_the_form(
    live_server: LiveServer, changes: dict[str, str], reason: str
) -> None:
    form = {
        "username": "li.op",
        "display_name": "李调度",
        "role": "operator",
        "hospital_id": "",
        "community_id": "",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }
    with live_server.client() as admin:
        _admin(live_server, admin)
        refused = _post(admin, "/console/users", **(form | changes))
    assert refused.status_code == 400
    assert reason in refused.text
    kept = (form | changes)["username"]
    assert f'name="username" value="{kept}"' in refused.text
    assert 'value="李调度"' in refused.text
    sent = (form | changes)["password"]
    assert f'value="{sent}"' not in refused.text  # passwords are never sent back
    with live_server.db.session() as session:
        assert session.scalar(select(StaffUser).where(StaffUser.username == "li.op")) is None
    assert _trail(live_server.db) == []


def test_password_reset_ends_the_users_sessions(live_server: LiveServer) -> None:
    user_id = add_staff(live_server.db, "li.op")
    with live_server.client() as admin, live_server.client() as operator:
        admin_id = _admin(live_server, admin)
        sign_in(operator, "li.op")
        path = f"/console/users/{user_id}/password"
        weak = _post(admin, path, password="li.op-12345", password_confirm="li.op-12345")
        assert weak.status_code == 400 and "密码不能包含用户名" in weak.text
        assert operator.get("/console").status_code == 200
        done = _post(admin, path, password=NEW_PASSWORD, password_confirm=NEW_PASSWORD)
        assert done.status_code == 303
        assert "密码已重设" in admin.get(done.headers["location"]).text
        assert operator.get("/console").status_code == 303
        assert sign_in(operator, "li.op", PASSWORD).status_code == 401
        assert sign_in(operator, "li.op", NEW_PASSWORD).status_code == 303
    assert _trail(live_server.db) == [(admin_id, user_id, audit.PASSWORD, "")]


def test_deactivation_needs_confirmation_and_refuses_a_copied_cookie_at_once(
    live_server: LiveServer,
) -> None:
    user_id = add_staff(live_server.db, "li.op")
    with live_server.client() as admin, live_server.client() as operator:
        admin_id = _admin(live_server, admin)
        sign_in(operator, "li.op")
        with live_server.client() as thief:
            thief.cookies.set("ivr_staff", operator.cookies["ivr_staff"])
            assert thief.get("/dispatch").status_code == 200
            unconfirmed = _post(admin, f"/console/users/{user_id}/deactivate")
            assert unconfirmed.status_code == 400 and "确认停用" in unconfirmed.text
            assert thief.get("/dispatch").status_code == 200
            done = _post(admin, f"/console/users/{user_id}/deactivate", confirm="yes")
            assert done.status_code == 303
            refused = thief.get("/dispatch")
            assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
        assert "已停用" in admin.get("/console/users").text
        assert sign_in(operator, "li.op").status_code == 401
        assert _post(admin, f"/console/users/{user_id}/reactivate").status_code == 303
        assert sign_in(operator, "li.op").status_code == 303
    assert [row[:3] for row in _trail(live_server.db)] == [
        (admin_id, user_id, audit.DEACTIVATED),
        (admin_id, user_id, audit.REACTIVATED),
    ]


def test_role_and_scope_change_checks_the_binding_and_is_audited(live_server: LiveServer) -> None:
    community_id = add_community(live_server.db)
    user_id = add_staff(live_server.db, "li.op")
    with live_server.client() as admin:
        admin_id = _admin(live_server, admin)
        path = f"/console/users/{user_id}/role"
        refused = _post(admin, path, role="community_staff", hospital_id="", community_id="")
        assert refused.status_code == 400 and "必须属于一个社区" in refused.text
        assert '<option value="community_staff" selected>' in refused.text  # kept
        done = _post(admin, path, role="community_staff", community_id=str(community_id))
        assert done.status_code == 303
        page = admin.get(done.headers["location"]).text
    assert "调度员 → 社区工作人员（翠湖社区）" in page
    with live_server.db.session() as session:
        user = session.get(StaffUser, user_id)
        assert user is not None
        assert (user.role, user.community_id) == (StaffRole.COMMUNITY_STAFF, community_id)
    assert [row[:3] for row in _trail(live_server.db)] == [(admin_id, user_id, audit.ROLE)]


def test_unlock_forgets_the_failed_sign_ins_of_the_user(live_server: LiveServer) -> None:
    user_id = add_staff(live_server.db, "li.op")
    with live_server.client() as admin, live_server.client() as operator:
        admin_id = _admin(live_server, admin)
        live_server.clock.set(T0)
        for _ in range(4):
            assert sign_in(operator, "li.op", "not-the-password").status_code == 401
        assert sign_in(operator, "li.op").status_code == 429
        assert _post(admin, f"/console/users/{user_id}/unlock").status_code == 303
        assert sign_in(operator, "li.op").status_code == 303
    [(actor, target, action, detail)] = _trail(live_server.db)
    assert (actor, target, action, detail) == (
        admin_id,
        user_id,
        audit.UNLOCKED,
        "清除1条登录失败记录",
    )


def test_an_admin_cannot_deactivate_or_demote_themselves(live_server: LiveServer) -> None:
    add_staff(live_server.db, "admin2", StaffRole.ADMIN)
    with live_server.client() as admin:
        admin_id = _admin(live_server, admin)
        page = admin.get("/console/users").text
        assert f'action="/console/users/{admin_id}/deactivate"' not in page
        deactivate = _post(admin, f"/console/users/{admin_id}/deactivate", confirm="yes")
        demote = _post(admin, f"/console/users/{admin_id}/role", role="operator")
        for refused in (deactivate, demote):
            assert refused.status_code == 400 and "不能停用自己的账号" in refused.text
        assert admin.get("/console/users").status_code == 200
    assert _trail(live_server.db) == []


def test_the_last_active_admin_can_be_neither_deactivated_nor_demoted(db: Database) -> None:
    first = add_staff(db, "admin1", StaffRole.ADMIN)
    with db.session() as session:
        user = session.get(StaffUser, first)
        assert user is not None
        with pytest.raises(StaffUserError, match="最后一个启用的管理员"):
            accounts.set_active(session, user, False, now=T0)
        with pytest.raises(StaffUserError, match="最后一个启用的管理员"):
            accounts.set_role(session, user, role=StaffRole.OPERATOR, now=T0)
    add_staff(db, "admin2", StaffRole.ADMIN)
    with db.session() as session:
        user = session.get(StaffUser, first)
        assert user is not None
        accounts.set_active(session, user, False, now=T0)
        assert not user.active


def test_the_trail_shows_the_newest_fifty_entries(db: Database) -> None:
    admin_id = add_staff(db, "admin1", StaffRole.ADMIN)
    with db.session() as session:
        for minute in range(55):
            audit.record(
                session,
                actor_id=admin_id,
                target_id=admin_id,
                action=audit.UNLOCKED,
                now=T0 + timedelta(minutes=minute),
                detail=f"#{minute}",
            )
        session.flush()
        rows = audit.recent(session, limit=50)
    assert len(rows) == 50
    assert rows[0].detail == "#54" and rows[-1].detail == "#5"
    assert rows[0].actor == "admin1" and rows[0].action_label == "解除登录限制"


def _new_routes(user_id: int) -> list[tuple[str, dict[str, str]]]:
    form = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    return [
        ("/console/users", {"username": "x.new", "display_name": "新", "role": "admin", **form}),
        (f"/console/users/{user_id}/password", form),
        (f"/console/users/{user_id}/deactivate", {"confirm": "yes"}),
        (f"/console/users/{user_id}/reactivate", {}),
        (f"/console/users/{user_id}/role", {"role": "admin"}),
        (f"/console/users/{user_id}/unlock", {}),
    ]


def test_other_roles_get_403_on_every_new_route(live_server: LiveServer) -> None:
    hospital_id = add_hospital(live_server.db)
    community_id = add_community(live_server.db)
    target = add_staff(live_server.db, "li.op")
    others = [
        ("op2", StaffRole.OPERATOR, {}),
        ("nurse", StaffRole.HOSPITAL_STAFF, {"hospital_id": hospital_id}),
        ("office", StaffRole.HOSPITAL_ADMIN, {"hospital_id": hospital_id}),
        ("cw.he", StaffRole.COMMUNITY_STAFF, {"community_id": community_id}),
    ]
    for username, role, scope in others:
        add_staff(live_server.db, username, role, **scope)
        with live_server.client() as client:
            assert sign_in(client, username).status_code == 303
            token = csrf_from(client.get("/console").text)
            for path, data in _new_routes(target):
                response = client.post(path, data={"csrf_token": token, **data})
                assert response.status_code == 403, (role, path)
    with live_server.db.session() as session:
        user = session.get(StaffUser, target)
        assert user is not None and user.active and user.role is StaffRole.OPERATOR
        assert accounts.get_user_by_username(session, "x.new") is None
    assert _trail(live_server.db) == []


def test_every_new_route_needs_the_csrf_token(live_server: LiveServer) -> None:
    target = add_staff(live_server.db, "li.op")
    with live_server.client() as admin:
        _admin(live_server, admin)
        for path, data in _new_routes(target):
            assert admin.post(path, data=data).status_code == 403, path
            assert admin.post(path, data={"csrf_token": "forged", **data}).status_code == 403
    with live_server.db.session() as session:
        assert accounts.get_user_by_username(session, "x.new") is None
    assert _trail(live_server.db) == []


def test_an_unknown_user_is_404_on_every_new_route(live_server: LiveServer) -> None:
    with live_server.client() as admin:
        _admin(live_server, admin)
        for user_id in (987654, 99999999999999999999):
            for path, data in _new_routes(user_id)[1:]:
                assert _post(admin, path, **data).status_code == 404, path
    assert _trail(live_server.db) == []
