"""The dispatch console (/dispatch): live ride queue, driver assignment, back-office orders.

`router` collects the page, action and event-stream routes; app/consoles/routes.py
includes it. Every route admits operators and admins only (`DispatchStaff`).
"""

from __future__ import annotations

from fastapi import APIRouter

from app.consoles.dispatch import actions, events, media, pages

router = APIRouter()
router.include_router(pages.router)
router.include_router(actions.router)
router.include_router(events.router)
router.include_router(media.router)
