"""Eighth browser trial: the desk's appointment table at 1024 px wrapped names and tags one
character per line and scrolled sideways inside its box. At 1024 and 1366 px every name,
tag and status stays on one line and the table fits its box."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.hospital import appointments
from app.hospital.enums import ClinicSession
from app.hospital.models import Department, Doctor, Hospital, Schedule, Slot
from app.people.models import Person, PersonPhone
from support.demo import demo_data
from support.live_server import LiveServer

pytestmark = pytest.mark.browser
BOOKED_AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in Kunming
VISIT_DAY = date(2026, 12, 1)
CALLERS = ["+8613800000001", "+8613800000002", "+8613800000003"]

LAYOUT = """() => {
    const wraps = [...document.querySelectorAll('table.bookings')]
        .map(t => t.closest('.table-wrap'));
    const lines = el => {
        const range = document.createRange();
        range.selectNodeContents(el);
        return new Set([...range.getClientRects()].map(r => Math.round(r.bottom))).size;
    };
    const words = [...document.querySelectorAll(
        'table.bookings .name, table.bookings .badge, table.bookings .status')];
    const heads = [...document.querySelectorAll('table.bookings th')];
    return {
        overflow: wraps.map(w => w.scrollWidth - w.clientWidth),
        broken: words.filter(c => lines(c) > 1).map(c => c.textContent.trim()),
        heads: heads.filter(c => lines(c) > 2).map(c => c.textContent.trim()),
        count: words.length,
    };
}"""


def _book_three(live_server: LiveServer) -> None:
    """Three callers book tomorrow morning's cardiology by phone (the real service)."""
    with live_server.db.session() as session:
        slots = session.scalars(
            select(Slot.id)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .join(Hospital, Hospital.id == Department.hospital_id)
            .where(Hospital.name == "春城第一人民医院", Department.name == "心血管内科",
                   Schedule.day == VISIT_DAY, Schedule.session == ClinicSession.AM,
                   Slot.reserved_for_onsite.is_(False),
                   Slot.reserved_for_family_doctor.is_(False))
            .order_by(Slot.start_time)
        ).all()
        for number, slot_id in zip(CALLERS, slots[::6], strict=False):
            patient_id = session.scalars(
                select(PersonPhone.person_id).where(PersonPhone.number == number)
            ).first()
            person = session.get(Person, patient_id)
            if person is None or not person.id_number:
                continue
            appointments.book(
                session, slot_id=slot_id, patient_id=person.id, now=BOOKED_AT,
                booked_by_number=number,
            )


@pytest.mark.parametrize("width", [1024, 1366])
def test_the_desk_table_fits_at_1024_and_1366(
    live_server: LiveServer, page: Any, width: int
) -> None:
    demo_data(live_server.db, today=BOOKED_AT.date())
    _book_three(live_server)
    live_server.clock.set(BOOKED_AT + timedelta(days=1))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/hospital")
    page.fill("#username", "hospital1")
    page.fill("#password", "guahao-2026!")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/hospital/*")
    layout = page.evaluate(LAYOUT)
    assert layout["count"] >= 6, layout
    assert layout["broken"] == [] and layout["heads"] == [], layout
    assert all(extra <= 0 for extra in layout["overflow"]), layout
