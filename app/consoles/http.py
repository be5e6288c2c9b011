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

`install_error_pages(app)` does the same for what never reaches a route: an unknown
address (404), a GET on an address that only takes a form (405) and a malformed query or
form (FastAPI's 422). A browser asking for a page, and any form posted to a console
address, gets the Chinese error page with a link back (to the area's start page when the
signed-in user may open it, else to their own console); the machine interfaces
(`/twilio`, `/fhir`, probes, metrics) and other clients keep FastAPI's JSON answers.
"""

from __future__ import annotations

import logging
import re
import typing
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.consoles.roles import links_for
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


# Machine interfaces: always FastAPI's own answers (JSON), whatever the Accept header says.
MACHINE_PREFIXES = (
    "/twilio", "/fhir", "/healthz", "/readyz", "/metrics", "/static", "/docs", "/redoc",
    "/openapi.json",
)
# Where an error page links back to, by area (the first whose prefix matches).
AREAS = (
    ("/dispatch", "/dispatch", "返回调度台"),
    ("/hospital", "/hospital", "返回医院工作台"),
    ("/family-doctor", "/family-doctor", "返回家庭医生工作台"),
    ("/people", "/people", "返回老人登记"),
)
HOME = ("/console", "返回首页")
# Pages with a layout of their own (no staff header): the family self-service page.
OWN_ERROR_TEMPLATES = (("/family", "family/error.html"),)
# Chinese words for the errors FastAPI raises itself (its English `detail` is not shown).
STANDARD_MESSAGES = {
    400: "请求的内容有误，没有保存任何更改。请返回上一页检查后重试。",
    404: "找不到这个页面：地址可能输错了，或者这条记录不存在。",
    405: "这个地址只接收页面上按钮提交的表单，不能直接打开。请返回上一页，在页面上操作。",
}
VALIDATION_MESSAGE = (
    "地址或表单里的内容不对（{fields}），没有保存任何更改。请返回上一页检查后重试。"
)
# Field names staff may meet in that message; others are just "表单".
FIELD_LABELS = {
    "day": "日期", "q": "搜索内容", "page": "页码", "schedule_id": "出诊场次",
    "slot_id": "号源", "department_id": "科室", "doctor_id": "医生", "capacity": "号数",
    "fee": "挂号费", "reason": "原因", "name": "名称", "phone": "电话", "version": "页面版本",
    "pickup_place_id": "上车地点", "pickup_time": "接人时间", "weekdays": "每周哪几天",
    "person_id": "老人", "driver_id": "司机", "eta_minutes": "多少分钟到",
}
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def is_browser_page(request: Request) -> bool:
    """A browser asking for a page of the consoles (not a machine interface)."""
    path = request.url.path
    return wants_html(request) and not any(_under(path, p) for p in MACHINE_PREFIXES)


def is_console_form(request: Request) -> bool:
    """A form posted to a console address by a client that does not ask for JSON (a
    browser's form, whatever else its Accept header says): answered with the Chinese page.
    A script asking for `application/json` keeps FastAPI's JSON 422."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    path = request.url.path
    return (
        content_type in FORM_CONTENT_TYPES
        and "application/json" not in request.headers.get("accept", "")
        and not any(_under(path, p) for p in MACHINE_PREFIXES)
    )


def back_link(request: Request) -> tuple[str, str]:
    """The link on an error page: the start page of the area the address belongs to, when
    the signed-in user may open it; otherwise the user's own console (a community worker
    refused /dispatch goes back to 老人登记, never to a console they cannot open)."""
    path = request.url.path
    staff = getattr(request.state, "staff", None)
    own = links_for(staff.role) if staff is not None else None
    for prefix, url, label in AREAS:
        if _under(path, prefix):
            if own is None or any(_under(url, link.path) for link in own):
                return url, label
            break
    if own is not None and len(own) == 1:
        return own[0].path, f"返回{own[0].title}"
    return HOME


def _referring_page(request: Request) -> str | None:
    """The same-site page the browser came from (path and query), if any."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/"):
        return None
    if referer.path == request.url.path:
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def error_page(
    request: Request,
    status_code: int,
    message: object,
    *,
    headers: dict[str, str] | None = None,
    template: str = "error.html",
) -> Response:
    """The Chinese error page: what went wrong, a link back and the area's start page."""
    from app.consoles.templating import render  # templating imports this module

    home_url, home_label = back_link(request)
    response = render(
        request,
        template,
        {"status_code": status_code, "message": message, "home_url": home_url,
         "home_label": home_label, "previous_url": _referring_page(request)},
        status_code=status_code,
        headers=headers,
    )
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


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
    return error_page(
        request,
        exc.status_code,
        exc.detail,
        headers=headers,
        template=getattr(exc, "template", "error.html"),  # a page outside the consoles: its own
    )


async def _rollback(request: Request) -> None:
    db_session = getattr(request.state, "console_db_session", None)
    if db_session is not None:
        await run_in_threadpool(db_session.rollback)


async def _unrouted_http_error(request: Request, exc: Exception) -> Response:
    """404 for an unknown address, 405 for a wrong method, and any HTTPException raised
    outside a console route."""
    assert isinstance(exc, StarletteHTTPException)
    if not is_browser_page(request):
        return await http_exception_handler(request, exc)
    await _rollback(request)
    headers = dict(exc.headers or {})
    if 300 <= exc.status_code < 400:
        return await error_response(request, exc)
    message = exc.detail
    standard = exc.detail == "Not Found" or exc.detail == "Method Not Allowed"
    if standard or not isinstance(exc.detail, str):
        message = STANDARD_MESSAGES.get(exc.status_code, STANDARD_MESSAGES[400])
    template = getattr(exc, "template", None) or _template_for(request)
    return error_page(request, exc.status_code, message, headers=headers, template=template)


def _template_for(request: Request) -> str:
    path = request.url.path
    return next((t for prefix, t in OWN_ERROR_TEMPLATES if _under(path, prefix)), "error.html")


async def _validation_error(request: Request, exc: Exception) -> Response:
    """A malformed query or form on a browser page: a 400 page naming the fields."""
    assert isinstance(exc, RequestValidationError)
    if not (is_browser_page(request) or is_console_form(request)):
        return await request_validation_exception_handler(request, exc)
    await _rollback(request)
    fields: list[str] = []
    for error in exc.errors():
        location = error.get("loc", ())
        label = FIELD_LABELS.get(str(location[-1])) if len(location) > 1 else None
        if label and label not in fields:
            fields.append(label)
    message = VALIDATION_MESSAGE.format(fields="、".join(fields[:5]) or "表单")
    return error_page(request, 400, message, template=_template_for(request))


def install_error_pages(app: FastAPI) -> None:
    """Browser pages get the Chinese error page for errors no route answered itself."""
    app.add_exception_handler(StarletteHTTPException, _unrouted_http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


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
