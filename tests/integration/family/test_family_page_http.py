"""The family self-service page over real HTTP (issue 10): SMS codes, the signed session,
registering and updating a relative, and the refusals (wrong, expired and reused codes,
too many requests, someone else's person, no session, no CSRF token)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.core.db import Database
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.people.enums import ConsentBasis
from app.people.family_codes import PER_CLIENT, PER_NUMBER
from app.people.models import (
    Community,
    FamilyCode,
    FamilyContact,
    Person,
    PersonAuditEntry,
    PersonPhone,
)
from app.people.resident_id import make_resident_id
from support.demo import demo_data
from support.live_server import LiveServer, csrf_from

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
DAY = date(2026, 11, 30)
DAUGHTER = "+8613900002222"  # not known to the hotline
LI_MEI = "+8613900000001"  # a demo family contact of 张秀英
MOTHER_MOBILE, MOTHER_LANDLINE = "+8613900003333", "+868716660202"
GOOD_ID = make_resident_id("530102", date(1947, 5, 6), 42)


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    demo_data(live_server.db, today=DAY)
    live_server.clock.set(NOW)
    return live_server


def ask_code(client: httpx.Client, number: str) -> httpx.Response:
    start = client.get("/family")
    assert start.status_code == 200, start.text
    return client.post("/family/code", data={"csrf_token": csrf_from(start.text), "number": number})


def code_sent(db: Database, number: str) -> str:
    """The code in the newest SMS to `number` in the outbox."""
    with db.session() as session:
        bodies = session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.to_number == number, OutboxMessage.kind == OutboxKind.SMS)
            .order_by(OutboxMessage.id.desc())
        ).all()
    match = re.search(r"验证码是(\d{6})", bodies[0] if bodies else "")
    assert match, bodies
    return match.group(1)


def enter_code(
    client: httpx.Client, page: httpx.Response, number: str, code: str
) -> httpx.Response:
    return client.post(
        "/family/verify",
        data={"csrf_token": csrf_from(page.text), "number": number, "code": code},
    )


def signed_in(server: LiveServer, number: str) -> httpx.Client:
    client = server.client()
    page = ask_code(client, number)
    assert page.status_code == 200, page.text
    answer = enter_code(client, page, number, code_sent(server.db, number))
    assert answer.status_code == 303 and answer.headers["location"] == "/family/people"
    return client


def community_option(page: str, name: str) -> str:
    match = re.search(rf'<option value="(\d+)"[^>]*>{name}</option>', page)
    assert match, page
    return match.group(1)


def register_form(client: httpx.Client, **changes: Any) -> dict[str, Any]:
    page = client.get("/family/new")
    assert page.status_code == 200, page.text
    fields: dict[str, Any] = {
        "csrf_token": csrf_from(page.text),
        "full_name": "赵桂兰",
        "call_name": "赵奶奶",
        "id_number": GOOD_ID,
        "community_id": community_option(page.text, "翠湖社区"),
        "phone": ["139 0000 3333", "0871-6660202"],
        "home_address": "翠湖北路8号2栋1单元",
        "home_landmark": "菜市场对面",
        "place_label": ["女儿家", ""],
        "place_address": ["北京路100号", ""],
        "place_landmark": ["", ""],
        "my_name": "李红",
        "my_relation": "女儿",
        "parent_agreed": "yes",
    }
    fields.update(changes)
    return fields


def test_a_daughter_registers_her_mother_and_the_mother_is_told(server: LiveServer) -> None:
    client = signed_in(server, DAUGHTER)
    assert "还没有老人" in client.get("/family/people").text
    answer = client.post("/family/new", data=register_form(client))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/family/people?done=registered"
    listing = client.get("/family/people").text
    assert "赵桂兰" in listing and "139****3333" in listing and "13900003333" not in listing

    with server.db.session() as session:
        person = session.scalars(select(Person).where(Person.full_name == "赵桂兰")).one()
        (contact,) = session.scalars(
            select(FamilyContact).where(FamilyContact.person_id == person.id)
        ).all()
        community_name = session.get_one(Community, person.community_id).name
        (entry,) = session.scalars(
            select(PersonAuditEntry).where(PersonAuditEntry.person_id == person.id)
        ).all()
        told = {
            m.to_number: m
            for m in session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.to_number.in_([MOTHER_MOBILE, MOTHER_LANDLINE])
                )
            )
        }
    assert person.consent_basis == ConsentBasis.FAMILY_SELF_SERVICE
    assert community_name == "翠湖社区"  # so its workers see and serve her
    assert person.registered_by == "家属139****2222（家属自助登记）"
    assert (contact.phone, contact.name, contact.relation) == (DAUGHTER, "李红", "女儿")
    assert contact.may_order_taxi and contact.may_act_for and contact.notify
    assert entry.actor == "家属139****2222（家属自助登记）" and entry.staff_user_id is None
    assert "家属声明老人本人同意" in entry.changes and "13900002222" not in entry.changes
    # The mother is told who registered her and how to undo it: SMS to the mobile, a call
    # (read out) to the landline.
    sms, voice = told[MOTHER_MOBILE], told[MOTHER_LANDLINE]
    assert sms.kind == OutboxKind.SMS and voice.kind == OutboxKind.CALL
    assert "您的女儿李红已经为您（赵桂兰）登记" in sms.body and "按0" in sms.body
    assert "您的女儿李红已经为您登记" in voice.body and "按0" in voice.body


def test_the_answer_is_the_same_for_a_known_and_an_unknown_number(server: LiveServer) -> None:
    known = ask_code(server.client(), LI_MEI)
    unknown = ask_code(server.client(), DAUGHTER)
    assert known.status_code == unknown.status_code == 200

    def page_text(response: httpx.Response, masked: str) -> str:
        text = re.sub(r'name="csrf_token" value="[^"]+"', "", response.text)
        return re.sub(r'name="number" value="[^"]+"', "", text).replace(masked, "NUMBER")

    assert page_text(known, "139****0001") == page_text(unknown, "139****2222")
    code_sent(server.db, LI_MEI), code_sent(server.db, DAUGHTER)  # both got a code
    with server.db.session() as session:
        stored = session.scalars(select(FamilyCode)).all()
    assert len(stored) == 2
    for row in stored:  # only digests: no number and no code
        assert "139" not in row.number_digest and len(row.code_digest) == 64


def test_a_wrong_an_expired_and_a_reused_code_are_refused(server: LiveServer) -> None:
    client = server.client()
    page = ask_code(client, DAUGHTER)
    code = code_sent(server.db, DAUGHTER)
    wrong = "000000" if code != "000000" else "111111"
    refused = enter_code(client, page, DAUGHTER, wrong)
    assert refused.status_code == 400 and "验证码不对" in refused.text
    assert "ivr_family" not in refused.headers.get("set-cookie", "")

    server.clock.advance(timedelta(minutes=10, seconds=1))
    expired = enter_code(client, page, DAUGHTER, code)
    assert expired.status_code == 400 and "验证码已经过期" in expired.text

    page = ask_code(client, DAUGHTER)
    fresh = code_sent(server.db, DAUGHTER)
    assert enter_code(client, page, DAUGHTER, fresh).status_code == 303
    other = server.client()
    reused = enter_code(other, other.get("/family"), DAUGHTER, fresh)
    assert reused.status_code == 400 and "已经用过" in reused.text


def test_five_wrong_codes_end_the_code(server: LiveServer) -> None:
    client = server.client()
    page = ask_code(client, DAUGHTER)
    code = code_sent(server.db, DAUGHTER)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert enter_code(client, page, DAUGHTER, wrong).status_code == 400
    assert "过期" in enter_code(client, page, DAUGHTER, code).text


def test_too_many_code_requests_per_number_and_per_client(server: LiveServer) -> None:
    client = server.client()
    for _ in range(PER_NUMBER):
        assert ask_code(client, DAUGHTER).status_code == 200
    refused = ask_code(client, DAUGHTER)
    assert refused.status_code == 429 and "次数太多" in refused.text
    with server.db.session() as session:
        sms = session.scalars(select(OutboxMessage).where(OutboxMessage.to_number == DAUGHTER))
        assert len(sms.all()) == PER_NUMBER  # no SMS for the refused request
    # Per client address: other numbers from the same address, until the limit.
    for index in range(PER_CLIENT - PER_NUMBER):
        assert ask_code(client, f"+86139100000{index:02d}").status_code == 200
    assert ask_code(client, "+8613910000099").status_code == 429
    # Another address is not held up; an hour later the limit is lifted.
    assert ask_code(server.client(from_address="127.0.0.2"), "+8613910000099").status_code == 200
    server.clock.advance(timedelta(hours=1, minutes=1))
    assert ask_code(client, DAUGHTER).status_code == 200


def test_a_landline_or_bad_number_gets_a_clear_message(server: LiveServer) -> None:
    for typed in ("0871-6660101", "12345", ""):
        answer = ask_code(server.client(), typed)
        assert answer.status_code == 400 and "11位手机号码" in answer.text


def test_a_relative_updates_only_the_people_they_are_a_contact_of(server: LiveServer) -> None:
    client = signed_in(server, LI_MEI)
    with server.db.session() as session:
        zhang = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == "+8613800000001")
        ).one()
        wang = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == "+8613800000002")
        ).one()
    listing = client.get("/family/people").text
    assert "张秀英" in listing and "王建国" not in listing

    form_page = client.get(f"/family/people/{zhang}")
    assert form_page.status_code == 200 and "138****0001" in form_page.text
    assert "13800000001" not in form_page.text
    fields = {
        "csrf_token": csrf_from(form_page.text),
        "full_name": "张秀英",
        "call_name": "张阿婆",
        "id_number": "",
        "phone": ["139 0000 4444", ""],  # her new mobile
        "home_address": "五华区翠湖南路12号翠湖小区3栋2单元",
        "home_landmark": "小区东门",
        "place_label": ["女儿家", "市一院", ""],
        "place_address": ["西山区滇池路569号海埂花园8栋", "五华区青年路504号春城第一人民医院", ""],
        "place_landmark": ["", "", ""],
        "my_name": "李梅",
        "my_relation": "女儿",
    }
    saved = client.post(f"/family/people/{zhang}", data=fields)
    assert saved.status_code == 303, saved.text

    # Someone else's person: not shown, not changed (ids changed in the URL).
    not_yours = client.get(f"/family/people/{wang}")
    assert not_yours.status_code == 403
    # In the family page's own layout: back to their people, no staff sign-in or header.
    assert 'href="/family/people"' in not_yours.text and "家属自助登记" in not_yours.text
    assert "/console" not in not_yours.text and "/login" not in not_yours.text
    refused = client.post(f"/family/people/{wang}", data={**fields, "full_name": "王建国"})
    assert refused.status_code == 403 and "不是这位老人登记的家属联系人" in refused.text

    with server.db.session() as session:
        mother = session.get_one(Person, zhang)
        other = session.get_one(Person, wang)
        numbers = sorted(p.number for p in mother.phones)
        sons = [c for c in mother.contacts if c.name == "李强"]
        entry = session.scalars(
            select(PersonAuditEntry)
            .where(PersonAuditEntry.person_id == zhang)
            .order_by(PersonAuditEntry.id.desc())
        ).first()
        wang_entries = session.scalars(
            select(PersonAuditEntry).where(PersonAuditEntry.person_id == wang)
        ).all()
        told = {m.to_number: m.body for m in session.scalars(select(OutboxMessage))}
    assert mother.call_name == "张阿婆" and mother.id_number is not None  # the ID is kept
    # Numbers on file are kept; the added one is told who registered it and how to undo it.
    assert numbers == ["+8613800000001", "+8613900004444", "+868715550101"]
    assert "您的女儿李梅已经为您（张秀英）登记" in told["+8613900004444"]
    assert "+8613800000001" not in told  # the numbers already on file are not told again
    assert len(sons) == 1  # the other contacts are kept
    assert entry is not None and entry.actor == "家属139****0001（家属自助登记）"
    assert "称呼：张奶奶 → 张阿婆" in entry.changes
    assert other.call_name == "王大爹" and wang_entries == []


def test_a_relative_cannot_give_themself_back_a_permission_staff_took_away(
    server: LiveServer,
) -> None:
    with server.db.session() as session:
        contact = session.scalars(select(FamilyContact).where(FamilyContact.phone == LI_MEI)).one()
        contact.may_order_taxi = False
        zhang = contact.person_id
        session.commit()
    client = signed_in(server, LI_MEI)
    page = client.get(f"/family/people/{zhang}")
    fields = {
        "csrf_token": csrf_from(page.text),
        "full_name": "张秀英",
        "call_name": "张奶奶",
        "id_number": "",
        "phone": ["", ""],
        "home_address": "五华区翠湖南路12号翠湖小区3栋2单元",
        "home_landmark": "",
        "place_label": ["女儿家", "市一院", ""],
        "place_address": ["西山区滇池路569号海埂花园8栋", "五华区青年路504号春城第一人民医院", ""],
        "place_landmark": ["", "", ""],
        "my_name": "李梅",
        "my_relation": "大女儿",
    }
    assert client.post(f"/family/people/{zhang}", data=fields).status_code == 303
    with server.db.session() as session:
        contact = session.scalars(select(FamilyContact).where(FamilyContact.phone == LI_MEI)).one()
    assert contact.relation == "大女儿" and contact.may_order_taxi is False


def test_pages_after_the_code_need_the_signed_session_and_forms_need_csrf(
    server: LiveServer,
) -> None:
    stranger = server.client()
    for path in ("/family/people", "/family/new", "/family/people/1"):
        answer = stranger.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/family", path
    forged = server.client(cookies={"ivr_family": f"{LI_MEI}.9999999999.{'0' * 64}"})
    assert forged.get("/family/people").status_code == 303

    client = signed_in(server, DAUGHTER)
    fields = register_form(client)
    fields.pop("csrf_token")
    assert client.post("/family/new", data=fields).status_code == 403
    assert client.post("/family/code", data={"number": DAUGHTER}).status_code == 403

    server.clock.advance(timedelta(minutes=31))  # the session is short-lived
    assert client.get("/family/people").status_code == 303


def test_a_refused_registration_says_why_and_keeps_the_form(server: LiveServer) -> None:
    client = signed_in(server, DAUGHTER)
    bad_id = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")
    answer = client.post("/family/new", data=register_form(client, id_number=bad_id))
    assert answer.status_code == 400 and "身份证号不对" in answer.text
    assert "赵桂兰" in answer.text
    taken = client.post("/family/new", data=register_form(client, phone=["13800000001", ""]))
    assert taken.status_code == 400 and "已经登记在另一位老人名下" in taken.text
    assert "请联系老人所在社区" in taken.text
    with server.db.session() as session:
        assert session.scalars(select(Person).where(Person.full_name == "赵桂兰")).all() == []


def test_registering_needs_the_parents_agreement_and_a_community(server: LiveServer) -> None:
    client = signed_in(server, DAUGHTER)
    page = client.get("/family/new").text
    assert "老人本人知道并同意登记" in page and 'name="parent_agreed"' in page
    unticked = register_form(client)
    unticked.pop("parent_agreed")
    answer = client.post("/family/new", data=unticked)
    assert answer.status_code == 400 and "请先问过老人本人" in answer.text
    assert "赵桂兰" in answer.text  # the form comes back filled in
    nowhere = client.post("/family/new", data=register_form(client, community_id=""))
    assert nowhere.status_code == 400 and "请选择老人住在哪个社区" in nowhere.text
    with server.db.session() as session:
        assert session.scalars(select(Person).where(Person.full_name == "赵桂兰")).all() == []


def test_a_bound_number_is_named_masked_like_the_console(server: LiveServer) -> None:
    client = signed_in(server, DAUGHTER)
    taken = client.post(
        "/family/new", data=register_form(client, phone=["139 0000 3333", "13800000001"])
    )
    assert taken.status_code == 400
    assert "电话138****0001已经登记在另一位老人名下" in taken.text  # the bound one, not 139...
    assert "139****3333已经" not in taken.text and "138******" not in taken.text
