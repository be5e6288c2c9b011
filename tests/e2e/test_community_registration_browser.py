"""Issue 10 end to end: a community worker registers an older person in the browser (two
phones, one a landline, and three places), prints the hotline card, and a call from the
landline a moment later, over the signed Twilio webhook, is greeted by name and queues a
taxi to the saved home with one key (and its confirmation)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from app.people.enums import ConsentBasis
from app.people.models import Community, Person, PersonAuditEntry
from app.people.registration import PlaceInput, register_person
from app.people.resident_id import make_resident_id
from app.staff.enums import StaffRole
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.demo import demo_data
from support.layout import LABELS_OFF_THEIR_FIELDS
from support.live_server import PASSWORD, LiveServer, add_staff

pytestmark = pytest.mark.browser
AUTH_TOKEN = "test-auth-token-0123456789"
PUBLIC_BASE = "https://hotline.example.org"
HOTLINE = "+868710000000"
LANDLINE = "+868716660101"
SID = "CA" + "fedcba9876543210" * 2
HOME = "五华区翠湖北路8号2栋1单元"


def twilio_post(server: LiveServer, path: str, params: dict[str, str]) -> ET.Element:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE + path, params)
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


def press(server: LiveServer, step: int, digits: str) -> ET.Element:
    return twilio_post(
        server, f"/twilio/voice/step?step={step}", {"CallSid": SID, "Digits": digits}
    )


TEN = ["菜市场", "公园", "老年大学", "女儿家", "儿子家", "卫生站", "超市", "姐姐家", "茶馆"]


def test_register_print_card_and_call_from_the_landline(
    live_server_factory: Any, page: Any
) -> None:
    server: LiveServer = live_server_factory(
        twilio_auth_token=AUTH_TOKEN,
        public_base_url=PUBLIC_BASE,
        hotline_number=HOTLINE,
        operator_number="",
    )
    demo_data(server.db)
    with server.db.session() as session:
        cuihu = session.scalars(select(Community).where(Community.name == "翠湖社区")).one()
        cuihu.phone = "+868715551234"
        cuihu_id = cuihu.id
    add_staff(
        server.db,
        "cuihu1",
        StaffRole.COMMUNITY_STAFF,
        display_name="翠湖社区小王",
        community_id=cuihu_id,
    )
    id_number = make_resident_id("530102", date(1946, 7, 1), 24)

    page.goto(f"{server.url}/login?next=/people")
    page.fill("#username", "cuihu1")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/people")
    page.click("#register-new")
    page.fill("#full_name", "赵桂兰")
    page.fill("#call_name", "赵奶奶")
    page.fill("#id_number", id_number)
    page.check("#consent-verbal_by_phone")
    page.fill("#phone-0", "139 0000 1111")
    page.fill("#phone-1", "0871-6660101")
    page.fill("#home_address", HOME)
    page.fill("#home_landmark", "菜市场对面")
    page.fill("#place-label-0", "女儿家")
    page.fill("#place-address-0", "西山区滇池路569号海埂花园8栋")
    page.select_option("#place-kind-0", "family")
    page.fill("#place-label-1", "市一院")
    page.fill("#place-address-1", "五华区青年路504号春城第一人民医院")
    page.select_option("#place-kind-1", "hospital")
    page.fill("#contact-name-0", "李红")
    page.fill("#contact-relation-0", "女儿")
    page.fill("#contact-phone-0", "13900002222")
    page.click("#save")
    page.wait_for_url(re.compile(r".*/people/\d+\?done=registered$"))
    assert "已登记" in page.inner_text("#person-notice")
    phones = page.inner_text("#phones")
    assert "139****1111（手机）" in phones and "087****0101（座机）" in phones
    assert "13900001111" not in page.content() and id_number not in page.content()
    assert "电话里口头同意" in page.inner_text("#consent")
    assert page.locator("#places tbody tr").count() == 3

    page.click("#card-link")
    page.wait_for_selector("#hotline-card")
    assert page.inner_text("#hotline-number") == "0871-0000000"
    assert page.inner_text("#main-keys") == "按1叫车，按2挂号，按0找人工"
    rows = [r.split("\t") for r in page.inner_text("#card-places").splitlines()]
    assert rows == [["家", "1 → 1"], ["女儿家", "1 → 2 → 2 → 1"], ["市一院", "1 → 2 → 3 → 1"]]
    changes = page.inner_text("#card-changes")
    assert changes == "要改地址、电话或家属，请找翠湖社区（电话 0871-5551234），或打热线按0。"
    assert "叫一辆新车" in page.inner_text("#card-new-car")  # 1, 2 differ with a ride queued
    assert page.locator("#card-unsaid").count() == 0  # two other places: both are read out
    page.emulate_media(media="print")
    assert not page.is_visible("#print")  # only the card is printed
    card_box = page.locator("#hotline-card").bounding_box()
    assert card_box is not None and card_box["height"] < 1050  # fits one A4 page at 96 dpi
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1

    # The landline calls a moment later: greeted by name, key 1 twice queues a car home.
    start = twilio_post(
        server,
        "/twilio/voice",
        {"CallSid": SID, "From": LANDLINE, "To": HOTLINE, "CallStatus": "ringing"},
    )
    assert "赵奶奶您好" in spoken(start)
    confirm = press(server, next_step(start), "1")
    assert "车到家接您" in spoken(confirm)
    done = press(server, next_step(confirm), "1")
    assert "车已经叫了" in spoken(done)
    with server.db.session() as session:
        ride = session.scalars(select(Ride)).one()
        person = session.scalars(select(Person).where(Person.full_name == "赵桂兰")).one()
        actions = session.scalars(
            select(PersonAuditEntry.action).where(PersonAuditEntry.person_id == person.id)
        ).all()
    assert ride.status == RideStatus.QUEUED and ride.person_id == person.id
    assert ride.caller_number == LANDLINE and ride.pickup_address == HOME
    assert actions == ["registered"]

    # Her 定期用车 form: each label with its own field at every width.
    page.goto(f"{server.url}/people/{person.id}/regular")
    page.wait_for_selector("#regular-form")
    for width in (1366, 1280, 1024):
        page.set_viewport_size({"width": width, "height": 768})
        assert page.evaluate(LABELS_OFF_THEIR_FIELDS, "#regular-form") == [], width

    # A person with all ten places still gets a one-page card.
    with server.db.session() as session:
        full = register_person(
            session,
            full_name="钱秀珍",
            registered_by="翠湖社区小王",
            consent_basis=ConsentBasis.PAPER_FORM,
            community_id=cuihu_id,
            phones=["13900003333"],
            home=PlaceInput(label="家", address="五华区翠湖北路9号3栋2单元401室"),
            places=[
                PlaceInput(name, f"五华区青年路{i}号{name}门口") for i, name in enumerate(TEN)
            ],
        )
        full_id = full.id
    page.goto(f"{server.url}/people/{full_id}/card")
    page.wait_for_selector("#hotline-card")
    assert page.locator("#card-places tr").count() == 10
    page.emulate_media(media="print")
    table = page.locator("#card-places").bounding_box()
    card = page.locator("#hotline-card").bounding_box()
    assert table is not None and card is not None
    assert table["width"] <= card["width"] + 1  # no row runs off the side of the page
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
