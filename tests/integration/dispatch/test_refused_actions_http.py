"""A refused action of the dispatch page answers Post/Redirect/Get, over real HTTP: 派车,
取消 and 暂无车辆 on a stale page (someone else changed the ride) and a refused 后台下单 go
back (303) to /dispatch, which shows the reason once with the form opened again and what
was typed; a reload shows the page plain and posts nothing. The flash keeps what was typed
on the server: the cookie holds a random token, never the caller's number."""

from __future__ import annotations

import base64
import re

from sqlalchemy import select

from app.staff.enums import StaffRole
from app.staff.models import StaffFlash
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from support.booked import kunming
from support.dispatch_page import action_form as _details
from support.dispatch_page import operator as _operator
from support.dispatch_page import queued_ride as _queued_ride
from support.live_server import LiveServer, add_staff, sign_in

NOW = kunming(30, 10)  # Monday 30 November 2026, 10:00 in Kunming
ZHANG = "13800000001"


def _free_drivers(server: LiveServer) -> list[Driver]:
    with server.db.session() as session:
        return list(session.scalars(
            select(Driver).where(Driver.on_duty.is_(True), Driver.active.is_(True))
            .order_by(Driver.id)
        ))


def _alert(html: str) -> str | None:
    found = re.search(r'<p class="alert" role="alert"[^>]*>([^<]*)<', html)
    return found.group(1) if found else None


def test_a_stale_assign_comes_back_with_the_driver_and_minutes_chosen(
    live_server: LiveServer,
) -> None:
    client, token = _operator(live_server)
    ride = _queued_ride(live_server, client, token)
    second = _free_drivers(live_server)[1]
    # Another operator changed the ride since this page was drawn (its version moved on).
    refused = client.post(f"/dispatch/rides/{ride.id}/assign", data={
        "csrf_token": token, "version": str(ride.version + 1),
        "driver_id": str(second.id), "eta_minutes": "30",
    })
    assert refused.status_code == 303
    assert refused.headers["location"] == f"/dispatch#ride-{ride.id}"
    with live_server.db.session() as session:
        kept = session.get(Ride, ride.id)
        assert kept is not None and kept.driver_id is None and kept.version == ride.version

    page = client.get("/dispatch").text
    assert _alert(page)
    form = _details(page, f"assign-{ride.id}")
    assert form.startswith(f'<details class="act" data-key="assign-{ride.id}" open>')
    assert f'<option value="{second.id}" selected>' in form
    assert '<option value="30" selected>30 分钟</option>' in form
    assert '<option value="10" selected>' not in form
    # Shown once: a reload is the plain page and sends nothing again.
    again = client.get("/dispatch").text
    assert _alert(again) is None
    assert f'data-key="assign-{ride.id}" open' not in again


def test_a_stale_cancel_keeps_the_reason_and_a_stale_no_car_opens_its_form(
    live_server: LiveServer,
) -> None:
    client, token = _operator(live_server)
    ride = _queued_ride(live_server, client, token)
    stale = str(ride.version + 1)
    cancel = client.post(f"/dispatch/rides/{ride.id}/cancel", data={
        "csrf_token": token, "version": stale, "reason": "联系不上来电者"})
    assert cancel.status_code == 303 and cancel.headers["location"].startswith("/dispatch")
    page = client.get("/dispatch").text
    assert _alert(page)
    form = _details(page, f"cancel-{ride.id}")
    assert f'data-key="cancel-{ride.id}" open' in form
    assert "<option selected>联系不上来电者</option>" in form

    no_car = client.post(f"/dispatch/rides/{ride.id}/no-car", data={
        "csrf_token": token, "version": stale, "confirmed": "true"})
    assert no_car.status_code == 303
    page = client.get("/dispatch").text
    assert _alert(page)
    assert f'data-key="no-car-{ride.id}" open' in page
    assert f'data-key="cancel-{ride.id}" open' not in page  # only the refused form
    with live_server.db.session() as session:
        kept = session.get(Ride, ride.id)
        assert kept is not None and kept.status == RideStatus.QUEUED


def test_a_refused_order_keeps_the_number_on_the_server_not_in_the_cookie(
    live_server: LiveServer,
) -> None:
    client, token = _operator(live_server)
    number = "13912345678"
    refused = client.post("/dispatch/orders", data={
        "csrf_token": token, "caller_number": number, "caller_name": "赵大爷",
        "pickup_address": "北京路 1 号", "pickup_day": "2026-12-01", "pickup_time": "03:00",
    })  # 3 a.m. is outside the service hours: refused
    assert refused.status_code == 303 and refused.headers["location"] == "/dispatch"
    cookie = client.cookies.get("ivr_flash", path="/dispatch")
    assert cookie
    raw_header = refused.headers["set-cookie"]
    for shape in (number, number[-4:], "赵大爷", "北京路"):
        assert shape not in raw_header and shape not in cookie
    assert "5678" not in re.sub(r"[^0-9]", "", cookie)
    for part in cookie.split("."):  # not merely encoded either (base64 of the JSON)
        decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        assert number.encode() not in decoded and "赵大爷".encode() not in decoded
    with live_server.db.session() as session:
        [row] = session.scalars(select(StaffFlash)).all()
        assert cookie not in row.token_hash and number in row.data  # kept here, hashed key

    # Another session with a copy of the cookie sees nothing, and takes nothing away.
    add_staff(live_server.db, "op2", StaffRole.OPERATOR)
    with live_server.client() as other:
        assert sign_in(other, "op2").status_code == 303
        other.cookies.set("ivr_flash", cookie, path="/dispatch")
        stolen = other.get("/dispatch").text
        assert _alert(stolen) is None and number not in stolen
    page = client.get("/dispatch").text
    assert _alert(page)
    assert f'value="{number}"' in page and 'value="赵大爷"' in page
    with live_server.db.session() as session:
        assert session.scalars(select(StaffFlash)).all() == []  # read once, then gone
    assert _alert(client.get("/dispatch").text) is None
