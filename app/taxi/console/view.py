"""What the dispatch templates need beyond the queue entries: masking, colours, roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.consoles.phone_service import NOT_SENT, action_notice
from app.core.config import Settings
from app.operators.console.view import NOTICES as OPERATOR_NOTICES
from app.operators.console.view import marker as operators_marker
from app.operators.console.view import panel_context
from app.people.phones import local_number, mask_number
from app.staff.models import StaffUser
from app.taxi import ahead, rides
from app.taxi import queue as ride_queue
from app.taxi.console import ahead_order
from app.taxi.enums import VEHICLE_TYPE_LABELS
from app.taxi.fleet import in_zone

CANCEL_REASONS = ("来电者不需要了", "重复下单", "联系不上来电者", "其他原因")
NO_CANCEL_REASON = "请选择取消原因，再点“确认取消”。这张单没有取消。"


def cancel_reason(reason: str) -> str:
    """The reason an operator chose for 取消 (it goes to the driver and the caller); an
    empty one is refused, never stored as a made-up "调度员取消"."""
    if not reason.strip():
        raise rides.RideError(NO_CANCEL_REASON)
    return reason
ETA_CHOICES = (5, 10, 15, 20, 30, 45, 60)

NOTICES: dict[str, str] = {
    "assigned": "已派车，短信和语音通知已排队发送。",
    "arriving": "已标记为车辆即将到达。",
    "picked_up": "已标记为老人已上车。",
    "completed": "已完成（现金支付，线下结算）。",
    "cancelled": "已取消这张叫车单。",
    "no_car": "已标记为暂无车辆，已通知来电者；这张单仍留在队列里。",
    "queued": "后台下单成功，已进入队列。",
    "car_replaced": (
        "已换车：这张预约单回到等待派车（优先级不变），原来的司机已收到短信不用去了，"
        "来电者已收到通知。请尽快另派一辆车。"
    ),
}
# The same actions when no phone service is configured: nothing is sent (see
# app/consoles/phone_service.py); the messages wait in the outbox.
UNSENT_NOTICES: dict[str, str] = {
    "assigned": f"已派车。短信和语音通知{NOT_SENT}。",
    "cancelled": f"已取消这张叫车单。给来电者（和司机）的通知{NOT_SENT}。",
    "no_car": f"已标记为暂无车辆，这张单仍留在队列里。给来电者的通知{NOT_SENT}。",
    "car_replaced": (
        f"已换车：这张预约单回到等待派车，请尽快另派一辆车。给司机和来电者的通知{NOT_SENT}。"
    ),
    "booked": f"已为来电者挂号。确认短信{NOT_SENT}。",
    "registered": f"已登记这位来电者（电话号码和家庭住址）。告诉老人已登记的短信{NOT_SENT}。",
}


def dispatch_notice(done: str, settings: Settings) -> str | None:
    """The notice shown after the action `done` (None for an unknown one)."""
    return action_notice(
        done, settings, notices={**NOTICES, **OPERATOR_NOTICES}, unsent_notices=UNSENT_NOTICES
    )


def wait_level(entry: ride_queue.QueueEntry, settings: Settings) -> str:
    """'red', 'amber' or '' for a ride still waiting for a car."""
    if not entry.waiting:
        return ""
    if entry.waiting_minutes >= settings.dispatch_red_minutes:
        return "red"
    if entry.waiting_minutes >= settings.dispatch_amber_minutes:
        return "amber"
    return ""


@dataclass(frozen=True)
class RosterDriver:
    id: int
    name: str
    plate: str
    phone_masked: str  # personal data: the assign drop-down shows 137****0001
    volunteer: bool
    free: bool
    zone: str | None = None
    accessible: bool = False
    vehicle_label: str = ""


@dataclass(frozen=True)
class Offers:
    """The drivers offered for one ride: those whose company zone holds the pickup first."""

    zone: str | None
    near: list[RosterDriver]
    others: list[RosterDriver]


def offers_for(entry: ride_queue.QueueEntry, roster: list[RosterDriver]) -> Offers:
    """On-duty free drivers only; same-zone drivers first (app/taxi/fleet.py, "Zone")."""
    free = [d for d in roster if d.free]
    near = [d for d in free if in_zone(d.zone, entry.pickup_address)]
    others = [d for d in free if d not in near]
    return Offers(near[0].zone if near else None, near, others)


def queue_context(session: Session, settings: Settings, now: datetime) -> dict[str, Any]:
    entries = ride_queue.live_queue(session, now=now)
    roster = [
        RosterDriver(
            d.id, d.name, d.plate, mask_number(d.phone), d.volunteer, free,
            zone=d.company.zone, accessible=d.accessible,
            vehicle_label=VEHICLE_TYPE_LABELS[d.vehicle_type],
        )
        for d, free in ride_queue.drivers_roster(session)
    ]
    return {
        "offers": lambda e: offers_for(e, roster),
        "waiting": [e for e in entries if e.waiting],
        "under_way": [e for e in entries if not e.waiting],
        "roster": roster,
        "free_drivers": sum(1 for d in roster if d.free),
        "settings": settings,
        "wait_level": lambda e: wait_level(e, settings),
        "mask_number": mask_number,
        "local_number": local_number,
        "cancel_reasons": CANCEL_REASONS,
        "eta_choices": ETA_CHOICES,
        "marker": "|".join(map(str, ride_queue.change_marker(session))),
        "now": now,
        # Booked hospital trips a 停诊 cancelled: a notice above the queue (app/taxi/ahead.py).
        "stopped": ahead.stopped_list(session, now=now),
    }


def entry_json(entry: ride_queue.QueueEntry, settings: Settings) -> dict[str, Any]:
    """A queue row for /dispatch/queue.json; phone numbers masked."""
    return {
        "ride_id": entry.ride_id,
        "version": entry.version,
        "status": entry.status.value,
        "status_label": entry.status_label,
        "caller_hung_up": entry.caller_hung_up,
        "handed_to_person": entry.handed_to_person,
        "person_name": entry.person_name,
        "age": entry.age,
        "caller_number_masked": mask_number(entry.caller_number),
        "pickup_label": entry.pickup_label,
        "pickup_address": entry.pickup_address,
        "has_recording": entry.recording_url is not None,
        "transcript": entry.transcript,
        "destination": entry.destination,
        "to_hospital": entry.to_hospital,
        "elderly": entry.elderly,
        "priority": entry.priority,
        "waiting_since": entry.waiting_since.isoformat(),
        "waiting_minutes": entry.waiting_minutes,
        "pickup_at": entry.pickup_at.isoformat() if entry.pickup_at else None,  # booked
        "wait_level": wait_level(entry, settings),
        "driver_name": entry.driver_name,
        "driver_plate": entry.driver_plate,
        "eta_minutes": entry.eta_minutes,
        "hospital_name": entry.hospital_name,
        "hospital_phone": entry.hospital_phone,
    }


def page_context(
    session: Session, settings: Settings, now: datetime, staff: StaffUser
) -> dict[str, Any]:
    """The whole dispatch page: the operators' panel above the ride queue."""
    context = queue_context(session, settings, now)
    context.update(panel_context(session, settings, now, staff))
    context["operators_marker"] = operators_marker(session)
    rules = ahead.AheadRules.from_settings(settings)
    context["order_days"] = ahead_order.day_choices(now, rules)
    context["service_hours"] = ahead.service_hours(rules)
    return context
