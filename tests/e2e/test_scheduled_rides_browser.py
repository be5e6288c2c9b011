"""A ride booked by phone for tomorrow 8:00 is on the dispatch console's 预约用车 page; the
operator names its driver ahead of time; at 7:30 the scheduler puts it in the live queue,
assigned to that driver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.callflow.messages import CallStarted, Keys
from app.core.config import Settings
from app.core.local_time import LOCAL_TZ
from app.hotline import build_call_service
from app.scheduler.runner import Scheduler
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.booked import kunming
from support.demo import demo_data
from support.layout import LABELS_OFF_THEIR_FIELDS
from support.live_server import LiveServer

pytestmark = pytest.mark.browser
ZHANG = "+8613800000001"
NOW = kunming(30, 10)
TODAY = NOW.astimezone(LOCAL_TZ).date()  # the demo data's today is the clock's, not the wall's


@pytest.fixture
def live_server(live_server_factory: Callable[..., LiveServer]) -> LiveServer:
    """Without the scheduler thread of `ivr serve`, which runs due jobs by the wall clock:
    from the evening of 30 November (Kunming) it sends the reminder of the ride booked for
    8:00 the next day, and from 7:30 on 1 December it may release that ride into the live
    queue before the 预约用车 page is read. The test runs the scheduler itself, with its
    clock, as every other test does."""
    return live_server_factory(scheduler_in_process=False)


def test_a_booked_ride_is_listed_given_a_driver_and_released(
    live_server: LiveServer, page: Any
) -> None:
    db = live_server.db
    demo_data(db, today=TODAY)
    live_server.clock.set(NOW)
    calls = build_call_service(Settings(database_url=db.url), db, clock=lambda: NOW)
    calls.handle(call_id="CA-ahead", event=CallStarted(ZHANG, "+868710000000"), event_key="s")
    for turn, key in enumerate(("3", "2", "8", "1")):  # 约车, 明天, 8点, 对
        calls.handle(call_id="CA-ahead", event=Keys(key), event_key=f"k{turn}")
    with db.session() as session:
        ride = session.scalars(select(Ride)).one()
        assert ride.status == RideStatus.SCHEDULED
        ride_id = ride.id

    page.goto(f"{live_server.url}/dispatch")
    page.fill("#username", "operator")
    page.fill("#password", "diaodu-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/dispatch")
    page.click("#scheduled-link")
    page.wait_for_url(f"{live_server.url}/dispatch/scheduled")
    row = page.locator(f"#booked-{ride_id}")
    expect(row).to_contain_text("12月01日 08:00")
    expect(row).to_contain_text("明天早上8点")
    expect(row).to_contain_text("07:30 进入队列")
    expect(row).to_contain_text("张奶奶")
    expect(row).to_contain_text("138****0001")

    # Never wider than the screen (1366 and 1024 px wide, with a real CJK font), and not
    # cramped: the name with the age, the pickup time and each button on one line.
    for width in (1366, 1024):
        page.set_viewport_size({"width": width, "height": 768})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (width, overflow)
        for part in ("td.person .name", "td.pickup-time strong", "summary", "button"):
            element = row.locator(part).first
            assert _lines(element) == 1, (width, part, element.inner_text())
    row.locator("summary", has_text="取消预约").click()  # the open form fits too
    expect(row.locator("button", has_text="确认取消")).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, ("cancel form open", overflow)
    assert _lines(row.locator("td.pickup .address")) <= 3  # the address keeps its room
    page.screenshot(path="/tmp/ivr-dispatch-scheduled-1024.png", full_page=True)
    row.locator("summary", has_text="取消预约").click()

    # Every active driver is offered, marked on or off duty now; an off-duty one can be
    # named for tomorrow.
    options = row.locator("select[name=driver_id] option").all_inner_texts()
    assert "云A·D3690 · 蒋师傅 · 现在下班" in options
    row.locator("select[name=driver_id]").select_option(label="云A·D3690 · 蒋师傅 · 现在下班")
    row.locator("button", has_text="保存司机").click()
    expect(page.locator(".ok-notice")).to_contain_text("这位司机现在下班")
    row = page.locator(f"#booked-{ride_id}")

    row.locator("select[name=driver_id]").select_option(
        label="云A·D1234 · 刘师傅 · 爱心车队 · 现在在岗"
    )
    row.locator("button", has_text="保存司机").click()
    expect(page.locator(".ok-notice")).to_contain_text("已保存预约单的司机")
    expect(page.locator(f"#booked-{ride_id} select[name=driver_id]")).to_have_value(
        str(_driver_of(live_server, ride_id))
    )
    page.screenshot(path="/tmp/ivr-dispatch-scheduled.png", full_page=True)

    Scheduler(db, live_server.settings, clock=lambda: kunming(1, 7, 30)).run_once()
    page.reload()  # the console's own clock stays put: a day later the session would be over
    expect(page.locator("#no-bookings")).to_be_visible()
    page.click("nav.dispatch-nav >> text=叫车队列")
    page.wait_for_url(f"{live_server.url}/dispatch")
    expect(page.locator(f"#ride-{ride_id}")).to_contain_text("云A·D1234")


def _lines(element: Any) -> int:
    """On how many lines the element's text is drawn (one rectangle per line box)."""
    return int(element.evaluate(
        """el => { const range = document.createRange(); range.selectNodeContents(el);
                   const tops = [...range.getClientRects()].map(r => Math.round(r.top));
                   return new Set(tops).size; }"""
    ))


def _driver_of(server: LiveServer, ride_id: int) -> int:
    with server.db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.driver_id is not None
        return ride.driver_id


def test_an_operator_sets_up_a_regular_ride_and_skips_one_day(
    live_server: LiveServer, page: Any
) -> None:
    """定期用车: found by name, every Tuesday and Friday at 8:00 from home to the dialysis
    centre and back at 12:00; Tuesday's two rides are bookings at once; Friday is skipped;
    the rule is changed to 9:00 (Tuesday's bookings kept, and said so); the page fits
    1024 px."""
    demo_data(live_server.db, today=TODAY)
    live_server.clock.set(NOW)
    page.goto(f"{live_server.url}/dispatch")
    page.fill("#username", "operator")
    page.fill("#password", "diaodu-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/dispatch")
    page.click("#regular-link")
    page.wait_for_selector("#regular-q")  # the page has loaded
    box = page.evaluate(
        "sel => { const e = document.querySelector(sel); return [e.getBoundingClientRect()"
        ".height, parseFloat(getComputedStyle(e).fontSize), e.clientWidth]; }", "#regular-q")
    assert box[0] >= 40 and box[1] >= 18 and box[2] >= 150, box  # a normal-size input
    page.fill("#regular-q", "张秀英")
    page.locator("#find-person button").click()
    page.locator(".found-people a", has_text="张秀英").click()
    form = page.locator("#regular-form")
    for width in (1366, 1280, 1024):  # each label with its own field, at every width
        page.set_viewport_size({"width": width, "height": 768})
        assert page.evaluate(LABELS_OFF_THEIR_FIELDS, "#regular-form") == [], width
    form.get_by_label("星期二").check()
    form.get_by_label("星期五").check()
    page.fill("#regular-time", "08:00")
    page.fill("#regular-return", "12:00")
    page.fill("#regular-destination", "昆明市血液透析中心")
    page.fill("#regular-first", "2026-11-30")
    form.locator("button[type=submit]").click()
    expect(page.locator(".ok-notice")).to_contain_text("已设好定期用车")
    rule = page.locator("#regular-rules tbody tr").first
    expect(rule).to_contain_text("每周二、五 08:00")
    expect(rule.locator('[data-day="2026-12-01"]')).to_contain_text("已预约")
    tuesday_back = rule.locator('[data-day="2026-12-01"] .return-state')
    expect(tuesday_back).to_have_text("12:00 回程 · 已预约")
    expect(rule.locator('[data-day="2026-12-04"]')).to_contain_text("待生成")
    expect(rule).to_contain_text("回程 12:00")
    expect(page.locator("#regular-intro")).to_contain_text("这次不用车")

    for width in (1366, 1024):
        page.set_viewport_size({"width": width, "height": 768})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (width, overflow)
    page.screenshot(path="/tmp/ivr-dispatch-regular-1024.png", full_page=True)

    rule.locator('[data-day="2026-12-04"] summary').click()  # asked to confirm first
    rule.locator('[data-day="2026-12-04"] button', has_text="确认取消这一次").click()
    expect(page.locator(".ok-notice")).to_contain_text("已取消这一次的车")
    rule = page.locator("#regular-rules tbody tr").first
    expect(rule.locator('[data-day="2026-12-04"]')).to_contain_text("已取消")
    expect(rule).to_contain_text("进行中")
    expect(rule.locator('[data-day="2026-12-04"] .return-state')).to_contain_text("已取消")

    rule.locator("a", has_text="修改").click()
    edit = page.locator("#regular-edit-form")
    expect(page.locator("#kept-days")).to_contain_text("12月01日 08:00")
    expect(edit.get_by_label("星期二")).to_be_checked()
    expect(page.locator("#regular-return")).to_have_value("12:00")
    page.fill("#regular-time", "09:00")
    page.set_viewport_size({"width": 1024, "height": 768})
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, ("edit form", overflow)
    edit.locator("button[type=submit]").click()
    expect(page.locator(".ok-notice")).to_contain_text("已改好定期用车")
    expect(page.locator("#kept-days")).to_contain_text("12月01日 08:00")
    rule = page.locator("#regular-rules tbody tr").first
    expect(rule).to_contain_text("每周二、五 09:00")
    # Tuesday, made before the change, is shown at its own time; Friday at the new one.
    expect(rule.locator('[data-day="2026-12-01"]')).to_contain_text("12月01日 08:00")
    expect(rule.locator('[data-day="2026-12-11"]')).to_contain_text("12月11日 09:00")
    page.screenshot(path="/tmp/ivr-dispatch-regular-edited.png", full_page=True)
    page.click("#scheduled-link")
    expect(page.locator("#scheduled-rides")).to_contain_text("昆明市血液透析中心")
