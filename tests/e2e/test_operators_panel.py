"""A caller presses 0 and appears on the operator's open panel within a second (server-sent
events, no reload); the operator clicks 接听 and the fake Twilio is asked to ring the
operator's own phone, whose answer bridges the waiting caller."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from datetime import time as clock_time
from typing import Any

import pytest

from app.core.local_time import LOCAL_TZ, local_today
from support.fake_twilio import FakeTwilio
from support.live_server import PASSWORD, LiveServer
from support.operator_desk import OP1_PHONE, make_desk, ring_request_id

pytestmark = pytest.mark.browser
CALLER_SID = "CA" + "f" * 32


def test_a_caller_who_pressed_0_appears_live_and_is_picked_up(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio, page: Any
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    url = desk.server.url
    page.goto(f"{url}/dispatch")
    page.fill("#username", "op1")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/dispatch")
    page.wait_for_selector("#live-status[data-state=live]", timeout=5000)
    assert "现在没有等待人工的来电者" in page.inner_text("#operators")
    assert not page.title().startswith("(")

    desk.caller_presses_0(CALLER_SID)
    pressed_at = time.monotonic()
    request_id = desk.request_id(CALLER_SID)
    row = page.locator(f"#operator-request-{request_id}")
    row.wait_for(timeout=1000)  # within a second, without reload
    assert time.monotonic() - pressed_at < 1.0
    page.wait_for_function("document.title.startsWith('(1) ')", timeout=2000)
    assert page.evaluate("document.body.dataset.beeps") == "1"  # the arrival beeped
    text = row.inner_text()
    assert "张奶奶" in text and "138****0001" in text and "来电者要求转人工" in text
    page.screenshot(path="/tmp/ivr-operators-panel.png", full_page=True)

    row.locator("button", has_text="接听").click()
    page.wait_for_url("**/dispatch?done=caller_picked_up")
    assert "正在拨打您的电话" in page.inner_text("[role=status].ok-notice")
    [ring] = desk.rings()
    assert ring.form["To"] == OP1_PHONE and ring_request_id(ring) == request_id
    bridge = desk.answer(ring, desk.leg())
    assert f"operator-request-{request_id}</Conference>" in bridge.text
    [redirect] = fake_twilio.updates(CALLER_SID)
    assert f"operator-request-{request_id}</Conference>" in redirect.form["Twiml"]
    page.locator(f"#operator-request-{request_id}", has_text="通话中").wait_for(timeout=2000)

    # The sound can be switched off (remembered in this browser) ...
    page.uncheck("#sound-toggle")
    assert page.evaluate("localStorage.getItem('dispatch-sound')") == "off"
    # ... and a note half typed survives a live refresh (another caller arriving).
    row.locator("summary", has_text="写备注").click()
    note = page.locator(f"#note-{request_id}")
    note.fill("老人说腿疼，要")
    updated = page.locator("#operators").get_attribute("data-updated-at")
    desk.caller_presses_0("CA" + "9" * 32, number="+8613800000099")
    page.wait_for_function(
        "u => document.getElementById('operators').dataset.updatedAt !== u", arg=updated
    )
    page.locator("#operators tr[data-request]").nth(1).wait_for(timeout=2000)
    page.wait_for_function("document.title.startsWith('(1) ')", timeout=2000)  # 1 waiting
    assert page.evaluate("document.body.dataset.beeps") is None  # silent: switched off
    assert note.input_value() == "老人说腿疼，要"
    assert page.evaluate("document.activeElement.id") == f"note-{request_id}"
    note.press("End")
    note.type("轮椅")
    page.locator(f"#operator-request-{request_id} button", has_text="保存备注").click()
    page.wait_for_url("**/dispatch?done=noted")
    assert "备注：老人说腿疼，要轮椅（调度1）" in page.inner_text(f"#operator-request-{request_id}")

    # While talking: 为来电者挂号 for 张奶奶, from the offers the phone reads, once she agrees.
    # At 9:00 at the latest, while tomorrow still takes phone bookings (an afternoon run would
    # see the day after first); never later than now, so the signed-in session stays fresh.
    now = datetime.now(UTC)
    nine = datetime.combine(local_today(now), clock_time(9), LOCAL_TZ).astimezone(UTC)
    desk.server.clock.set(min(now, nine))
    page.locator(f"#book-{request_id}").click()
    page.wait_for_url(f"**/dispatch/operators/{request_id}/booking")
    page.select_option("#booking-department", "心血管内科")
    page.locator("button", has_text="查看可挂的号").click()
    first_offer = page.locator("label.offer").first
    first_offer.wait_for(timeout=2000)
    assert "明天" in first_offer.inner_text() and "心血管内科" in first_offer.inner_text()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.check("#booking-confirmed")
    page.locator("#booking-form button", has_text="挂号").click()
    page.wait_for_url(f"**/dispatch/operators/{request_id}/booking?booked=*")
    done = page.inner_text("#booking-done")
    assert "已为来电者挂号" in done and "心血管内科" in done, done
    assert "心血管内科" in page.inner_text("#live-bookings")


STRANGER = "+8615912340000"  # not in the demo data


def test_the_panel_has_room_for_a_registration_and_masks_numbers(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio, page: Any
) -> None:
    """At 1024 and 1366 px the panel grows with its callers: the second caller's 登记为老人
    and its opened form show whole, never inside a small scrolling box; numbers are masked
    until 显示号码."""
    desk = make_desk(live_server_factory, fake_twilio)
    desk.caller_presses_0("CA" + "1" * 32)  # 张奶奶 waits
    stranger_sid = "CA" + "2" * 32
    desk.caller_presses_0(stranger_sid, number=STRANGER)
    request_id = desk.request_id(stranger_sid)
    op1, token = desk.operator("op1")
    assert op1.post(f"/dispatch/operators/{request_id}/pick-up",
                    data={"csrf_token": token}).status_code == 303
    assert desk.answer(desk.rings()[-1], desk.leg()).status_code == 200
    url = desk.server.url
    page.goto(f"{url}/dispatch")
    page.fill("#username", "op1")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/dispatch")
    row = page.locator(f"#operator-request-{request_id}")
    assert "15912340000" not in row.inner_text() and "159****0000" in row.inner_text()

    for width in (1024, 1366):
        page.set_viewport_size({"width": width, "height": 768})
        page.goto(f"{url}/dispatch")
        page.wait_for_selector("#live-status[data-state=live]", timeout=5000)
        page.wait_for_function("() => !!document.getElementById('operators').dataset.updatedAt")
        page.locator(f"#register-open-{request_id}").click()
        page.wait_for_selector(f"details[data-key=register-{request_id}][open]")
        # Measured in one go: a live refresh may swap the panel's rows in at any moment.
        panel, button, scroll, overflow = page.evaluate(
            """id => {
                const s = document.getElementById('operators');
                const b = document.querySelector(
                    '#operator-request-' + id + ' .register-form button[type=submit]');
                const box = r => [r.top, r.bottom, r.height];
                return [box(s.getBoundingClientRect()), box(b.getBoundingClientRect()),
                        [s.scrollHeight, s.clientHeight], getComputedStyle(s).overflowY];
            }""",
            request_id,
        )
        assert overflow not in ("auto", "scroll") and scroll[0] <= scroll[1] + 1, (width, scroll)
        assert button[2] > 0 and button[1] <= panel[1], (width, button, panel)  # whole, inside
        page.screenshot(path=f"/tmp/ivr-operators-register-{width}.png", full_page=True)

    row.locator("button", has_text="显示号码").first.click()
    row.locator("text=15912340000").wait_for(timeout=2000)
