"""The consoles' shared routes: sign-in, the landing page and static files.

`router` is included by app.main, next to each capability's console router
(`app.taxi.console`, `app.hospital.console`, `app.staff.pages`).
"""

from __future__ import annotations

from fastapi import APIRouter

from app.consoles import assets, landing, login

router = APIRouter()
router.include_router(assets.router)
router.include_router(login.router)
router.include_router(landing.router)
