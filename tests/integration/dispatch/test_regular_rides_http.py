"""The dispatch console's 定期用车 page over real HTTP: roles and CSRF on every route, an
operator finds a person and sets up a regular ride (its first day appears as a booking at
once), skips one day, pauses and ends it; bad input refused with its reason."""

from __future__ import annotations

import re
from datetime import date

import httpx
from sqlalchemy import select

from app.hospital.rules import calendar_gap
from app.people.models import PersonPhone, SavedPlace
from app.staff.enums import StaffRole
from app.taxi.enums import RegularStatus, RideStatus
from app.taxi.models import RegularRide, Ride
from support.booked import kunming
from support.demo import demo_data
from support.live_server import (
    LiveServer,
    add_community,
    add_hospital,
    add_staff,
    csrf_from,
    sign_in,
)

ZHANG = "+8613800000001"  # 张秀英
NOW = kunming(30, 10)  # Monday 2026-11-30 10:00


def _operator(server: LiveServer) -> httpx.Client:
    demo_data(server.db, today=date(2026, 11, 30))
    server.clock.set(NOW)
    add_staff(server.db, "op1", StaffRole.OPERATOR)
    client = server.client()
    assert sign_in(client, "op1").status_code == 303
    return client


def _zhang(server: LiveServer) -> tuple[int, int]:
    with server.db.session() as session:
        person_id = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG)).one()
        home = session.scalars(select(SavedPlace.id).where(
            SavedPlace.person_id == person_id).order_by(SavedPlace.position)).first()
        assert home is not None
        return person_id, home


def _rules(server: LiveServer) -> list[RegularRide]:
    with server.db.session() as session:
        return list(session.scalars(select(RegularRide)))


def _form(person_id: int, place_id: int, token: str, **extra: object) -> dict[str, object]:
    return {"csrf_token": token, "person_id": str(person_id), "pickup_place_id": str(place_id),
            "pickup_time": "08:00", "weekdays": ["2", "5"], "destination": "昆明市血液透析中心",
            "to_hospital": "1", "first_day": "2026-11-30", "skip_holidays": "1", **extra}


def test_only_operators_and_admins_reach_regular_rides(live_server: LiveServer) -> None:
    hospital = add_hospital(live_server.db)
    community = add_community(live_server.db)
    add_staff(live_server.db, "nurse", StaffRole.HOSPITAL_STAFF, hospital_id=hospital)
    add_staff(live_server.db, "clerk", StaffRole.COMMUNITY_STAFF, community_id=community)
    add_staff(live_server.db, "boss", StaffRole.ADMIN)
    posts = ("/dispatch/regular", "/dispatch/regular/1/skip", "/dispatch/regular/1/status")
    with live_server.client() as anonymous:
        assert anonymous.get("/dispatch/regular").status_code == 303
        for path in posts:
            assert anonymous.post(path).status_code in (401, 403), path
    for name in ("nurse", "clerk"):
        with live_server.client() as other:
            sign_in(other, name)
            assert other.get("/dispatch/regular").status_code == 403, name
            token = csrf_from(other.get("/console").text)
            for path in posts:
                answer = other.post(path, data={"csrf_token": token, "version": "0",
                                                "person_id": "1", "pickup_place_id": "1"})
                assert answer.status_code == 403, (name, path)
    with live_server.client() as boss:
        sign_in(boss, "boss")
        page = boss.get("/dispatch/regular")
        assert page.status_code == 200 and "定期用车" in page.text
    assert _rules(live_server) == []


def test_an_operator_sets_up_skips_pauses_and_ends_a_regular_ride(
    live_server: LiveServer,
) -> None:
    client = _operator(live_server)
    person_id, home = _zhang(live_server)
    found = client.get("/dispatch/regular", params={"q": "张秀英"})
    assert f'href="/dispatch/regular?person={person_id}#new-title"' in found.text
    form = client.get("/dispatch/regular", params={"person": person_id})
    assert 'id="regular-form"' in form.text and "翠湖南路" in form.text
    # Staff are warned ahead when the holiday data ends (chinesecalendar 1.11: with 2026).
    gap = calendar_gap(date(2026, 11, 30), date(2027, 1, 29))
    assert ('id="holiday-gap"' in form.text) == (gap is not None)
    if gap is not None:
        assert f"从{gap.isoformat()}起，法定节假日不会自动跳过" in form.text
    token = csrf_from(form.text)
    without_token = client.post("/dispatch/regular", data=_form(person_id, home, "x"))
    assert without_token.status_code == 403 and _rules(live_server) == []

    made = client.post("/dispatch/regular", data=_form(person_id, home, token))
    assert made.status_code == 303 and made.headers["location"] == "/dispatch/regular?done=created"
    (rule,) = _rules(live_server)
    assert (rule.weekdays, rule.status, rule.skip_holidays) == ("2,5", RegularStatus.ACTIVE, True)
    page = client.get(made.headers["location"]).text
    assert "已设好定期用车" in page and "每周二、五 08:00" in page
    assert re.search(r'data-day="2026-12-01" data-state="已预约"', page)
    assert re.search(r'data-day="2026-12-04" data-state="待生成"', page)
    booked = client.get("/dispatch/scheduled").text  # Tuesday's booking, marked as such
    assert "昆明市血液透析中心" in booked and "定期用车</span>" in booked

    skipped = client.post(f"/dispatch/regular/{rule.id}/skip",
                          data={"csrf_token": token, "day": "2026-12-04"})
    assert skipped.headers["location"] == "/dispatch/regular?done=skipped"
    page = client.get(skipped.headers["location"]).text
    assert re.search(r'data-day="2026-12-04" data-state="已取消"', page)
    assert re.search(r'data-day="2026-12-01" data-state="已预约"', page)

    paused = client.post(f"/dispatch/regular/{rule.id}/status",
                         data={"csrf_token": token, "version": str(rule.version),
                               "action": "pause"})
    assert paused.headers["location"] == "/dispatch/regular?done=paused"
    (rule,) = _rules(live_server)
    assert rule.status == RegularStatus.PAUSED
    stale = client.post(f"/dispatch/regular/{rule.id}/status",
                        data={"csrf_token": token, "version": "0", "action": "end"})
    assert stale.status_code == 400 and "刚刚被别人改过" in stale.text
    ended = client.post(f"/dispatch/regular/{rule.id}/status",
                        data={"csrf_token": token, "version": str(rule.version),
                              "action": "end"})
    assert ended.headers["location"] == "/dispatch/regular?done=ended"
    with live_server.db.session() as session:
        statuses = {r.regular_day: r.status for r in session.scalars(select(Ride))}
    assert statuses == {date(2026, 12, 1): RideStatus.CANCELLED,
                        date(2026, 12, 4): RideStatus.CANCELLED}
    assert _rules(live_server)[0].status == RegularStatus.ENDED


def test_bad_input_is_refused_with_its_reason_and_nothing_saved(
    live_server: LiveServer,
) -> None:
    client = _operator(live_server)
    person_id, home = _zhang(live_server)
    token = csrf_from(client.get("/dispatch/regular", params={"person": person_id}).text)
    for extra, reason in (
        ({"weekdays": []}, "请至少选一个星期几"),
        ({"pickup_time": "23:00"}, "接人的时间要在早上6点到晚上10点之间"),
        ({"first_day": "2026-11-01"}, "开始日期已经过了"),
        ({"first_day": "明天"}, "日期的格式不对"),
    ):
        answer = client.post("/dispatch/regular", data=_form(person_id, home, token, **extra))
        assert answer.status_code == 400, extra
        assert reason in answer.text, extra
    assert _rules(live_server) == []
