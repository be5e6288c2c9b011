"""In a real browser, the dispatch page warns that nothing is sent without Twilio."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from support.demo import demo_data
from support.live_server import LiveServer

pytestmark = pytest.mark.browser


def test_the_dispatch_page_shows_the_phone_service_banner(
    live_server: LiveServer, page: Any
) -> None:
    demo_data(live_server.db)
    page.goto(f"{live_server.url}/dispatch")
    page.fill("#username", "operator")
    page.fill("#password", "diaodu-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/dispatch")
    banner = page.locator("#phone-service-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_text("电话服务未配置：短信和回拨电话不会发出。请联系系统管理员。")
    box = banner.bounding_box()
    assert box is not None and box["y"] < 200  # at the top, not below the queue
    page.screenshot(path="/tmp/ivr-phone-service-banner.png")
