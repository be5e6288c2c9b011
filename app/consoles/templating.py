"""Jinja2 templates shared by every console, and `render()` to answer with one.

Every template extends `base.html` (header with the signed-in user and a sign-out
button, one CSS file, skip link). The context always has `staff` (or None),
`role_label`, `csrf_token`, `csrf_field` and `phone_service_banner` (the warning shown
to signed-in staff while no phone service is configured, else None).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import FileSystemLoader

from app.consoles.csrf import CSRF_FIELD, attach_csrf_cookie, csrf_token
from app.consoles.phone_service import BANNER, phone_service_missing
from app.consoles.roles import role_label
from app.core.local_time import LOCAL_TZ

TEMPLATES_DIR = Path(__file__).parent / "templates"


def _context(request: Request) -> dict[str, Any]:
    return {
        "staff": getattr(request.state, "staff", None),
        "role_label": role_label,
        "csrf_token": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "phone_service_banner": BANNER if phone_service_missing(request) else None,
    }


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a UTC time in Kunming time (UTC+8); empty for None."""
    return value.astimezone(LOCAL_TZ).strftime(fmt) if value is not None else ""


templates = Jinja2Templates(directory=[TEMPLATES_DIR], context_processors=[_context])
templates.env.filters["local_time"] = local_time


def add_template_dir(directory: Path) -> None:
    """Let a capability's console keep its templates next to its routes (names stay unique:
    `dispatch/page.html`, `hospital/day.html`)."""
    loader = templates.env.loader
    assert isinstance(loader, FileSystemLoader)
    if str(directory) not in loader.searchpath:
        loader.searchpath.append(str(directory))


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a template; sets the pre-session CSRF cookie when the page created one."""
    response = templates.TemplateResponse(
        request, name, context or {}, status_code=status_code, headers=headers
    )
    attach_csrf_cookie(request, response)
    return response
