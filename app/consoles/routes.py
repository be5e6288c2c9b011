"""Web consoles: staff sign-in shared by the dispatch and hospital consoles.

`router` is the one router app.main includes; each console adds its own router here
(built with `app.consoles.http.console_router()`).
"""

from __future__ import annotations

from fastapi import APIRouter

from app.consoles import assets, landing, login, users
from app.consoles.dispatch import router as dispatch_router
from app.consoles.hospital import router as hospital_router

router = APIRouter()
router.include_router(assets.router)
router.include_router(login.router)
router.include_router(landing.router)
router.include_router(users.router)
router.include_router(dispatch_router)
router.include_router(hospital_router)
