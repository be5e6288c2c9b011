"""The desk search over real HTTP reads today and the coming days of the booking window,
not only the day shown: a patient at the desk who does not know their date is found,
each hit under its day, without a check-in button for another day."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from hospital_helpers import DAY, NOW, SECOND, WANG, ZHANG, book, hospital_id

from app.hospital.models import Hospital
from app.hospital.rules import BookingRules
from support.demo import demo_data
from support.live_server import LiveServer, sign_in

DEMO_PASSWORD = "guahao-2026!"
LATER = DAY + timedelta(days=3)  # Thursday 12月3日


def _desk(server: LiveServer) -> httpx.Client:
    demo_data(server.db, today=DAY)
    server.clock.set(NOW)
    client = server.client()
    assert sign_in(client, "hospital1", DEMO_PASSWORD).status_code == 303
    return client


def test_search_finds_a_booking_on_another_day_of_the_window(live_server: LiveServer) -> None:
    client = _desk(live_server)
    own = hospital_id(live_server.db)
    later = book(live_server.db, ZHANG, day=LATER)
    today_booking = book(live_server.db, WANG)
    elsewhere = book(live_server.db, ZHANG, hospital=SECOND, day=DAY + timedelta(days=1))
    with live_server.db.session() as session:
        hospital = session.get(Hospital, own)
        assert hospital is not None
        window = BookingRules.from_json(hospital.rules).booking_window_days
    last = DAY + timedelta(days=window)
    scope = f"11月30日（今天）至{last.month}月{last.day}日"

    # Searched from today's page, by phone tail and by name: the 12月3日 booking is found.
    for q in ("0001", "张秀英"):
        page = client.get(f"/hospital/{own}", params={"day": DAY.isoformat(), "q": q})
        assert page.status_code == 200
        notice = re.search(r'<p class="ok-notice" role="status" id="search-result">(.*?)</p>',
                           page.text)
        assert notice is not None and scope in notice.group(1) and "1 条" in notice.group(1)
        row = re.search(rf'<tr id="appt-{later}".*?</tr>', page.text, re.S)
        assert row is not None, q
        assert f'id="appt-{today_booking}"' not in page.text
        assert f'id="appt-{elsewhere}"' not in page.text  # the other hospital's booking
        heading = re.search(r'<h3 id="group-1">(.*?)</h3>', page.text, re.S)
        assert heading is not None and heading.group(1).startswith("12月3日 星期四 · ")
        # No check-in and no no-show for a visit three days ahead.
        assert "/check-in" not in row.group(0) and "no-show" not in row.group(0)

    # Today's booking, found from another day's page, keeps its 签到 button.
    page = client.get(f"/hospital/{own}", params={"day": LATER.isoformat(), "q": "0002"})
    row = re.search(rf'<tr id="appt-{today_booking}".*?</tr>', page.text, re.S)
    assert row is not None and "/check-in" in row.group(0)
    assert "11月30日 星期一（今天） · " in page.text

    # Nothing found: the message says which days were searched.
    none = client.get(f"/hospital/{own}", params={"day": DAY.isoformat(), "q": "无此人"})
    assert f"没有找到符合条件的预约（查找范围：{scope}）" in none.text

    # A past day shown is searched too, and named.
    past = client.get(f"/hospital/{own}", params={"day": "2026-11-28", "q": "0001"})
    assert f'id="appt-{later}"' in past.text and f"{scope}，和11月28日" in past.text

    # The other hospital's search stays closed to this desk.
    other = hospital_id(live_server.db, SECOND)
    assert client.get(f"/hospital/{other}", params={"q": "0001"}).status_code == 403
