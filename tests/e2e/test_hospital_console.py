"""A booking made by phone appears in the hospital console; the registration desk checks
the patient in with the keyboard-friendly buttons (no reveal of numbers needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.hospital import appointments
from app.hospital.enums import AppointmentStatus, ClinicSession
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.people.models import PersonPhone
from support.demo import demo_data
from support.live_server import LiveServer

pytestmark = pytest.mark.browser
BOOKED_AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in Kunming
VISIT_DAY = date(2026, 12, 1)
ZHANG = "+8613800000001"
SCREENSHOT = Path("var/screenshots/hospital_console.png")


def _book_by_phone(live_server: LiveServer) -> int:
    """张奶奶 books tomorrow morning's cardiology by phone (the real booking service)."""
    with live_server.db.session() as session:
        patient_id = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG)
        ).one()
        slot_id = session.scalars(
            select(Slot.id)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .join(Hospital, Hospital.id == Department.hospital_id)
            .where(Hospital.name == "春城第一人民医院", Department.name == "心血管内科",
                   Schedule.day == VISIT_DAY, Schedule.session == ClinicSession.AM)
            .order_by(Slot.start_time)
        ).first()
        assert slot_id is not None
        appointment = appointments.book(
            session, slot_id=slot_id, patient_id=patient_id, now=BOOKED_AT,
            booked_by_number=ZHANG,
        )
        return appointment.id


SEARCH_BOX = """sel => {
        const e = document.querySelector(sel), cs = getComputedStyle(e);
        const c = document.createElement('canvas').getContext('2d');
        c.font = cs.font;
        const room = e.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        return {height: e.getBoundingClientRect().height, font: parseFloat(cs.fontSize),
                fits: c.measureText(e.placeholder || '').width <= room};
    }"""


def test_registration_desk_checks_in_a_phone_booking(live_server: LiveServer, page: Any) -> None:
    demo_data(live_server.db, today=BOOKED_AT.date())
    appointment_id = _book_by_phone(live_server)
    live_server.clock.set(BOOKED_AT + timedelta(days=1))  # the visit day, 10:00

    page.goto(f"{live_server.url}/hospital")
    page.fill("#username", "hospital1")
    page.fill("#password", "guahao-2026!")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/hospital/*")
    expect(page.locator("#day-title")).to_contain_text("2026年12月1日 星期二（今天）")
    # The search box is a normal-size input with its whole placeholder in view.
    box = page.evaluate(SEARCH_BOX, "#desk-search")
    assert box["height"] >= 40 and box["font"] >= 18 and box["fits"], box
    row = page.locator(f"#appt-{appointment_id}")
    expect(row).to_contain_text("张秀英")
    expect(row).to_contain_text("********")  # ID number masked
    expect(row).to_contain_text("138****0001")
    expect(row).to_contain_text("电话预约")
    expect(row).to_contain_text("已预约")

    row.get_by_role("button", name="张秀英 签到").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**done=checked_in**")
    expect(page.locator("#hospital-notice")).to_contain_text("已签到：张秀英")
    row = page.locator(f"#appt-{appointment_id}")
    expect(row).to_contain_text("已签到")
    expect(page.locator("#checked-in-count")).to_have_text("1")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    with live_server.db.session() as session:
        appointment = session.get(Appointment, appointment_id)
        assert appointment is not None
        assert appointment.status is AppointmentStatus.ARRIVED
        assert appointment.checked_in_at == BOOKED_AT + timedelta(days=1)
