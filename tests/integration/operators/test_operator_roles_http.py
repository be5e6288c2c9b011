"""Who may use the operators' panel and the operators' Twilio webhooks.

Every new route: anonymous browsers go to the login page, hospital and community staff
get 403 and nothing changes, unsigned Twilio requests get 403. Setting an operator's phone
is for admins only.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sqlalchemy import select

from app.operators.enums import RequestStatus
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from support.fake_twilio import FakeTwilio
from support.live_server import (
    LiveServer,
    add_community,
    add_hospital,
    add_staff,
    csrf_from,
    sign_in,
)
from support.operator_desk import Desk, make_desk

CALLER_SID = "CA" + "b" * 32
PAGES = ("/dispatch/operators.html", "/dispatch/operators/{id}/booking")
ACTIONS = (
    "/dispatch/operators/{id}/pick-up",
    "/dispatch/operators/{id}/call-back",
    "/dispatch/operators/{id}/order",
    "/dispatch/operators/{id}/register",
    "/dispatch/operators/{id}/booking",
    "/dispatch/operators/{id}/booking/1/trip",
    "/dispatch/operators/{id}/note",
    "/dispatch/rides/1/call-back",
)
WEBHOOKS = (
    "/twilio/operators/wait",
    "/twilio/operators/wait/choice",
    "/twilio/operators/left",
    "/twilio/operators/answer?request={id}",
    "/twilio/operators/callback-answer?request={id}",
    "/twilio/operators/callback-result?request={id}",
    "/twilio/operators/status?request={id}",
)


def _staff_id(desk: Desk, username: str) -> int:
    with desk.server.db.session() as session:
        return session.scalars(select(StaffUser.id).where(StaffUser.username == username)).one()


def _signed_in(desk: Desk, username: str) -> tuple[httpx.Client, str]:
    client = desk.server.client()
    assert sign_in(client, username).status_code == 303
    return client, csrf_from(client.get("/console").text)


def test_only_operators_and_admins_use_the_panel(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    desk.caller_presses_0(CALLER_SID)
    request_id = desk.request_id(CALLER_SID)
    db = desk.server.db
    add_staff(db, "nurse", StaffRole.HOSPITAL_STAFF, hospital_id=add_hospital(db))
    add_staff(db, "social", StaffRole.COMMUNITY_STAFF, community_id=add_community(db, "测试社区"))
    phone_of_op1 = f"/console/users/{_staff_id(desk, 'op1')}/phone"  # ids differ per database

    with desk.server.client() as anonymous:
        for path in PAGES:
            answer = anonymous.get(path.format(id=request_id))
            assert answer.status_code == 303 and "/login" in answer.headers["location"], path
        for path in ACTIONS:
            answer = anonymous.post(path.format(id=request_id), data={"csrf_token": "x"})
            assert answer.status_code in (303, 403), path
    for username in ("nurse", "social"):
        client, token = _signed_in(desk, username)
        for path in PAGES:
            answer = client.get(path.format(id=request_id))
            assert answer.status_code == 403 and "无权" in answer.text, (username, path)
        for path in ACTIONS:
            answer = client.post(path.format(id=request_id), data={"csrf_token": token})
            assert answer.status_code == 403 and "无权" in answer.text, (username, path)
        # Nor may they give anyone a phone to be rung on.
        answer = client.post(
            phone_of_op1, data={"csrf_token": token, "phone_number": "13900000009"}
        )
        assert answer.status_code == 403, username
        client.close()
    assert desk.row(request_id).status == RequestStatus.WAITING and desk.rings() == []

    # An operator cannot set phones either; an admin can, and bad input is explained.
    op1, token = _signed_in(desk, "op1")
    assert (
        op1.post(
            phone_of_op1, data={"csrf_token": token, "phone_number": "1"}
        ).status_code
        == 403
    )
    add_staff(db, "boss", StaffRole.ADMIN)
    admin, token = _signed_in(desk, "boss")
    assert admin.get("/dispatch/operators.html").status_code == 200
    users = admin.get("/console/users").text
    assert "158****0001" in users and "15800000001" not in users
    bad = admin.post(phone_of_op1, data={"csrf_token": token, "phone_number": "12"})
    assert bad.status_code == 400 and "电话号码格式不对" in bad.text


def test_operator_webhooks_need_twilio_signatures(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    desk.caller_presses_0(CALLER_SID)
    request_id = desk.request_id(CALLER_SID)
    params = {
        "CallSid": CALLER_SID,
        "Digits": "1",
        "QueueResult": "hangup",
        "CallStatus": "no-answer",
    }
    for path in WEBHOOKS:
        url = desk.server.url + path.format(id=request_id)
        assert httpx.post(url, data=params).status_code == 403, path
        forged = httpx.post(url, data=params, headers={"X-Twilio-Signature": "forged"})
        assert forged.status_code == 403, path
    assert desk.row(request_id).status == RequestStatus.WAITING
    bad = desk.twilio_post("/twilio/operators/answer?request=abc", {"CallSid": CALLER_SID})
    assert bad.status_code == 400
