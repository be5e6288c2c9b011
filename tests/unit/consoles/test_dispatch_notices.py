"""The dispatch page shows one notice per finished action: the ride actions' and the
operators' panel's notices share the page, so no action name may mean two things."""

from __future__ import annotations

from app.core.config import Settings
from app.operators.console.view import NOTICES as OPERATOR_NOTICES
from app.taxi.console.view import NOTICES as RIDE_NOTICES
from app.taxi.console.view import dispatch_notice


def test_ride_and_operator_notices_never_share_a_name() -> None:
    assert set(RIDE_NOTICES).isdisjoint(OPERATOR_NOTICES)


def test_marking_a_rider_picked_up_says_so_not_that_a_phone_rings() -> None:
    settings = Settings()
    assert dispatch_notice("picked_up", settings) == "已标记为老人已上车。"
    assert "正在拨打您的电话" in (dispatch_notice("caller_picked_up", settings) or "")
