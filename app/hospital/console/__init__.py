"""The hospital staff console (/hospital): one day's phone bookings, check-in, no-show, 停诊.

`router` collects the page and action routes; app/main.py includes it. Every
route admits hospital staff and admins (`HospitalConsoleStaff`); hospital staff only see
their own hospital (`ensure_hospital_access`), admins choose one.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from app.consoles.assets import add_static_dir
from app.consoles.templating import add_template_dir
from app.hospital.console import actions, pages

add_template_dir(Path(__file__).parent / "templates")
add_static_dir(Path(__file__).parent / "static")

router = APIRouter()
router.include_router(pages.router)
router.include_router(actions.router)
