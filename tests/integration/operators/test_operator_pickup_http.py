"""Picking up a caller waiting for a person, over real HTTP with the fake Twilio.

A caller presses 0 (signed webhooks to the live server), the panel lists them, an
operator picks up: Twilio is asked to ring the operator's own phone, and when that call is
answered the waiting caller's call is redirected into the conference the operator joins.
The races of the issue each get a test: two operators at once, a caller who has just hung
up, an operator's phone that does not answer.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import httpx
from sqlalchemy import select

from app.operators.enums import RequestStatus
from app.taxi.models import Ride
from support.fake_twilio import FakeTwilio
from support.live_server import LiveServer
from support.operator_desk import OP1_PHONE, OP2_PHONE, ZHANG, Desk, make_desk, ring_request_id
from support.refusals import refusal

CALLER_SID = "CA" + "c" * 32
SECOND_SID = "CA" + "d" * 32


def _desk(factory: Callable[..., LiveServer], twilio: FakeTwilio) -> Desk:
    return make_desk(factory, twilio)


def test_a_caller_who_pressed_0_is_picked_up_and_bridged_to_the_operator(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = _desk(live_server_factory, fake_twilio)
    desk.caller_presses_0(CALLER_SID)
    op1, token = desk.operator("op1")

    panel = op1.get("/dispatch/operators.html").text
    assert "张奶奶" in panel and "138****0001" in panel and "13800000001" not in panel
    assert "来电者要求转人工" in panel and "按了 0" in panel
    reached = re.search(r'class="reached">(.*?)</span>', panel)
    assert reached is not None and reached.group(1).startswith("到了：主菜单"), panel
    assert not re.search(r"[A-Za-z_]", reached.group(1))  # no internal state name ("menu")

    request_id = desk.request_id(CALLER_SID)
    picked = op1.post(f"/dispatch/operators/{request_id}/pick-up", data={"csrf_token": token})
    assert picked.status_code == 303
    assert picked.headers["location"] == "/dispatch?done=caller_picked_up"

    [ring] = desk.rings()
    assert ring.form["To"] == OP1_PHONE and ring_request_id(ring) == request_id
    assert ring.form["Url"].startswith("https://hotline.example.org/twilio/operators/answer")
    assert desk.row(request_id).status == RequestStatus.RINGING
    assert "正在呼叫调度1的电话" in op1.get("/dispatch/operators.html").text

    bridge = desk.answer(ring, desk.leg())
    room = f"operator-request-{request_id}"
    assert bridge.status_code == 200 and f">{room}</Conference>" in bridge.text
    [redirect] = fake_twilio.updates(CALLER_SID)
    assert f">{room}</Conference>" in redirect.form["Twiml"]
    assert desk.row(request_id).status == RequestStatus.CONNECTED

    # The operator talking sees the screen-pop (family too), numbers masked behind 显示号码.
    mine = op1.get("/dispatch/operators.html").text
    assert "138****0001" in mine and "通话中" in mine and "家属：" in mine
    assert "13800000001" not in mine and "显示号码" in mine
    # ... and places the ride for the caller: the number comes from the call.
    ordered = op1.post(
        f"/dispatch/operators/{request_id}/order",
        data={"csrf_token": token, "destination": "省人民医院", "to_hospital": "true"},
    )
    assert ordered.status_code == 303 and ordered.headers["location"] == "/dispatch?done=ordered"
    with desk.server.db.session() as session:
        ride = session.scalars(select(Ride)).one()
        assert ride.caller_number == ZHANG and ride.person_id is not None and ride.to_hospital
        assert ride.pickup_address and ride.destination == "省人民医院"
        first_id = ride.id
    # A second order while that ride waits: warned, not queued, until confirmed.
    again = op1.post(f"/dispatch/operators/{request_id}/order",
                     data={"csrf_token": token, "destination": "省人民医院"})
    assert again.headers["location"] == f"/dispatch#operator-request-{request_id}"
    assert f"#{first_id}（等待派车）" in refusal(op1, again)
    # The refused order came back with its form open and what was typed (once).
    op1.post(f"/dispatch/operators/{request_id}/order",
             data={"csrf_token": token, "destination": "金马寺", "to_hospital": "true"})
    kept = op1.get("/dispatch").text
    form = re.search(rf'<details class="act" data-key="order-{request_id}"[^>]*>.*?</details>',
                     kept, re.S)
    assert form is not None and f'data-key="order-{request_id}" open' in form.group(0)
    assert 'value="金马寺"' in form.group(0)
    assert re.search(r'name="to_hospital" value="true" checked', form.group(0))
    assert 'value="金马寺"' not in op1.get("/dispatch").text
    confirmed = op1.post(f"/dispatch/operators/{request_id}/order",
                         data={"csrf_token": token, "destination": "翠湖", "duplicate_ok": "true"})
    assert confirmed.status_code == 303
    with desk.server.db.session() as session:
        assert [r.destination for r in session.scalars(select(Ride).order_by(Ride.id))] == [
            "省人民医院", "翠湖"]

    # A second operator clicking late is told who has the caller; nothing is dialled.
    op2, token2 = desk.operator("op2")
    assert "13800000001" not in op2.get("/dispatch/operators.html").text
    late = op2.post(f"/dispatch/operators/{request_id}/pick-up", data={"csrf_token": token2})
    assert "已经由调度1接起了" in refusal(op2, late)
    assert len(desk.rings()) == 1

    # The conversation ends: the row leaves the panel.
    desk.status(ring, desk.leg(), "completed")
    assert desk.row(request_id).status == RequestStatus.DONE
    assert "现在没有等待人工的来电者" in op1.get("/dispatch/operators.html").text


def test_two_operators_picking_up_at_once_ring_one_phone_and_tell_the_other(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = _desk(live_server_factory, fake_twilio)
    desk.caller_presses_0(CALLER_SID)
    request_id = desk.request_id(CALLER_SID)
    clients = [desk.operator("op1"), desk.operator("op2")]
    start = threading.Barrier(2)
    answers: list[tuple[httpx.Client, httpx.Response]] = []

    def click(client: httpx.Client, token: str) -> None:
        start.wait()
        answers.append((client, client.post(
            f"/dispatch/operators/{request_id}/pick-up", data={"csrf_token": token}
        )))

    threads = [threading.Thread(target=click, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    places = sorted(a.headers["location"] for _, a in answers)
    assert places == [f"/dispatch#operator-request-{request_id}", "/dispatch?done=caller_picked_up"]
    loser, refused = next((c, a) for c, a in answers if "#" in a.headers["location"])
    assert "已经由调度" in refusal(loser, refused)
    [ring] = desk.rings()
    assert ring.form["To"] in (OP1_PHONE, OP2_PHONE)
    assert desk.row(request_id).operator_id is not None


def test_a_caller_who_hung_up_leaves_the_panel_and_cannot_be_picked_up(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = _desk(live_server_factory, fake_twilio)
    desk.caller_presses_0(CALLER_SID)
    request_id = desk.request_id(CALLER_SID)
    op1, token = desk.operator("op1")
    redirected = desk.twilio_post(
        "/twilio/operators/left", {"CallSid": CALLER_SID, "QueueResult": "redirected"}
    )
    assert "<Hangup" not in redirected.text
    assert desk.row(request_id).status == RequestStatus.WAITING
    desk.hang_up(CALLER_SID)  # Twilio's status callback
    assert desk.row(request_id).status == RequestStatus.LEFT
    # Another caller leaves the queue by hanging up: the queue's action says so.
    desk.caller_presses_0(SECOND_SID, number="+8613800000099")
    desk.twilio_post("/twilio/operators/left", {"CallSid": SECOND_SID, "QueueResult": "hangup"})
    assert desk.row(desk.request_id(SECOND_SID)).status == RequestStatus.LEFT
    assert "张奶奶" not in op1.get("/dispatch/operators.html").text
    refused = op1.post(f"/dispatch/operators/{request_id}/pick-up", data={"csrf_token": token})
    assert "来电者已经挂断了" in refusal(op1, refused)
    assert desk.rings() == []
    gone = op1.post(f"/dispatch/operators/{request_id}/order", data={"csrf_token": token})
    assert "找不到这位来电者" in refusal(op1, gone)


def test_a_caller_who_hangs_up_while_the_operator_phone_rings_is_reported_to_the_operator(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = _desk(live_server_factory, fake_twilio)
    desk.caller_presses_0(CALLER_SID)
    request_id = desk.request_id(CALLER_SID)
    op1, token = desk.operator("op1")
    op1.post(f"/dispatch/operators/{request_id}/pick-up", data={"csrf_token": token})
    [ring] = desk.rings()
    fake_twilio.ended_calls.add(CALLER_SID)  # gone before Twilio's status callback came
    told = desk.answer(ring, desk.leg())
    assert "来电者已经挂断了" in told.text and "<Hangup" in told.text
    assert "Conference" not in told.text
    assert desk.row(request_id).status == RequestStatus.LEFT


def test_an_operator_phone_that_does_not_answer_leaves_the_caller_first_in_line(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = _desk(live_server_factory, fake_twilio)
    desk.caller_presses_0(CALLER_SID)
    desk.caller_presses_0(SECOND_SID, number="+8613800000099")
    first = desk.request_id(CALLER_SID)
    op1, token = desk.operator("op1")
    op1.post(f"/dispatch/operators/{first}/pick-up", data={"csrf_token": token})
    [ring] = desk.rings()

    desk.status(ring, desk.leg(), "no-answer")
    row = desk.row(first)
    assert row.status == RequestStatus.WAITING and row.operator_id is None
    assert row.operator_call_sid is None
    panel = op1.get("/dispatch/operators.html").text
    second = desk.request_id(SECOND_SID)
    # An unregistered caller's ride needs a pickup: the operator is told, nothing queued.
    no_pickup = op1.post(f"/dispatch/operators/{second}/order", data={"csrf_token": token})
    assert "上车地点" in refusal(op1, no_pickup)
    assert re.findall(r'id="operator-request-(\d+)"', panel) == [str(first), str(second)]
    assert "调度员的电话没有接通，来电者仍在排队" in panel
    assert fake_twilio.updates(CALLER_SID) == []  # the caller never left the queue

    # A late "completed" for that unanswered leg changes nothing; another operator can take it.
    desk.status(ring, desk.leg(), "completed")
    assert desk.row(first).status == RequestStatus.WAITING
    op2, token2 = desk.operator("op2")
    again = op2.post(f"/dispatch/operators/{first}/pick-up", data={"csrf_token": token2})
    assert again.status_code == 303 and desk.rings()[-1].form["To"] == OP2_PHONE


def test_twilio_refusing_the_ring_puts_the_caller_back_with_the_reason(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = _desk(live_server_factory, fake_twilio)
    desk.caller_presses_0(CALLER_SID)
    request_id = desk.request_id(CALLER_SID)
    op1, token = desk.operator("op1")
    fake_twilio.fail_next("error400")
    refused = op1.post(f"/dispatch/operators/{request_id}/pick-up", data={"csrf_token": token})
    assert "电话服务没有接受这次呼叫" in refusal(op1, refused)
    row = desk.row(request_id)
    assert row.status == RequestStatus.WAITING and row.operator_id is None
