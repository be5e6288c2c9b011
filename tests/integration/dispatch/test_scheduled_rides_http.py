"""The dispatch console's 预约用车 page over real HTTP: roles, CSRF, the list by pickup
time, a driver named ahead (assigned at release), a booking cancelled, a stale form."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from app.scheduler.runner import Scheduler
from app.staff.enums import StaffRole
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from support.booked import book_ride, kunming
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
WANG = "+8613800000002"
NOW = kunming(30, 10)


def _operator(server: LiveServer) -> httpx.Client:
    demo_data(server.db)
    server.clock.set(NOW)
    add_staff(server.db, "op1", StaffRole.OPERATOR)
    client = server.client()
    assert sign_in(client, "op1").status_code == 303
    return client


def _version(page: str, ride_id: int) -> str:
    found = re.search(rf'id="booked-{ride_id}" data-ride="{ride_id}" data-version="(\d+)"', page)
    assert found, page[-3000:]
    return found.group(1)


def _ride(server: LiveServer, ride_id: int) -> Ride:
    with server.db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None
        return ride


def test_only_operators_and_admins_open_the_page(live_server: LiveServer) -> None:
    hospital = add_hospital(live_server.db)
    community = add_community(live_server.db)
    add_staff(live_server.db, "nurse", StaffRole.HOSPITAL_STAFF, hospital_id=hospital)
    add_staff(live_server.db, "clerk", StaffRole.COMMUNITY_STAFF, community_id=community)
    add_staff(live_server.db, "boss", StaffRole.ADMIN)
    with live_server.client() as anonymous:
        assert anonymous.get("/dispatch/scheduled").status_code == 303
        assert anonymous.post("/dispatch/scheduled/1/cancel").status_code in (401, 403)
    for name in ("nurse", "clerk"):
        with live_server.client() as other:
            sign_in(other, name)
            assert other.get("/dispatch/scheduled").status_code == 403, name
            token = csrf_from(other.get("/console").text)
            for action in ("driver", "cancel"):
                answer = other.post(
                    f"/dispatch/scheduled/1/{action}", data={"csrf_token": token, "version": "0"}
                )
                assert answer.status_code == 403, (name, action)
    with live_server.client() as boss:
        sign_in(boss, "boss")
        page = boss.get("/dispatch/scheduled")
        assert page.status_code == 200 and "预约用车" in page.text


def test_booked_rides_are_listed_by_pickup_time_with_numbers_masked(
    live_server: LiveServer,
) -> None:
    client = _operator(live_server)
    later = book_ride(live_server.db, number=WANG, pickup=kunming(2, 14), now=NOW)
    sooner = book_ride(live_server.db, number=ZHANG, pickup=kunming(1, 8), now=NOW,
                       to_hospital=True)
    page = client.get("/dispatch/scheduled").text
    assert page.index(f'id="booked-{sooner}"') < page.index(f'id="booked-{later}"')
    assert "12月01日 08:00" in page and "明天早上8点" in page and "07:30 进入队列" in page
    assert "去医院" in page and "138****0001" in page and ZHANG[3:] not in page
    # The dispatch page links to it; a booked ride is not in the live queue.
    dispatch = client.get("/dispatch").text
    assert 'href="/dispatch/scheduled"' in dispatch and f'id="ride-{sooner}"' not in dispatch
    # Released into the queue half an hour ahead, its row says when to be there.
    Scheduler(live_server.db, live_server.settings, clock=lambda: kunming(1, 7, 30)).run_once()
    live_server.clock.set(kunming(1, 7, 32))
    assert sign_in(client, "op1").status_code == 303  # a day later: signed in again
    dispatch = client.get("/dispatch").text
    row = dispatch[dispatch.index(f'id="ride-{sooner}"'):].split("</tr>")[0]
    assert "约08:00接" in row and "2 分钟" in row


def test_a_driver_named_ahead_is_assigned_when_the_scheduler_releases_the_ride(
    live_server: LiveServer,
) -> None:
    client = _operator(live_server)
    ride_id = book_ride(live_server.db, number=ZHANG, pickup=kunming(1, 8), now=NOW)
    page = client.get("/dispatch/scheduled").text
    with live_server.db.session() as session:
        driver_id = session.scalars(select(Driver.id).order_by(Driver.id)).first()
    form = {"csrf_token": csrf_from(page), "version": _version(page, ride_id),
            "driver_id": str(driver_id)}
    answer = client.post(f"/dispatch/scheduled/{ride_id}/driver", data=form)
    assert answer.status_code == 303
    assert _ride(live_server, ride_id).status == RideStatus.SCHEDULED
    assert _ride(live_server, ride_id).driver_id == driver_id
    # The same form again carries a stale version: refused, nothing changed.
    again = client.post(f"/dispatch/scheduled/{ride_id}/driver", data=form)
    assert again.status_code == 409 and "其他调度员" in again.text
    Scheduler(live_server.db, live_server.settings, clock=lambda: kunming(1, 7, 30)).run_once()
    released = _ride(live_server, ride_id)
    assert released.status == RideStatus.ASSIGNED and released.driver_id == driver_id
    assert f'id="booked-{ride_id}"' not in client.get("/dispatch/scheduled").text


def test_a_driver_id_no_row_can_hold_is_refused_not_a_server_error(
    live_server: LiveServer,
) -> None:
    client = _operator(live_server)
    ride_id = book_ride(live_server.db, number=ZHANG, pickup=kunming(1, 8), now=NOW)
    page = client.get("/dispatch/scheduled").text
    form = {"csrf_token": csrf_from(page), "version": _version(page, ride_id),
            "driver_id": "2147483648"}
    answer = client.post(f"/dispatch/scheduled/{ride_id}/driver", data=form)
    assert 400 <= answer.status_code < 500, answer.status_code
    assert _ride(live_server, ride_id).driver_id is None


def test_a_booking_is_cancelled_from_the_page_with_the_csrf_token_only(
    live_server: LiveServer,
) -> None:
    client = _operator(live_server)
    ride_id = book_ride(live_server.db, number=ZHANG, pickup=kunming(1, 8), now=NOW)
    page = client.get("/dispatch/scheduled").text
    version = _version(page, ride_id)
    refused = client.post(f"/dispatch/scheduled/{ride_id}/cancel", data={"version": version})
    assert refused.status_code == 403
    assert _ride(live_server, ride_id).status == RideStatus.SCHEDULED
    answer = client.post(
        f"/dispatch/scheduled/{ride_id}/cancel",
        data={"csrf_token": csrf_from(page), "version": version, "reason": "来电者不需要了"},
    )
    assert answer.status_code == 303 and answer.headers["location"].endswith("done=cancelled")
    cancelled = _ride(live_server, ride_id)
    assert cancelled.status == RideStatus.CANCELLED and cancelled.cancel_reason == "来电者不需要了"
    assert "已取消这张预约单" in client.get(answer.headers["location"]).text
