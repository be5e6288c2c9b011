"""The dispatch console over real HTTP: roles, CSRF, double submit, fragments, events."""

from __future__ import annotations

import re
import threading
import time

import httpx
from sqlalchemy import func, select

from app.notify.models import OutboxMessage
from app.staff.enums import StaffRole
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from support.demo import demo_data
from support.live_server import LiveServer, add_hospital, add_staff, csrf_from, sign_in
from support.refusals import refusal

ZHANG = "+8613800000001"


def _operator(server: LiveServer) -> tuple[httpx.Client, str]:
    demo_data(server.db)
    add_staff(server.db, "op1", StaffRole.OPERATOR)
    client = server.client()
    assert sign_in(client, "op1").status_code == 303
    page = client.get("/dispatch")
    assert page.status_code == 200
    return client, csrf_from(page.text)


def _queued_ride(server: LiveServer, number: str = ZHANG) -> int:
    client, token = _operator(server)
    answer = client.post("/dispatch/orders", data={"csrf_token": token, "caller_number": number})
    assert answer.status_code == 303, answer.text[-2000:]
    with server.db.session() as session:
        return session.scalars(select(Ride.id)).one()


def test_only_operators_and_admins_open_the_console(live_server: LiveServer) -> None:
    hospital = add_hospital(live_server.db)
    add_staff(live_server.db, "nurse", StaffRole.HOSPITAL_STAFF, hospital_id=hospital)
    add_staff(live_server.db, "boss", StaffRole.ADMIN)
    with live_server.client() as anonymous:
        assert anonymous.get("/dispatch").status_code == 303
        assert anonymous.get("/dispatch/queue.json", headers={"accept": "*/*"}).status_code == 401
    with live_server.client() as nurse:
        sign_in(nurse, "nurse")
        for path in (
            "/dispatch",
            "/dispatch/queue.html",
            "/dispatch/events",
            "/dispatch/rides/1/recording",
        ):
            answer = nurse.get(path)
            assert answer.status_code == 403, path
        token = csrf_from(nurse.get("/console").text)
        answer = nurse.post("/dispatch/rides/1/number", headers={"x-csrf-token": token})
        assert answer.status_code == 403 and "无权" in answer.text
        assert "无权" in nurse.get("/dispatch").text
    with live_server.client() as boss:
        sign_in(boss, "boss")
        assert "叫车队列" in boss.get("/dispatch").text


def test_posts_without_the_csrf_token_are_refused(live_server: LiveServer) -> None:
    ride_id = _queued_ride(live_server)
    client = live_server.client()
    sign_in(client, "op1")
    answer = client.post(f"/dispatch/rides/{ride_id}/no-car", data={"version": "1"})
    assert answer.status_code == 403 and "表单校验失败" in answer.text
    with live_server.db.session() as session:
        assert session.get(Ride, ride_id).status == RideStatus.QUEUED  # type: ignore[union-attr]


def test_double_submit_of_the_assign_form_assigns_once(live_server: LiveServer) -> None:
    ride_id = _queued_ride(live_server)
    client = live_server.client()
    sign_in(client, "op1")
    page = client.get("/dispatch").text
    token = csrf_from(page)
    version = re.search(rf'id="ride-{ride_id}" data-ride="{ride_id}" data-version="(\d+)"', page)
    assert version
    with live_server.db.session() as session:
        driver_id = session.scalars(select(Driver.id).order_by(Driver.id)).first()
    form = {
        "csrf_token": token,
        "version": version.group(1),
        "driver_id": str(driver_id),
        "eta_minutes": "10",
    }
    answers: list[httpx.Response] = []

    def click() -> None:
        with live_server.client(cookies=client.cookies) as c:
            answers.append(c.post(f"/dispatch/rides/{ride_id}/assign", data=form))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    places = sorted(a.headers["location"] for a in answers)
    assert places == [f"/dispatch#ride-{ride_id}", "/dispatch?done=assigned"], places
    refused = next(a for a in answers if "#" in a.headers["location"])
    # The refusal is shown once on the page it redirects to (the same signed-in session).
    client.cookies.set("ivr_flash", refused.cookies["ivr_flash"], path="/dispatch")
    told = refusal(client, refused)
    assert "其他调度员" in told or "不能派车" in told
    with live_server.db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.status == RideStatus.ASSIGNED
        keys = session.scalars(select(OutboxMessage.idempotency_key)).all()
    assert len(keys) == 4 and len(set(keys)) == 4  # caller + 2 family SMS, 1 call


def test_queue_json_masks_numbers_and_reveal_is_explicit(live_server: LiveServer) -> None:
    ride_id = _queued_ride(live_server)
    client = live_server.client(headers={"accept": "application/json"})
    sign_in(client, "op1")
    data = client.get("/dispatch/queue.json").json()
    (row,) = data["rides"]
    assert row["caller_number_masked"] == "138****0001" and row["person_name"] == "张奶奶"
    assert "13800000001" not in client.get("/dispatch/queue.json").text
    html = live_server.client(cookies=client.cookies).get("/dispatch").text
    assert "138****0001" in html and "13800000001" not in html and "显示号码" in html
    token = csrf_from(html.replace('data-csrf-token="', 'name="csrf_token" value="', 1))
    reveal = f"/dispatch/rides/{ride_id}/number"
    assert client.get(reveal).status_code == 405  # never by a link or an image
    refused = client.post(reveal)
    assert refused.status_code == 403 and "13800000001" not in refused.text
    shown = client.post(reveal, headers={"x-csrf-token": token})
    assert shown.json() == {"number": "13800000001"}


def test_oversized_or_negative_ride_ids_are_404_not_server_errors(
    live_server: LiveServer,
) -> None:
    client, token = _operator(live_server)
    for ride_id in ("99999999999999999999", "-1", "9223372036854775808"):
        answer = client.post(f"/dispatch/rides/{ride_id}/number", headers={"x-csrf-token": token})
        assert answer.status_code == 404, ride_id
        assert client.get(f"/dispatch/rides/{ride_id}/recording").status_code == 404, ride_id


def test_refused_action_shows_the_console_with_a_chinese_message(live_server: LiveServer) -> None:
    ride_id = _queued_ride(live_server)
    client = live_server.client()
    sign_in(client, "op1")
    token = csrf_from(client.get("/dispatch").text)
    answer = client.post(
        f"/dispatch/rides/{ride_id}/arriving", data={"csrf_token": token, "version": "1"}
    )
    told = refusal(client, answer)
    assert "不能改为" in told
    assert "叫车队列" in client.get("/dispatch").text
    with live_server.db.session() as session:
        assert session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_event_stream_announces_a_change_from_another_process(live_server: LiveServer) -> None:
    client, token = _operator(live_server)
    seen_after: float | None = None
    with client.stream("GET", "/dispatch/events", headers={"accept": "text/event-stream"}) as s:
        assert s.headers["content-type"].startswith("text/event-stream")
        lines = s.iter_lines()
        assert next(lines).startswith("retry:")
        started = time.monotonic()
        with live_server.db.session() as session:  # as a phone worker would
            ride = Ride(caller_number=ZHANG, status=RideStatus.QUEUED)
            session.add(ride)
            session.flush()
            ride_id = ride.id
        for line in lines:  # keep-alives every 5 s bound each wait
            # The marker starts with the highest ride id: wait for one including the ride.
            if line.startswith("data: ") and line.removeprefix("data: ").startswith(
                f"{ride_id}|"
            ):
                seen_after = time.monotonic() - started
                break
            assert time.monotonic() - started < 10, "no event announced the new ride"
    assert seen_after is not None and seen_after < 1.0


def test_a_ride_walks_its_whole_trip_through_the_console(live_server: LiveServer) -> None:
    ride_id = _queued_ride(live_server)
    client = live_server.client()
    sign_in(client, "op1")
    with live_server.db.session() as session:
        driver_id = session.scalars(select(Driver.id).order_by(Driver.id)).first()

    def post(path: str, **extra: str) -> None:
        token = csrf_from(client.get("/dispatch").text)
        with live_server.db.session() as session:
            version = session.get(Ride, ride_id).version  # type: ignore[union-attr]
        answer = client.post(
            f"/dispatch/rides/{ride_id}/{path}",
            data={"csrf_token": token, "version": str(version), **extra},
        )
        assert answer.status_code == 303, (path, answer.text[-500:])

    post("assign", driver_id=str(driver_id), eta_minutes="8")
    for path, status in [
        ("arriving", RideStatus.ARRIVING),
        ("picked-up", RideStatus.PICKED_UP),
        ("completed", RideStatus.COMPLETED),
    ]:
        post(path)
        with live_server.db.session() as session:
            ride = session.get(Ride, ride_id)
            assert ride is not None and ride.status == status
    assert ride.cash_payment  # offline settlement by default


def test_a_request_handed_to_a_person_is_labelled_and_can_be_assigned(
    live_server: LiveServer,
) -> None:
    client, token = _operator(live_server)
    with live_server.db.session() as session:
        session.add(Ride(caller_number=ZHANG, status=RideStatus.HANDED_TO_PERSON))
    with live_server.db.session() as session:
        ride = session.scalars(select(Ride)).one()
        driver = session.scalars(select(Driver.id).where(Driver.plate == "云A·D1234")).one()
    fragment = client.get("/dispatch/queue.html").text
    row = fragment[fragment.index(f'id="ride-{ride.id}"'):]
    row = row[: row.index("</tr>")]
    assert "已转人工" in row and "确认派车" in row and "暂无车辆" in row and "回拨来电者" in row
    listed = client.get("/dispatch/queue.json", headers={"accept": "application/json"}).json()
    assert any(r["ride_id"] == ride.id and r["handed_to_person"] for r in listed["rides"])
    answer = client.post(
        f"/dispatch/rides/{ride.id}/assign",
        data={"csrf_token": token, "version": ride.version, "driver_id": driver, "eta_minutes": 8},
    )
    assert answer.status_code == 303
    with live_server.db.session() as session:
        assert session.get(Ride, ride.id).status == RideStatus.ASSIGNED  # type: ignore[union-attr]


def test_the_very_spot_said_at_the_read_back_is_shown_beside_the_saved_address(
    live_server: LiveServer,
) -> None:
    """A car to a saved place with the caller's words of where exactly (对，到小区门口嘛): the
    queue shows them as the caller's addition, not as a recognised address."""
    ride_id = _queued_ride(live_server)
    with live_server.db.session() as session:
        ride = session.get(Ride, ride_id)
        assert ride is not None and ride.pickup_place_id is not None
        ride.pickup_transcript = "对，到小区门口嘛"
        session.commit()
    client = live_server.client()
    sign_in(client, "op1")
    page = client.get("/dispatch/queue.html").text
    assert "来电者补充：对，到小区门口嘛" in page, page[-3000:]
    assert "语音识别：对，到小区门口嘛" not in page
