"""登记为老人 from the operators' panel, over real HTTP with the fake Twilio: an operator who
picked up an unregistered caller registers them (name, the number of the call, home) through
the registration service, and can then order a car to their home without typing it.

Only the operator on the line may do it; the caller's spoken consent is ticked; refused
input changes nothing; a registered caller is not offered it."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select

from app.notify.models import OutboxMessage
from app.people.enums import ConsentBasis, PlaceKind
from app.people.models import Community, Person, PersonAuditEntry, PersonPhone
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from app.taxi.models import Ride
from support.fake_twilio import FakeTwilio
from support.live_server import LiveServer, add_staff, sign_in
from support.operator_desk import ZHANG, Desk, make_desk
from support.refusals import refusal

NEW_CALLER = "+8615912345678"  # not in the demo data
CALLER_SID = "CA" + "e" * 32
ZHANG_SID = "CA" + "f" * 32
FORM = {"full_name": "周桂兰", "call_name": "周奶奶", "home_address": "五华区华山南路12号",
        "consented": "true"}


def _community(desk: Desk, name: str) -> int:
    with desk.server.db.session() as session:
        return session.scalars(select(Community.id).where(Community.name == name)).one()


def _connected(desk: Desk, sid: str, number: str, operator: str = "op1") -> int:
    """The caller pressed 0, `operator` picked up and is talking with them."""
    desk.caller_presses_0(sid, number)
    request_id = desk.request_id(sid)
    client, token = desk.operator(operator)
    picked = client.post(f"/dispatch/operators/{request_id}/pick-up", data={"csrf_token": token})
    assert picked.status_code == 303, picked.text
    ring = desk.rings()[-1]
    assert desk.answer(ring, desk.leg()).status_code == 200
    client.close()
    return request_id


def _people_with(desk: Desk, number: str) -> list[Person]:
    with desk.server.db.session() as session:
        return list(session.scalars(
            select(Person).join(PersonPhone).where(PersonPhone.number == number)
        ))


def test_the_operator_on_the_line_registers_the_caller_then_orders_to_their_home(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    request_id = _connected(desk, CALLER_SID, NEW_CALLER)
    op1, token = desk.operator("op1")
    op2, token2 = desk.operator("op2")
    url = f"/dispatch/operators/{request_id}/register"
    jinma = _community(desk, "金马社区")
    form = {**FORM, "community_id": str(jinma)}

    mine = op1.get("/dispatch/operators.html").text
    assert f'action="{url}"' in mine and "未登记来电者" in mine
    assert f'<option value="{jinma}">官渡区 · 金马社区</option>' in mine  # every community
    assert f'action="{url}"' not in op2.get("/dispatch/operators.html").text

    # Another operator, missing consent, a bad ID number, no home, no community: told,
    # nothing written.
    other = op2.post(url, data={"csrf_token": token2, **form})
    told = refusal(op2, other)
    assert "只有正在和这位来电者通话的调度员" in told and "调度1在处理" in told
    no_consent = op1.post(url, data={"csrf_token": token, **form, "consented": ""})
    assert "老人在电话里同意登记" in refusal(op1, no_consent)
    bad_id = op1.post(url, data={"csrf_token": token, **form, "id_number": "530102194001010000"})
    assert "没有登记" in refusal(op1, bad_id)
    no_home = op1.post(url, data={"csrf_token": token, **form, "home_address": " "})
    assert "家庭住址" in refusal(op1, no_home)
    no_community = op1.post(url, data={"csrf_token": token, **FORM})
    assert "社区" in refusal(op1, no_community)
    unknown = op1.post(url, data={"csrf_token": token, **FORM, "community_id": "999999"})
    assert "找不到这个社区" in refusal(op1, unknown)
    assert _people_with(desk, NEW_CALLER) == []
    # A refused form comes back open with what was typed (the community chosen too).
    refused = op1.post(url, data={"csrf_token": token, **form, "consented": ""})
    assert refused.headers["location"] == f"/dispatch#operator-request-{request_id}"
    page = op1.get("/dispatch").text
    assert f'data-key="register-{request_id}" open' in page
    assert 'value="五华区华山南路12号"' in page and 'value="周桂兰"' in page
    assert f'<option value="{jinma}" selected>' in page

    done = op1.post(url, data={"csrf_token": token, **form})
    assert done.status_code == 303 and done.headers["location"] == "/dispatch?done=registered"
    [person] = _people_with(desk, NEW_CALLER)
    with desk.server.db.session() as session:
        person = session.get(Person, person.id)
        assert person is not None
        assert (person.full_name, person.call_name) == ("周桂兰", "周奶奶")
        assert person.consent_basis == ConsentBasis.VERBAL_BY_PHONE
        assert person.community_id == jinma  # the community's workers see them
        assert [(p.kind, p.address) for p in person.places] == [
            (PlaceKind.HOME, "五华区华山南路12号")
        ]
        op1_id = session.scalars(select(StaffUser.id).where(StaffUser.username == "op1")).one()
        audit = session.scalars(
            select(PersonAuditEntry).where(PersonAuditEntry.person_id == person.id)
        ).one()
        assert audit.staff_user_id == op1_id and "调度1" in audit.actor
        told = session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_number == NEW_CALLER)
        ).all()
        assert len(told) == 1 and "长者服务热线" in told[0].body
    page = op1.get("/dispatch?done=registered").text
    assert "已登记这位来电者" in page
    # The chosen community's worker finds them; another community's does not.
    db = desk.server.db
    add_staff(db, "jinma", StaffRole.COMMUNITY_STAFF, community_id=jinma)
    add_staff(db, "cuihu", StaffRole.COMMUNITY_STAFF, community_id=_community(desk, "翠湖社区"))
    for worker, sees in (("jinma", True), ("cuihu", False)):
        with desk.server.client() as client:
            assert sign_in(client, worker).status_code == 303
            found = client.get("/people", params={"q": "周桂兰"})
            assert found.status_code == 200
            assert (f'href="/people/{person.id}"' in found.text) is sees, worker

    # The panel now knows them; registering again is not offered, and refused.
    panel = op1.get("/dispatch/operators.html").text
    assert "周奶奶" in panel and f'action="{url}"' not in panel
    again = op1.post(url, data={"csrf_token": token, **form})
    assert "已经登记在周奶奶名下" in refusal(op1, again)

    # A car for them: no pickup typed, their home is used.
    ordered = op1.post(f"/dispatch/operators/{request_id}/order", data={"csrf_token": token})
    assert ordered.status_code == 303, ordered.text
    with desk.server.db.session() as session:
        ride = session.scalars(select(Ride)).one()
        assert (ride.person_id, ride.pickup_address) == (person.id, "五华区华山南路12号")
    op1.close()
    op2.close()


def test_a_registered_caller_is_not_offered_registration(
    live_server_factory: Callable[..., LiveServer], fake_twilio: FakeTwilio
) -> None:
    desk = make_desk(live_server_factory, fake_twilio)
    request_id = _connected(desk, ZHANG_SID, ZHANG)
    op1, token = desk.operator("op1")
    panel = op1.get("/dispatch/operators.html").text
    assert "张奶奶" in panel and not re.search(r'action="/dispatch/operators/\d+/register"', panel)
    refused = op1.post(f"/dispatch/operators/{request_id}/register",
                       data={"csrf_token": token, **FORM})
    assert "已经登记在张奶奶名下" in refusal(op1, refused)
    assert [p.full_name for p in _people_with(desk, ZHANG)] == ["张秀英"]
    op1.close()
