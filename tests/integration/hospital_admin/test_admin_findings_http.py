"""What hospital admins trying the console ran into, over real HTTP: a refused rules form
lost what was typed and showed its error far above the form."""

from __future__ import annotations

import re

import httpx
from admin_helpers import NOW
from sqlalchemy import select

from app.hospital.models import Hospital
from app.staff.enums import StaffRole
from support.demo import demo_data
from support.live_server import LiveServer, add_staff, csrf_from, sign_in

FIRST = "春城第一人民医院"

RULES = {
    "booking_window_days": "21",
    "release_time": "15:30",
    "next_day_close_time": "17:00",
    "cancel_deadline_time": "16:00",
    "cancel_deadline_day": "calendar",
    "noshow_penalties": "1:10, 2:40",
    "elderly_share_percent": "30",
    "onsite_share_percent": "10",
    "family_doctor_share_percent": "5",
    "elderly_release": "hours",
    "elderly_release_days": "2",
    "elderly_release_time": "18:00",
    "elderly_release_hours": "6",
}


def _admin(server: LiveServer) -> tuple[httpx.Client, int, str]:
    demo_data(server.db, today=NOW.date())
    server.clock.set(NOW)
    with server.db.session() as session:
        hospital = session.scalars(select(Hospital.id).where(Hospital.name == FIRST)).one()
    add_staff(server.db, "office", StaffRole.HOSPITAL_ADMIN, hospital_id=hospital)
    client = server.client()
    assert sign_in(client, "office").status_code == 303
    token = csrf_from(client.get(f"/hospital/{hospital}/admin").text)
    return client, hospital, token


def _value(page: str, element_id: str) -> str:
    tag = re.search(rf'<input [^>]*id="{element_id}"[^>]*>', page)
    assert tag is not None, element_id
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def _section(page: str, name: str) -> str:
    match = re.search(rf'<section id="{name}".*?</section>', page, re.S)
    assert match is not None, name
    return match.group(0)


def test_a_refused_rules_form_keeps_what_was_typed_and_shows_the_error_at_the_field(
    live_server: LiveServer,
) -> None:
    client, hospital, token = _admin(live_server)
    with live_server.db.session() as session:
        before = dict(session.get(Hospital, hospital).rules or {})  # type: ignore[union-attr]
    typed = {**RULES, "cancel_deadline_time": "25:99"}
    refused = client.post(f"/hospital/{hospital}/admin/rules", data={**typed, "csrf_token": token})
    assert refused.status_code == 409
    page = refused.text
    # Every field shows what was typed, not the rules on file.
    fields = (
        ("rule-window", "booking_window_days"), ("rule-release", "release_time"),
        ("rule-close", "next_day_close_time"), ("rule-cancel", "cancel_deadline_time"),
        ("rule-noshow", "noshow_penalties"), ("rule-elderly", "elderly_share_percent"),
        ("rule-onsite", "onsite_share_percent"),
        ("rule-family-doctor", "family_doctor_share_percent"),
        ("rule-release-hours", "elderly_release_hours"),
    )
    for element_id, key in fields:
        assert _value(page, element_id) == typed[key], element_id
    assert '<option value="calendar" selected>' in page
    assert re.search(r'value="hours" checked', page)
    # The error is in the rules section, next to the wrong field, not at the top.
    assert 'id="admin-error"' not in page
    rules = _section(page, "rules")
    assert 'id="rules-error"' in rules and "取消截止时间要写成 时:分" in rules
    label = re.search(r'<label for="rule-cancel">.*?</label>', rules, re.S)
    assert label is not None and 'id="cancel_deadline_time-error"' in label.group(0)
    field = re.search(r'<input [^>]*id="rule-cancel"[^>]*>', rules)
    assert field is not None and 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="cancel_deadline_time-error"' in field.group(0)
    assert page.count('aria-invalid="true"') == 1
    # The form posts to #rules, so the refused page opens at the form.
    assert f'action="/hospital/{hospital}/admin/rules#rules"' in page
    with live_server.db.session() as session:
        assert session.get(Hospital, hospital).rules == before  # type: ignore[union-attr]
    # Shares over 100 %: the share field that tipped it is marked.
    over = client.post(f"/hospital/{hospital}/admin/rules",
                       data={**RULES, "onsite_share_percent": "80", "csrf_token": token})
    assert over.status_code == 409 and _value(over.text, "rule-onsite") == "80"
    field = re.search(r'<input [^>]*id="rule-onsite"[^>]*>', over.text)
    assert field is not None and 'aria-invalid="true"' in field.group(0)
    # Fixed, it saves and the page shows the saved rules.
    saved = client.post(f"/hospital/{hospital}/admin/rules", data={**RULES, "csrf_token": token})
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert _value(page, "rule-window") == "21" and _value(page, "rule-release") == "15:30"
    assert 'aria-invalid' not in page and 'id="rules-error"' not in page


def test_other_admin_forms_show_their_error_in_their_own_section(live_server: LiveServer) -> None:
    client, hospital, token = _admin(live_server)
    refused = client.post(
        f"/hospital/{hospital}/admin/templates",
        data={"csrf_token": token, "doctor_id": "abc", "weekday": "1", "clinic_session": "am",
              "capacity": "5"},
    )
    assert refused.status_code == 409
    assert "医生要填整数" in _section(refused.text, "templates")
    assert "医生要填整数" not in _section(refused.text, "rules")
    assert 'id="admin-error"' not in refused.text
