"""A refused action of the dispatch page answers Post/Redirect/Get, over real HTTP: 派车,
取消 and 暂无车辆 on a stale page (someone else changed the ride) and a refused 后台下单 go
back (303) to /dispatch, which shows the reason once with the form opened again and what
was typed; a reload shows the page plain and posts nothing. The flash keeps what was typed
on the server: the cookie holds a random token, never the caller's number."""

from __future__ import annotations

import base64
import logging
import re

import pytest
from sqlalchemy import select

from app.staff.enums import StaffRole
from app.staff.models import StaffFlash
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from support.booked import kunming, released_trip
from support.dispatch_page import action_form as _details
from support.dispatch_page import operator as _operator
from support.dispatch_page import queued_ride as _queued_ride
from support.live_server import LiveServer, add_hospital, add_staff, csrf_from, sign_in

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


def test_a_late_booked_car_is_replaced_from_its_row_refused_in_its_form(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture,
) -> None:
    """换车 on a released booking (a hospital trip the daughter ordered): the hospital's
    switchboard shown in full, the callers' numbers not; a stale 换车 refused inside its
    form; other roles refused; done, the ride waits again and a second 换车 is refused in
    the row (its form is gone)."""
    client, token = _operator(live_server)
    ride_id = released_trip(live_server.db, now=NOW)
    page = client.get("/dispatch").text
    row = re.search(rf'<tr id="ride-{ride_id}".*?</tr>', page, re.S)
    assert row is not None
    assert "电话 0871-5550101" in row.group(0) and "08715550102" not in row.group(0)
    for person in ("13900000001", "13800000001"):  # the daughter's and the patient's: never
        assert person not in page
    form = _details(page, f"replace-{ride_id}")
    version = int(re.findall(r'name="version" value="(\d+)"', form)[0])

    hospital = add_hospital(live_server.db)
    add_staff(live_server.db, "nurse", StaffRole.HOSPITAL_STAFF, hospital_id=hospital)
    with live_server.client() as nurse:
        assert sign_in(nurse, "nurse").status_code == 303
        answer = nurse.post(f"/dispatch/rides/{ride_id}/replace-car", data={
            "csrf_token": csrf_from(nurse.get("/console").text), "version": str(version)})
        assert answer.status_code == 403

    stale = client.post(f"/dispatch/rides/{ride_id}/replace-car", data={
        "csrf_token": token, "version": str(version - 1)})
    assert stale.headers["location"] == f"/dispatch#ride-{ride_id}"
    form = _details(client.get("/dispatch").text, f"replace-{ride_id}")
    assert form.startswith(f'<details class="act" data-key="replace-{ride_id}" open>')
    assert f'id="refusal-replace-{ride_id}">这张叫车单刚刚被其他调度员改过' in form

    caplog.set_level(logging.INFO)
    done = client.post(f"/dispatch/rides/{ride_id}/replace-car", data={
        "csrf_token": token, "version": str(version)})
    assert done.headers["location"] == "/dispatch?done=car_replaced"
    logged = [getattr(r, "fields", {}) for r in caplog.records
              if r.getMessage() == "dispatch action"]  # logged like every ride action
    assert {"action": "car_replaced", "ride_id": ride_id} in [
        {k: f.get(k) for k in ("action", "ride_id")} for f in logged]
    assert all(f.get("staff_user_id") for f in logged)
    with live_server.db.session() as session:
        ride = session.get_one(Ride, ride_id)
        assert (ride.status, ride.driver_id) == (RideStatus.QUEUED, None)
    again = client.post(f"/dispatch/rides/{ride_id}/replace-car", data={
        "csrf_token": token, "version": str(version + 1)})
    assert again.status_code == 303
    page = client.get("/dispatch").text
    assert f'data-key="replace-{ride_id}"' not in page
    assert f'id="refusal-ride-{ride_id}">这张预约单现在是“等待派车”，不能换车' in page
