"""The dispatch console (/dispatch): live ride queue, driver assignment, back-office orders.

`router` collects the page, action and event-stream routes; app/consoles/routes.py
includes it. Every route admits operators and admins only (`DispatchStaff`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from app.consoles.assets import add_static_dir
from app.consoles.templating import add_template_dir
from app.taxi.console import (
    actions,
    events,
    fleet_routes,
    history_routes,
    media,
    pages,
    regular_routes,
    scheduled,
)

add_template_dir(Path(__file__).parent / "templates")
add_static_dir(Path(__file__).parent / "static")

router = APIRouter()
router.include_router(pages.router)
router.include_router(actions.router)
router.include_router(events.router)
router.include_router(media.router)
router.include_router(fleet_routes.router)
router.include_router(history_routes.router)
router.include_router(scheduled.router)
router.include_router(scheduled.posts)
router.include_router(regular_routes.router)
router.include_router(regular_routes.posts)
