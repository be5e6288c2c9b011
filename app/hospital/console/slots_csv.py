"""号源 CSV 导入 in the hospital's admin section (/hospital/{id}/admin/slots-csv): the
spreadsheet alternative to the FHIR Bundle import (app.hospital.fhir.slots_csv).

Hospital admins (their own hospital) and admins (`HospitalAdminStaff`); the hospital id
in the URL is checked first (403); doctors of another hospital in the file are refused
per row. A refused file shows every problem with its line (409) and changes nothing; an
imported one redirects (303) to the page, which shows the counts once (flash cookie), so a
reload never uploads the file again.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import File, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.consoles.auth import HospitalAdminStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.flash import forget_flash, redirect_with_flash, take_flash
from app.consoles.http import console_router
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.core.logging import log_fields
from app.hospital.console.pages import load_hospital
from app.hospital.fhir import slots_csv
from app.hospital.models import Department, Doctor, Hospital

logger = logging.getLogger(__name__)
COUNTS = ("created", "updated", "unchanged")
pages = console_router()
actions = console_router(dependencies=[CsrfProtected])


def _context(session: Session, hospital: Hospital, now: datetime) -> dict[str, Any]:
    doctors = session.execute(
        select(Doctor, Department)
        .join(Department, Department.id == Doctor.department_id)
        .where(Department.hospital_id == hospital.id)
        .order_by(Department.id, Doctor.id)
    ).all()
    return {
        "hospital": hospital,
        "doctors": doctors,
        "max_rows": slots_csv.MAX_ROWS,
        "sample": slots_csv.sample(session, hospital_id=hospital.id, now=now),
        "window": slots_csv.booking_window(session, hospital.id, now),
    }


@pages.get("/hospital/{hospital_id}/admin/slots-csv", response_class=Response)
def csv_page(
    request: Request, hospital_id: int, staff: HospitalAdminStaff, session: SessionDep,
    now: NowDep,
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    context = _context(session, hospital, now)
    flash = take_flash(request) or {}
    counts = flash.get("imported")
    if isinstance(counts, dict) and all(isinstance(counts.get(k), int) for k in COUNTS):
        context["result"] = {k: counts[k] for k in COUNTS}
    response = render(request, "hospital/slots_csv.html", context)
    forget_flash(request, response)
    return response


@actions.post("/hospital/{hospital_id}/admin/slots-csv", response_class=Response)
def csv_upload(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    fields = {"action": "slots_csv", "staff_user_id": staff.id, "hospital_id": hospital.id}
    context = _context(session, hospital, now)
    try:
        if file is None or not file.filename:
            raise slots_csv.CsvRefused(["请选择要上传的 CSV 文件。"])
        raw = file.file.read(slots_csv.MAX_BYTES + 1)
        result = slots_csv.import_csv(session, hospital_id=hospital.id, raw=raw, now=now)
        session.commit()
    except slots_csv.CsvRefused as exc:
        session.rollback()
        logger.info("hospital admin action refused", extra=log_fields(**fields))
        context["errors"] = exc.errors[:100]
        context["more_errors"] = max(0, len(exc.errors) - 100)
        return render(request, "hospital/slots_csv.html", context, status_code=409)
    logger.info(
        "hospital admin action",
        extra=log_fields(**fields, created=result.created, updated=result.updated),
    )
    return redirect_with_flash(
        request,
        f"/hospital/{hospital.id}/admin/slots-csv",
        {"imported": {k: getattr(result, k) for k in COUNTS}},
    )
