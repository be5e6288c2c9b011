"""A hotline with the operators' panel on loopback: the live server (signed Twilio
webhooks, the consoles), the fake Twilio for the REST calls it makes, demo data, and two
operators with their own phones, signed in."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from twilio.request_validator import RequestValidator

from app.operators.models import OperatorRequest
from app.staff import accounts
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from support.demo import demo_data
from support.fake_twilio import FakeTwilio, RecordedRequest
from support.live_server import LiveServer, add_staff, csrf_from, sign_in

PUBLIC_BASE = "https://hotline.example.org"
ZHANG = "+8613800000001"  # 张奶奶 in the demo data
HOTLINE = "+868710000000"
OP1_PHONE = "+8615800000001"
OP2_PHONE = "+8615800000002"


@dataclass
class Desk:
    server: LiveServer
    twilio: FakeTwilio

    def sign(self, path: str, params: dict[str, str]) -> str:
        token = self.server.settings.twilio_auth_token
        return RequestValidator(token).compute_signature(PUBLIC_BASE + path, params)

    def twilio_post(self, path: str, params: dict[str, str]) -> httpx.Response:
        """A webhook as Twilio sends it: form-encoded, signed for the public URL."""
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": self.sign(path, params),
        }
        return httpx.post(
            self.server.url + path, content=urlencode(params), headers=headers, timeout=10
        )

    def caller_presses_0(self, sid: str, number: str = ZHANG) -> None:
        """A call comes in; the caller presses 0 at the main menu."""
        base = {"CallSid": sid, "From": number, "To": HOTLINE, "AccountSid": "AC1"}
        first = self.twilio_post("/twilio/voice", base)
        assert first.status_code == 200, first.text
        step = re.search(r"step=(\d+)", first.text)
        assert step is not None, first.text
        answer = self.twilio_post(f"/twilio/voice/step?step={step[1]}", {**base, "Digits": "0"})
        assert "<Enqueue" in answer.text and "/twilio/operators/wait" in answer.text, answer.text

    def hang_up(self, sid: str) -> None:
        params = {"CallSid": sid, "CallStatus": "completed", "AccountSid": "AC1"}
        assert self.twilio_post("/twilio/voice/status", params).status_code in (200, 204)

    def operator(self, username: str) -> tuple[httpx.Client, str]:
        client = self.server.client()
        assert sign_in(client, username).status_code == 303
        return client, csrf_from(client.get("/dispatch").text)

    def connected(self, sid: str, number: str, username: str = "op1") -> int:
        """The caller presses 0 and `username` picks them up and answers their phone: the
        two are bridged. Returns the operator request's id."""
        self.caller_presses_0(sid, number)
        request_id = self.request_id(sid)
        client, token = self.operator(username)
        assert client.post(f"/dispatch/operators/{request_id}/pick-up",
                           data={"csrf_token": token}).status_code == 303
        assert self.answer(self.rings()[-1], self.leg()).status_code == 200
        client.close()
        return request_id

    def request_id(self, call_sid: str) -> int:
        with self.server.db.session() as session:
            row = session.query(OperatorRequest).filter_by(call_id=call_sid).one()
            return row.id

    def row(self, request_id: int) -> OperatorRequest:
        with self.server.db.session() as session:
            row = session.get(OperatorRequest, request_id)
            assert row is not None
            session.expunge(row)
            return row

    def rings(self) -> list[RecordedRequest]:
        """Calls the hotline asked Twilio to place (to operators' phones)."""
        return [r for r in self.twilio.creates("Calls") if r.path.endswith("/Calls.json")]

    def leg(self, index: int = -1) -> str:
        """The sid Twilio gave the call it placed (what its callbacks carry as CallSid)."""
        return str(self.twilio.created_of("Calls")[index]["sid"])

    def answer(self, ring: RecordedRequest, sid: str) -> httpx.Response:
        """Twilio fetches the ring's answer URL once the operator picks their phone up."""
        url = urlsplit(ring.form["Url"])
        assert url.geturl().startswith(PUBLIC_BASE)
        return self.twilio_post(
            f"{url.path}?{url.query}", {"CallSid": sid, "CallStatus": "in-progress"}
        )

    def status(self, ring: RecordedRequest, sid: str, call_status: str) -> httpx.Response:
        url = urlsplit(ring.form["StatusCallback"])
        return self.twilio_post(
            f"{url.path}?{url.query}", {"CallSid": sid, "CallStatus": call_status}
        )


def ring_request_id(ring: RecordedRequest) -> int:
    return int(parse_qs(urlsplit(ring.form["Url"]).query)["request"][0])


def set_phone(desk: Desk, username: str, number: str) -> None:
    with desk.server.db.session() as session:
        user = session.query(StaffUser).filter_by(username=username).one()
        accounts.set_phone(session, user, number)


def make_desk(factory: Callable[..., LiveServer], twilio: FakeTwilio, **overrides: object) -> Desk:
    settings: dict[str, object] = {
        "public_base_url": PUBLIC_BASE,
        "twilio_account_sid": twilio.account_sid,
        "twilio_auth_token": twilio.auth_token,
        "twilio_from_number": "+868710000001",
        "twilio_api_base": twilio.url,
        "hotline_number": HOTLINE,
        "outbox_in_process": False,
        "operator_number": "",
    }
    settings.update(overrides)
    server = factory(**settings)
    demo_data(server.db)
    desk = Desk(server, twilio)
    for username, phone in (("op1", OP1_PHONE), ("op2", OP2_PHONE)):
        add_staff(server.db, username, StaffRole.OPERATOR, display_name=f"调度{username[-1]}")
        set_phone(desk, username, phone)
    return desk
