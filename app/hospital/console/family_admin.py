"""家庭医生签约 in the hospital's admin section (/hospital/{id}/admin/family-doctors).

Hospital admins (their own hospital) and admins (`HospitalAdminStaff`) record which
people are signed with which of the hospital's family doctors, and end a signing. The
hospital id in the URL is checked first (403); a family doctor or signing of another
hospital in a form or URL is 404 and nothing changes. The patient is found by the full ID
number (read from the card at the desk); it is never logged or echoed back. Ending a
signing (解约) asks for confirmation first, on its own page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.consoles.auth import HospitalAdminStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.http import commit_or_refuse, console_router
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.core.local_time import local_today
from app.hospital import family_doctors
from app.hospital.console.pages import load_hospital
from app.hospital.family_doctors import FamilyDoctorError
from app.hospital.models import Hospital

pages = console_router()
actions = console_router(dependencies=[CsrfProtected])

NOTICES = {"signed": "已签约。", "ended": "已解约。"}


def _context(session: Session, hospital: Hospital, now: Any) -> dict[str, Any]:
    return {
        "hospital": hospital,
        "doctors": family_doctors.family_doctors(session, hospital_id=hospital.id),
        "links": family_doctors.hospital_links(session, hospital_id=hospital.id),
        "today": local_today(now),
    }


def _page(
    request: Request, session: Session, hospital: Hospital, now: Any, **extra: Any
) -> Response:
    context = _context(session, hospital, now)
    status = extra.pop("status_code", 200)
    context.update(extra)
    return render(request, "hospital/family_admin.html", context, status_code=status)


def _refusal(
    request: Request, session: Session, hospital: Hospital, now: Any, exc: Exception, **kept: Any
) -> Response:
    assert isinstance(exc, FamilyDoctorError)
    status = 404 if exc.not_found else 409
    return _page(request, session, hospital, now, error=exc.message, status_code=status, **kept)


@pages.get("/hospital/{hospital_id}/admin/family-doctors", response_class=Response)
def family_admin_page(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    done: str = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return _page(request, session, hospital, now, notice=NOTICES.get(done))


@actions.post("/hospital/{hospital_id}/admin/family-doctors/sign", response_class=Response)
def sign(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    doctor_id: Annotated[str, Form(max_length=18)] = "",
    id_number: Annotated[str, Form(max_length=30)] = "",
    started_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)

    def change() -> object:
        if not doctor_id.strip().isdigit():
            raise FamilyDoctorError("请选择家庭医生。")
        try:
            start = date.fromisoformat(started_on.strip()) if started_on.strip() else None
        except ValueError:
            raise FamilyDoctorError("签约日期格式不对，应为 2026-12-01。") from None
        return family_doctors.sign(
            session,
            hospital_id=hospital.id,
            doctor_id=int(doctor_id),
            id_number=id_number,
            started_on=start or local_today(now),
            actor_id=staff.id,
            now=now,
        )

    return commit_or_refuse(
        session,
        change,
        refused=FamilyDoctorError,
        show_refusal=lambda exc: _refusal(
            request, session, hospital, now, exc, chosen=doctor_id, started=started_on
        ),
        log_event="hospital admin action",
        fields={"action": "family_doctor_sign", "staff_user_id": staff.id,
                "hospital_id": hospital.id},
        done_url=f"/hospital/{hospital.id}/admin/family-doctors?done=signed",
    )


def _ask_end(
    request: Request, session: Session, hospital: Hospital, now: Any, link_id: int
) -> Response:
    """The confirmation page of 解约 (nothing changes), or why there is none."""
    link = next(
        (
            item
            for item in family_doctors.hospital_links(session, hospital_id=hospital.id)
            if item.link_id == link_id
        ),
        None,
    )
    if link is None:
        return _refusal(
            request, session, hospital, now,
            FamilyDoctorError("找不到这条签约，可能不属于本院。", not_found=True),
        )
    if link.ended_on is not None:
        return RedirectResponse(
            f"/hospital/{hospital.id}/admin/family-doctors?done=ended", status_code=303
        )
    return render(request, "hospital/family_end.html", {"hospital": hospital, "link": link})


@pages.get(
    "/hospital/{hospital_id}/admin/family-doctors/links/{link_id}/end", response_class=Response
)
def end_form(
    request: Request,
    hospital_id: int,
    link_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """解约 step 1: the confirmation page (a link from the list: a reload sends nothing)."""
    hospital = load_hospital(session, staff, hospital_id)
    return _ask_end(request, session, hospital, now, link_id)


@actions.post(
    "/hospital/{hospital_id}/admin/family-doctors/links/{link_id}/end", response_class=Response
)
def end(
    request: Request,
    hospital_id: int,
    link_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    confirm: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """解约 step 2 (`confirm=yes`): end the signing. Without `confirm` (an older form): 303
    to step 1, the confirmation page (`end_form`), after the same checks."""
    hospital = load_hospital(session, staff, hospital_id)
    if confirm != "yes":
        asked = _ask_end(request, session, hospital, now, link_id)
        if asked.status_code != 200:
            return asked
        return RedirectResponse(
            f"/hospital/{hospital.id}/admin/family-doctors/links/{link_id}/end", status_code=303
        )
    return commit_or_refuse(
        session,
        lambda: family_doctors.end(
            session, hospital_id=hospital.id, link_id=link_id, actor_id=staff.id, now=now
        ),
        refused=FamilyDoctorError,
        show_refusal=lambda exc: _refusal(request, session, hospital, now, exc),
        log_event="hospital admin action",
        fields={"action": "family_doctor_end", "staff_user_id": staff.id,
                "hospital_id": hospital.id, "target": f"family_doctor_patient:{link_id}"},
        done_url=f"/hospital/{hospital.id}/admin/family-doctors?done=ended",
    )
