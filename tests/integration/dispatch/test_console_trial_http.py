"""Findings of a browser trial of the dispatch console, over real HTTP: a refusal is shown
inside the form it concerns (not only at the top, out of view), a cancel needs a reason,
a stale 保存司机 says what the other operator changed and keeps the operator's choice, a
refused 定期用车 keeps what was typed, staff read no product or command names, a refused
page links to the user's own console, and a malformed console form answers Chinese."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from app.staff.enums import StaffRole
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, RegularRide, Ride
from support.booked import book_ride, kunming
from support.demo import demo_data
from support.dispatch_page import action_form as _details
from support.dispatch_page import operator as _operator
from support.dispatch_page import queued_ride as _queued_ride
from support.live_server import LiveServer, add_staff, csrf_from, sign_in

NOW = kunming(30, 10)  # Monday 30 November 2026, 10:00 in Kunming
ZHANG = "+8613800000001"


def _signed_in(server: LiveServer, username: str, role: StaffRole, **extra: object) -> (
    httpx.Client
):
    add_staff(server.db, username, role, **extra)
    client = server.client()
    assert sign_in(client, username).status_code == 303
    return client


def _ride(server: LiveServer, ride_id: int) -> Ride:
    with server.db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None
        return ride


def test_an_empty_cancel_reason_is_refused_inside_the_cancel_form(
    live_server: LiveServer,
) -> None:
    client, token = _operator(live_server)
    ride = _queued_ride(live_server, client, token)
    empty = client.post(f"/dispatch/rides/{ride.id}/cancel", data={
        "csrf_token": token, "version": str(ride.version), "reason": "  "})
    assert empty.status_code == 303
    kept = _ride(live_server, ride.id)
    assert kept.status == RideStatus.QUEUED and kept.cancel_reason is None
    form = _details(client.get("/dispatch").text, f"cancel-{ride.id}")
    # The message sits in the opened form, next to the row, not only at the top.
    assert f'data-key="cancel-{ride.id}" open' in form
    inside = re.search(r'class="alert form-alert" role="alert"[^>]*>([^<]*)<', form)
    assert inside is not None and "取消原因" in inside.group(1)


def test_a_stale_assign_shows_its_message_in_the_assign_form(
    live_server: LiveServer,
) -> None:
    client, token = _operator(live_server)
    ride = _queued_ride(live_server, client, token)
    with live_server.db.session() as session:
        driver_id = session.scalars(select(Driver.id).where(Driver.on_duty.is_(True))).first()
    refused = client.post(f"/dispatch/rides/{ride.id}/assign", data={
        "csrf_token": token, "version": str(ride.version + 1),
        "driver_id": str(driver_id), "eta_minutes": "15"})
    assert refused.status_code == 303
    form = _details(client.get("/dispatch").text, f"assign-{ride.id}")
    assert f'id="refusal-assign-{ride.id}"' in form and "其他调度员" in form


def _booked_page(client: httpx.Client, ride_id: int) -> tuple[str, str]:
    page = client.get("/dispatch/scheduled").text
    found = re.search(rf'id="booked-{ride_id}" data-ride="{ride_id}" data-version="(\d+)"', page)
    assert found, page[-3000:]
    return csrf_from(page), found.group(1)


def test_a_stale_driver_choice_says_the_driver_changed_and_keeps_the_choice(
    live_server: LiveServer,
) -> None:
    client, _ = _operator(live_server)
    ride_id = book_ride(live_server.db, number=ZHANG, pickup=kunming(1, 8), now=NOW)
    with live_server.db.session() as session:
        drivers = list(session.scalars(select(Driver).order_by(Driver.id)).all()[:2])
        theirs = (drivers[0].id, f"{drivers[0].plate} · {drivers[0].name}")
        mine = (drivers[1].id, f"{drivers[1].plate} · {drivers[1].name}")
    token, seen = _booked_page(client, ride_id)
    other = _signed_in(live_server, "op2", StaffRole.OPERATOR)
    other_token, _ = _booked_page(other, ride_id)
    assert other.post(f"/dispatch/scheduled/{ride_id}/driver", data={
        "csrf_token": other_token, "version": seen, "driver_id": str(theirs[0])},
    ).status_code == 303

    stale = client.post(f"/dispatch/scheduled/{ride_id}/driver", data={
        "csrf_token": token, "version": seen, "driver_id": str(mine[0])})
    assert stale.status_code == 409
    assert _ride(live_server, ride_id).driver_id == theirs[0]
    message = re.search(rf'id="refusal-{ride_id}">([^<]*)<', stale.text)
    assert message is not None, stale.text[-3000:]
    assert theirs[1] in message.group(1) and mine[1] in message.group(1)
    assert "现在是" not in message.group(1)  # the status did not change: not the point
    select_html = re.search(
        rf'<select id="ahead-driver-{ride_id}".*?</select>', stale.text, re.S
    )
    assert select_html is not None
    assert f'<option value="{mine[0]}" selected>' in select_html.group(0)
    assert f'<option value="{theirs[0]}" selected>' not in select_html.group(0)


def test_an_empty_reason_does_not_cancel_a_booked_ride(live_server: LiveServer) -> None:
    client, _ = _operator(live_server)
    ride_id = book_ride(live_server.db, number=ZHANG, pickup=kunming(1, 8), now=NOW)
    token, version = _booked_page(client, ride_id)
    refused = client.post(f"/dispatch/scheduled/{ride_id}/cancel", data={
        "csrf_token": token, "version": version, "reason": ""})
    assert refused.status_code == 400 and f'id="refusal-{ride_id}"' in refused.text
    assert _ride(live_server, ride_id).status == RideStatus.SCHEDULED


def _home_place(server: LiveServer) -> tuple[int, int]:
    from app.people.models import PersonPhone, SavedPlace

    with server.db.session() as session:
        person_id = session.scalar(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG))
        place_id = session.scalar(select(SavedPlace.id).where(SavedPlace.person_id == person_id)
                                  .order_by(SavedPlace.position))
        assert person_id is not None and place_id is not None
        return person_id, place_id


def _checked_days(html: str) -> list[str]:
    return re.findall(r'name="weekdays" value="(\d)" checked', html)


def test_a_refused_regular_ride_keeps_what_was_typed(live_server: LiveServer) -> None:
    client, _ = _operator(live_server)
    person_id, place_id = _home_place(live_server)
    page = client.get("/dispatch/regular", params={"person": person_id}).text
    typed = {
        "csrf_token": csrf_from(page), "person_id": str(person_id),
        "pickup_place_id": str(place_id), "pickup_time": "07:40", "return_time": "11:50",
        "weekdays": ["1", "3"], "destination": "昆明市血液透析中心", "note": "带轮椅",
        "first_day": "2026-12-02", "last_day": "2026-01-01",  # ends before it starts
    }
    refused = client.post("/dispatch/regular", data=typed)
    assert refused.status_code == 400
    assert 'id="regular-form-error"' in refused.text
    assert _checked_days(refused.text) == ["1", "3"]
    for value in ("07:40", "11:50", "昆明市血液透析中心", "带轮椅", "2026-12-02"):
        assert f'value="{value}"' in refused.text, value
    assert 'name="to_hospital" value="1" checked' not in refused.text  # left unticked

    # The same for a change of a rule that exists.
    made = client.post("/dispatch/regular", data={**typed, "last_day": ""})
    assert made.status_code == 303, made.text[-2000:]
    with live_server.db.session() as session:
        rule = session.scalars(select(RegularRide)).one()
        rule_id, version = rule.id, rule.version
    edit = client.post(f"/dispatch/regular/{rule_id}/edit", data={
        **typed, "version": str(version), "weekdays": ["5"], "pickup_time": "09:10",
        "destination": "云大医院", "last_day": "2026-01-01"})
    assert edit.status_code == 400
    assert _checked_days(edit.text) == ["5"]
    assert 'value="09:10"' in edit.text and 'value="云大医院"' in edit.text


def test_staff_pages_name_no_product_or_command(live_server: LiveServer) -> None:
    demo_data(live_server.db)
    live_server.clock.set(NOW)
    client = _signed_in(live_server, "op1", StaffRole.OPERATOR)  # no phone number set
    for path in ("/dispatch", "/dispatch/regular", "/dispatch/scheduled"):
        html = client.get(path).text
        for word in ("Twilio", "ivr ", "chinesecalendar"):
            assert word not in html, (path, word)
    assert "请系统管理员为您登记电话号码" in client.get("/dispatch").text


def test_a_refused_console_links_to_the_users_own_console(live_server: LiveServer) -> None:
    demo_data(live_server.db)
    from app.people.models import Community

    with live_server.db.session() as session:
        community_id = session.scalars(select(Community.id)).first()
    worker = _signed_in(live_server, "cuihu9", StaffRole.COMMUNITY_STAFF,
                        community_id=community_id)
    for path in ("/dispatch", "/hospital/1"):
        page = worker.get(path, headers={"accept": "text/html"})
        assert page.status_code == 403
        home = re.search(r'id="error-home" href="([^"]*)">([^<]*)<', page.text)
        assert home is not None and home.groups() == ("/people", "返回老人登记"), path
    operator = _signed_in(live_server, "op7", StaffRole.OPERATOR)
    page = operator.get("/dispatch/nowhere-at-all", headers={"accept": "text/html"})
    assert 'id="error-home" href="/dispatch"' in page.text  # their own area: as before
