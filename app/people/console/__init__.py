"""The community staff console (/people): register, find, edit and deactivate older people,
their audit trail, the printable hotline card, and their regular rides (定期用车).

`routers` are the page and action routers, in the order app/main.py includes them. Every
route admits community staff and admins (`CommunityConsoleStaff`); community staff only
see and change people of their own community (`load_person`), admins all.
"""

from __future__ import annotations

from pathlib import Path

from app.consoles.assets import add_static_dir
from app.consoles.templating import add_template_dir
from app.people.console import actions, pages, regular_rides

add_template_dir(Path(__file__).parent / "templates")
add_static_dir(Path(__file__).parent / "static")

routers = (pages.router, actions.router, regular_rides.pages, regular_rides.posts)
