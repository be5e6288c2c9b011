"""Issue 3 end to end: a simulated call from a demo number queues a ride with one key and
a confirmation; it appears in the operator's browser; assigning a driver there sends the
SMS and the voice call through the real twilio client to a fake Twilio on loopback."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from app.hotline import build_call_service
from app.simulator import run_call
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from app.taxi.rules import spoken_plate
from support.demo import demo_data
from support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from support.live_server import LiveServer

pytestmark = pytest.mark.browser
ZHANG = "+8613800000001"
FAMILY = {"+8613900000001", "+8613900000002"}  # 张奶奶's daughter and son


def wait_for(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


def test_call_queue_browser_assignment_and_sms_at_twilio(
    live_server_factory: Any, fake_twilio: FakeTwilio, page: Any
) -> None:
    server: LiveServer = live_server_factory(
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_from_number="+868710000000",
        twilio_api_base=fake_twilio.url,
        outbox_poll_seconds=0.1,
    )
    demo_data(server.db)
    page.goto(f"{server.url}/login?next=/dispatch")
    page.fill("#username", "operator")
    page.fill("#password", "diaodu-2026")
    page.keyboard.press("Enter")
    page.wait_for_selector("#live-status[data-state=live]", timeout=15000)  # sign-in + stream

    lines: list[str] = []
    run_call(build_call_service(server.settings, server.db), from_number=ZHANG,
             to_number="+868710000000", turns=iter(["1", "1"]), show=lines.append)
    assert any("车已经叫了" in line for line in lines)
    row = page.locator("#queue tr[id^=ride-]").first
    row.wait_for(timeout=1000)
    assert "张奶奶" in row.inner_text()

    row.locator("summary", has_text="派车").click()
    row.locator("select[name=driver_id]").select_option(index=1)
    row.locator("button", has_text="确认派车").click()
    page.wait_for_url("**/dispatch?done=assigned")

    def sms_sent() -> bool:
        return {r.form.get("To") for r in fake_twilio.creates("Messages")} >= {ZHANG, *FAMILY}

    assert wait_for(sms_sent, timeout=10), fake_twilio.requests
    assert wait_for(lambda: len(fake_twilio.creates("Calls")) == 1, timeout=10)
    texts = [r.form["Body"] for r in fake_twilio.creates("Messages") if r.form["To"] == ZHANG]
    assert len(texts) == 1 and "车牌" in texts[0] and "分钟" in texts[0]
    with server.db.session() as session:
        ride = session.scalars(select(Ride)).one()
        plate = session.get(Driver, ride.driver_id).plate  # type: ignore[union-attr]
    assert ride.status == RideStatus.ASSIGNED and plate in texts[0]
    (voice,) = fake_twilio.creates("Calls")
    assert voice.form["To"] == ZHANG
    assert voice.form["Twiml"].count(spoken_plate(plate)) >= 2  # read slowly, twice
