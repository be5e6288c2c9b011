"""换车: the dispatch console replaces the car of a booked ride that is late or whose
driver is gone.

A ride booked ahead is assigned to a driver when it is released into the queue. When that
car is running late, or the driver cannot come (a breakdown, gone home), the operator
replaces it (`replace_car`): the ride goes back to the queue (`queued`), its priority and
its place (`queued_at`) kept, so the next car is found first; the old driver is released
(free for another ride) and texted not to come; the ride's caller, and the rider when a
relative or an operator ordered it, are told another car is being found. The new driver's
plate reaches them as for any assignment (`rides.assign_driver`).

Only a booked ride (`pickup_at` set) with a driver not yet at the pickup's end: assigned
or arriving. A ride called for now is cancelled or reassigned as before, and a booked ride
not yet released changes its driver on 预约用车.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import texts
from app.taxi import rides
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from app.taxi.notifications import _passenger_to_tell, send_sms, tell

REPLACEABLE = (RideStatus.ASSIGNED, RideStatus.ARRIVING)
NOT_BOOKED = "这张叫车单不是预约用车，不能换车；现在叫的车请直接取消或重新下单。"
NOT_REPLACEABLE = "这张预约单现在是“{status}”，不能换车：只有已派车、还没上车的预约单可以换车。"
DRIVER_REASON = "调度员已换车"


def replace_car(session: Session, *, ride_id: int, expected_version: int) -> Ride:
    """Put the booked ride back in the queue without its driver, telling who must know.

    Raises RideConflict when the ride changed since the operator saw `expected_version`,
    or it is not a booked ride whose car is on its way (`REPLACEABLE`)."""
    ride = rides._locked_ride(session, ride_id)
    rides._check_version(ride, expected_version)
    if ride.pickup_at is None:
        raise rides.RideConflict(NOT_BOOKED)
    if ride.status not in REPLACEABLE:
        raise rides.RideConflict(
            NOT_REPLACEABLE.format(status=rides.STATUS_LABELS[ride.status])
        )
    driver = session.get(Driver, ride.driver_id) if ride.driver_id is not None else None
    ride.status = RideStatus.QUEUED
    ride.driver_id = None
    ride.eta_minutes = None
    rides._flush(session, ride)
    stamp = f"ride:{ride.id}:replaced:{ride.version}"  # a ride may be replaced twice
    if driver is not None:
        send_sms(
            session, driver.phone,
            texts.sms("ride_cancelled_driver", ride_id=ride.id, reason=DRIVER_REASON),
            f"{stamp}:sms:driver:{driver.id}",
        )
    for number in dict.fromkeys(
        n for n in (ride.caller_number, _passenger_to_tell(session, ride, by_number=None)) if n
    ):
        tell(
            session, number,
            sms=texts.sms("ride_car_replaced"), voice=texts.voice("ride_car_replaced"),
            key=f"{stamp}:sms:{number}",
        )
    return ride
