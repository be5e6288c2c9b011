"""Addresses no route answers, from a browser: a Chinese error page with a link back, on
every console; machines (JSON clients, Twilio, the FHIR API) keep their own answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from app.staff.enums import StaffRole
from support.live_server import LiveServer, add_hospital, add_staff, sign_in

JSON = {"accept": "application/json"}


@contextmanager
def _signed_in(server: LiveServer, username: str) -> Iterator[httpx.Client]:
    with server.client() as client:
        assert sign_in(client, username).status_code == 303
        yield client


def _is_error_page(answer: httpx.Response, status: int, back: str) -> None:
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/html")
    assert 'id="error-message"' in answer.text and '"detail"' not in answer.text
    assert f'id="error-home" href="{back}"' in answer.text
    assert answer.headers["x-frame-options"] == "DENY"


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    hospital = add_hospital(live_server.db)
    add_staff(live_server.db, "nurse", StaffRole.HOSPITAL_STAFF, hospital_id=hospital)
    add_staff(live_server.db, "operator", StaffRole.OPERATOR)
    live_server.hospital = hospital  # type: ignore[attr-defined]
    return live_server


def test_hospital_console_addresses_that_match_no_route(server: LiveServer) -> None:
    hospital = server.hospital  # type: ignore[attr-defined]
    with _signed_in(server, "nurse") as client:
        for path in ("/hospital/bookings/abc", f"/hospital/{hospital}/appointments/abc/slip",
                     f"/hospital/{hospital}/schedules/-1/stop", "/hospital/abc"):
            answer = client.get(path)
            _is_error_page(answer, 404, "/hospital")
            assert "找不到这个页面" in answer.text, path
        # A form's address opened directly (a bookmark, a reload after a redirect).
        answer = client.get(f"/hospital/{hospital}/appointments/1/check-in")
        _is_error_page(answer, 405, "/hospital")
        assert "不能直接打开" in answer.text and answer.headers["allow"] == "POST"
        # A malformed query: a 400 page naming the field, not a JSON 422.
        answer = client.get(f"/hospital/{hospital}/day-list/print?schedule_id=abc")
        _is_error_page(answer, 400, "/hospital")
        assert "出诊场次" in answer.text
        # The page it came from is offered first.
        came_from = f"{server.url}/hospital/{hospital}?day=2026-11-30"
        answer = client.get("/hospital/bookings/abc", headers={"referer": came_from})
        assert f'id="error-back" href="/hospital/{hospital}?day=2026-11-30"' in answer.text
        # Not another site's page, though.
        answer = client.get("/hospital/bookings/abc", headers={"referer": "https://evil.example/x"})
        assert 'id="error-back"' not in answer.text


def test_a_bad_page_number_is_page_one(server: LiveServer) -> None:
    hospital = server.hospital  # type: ignore[attr-defined]
    with _signed_in(server, "nurse") as client:
        for page in ("abc", "", "0", "-3", "1.5", "9" * 30):
            answer = client.get(f"/hospital/{hospital}", params={"q": "张秀英", "page": page})
            assert answer.status_code == 200, page


def test_dispatch_console_addresses_that_match_no_route(server: LiveServer) -> None:
    with _signed_in(server, "operator") as client:
        for path in ("/dispatch/rides/abc", "/dispatch/rides/abc/recording", "/dispatch/nowhere"):
            _is_error_page(client.get(path), 404, "/dispatch")
        answer = client.get("/dispatch/rides/1/assign")
        _is_error_page(answer, 405, "/dispatch")
        assert "不能直接打开" in answer.text
        for page in ("abc", "0", ""):  # the ride history's pages: a bad one is the first
            assert client.get(f"/dispatch/history?page={page}").status_code == 200, page


def test_unknown_pages_outside_the_consoles(server: LiveServer) -> None:
    with server.client() as client:  # not signed in
        _is_error_page(client.get("/no-such-page"), 404, "/console")
        _is_error_page(client.get("/logout"), 405, "/console")
        # The family self-service page keeps its own layout, without the staff header.
        answer = client.get("/family/people/abc")
        assert answer.status_code == 404 and 'id="refusal"' in answer.text
        assert "家属自助登记" in answer.text and "找不到这个页面" in answer.text


def test_machines_keep_their_json_answers(server: LiveServer) -> None:
    hospital = server.hospital  # type: ignore[attr-defined]
    with _signed_in(server, "nurse") as client:
        answer = client.get("/hospital/bookings/abc", headers=JSON)
        assert answer.status_code == 404 and answer.json() == {"detail": "Not Found"}
        answer = client.get(f"/hospital/{hospital}/appointments/1/check-in", headers=JSON)
        assert answer.status_code == 405 and answer.json() == {"detail": "Method Not Allowed"}
        answer = client.get(f"/hospital/{hospital}/day-list/print?schedule_id=abc", headers=JSON)
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"][-1] == "schedule_id"
    # Twilio and the HIS never get a page, whatever they accept.
    with server.client() as client:
        answer = client.get("/twilio/voice")
        assert answer.status_code == 405 and answer.json() == {"detail": "Method Not Allowed"}
        answer = client.get("/twilio/nowhere")
        assert answer.status_code == 404 and answer.json() == {"detail": "Not Found"}
        answer = client.get("/fhir")
        assert answer.status_code == 404 and answer.headers["content-type"].startswith(
            "application/json")
