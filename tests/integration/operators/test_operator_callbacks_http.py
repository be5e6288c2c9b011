"""A long wait offers a call-back; call-backs ring the operator first, then the caller.

Over real HTTP with the fake Twilio: the queue's wait URL (what a waiting caller hears),
the key pressed at the offer, the call-back task on the panel, the operator's ring, the
<Dial> to the caller with the hotline's number as caller ID, and each outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from app.operators.enums import CallbackOutcome, RequestStatus
from app.taxi.models import Ride
from support.fake_twilio import FakeTwilio
from support.live_server import LiveServer
from support.operator_desk import (
    HOTLINE,
    OP1_PHONE,
    ZHANG,
    Desk,
    make_desk,
    ring_request_id,
    set_phone,
)
from support.refusals import refusal

CALLER_SID = "CA" + "a" * 32


def _wait(desk: Desk) -> str:
    answer = desk.twilio_post("/twilio/operators/wait", {"CallSid": CALLER_SID, "QueueTime": "0"})
    assert answer.status_code == 200
    return answer.text


def _callback_result(desk: Desk, ring_url: str, status: str) -> str:
    request = urlsplit(ring_url).query
    answer = desk.twilio_post(
        f"/twilio/operators/callback-result?{request}",
        {"CallSid": desk.leg(), "DialCallStatus": status},
    )
    assert answer.status_code == 200
    return answer.text


def test_a_long_wait_offers_a_call_back_that_becomes_a_task_and_reaches_the_caller(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = make_desk(live_server_factory, fake_twilio, operator_callback_offer_seconds=90)
    desk.caller_presses_0(CALLER_SID)
    request_id = desk.request_id(CALLER_SID)
    clock = desk.server.clock

    early = _wait(desk)
    assert "工作人员正在忙" in early and "<Gather" not in early and "<Pause" in early
    clock.set(desk.row(request_id).queued_at + timedelta(seconds=91))
    offer = _wait(desk)
    assert "<Gather" in offer and "请按1" in offer and "/twilio/operators/wait/choice" in offer

    # A key other than 1 keeps the caller waiting; 1 ends the wait with a goodbye.
    other = desk.twilio_post(
        "/twilio/operators/wait/choice", {"CallSid": CALLER_SID, "Digits": "2"}
    )
    assert "请继续等待" in other.text and desk.row(request_id).status == RequestStatus.WAITING
    chosen = desk.twilio_post(
        "/twilio/operators/wait/choice", {"CallSid": CALLER_SID, "Digits": "1"}
    )
    assert "会尽快给您回电话" in chosen.text and "<Leave" in chosen.text
    left = desk.twilio_post(
        "/twilio/operators/left", {"CallSid": CALLER_SID, "QueueResult": "leave"}
    )
    assert "<Hangup" in left.text
    desk.hang_up(CALLER_SID)  # the status callback after the goodbye: the task stays
    assert desk.row(request_id).status == RequestStatus.CALLBACK

    op1, token = desk.operator("op1")
    panel = op1.get("/dispatch/operators.html").text
    assert "待回拨" in panel and f'id="call-back-{request_id}"' in panel

    # 回拨: the operator's phone first ...
    assert (
        op1.post(
            f"/dispatch/operators/{request_id}/call-back", data={"csrf_token": token}
        ).status_code
        == 303
    )
    [ring] = desk.rings()
    assert ring.form["To"] == OP1_PHONE and ring_request_id(ring) == request_id
    assert "/twilio/operators/callback-answer" in ring.form["Url"]
    # ... then, once the operator answers, the caller, shown the hotline's number.
    url = urlsplit(ring.form["Url"])
    dial = desk.twilio_post(f"{url.path}?{url.query}", {"CallSid": desk.leg()})
    assert f'callerId="{HOTLINE}"' in dial.text and f"<Number>{ZHANG}</Number>" in dial.text
    assert "/twilio/operators/callback-result" in dial.text

    # The caller does not answer: shown, and the task can be retried.
    told = _callback_result(desk, ring.form["Url"], "no-answer")
    assert "来电者没有接电话" in told
    row = desk.row(request_id)
    assert row.status == RequestStatus.CALLBACK and row.outcome == CallbackOutcome.NO_ANSWER
    panel = op1.get("/dispatch/operators.html").text
    assert "上次回拨：来电者未接（第1次）" in panel and "重新回拨" in panel

    assert (
        op1.post(
            f"/dispatch/operators/{request_id}/call-back", data={"csrf_token": token}
        ).status_code
        == 303
    )
    assert len(desk.rings()) == 2
    _callback_result(desk, desk.rings()[-1].form["Url"], "completed")
    row = desk.row(request_id)
    assert row.status == RequestStatus.DONE and row.outcome == CallbackOutcome.CONNECTED
    assert row.attempts == 2


def test_call_back_from_the_ride_queue_rings_the_operator_then_the_caller(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    op1, token = desk.operator("op1")
    ordered = op1.post("/dispatch/orders", data={"csrf_token": token, "caller_number": ZHANG})
    assert ordered.status_code == 303
    with desk.server.db.session() as session:
        ride_id = session.scalars(select(Ride.id)).one()

    answer = op1.post(f"/dispatch/rides/{ride_id}/call-back", data={"csrf_token": token})
    assert (
        answer.status_code == 303 and "正在拨打您的电话" in op1.get(answer.headers["location"]).text
    )
    [ring] = desk.rings()
    assert ring.form["To"] == OP1_PHONE
    request_id = ring_request_id(ring)
    assert desk.row(request_id).ride_id == ride_id

    # The operator never picks their phone up: the task is back, marked so.
    status = urlsplit(ring.form["StatusCallback"])
    desk.twilio_post(
        f"{status.path}?{status.query}", {"CallSid": desk.leg(), "CallStatus": "no-answer"}
    )
    row = desk.row(request_id)
    assert row.status == RequestStatus.CALLBACK
    assert row.outcome == CallbackOutcome.OPERATOR_NO_ANSWER
    assert "调度员电话未接通" in op1.get("/dispatch/operators.html").text

    # A second 回拨 on the ride reuses the same task instead of adding another.
    op1.post(f"/dispatch/rides/{ride_id}/call-back", data={"csrf_token": token})
    assert [ring_request_id(r) for r in desk.rings()] == [request_id, request_id]


def test_an_operator_without_a_phone_or_without_twilio_is_told_why(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    desk.caller_presses_0(CALLER_SID)
    request_id = desk.request_id(CALLER_SID)
    set_phone(desk, "op1", "")
    op1, token = desk.operator("op1")
    assert "您的账号还没有设置电话号码" in op1.get("/dispatch").text
    refused = op1.post(f"/dispatch/operators/{request_id}/pick-up", data={"csrf_token": token})
    assert "还没有设置电话号码" in refusal(op1, refused)
    assert desk.row(request_id).status == RequestStatus.WAITING and desk.rings() == []

    set_phone(desk, "op1", OP1_PHONE)
    unconfigured = Desk(
        live_server_factory(public_base_url="https://hotline.example.org"), fake_twilio
    )
    op, token = unconfigured.operator("op1")
    answer = op.post(f"/dispatch/operators/{request_id}/pick-up", data={"csrf_token": token})
    assert "没有配置电话服务" in refusal(op, answer)
