"""Hospital actions that text patients say "未发出" while no phone service is configured."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from hospital_helpers import DAUGHTER, DAY, NOW, WANG, book, hospital_id, schedule_of
from sqlalchemy import func, select

from app.notify.models import OutboxMessage
from support.demo import demo_data
from support.live_server import LiveServer, csrf_from, sign_in

NOT_SENT = "未发出：没有配置电话服务"
TWILIO = {
    "twilio_account_sid": "AC" + "0" * 32,
    "twilio_auth_token": "test-token",
    "twilio_from_number": "+868710000000",
    "outbox_in_process": False,  # nothing must try to reach Twilio from these tests
}


def _notice(client: httpx.Client, location: str) -> str:
    page = client.get(location)
    assert page.status_code == 200
    match = re.search(r'<p class="ok-notice" role="status"[^>]*>([^<]*)</p>', page.text)
    assert match, "no notice on the page"
    return match.group(1)


def _no_show_then_stop(server: LiveServer) -> tuple[str, str]:
    """Mark 王 a no-show, stop another booking's session; both notices."""
    demo_data(server.db, today=DAY)
    server.clock.set(NOW)
    own = hospital_id(server.db)
    wang = book(server.db, WANG, department="骨科", booked_by=DAUGHTER)
    other = book(server.db, "+8613800000003")
    client = server.client()
    assert sign_in(client, "hospital1", "guahao-2026!").status_code == 303
    day = {"csrf_token": csrf_from(client.get(f"/hospital/{own}").text), "day": DAY.isoformat()}
    marked = client.post(
        f"/hospital/{own}/appointments/{wang}/no-show", data={**day, "confirm": "yes"}
    )
    assert marked.status_code == 303, marked.text[-2000:]
    stopped = client.post(
        f"/hospital/{own}/schedules/{schedule_of(server.db, other)}/stop",
        data={**day, "reason": "医生生病", "other_reason": ""},
    )
    assert stopped.status_code == 303, stopped.text[-2000:]
    return _notice(client, marked.headers["location"]), _notice(
        client, stopped.headers["location"]
    )


def test_no_show_and_stop_without_twilio_say_not_sent(live_server: LiveServer) -> None:
    no_show, stop = _no_show_then_stop(live_server)
    assert "已标记爽约" in no_show and NOT_SENT in no_show
    assert "已停诊" in stop and NOT_SENT in stop and "都会收到短信" not in stop
    with live_server.db.session() as session:  # still written: sent once Twilio is set up
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def test_no_show_and_stop_with_twilio_do_not_say_not_sent(
    live_server_factory: Callable[..., LiveServer],
) -> None:
    no_show, stop = _no_show_then_stop(live_server_factory(**TWILIO))
    assert "已标记爽约" in no_show and NOT_SENT not in no_show
    assert "都会收到短信" in stop and NOT_SENT not in stop
