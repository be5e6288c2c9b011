"""The community console over real HTTP: roles, per-community isolation (ids changed in
URLs and forms), CSRF, bad input with clear messages, masking, and the audit trail."""

from __future__ import annotations

from community_helpers import (
    CUIHU,
    GOOD_ID,
    JINMA,
    LANDLINE,
    WANG,
    ZHANG,
    community_id,
    form,
    person,
    person_id,
    start,
    worker,
)
from sqlalchemy import select

from app.hospital.models import Appointment, Doctor, Schedule, Slot
from app.notify.enums import OutboxKind
from app.notify.models import OutboxMessage
from app.people.models import Community, Person, PersonAuditEntry
from app.staff.enums import StaffRole
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.live_server import HTML, LiveServer, add_staff, csrf_from, sign_in


def _count_people(server: LiveServer) -> int:
    with server.db.session() as session:
        return len(session.scalars(select(Person.id)).all())


def test_only_community_staff_and_admins_open_the_console(live_server: LiveServer) -> None:
    server = start(live_server)
    anonymous = server.client()
    login = anonymous.get("/people")
    assert login.status_code == 303 and login.headers["location"].startswith("/login")
    add_staff(server.db, "op1", StaffRole.OPERATOR)
    operator = server.client()
    sign_in(operator, "op1")
    assert operator.get("/people").status_code == 403
    assert operator.get(f"/people/{person_id(server.db, ZHANG)}").status_code == 403

    add_staff(server.db, "boss", StaffRole.ADMIN)
    admin = server.client()
    sign_in(admin, "boss")
    assert "老人登记" in admin.get("/console").text
    listing = admin.get("/people")
    assert "张秀英" in listing.text and "王建国" in listing.text  # every community


def test_a_worker_sees_and_changes_only_their_own_communitys_people(
    live_server: LiveServer,
) -> None:
    server = start(live_server)
    client = worker(server, "cuihu1")
    assert "老人登记" in client.get("/console").text
    own, other = person_id(server.db, ZHANG), person_id(server.db, WANG)

    listing = client.get("/people")
    assert f'id="person-{own}"' in listing.text and f'id="person-{other}"' not in listing.text
    assert client.get("/people", params={"q": "13800000002"}).text.count('id="person-') == 0
    assert client.get("/people", params={"q": "王建国"}).text.count('id="person-') == 0

    for path in ("", "/edit", "/card"):
        refused = client.get(f"/people/{other}{path}")
        assert refused.status_code == 403, path
        assert "您只能查看本社区的数据" in refused.text
        assert client.get(f"/people/{own}{path}").status_code == 200
    assert client.get("/people/999999").status_code == 404

    token = csrf_from(client.get(f"/people/{own}").text)
    edit = form(
        client, server.db, full_name="王建国改", community_id=str(community_id(server.db, JINMA))
    )
    assert client.post(f"/people/{other}", data=edit).status_code == 403
    assert client.post(f"/people/{other}/reveal", data={"csrf_token": token}).status_code == 403
    deactivate = {"csrf_token": token, "confirm": "yes"}
    assert client.post(f"/people/{other}/deactivate", data=deactivate).status_code == 403
    assert person(server.db, other).full_name == "王建国" and person(server.db, other).active

    # Registering into, or moving their own person to, another community is refused.
    before = _count_people(server)
    assert client.post("/people", data=edit).status_code == 403
    assert _count_people(server) == before
    assert client.post(f"/people/{own}", data=edit).status_code == 403
    assert person(server.db, own).full_name == "张秀英"

    # Without the CSRF token nothing is changed either.
    no_token = form(client, server.db)
    del no_token["csrf_token"]
    assert client.post("/people", data=no_token).status_code == 403
    assert _count_people(server) == before


def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    live_server: LiveServer,
) -> None:
    server = start(live_server)
    client = worker(server, "cuihu1")
    before = _count_people(server)

    wrong_digit = GOOD_ID[:-1] + ("1" if GOOD_ID[-1] != "1" else "2")
    refused = client.post("/people", data=form(client, server.db, id_number=wrong_digit))
    assert refused.status_code == 400 and "身份证号不对" in refused.text
    assert 'value="赵桂兰"' in refused.text  # the form comes back filled in

    eleven = form(
        client,
        server.db,
        place_label=[f"地点{i}" for i in range(10)],
        place_address=[f"北京路{i}号" for i in range(10)],
        place_landmark=[""] * 10,
        place_kind=["other"] * 10,
    )
    refused = client.post("/people", data=eleven)
    assert refused.status_code == 400 and "最多只能保存10个常用地点" in refused.text

    taken = client.post("/people", data=form(client, server.db, phone=["13800000001"]))
    assert taken.status_code == 400
    assert "138****0001已经登记在另一位老人名下" in taken.text
    assert 'name="rebind"' in taken.text  # the explicit choice is offered, not made
    assert "13800000001" not in taken.text.replace('value="13800000001"', "")
    assert _count_people(server) == before
    assert person_id(server.db, ZHANG) == person_id(server.db, "+8613800000001")

    # A number of another community's person cannot be taken even when 改绑 is ticked.
    other = client.post(
        "/people", data=form(client, server.db, phone=["13800000002"], rebind="yes")
    )
    assert other.status_code == 400 and "其他社区" in other.text
    assert _count_people(server) == before
    assert person(server.db, person_id(server.db, WANG)).full_name == "王建国"


def test_rebinding_within_the_community_is_explicit_and_audited_on_both_people(
    live_server: LiveServer,
) -> None:
    server = start(live_server)
    client = worker(server, "cuihu1")
    zhang = person_id(server.db, ZHANG)
    moved = client.post(
        "/people", data=form(client, server.db, phone=["13800000001"], rebind="yes")
    )
    assert moved.status_code == 303
    new_id = int(moved.headers["location"].split("/")[2].split("?")[0])
    assert person_id(server.db, ZHANG) == new_id
    assert ZHANG not in [p.number for p in person(server.db, zhang).phones]
    page = client.get(f"/people/{zhang}")
    assert f"电话138****0001改绑给另一位老人（赵桂兰，编号{new_id}）" in page.text


def test_register_search_edit_reveal_deactivate_with_audit_trail(
    live_server: LiveServer,
) -> None:
    server = start(live_server)
    client = worker(server, "cuihu1")
    created = client.post("/people", data=form(client, server.db))
    assert created.status_code == 303
    pid = int(created.headers["location"].split("/")[2].split("?")[0])
    saved = person(server.db, pid)
    assert saved.registered_by == f"{CUIHU}cuihu1（cuihu1）"
    assert saved.consent_basis == "paper_form" and saved.registered_at is not None
    assert saved.community_id == community_id(server.db, CUIHU)
    assert sorted(p.kind.value for p in saved.phones) == ["landline", "mobile"]
    assert [p.label for p in saved.places] == ["家", "女儿家", "市一院"]
    (contact,) = saved.contacts
    assert contact.may_order_taxi and contact.may_act_for and not contact.notify
    with server.db.session() as session:  # the person is told who registered them
        told = {m.to_number: m for m in session.scalars(select(OutboxMessage))}
    assert told["+8613900001111"].kind == OutboxKind.SMS
    assert told["+868716660101"].kind == OutboxKind.CALL
    assert f"{CUIHU}cuihu1已经为您（赵桂兰）登记" in told["+8613900001111"].body

    page = client.get(created.headers["location"])
    assert "已登记" in page.text and "社区办公室签字的纸质同意书" in page.text
    assert "（北京时间）" in page.text  # times are Kunming's, and say so
    assert "139****1111" in page.text and "087****0101" in page.text
    assert "13900001111" not in page.text and GOOD_ID not in page.text
    assert GOOD_ID[:6] + "********" + GOOD_ID[-4:] in page.text
    assert 'data-action="registered"' in page.text

    for query in ("赵桂", "139 0000 1111", "0871-6660101", "13900002222", GOOD_ID[-4:]):
        found = client.get("/people", params={"q": query}, headers=HTML)
        assert f'id="person-{pid}"' in found.text, query
    assert f'id="person-{pid}"' not in client.get("/people", params={"q": "王"}).text

    edit_page = client.get(f"/people/{pid}/edit")
    assert "13900001111" not in edit_page.text and GOOD_ID not in edit_page.text
    assert 'value="139****1111"' in edit_page.text and 'value="139****2222"' in edit_page.text
    edited = form(  # the masked values left as shown stand for the stored numbers
        client,
        server.db,
        id_number=GOOD_ID[:6] + "********" + GOOD_ID[-4:],
        phone=["087****0101"],
        contact_phone=["139****2222", ""],
        home_address="翠湖北路10号",
        contact_notify=["0"],
    )
    edited["csrf_token"] = csrf_from(edit_page.text)
    edited.pop("consent_basis")
    assert client.post(f"/people/{pid}", data=edited).status_code == 303
    after = person(server.db, pid)
    assert [p.number for p in after.phones] == ["+868716660101"]
    assert after.places[0].address == "翠湖北路10号" and after.id_number == GOOD_ID
    assert [c.phone for c in after.contacts] == ["+8613900002222"]

    page = client.get(f"/people/{pid}")
    assert "删除电话：139****1111" in page.text
    assert "修改地点1（家）：地址" in page.text
    assert "修改家属：李红（女儿）139****2222：接收通知 不可以 → 可以" in page.text

    shown = client.post(f"/people/{pid}/reveal", data={"csrf_token": csrf_from(page.text)})
    assert shown.status_code == 200 and GOOD_ID in shown.text and "0871-6660101" in shown.text

    token = csrf_from(shown.text)
    confirm = client.post(f"/people/{pid}/deactivate", data={"csrf_token": token})
    assert confirm.status_code == 200 and "确认停用" in confirm.text
    assert person(server.db, pid).active
    done = client.post(f"/people/{pid}/deactivate", data={"csrf_token": token, "confirm": "yes"})
    assert done.status_code == 303
    assert not person(server.db, pid).active and person(server.db, pid).phones == []

    with server.db.session() as session:
        entries = session.scalars(
            select(PersonAuditEntry).where(PersonAuditEntry.person_id == pid)
        ).all()
    assert [e.action for e in entries] == ["registered", "updated", "numbers_shown", "deactivated"]
    assert all(e.actor == f"{CUIHU}cuihu1（cuihu1）" and e.staff_user_id for e in entries)
    trail = "\n".join(e.changes for e in entries)
    for full in (GOOD_ID, "13900001111", "8716660101", "13900002222"):
        assert full not in trail  # the trail never holds a whole number


def test_the_person_page_shows_recent_rides_and_bookings(live_server: LiveServer) -> None:
    server = start(live_server)
    client = worker(server, "cuihu1")
    zhang = person_id(server.db, ZHANG)
    empty = client.get(f"/people/{zhang}").text
    assert "还没有叫过车" in empty and "还没有挂过号" in empty
    with server.db.session() as session:
        session.add(
            Ride(
                person_id=zhang,
                caller_number=ZHANG,
                pickup_address="五华区翠湖南路12号",
                status=RideStatus.QUEUED,
            )
        )
        slot, schedule, doctor = session.execute(
            select(Slot, Schedule, Doctor)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .limit(1)
        ).one()
        session.add(
            Appointment(
                slot_id=slot.id,
                patient_id=zhang,
                department_id=doctor.department_id,
                department_name="心血管内科",
                day=schedule.day,
                session=schedule.session,
                booked_by_number=ZHANG,
            )
        )
    page = client.get(f"/people/{zhang}")
    assert 'id="rides"' in page.text and "五华区翠湖南路12号" in page.text
    assert 'id="bookings"' in page.text and "心血管内科" in page.text
    assert f"{schedule.day.isoformat()} " in page.text


def test_erasure_is_confirmed_scoped_and_refused_while_a_ride_is_under_way(
    live_server: LiveServer,
) -> None:
    server = start(live_server)
    client = worker(server, "cuihu1")
    zhang, wang = person_id(server.db, ZHANG), person_id(server.db, WANG)
    token = csrf_from(client.get(f"/people/{zhang}").text)
    yes = {"csrf_token": token, "confirm": "yes"}
    assert client.post(f"/people/{wang}/erase", data=yes).status_code == 403
    assert person(server.db, wang).full_name == "王建国"

    confirm = client.post(f"/people/{zhang}/erase", data={"csrf_token": token})
    assert confirm.status_code == 200 and "确认注销" in confirm.text
    with server.db.session() as session:
        session.add(Ride(person_id=zhang, caller_number=ZHANG, status=RideStatus.QUEUED))
    refused = client.post(f"/people/{zhang}/erase", data=yes)
    assert refused.status_code == 409 and "还有没结束的叫车" in refused.text
    assert person(server.db, zhang).full_name == "张秀英"

    with server.db.session() as session:
        session.scalars(select(Ride)).one().status = RideStatus.CANCELLED
    done = client.post(f"/people/{zhang}/erase", data=yes)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=erased")
    page = client.get(done.headers["location"])
    assert "已注销" in page.text and "张秀英" not in page.text and "138****0001" not in page.text
    assert "（无地址）" in page.text and "（录音地址）" not in page.text  # nothing recorded
    erased = person(server.db, zhang)
    assert erased.erased_at is not None and erased.phones == [] and erased.places == []


def test_a_deactivated_person_is_reactivated_with_the_numbers_still_free(
    live_server: LiveServer,
) -> None:
    server = start(live_server)
    client = worker(server, "cuihu1")
    created = client.post("/people", data=form(client, server.db))
    pid = int(created.headers["location"].split("/")[2].split("?")[0])
    token = csrf_from(client.get(f"/people/{pid}").text)
    yes = {"csrf_token": token, "confirm": "yes"}
    assert client.post(f"/people/{pid}/deactivate", data=yes).status_code == 303
    # Meanwhile the freed landline is registered to someone else.
    other = form(client, server.db, full_name="周建华", id_number="", phone=[LANDLINE])
    assert client.post("/people", data=other).status_code == 303

    again = client.post("/people", data=form(client, server.db, phone=[]))
    assert again.status_code == 400
    assert "已经停用" in again.text and "重新启用" in again.text  # not "another person"
    assert "已经登记给另一位老人" not in again.text

    page = client.get(f"/people/{pid}")
    assert 'id="reactivate"' in page.text
    jinma = worker(server, "jinma1", JINMA)
    jinma_token = csrf_from(jinma.get("/people").text)
    refused = jinma.post(
        f"/people/{pid}/reactivate", data={"csrf_token": jinma_token, "confirm": "yes"}
    )
    assert refused.status_code == 403 and not person(server.db, pid).active
    confirm = client.post(f"/people/{pid}/reactivate", data={"csrf_token": token})
    assert confirm.status_code == 200 and "确认重新启用" in confirm.text
    assert not person(server.db, pid).active

    done = client.post(f"/people/{pid}/reactivate", data=yes)
    assert done.status_code == 303 and done.headers["location"].endswith("reactivated_partly")
    back = person(server.db, pid)
    assert back.active and back.deactivated_at is None
    assert [p.number for p in back.phones] == ["+8613900001111"]  # the landline stays taken
    shown = client.get(done.headers["location"]).text
    assert "已重新启用" in shown and "恢复电话：139****1111" in shown
    assert "电话087****0101已登记在另一位老人名下，没有恢复" in shown
    assert client.post(f"/people/{pid}/reactivate", data=yes).status_code == 409


def test_a_local_landline_is_found_without_its_area_code(live_server: LiveServer) -> None:
    server = start(live_server)
    client = worker(server, "cuihu1")
    zhang = person_id(server.db, ZHANG)  # her landline is 0871-5550101
    for query in ("5550101", "555-0101", "0871-5550101"):
        found = client.get("/people", params={"q": query}, headers=HTML)
        assert f'id="person-{zhang}"' in found.text, query
    with server.db.session() as session:  # a community in Beijing: 010 is assumed instead
        session.get_one(Community, community_id(server.db, CUIHU)).phone = "010-12345678"
    found = client.get("/people", params={"q": "5550101"}, headers=HTML)
    assert f'id="person-{zhang}"' not in found.text


def test_a_nul_character_in_the_search_is_ignored(live_server: LiveServer) -> None:
    server = start(live_server)
    client = worker(server, "cuihu1")
    zhang = person_id(server.db, ZHANG)
    found = client.get("/people", params={"q": "5550\x00101"}, headers=HTML)
    assert found.status_code == 200 and f'id="person-{zhang}"' in found.text


def test_the_card_says_which_places_the_call_does_not_read_out(live_server: LiveServer) -> None:
    server = start(live_server)
    client = worker(server, "cuihu1")
    three = form(
        client,
        server.db,
        place_label=["女儿家", "市一院", "菜市场"],
        place_address=["北京路100号", "青年路504号春城第一人民医院", "篆新农贸市场"],
        place_landmark=["", "", ""],
        place_kind=["family", "hospital", "other"],
    )
    created = client.post("/people", data=three)
    pid = int(created.headers["location"].split("/")[2].split("?")[0])
    card = client.get(f"/people/{pid}/card").text
    assert "菜市场</th><td>1 → 2 → 4 → 1" in card
    assert "电话里只念前两个地方" in card  # 菜市场 has a key but is not read out
    assert "叫一辆新车" in card
