"""GET /console: the landing page after sign-in, with the consoles the role may use."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.consoles.auth import CurrentStaff
from app.consoles.http import console_router
from app.consoles.roles import links_for
from app.consoles.templating import render

router = console_router()


@router.get("/console", response_class=Response)
def landing(request: Request, staff: CurrentStaff) -> Response:
    return render(request, "console.html", {"links": links_for(staff.role)})
