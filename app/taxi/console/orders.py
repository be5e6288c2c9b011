"""后台下单 twice for one caller: the order form warns before it queues a second ride.

An operator typing an order while the caller's first ride still waits (or is under way)
usually means a repeated call, not a second car. The order is then not placed: the page
comes back with the caller's open rides and a "仍然下单" button that sends the same order
again with `duplicate_ok` set (two people from one home may really need two cars).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.people.models import PersonPhone
from app.taxi.models import Ride
from app.taxi.rides import LIVE, STATUS_LABELS

DUPLICATE = (
    "这位来电者已经有 {count} 张没有结束的叫车单（见下）。没有下新单。"
    "如果确实要再叫一辆车，请点“仍然下单”。"
)


@dataclass(frozen=True)
class OpenRide:
    ride_id: int
    status_label: str
    pickup: str


def open_rides_of(session: Session, number: str) -> list[OpenRide]:
    """The rides not yet finished of the caller with this number: placed from it, or of
    the person registered with it."""
    people = select(PersonPhone.person_id).where(PersonPhone.number == number)
    rows = session.scalars(
        select(Ride)
        .where(
            Ride.status.in_(LIVE),
            or_(Ride.caller_number == number, Ride.person_id.in_(people)),
        )
        .order_by(Ride.id)
    )
    return [
        OpenRide(r.id, STATUS_LABELS[r.status], r.pickup_address or "（见录音）") for r in rows
    ]
