"""The fleet pages and ride history over HTTP: roles, CSRF, validation, masking, duty,
what the assign form offers, forged and concurrent assignments."""

from __future__ import annotations

import re
import threading

import httpx
from sqlalchemy import func, select

from app.notify.models import OutboxMessage
from app.staff.enums import StaffRole
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride, TaxiCompany
from support.demo import demo_data
from support.live_server import (
    LiveServer,
    add_community,
    add_hospital,
    add_staff,
    csrf_from,
    sign_in,
)
from support.refusals import refusal

ZHANG = "+8613800000001"
WANG = "+8613800000002"

GETS = ("/dispatch/fleet", "/dispatch/fleet/drivers/1", "/dispatch/fleet/companies/1",
        "/dispatch/history")
POSTS = ("/dispatch/fleet/companies", "/dispatch/fleet/companies/1",
         "/dispatch/fleet/companies/1/active", "/dispatch/fleet/drivers",
         "/dispatch/fleet/drivers/1", "/dispatch/fleet/drivers/1/duty",
         "/dispatch/fleet/drivers/1/active")


def _operator(server: LiveServer, username: str = "op1") -> tuple[httpx.Client, str]:
    add_staff(server.db, username, StaffRole.OPERATOR)
    client = server.client()
    assert sign_in(client, username).status_code == 303
    return client, csrf_from(client.get("/dispatch/fleet").text)


def _driver_id(server: LiveServer, plate: str) -> int:
    with server.db.session() as session:
        return session.scalars(select(Driver.id).where(Driver.plate == plate)).one()


def _order(client: httpx.Client, token: str, number: str) -> int:
    answer = client.post("/dispatch/orders", data={"csrf_token": token, "caller_number": number})
    assert answer.status_code == 303, answer.text[-1000:]
    return int(re.findall(r'id="ride-(\d+)"', client.get("/dispatch/queue.html").text)[-1])


def test_only_operators_and_admins_reach_the_fleet_and_history(live_server: LiveServer) -> None:
    demo_data(live_server.db)
    hospital = add_hospital(live_server.db)
    community = add_community(live_server.db, "测试社区")
    add_staff(live_server.db, "nurse", StaffRole.HOSPITAL_STAFF, hospital_id=hospital)
    add_staff(live_server.db, "desk", StaffRole.COMMUNITY_STAFF, community_id=community)
    add_staff(live_server.db, "hadmin", StaffRole.HOSPITAL_ADMIN, hospital_id=hospital)
    add_staff(live_server.db, "boss", StaffRole.ADMIN)
    with live_server.client() as anonymous:
        for path in GETS:
            answer = anonymous.get(path)
            assert answer.status_code == 303 and "/login" in answer.headers["location"], path
        for path in POSTS:
            assert anonymous.post(path, data={"company_id": "1"}).status_code in (303, 403), path
    for username in ("nurse", "desk", "hadmin"):
        with live_server.client() as client:
            sign_in(client, username)
            token = csrf_from(client.get("/console").text)
            for path in GETS:
                answer = client.get(path)
                assert answer.status_code == 403 and "无权" in answer.text, (username, path)
            for path in POSTS:
                answer = client.post(path, data={"csrf_token": token, "company_id": "1",
                                                 "name": "x", "on_duty": "true"})
                assert answer.status_code == 403, (username, path)
    with live_server.db.session() as session:  # nothing the refused posts asked for happened
        assert session.scalar(select(func.count(Driver.id)).where(Driver.on_duty)) == 7
        assert session.scalar(select(func.count(TaxiCompany.id))) == 2
    with live_server.db.session() as session:
        driver = session.scalars(select(Driver.id)).first()
        company = session.scalars(select(TaxiCompany.id)).first()
    with live_server.client() as boss:
        sign_in(boss, "boss")
        for path in ("/dispatch/fleet", f"/dispatch/fleet/drivers/{driver}",
                     f"/dispatch/fleet/companies/{company}", "/dispatch/history"):
            assert boss.get(path).status_code == 200, path


def test_posts_need_the_csrf_token(live_server: LiveServer) -> None:
    demo_data(live_server.db)
    client, _ = _operator(live_server)
    off = _driver_id(live_server, "云A·D3690")
    answer = client.post(f"/dispatch/fleet/drivers/{off}/duty", data={"on_duty": "true"})
    assert answer.status_code == 403
    with live_server.db.session() as session:
        assert session.get(Driver, off).on_duty is False  # type: ignore[union-attr]


def test_add_a_driver_put_them_on_duty_and_they_are_offered(live_server: LiveServer) -> None:
    demo_data(live_server.db)
    client, token = _operator(live_server)
    with live_server.db.session() as session:
        company = session.scalars(select(TaxiCompany.id).order_by(TaxiCompany.id)).first()
    form = {"csrf_token": token, "company_id": str(company), "name": "赵师傅",
            "phone": "13700000099", "plate": "云A K2026", "vehicle_type": "accessible_van"}
    refused = client.post("/dispatch/fleet/drivers", data={**form, "plate": "云A·K20"})
    assert refused.status_code == 400 and "车牌格式不对" in refused.text
    assert 'value="赵师傅"' in refused.text  # what was typed stays in the form
    taken = client.post("/dispatch/fleet/drivers", data={**form, "plate": "云A·D1234"})
    assert taken.status_code == 400 and "刘师傅" in taken.text
    landline = client.post("/dispatch/fleet/drivers", data={**form, "phone": "08715550101"})
    assert landline.status_code == 400 and "手机号" in landline.text
    with live_server.db.session() as session:
        assert session.scalar(select(func.count(Driver.id))) == 10  # none of them saved
    added = client.post("/dispatch/fleet/drivers", data=form)
    assert added.status_code == 303 and added.headers["location"].endswith("done=driver_added")
    new = _driver_id(live_server, "云A·K2026")
    page = client.get("/dispatch/fleet").text
    row = page[page.index(f'id="driver-{new}"'):]
    row = row[: row.index("</tr>")]
    assert "下班" in row and "无障碍" in row and "137****0099" in row
    assert "13700000099" not in page  # masked everywhere on the page
    assert "云A·K2026" not in client.get("/dispatch/queue.html").text  # off duty: not offered

    on = client.post(f"/dispatch/fleet/drivers/{new}/duty",
                     data={"csrf_token": token, "on_duty": "true"})
    assert on.status_code == 303
    zhang = _order(client, token, ZHANG)  # home in 五华区
    wang = _order(client, token, WANG)  # home in 官渡区: 官渡爱心车队's zone
    queue = client.get("/dispatch/queue.html").text
    assert "云A·K2026 · 赵师傅" in queue and "无障碍（可坐轮椅）" in queue
    assert "云A·D3690" not in queue  # 蒋师傅 is off duty

    def options(ride_id: int) -> str:
        row = queue[queue.index(f'id="ride-{ride_id}"'):]
        return row[: row.index("</select>")]

    near = options(wang)
    assert '<optgroup label="同区（官渡区）">' in near
    assert near.index("云A·G2580") < near.index("其他在岗司机") < near.index("云A·D1234")
    assert "optgroup" not in options(zhang) and "云A·G2580" in options(zhang)


def test_editing_a_driver_keeps_the_number_unless_a_new_one_is_typed(
    live_server: LiveServer,
) -> None:
    demo_data(live_server.db)
    client, token = _operator(live_server)
    liu = _driver_id(live_server, "云A·D1234")
    form_page = client.get(f"/dispatch/fleet/drivers/{liu}").text
    assert "137****0001" in form_page and "13700000001" not in form_page
    with live_server.db.session() as session:
        company = session.get(Driver, liu).company_id  # type: ignore[union-attr]
    answer = client.post(f"/dispatch/fleet/drivers/{liu}", data={
        "csrf_token": token, "company_id": str(company), "name": "刘师傅",
        "phone": "", "plate": "云a·d1235", "vehicle_type": "mpv",
    })
    assert answer.status_code == 303
    with live_server.db.session() as session:
        driver = session.get(Driver, liu)
        assert driver is not None
        assert (driver.plate, driver.phone, driver.vehicle_type.value) == (
            "云A·D1235", "+8613700000001", "mpv"
        )
    missing = client.get("/dispatch/fleet/drivers/999999")
    assert missing.status_code == 404


def test_companies_added_edited_and_stopped(live_server: LiveServer) -> None:
    demo_data(live_server.db)
    client, token = _operator(live_server)
    bad = client.post("/dispatch/fleet/companies",
                      data={"csrf_token": token, "name": "盘龙的士", "phone": "0871 65553200",
                            "zone": "北京路"})
    assert bad.status_code == 400 and "“北京路”不是昆明的区县" in bad.text
    ok = client.post("/dispatch/fleet/companies",
                     data={"csrf_token": token, "name": "盘龙的士", "phone": "0871 65553200",
                           "zone": "盘龙区"})
    assert ok.status_code == 303
    with live_server.db.session() as session:
        company = session.scalars(select(TaxiCompany).where(TaxiCompany.name == "盘龙的士")).one()
    page = client.get("/dispatch/fleet").text
    assert "盘龙区" in page and "087*****3200" in page
    stop = client.post(f"/dispatch/fleet/companies/{company.id}/active",
                       data={"csrf_token": token})
    assert stop.status_code == 303
    with live_server.db.session() as session:
        assert session.get(TaxiCompany, company.id).active is False  # type: ignore[union-attr]


def test_off_duty_driver_through_a_forged_post_is_refused(live_server: LiveServer) -> None:
    demo_data(live_server.db)
    client, token = _operator(live_server)
    ride_id = _order(client, token, ZHANG)
    off = _driver_id(live_server, "云A·D3690")
    assert f'<option value="{off}"' not in client.get("/dispatch/queue.html").text
    answer = client.post(f"/dispatch/rides/{ride_id}/assign", data={
        "csrf_token": token, "version": "1", "driver_id": str(off), "eta_minutes": "10",
    })
    assert "不在岗" in refusal(client, answer)
    with live_server.db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.status == RideStatus.QUEUED and ride.driver_id is None
        assert session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_two_operators_give_one_driver_two_rides_one_is_told(live_server: LiveServer) -> None:
    demo_data(live_server.db)
    first_op, first_token = _operator(live_server, "op1")
    second_op, second_token = _operator(live_server, "op2")
    rides_ = [_order(first_op, first_token, ZHANG), _order(first_op, first_token, WANG)]
    liu = _driver_id(live_server, "云A·D1234")
    answers: dict[int, httpx.Response] = {}
    barrier = threading.Barrier(2)

    def assign(client: httpx.Client, token: str, ride_id: int) -> None:
        barrier.wait()
        answers[ride_id] = client.post(f"/dispatch/rides/{ride_id}/assign", data={
            "csrf_token": token, "version": "1", "driver_id": str(liu), "eta_minutes": "10",
        })

    threads = [
        threading.Thread(target=assign, args=(first_op, first_token, rides_[0])),
        threading.Thread(target=assign, args=(second_op, second_token, rides_[1])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(a.status_code for a in answers.values()) == [303, 303]
    with live_server.db.session() as session:
        drivers = {r: session.get(Ride, r).driver_id for r in rides_}  # type: ignore[union-attr]
    given = [r for r, driver in drivers.items() if driver == liu]
    assert len(given) == 1, drivers
    (lost,) = [r for r in rides_ if r not in given]
    loser = first_op if lost == rides_[0] else second_op
    assert "刘师傅（云A·D1234）正在执行另一张叫车单" in refusal(loser, answers[lost])
    with live_server.db.session() as session:
        kept = session.get(Ride, lost)
        assert kept is not None and kept.status == RideStatus.QUEUED and kept.driver_id is None


def test_off_duty_while_on_a_ride_keeps_it_and_deactivation_is_refused(
    live_server: LiveServer,
) -> None:
    demo_data(live_server.db)
    client, token = _operator(live_server)
    ride_id = _order(client, token, ZHANG)
    liu = _driver_id(live_server, "云A·D1234")
    assert client.post(f"/dispatch/rides/{ride_id}/assign", data={
        "csrf_token": token, "version": "1", "driver_id": str(liu), "eta_minutes": "10",
    }).status_code == 303
    assert client.post(f"/dispatch/fleet/drivers/{liu}/duty",
                       data={"csrf_token": token}).status_code == 303
    page = client.get("/dispatch/fleet").text
    assert f"已下班，完成当前行程 · 叫车单 #{ride_id}（已派车）" in page
    stop = client.post(f"/dispatch/fleet/drivers/{liu}/active", data={"csrf_token": token})
    assert stop.status_code == 400 and f"#{ride_id}" in stop.text
    with live_server.db.session() as session:
        ride = session.get(Ride, ride_id)
        driver = session.get(Driver, liu)
        assert ride is not None and ride.status == RideStatus.ASSIGNED and ride.driver_id == liu
        assert driver is not None and driver.active and not driver.on_duty


def test_history_searches_filters_and_masks(live_server: LiveServer) -> None:
    demo_data(live_server.db)
    client, token = _operator(live_server)
    zhang = _order(client, token, ZHANG)
    wang = _order(client, token, WANG)
    page = client.get("/dispatch/history", params={"q": "0001"}).text
    assert f'id="history-{zhang}"' in page and f'id="history-{wang}"' not in page
    assert "138****0001" in page and "13800000001" not in page
    filtered = client.get("/dispatch/history", params={"status": "cancelled"}).text
    assert 'id="history-total">0<' in filtered
    bad = client.get("/dispatch/history", params={"from": "30/11/2026"})
    assert bad.status_code == 200 and "日期请按" in bad.text
    out_of_range = client.get("/dispatch/history", params={"page": "0"})  # none: the first
    assert out_of_range.status_code == 200 and f'id="history-{zhang}"' in out_of_range.text
