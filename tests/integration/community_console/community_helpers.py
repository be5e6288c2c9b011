"""Helpers for the community console tests: the demo set, signed-in clients, the form."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
from sqlalchemy import select

from app.core.db import Database
from app.people.models import Community, Person, PersonPhone
from app.people.resident_id import make_resident_id
from app.staff.enums import StaffRole
from support.demo import demo_data
from support.live_server import LiveServer, add_staff, csrf_from, sign_in

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in Kunming
DAY = date(2026, 11, 30)
CUIHU, JINMA = "翠湖社区", "金马社区"
ZHANG = "+8613800000001"  # 张秀英, 翠湖社区
WANG = "+8613800000002"  # 王建国, 金马社区
GOOD_ID = make_resident_id("530102", date(1948, 3, 9), 22)
MOBILE, LANDLINE = "139 0000 1111", "0871-6660101"


def community_id(db: Database, name: str) -> int:
    with db.session() as session:
        return session.scalars(select(Community.id).where(Community.name == name)).one()


def person_id(db: Database, number: str) -> int:
    with db.session() as session:
        return session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == number)
        ).one()


def person(db: Database, pid: int) -> Person:
    with db.session() as session:
        found = session.get_one(Person, pid)
        _ = found.phones, found.places, found.contacts  # loaded before the session closes
        session.expunge(found)
        return found


def start(server: LiveServer) -> LiveServer:
    demo_data(server.db, today=DAY)
    server.clock.set(NOW)
    return server


def worker(server: LiveServer, username: str, community: str = CUIHU) -> httpx.Client:
    """A signed-in community worker of `community`."""
    add_staff(
        server.db,
        username,
        StaffRole.COMMUNITY_STAFF,
        display_name=f"{community}{username}",
        community_id=community_id(server.db, community),
    )
    client = server.client()
    assert sign_in(client, username).status_code == 303
    return client


def form(client: httpx.Client, db: Database, **changes: Any) -> dict[str, Any]:
    """A whole register form as the browser sends it (with this page's CSRF token)."""
    page = client.get("/people/new")
    assert page.status_code == 200, page.text
    fields: dict[str, Any] = {
        "csrf_token": csrf_from(page.text),
        "full_name": "赵桂兰",
        "call_name": "赵奶奶",
        "id_number": GOOD_ID,
        "consent_basis": "paper_form",
        "community_id": str(community_id(db, CUIHU)),
        "phone": [MOBILE, LANDLINE, ""],
        "home_label": "家",
        "home_address": "翠湖北路8号2栋1单元",
        "home_landmark": "菜市场对面",
        "place_label": ["女儿家", "市一院", ""],
        "place_address": ["北京路100号", "青年路504号春城第一人民医院", ""],
        "place_landmark": ["", "", ""],
        "place_kind": ["family", "hospital", "other"],
        "contact_name": ["李红", ""],
        "contact_relation": ["女儿", ""],
        "contact_phone": ["13900002222", ""],
        "contact_taxi": ["0"],
        "contact_book": ["0"],
    }
    fields.update(changes)
    return fields
