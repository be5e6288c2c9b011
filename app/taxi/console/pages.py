"""Read routes of the dispatch console: the page, the queue fragment and JSON, and the
"显示号码" reveal (a CSRF-protected POST: showing a full number is an action, logged)."""

from __future__ import annotations

import logging

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, Response

from app.consoles.auth import DispatchStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.flash import forget_flash
from app.consoles.templating import render
from app.core.deps import SessionDep, SettingsDep
from app.people.phones import local_number
from app.taxi import queue as ride_queue
from app.taxi import rides
from app.taxi.console.forms import dispatch_router, form_problem
from app.taxi.console.refusals import take_refusal
from app.taxi.console.view import dispatch_notice, entry_json, page_context, queue_context
from app.taxi.models import Ride

logger = logging.getLogger(__name__)
router = dispatch_router()


@router.get("/dispatch", response_class=Response)
def dispatch_page(
    request: Request,
    staff: DispatchStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    done: str = "",
) -> Response:
    context = page_context(session, settings, now, staff)
    context["notice"] = dispatch_notice(done, settings)
    context["error"] = form_problem(request)
    # A refused action: its message, and its form opened again with what was typed.
    context.update(take_refusal(request))
    response = render(request, "dispatch/page.html", context)
    forget_flash(request, response)
    return response


@router.get("/dispatch/queue.html", response_class=Response)
def queue_fragment(
    request: Request, staff: DispatchStaff, session: SessionDep, settings: SettingsDep,
    now: NowDep,
) -> Response:
    """The queue tables alone; the page's script swaps them in after each change."""
    return render(request, "dispatch/_queue.html", queue_context(session, settings, now))


@router.get("/dispatch/queue.json", response_class=Response)
def queue_json(
    staff: DispatchStaff, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    entries = ride_queue.live_queue(session, now=now)
    return JSONResponse(
        {
            "marker": "|".join(map(str, ride_queue.change_marker(session))),
            "rides": [entry_json(e, settings) for e in entries],
        }
    )


@router.post(
    "/dispatch/rides/{ride_id}/number", response_class=Response, dependencies=[CsrfProtected]
)
def reveal_number(ride_id: int, staff: DispatchStaff, session: SessionDep) -> Response:
    """The caller's full number, on an operator's explicit "显示号码" (logged, not the number)."""
    ride = session.get(Ride, ride_id)
    if ride is None:
        raise HTTPException(status_code=404, detail=rides.NOT_FOUND)
    logger.info(
        "caller number shown",
        extra={"fields": {"staff_user_id": staff.id, "ride_id": ride_id}},
    )
    return JSONResponse({"number": local_number(ride.caller_number) or "号码未知"})
