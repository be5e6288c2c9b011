"""Regular rides (定期用车) set up in the community console over real HTTP: a worker sets one
up for a person of their own community through the same service as dispatch (its first day
a booking at once, the rule on the dispatch page too), skips a day, changes, pauses,
resumes and ends it (the days booked after the last day cancelled and listed); another
community's people and rules are refused (403 / 404), operators and hospital staff cannot
use these routes, and the CSRF token is required."""

from __future__ import annotations

import logging
import re
from datetime import date

import pytest
from community_helpers import JINMA, WANG, ZHANG, community_id, person_id, start, worker
from sqlalchemy import select

from app.people.models import SavedPlace
from app.staff.enums import StaffRole
from app.taxi.enums import RegularStatus, RideStatus
from app.taxi.models import RegularRide, Ride
from support.live_server import LiveServer, add_hospital, add_staff, csrf_from, sign_in


def _home(server: LiveServer, pid: int) -> int:
    with server.db.session() as session:
        home = session.scalars(select(SavedPlace.id).where(SavedPlace.person_id == pid)
                               .order_by(SavedPlace.position)).first()
        assert home is not None
        return home


def _form(place_id: int, token: str, **extra: object) -> dict[str, object]:
    return {"csrf_token": token, "pickup_place_id": str(place_id), "pickup_time": "08:00",
            "return_time": "12:00", "weekdays": ["2", "5"], "destination": "昆明市血液透析中心",
            "to_hospital": "1", "first_day": "2026-11-30", "skip_holidays": "1", **extra}


def _rules(server: LiveServer) -> list[RegularRide]:
    with server.db.session() as session:
        return list(session.scalars(select(RegularRide).order_by(RegularRide.id)))


def test_a_worker_sets_up_skips_and_changes_a_regular_ride_for_their_own_person(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    server = start(live_server)
    client = worker(server, "cuihu1")
    own = person_id(server.db, ZHANG)
    assert f'href="/people/{own}/regular"' in client.get(f"/people/{own}").text
    page = client.get(f"/people/{own}/regular")
    assert page.status_code == 200 and 'id="regular-form"' in page.text
    assert 'id="regular-intro"' in page.text and "这次不用车" in page.text
    token = csrf_from(page.text)
    home = _home(server, own)
    caplog.set_level(logging.INFO)

    made = client.post(f"/people/{own}/regular", data=_form(home, token))
    assert made.status_code == 303
    assert made.headers["location"] == f"/people/{own}/regular?done=created"
    (rule,) = _rules(server)
    assert rule.person_id == own and str(rule.return_time) == "12:00:00"
    with server.db.session() as session:
        legs = [(r.regular_day, r.regular_return, r.status) for r in session.scalars(
            select(Ride).where(Ride.regular_ride_id == rule.id).order_by(Ride.id))]
        worker_id = rule.created_by_staff_id
    assert legs == [(date(2026, 12, 1), False, RideStatus.SCHEDULED),
                    (date(2026, 12, 1), True, RideStatus.SCHEDULED)]
    assert worker_id is not None  # the worker, as an operator would be
    shown = client.get(made.headers["location"]).text
    assert "已设好定期用车" in shown and "每周二、五 08:00" in shown
    assert re.search(r'data-day="2026-12-01" data-state="已预约"', shown)

    skipped = client.post(f"/people/{own}/regular/{rule.id}/skip",
                          data={"csrf_token": token, "day": "2026-12-01"})
    assert skipped.status_code == 303
    with server.db.session() as session:
        assert {r.status for r in session.scalars(
            select(Ride).where(Ride.regular_ride_id == rule.id))} == {RideStatus.CANCELLED}

    (rule,) = _rules(server)
    edit = client.get(f"/people/{own}/regular/{rule.id}/edit")
    assert edit.status_code == 200 and 'value="12:00"' in edit.text
    changed = client.post(f"/people/{own}/regular/{rule.id}/edit",
                          data=_form(home, token, pickup_time="09:00", version=str(rule.version)))
    assert changed.status_code == 303
    assert str(_rules(server)[0].pickup_time) == "09:00:00"

    status_url = f"/people/{own}/regular/{rule.id}/status"
    for action, status in (("pause", RegularStatus.PAUSED), ("resume", RegularStatus.ACTIVE)):
        (rule,) = _rules(server)
        assert f'id="{action}-{rule.id}"' in client.get(f"/people/{own}/regular").text
        answer = client.post(status_url, data={"csrf_token": token, "action": action,
                                               "version": str(rule.version)})
        assert answer.status_code == 303 and _rules(server)[0].status == status
    (rule,) = _rules(server)
    ended = client.post(status_url, data={"csrf_token": token, "action": "end",
                                          "version": str(rule.version),
                                          "last_day": "2026-11-30"})
    assert ended.status_code == 303
    assert _rules(server)[0].status == RegularStatus.ENDED
    assert ended.headers["location"] == f"/people/{own}/regular?done=ends"  # nothing left
    assert "已设好最后一天" in client.get(ended.headers["location"]).text
    actions = [getattr(r, "fields", {}).get("action") for r in caplog.records
               if r.getMessage() == "community regular ride action"]
    assert actions == ["created", "skipped", "edited", "paused", "resumed", "ended"]

    # The same rule is on the dispatch console.
    add_staff(server.db, "op1", StaffRole.OPERATOR)
    operator = server.client()
    sign_in(operator, "op1")
    assert f'id="rule-{rule.id}"' in operator.get("/dispatch/regular").text


def test_another_communitys_people_and_rules_are_refused(live_server: LiveServer) -> None:
    server = start(live_server)
    cuihu = worker(server, "cuihu1")
    jinma = worker(server, "jinma1", JINMA)
    own, other = person_id(server.db, ZHANG), person_id(server.db, WANG)
    token = csrf_from(cuihu.get(f"/people/{own}/regular").text)
    cuihu.post(f"/people/{own}/regular", data=_form(_home(server, own), token))
    (rule,) = _rules(server)

    # 金马 cannot see, set up for, skip or change 翠湖's person or rule.
    jinma_token = csrf_from(jinma.get(f"/people/{other}/regular").text)
    assert jinma.get(f"/people/{own}/regular").status_code == 403
    assert jinma.get(f"/people/{own}/regular/{rule.id}/edit").status_code == 403
    assert jinma.post(f"/people/{own}/regular",
                      data=_form(_home(server, own), jinma_token)).status_code == 403
    assert jinma.post(f"/people/{own}/regular/{rule.id}/skip",
                      data={"csrf_token": jinma_token, "day": "2026-12-04"}).status_code == 403
    end = {"csrf_token": jinma_token, "action": "end", "version": str(rule.version)}
    assert jinma.post(f"/people/{own}/regular/{rule.id}/status", data=end).status_code == 403
    assert jinma.post(f"/people/{other}/regular/{rule.id}/status", data=end).status_code == 404
    assert _rules(server)[0].status == RegularStatus.ACTIVE
    # nor reach the rule through their own person, nor use another person's place
    assert jinma.get(f"/people/{other}/regular/{rule.id}/edit").status_code == 404
    assert jinma.post(f"/people/{other}/regular/{rule.id}/skip",
                      data={"csrf_token": jinma_token, "day": "2026-12-04"}).status_code == 404
    refused = jinma.post(f"/people/{other}/regular", data=_form(_home(server, own), jinma_token))
    assert refused.status_code == 400 and "上车地点要是这位老人登记的地点" in refused.text
    # their own list does not show 翠湖's rule
    assert f'id="rule-{rule.id}"' not in jinma.get(f"/people/{other}/regular").text
    assert len(_rules(server)) == 1
    with server.db.session() as session:
        friday = select(Ride).where(Ride.regular_day == date(2026, 12, 4))
        assert session.scalars(friday).all() == []

    # Without the CSRF token nothing is saved; operators and hospital staff are refused.
    no_token = _form(_home(server, own), token)
    del no_token["csrf_token"]
    assert cuihu.post(f"/people/{own}/regular", data=no_token).status_code == 403
    add_staff(server.db, "op1", StaffRole.OPERATOR)
    hospital = add_hospital(server.db)
    add_staff(server.db, "nurse", StaffRole.HOSPITAL_STAFF, hospital_id=hospital)
    for name in ("op1", "nurse"):
        other_client = server.client()
        sign_in(other_client, name)
        assert other_client.get(f"/people/{own}/regular").status_code == 403, name
        other_token = csrf_from(other_client.get("/console").text)
        answer = other_client.post(f"/people/{own}/regular",
                                   data=_form(_home(server, own), other_token))
        assert answer.status_code == 403, name
        stop = {"csrf_token": other_token, "action": "end", "version": str(rule.version)}
        answer = other_client.post(f"/people/{own}/regular/{rule.id}/status", data=stop)
        assert answer.status_code == 403, name
    assert len(_rules(server)) == 1 and _rules(server)[0].status == RegularStatus.ACTIVE
    assert community_id(server.db, JINMA) != community_id(server.db, "翠湖社区")


def test_an_admin_sets_up_one_for_anyone(live_server: LiveServer) -> None:
    server = start(live_server)
    add_staff(server.db, "boss", StaffRole.ADMIN)
    admin = server.client()
    sign_in(admin, "boss")
    other = person_id(server.db, WANG)
    token = csrf_from(admin.get(f"/people/{other}/regular").text)
    answer = admin.post(f"/people/{other}/regular",
                        data=_form(_home(server, other), token, return_time=""))
    assert answer.status_code == 303
    (rule,) = _rules(server)
    assert rule.person_id == other and rule.return_time is None

    # Ended after today: Tuesday's booking (made already) is cancelled and listed.
    ended = admin.post(f"/people/{other}/regular/{rule.id}/status", data={
        "csrf_token": token, "action": "end", "version": str(rule.version),
        "last_day": "2026-11-30"})
    assert ended.status_code == 303
    with server.db.session() as session:
        (tuesday,) = session.scalars(select(Ride).where(Ride.regular_ride_id == rule.id))
    assert tuesday.status == RideStatus.CANCELLED
    assert f"cancelled={tuesday.id}" in ended.headers["location"]
    listed = admin.get(ended.headers["location"]).text
    assert 'id="ended-days"' in listed and f'data-ended="{tuesday.id}"' in listed
