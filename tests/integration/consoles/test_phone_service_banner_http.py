"""Without Twilio the consoles say so: a banner on every page and "未发出" after actions
that would text or call someone (over real HTTP)."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from sqlalchemy import func, select

from app.hospital.models import Hospital
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.operators.models import OperatorRequest
from app.taxi.models import Driver, Ride
from support.demo import demo_data
from support.live_server import LiveServer, csrf_from, sign_in
from support.refusals import refusal

BANNER = "电话服务未配置：短信和回拨电话不会发出。请联系系统管理员。"
NOT_SENT = "未发出：没有配置电话服务"
ZHANG = "+8613800000001"
TWILIO = {
    "twilio_account_sid": "AC" + "0" * 32,
    "twilio_auth_token": "test-token",
    "twilio_from_number": "+868710000000",
    "outbox_in_process": False,  # nothing must try to reach Twilio from these tests
}


def _signed_in(server: LiveServer, username: str, password: str) -> httpx.Client:
    client = server.client()
    assert sign_in(client, username, password).status_code == 303
    return client


def _first_hospital(server: LiveServer) -> int:
    with server.db.session() as session:
        return session.scalars(select(Hospital.id).order_by(Hospital.id)).first()  # type: ignore[return-value]


def _console_pages(server: LiveServer) -> dict[str, str]:
    """Every console page an admin can open: path -> HTML."""
    hospital = _first_hospital(server)
    client = _signed_in(server, "admin", "chuncheng-2026")
    pages = {}
    for path in ("/console", "/dispatch", "/hospital", f"/hospital/{hospital}", "/console/users"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        pages[path] = answer.text
    return pages


def _operator_with_ride(server: LiveServer) -> tuple[httpx.Client, str, int]:
    demo_data(server.db)
    client = _signed_in(server, "operator", "diaodu-2026")
    token = csrf_from(client.get("/dispatch").text)
    queued = client.post("/dispatch/orders", data={"csrf_token": token, "caller_number": ZHANG})
    assert queued.status_code == 303, queued.text[-2000:]
    with server.db.session() as session:
        ride_id = session.scalars(select(Ride.id)).one()
    return client, token, ride_id


def notice_on(client: httpx.Client, location: str) -> str:
    """The action notice on the page an action redirected to."""
    page = client.get(location)
    assert page.status_code == 200
    match = re.search(r'<p class="ok-notice" role="status"[^>]*>([^<]*)</p>', page.text)
    assert match, "no notice on the page"
    return match.group(1)


def _outbox_calls(server: LiveServer) -> int:
    with server.db.session() as session:
        return session.scalar(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.kind == OutboxKind.CALL)
        ) or 0


def test_every_console_page_shows_the_banner_without_twilio(live_server: LiveServer) -> None:
    demo_data(live_server.db)
    for path, html in _console_pages(live_server).items():
        assert BANNER in html, path
    with live_server.client() as anonymous:  # the public sign-in page tells nobody
        assert BANNER not in anonymous.get("/login").text


def test_no_banner_when_twilio_is_configured(
    live_server_factory: Callable[..., LiveServer],
) -> None:
    server = live_server_factory(**TWILIO)
    demo_data(server.db)
    for path, html in _console_pages(server).items():
        assert "未配置电话服务" not in html, path


def test_call_back_without_twilio_says_no_phone_service_and_writes_nothing(
    live_server: LiveServer,
) -> None:
    """回拨 connects an operator to the caller now (tests/integration/operators); without a
    phone service it says so instead of pretending to queue anything."""
    client, token, ride_id = _operator_with_ride(live_server)
    answer = client.post(f"/dispatch/rides/{ride_id}/call-back", data={"csrf_token": token})
    said = refusal(client, answer)
    assert "没有配置电话服务" in said and "排队" not in said
    with live_server.db.session() as session:
        assert session.scalar(select(func.count(OperatorRequest.id))) == 0
        assert session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_no_car_and_cancel_without_twilio_say_not_sent(live_server: LiveServer) -> None:
    client, token, ride_id = _operator_with_ride(live_server)
    no_car = client.post(
        f"/dispatch/rides/{ride_id}/no-car",
        data={"csrf_token": token, "version": "1", "confirmed": "true"},
    )
    assert no_car.status_code == 303, no_car.text[-2000:]
    notice = notice_on(client, no_car.headers["location"])
    assert "暂无车辆" in notice and NOT_SENT in notice and "已通知来电者" not in notice
    with live_server.db.session() as session:
        version = session.get(Ride, ride_id).version  # type: ignore[union-attr]
    cancel = client.post(
        f"/dispatch/rides/{ride_id}/cancel",
        data={"csrf_token": token, "version": str(version), "reason": "来电者不需要了"},
    )
    assert cancel.status_code == 303, cancel.text[-2000:]
    assert NOT_SENT in notice_on(client, cancel.headers["location"])


def test_assign_without_twilio_says_not_sent(live_server: LiveServer) -> None:
    client, token, ride_id = _operator_with_ride(live_server)
    with live_server.db.session() as session:
        driver_id = session.scalars(select(Driver.id).order_by(Driver.id)).first()
        version = session.get(Ride, ride_id).version  # type: ignore[union-attr]
    assigned = client.post(
        f"/dispatch/rides/{ride_id}/assign",
        data={"csrf_token": token, "version": str(version), "driver_id": str(driver_id),
              "eta_minutes": "15"},
    )
    assert assigned.status_code == 303, assigned.text[-2000:]
    notice = notice_on(client, assigned.headers["location"])
    assert "已派车" in notice and NOT_SENT in notice and "排队" not in notice
