"""The hospital staff console (/hospital): one day's phone bookings, check-in, no-show, 停诊.

`router` collects the page and action routes; app/consoles/routes.py includes it. Every
route admits hospital staff and admins (`HospitalConsoleStaff`); hospital staff only see
their own hospital (`ensure_hospital_access`), admins choose one.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.consoles.hospital import actions, pages

router = APIRouter()
router.include_router(pages.router)
router.include_router(actions.router)
