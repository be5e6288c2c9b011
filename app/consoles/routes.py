"""The consoles' shared routes: sign-in, the landing page and static files.

`routers` are included by app.main, next to each capability's console routers
(`app.taxi.console`, `app.hospital.console`, `app.staff.pages`).
"""

from __future__ import annotations

from app.consoles import assets, landing, login

routers = (assets.router, login.router, landing.router)
