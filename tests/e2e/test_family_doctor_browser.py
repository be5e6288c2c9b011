"""A family doctor signs in, books tomorrow's cardiology for a signed patient from the
family-doctor share, then moves the booking to another session (demo data and account),
on a 1024 px wide screen: one day's sessions at a time, the confirm button in view."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.hospital.enums import ClinicSession
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule
from app.people.models import PersonPhone
from support.demo import demo_data
from support.live_server import LiveServer

pytestmark = pytest.mark.browser
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in Kunming
TUESDAY = date(2026, 12, 1)
WEDNESDAY = date(2026, 12, 2)
ZHANG = "+8613800000001"
SCREENSHOT = Path("var/screenshots/family_doctor.png")


def _cardiology(server: LiveServer, day: date, clinic_session: ClinicSession) -> int:
    with server.db.session() as session:
        return session.scalars(
            select(Schedule.id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .join(Hospital, Hospital.id == Department.hospital_id)
            .where(
                Hospital.name == "春城第一人民医院",
                Department.name == "心血管内科",
                Schedule.day == day,
                Schedule.session == clinic_session,
            )
            .order_by(Doctor.id)
        ).first() or 0


def _in_view(page: Any, selector: str) -> None:
    """Wholly inside the window (not clipped at the right, not below the fold)."""
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box


def _no_sideways_scrolling(page: Any) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths


def test_family_doctor_books_and_moves_for_a_signed_patient(
    live_server: LiveServer, page: Any
) -> None:
    demo_data(live_server.db, today=NOW.date())
    live_server.clock.set(NOW)
    with live_server.db.session() as session:
        zhang = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG)
        ).one()
    tuesday = _cardiology(live_server, TUESDAY, ClinicSession.AM)
    wednesday = _cardiology(live_server, WEDNESDAY, ClinicSession.PM)

    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{live_server.url}/family-doctor")
    page.fill("#username", "familydoc1")
    page.fill("#password", "jiating-2026!")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/family-doctor")
    card = page.locator(f"#patient-{zhang}")
    expect(card).to_contain_text("张秀英")
    expect(card).to_contain_text("138****0001")
    expect(card).to_contain_text("********")  # the ID number is masked

    page.click(f"#book-{zhang}")
    # Every department: the first day's sessions only (not the whole window), and after
    # choosing one far down the list the button is still in view, not clipped.
    radios = page.locator("input[name=schedule_id]")
    assert 0 < radios.count() <= 40
    radios.nth(radios.count() // 2).check()
    _in_view(page, "#confirm-book")
    radios.nth(0).check()
    _in_view(page, "#confirm-book")
    _no_sideways_scrolling(page)
    # The chosen day's button (dark blue): its session count readable (contrast >= 4.5).
    contrast = page.evaluate("""() => {
        const a = document.querySelector('.choice-days a[aria-current]');
        const lum = c => {
            const [r, g, b] = c.match(/[\\d.]+/g).map(Number).map(v => {
                v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
            });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const fg = lum(getComputedStyle(a.querySelector('.sub')).color);
        const bg = lum(getComputedStyle(a).backgroundColor);
        return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    }""")
    assert contrast >= 4.5, contrast
    page.select_option("#family-department", "心血管内科")
    page.click("#filter-department")
    page.check(f"#session-{tuesday}")
    _in_view(page, "#confirm-book")
    page.click("#confirm-book")
    page.wait_for_url("**done=booked**")
    expect(page.locator("#family-notice")).to_contain_text("已预约")
    card = page.locator(f"#patient-{zhang}")
    expect(card).to_contain_text("12月1日 星期二 上午")
    expect(card).to_contain_text("家庭医生代约")
    with live_server.db.session() as session:
        [first] = session.scalars(select(Appointment).where(Appointment.patient_id == zhang))
        first_id = first.id

    page.click(f"#move-{first_id}")
    expect(page.locator("#current-booking")).to_contain_text("12月1日 星期二 上午")
    page.click(f"#day-{WEDNESDAY.isoformat()}")
    expect(page.locator("#day-sessions legend")).to_contain_text("12月2日 星期三")
    page.check(f"#session-{wednesday}")
    _in_view(page, "#confirm-move")
    _no_sideways_scrolling(page)
    page.click("#confirm-move")
    page.wait_for_url("**done=moved**")
    expect(page.locator("#family-notice")).to_contain_text("已改约")
    card = page.locator(f"#patient-{zhang}")
    expect(card).to_contain_text("12月2日 星期三 下午")
    expect(card).not_to_contain_text("12月1日 星期二 上午")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    with live_server.db.session() as session:
        rows = session.execute(
            select(Appointment.day, Appointment.status)
            .where(Appointment.patient_id == zhang)
            .order_by(Appointment.id)
        ).all()
    assert [(day, str(status)) for day, status in rows] == [
        (TUESDAY, "cancelled"),
        (WEDNESDAY, "booked"),
    ]
