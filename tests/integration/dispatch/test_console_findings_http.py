"""What staff trying the dispatch console ran into, over real HTTP: a caller ordered twice,
drivers named ahead for a booked ride, "已通知" without a phone service, 暂无车辆 without
a confirmation, raw JSON 422 pages, full driver mobiles in the assign form."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

import httpx
import pytest
from sqlalchemy import func, select

from app.notify.models import OutboxMessage
from app.scheduler.runner import Scheduler
from app.staff.enums import StaffRole
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from support.booked import book_ride, kunming
from support.demo import demo_data
from support.live_server import LiveServer, add_staff, csrf_from, sign_in
from support.refusals import refusal

ZHANG = "+8613800000001"
NOT_SENT = "未发出：没有配置电话服务"
TWILIO = {
    "twilio_account_sid": "AC" + "0" * 32,
    "twilio_auth_token": "test-token",
    "twilio_from_number": "+868710000000",
    "outbox_in_process": False,  # nothing must try to reach Twilio from these tests
}


def _operator(server: LiveServer, now: datetime | None = None) -> tuple[httpx.Client, str]:
    demo_data(server.db)
    if now is not None:
        server.clock.set(now)
    add_staff(server.db, "op1", StaffRole.OPERATOR)
    client = server.client()
    assert sign_in(client, "op1").status_code == 303
    return client, csrf_from(client.get("/dispatch").text)


def _rides(server: LiveServer) -> list[Ride]:
    with server.db.session() as session:
        return list(session.scalars(select(Ride).order_by(Ride.id)))


def _driver(server: LiveServer, plate: str) -> Driver:
    with server.db.session() as session:
        return session.scalars(select(Driver).where(Driver.plate == plate)).one()


def _alert(html: str) -> str:
    found = re.search(r'<p class="alert" role="alert"[^>]*>([^<]*)<', html)
    assert found, html[-2000:]
    return found.group(1)


def test_a_second_order_for_a_caller_with_an_open_ride_needs_a_confirmation(
    live_server: LiveServer,
) -> None:
    client, token = _operator(live_server)
    order = {"csrf_token": token, "caller_number": "138 0000 0001", "destination": "翠湖公园"}
    assert client.post("/dispatch/orders", data=order).status_code == 303
    (first,) = _rides(live_server)

    posted = client.post("/dispatch/orders", data={**order, "caller_number": "+86 13800000001"})
    assert posted.status_code == 303 and posted.headers["location"] == "/dispatch"
    assert "13800000001" not in posted.headers["location"]
    again = client.get("/dispatch")
    assert "已经有 1 张没有结束的叫车单" in _alert(again.text)
    assert f"叫车单 #{first.id}" in again.text and "等待派车" in again.text
    assert 'name="duplicate_ok" value="true"' in again.text
    assert 'value="翠湖公园"' in again.text  # what was typed is kept
    assert len(_rides(live_server)) == 1  # nothing queued yet

    confirmed = client.post("/dispatch/orders", data={**order, "duplicate_ok": "true"})
    assert confirmed.status_code == 303
    assert [r.caller_number for r in _rides(live_server)] == [ZHANG, ZHANG]

    # Once the first rides are finished (cancelled here), no warning.
    with live_server.db.session() as session:
        for ride in session.scalars(select(Ride)):
            ride.status = RideStatus.CANCELLED
    assert client.post("/dispatch/orders", data=order).status_code == 303


def test_a_refused_order_keeps_what_the_operator_typed(live_server: LiveServer) -> None:
    client, token = _operator(live_server)
    order = {
        "csrf_token": token, "caller_number": "12345", "caller_name": "赵大妈",
        "pickup_address": "北京路100号", "destination": "翠湖公园",
    }
    posted = client.post("/dispatch/orders", data=order)
    # Post/Redirect/Get: a reload of the page never posts the order again.
    assert posted.status_code == 303 and posted.headers["location"] == "/dispatch"
    refused = client.get("/dispatch")
    assert refused.status_code == 200 and "电话号码格式不对" in _alert(refused.text)
    for typed in ("12345", "赵大妈", "北京路100号", "翠湖公园"):
        assert f'value="{typed}"' in refused.text, typed
    assert _rides(live_server) == []
    # Shown once: the next visit is an empty form.
    again = client.get("/dispatch").text
    assert "电话号码格式不对" not in again and 'value="赵大妈"' not in again


def test_a_booked_ride_offers_every_active_driver_and_takes_one_off_duty_now(
    live_server: LiveServer,
) -> None:
    now = kunming(30, 10)
    client, _ = _operator(live_server, now)
    ride_id = book_ride(live_server.db, number=ZHANG, pickup=kunming(1, 8), now=now)
    jiang = _driver(live_server, "云A·D3690")  # 蒋师傅: off duty in the demo data
    assert not jiang.on_duty
    page = client.get("/dispatch/scheduled").text
    row = page[page.index(f'id="booked-{ride_id}"'):]
    row = row[: row.index("</select>")]
    assert f'<option value="{jiang.id}" >云A·D3690 · 蒋师傅 · 现在下班</option>' in row
    assert "云A·D1234 · 刘师傅 · 爱心车队 · 现在在岗" in row
    version = re.search(rf'id="booked-{ride_id}" data-ride="{ride_id}" data-version="(\d+)"',
                        page)
    assert version
    answer = client.post(f"/dispatch/scheduled/{ride_id}/driver", data={
        "csrf_token": csrf_from(page), "version": version.group(1), "driver_id": str(jiang.id),
    })
    assert answer.status_code == 303, answer.text[-2000:]
    assert answer.headers["location"].endswith("done=driver_off_duty")
    assert "这位司机现在下班" in client.get(answer.headers["location"]).text
    with live_server.db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.driver_id == jiang.id
        assert ride.status == RideStatus.SCHEDULED
    # Still off duty at release: the ride waits in the queue for an operator, unassigned.
    Scheduler(live_server.db, live_server.settings, clock=lambda: kunming(1, 7, 30)).run_once()
    with live_server.db.session() as session:
        released = session.get(Ride, ride_id)
        assert released is not None and released.status == RideStatus.QUEUED
        assert released.driver_id is None
    # A ride now still needs a driver on duty.
    client.post("/dispatch/orders", data={"csrf_token": csrf_from(page),
                                          "caller_number": "13800000002"})
    now_ride = _rides(live_server)[-1]
    refused = client.post(f"/dispatch/rides/{now_ride.id}/assign", data={
        "csrf_token": csrf_from(page), "version": str(now_ride.version),
        "driver_id": str(jiang.id), "eta_minutes": "10",
    })
    assert "不在岗" in refusal(client, refused)


@pytest.mark.parametrize("twilio", [False, True], ids=["no-twilio", "twilio"])
def test_cancelling_a_booking_says_not_sent_without_a_phone_service(
    live_server_factory: Callable[..., LiveServer], twilio: bool
) -> None:
    server = live_server_factory(**(TWILIO if twilio else {}))
    said, not_said = ("已通知来电者", NOT_SENT) if twilio else (NOT_SENT, "已通知来电者")
    now = kunming(30, 10)
    client, _ = _operator(server, now)
    ride_id = book_ride(server.db, number=ZHANG, pickup=kunming(1, 8), now=now)
    page = client.get("/dispatch/scheduled").text
    version = re.search(rf'id="booked-{ride_id}" data-ride="{ride_id}" data-version="(\d+)"',
                        page)
    assert version
    answer = client.post(f"/dispatch/scheduled/{ride_id}/cancel", data={
        "csrf_token": csrf_from(page), "version": version.group(1), "reason": "重复下单",
    })
    assert answer.status_code == 303
    notice = client.get(answer.headers["location"]).text
    assert said in notice and not_said not in notice
    with server.db.session() as session:  # the message waits in the outbox either way
        assert session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_no_car_is_only_sent_once_confirmed(live_server: LiveServer) -> None:
    client, token = _operator(live_server)
    client.post("/dispatch/orders", data={"csrf_token": token, "caller_number": ZHANG})
    (ride,) = _rides(live_server)
    queue = client.get("/dispatch/queue.html").text
    assert f'id="no-car-{ride.id}">暂无车辆</summary>' in queue  # a button that opens a form
    assert "确认：暂无车辆" in queue
    unconfirmed = client.post(f"/dispatch/rides/{ride.id}/no-car",
                              data={"csrf_token": token, "version": str(ride.version)})
    assert "确认：暂无车辆" in refusal(client, unconfirmed)
    with live_server.db.session() as session:
        assert session.get(Ride, ride.id).status == RideStatus.QUEUED  # type: ignore[union-attr]
        assert session.scalar(select(func.count(OutboxMessage.id))) == 0
    confirmed = client.post(f"/dispatch/rides/{ride.id}/no-car", data={
        "csrf_token": token, "version": str(ride.version), "confirmed": "true",
    })
    assert confirmed.status_code == 303
    assert _rides(live_server)[0].status == RideStatus.NO_CAR


def test_bad_form_input_answers_with_the_page_and_a_chinese_message(
    live_server: LiveServer,
) -> None:
    client, token = _operator(live_server)
    client.post("/dispatch/orders", data={"csrf_token": token, "caller_number": ZHANG})
    (ride,) = _rides(live_server)
    liu = _driver(live_server, "云A·D1234")
    cases = [  # (path, form, page it comes back to, field named)
        (f"/dispatch/rides/{ride.id}/assign",
         {"version": "1", "driver_id": "", "eta_minutes": "10"}, "/dispatch", "司机"),
        (f"/dispatch/rides/{ride.id}/assign",
         {"version": "abc", "driver_id": str(liu.id), "eta_minutes": "ten"}, "/dispatch",
         "多少分钟到"),
        (f"/dispatch/rides/{ride.id}/cancel", {"version": "-1"}, "/dispatch", "页面已过期"),
        ("/dispatch/orders", {"caller_number": ZHANG, "caller_name": "张" * 51}, "/dispatch",
         "姓名"),
        ("/dispatch/fleet/drivers", {"company_id": "x", "name": "钱师傅"}, "/dispatch/fleet",
         "所属公司"),
        (f"/dispatch/fleet/drivers/{liu.id}", {"company_id": ""},
         f"/dispatch/fleet/drivers/{liu.id}", "所属公司"),
        ("/dispatch/scheduled/1/cancel", {"version": ""}, "/dispatch/scheduled", "页面已过期"),
    ]
    for path, form, page, field in cases:
        referer = {"referer": f"{live_server.url}{page}?done=assigned"}
        answer = client.post(path, data={"csrf_token": token, **form}, headers=referer)
        assert answer.status_code == 303, (path, answer.text[:300])
        location = answer.headers["location"]
        assert location.startswith(f"{page}?problem=form"), (path, location)
        shown = client.get(location)
        assert shown.status_code == 200 and shown.headers["content-type"].startswith("text/html")
        message = _alert(shown.text)
        assert "提交的内容有误" in message and field in message, (path, message)
    # Without a referer, the page of the route's area.
    answer = client.post("/dispatch/fleet/drivers", data={"csrf_token": token, "company_id": "x"})
    assert answer.headers["location"].startswith("/dispatch/fleet?problem=form")
    # A page number that is none is the first page, not a refusal (app.consoles.paging).
    for bad in ("0", "abc", "-1"):
        history = client.get(f"/dispatch/history?page={bad}")
        assert history.status_code == 200 and "提交的内容有误" not in history.text, bad
    # Nothing changed; a script asking for JSON still gets the JSON 422.
    assert _rides(live_server)[0].status == RideStatus.QUEUED
    scripted = client.post(f"/dispatch/rides/{ride.id}/assign",
                           data={"csrf_token": token, "version": "x"},
                           headers={"accept": "application/json"})
    assert scripted.status_code == 422
    # The role check still comes first: a nurse's bad form is a 403, not a page.
    with live_server.client() as anonymous:
        refused = anonymous.post(f"/dispatch/rides/{ride.id}/assign", data={"version": "x"})
        assert refused.status_code in (303, 403) and "problem=form" not in refused.headers.get(
            "location", "")


def test_the_assign_form_masks_driver_mobiles(live_server: LiveServer) -> None:
    client, token = _operator(live_server)
    client.post("/dispatch/orders", data={"csrf_token": token, "caller_number": ZHANG})
    queue = client.get("/dispatch/queue.html").text
    assert "云A·D1234 · 刘师傅 · 137****0001 · 爱心车队" in queue
    assert "13700000001" not in queue and "+8613700000001" not in queue
