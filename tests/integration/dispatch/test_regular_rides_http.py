"""The dispatch console's 定期用车 page over real HTTP: roles and CSRF on every route, an
operator finds a person and sets up a regular ride (its first day appears as a booking at
once), skips one day, pauses and ends it; bad input refused with its reason."""

from __future__ import annotations

import logging
import re
from datetime import date

import httpx
import pytest
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
    posts = ("/dispatch/regular", "/dispatch/regular/1/skip", "/dispatch/regular/1/status",
             "/dispatch/regular/1/edit")
    with live_server.client() as anonymous:
        assert anonymous.get("/dispatch/regular").status_code == 303
        assert anonymous.get("/dispatch/regular/1/edit").status_code == 303
        for path in posts:
            assert anonymous.post(path).status_code in (401, 403), path
    for name in ("nurse", "clerk"):
        with live_server.client() as other:
            sign_in(other, name)
            assert other.get("/dispatch/regular").status_code == 403, name
            assert other.get("/dispatch/regular/1/edit").status_code == 403, name
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
        said = f"从{gap.year}年{gap.month}月{gap.day}日起，春节、国庆这些节假日不会自动跳过"
        assert said in form.text
    # The intro says, in plain words, what a regular ride is, when days are made, how to
    # skip one.
    intro = form.text.split('id="regular-intro"')[1].split("</div>")[0]
    for words in ("每个星期固定几天", "在接人前24小时自动变成一张预约单", "这次不用车"):
        assert words in intro
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
    with live_server.db.session() as session:
        statuses = {r.regular_day: r.status for r in session.scalars(select(Ride))}
        tuesday = session.scalars(select(Ride.id).where(
            Ride.regular_day == date(2026, 12, 1))).one()
    assert statuses == {date(2026, 12, 1): RideStatus.CANCELLED,
                        date(2026, 12, 4): RideStatus.CANCELLED}
    # the booked day the end cancelled is listed (Friday was skipped before)
    assert ended.headers["location"] == (
        f"/dispatch/regular?done=ended&changed={rule.id}&cancelled={tuesday}")
    assert f'data-ended="{tuesday}"' in client.get(ended.headers["location"]).text
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


def test_an_operator_changes_a_rule_the_days_made_are_listed_and_kept(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    """修改 on the page: the form is filled in with the rule; the change (a return trip at
    12:00, Tuesdays only, 9:00) applies to the days not made yet, Tuesday's booking made
    already stays at 8:00 and is listed as kept, before and after saving; the change is in
    the log like every action; a stale version and a bad return time are refused."""
    client = _operator(live_server)
    person_id, home = _zhang(live_server)
    token = csrf_from(client.get("/dispatch/regular", params={"person": person_id}).text)
    client.post("/dispatch/regular", data=_form(person_id, home, token))
    (rule,) = _rules(live_server)
    assert f'href="/dispatch/regular/{rule.id}/edit"' in client.get("/dispatch/regular").text
    form = client.get(f"/dispatch/regular/{rule.id}/edit")
    assert form.status_code == 200 and 'id="regular-edit-form"' in form.text
    assert 'value="2" checked' in form.text and 'value="5" checked' in form.text
    assert 'value="3" checked' not in form.text and 'value="08:00"' in form.text
    assert 'id="kept-days"' in form.text and "12月01日 08:00" in form.text

    change = _form(person_id, home, token, weekdays=["2"], pickup_time="09:00",
                   return_time="12:00", version=str(rule.version))
    without_token = client.post(f"/dispatch/regular/{rule.id}/edit", data={**change,
                                                                       "csrf_token": "x"})
    assert without_token.status_code == 403
    early = client.post(f"/dispatch/regular/{rule.id}/edit",
                        data={**change, "return_time": "08:30"})
    assert early.status_code == 400 and "回程的时间要晚于去的时间" in early.text
    caplog.set_level(logging.INFO)
    saved = client.post(f"/dispatch/regular/{rule.id}/edit", data=change)
    assert saved.status_code == 303
    assert saved.headers["location"].startswith(
        f"/dispatch/regular?done=edited&changed={rule.id}")
    logged = [r for r in caplog.records if r.getMessage() == "dispatch regular ride action"]
    assert any(getattr(r, "fields", {}).get("action") == "edited"
               and getattr(r, "fields", {}).get("rule_id") == rule.id for r in logged)
    page = client.get(saved.headers["location"]).text
    assert "已改好定期用车" in page and 'id="kept-days"' in page
    assert "每周二 09:00" in page and 'data-return="12:00"' in page
    (changed,) = _rules(live_server)
    assert (changed.weekdays, str(changed.pickup_time), str(changed.return_time)) == (
        "2", "09:00:00", "12:00:00")
    with live_server.db.session() as session:
        made = [(r.regular_day, r.regular_return, r.pickup_at) for r in session.scalars(
            select(Ride).order_by(Ride.id))]
    # Tuesday's ride there stays at 8:00; its return (new) is made for 12:00.
    assert made == [(date(2026, 12, 1), False, kunming(1, 8)),
                    (date(2026, 12, 1), True, kunming(1, 12))]
    stale = client.post(f"/dispatch/regular/{rule.id}/edit", data=change)
    assert stale.status_code == 400 and "刚刚被别人改过" in stale.text


def test_only_dispatch_staff_change_a_rule(live_server: LiveServer) -> None:
    client = _operator(live_server)
    person_id, home = _zhang(live_server)
    token = csrf_from(client.get("/dispatch/regular", params={"person": person_id}).text)
    client.post("/dispatch/regular", data=_form(person_id, home, token))
    (rule,) = _rules(live_server)
    community = add_community(live_server.db, "测试社区")
    add_staff(live_server.db, "clerk", StaffRole.COMMUNITY_STAFF, community_id=community)
    with live_server.client() as clerk:
        sign_in(clerk, "clerk")
        assert clerk.get(f"/dispatch/regular/{rule.id}/edit").status_code == 403
        clerk_token = csrf_from(clerk.get("/console").text)
        answer = clerk.post(f"/dispatch/regular/{rule.id}/edit",
                            data=_form(person_id, home, clerk_token, version=str(rule.version),
                                       pickup_time="10:00"))
        assert answer.status_code == 403
    assert str(_rules(live_server)[0].pickup_time) == "08:00:00"
    assert client.get("/dispatch/regular/999/edit").status_code == 404


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 30), "注意：系统只知道2026年底以前的法定节假日。从2027年1月1日起，"),
        (date(2027, 3, 1), "注意：系统里没有今年的法定节假日。"),
    ],
)
def test_the_holiday_warning_is_plain_before_and_after_the_data_ends(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch, today: date, expected: str,
) -> None:
    """The warning for days the holiday data does not cover, with the data ending on
    2026-12-31 (as chinesecalendar 1.11 ships): before that day it names the date; once
    past, it says there is none for this year; both say what to do."""
    from app.hospital import rules as hospital_rules

    monkeypatch.setattr(hospital_rules, "calendar_covers", lambda day: day.year <= 2026)
    demo_data(live_server.db, today=date(2026, 11, 30))
    live_server.clock.set(kunming(30, 10).replace(year=today.year, month=today.month,
                                                 day=today.day))
    add_staff(live_server.db, "op1", StaffRole.OPERATOR)
    client = live_server.client()
    assert sign_in(client, "op1").status_code == 303
    page = client.get("/dispatch/regular").text
    warning = page.split('id="holiday-gap"')[1].split("</p>")[0]
    assert expected in warning
    assert "春节、国庆这些节假日不会自动跳过" in warning and "这次不用车" in warning
