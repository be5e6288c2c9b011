"""POST routes of the dispatch console: every change to a ride goes through app.taxi.rides.

Each form carries the CSRF token and the ride version the operator saw. A refused change
(someone else was faster, a double click, a busy driver) saves nothing and goes back (303)
to the console with a Chinese message, the form opened again with what was typed
(app/taxi/console/refusals.py), so a reload never sends it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.consoles.auth import DispatchStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.http import commit_or_refuse
from app.core.deps import SessionDep, SettingsDep
from app.people.phones import typed_number
from app.staff.models import StaffUser
from app.taxi import car_replacement, rides
from app.taxi.ahead import AheadRules, reminder_time
from app.taxi.console import ahead_order
from app.taxi.console.forms import dispatch_router
from app.taxi.console.orders import DUPLICATE
from app.taxi.console.refusals import back_to_dispatch
from app.taxi.console.view import cancel_reason
from app.taxi.enums import RideStatus
from app.taxi.models import Ride

router = dispatch_router(dependencies=[CsrfProtected])

Version = Annotated[int, Form(ge=0)]
Text = Annotated[str, Form(max_length=200)]
Name = Annotated[str, Form(max_length=50)]
FLASH_RIDES = 5
NO_CAR_UNCONFIRMED = "请先点“暂无车辆”，再点“确认：暂无车辆”。没有通知来电者。"


def _run(
    request: Request,
    session: Session,
    staff: StaffUser,
    *,
    action: str,
    ride_id: int,
    change: Callable[[], object],
    form: str | None = None,
    typed: dict[str, object] | None = None,
) -> Response:
    """Commit `change`, or go back to the console with the refusal and, when the ride's
    form `form` (e.g. "assign") was refused, that form open again with `typed`."""

    def show_refusal(exc: Exception) -> Response:
        assert isinstance(exc, rides.RideError)
        return back_to_dispatch(
            request, exc.message, form=f"{form}-{ride_id}" if form else None, typed=typed,
            anchor=f"ride-{ride_id}",
            refused_ride=ride_id,  # the row shows the message next to its buttons
        )

    return commit_or_refuse(
        session, change, refused=rides.RideError, show_refusal=show_refusal,
        log_event="dispatch action",
        fields={"action": action, "ride_id": ride_id, "staff_user_id": staff.id},
        done_url=f"/dispatch?done={action}",
    )


@router.post("/dispatch/rides/{ride_id}/assign", response_class=Response)
def assign(
    request: Request, ride_id: int, staff: DispatchStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep, version: Version,
    driver_id: Annotated[int, Form()], eta_minutes: Annotated[int, Form()],
) -> Response:
    return _run(
        request, session, staff, action="assigned", ride_id=ride_id,
        change=lambda: rides.assign_driver(
            session, ride_id=ride_id, driver_id=driver_id, eta_minutes=eta_minutes,
            expected_version=version, notify_voice_call=settings.notify_voice_call,
        ),
        form="assign", typed={"driver_id": driver_id, "eta_minutes": eta_minutes},
    )


# A ride moving along its trip: the same form, one service command each.
TRANSITIONS: dict[str, tuple[str, Callable[..., object]]] = {
    "arriving": ("arriving", rides.mark_arriving),
    "picked-up": ("picked_up", rides.mark_picked_up),
    "completed": ("completed", rides.mark_completed),
}


def _transition_route(path: str, action: str, command: Callable[..., object]) -> None:
    def move(
        request: Request, ride_id: int, staff: DispatchStaff, session: SessionDep,
        settings: SettingsDep, now: NowDep, version: Version,
    ) -> Response:
        return _run(
            request, session, staff, action=action, ride_id=ride_id,
            change=lambda: command(session, ride_id=ride_id, expected_version=version),
        )

    move.__name__ = action
    router.post(f"/dispatch/rides/{{ride_id}}/{path}", response_class=Response)(move)


for _path, (_action, _command) in TRANSITIONS.items():
    _transition_route(_path, _action, _command)


@router.post("/dispatch/rides/{ride_id}/cancel", response_class=Response)
def cancel(
    request: Request, ride_id: int, staff: DispatchStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep, version: Version,
    reason: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    return _run(
        request, session, staff, action="cancelled", ride_id=ride_id,
        change=lambda: rides.cancel(
            session, ride_id=ride_id, expected_version=version, reason=cancel_reason(reason)
        ),
        form="cancel", typed={"reason": reason},
    )


@router.post("/dispatch/rides/{ride_id}/replace-car", response_class=Response)
def replace_car(
    request: Request, ride_id: int, staff: DispatchStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep, version: Version,
) -> Response:
    """换车: a booked ride whose car is late or cannot come goes back to the queue
    (app/taxi/car_replacement.py); a refusal shows in the row's 换车 form."""
    return _run(
        request, session, staff, action="car_replaced", ride_id=ride_id,
        change=lambda: car_replacement.replace_car(
            session, ride_id=ride_id, expected_version=version
        ),
        form="replace",
    )


@router.post("/dispatch/rides/{ride_id}/no-car", response_class=Response)
def no_car(
    request: Request, ride_id: int, staff: DispatchStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep, version: Version,
    confirmed: Annotated[bool, Form()] = False,
) -> Response:
    """暂无车辆 tells the caller there is no car: only after the operator confirmed it."""

    def change() -> object:
        if not confirmed:
            raise rides.RideError(NO_CAR_UNCONFIRMED)
        return rides.no_car_found(
            session, ride_id=ride_id, expected_version=version,
            notify_voice_call=settings.notify_voice_call,
        )

    return _run(
        request, session, staff, action="no_car", ride_id=ride_id, change=change, form="no-car"
    )


@router.post("/dispatch/orders", response_class=Response)
def back_office_order(
    request: Request, staff: DispatchStaff, session: SessionDep, settings: SettingsDep,
    now: NowDep, caller_number: Text = "", caller_name: Name = "", pickup_address: Text = "",
    destination: Text = "", to_hospital: Annotated[bool, Form()] = False,
    duplicate_ok: Annotated[bool, Form()] = False,
    pickup_day: Annotated[str, Form(max_length=10)] = "",
    pickup_time: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """后台下单: an order for someone who phoned the operator, now or booked ahead (a day
    and time: app/taxi/console/ahead_order.py). A caller who already has a ride not yet
    finished gets a warning first (app/taxi/console/orders.py). A refused order goes back
    (303) to the console with the message and what was typed, in the flash cookie (no
    phone number in a URL), so a reload never posts it again."""
    number = typed_number(caller_number) if caller_number.strip() else None
    rules = AheadRules.from_settings(settings)
    typed: dict[str, object] = {
        "caller_number": caller_number, "caller_name": caller_name,
        "pickup_address": pickup_address, "destination": destination,
        "to_hospital": to_hospital, "pickup_day": pickup_day, "pickup_time": pickup_time,
    }

    def change() -> Ride:
        if caller_number.strip() and number is None:
            raise rides.RideError("电话号码格式不对，请填写手机号或带区号的座机号。")
        pickup = ahead_order.pickup_at(pickup_day, pickup_time, now=now, rules=rules)
        ride = rides.queue(
            session, now=now, created_by_staff_id=staff.id, caller_name=caller_name,
            caller_number=number, pickup_address=pickup_address, destination=destination,
            to_hospital=to_hospital, duplicate_ok=duplicate_ok or pickup is not None,
        )
        if pickup is None:
            return ride
        return ahead_order.book_ahead(session, ride, pickup=pickup, now=now, rules=rules)

    def show_refusal(exc: Exception) -> Response:
        assert isinstance(exc, rides.RideError)
        if not isinstance(exc, rides.DuplicateOrder):
            return back_to_dispatch(request, exc.message, form="order", typed=typed)
        # The open rides and "仍然下单": short pickups, the first few rides.
        duplicate = [
            {**asdict(r), "pickup": r.pickup[:40]} for r in exc.open_rides[:FLASH_RIDES]
        ]
        return back_to_dispatch(
            request, DUPLICATE.format(count=len(exc.open_rides)), form="order", typed=typed,
            duplicate=duplicate,
        )

    def done(ride: Ride) -> str:
        if ride.status == RideStatus.SCHEDULED:  # said whether the caller is reminded
            remind_at = reminder_time(ride.pickup_at, rules) if ride.pickup_at else None
            said = ("booked_ahead" if ride.caller_number and remind_at and remind_at > now
                    else "booked_unreminded")
            return f"/dispatch/scheduled?done={said}#booked-{ride.id}"
        return "/dispatch?done=queued"

    return commit_or_refuse(
        session, change, refused=rides.RideError, show_refusal=show_refusal,
        log_event="dispatch action",
        fields={"action": "order", "ride_id": None, "staff_user_id": staff.id},
        done_url=done,
    )
