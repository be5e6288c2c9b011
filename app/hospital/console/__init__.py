"""The hospital staff console (/hospital): one day's phone bookings, check-in, no-show, 停诊,
and the admin section (/hospital/{id}/admin: departments, doctors, schedules, rules;
/hospital/{id}/admin/his: the HIS link's tokens, webhook and failed pushes;
/hospital/{id}/admin/family-doctors: who is signed with which family doctor), the
service admins' 国家节假日 (/hospital/holidays: the official holidays of a year the built-in
data lacks, for every hospital), and the family-doctor console (/family-doctor: a family
doctor's own signed patients).

`router` collects the page and action routes; app/main.py includes it. The day routes
admit hospital staff, hospital admins and admins (`HospitalConsoleStaff`), the admin
section only hospital admins and admins (`HospitalAdminStaff`); hospital staff and
hospital admins only see their own hospital (`ensure_hospital_access`), admins choose one.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from app.consoles.assets import add_static_dir
from app.consoles.templating import add_template_dir
from app.hospital.console import (
    actions,
    admin,
    family_admin,
    family_doctor,
    his,
    holidays,
    pages,
    slots_csv,
    walk_in,
)

add_template_dir(Path(__file__).parent / "templates")
add_static_dir(Path(__file__).parent / "static")

router = APIRouter()
router.include_router(holidays.pages)  # /hospital/holidays before /hospital/{hospital_id}
router.include_router(holidays.actions)
router.include_router(pages.router)
router.include_router(actions.router)
router.include_router(admin.pages)
router.include_router(admin.actions)
router.include_router(his.pages)
router.include_router(his.actions)
router.include_router(walk_in.pages)
router.include_router(walk_in.actions)
router.include_router(family_admin.pages)
router.include_router(family_admin.actions)
router.include_router(family_doctor.pages)
router.include_router(family_doctor.actions)
router.include_router(slots_csv.pages)
router.include_router(slots_csv.actions)
