"""后台下单 for a later day over real HTTP: an operator books "a car tomorrow at 7" for a
caller who phoned, through the phone flow's booking service (rules, one car per hour, the
release and the reminder); refused input comes back (303, flash cookie) with a Chinese
message and what was typed."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest
from sqlalchemy import select

from app.scheduler.models import ScheduledJob
from app.scheduler.runner import Scheduler
from app.staff.enums import StaffRole
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.booked import kunming
from support.demo import demo_data
from support.live_server import (
    LiveServer,
    add_community,
    add_hospital,
    add_staff,
    csrf_from,
    sign_in,
)

ZHANG = "+8613800000001"
NOW = kunming(30, 10)  # Monday 30 November 2026, 10:00 in Kunming


def _operator(server: LiveServer, now: datetime = NOW) -> tuple[httpx.Client, str]:
    demo_data(server.db)
    server.clock.set(now)
    add_staff(server.db, "op1", StaffRole.OPERATOR)
    client = server.client()
    assert sign_in(client, "op1").status_code == 303
    return client, csrf_from(client.get("/dispatch").text)


def _rides(server: LiveServer) -> list[Ride]:
    with server.db.session() as session:
        return list(session.scalars(select(Ride).order_by(Ride.id)))


def _alert(html: str) -> str:
    found = re.search(r'<p class="alert" role="alert"[^>]*>([^<]*)<', html)
    assert found, html[-2000:]
    return found.group(1)


def test_an_operator_books_a_car_for_tomorrow_morning(live_server: LiveServer) -> None:
    client, token = _operator(live_server)
    page = client.get("/dispatch").text
    assert '<option value="" selected>现在</option>' in page  # a ride now by default
    assert '<option value="2026-12-01">明天（12月1日）</option>' in page
    assert 'value="2026-12-07"' in page and 'value="2026-12-08"' not in page  # 7 days

    answer = client.post("/dispatch/orders", data={
        "csrf_token": token, "caller_number": "138 0000 0001", "destination": "翠湖公园",
        "pickup_day": "2026-12-01", "pickup_time": "07:00",
    })
    assert answer.status_code == 303, answer.text[-2000:]
    (ride,) = _rides(live_server)
    assert answer.headers["location"] == f"/dispatch/scheduled?done=booked_ahead#booked-{ride.id}"
    assert ride.status == RideStatus.SCHEDULED and ride.caller_number == ZHANG
    assert ride.pickup_at == kunming(1, 7)
    assert ride.person_id is not None and ride.created_by_staff_id is not None
    with live_server.db.session() as session:
        jobs = {j.key: j.due_at for j in session.scalars(select(ScheduledJob))}
    assert jobs == {f"release_ride:{ride.id}": kunming(1, 6, 30),
                    f"remind_ride:{ride.id}": kunming(30, 19)}

    # Not in the live queue; on 预约用车 with the time as the caller would hear it.
    assert f'id="ride-{ride.id}"' not in client.get("/dispatch/queue.html").text
    booked = client.get(answer.headers["location"]).text
    assert "后台预约成功" in booked and f'id="booked-{ride.id}"' in booked
    row = booked[booked.index(f'id="booked-{ride.id}"'):][:3000]
    assert "明天早上7点" in row and "翠湖公园" in row

    # The scheduler releases it into the live queue half an hour before the pickup.
    Scheduler(live_server.db, live_server.settings, clock=lambda: kunming(1, 6, 30)).run_once()
    (released,) = _rides(live_server)
    assert released.status == RideStatus.QUEUED


def test_a_ride_now_is_still_queued_at_once(live_server: LiveServer) -> None:
    client, token = _operator(live_server)
    answer = client.post("/dispatch/orders", data={
        "csrf_token": token, "caller_number": ZHANG, "pickup_day": "", "pickup_time": "",
    })
    assert answer.headers["location"] == "/dispatch?done=queued"
    (ride,) = _rides(live_server)
    assert ride.status == RideStatus.QUEUED and ride.pickup_at is None
    # Booked for this afternoon: no reminder the evening before, and the notice says so.
    today = client.post("/dispatch/orders", data={
        "csrf_token": token, "caller_number": ZHANG, "pickup_day": "2026-11-30",
        "pickup_time": "15:00", "duplicate_ok": "true",
    })
    assert today.status_code == 303, today.text[-2000:]
    notice = client.get(today.headers["location"].split("#")[0]).text
    assert "后台预约成功" in notice and "这次不会再发提醒" in notice
    assert "前一天晚上收到提醒" not in notice


@pytest.mark.parametrize(
    ("day", "time", "said"),
    [
        ("2026-12-01", "05:30", "预约的车只在早上6点到晚上10点之间接人"),
        ("2026-12-01", "22:00", "预约的车只在早上6点到晚上10点之间接人"),
        ("2026-12-08", "08:00", "只能预约7天以内的车"),
        ("2026-11-29", "08:00", "只能预约7天以内的车"),
        ("2026-11-30", "09:00", "这个时间已经过去了"),
        ("2026-11-30", "10:20", "这个时间很快就到了（30分钟以内）"),
        ("2026-12-01", "", "请填写接人时间"),
        ("", "08:00", "请再选用车日期"),
        ("2026-12-01", "25:00", "接人时间“25:00”看不懂"),
        ("2026-12-01", "8点", "接人时间“8点”看不懂"),
    ],
)
def test_a_day_or_time_that_cannot_be_booked_comes_back_with_what_was_typed(
    live_server: LiveServer, day: str, time: str, said: str
) -> None:
    client, token = _operator(live_server)
    posted = client.post("/dispatch/orders", data={
        "csrf_token": token, "caller_number": "13900000009", "caller_name": "赵大妈",
        "pickup_address": "北京路100号", "pickup_day": day, "pickup_time": time,
    })
    assert posted.status_code == 303 and posted.headers["location"] == "/dispatch"
    page = client.get("/dispatch").text
    assert said in _alert(page)
    for typed in ("13900000009", "赵大妈", "北京路100号"):
        assert f'value="{typed}"' in page, typed
    typed_time = re.search(r'id="order-time" name="pickup_time"[^>]* value="([^"]*)"', page)
    assert typed_time and typed_time.group(1) == time
    chosen = re.search(r'<option value="([^"]*)" selected>', page)
    if day in ("2026-12-08", "2026-11-29"):  # not in the list (forged): none selected
        assert chosen is None
    else:
        assert chosen and chosen.group(1) == day, day
    assert _rides(live_server) == []


def test_one_car_per_hour_for_a_rider(live_server: LiveServer) -> None:
    client, token = _operator(live_server)
    order = {"csrf_token": token, "caller_number": ZHANG, "pickup_day": "2026-12-01"}
    first_order = client.post("/dispatch/orders", data={**order, "pickup_time": "07:00"})
    assert first_order.status_code == 303
    (first,) = _rides(live_server)

    refused = client.post("/dispatch/orders", data={**order, "pickup_time": "07:45"})
    assert refused.headers["location"] == "/dispatch"
    message = _alert(client.get("/dispatch").text)
    assert f"明天早上7点已经约了车（叫车单 #{first.id}）" in message
    assert len(_rides(live_server)) == 1

    later = client.post("/dispatch/orders", data={**order, "pickup_time": "08:00"})
    assert later.headers["location"].startswith("/dispatch/scheduled?done=booked_ahead")
    assert [r.pickup_at for r in _rides(live_server)] == [kunming(1, 7), kunming(1, 8)]


def test_only_operators_book_ahead_and_only_with_the_csrf_token(
    live_server: LiveServer,
) -> None:
    demo_data(live_server.db)
    live_server.clock.set(NOW)
    order = {"caller_number": ZHANG, "pickup_day": "2026-12-01", "pickup_time": "07:00"}
    add_staff(live_server.db, "nurse", StaffRole.HOSPITAL_STAFF,
              hospital_id=add_hospital(live_server.db))
    add_staff(live_server.db, "social", StaffRole.COMMUNITY_STAFF,
              community_id=add_community(live_server.db, "测试社区"))
    for name in ("nurse", "social"):
        with live_server.client() as other:
            sign_in(other, name)
            token = csrf_from(other.get("/console").text)
            answer = other.post("/dispatch/orders", data={"csrf_token": token, **order})
            assert answer.status_code == 403, name
    with live_server.client() as anonymous:
        assert anonymous.post("/dispatch/orders", data=order).status_code in (303, 401, 403)
    add_staff(live_server.db, "op1", StaffRole.OPERATOR)
    with live_server.client() as operator:
        sign_in(operator, "op1")
        answer = operator.post("/dispatch/orders", data=order)
        assert answer.status_code == 403 and "表单校验失败" in answer.text
    assert _rides(live_server) == []


def test_a_long_refused_order_still_fits_its_cookie(live_server: LiveServer) -> None:
    """The flash cookie holds about 4 KB: the longest typed order with five open rides
    listed still comes back whole (a cookie too big would be dropped by the browser)."""
    client, token = _operator(live_server)
    long = {"csrf_token": token, "caller_number": ZHANG, "caller_name": "赵" * 50,
            "pickup_address": "北" * 200, "destination": "翠" * 200}
    for _ in range(6):
        answer = client.post("/dispatch/orders", data={**long, "duplicate_ok": "true"})
        assert answer.status_code == 303
    refused = client.post("/dispatch/orders", data=long)
    assert refused.headers["location"] == "/dispatch"
    assert len(refused.headers["set-cookie"]) < 4096
    page = client.get("/dispatch").text
    assert "已经有 6 张没有结束的叫车单" in _alert(page)
    listed = page[page.index('id="duplicate-order"'):]
    assert listed[: listed.index("</ul>")].count("<li>") == 5
    assert 'value="' + "翠" * 200 + '"' in page
