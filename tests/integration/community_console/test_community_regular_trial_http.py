"""Findings of a browser trial of the community console's 定期用车, over real HTTP: a
refused new rule keeps what the worker typed next to the message, a form missing a field
answers a Chinese page (not FastAPI's English JSON), the page names no library, and a
refused 停止 answers with a redirect back to the page (reloading it sends nothing)."""

from __future__ import annotations

import re

from community_helpers import ZHANG, person_id, start, worker
from sqlalchemy import select

from app.people.models import SavedPlace
from app.taxi.models import RegularRide
from support.live_server import LiveServer, csrf_from


def _home(server: LiveServer, pid: int) -> int:
    with server.db.session() as session:
        home = session.scalars(select(SavedPlace.id).where(SavedPlace.person_id == pid)
                               .order_by(SavedPlace.position)).first()
        assert home is not None
        return home


def test_a_refused_rule_keeps_what_was_typed(live_server: LiveServer) -> None:
    server = start(live_server)
    client = worker(server, "cuihu1")
    own = person_id(server.db, ZHANG)
    page = client.get(f"/people/{own}/regular").text
    assert "chinesecalendar" not in page
    refused = client.post(f"/people/{own}/regular", data={
        "csrf_token": csrf_from(page), "pickup_place_id": str(_home(server, own)),
        "pickup_time": "07:40", "return_time": "11:50", "weekdays": ["2", "4"],
        "destination": "", "note": "坐轮椅", "first_day": "2026-12-03",
    })  # a return time without a destination is refused
    assert refused.status_code == 400
    assert 'id="regular-form-error"' in refused.text
    assert re.findall(r'name="weekdays" value="(\d)" checked', refused.text) == ["2", "4"]
    for value in ("07:40", "11:50", "坐轮椅", "2026-12-03"):
        assert f'value="{value}"' in refused.text, value
    with server.db.session() as session:
        assert session.scalars(select(RegularRide)).all() == []

    # A refused 停止 goes back to the page (Post/Redirect/Get): the message shown once
    made = client.post(f"/people/{own}/regular", data={
        "csrf_token": csrf_from(page), "pickup_place_id": str(_home(server, own)),
        "pickup_time": "07:40", "weekdays": ["2", "4"], "first_day": "2026-12-03"})
    assert made.status_code == 303
    with server.db.session() as session:
        rule = session.scalars(select(RegularRide)).one()
    ended = client.post(f"/people/{own}/regular/{rule.id}/status", data={
        "csrf_token": csrf_from(page), "version": str(rule.version), "action": "end",
        "last_day": "2026-11-01"})
    assert ended.status_code == 303
    assert ended.headers["location"] == f"/people/{own}/regular#rule-{rule.id}"
    shown = client.get(f"/people/{own}/regular").text
    assert re.search(r'id="regular-error">最后一天不能早于今天', shown)
    assert 'id="regular-error"' not in client.get(f"/people/{own}/regular").text


def test_a_form_missing_a_field_answers_a_chinese_page(live_server: LiveServer) -> None:
    server = start(live_server)
    client = worker(server, "cuihu1")
    own = person_id(server.db, ZHANG)
    token = csrf_from(client.get(f"/people/{own}/regular").text)
    missing = client.post(f"/people/{own}/regular",
                          data={"csrf_token": token, "pickup_time": "08:00"})
    assert missing.status_code == 400
    assert missing.headers["content-type"].startswith("text/html")
    assert "上车地点" in missing.text and "没有保存任何更改" in missing.text
    assert "Field required" not in missing.text
