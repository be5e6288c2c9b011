"""The hospital staff console (/hospital): one day's phone bookings, check-in, no-show, 停诊,
and the admin section (/hospital/{id}/admin: departments, doctors, schedules, rules;
/hospital/{id}/admin/his: the HIS link's tokens, webhook and failed pushes;
/hospital/{id}/admin/family-doctors: who is signed with which family doctor), the
service admins' 国家节假日 (/hospital/holidays: the official holidays of a year the built-in
data lacks, for every hospital), and the family-doctor console (/family-doctor: a family
doctor's own signed patients).

`routers` are the page and action routers, in the order app/main.py includes them. The day routes
admit hospital staff, hospital admins and admins (`HospitalConsoleStaff`), the admin
section only hospital admins and admins (`HospitalAdminStaff`); hospital staff and
hospital admins only see their own hospital (`ensure_hospital_access`), admins choose one.
"""

from __future__ import annotations

from pathlib import Path

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

routers = (
    holidays.pages,  # /hospital/holidays before /hospital/{hospital_id}
    holidays.actions,
    pages.router,
    actions.router,
    admin.pages,
    admin.actions,
    his.pages,
    his.actions,
    walk_in.pages,
    walk_in.actions,
    family_admin.pages,
    family_admin.actions,
    family_doctor.pages,
    family_doctor.actions,
    slots_csv.pages,
    slots_csv.actions,
)
