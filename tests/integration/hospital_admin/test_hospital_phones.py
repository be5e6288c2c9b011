"""医院电话: a hospital admin sets the hospital's public numbers (checked with the numbering
plan, as taxi companies' phones are); they are audited, shown to the hospital's family
doctors, and only the hospital's own admin may change them. Migration 0027 moves the old
single number into the list and back."""

from __future__ import annotations

import httpx
import pytest
from admin_helpers import NOW
from sqlalchemy import select, text

from app.core.db import Database
from app.core.migrate import downgrade, upgrade
from app.hospital import contacts
from app.hospital.audit import AdminError
from app.hospital.models import Hospital, HospitalAudit
from app.staff.enums import StaffRole
from support.demo import demo_data
from support.live_server import LiveServer, add_staff, csrf_from, sign_in

BEFORE = "0026_doctor_active"
THIS = "0027_hospital_contacts"


def _hospitals(db: Database) -> tuple[int, int]:
    with db.session() as session:
        first, second = session.scalars(select(Hospital.id).order_by(Hospital.id)).all()[:2]
        return first, second


def _phones(db: Database, hospital: int) -> list[str]:
    with db.session() as session:
        found = session.get(Hospital, hospital)
        assert found is not None
        return list(found.phones)


def test_numbers_are_checked_kept_once_and_audited(demo: Database) -> None:
    first, _ = _hospitals(demo)
    assert _phones(demo, first) == ["+8687165551000"]  # the demo's main number
    with demo.session() as session:
        saved = contacts.set_phones(
            session, hospital_id=first, actor_id=None, now=NOW,
            typed=["0871-6555 1234", "", "400 800 1234", "+86 871 65551234"],
        )
    assert saved == ["+8687165551234", "+864008001234"]  # blank left out, the same kept once
    assert _phones(demo, first) == saved
    for typed, place in ((["12345"], 1), (["0871-65551234", "0871-555"], 2),
                         (["+1 202 555 0100"], 1)):
        with pytest.raises(AdminError) as refused, demo.session() as session:
            contacts.set_phones(session, hospital_id=first, typed=typed, actor_id=None, now=NOW)
        message = refused.value.message
        assert message.startswith(f"第{place}个电话") and "区号" in message
        assert refused.value.field == f"phone{place}"
    assert _phones(demo, first) == saved  # nothing changed by a refusal
    with pytest.raises(AdminError) as too_many, demo.session() as session:
        contacts.set_phones(session, hospital_id=first, actor_id=None, now=NOW, typed=[
            "0871-65551234", "0871-65551235", "0871-65551236", "13800000009"])
    assert "最多填写 3 个" in too_many.value.message
    with demo.session() as session:
        [row] = session.scalars(
            select(HospitalAudit).where(HospitalAudit.action == "phones_changed")).all()
        assert row.detail["phones"] == {"before": "0871 6555 1000",
                                        "after": "0871 6555 1234、400 800 1234"}
    assert [contacts.shown(n) for n in saved] == ["0871 6555 1234", "400 800 1234"]


def _client(server: LiveServer, username: str, role: StaffRole, hospital: int) -> httpx.Client:
    add_staff(server.db, username, role, hospital_id=hospital)
    client = server.client()
    assert sign_in(client, username).status_code == 303
    return client


def test_only_the_hospitals_admin_sets_its_phones_and_family_doctors_see_them(
    live_server: LiveServer,
) -> None:
    server = live_server
    demo_data(server.db, today=NOW.date())
    server.clock.set(NOW)
    first, second = _hospitals(server.db)
    admin = _client(server, "office", StaffRole.HOSPITAL_ADMIN, first)
    page = admin.get(f"/hospital/{first}/admin")
    assert 'id="hospital-phone-1"' in page.text and 'value="0871 6555 1000"' in page.text
    token = csrf_from(page.text)
    url = f"/hospital/{first}/admin/phones"
    form = {"csrf_token": token, "phone1": "0871-65551234", "phone2": "13800000009",
            "phone3": ""}
    bad = admin.post(url, data={**form, "phone2": "0871-555"})
    assert bad.status_code == 409 and 'id="phones-error"' in bad.text
    assert "第2个电话“0871-555”不是有效的号码" in bad.text
    assert 'value="0871-555"' in bad.text  # what was typed stays in the form
    assert _phones(server.db, first) == ["+8687165551000"]
    assert admin.post(url, data={**form, "csrf_token": "forged"}).status_code == 403
    done = admin.post(url, data=form)
    assert done.status_code == 303 and done.headers["location"].endswith("#phones")
    assert _phones(server.db, first) == ["+8687165551234", "+8613800000009"]
    shown = admin.get(done.headers["location"]).text
    assert "医院电话已保存" in shown and "修改医院电话" in shown

    # Another hospital's admin, and desk staff of this one: 403, nothing changed.
    other = _client(server, "other-office", StaffRole.HOSPITAL_ADMIN, second)
    other_token = csrf_from(other.get(f"/hospital/{second}/admin").text)
    assert other.post(url, data={**form, "csrf_token": other_token, "phone1": "0871-65550000"}
                      ).status_code == 403
    desk = _client(server, "desk", StaffRole.HOSPITAL_STAFF, first)
    desk_token = csrf_from(desk.get(f"/hospital/{first}").text)
    assert desk.post(url, data={**form, "csrf_token": desk_token, "phone1": "0871-65550000"}
                     ).status_code == 403
    assert _phones(server.db, first) == ["+8687165551234", "+8613800000009"]
    assert _phones(server.db, second) == ["+8687165552000"]

    # The hospital's family doctor sees the numbers (to send a patient past the deadline).
    family = server.client()
    assert sign_in(family, "familydoc1", "jiating-2026!").status_code == 303
    home = family.get("/family-doctor").text
    assert "本院电话：0871 6555 1234、138 0000 0009" in home


def test_the_migration_moves_the_single_number_into_the_list_and_back(db: Database) -> None:
    db.engine.dispose()
    downgrade(db.url, BEFORE)
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO hospitals (id, name, short_name, address, phone, rules) VALUES "
            "(1, '一院', '一院', '昆明', '+8687165551000', '{}'), "
            "(2, '二院', '二院', '昆明', NULL, '{}')"
        ))
    db.engine.dispose()
    upgrade(db.url, THIS)
    db.engine.dispose()
    with db.session() as session:
        assert [(h.id, h.phones) for h in session.scalars(select(Hospital).order_by(Hospital.id))
                ] == [(1, ["+8687165551000"]), (2, [])]
        second = session.get(Hospital, 2)
        assert second is not None
        second.phones = ["+8687165552000", "+864008001234"]
    db.engine.dispose()
    downgrade(db.url, BEFORE)
    with db.engine.begin() as conn:
        rows = conn.execute(text("SELECT id, phone FROM hospitals ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, "+8687165551000"), (2, "+8687165552000")]
    db.engine.dispose()
    upgrade(db.url)
