"""What staff trying the hospital desk ran into, over real HTTP: a long 停诊 reason that
squeezed the day table."""

from __future__ import annotations

import re

import httpx
from hospital_helpers import DAY, NOW, ZHANG, book, hospital_id, schedule_of

from support.demo import demo_data
from support.live_server import LiveServer, csrf_from, sign_in

DEMO_PASSWORD = "guahao-2026!"


def _desk(server: LiveServer) -> httpx.Client:
    demo_data(server.db, today=DAY)
    server.clock.set(NOW)
    client = server.client()
    assert sign_in(client, "hospital1", DEMO_PASSWORD).status_code == 303
    return client


def test_a_long_stop_reason_is_shortened_with_the_whole_text_one_click_away(
    live_server: LiveServer,
) -> None:
    client = _desk(live_server)
    own = hospital_id(live_server.db)
    booking = book(live_server.db, ZHANG)
    schedule_id = schedule_of(live_server.db, booking)
    # 80 characters, no space to break at: the old table grew as wide as the text.
    reason = "张医生临时被抽调参加全省突发公共卫生事件应急演练" + "0871" * 5 + "号通知" * 8
    reason = reason[:80]
    token = csrf_from(client.get(f"/hospital/{own}").text)
    stopped = client.post(
        f"/hospital/{own}/schedules/{schedule_id}/stop",
        data={"csrf_token": token, "day": DAY.isoformat(), "reason": "", "other_reason": reason},
    )
    assert stopped.status_code == 303
    page = client.get(stopped.headers["location"]).text
    row = re.search(rf'<tr id="appt-{booking}".*?</tr>', page, re.S)
    assert row is not None
    cell = re.search(r'<td class="state">(.*?)</td>', row.group(0), re.S)
    assert cell is not None
    details = re.search(
        rf'<details class="reason" id="reason-{booking}"><summary[^>]*>(.*?)</summary>'
        r'<span class="sub reason-full">(.*?)</span></details>', cell.group(1), re.S,
    )
    assert details is not None, cell.group(1)
    summary, full = details.groups()
    assert full == f"医生停诊：{reason}"
    shown = summary.split("…")[0]
    assert full.startswith(shown) and len(shown) < 20
    # The shortened text is all the cell shows outside the <details>.
    assert cell.group(1).count(reason) == 2  # the summary's title and the full text
    assert 'title="医生停诊：' + reason + '"' in cell.group(1)
    # A short reason is shown as it is.
    other = book(live_server.db, "+8613800000003", department="骨科")
    short = client.post(
        f"/hospital/{own}/schedules/{schedule_of(live_server.db, other)}/stop",
        data={"csrf_token": token, "day": DAY.isoformat(), "reason": "医生生病"},
    )
    page = client.get(short.headers["location"]).text
    assert '<span class="sub reason">医生停诊：医生生病</span>' in page
    assert f'id="reason-{other}"' not in page
    css = client.get("/static/hospital.css").text
    assert "td.state { max-width: 16rem; }" in css and "overflow-wrap: anywhere" in css


def test_reveal_answers_with_a_redirect_and_a_reload_shows_masked_numbers(
    live_server: LiveServer,
) -> None:
    client = _desk(live_server)
    own = hospital_id(live_server.db)
    booking = book(live_server.db, ZHANG)
    search = client.get(f"/hospital/{own}", params={"day": DAY.isoformat(), "q": "0001"})
    assert f'id="appt-{booking}"' in search.text
    token = csrf_from(search.text)
    posted = client.post(
        f"/hospital/{own}/appointments/{booking}/reveal",
        data={"csrf_token": token, "day": DAY.isoformat(), "q": "0001", "page": "1"},
    )
    # Back to the search results it came from, at the booking.
    assert posted.status_code == 303
    assert posted.headers["location"] == (
        f"/hospital/{own}?day={DAY.isoformat()}&q=0001&page=1#appt-{booking}"
    )
    shown = client.get(posted.headers["location"]).text
    assert "13800000001" in shown and 'data-field="phone">13800000001' in shown
    # Reloading the page (a GET) shows the numbers masked again and sends nothing.
    again = client.get(posted.headers["location"]).text
    assert "13800000001" not in again and "138****0001" in again
    # The flash cookie is bound to the session: another desk's browser cannot replay it.
    client.post(f"/hospital/{own}/appointments/{booking}/reveal",
                data={"csrf_token": token, "day": DAY.isoformat()})
    flash = client.cookies.get("ivr_flash", path=f"/hospital/{own}")
    assert flash is not None
    with live_server.client() as other:
        assert sign_in(other, "hospital1", DEMO_PASSWORD).status_code == 303
        other.cookies.set("ivr_flash", flash, path=f"/hospital/{own}")
        assert "13800000001" not in other.get(f"/hospital/{own}?day={DAY.isoformat()}").text
    # Another hospital's booking id: 404 before any redirect.
    assert client.post(f"/hospital/{own}/appointments/999999/reveal",
                       data={"csrf_token": token}).status_code == 404
