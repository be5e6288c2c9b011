"""The dispatch console (/dispatch): live ride queue, driver assignment, back-office orders.

`routers` are the page, action and event-stream routers, in the order app/main.py
includes them. Every route admits operators and admins only (`DispatchStaff`).
"""

from __future__ import annotations

from pathlib import Path

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

routers = (
    pages.router,
    actions.router,
    events.router,
    media.router,
    *fleet_routes.routers,
    history_routes.router,
    scheduled.router,
    scheduled.posts,
    regular_routes.router,
    regular_routes.posts,
)
