"""Issue 10 end to end: on a 360 px wide phone screen, a daughter proves her mobile with
the code the fake Twilio received by SMS, registers her father, and he is told by SMS;
then she calls the hotline from her own mobile (over the signed Twilio webhook) and
orders a taxi for him to his home with three keys. The ride is his, her number the
contact."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from app.people.models import Person
from app.people.resident_id import make_resident_id
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.demo import demo_data
from support.fake_twilio import FakeTwilio
from support.live_server import LiveServer

pytestmark = pytest.mark.browser
PUBLIC_BASE = "https://hotline.example.org"
HOTLINE = "+868710000000"
DAUGHTER = "+8613900002222"
FATHER = "+8613900003333"
SID = "CA" + "0123456789abcdef" * 2
HOME = "五华区翠湖北路8号2栋1单元"


def wait_for(condition: Callable[[], Any], timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    return condition()


def sms_to(fake: FakeTwilio, number: str) -> list[str]:
    return [r.form["Body"] for r in fake.creates("Messages") if r.form.get("To") == number]


def twilio_post(server: LiveServer, token: str, path: str, params: dict[str, str]) -> ET.Element:
    signature = RequestValidator(token).compute_signature(PUBLIC_BASE + path, params)
    response = httpx.post(
        server.url + path,
        content=urlencode(params),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return ET.fromstring(response.text)


def spoken(root: ET.Element) -> str:
    return "".join(p.text or "" for p in root.iter("prosody"))


def next_step(root: ET.Element) -> int:
    gather = root.find("Gather")
    assert gather is not None, ET.tostring(root, encoding="unicode")
    match = re.search(r"step=(\d+)$", gather.attrib["action"])
    assert match
    return int(match.group(1))


def test_a_daughter_registers_her_father_and_orders_him_a_taxi_by_phone(
    live_server_factory: Any, fake_twilio: FakeTwilio, page: Any
) -> None:
    token = fake_twilio.auth_token
    server: LiveServer = live_server_factory(
        twilio_account_sid=fake_twilio.account_sid,
        twilio_auth_token=token,
        twilio_from_number=HOTLINE,
        twilio_api_base=fake_twilio.url,
        public_base_url=PUBLIC_BASE,
        hotline_number=HOTLINE,
        operator_number="",
        outbox_poll_seconds=0.1,
    )
    demo_data(server.db)
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(f"{server.url}/family")
    page.fill("#number", "139 0000 2222")
    page.click("button[type=submit]")
    page.wait_for_selector("#code")
    assert "139****2222" in page.inner_text("main")
    bodies = wait_for(lambda: sms_to(fake_twilio, DAUGHTER))
    assert bodies, fake_twilio.requests
    code = re.search(r"验证码是(\d{6})", bodies[0])
    assert code, bodies
    page.fill("#code", code.group(1))
    page.click("button[type=submit]")
    page.wait_for_url("**/family/people")

    page.click("#register-new")
    page.fill("#full_name", "孙德明")
    page.fill("#call_name", "孙大爹")
    page.fill("#id_number", make_resident_id("530102", date(1944, 2, 3), 13))
    page.fill("#phone-1", "13900003333")
    page.fill("#home_address", HOME)
    page.fill("#home_landmark", "菜市场对面")
    page.fill("#place-label-1", "市一院")
    page.fill("#place-address-1", "五华区青年路504号春城第一人民医院")
    page.fill("#my_name", "孙丽")
    page.fill("#my_relation", "女儿")
    page.select_option("#community_id", label="翠湖社区")
    page.check("#parent_agreed")  # she states her father agreed
    # Phone-friendly: nothing wider than the screen, large type in the fields.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    font_size = page.evaluate("getComputedStyle(document.querySelector('#full_name')).fontSize")
    assert float(font_size.rstrip("px")) >= 20
    page.click("#save")
    page.wait_for_url("**/family/people?done=registered")
    assert "登记好了" in page.inner_text("#notice")
    assert "孙德明" in page.inner_text(".family-people")

    told = wait_for(lambda: sms_to(fake_twilio, FATHER))
    assert told and "您的女儿孙丽已经为您（孙德明）登记" in told[0] and "按0" in told[0]

    # She calls from her own mobile: the hotline is named first, then 1 (taxi),
    # 1 (for her father), 1 (to his home).
    start = twilio_post(
        server,
        token,
        "/twilio/voice",
        {"CallSid": SID, "From": DAUGHTER, "To": HOTLINE, "CallStatus": "ringing"},
    )
    assert spoken(start).startswith("您好，这里是长者服务热线")

    def press(root: ET.Element, digits: str) -> ET.Element:
        return twilio_post(
            server,
            token,
            f"/twilio/voice/step?step={next_step(root)}",
            {"CallSid": SID, "Digits": digits},
        )

    who = press(start, "1")
    assert "是给您父亲孙德明叫车吗" in spoken(who) and "按0" in spoken(who)
    home = press(who, "1")
    assert "车到您父亲孙德明家（" in spoken(home)  # whose home, with its address
    done = press(home, "1")
    assert "车已经叫了" in spoken(done)
    with server.db.session() as session:
        father = session.scalars(select(Person).where(Person.full_name == "孙德明")).one()
        ride = session.scalars(select(Ride)).one()
    assert ride.status == RideStatus.QUEUED and ride.person_id == father.id
    assert ride.caller_number == DAUGHTER and ride.pickup_address == HOME
