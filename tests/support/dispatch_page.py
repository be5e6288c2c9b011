"""The dispatch page in HTTP tests: an operator signed in on the demo data at a set clock, a
ride queued from the back-office order, and a ride's action form (`<details class="act">`)."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
from sqlalchemy import select

from app.staff.enums import StaffRole
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.booked import kunming
from support.demo import demo_data
from support.live_server import LiveServer, add_staff, csrf_from, sign_in

NOW = kunming(30, 10)  # Monday 30 November 2026, 10:00 in Kunming
ZHANG = "13800000001"  # 张奶奶


def operator(server: LiveServer, now: datetime = NOW) -> tuple[httpx.Client, str]:
    """Demo data, the clock at `now`, operator op1 signed in: (client, CSRF token)."""
    demo_data(server.db)
    server.clock.set(now)
    add_staff(server.db, "op1", StaffRole.OPERATOR)
    client = server.client()
    assert sign_in(client, "op1").status_code == 303
    return client, csrf_from(client.get("/dispatch").text)


def queued_ride(server: LiveServer, client: httpx.Client, token: str) -> Ride:
    """A ride for 张奶奶 queued from the back-office order."""
    answer = client.post("/dispatch/orders", data={"csrf_token": token, "caller_number": ZHANG})
    assert answer.headers["location"] == "/dispatch?done=queued"
    with server.db.session() as session:
        ride = session.scalars(select(Ride).order_by(Ride.id.desc())).first()
        assert ride is not None and ride.status == RideStatus.QUEUED
        return ride


def action_form(html: str, key: str) -> str:
    """The `<details class="act">` form of `key` (e.g. "cancel-12") on the page."""
    found = re.search(rf'<details class="act" data-key="{key}"[^>]*>.*?</details>', html, re.S)
    assert found is not None, html[-2000:]
    return found.group(0)
