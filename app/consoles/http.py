"""The route class every console route uses: HTML error pages and security headers.

`ConsoleRoute` wraps each route's handler so that an HTTPException (raised by a route or
a dependency such as `CurrentStaff` or the CSRF check) becomes a Chinese error page for
browsers, JSON for other clients, or a plain redirect for 3xx. Before answering, it rolls
back the request's database session, so a refused request never commits half its work.
Every response also gets security headers (CSP, no framing, no caching unless set).

Integer path parameters (`{ride_id}` annotated `int`) only match 0 to 2**31 - 1 (the ids
are PostgreSQL `integer` columns), so an id too large for the database
(`/dispatch/rides/99999999999999999999/number`, `/dispatch/rides/2147483648/number`) or a
negative one is a plain 404 instead of a database error.

Build console routers with `console_router()` so their routes get this class.
"""

from __future__ import annotations

import logging
import re
import typing
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.deps import SessionDep
from app.core.logging import log_fields
from app.db.base import MAX_ID

SECURITY_HEADERS: dict[str, str] = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "content-security-policy": (
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; "
        "base-uri 'none'; object-src 'none'"
    ),
    "cache-control": "no-store",
}

logger = logging.getLogger(__name__)

_PLAIN_PATH_PARAM = re.compile(r"\{(\w+)\}")


MAX_DATABASE_ID = MAX_ID


def _at_most(limit: int) -> str:
    """A regex matching the decimal numbers 0..limit (no sign, no leading zeros needed)."""
    digits = str(limit)
    shorter = f"[0-9]{{1,{len(digits) - 1}}}" if len(digits) > 1 else None
    same_length = []
    for i, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - i - 1
            lower = f"[0-{int(digit) - 1}]" if digit != "1" else "0"
            same_length.append(digits[:i] + lower + (f"[0-9]{{{rest}}}" if rest else ""))
    same_length.append(digits)
    return "|".join(([shorter] if shorter else []) + same_length)


class DatabaseIdConvertor(Convertor[int]):
    """A row id: a decimal number that fits an `integer` column (0 to 2**31 - 1)."""

    regex = f"(?:{_at_most(MAX_DATABASE_ID)})"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("dbid", DatabaseIdConvertor())


def _int_params(endpoint: Callable[..., Any]) -> set[str]:
    hints = typing.get_type_hints(endpoint, include_extras=True)
    names = set()
    for name, hint in hints.items():
        if typing.get_origin(hint) is typing.Annotated:
            hint = typing.get_args(hint)[0]
        if hint is int:
            names.add(name)
    return names


def bounded_id_path(path: str, endpoint: Callable[..., Any]) -> str:
    """`/rides/{ride_id}` -> `/rides/{ride_id:dbid}` when the endpoint takes an int."""
    ints = _int_params(endpoint)
    return _PLAIN_PATH_PARAM.sub(
        lambda m: f"{{{m.group(1)}:dbid}}" if m.group(1) in ints else m.group(0), path
    )


def wants_html(request: Request) -> bool:
    """True for browser page requests (Accept names text/html)."""
    return "text/html" in request.headers.get("accept", "")


def _remember_db_session(request: Request, session: SessionDep) -> None:
    """Keep the request's session (the same one routes get) so errors can roll it back."""
    request.state.console_db_session = session


async def error_response(request: Request, exc: StarletteHTTPException) -> Response:
    """The answer to an HTTPException on a console route."""
    headers = dict(exc.headers or {})
    if 300 <= exc.status_code < 400 and "location" in {k.lower() for k in headers}:
        return Response(status_code=exc.status_code, headers=headers)
    if not wants_html(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
    from app.consoles.templating import render  # templating imports this module

    return render(
        request,
        getattr(exc, "template", "error.html"),  # a page outside the staff consoles: its own
        {"status_code": exc.status_code, "message": exc.detail},
        status_code=exc.status_code,
        headers=headers,
    )


class ConsoleRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        dependencies = list(kwargs.pop("dependencies", None) or [])
        kwargs["dependencies"] = [Depends(_remember_db_session), *dependencies]
        super().__init__(bounded_id_path(path, endpoint), endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except StarletteHTTPException as exc:
                db_session = getattr(request.state, "console_db_session", None)
                if db_session is not None:
                    await run_in_threadpool(db_session.rollback)
                response = await error_response(request, exc)
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return console_handler


def console_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes use ConsoleRoute."""
    return APIRouter(route_class=ConsoleRoute, **kwargs)


def commit_or_refuse(
    session: Session,
    change: Callable[[], object],
    *,
    refused: type[Exception],
    show_refusal: Callable[[Exception], Response],
    log_event: str,
    fields: dict[str, object],
    done_url: str | Callable[[Any], str],
) -> Response:
    """Run a console action: commit and redirect to `done_url` (or to what it makes of the
    change's result), or, when the service refuses it, roll back and show the page again
    with the refusal."""
    try:
        result = change()
        session.commit()  # before answering: the redirected page must already see it
    except refused as exc:
        session.rollback()
        logger.info("%s refused", log_event, extra=log_fields(**fields))
        return show_refusal(exc)
    logger.info(log_event, extra=log_fields(**fields))
    url = done_url(result) if callable(done_url) else done_url
    return RedirectResponse(url, status_code=303)
