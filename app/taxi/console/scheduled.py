"""The dispatch console's 预约 page (/dispatch/scheduled): rides booked ahead by phone,
soonest pickup first, until the scheduler releases them into the live queue
(`IVR_RIDE_RELEASE_MINUTES` before pickup). Operators may name the driver ahead of time
(assigned at release through `rides.assign_driver`) or cancel a booking. Operators and
admins only (`DispatchStaff`); every POST carries the CSRF token and the version seen.

The driver list offers every active driver of an active company, marked on or off duty
*now*: a ride for tomorrow may be given to a driver who is off duty today. Only the
assignment at release needs the driver on duty (and free); if they are not by then, the
ride waits in the queue for an operator like any other."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.consoles.auth import DispatchStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.http import commit_or_refuse
from app.consoles.phone_service import NOT_SENT, action_notice
from app.consoles.templating import render
from app.core.config import Settings
from app.core.deps import SessionDep, SettingsDep
from app.db.base import parse_id
from app.people.phones import mask_number
from app.staff.models import StaffUser
from app.taxi import ahead, rides
from app.taxi.ahead import AheadRules
from app.taxi.console.forms import dispatch_router, form_problem
from app.taxi.console.view import CANCEL_REASONS, cancel_reason
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride, TaxiCompany

router = dispatch_router()
posts = dispatch_router(dependencies=[CsrfProtected])

Version = Annotated[int, Form(ge=0)]
NOTICES = {
    "driver": "已保存预约单的司机；到时进入队列会自动派给这位司机并通知来电者。",
    "driver_off_duty": (
        "已保存预约单的司机。这位司机现在下班：接车前要上岗，到时才会自动派车；"
        "不在岗的话，这张单进入队列后等调度员派车。"
    ),
    "cancelled": "已取消这张预约单，已通知来电者。",
    "booked_ahead": (
        "后台预约成功，见下表。接人前会自动进入队列；来电者会在前一天晚上收到提醒（手机发短信，座机打电话；已过提醒时间则不再提醒）。"
    ),
    "booked_unreminded": (  # today's ride, or the evening's reminder time already past
        "后台预约成功，见下表。接人前会自动进入队列。这次不会再发提醒（提醒在前一天晚上发，已经过了），"
        "请在电话里告诉来电者接人的时间。"
    ),
}
DRIVER_CHANGED = (
    "这张预约单刚刚被其他调度员改过：司机已换成“{now}”。您选的“{chosen}”没有保存，"
    "下面仍选着您选的司机；核对后要用您选的，请再点“保存司机”。"
)
UNSENT_NOTICES = {"cancelled": f"已取消这张预约单。给来电者的通知{NOT_SENT}。"}


def scheduled_context(session: Session, settings: Settings, now: datetime) -> dict[str, Any]:
    rules = AheadRules.from_settings(settings)
    drivers = list(
        session.scalars(
            select(Driver)
            .join(TaxiCompany, Driver.company_id == TaxiCompany.id)
            .where(Driver.active.is_(True), TaxiCompany.active.is_(True))
            .order_by(Driver.on_duty.desc(), Driver.name)
        )
    )
    return {
        "booked": ahead.booked_list(session, now=now, rules=rules),
        "stopped": ahead.stopped_list(session, now=now),
        "drivers": drivers,
        "rules": rules,
        "mask_number": mask_number,
        "cancel_reasons": CANCEL_REASONS,
        "now": now,
    }


@router.get("/dispatch/scheduled", response_class=Response)
def scheduled_page(
    request: Request, staff: DispatchStaff, session: SessionDep, settings: SettingsDep,
    now: NowDep, done: str = "",
) -> Response:
    context = scheduled_context(session, settings, now)
    context["notice"] = action_notice(
        done, settings, notices=NOTICES, unsent_notices=UNSENT_NOTICES
    )
    context["error"] = form_problem(request)
    return render(request, "dispatch/scheduled.html", context)


def _run(
    request: Request, session: Session, settings: Settings, staff: StaffUser, now: datetime,
    *, action: str, ride_id: int, change: Callable[[], object],
    done: Callable[[Any], str] | None = None,
    explain: Callable[[rides.RideError], str] | None = None,
    typed: dict[str, Any] | None = None,
) -> Response:
    """Commit `change`, or show the page again with the refusal next to the ride's row
    (`refused_ride`), the form as typed (`typed`) and, when given, `explain`'s wording."""

    def show_refusal(exc: Exception) -> Response:
        assert isinstance(exc, rides.RideError)
        context = scheduled_context(session, settings, now)
        context["error"] = explain(exc) if explain is not None else exc.message
        context.update(refused_ride=ride_id, refused_action=action, typed=typed or {})
        status = 409 if isinstance(exc, rides.RideConflict | rides.RideNotFound) else 400
        return render(request, "dispatch/scheduled.html", context, status_code=status)

    return commit_or_refuse(
        session, change, refused=rides.RideError, show_refusal=show_refusal,
        log_event="dispatch scheduled action",
        fields={"action": action, "ride_id": ride_id, "staff_user_id": staff.id},
        done_url=done or f"/dispatch/scheduled?done={action}",
    )


def _driver_label(session: Session, driver_id: int | None) -> str:
    driver = session.get(Driver, driver_id) if driver_id is not None else None
    return f"{driver.plate} · {driver.name}" if driver is not None else "暂不指定"


def _what_changed(session: Session, ride_id: int, chosen: int | None, exc: rides.RideError) -> str:
    """A stale 保存司机 says what the other operator changed: the driver, if that is what
    changed (the status did not), and that the operator's own choice is still selected."""
    ride = session.get(Ride, ride_id)
    if not isinstance(exc, rides.RideConflict) or ride is None:
        return exc.message
    if ride.status != RideStatus.SCHEDULED:
        return exc.message  # the status changed: the service's words say to what
    return DRIVER_CHANGED.format(now=_driver_label(session, ride.driver_id),
                                 chosen=_driver_label(session, chosen))


@posts.post("/dispatch/scheduled/{ride_id}/driver", response_class=Response)
def name_driver(
    request: Request, ride_id: int, staff: DispatchStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep, version: Version,
    driver_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """The driver of a booked ride, named ahead ("" takes the name back)."""
    raw = driver_id.strip()
    # a number no row can hold is an unknown driver (0), not a database error
    chosen = (parse_id(raw) or 0) if raw.isdigit() else None
    return _run(
        request, session, settings, staff, now, action="driver", ride_id=ride_id,
        change=lambda: ahead.assign_ahead(
            session, ride_id=ride_id, driver_id=chosen, expected_version=version
        ),
        done=lambda ride: f"/dispatch/scheduled?done={_driver_saved(session, ride)}",
        explain=lambda exc: _what_changed(session, ride_id, chosen, exc),
        typed={"driver_id": chosen},
    )


def _driver_saved(session: Session, ride: Ride) -> str:
    """The notice after naming a driver: a warning when they are off duty now."""
    driver = session.get(Driver, ride.driver_id) if ride.driver_id is not None else None
    return "driver_off_duty" if driver is not None and not driver.on_duty else "driver"


@posts.post("/dispatch/scheduled/{ride_id}/cancel", response_class=Response)
def cancel_booking(
    request: Request, ride_id: int, staff: DispatchStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep, version: Version,
    reason: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def change() -> object:
        return rides.cancel(session, ride_id=ride_id, expected_version=version,
                            reason=cancel_reason(reason))

    return _run(
        request, session, settings, staff, now, action="cancelled", ride_id=ride_id,
        change=change, typed={"reason": reason},
    )
