"""Routes of the operators' panel: the live fragment, picking a caller up, calling back.

A refused action (another operator was faster, the caller hung up, no phone number on the
account, Twilio refused, bad input) changes nothing and goes back (303) to the dispatch
page with the reason and the form opened again with what was typed, the reason inside
that form, as every action of that page does (app/taxi/console/refusals.py).

Callers' numbers are masked in the panel; "显示号码" asks for one (a logged POST), as the
queue does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.consoles.auth import DispatchStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.templating import render
from app.core.deps import SessionDep, SettingsDep
from app.core.logging import log_fields
from app.operators import panel, registration, requests
from app.operators.console import booking_routes
from app.operators.console.view import panel_context
from app.operators.desk import desk_for
from app.operators.requests import OperatorRequestError
from app.people.phones import local_number
from app.staff.models import StaffUser
from app.taxi import rides
from app.taxi.console.forms import dispatch_router
from app.taxi.console.media import serve_recording
from app.taxi.console.refusals import back_to_dispatch

logger = logging.getLogger(__name__)
router = dispatch_router()
actions = dispatch_router(dependencies=[CsrfProtected])
Text = Annotated[str, Form(max_length=200)]
NO_RECORDING = "这位来电者没有录音。"
NO_NUMBER = "号码未知"
PANEL_DUPLICATE = (
    "这位来电者已经有 {count} 张没有结束的叫车单：{rides}。没有下新单。"
    "如果确实要再叫一辆车，请勾选“确实要再叫一辆车”后再下单。"
)


@router.get("/dispatch/operators.html", response_class=Response)
def panel_fragment(
    request: Request,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """The panel alone; the dispatch page's script swaps it in after each change."""
    return render(request, "operators/_panel.html", panel_context(session, settings, now, staff))


@actions.post("/dispatch/operators/{request_id}/number", response_class=Response)
def reveal_number(
    request_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    family: Annotated[int | None, Query(ge=0, lt=50)] = None,
) -> Response:
    """A caller's (or their family member's) full number, on an operator's explicit
    "显示号码" (logged, not the number), as the queue's reveal."""
    number = panel.shown_number(session, request_id, family=family)
    if number is None:
        raise HTTPException(status_code=404, detail=NO_NUMBER)
    logger.info("caller number shown", extra=log_fields(
        staff_user_id=staff.id, request_id=request_id, family=family is not None))
    return JSONResponse({"number": local_number(number) or NO_NUMBER})


@router.get("/dispatch/operators/{request_id}/recording", response_class=Response)
def recording(
    request_id: int, staff: DispatchStaff, session: SessionDep, settings: SettingsDep
) -> Response:
    """The waiting caller's last recorded words (never those of a sensitive question)."""
    url = panel.last_recording(session, request_id)
    if url is None:
        raise HTTPException(status_code=404, detail=NO_RECORDING)
    session.close()  # do not hold a database connection while streaming audio
    return serve_recording(url, settings)


def _act(
    request: Request,
    session: SessionDep,
    staff: StaffUser,
    action: str,
    work: Callable[[], object],
    fields: dict[str, object],
    *,
    form: str | None = None,
    typed: dict[str, object] | None = None,
) -> Response:
    """Run a panel action; a refusal goes back to the dispatch page with the caller's
    `form` (e.g. "order", the `<details data-key>` is `order-<request id>`) open again."""
    session.close()  # the desk uses its own transactions around the Twilio request
    try:
        work()
    except OperatorRequestError as exc:
        logger.info("operator action refused", extra=log_fields(action=action, **fields))
        request_id = fields.get("request_id")
        return back_to_dispatch(
            request, exc.message, typed=typed,
            form=f"{form}-{request_id}" if form and request_id else None,
            anchor=f"operator-request-{request_id}" if request_id else "dispatch-error",
            refused_request=request_id,  # the row shows the message next to its buttons
        )
    logger.info(
        "operator action", extra=log_fields(action=action, staff_user_id=staff.id, **fields)
    )
    return RedirectResponse(f"/dispatch?done={action}", status_code=303)


@actions.post("/dispatch/operators/{request_id}/pick-up", response_class=Response)
def pick_up(
    request: Request,
    request_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    desk, staff_id = desk_for(request.app.state), staff.id
    return _act(
        request,
        session,
        staff,
        "caller_picked_up",
        lambda: desk.pick_up(request_id=request_id, staff_id=staff_id),
        {"request_id": request_id},
    )


@actions.post("/dispatch/operators/{request_id}/call-back", response_class=Response)
def call_back(
    request: Request,
    request_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    desk, staff_id = desk_for(request.app.state), staff.id
    return _act(
        request,
        session,
        staff,
        "calling_back",
        lambda: desk.call_back(request_id=request_id, staff_id=staff_id),
        {"request_id": request_id},
    )


@actions.post("/dispatch/rides/{ride_id}/call-back", response_class=Response)
def call_back_ride(
    request: Request,
    ride_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """ "回拨来电者": the operator's phone first, then the caller (a call-back task)."""
    desk, staff_id = desk_for(request.app.state), staff.id
    return _act(
        request,
        session,
        staff,
        "calling_back",
        lambda: desk.call_back_ride(ride_id=ride_id, staff_id=staff_id),
        {"ride_id": ride_id},
    )


@actions.post("/dispatch/operators/{request_id}/order", response_class=Response)
def order_for_caller(
    request: Request,
    request_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    pickup_address: Text = "",
    destination: Text = "",
    to_hospital: Annotated[bool, Form()] = False,
    duplicate_ok: Annotated[bool, Form()] = False,
) -> Response:
    """后台下单 for the caller on the line: their number and registration come from the
    call, never from the form. A caller with a ride not yet finished is warned about
    first (`duplicate_ok` is the form's "确实要再叫一辆车" box)."""
    staff_id = staff.id

    def order() -> object:
        with desk_for(request.app.state).db.session() as work:
            caller = requests.caller_of(work, request_id=request_id)
            try:
                return rides.queue(
                    work,
                    now=now,
                    created_by_staff_id=staff_id,
                    person_id=caller.person_id,
                    caller_number=caller.number,
                    pickup_address=pickup_address,
                    destination=destination,
                    to_hospital=to_hospital,
                    duplicate_ok=duplicate_ok,
                )
            except rides.DuplicateOrder as exc:
                raise OperatorRequestError(
                    PANEL_DUPLICATE.format(
                        count=len(exc.open_rides),
                        rides="、".join(
                            f"#{r.ride_id}（{r.status_label}）" for r in exc.open_rides
                        ),
                    ),
                    conflict=False,
                ) from exc
            except rides.RideError as exc:
                raise OperatorRequestError(exc.message, conflict=False) from exc

    typed: dict[str, object] = {
        "pickup_address": pickup_address, "destination": destination,
        "to_hospital": to_hospital, "duplicate_ok": duplicate_ok,
    }
    return _act(
        request, session, staff, "ordered", order, {"request_id": request_id},
        form="order", typed=typed,
    )


@actions.post("/dispatch/operators/{request_id}/register", response_class=Response)
def register_caller(
    request: Request,
    request_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    full_name: Annotated[str, Form(max_length=50)] = "",
    call_name: Annotated[str, Form(max_length=20)] = "",
    home_address: Annotated[str, Form(max_length=200)] = "",
    community_id: Annotated[str, Form(max_length=12)] = "",
    id_number: Annotated[str, Form(max_length=18)] = "",
    consented: Annotated[bool, Form()] = False,
) -> Response:
    """登记为老人: the caller on the line becomes a registered person of the chosen
    community, with the number from the call (app/operators/registration.py)."""
    db = desk_for(request.app.state).db
    community = int(community_id) if community_id.isdigit() else None

    def register() -> None:
        with db.session() as work:
            operator = work.get(StaffUser, staff.id)
            assert operator is not None
            person = registration.register_caller(
                work, request_id=request_id, staff=operator, full_name=full_name,
                call_name=call_name, home_address=home_address, community_id=community,
                id_number=id_number,
                consented=consented, now=now,
            )
            fields["person_id"] = person.id

    fields: dict[str, object] = {"request_id": request_id}
    typed: dict[str, object] = {
        "full_name": full_name, "call_name": call_name, "home_address": home_address,
        "community_id": community_id, "id_number": id_number, "consented": consented,
    }
    return _act(
        request, session, staff, "registered", register, fields, form="register", typed=typed
    )


@actions.post("/dispatch/operators/{request_id}/note", response_class=Response)
def note(
    request: Request,
    request_id: int,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A note about the caller, kept with the call (empty clears it)."""
    db = desk_for(request.app.state).db

    def write() -> None:
        with db.session() as work:
            author = work.get(StaffUser, staff.id)
            assert author is not None
            requests.write_note(work, request_id=request_id, text=text, staff=author)

    return _act(
        request, session, staff, "noted", write, {"request_id": request_id}, form="note",
        typed={"text": text},
    )


routers = (router, actions, *booking_routes.routers)
