"""The admin opens the age-friendliness report from the landing page in Chromium and sees
its charts: server-drawn SVG bars, one per figure, sized by value."""

from __future__ import annotations

from typing import Any

import pytest

from app.staff.enums import StaffRole
from support.live_server import PASSWORD, LiveServer, add_staff
from support.report_calls import add_report_calls

pytestmark = pytest.mark.browser


def _bar_widths(page: Any, chart: str) -> list[float]:
    bars = page.locator(f"#{chart} svg rect.bar")
    return [float(bars.nth(i).get_attribute("width")) for i in range(bars.count())]


def test_admin_sees_the_report_with_one_bar_per_figure(live_server: LiveServer, page: Any) -> None:
    add_report_calls(live_server.db)
    add_staff(live_server.db, "admin1", StaffRole.ADMIN)
    page.goto(f"{live_server.url}/login?next=%2Fconsole")
    page.fill("#username", "admin1")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/console")
    page.click("a[href='/console/report']")
    assert page.inner_text("h1") == "适老化报告"

    page.goto(f"{live_server.url}/console/report?period=day&day=2026-03-02")
    assert page.inner_text("#calls") == "7"
    assert page.inner_text("#completed-share") == "33.3%"
    assert page.locator("svg rect.bar").count() == 11
    assert _bar_widths(page, "chart-outcomes") == [320, 320, 320]  # 2 calls each
    assert len(_bar_widths(page, "chart-reasons")) == 2
    assert len(_bar_widths(page, "chart-hang-ups")) == 2
    # 60-69: 0 %, 70-79: 50 %, 80+: 100 %, unknown: 0 % of finished calls done alone
    assert _bar_widths(page, "chart-age-bands") == [0, 160, 320, 0]
    page.screenshot(path="/tmp/ivr-console-report.png", full_page=True)

    page.click("text=按周看")
    assert "2026-03-02 至 2026-03-08" in page.inner_text(".lead")
    assert page.inner_text("#calls") == "8"
