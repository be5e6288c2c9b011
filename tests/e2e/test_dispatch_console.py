"""A phone call queues a ride; it appears in the operator's open console within a second
(server-sent events, no reload) and the tab title counts it; assigning a driver there
writes the SMS and call to the outbox."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.callflow.messages import CallStarted, Keys
from app.core.config import Settings
from app.core.local_time import LOCAL_TZ
from app.hotline import build_call_service
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.taxi import rides
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from support.demo import demo_data
from support.live_server import LiveServer

pytestmark = pytest.mark.browser
ZHANG = "+8613800000001"


def test_a_called_in_ride_appears_live_and_is_assigned(live_server: LiveServer, page: Any) -> None:
    db = live_server.db
    # Today at 10:00 in Kunming, whenever the suite runs: a ride now is within service
    # hours, and tomorrow's ride booked below is before this evening's reminder time.
    live_server.clock.set(datetime.now(LOCAL_TZ).replace(hour=10, minute=0).astimezone(UTC))
    demo_data(db)
    page.goto(f"{live_server.url}/dispatch")
    page.fill("#username", "operator")
    page.fill("#password", "diaodu-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/dispatch")
    page.wait_for_selector("#live-status[data-state=live]", timeout=5000)
    assert "现在没有等待派车的叫车单" in page.inner_text("#queue")
    assert not page.title().startswith("(")  # nothing waits: no count in the tab title

    calls = build_call_service(Settings(database_url=db.url), db, clock=live_server.clock.now)
    calls.handle(call_id="CA-e2e", event=CallStarted(ZHANG, "+868710000000"), event_key="s")
    calls.handle(call_id="CA-e2e", event=Keys("1"), event_key="k1")
    calls.handle(call_id="CA-e2e", event=Keys("1"), event_key="k2")
    queued_at = time.monotonic()
    with db.session() as session:
        ride = session.scalars(select(Ride)).one()
        assert ride.status == RideStatus.QUEUED
        ride_id = ride.id
    row = page.locator(f"#ride-{ride_id}")
    row.wait_for(timeout=1000)  # within a second, without reload
    seen_after = time.monotonic() - queued_at
    assert seen_after < 1.0
    assert "张奶奶" in row.inner_text() and "138****0001" in row.inner_text()
    expect(page).to_have_title(re.compile(r"^\(1\) 调度台"))  # the tab counts it
    page.screenshot(path="/tmp/ivr-dispatch-queue.png", full_page=True)

    row.locator("button[data-reveal]").click()
    expect(page.locator(f"[data-number-for='{ride_id}']")).to_have_text("13800000001")

    row.locator("summary", has_text="派车").click()
    row.locator("select[name=driver_id]").select_option(
        label="云A·D1234 · 刘师傅 · 137****0001 · 爱心车队"
    )
    # The closed list is narrower than the label: the chosen driver's mobile is shown in
    # full under it, inside the form, at 1366 and 1024 px, and follows the choice.
    chosen = page.locator(f"#chosen-{ride_id}")
    for width in (1366, 1024):
        page.set_viewport_size({"width": width, "height": 768})
        expect(chosen).to_have_text("云A·D1234 · 刘师傅 · 137****0001 · 爱心车队", timeout=2000)
        assert _inside(chosen, row.locator("form.assign-form")), width
    other = row.locator("select[name=driver_id] option").nth(1)
    row.locator("select[name=driver_id]").select_option(other.get_attribute("value"))
    expect(chosen).to_have_text(other.inner_text())
    row.locator("select[name=driver_id]").select_option(
        label="云A·D1234 · 刘师傅 · 137****0001 · 爱心车队"
    )
    expect(chosen).to_contain_text("137****0001")
    row.locator("select[name=eta_minutes]").select_option("15")
    page.screenshot(path="/tmp/ivr-dispatch-assign.png", full_page=True)
    row.locator("button", has_text="确认派车").click()
    page.wait_for_url("**/dispatch?done=assigned")
    assert "已派车" in page.inner_text("[role=status].ok-notice")
    assert "云A·D1234" in page.inner_text("#queue")
    page.screenshot(path="/tmp/ivr-dispatch-assigned.png", full_page=True)

    with db.session() as session:
        messages = session.scalars(select(OutboxMessage)).all()
    sms = {m.to_number for m in messages if m.kind == OutboxKind.SMS}
    assert sms == {ZHANG, "+8613900000001", "+8613900000002"}
    assert [m.to_number for m in messages if m.kind == OutboxKind.CALL] == [ZHANG]
    assert all("15分钟" in m.body for m in messages if m.kind == OutboxKind.SMS)

    # A refused 取消 (the page was stale) shows its message inside the row's form; the live
    # refreshes that follow (another change to the ride) keep it there until 知道了.
    refused_at = _refresh_stamp(page)
    row.locator("summary", has_text="取消").click()
    # The stale version and the submit in one turn of the page's script, the form looked up
    # in that same turn: a live refresh in between would put the current version back (and
    # the cancel would go through) or leave a detached form whose submit goes nowhere.
    with page.expect_navigation(url=f"{live_server.url}/dispatch#ride-{ride_id}"):
        page.evaluate(
            "id => { const f = document.querySelector('#ride-' + id + ' form.cancel-form');"
            " f.querySelector('input[name=version]').value = '99';"
            " f.querySelector('button[type=submit]').click(); }",
            ride_id,
        )
    in_form = row.locator(f"details[data-key=cancel-{ride_id}] #refusal-cancel-{ride_id}")
    expect(in_form).to_contain_text("刚刚被其他调度员改过")
    page.wait_for_selector("#live-status[data-state=live]", timeout=5000)
    with db.session() as session:  # the driver says he is nearly there: the row redrawn
        arriving = session.get_one(Ride, ride_id)
        rides.mark_arriving(session, ride_id=ride_id, expected_version=arriving.version)
    expect(row).to_have_attribute("data-status", "arriving", timeout=2000)
    assert _refresh_stamp(page) != refused_at
    expect(in_form).to_be_visible()
    expect(in_form).to_contain_text("刚刚被其他调度员改过")
    expect(row.locator(f"details[data-key=cancel-{ride_id}]")).to_have_attribute("open", "")
    expect(page.locator("#dispatch-error")).to_be_visible()  # the top message stays too
    page.screenshot(path="/tmp/ivr-dispatch-refusal-kept.png", full_page=True)
    in_form.locator("button", has_text="知道了").click()
    expect(in_form).to_have_count(0)
    stamp = _refresh_stamp(page)
    with db.session() as session:  # the next refresh does not bring it back
        session.scalars(select(Driver).where(Driver.plate == "云A·D5678")).one().on_duty = False
    page.wait_for_function(
        "s => document.getElementById('queue').dataset.updatedAt !== s", arg=stamp, timeout=2000
    )
    expect(row.locator(f"details[data-key=cancel-{ride_id}]")).to_have_count(1)
    expect(page.locator(f"#refusal-cancel-{ride_id}")).to_have_count(0)

    # 后台下单 for tomorrow morning: a refused time comes back on /dispatch (not on the
    # POST address, so a reload sends nothing) with what was typed; then it is booked.
    page.set_viewport_size({"width": 1366, "height": 768})
    page.fill("#order-number", "13800000001")
    page.fill("#order-dest", "翠湖公园")
    page.select_option("#order-day", index=2)  # 明天
    page.fill("#order-time", "05:00")
    page.locator(".order-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/dispatch")
    assert "早上6点到晚上10点" in page.inner_text("p.alert[role=alert]")
    assert page.input_value("#order-dest") == "翠湖公园"
    page.locator(".order").screenshot(path="/tmp/ivr-dispatch-order-ahead.png")
    page.reload()  # no "resend the form?" question: the page is a GET
    assert page.input_value("#order-dest") == ""  # the message is shown once
    page.fill("#order-number", "13800000001")
    page.select_option("#order-day", index=2)
    page.fill("#order-time", "07:00")
    page.locator(".order-form button[type=submit]").click()
    page.wait_for_url("**/dispatch/scheduled?done=booked_ahead*")
    assert "后台预约成功" in page.inner_text("[role=status].ok-notice")
    with db.session() as session:
        booked = session.scalars(select(Ride).where(Ride.status == RideStatus.SCHEDULED)).one()
    assert "早上7点" in page.inner_text(f"#booked-{booked.id}")


def _refresh_stamp(page: Any) -> str | None:
    """When the queue was last swapped in by a live refresh (None: not yet)."""
    stamp: str | None = page.get_attribute("#queue", "data-updated-at")
    return stamp


def _inside(element: Any, box: Any) -> bool:
    """The element is drawn whole (nothing clipped) within the box."""
    inner, outer = element.bounding_box(), box.bounding_box()
    assert inner is not None and outer is not None
    clipped = element.evaluate("el => el.scrollWidth > el.clientWidth")
    return (not clipped and inner["x"] >= outer["x"] - 0.5
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5)


DISPATCH_PAGES = ("/dispatch", "/dispatch/fleet", "/dispatch/scheduled", "/dispatch/regular",
                  "/dispatch/history")


def test_the_tabs_stay_in_place_on_every_dispatch_page(live_server: LiveServer, page: Any) -> None:
    """One header for every dispatch page: at 1366 and 1024 px each tab is at the same place
    on the queue, the fleet, booked and regular rides and the history, so switching pages
    never makes them jump."""
    demo_data(live_server.db)
    page.goto(f"{live_server.url}/dispatch")
    page.fill("#username", "operator")
    page.fill("#password", "diaodu-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/dispatch")
    for width in (1366, 1024):
        page.set_viewport_size({"width": width, "height": 768})
        places: dict[str, list[tuple[float, float, float, float]]] = {}
        for path in DISPATCH_PAGES:
            page.goto(f"{live_server.url}{path}")
            tabs = page.locator("nav.dispatch-nav a")
            expect(tabs).to_have_count(len(DISPATCH_PAGES))
            places[path] = [
                (round(b["x"]), round(b["y"]), round(b["width"]), round(b["height"]))
                for b in (tabs.nth(i).bounding_box() for i in range(tabs.count()))
            ]
            current = page.locator("nav.dispatch-nav a[aria-current=page]")
            assert current.get_attribute("href") == path, (width, path)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, (width, path, scroll)  # no sideways scrolling
        first = places[DISPATCH_PAGES[0]]
        for path, boxes in places.items():
            assert boxes == first, (width, path, boxes, first)
        page.screenshot(path=f"/tmp/ivr-dispatch-tabs-{width}.png")
