"""What the hospital-offer call tests share: the demo day and clock, the caller booking for
herself, the keys to cardiology, and what was booked."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from app.core.db import Database
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment, Schedule, Slot

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
ZHANG = "+8613800000001"  # 张秀英, booking for herself
CARDIOLOGY = ("2", "1", "1")  # 挂号, 内科, 心血管内科: "最早的号是：明天星期二上午8点…"
FIRST_OFFER = "最早的号是：明天星期二上午8点"
TUESDAY, WEDNESDAY = date(2026, 12, 1), date(2026, 12, 2)


def booked(db: Database) -> list[tuple[date, str]]:
    """The day and start of every booked appointment."""
    with db.session() as session:
        rows = session.execute(
            select(Schedule.day, Slot.start_time)
            .join(Slot, Slot.schedule_id == Schedule.id)
            .join(Appointment, Appointment.slot_id == Slot.id)
            .where(Appointment.status == AppointmentStatus.BOOKED)
        )
        return sorted((day, f"{start:%H:%M}") for day, start in rows)
