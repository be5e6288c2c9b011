"""Sign in through the real form in Chromium and reach the landing page."""

from __future__ import annotations

from typing import Any

import pytest

from app.staff.enums import StaffRole
from support.live_server import PASSWORD, LiveServer, add_staff

pytestmark = pytest.mark.browser


def test_staff_signs_in_with_the_keyboard_and_sees_the_landing_page(
    live_server: LiveServer, page: Any
) -> None:
    add_staff(live_server.db, "admin1", StaffRole.ADMIN, display_name="王管理")
    page.goto(f"{live_server.url}/console")
    assert page.url.endswith("/login?next=%2Fconsole")
    page.screenshot(path="/tmp/ivr-console-login.png", full_page=True)

    page.fill("#username", "admin1")
    page.fill("#password", "not-the-password")
    page.keyboard.press("Enter")
    assert "用户名或密码错误" in page.inner_text("[role=alert]")
    page.screenshot(path="/tmp/ivr-console-login-error.png", full_page=True)

    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/console")
    assert page.inner_text("h1") == "您好，王管理"
    assert page.is_visible("a[href='/dispatch']") and page.is_visible("a[href='/hospital']")
    page.screenshot(path="/tmp/ivr-console-landing.png", full_page=True)

    page.click("a[href='/console/users']")
    assert "admin1" in page.inner_text("table")
    page.screenshot(path="/tmp/ivr-console-users.png", full_page=True)

    page.click("text=退出登录")
    page.wait_for_url(f"{live_server.url}/login")
    page.goto(f"{live_server.url}/console")
    assert "/login" in page.url
