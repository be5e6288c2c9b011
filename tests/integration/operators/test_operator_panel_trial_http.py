"""Findings of a browser trial of the operators' panel, over real HTTP with the fake Twilio:
callers' and family numbers are masked with a logged 显示号码 like the queue's; a refused
booking keeps the slot read to the elder; a refused panel action shows its message inside
its form; a known family contact is not offered 登记为老人."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest
from sqlalchemy import select

from app.people.models import PersonPhone
from support.fake_twilio import FakeTwilio
from support.live_server import LiveServer
from support.operator_desk import ZHANG, make_desk

ZHANG_SID = "CA" + "a" * 32
DAUGHTER_SID = "CA" + "b" * 32
DAUGHTER = "+8613900000001"  # 李梅, 张秀英's daughter in the demo data
DEPARTMENT = "心血管内科"


def _row(html: str, request_id: int) -> str:
    found = re.search(rf'<tr id="operator-request-{request_id}".*?</tr>', html, re.S)
    assert found is not None, html[-3000:]
    return found.group(0)


def test_numbers_in_the_panel_are_masked_until_the_operator_asks(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio,
    caplog: pytest.LogCaptureFixture,
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    request_id = desk.connected(ZHANG_SID, ZHANG)
    op1, token = desk.operator("op1")  # the operator talking with her
    row = _row(op1.get("/dispatch/operators.html").text, request_id)
    assert "13800000001" not in row and "138****0001" in row
    assert "13900000001" not in row  # her daughter's number, masked too
    assert f'data-reveal-url="/dispatch/operators/{request_id}/number"' in row
    assert f'data-reveal-url="/dispatch/operators/{request_id}/number?family=0"' in row

    caplog.set_level(logging.INFO)
    url = f"/dispatch/operators/{request_id}/number"
    assert op1.post(url).status_code == 403  # a POST with the CSRF token, like the queue's
    shown = op1.post(url, headers={"x-csrf-token": token, "accept": "application/json"})
    assert shown.status_code == 200 and shown.json() == {"number": "13800000001"}
    family = op1.post(url, params={"family": 0},
                      headers={"x-csrf-token": token, "accept": "application/json"})
    assert family.json() == {"number": "13900000001"}
    assert op1.post(url, params={"family": 9}, headers={"x-csrf-token": token}).status_code == 404
    logged = [r for r in caplog.records if r.getMessage() == "caller number shown"]
    assert len(logged) == 2
    assert all("13800000001" not in str(r.__dict__) for r in logged)  # who, not the number


def test_a_refused_booking_keeps_the_slot_read_to_the_elder(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    request_id = desk.connected(ZHANG_SID, ZHANG)
    op1, token = desk.operator("op1")
    url = f"/dispatch/operators/{request_id}/booking"
    slots = re.findall(r'name="slot_id" value="(\d+)"',
                       op1.get(url, params={"department": DEPARTMENT}).text)
    assert len(slots) >= 2
    chosen = slots[-1]  # not the first one
    refused = op1.post(url, data={"csrf_token": token, "department": DEPARTMENT,
                                  "slot_id": chosen})  # 老人已确认 not ticked
    assert refused.status_code == 400
    checked = re.findall(r'name="slot_id" value="(\d+)" checked', refused.text)
    assert checked == [chosen]
    form = re.search(r'<form[^>]*id="booking-form".*?</form>', refused.text, re.S)
    assert form is not None and 'id="booking-error"' in form.group(0)  # next to the slots


def test_a_refused_registration_shows_its_message_in_the_form(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    stranger = "+8615912340000"
    request_id = desk.connected("CA" + "c" * 32, stranger)
    op1, token = desk.operator("op1")
    refused = op1.post(f"/dispatch/operators/{request_id}/register", data={
        "csrf_token": token, "full_name": "周桂兰", "home_address": "五华区华山南路12号"})
    assert refused.status_code == 303
    # Not sent to the row's top while the message sits elsewhere: the form says it.
    assert refused.headers["location"] == f"/dispatch#operator-request-{request_id}"
    row = _row(op1.get("/dispatch").text, request_id)
    inside = re.search(rf'id="refusal-register-{request_id}">([^<]*)<', row)
    assert inside is not None and inside.group(1)
    assert 'value="周桂兰"' in row and 'value="五华区华山南路12号"' in row

    # A refusal without a form (接听 a caller another operator took) is in the row too.
    op2, token2 = desk.operator("op2")
    taken = op2.post(f"/dispatch/operators/{request_id}/pick-up", data={"csrf_token": token2})
    assert taken.headers["location"] == f"/dispatch#operator-request-{request_id}"
    row = _row(op2.get("/dispatch").text, request_id)
    assert re.search(rf'id="refusal-request-{request_id}">[^<]+<', row), row


def test_a_family_contact_is_not_offered_registration_as_an_elder(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    request_id = desk.connected(DAUGHTER_SID, DAUGHTER)
    op1, token = desk.operator("op1")
    row = _row(op1.get("/dispatch/operators.html").text, request_id)
    assert "可为家人挂号：张秀英" in row
    assert f'action="/dispatch/operators/{request_id}/register"' not in row
    assert f'id="register-open-{request_id}"' not in row  # no 登记为老人 button
    assert f'id="register-relative-{request_id}"' in row
    # A hand-made POST is refused too, and nothing is written.
    forged = op1.post(f"/dispatch/operators/{request_id}/register", data={
        "csrf_token": token, "full_name": "李梅", "home_address": "五华区华山南路12号",
        "community_id": "1", "consented": "true"})
    assert forged.status_code == 303
    told = re.search(rf'id="refusal-register-{request_id}">([^<]*)<', op1.get("/dispatch").text)
    assert told is not None and "张秀英的家属电话" in told.group(1)
    with desk.server.db.session() as session:
        assert session.scalar(
            select(PersonPhone.person_id).where(PersonPhone.number == DAUGHTER)) is None
