"""An operator adds a driver, puts them on duty and assigns them a ride: the assign form
offers on-duty free drivers only. At 1366x768, with callers waiting on the operators'
panel, at least 8 queued rides are visible without scrolling and an open assign form keeps
its button on screen (checked with a real CJK font: scripts/ensure_test_tools.py installs
fonts-noto-cjk); at 1024x768 a few rides show without scrolling, a live refresh keeps the
focus and the scroll position, and the console never scrolls sideways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.operators.enums import RequestStatus
from app.operators.models import OperatorRequest
from app.taxi import rides
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from support.demo import demo_data
from support.live_server import LiveServer

pytestmark = pytest.mark.browser

CALLERS = [f"+86138000000{n:02d}" for n in range(1, 11)]


def _visible_rows(page: Any, height: int) -> int:
    """Queued rides whose whole row lies inside the viewport, page not scrolled."""
    return int(page.evaluate(
        """(h) => [...document.querySelectorAll('#queue table.rides')[0].tBodies[0].rows]
             .filter(r => { const b = r.getBoundingClientRect();
                            return b.top >= 0 && b.bottom <= h; })
             .length""",
        height,
    ))


def test_add_a_driver_put_on_duty_assign_and_the_console_fits(
    live_server: LiveServer, page: Any
) -> None:
    db, url = live_server.db, live_server.url
    demo_data(db)
    now = datetime.now(UTC)
    with db.session() as session:  # ten waiting rides and two callers waiting for a person
        for i, number in enumerate(CALLERS):
            rides.queue(session, now=now - timedelta(minutes=20 - i), created_by_staff_id=None,
                        caller_number=number)
        session.add_all(
            OperatorRequest(caller_number=n, status=RequestStatus.WAITING, queued_at=now,
                            attempts=0, version=1)
            for n in ("+8613800000011", "+8613800000012")
        )
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{url}/dispatch/fleet")
    page.fill("#username", "operator")
    page.fill("#password", "diaodu-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/dispatch/fleet")

    # Add a driver: a bad plate first (refused, typed values kept), then a good one.
    page.fill("#driver-name", "赵师傅")
    page.fill("#driver-phone", "13700000099")
    page.fill("#driver-plate", "云A·K20")
    page.select_option("#driver-vehicle", label="无障碍车")
    page.click("button:has-text('添加司机')")
    assert "车牌格式不对" in page.inner_text("#fleet-error")
    assert page.input_value("#driver-name") == "赵师傅"
    page.fill("#driver-plate", "云a k2026")
    page.click("button:has-text('添加司机')")
    page.wait_for_url("**/dispatch/fleet?done=driver_added")
    with db.session() as session:
        zhao = session.scalars(select(Driver).where(Driver.plate == "云A·K2026")).one()
        jiang = session.scalars(select(Driver).where(Driver.plate == "云A·D3690")).one()
    row = page.locator(f"#driver-{zhao.id}")
    assert "下班" in row.inner_text() and "137****0099" in row.inner_text()
    assert "13700000099" not in page.content()

    # Put them on duty.
    row.locator("button", has_text="上岗").click()
    page.wait_for_url("**/dispatch/fleet?done=on_duty")
    assert "在岗 · 空闲" in page.locator(f"#driver-{zhao.id}").inner_text()
    page.screenshot(path="/tmp/ivr-fleet.png", full_page=True)

    # The queue at 1366x768 with the operators' panel shown.
    page.goto(f"{url}/dispatch")
    page.wait_for_selector("#live-status[data-state=live]", timeout=5000)
    assert page.locator("#operators tbody tr").count() == 2
    page.screenshot(path="/tmp/ivr-dispatch-1366.png")
    assert page.evaluate("window.scrollY") == 0
    assert _visible_rows(page, 768) >= 8

    # Assign, on the eighth row: only on-duty free drivers are offered, and the open form
    # keeps its button on screen (scrolled into view if needed, never cut off at the side).
    first = page.locator("#queue table.rides").first.locator("tbody tr").nth(7)
    ride_id = int(first.get_attribute("data-ride"))
    first.locator("summary", has_text="派车").click()
    options = first.locator("select[name=driver_id] option")
    offered = options.evaluate_all("os => os.map(o => o.value)")
    assert str(zhao.id) in offered and str(jiang.id) not in offered  # 蒋师傅 is off duty
    first.locator("select[name=driver_id]").select_option(str(zhao.id))
    confirm = first.locator("button", has_text="确认派车")
    box = confirm.bounding_box()
    queue_box = page.locator("#queue").bounding_box()
    assert box is not None and queue_box is not None
    assert box["x"] >= queue_box["x"]
    assert box["x"] + box["width"] <= queue_box["x"] + queue_box["width"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768
    assert page.evaluate(  # nothing in the queue is cut off at the side
        "[...document.querySelectorAll('#queue .table-wrap')]"
        ".every(w => w.scrollWidth <= w.clientWidth)"
    )
    page.screenshot(path="/tmp/ivr-dispatch-1366-assign.png")
    confirm.click()
    page.wait_for_url("**/dispatch?done=assigned")
    with db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.status == RideStatus.ASSIGNED
        assert ride.driver_id == zhao.id

    # The driver now shows the ride on the fleet page, and is offered for no other ride.
    page.goto(f"{url}/dispatch/fleet")
    assert f"叫车单 #{ride_id}（已派车）" in page.locator(f"#driver-{zhao.id}").inner_text()
    page.goto(f"{url}/dispatch")
    assert f'<option value="{zhao.id}"' not in page.inner_html("#queue")

    # 1024x768: a few queued rides show without scrolling, above them the callers waiting.
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{url}/dispatch")
    page.wait_for_selector("#live-status[data-state=live]", timeout=5000)
    assert _visible_rows(page, 768) >= 4
    page.screenshot(path="/tmp/ivr-dispatch-1024x768.png")

    # A live refresh keeps the keyboard focus and the scroll position: focus 取消 on the
    # fifth row, scroll, and let a new ride arrive.
    fifth = page.locator("#queue table.rides").first.locator("tbody tr").nth(4)
    focus_id = f"cancel-open-{fifth.get_attribute('data-ride')}"
    page.evaluate(
        "(id) => { document.getElementById(id).focus({preventScroll: true});"
        " window.scrollTo(0, 250); }", focus_id,
    )
    with db.session() as session:
        late = rides.queue(session, now=datetime.now(UTC), created_by_staff_id=None,
                           caller_name="新来电", pickup_address="西山区滇池路1号").id
    page.wait_for_selector(f"#ride-{late}", state="attached", timeout=3000)  # no reload
    assert page.evaluate("document.activeElement.id") == focus_id
    assert page.evaluate("window.scrollY") == 250

    # 1024 px wide: no sideways scrolling on the console, the fleet and the history.
    for path in ("/dispatch", "/dispatch/fleet", "/dispatch/history"):
        page.goto(f"{url}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)
        if path == "/dispatch/fleet":
            # Names on one line; a company cell holds several characters a line, not one.
            lines = page.evaluate(
                "[...document.querySelectorAll('.fleet .name')].map(e => e.getClientRects().length)"
            )
            assert lines and set(lines) == {1}, lines
            narrow = page.evaluate(
                "[...document.querySelectorAll('.fleet td.company')].map(td => "
                "td.clientWidth / parseFloat(getComputedStyle(td).fontSize))"
            )
            assert narrow and min(narrow) >= 6, narrow
    page.screenshot(path="/tmp/ivr-dispatch-1024.png", full_page=True)
