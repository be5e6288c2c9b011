"""/dispatch/fleet: taxi companies and drivers, kept by operators and admins.

Every change goes through `app.taxi.fleet`; a refusal re-renders the page (or the edit
form) with the Chinese reason and HTTP 400 (409 when another operator's change got in
the way), nothing of it saved. Drivers' phone numbers are masked on every page; the edit
form leaves the number empty ("留空则不改"), so it is never shown in full.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.consoles.auth import DispatchStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.http import commit_or_refuse
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.db.base import MAX_ID
from app.people.phones import mask_number
from app.people.places import KUNMING_DISTRICTS
from app.taxi import fleet
from app.taxi import queue as ride_queue
from app.taxi.console.forms import dispatch_router, form_problem
from app.taxi.enums import VEHICLE_TYPE_LABELS, VehicleType
from app.taxi.models import Driver, TaxiCompany

router = dispatch_router()
posts = dispatch_router(dependencies=[CsrfProtected])

Text = Annotated[str, Form(max_length=200)]
Flag = Annotated[bool, Form()]
CompanyId = Annotated[int, Form(ge=0, le=MAX_ID)]  # a larger number is no row (422, not a 500)

NOTICES = {
    "company_added": "已添加出租车公司。",
    "company_saved": "已保存公司信息。",
    "company_stopped": "已停用这家公司，它的司机都已下班。",
    "company_resumed": "已重新启用这家公司。",
    "driver_added": "已添加司机（现在是下班状态，需要时请点“上岗”）。",
    "driver_saved": "已保存司机信息。",
    "on_duty": "司机已上岗，可以派车。",
    "off_duty": "司机已下班，不再派给新的叫车单。",
    "driver_stopped": "已停用这位司机。",
    "driver_resumed": "已重新启用这位司机（下班状态）。",
}


def fleet_context(session: Session, now: Any) -> dict[str, Any]:
    waiting = [
        (e.ride_id, e.pickup_address)
        for e in ride_queue.live_queue(session, now=now)
        if e.waiting and e.status.value != "draft"
    ]
    companies, drivers = fleet.fleet_board(session, waiting=waiting)
    return {
        "companies": companies,
        "drivers": drivers,
        "active_companies": [c.company for c in companies if c.company.active],
        "vehicle_types": [(v.value, VEHICLE_TYPE_LABELS[v]) for v in VehicleType],
        "vehicle_label": lambda v: VEHICLE_TYPE_LABELS[v],
        "mask_number": mask_number,
        "zones": KUNMING_DISTRICTS,
        "form": {},
    }


@router.get("/dispatch/fleet", response_class=Response)
def fleet_page(
    request: Request, staff: DispatchStaff, session: SessionDep, now: NowDep, done: str = ""
) -> Response:
    context = fleet_context(session, now)
    context["notice"] = NOTICES.get(done)
    context["error"] = form_problem(request)
    return render(request, "dispatch/fleet.html", context)


@router.get("/dispatch/fleet/drivers/{driver_id}", response_class=Response)
def driver_form(
    request: Request, driver_id: int, staff: DispatchStaff, session: SessionDep
) -> Response:
    driver = session.get(Driver, driver_id)
    if driver is None:
        raise HTTPException(status_code=404, detail=fleet.NO_DRIVER)
    context = _driver_context(session, driver)
    context["error"] = form_problem(request)
    return render(request, "dispatch/fleet_driver.html", context)


@router.get("/dispatch/fleet/companies/{company_id}", response_class=Response)
def company_form(
    request: Request, company_id: int, staff: DispatchStaff, session: SessionDep
) -> Response:
    company = session.get(TaxiCompany, company_id)
    if company is None:
        raise HTTPException(status_code=404, detail=fleet.NO_COMPANY)
    return render(
        request, "dispatch/fleet_company.html",
        {"company": company, "form": {}, "mask_number": mask_number, "zones": KUNMING_DISTRICTS,
         "error": form_problem(request)},
    )


def _driver_context(session: Session, driver: Driver) -> dict[str, Any]:
    companies = [
        c for c in session.query(TaxiCompany).order_by(TaxiCompany.id)
        if c.active or c.id == driver.company_id
    ]
    return {
        "driver": driver,
        "companies": companies,
        "vehicle_types": [(v.value, VEHICLE_TYPE_LABELS[v]) for v in VehicleType],
        "masked_phone": mask_number(driver.phone),
        "form": {},
    }


def _act(
    request: Request, session: Session, staff: Any, now: Any, *, action: str,
    change: Callable[[], object], done: str,
    refusal_page: Callable[[], tuple[str, dict[str, Any]]] | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    def show_refusal(exc: Exception) -> Response:
        assert isinstance(exc, fleet.FleetError)
        if refusal_page is not None:
            template, context = refusal_page()
        else:
            template, context = "dispatch/fleet.html", fleet_context(session, now)
        context["error"] = exc.message
        context["form"] = form or {}
        return render(request, template, context, status_code=400)

    return commit_or_refuse(
        session, change, refused=fleet.FleetError, show_refusal=show_refusal,
        log_event="fleet change", fields={"action": action, "staff_user_id": staff.id},
        done_url=f"/dispatch/fleet?done={done}",
    )


# --- companies --------------------------------------------------------------------------


@posts.post("/dispatch/fleet/companies", response_class=Response)
def add_company(
    request: Request, staff: DispatchStaff, session: SessionDep, now: NowDep,
    name: Text = "", phone: Text = "", zone: Text = "",
) -> Response:
    return _act(
        request, session, staff, now, action="company_added", done="company_added",
        change=lambda: fleet.save_company(session, name=name, phone=phone, zone=zone),
        form={"company_name": name, "company_phone": phone, "company_zone": zone},
    )


@posts.post("/dispatch/fleet/companies/{company_id}", response_class=Response)
def edit_company(
    request: Request, company_id: int, staff: DispatchStaff, session: SessionDep,
    now: NowDep, name: Text = "", phone: Text = "", zone: Text = "",
) -> Response:
    company = session.get(TaxiCompany, company_id)
    if company is None:
        raise HTTPException(status_code=404, detail=fleet.NO_COMPANY)
    number = phone.strip() or company.phone  # empty keeps the number on file

    def page() -> tuple[str, dict[str, Any]]:
        session.refresh(company)
        return "dispatch/fleet_company.html", {
            "company": company, "mask_number": mask_number, "zones": KUNMING_DISTRICTS,
        }

    return _act(
        request, session, staff, now, action="company_saved", done="company_saved",
        change=lambda: fleet.save_company(
            session, company_id=company_id, name=name, phone=number, zone=zone
        ),
        refusal_page=page,
        form={"name": name, "zone": zone},
    )


@posts.post("/dispatch/fleet/companies/{company_id}/active", response_class=Response)
def company_active(
    request: Request, company_id: int, staff: DispatchStaff, session: SessionDep,
    now: NowDep, active: Flag = False,
) -> Response:
    return _act(
        request, session, staff, now, action="company_active",
        done="company_resumed" if active else "company_stopped",
        change=lambda: fleet.set_company_active(
            session, company_id=company_id, active=active, now=now
        ),
    )


# --- drivers ----------------------------------------------------------------------------


@posts.post("/dispatch/fleet/drivers", response_class=Response)
def add_driver(
    request: Request, staff: DispatchStaff, session: SessionDep, now: NowDep,
    company_id: CompanyId, name: Text = "", phone: Text = "", plate: Text = "",
    vehicle_type: Text = VehicleType.SEDAN.value, accessible: Flag = False,
    volunteer: Flag = False,
) -> Response:
    return _act(
        request, session, staff, now, action="driver_added", done="driver_added",
        change=lambda: fleet.save_driver(
            session, company_id=company_id, name=name, phone=phone, plate=plate,
            vehicle_type=vehicle_type, accessible=accessible, volunteer=volunteer,
        ),
        form={
            "company_id": company_id, "name": name, "phone": phone, "plate": plate,
            "vehicle_type": vehicle_type, "accessible": accessible, "volunteer": volunteer,
        },
    )


@posts.post("/dispatch/fleet/drivers/{driver_id}", response_class=Response)
def edit_driver(
    request: Request, driver_id: int, staff: DispatchStaff, session: SessionDep,
    now: NowDep, company_id: CompanyId, name: Text = "", phone: Text = "",
    plate: Text = "", vehicle_type: Text = VehicleType.SEDAN.value, accessible: Flag = False,
    volunteer: Flag = False,
) -> Response:
    driver = session.get(Driver, driver_id)
    if driver is None:
        raise HTTPException(status_code=404, detail=fleet.NO_DRIVER)
    # An empty phone keeps the number on file (the form never shows it in full).
    number = phone.strip() or driver.phone

    def page() -> tuple[str, dict[str, Any]]:
        session.refresh(driver)
        return "dispatch/fleet_driver.html", _driver_context(session, driver)

    return _act(
        request, session, staff, now, action="driver_saved", done="driver_saved",
        change=lambda: fleet.save_driver(
            session, driver_id=driver_id, company_id=company_id, name=name, phone=number,
            plate=plate, vehicle_type=vehicle_type, accessible=accessible,
            volunteer=volunteer,
        ),
        refusal_page=page,
        form={"name": name, "plate": plate},
    )


@posts.post("/dispatch/fleet/drivers/{driver_id}/duty", response_class=Response)
def driver_duty(
    request: Request, driver_id: int, staff: DispatchStaff, session: SessionDep,
    now: NowDep, on_duty: Flag = False,
) -> Response:
    return _act(
        request, session, staff, now, action="duty",
        done="on_duty" if on_duty else "off_duty",
        change=lambda: fleet.set_on_duty(session, driver_id=driver_id, on_duty=on_duty, now=now),
    )


@posts.post("/dispatch/fleet/drivers/{driver_id}/active", response_class=Response)
def driver_active(
    request: Request, driver_id: int, staff: DispatchStaff, session: SessionDep,
    now: NowDep, active: Flag = False,
) -> Response:
    return _act(
        request, session, staff, now, action="driver_active",
        done="driver_resumed" if active else "driver_stopped",
        change=lambda: fleet.set_driver_active(
            session, driver_id=driver_id, active=active, now=now
        ),
    )


routers = (router, posts)
