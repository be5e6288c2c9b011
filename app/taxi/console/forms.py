"""Bad form input on the dispatch console answers with the console page, in Chinese.

FastAPI checks form and query fields (`Form(ge=0)`, `max_length`, an `int`) before a
route runs and answers a failed check with a JSON 422. For a browser that is a raw page
nobody on a shift can read, so the dispatch routes use `DispatchRoute`: a failed check
rolls back, and a browser is sent (303) back to the page the form was on (the referring
`/dispatch…` page, else the page of the route's area) with `?problem=form&fields=…`;
every dispatch page shows `form_problem()` as its error. Other clients (scripts, the
page's own fetches) still get the JSON 422. Nothing of a refused form is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response

from app.consoles.http import SECURITY_HEADERS, ConsoleRoute, wants_html

PROBLEM = "提交的内容有误（{fields}），没有保存任何更改。请检查后重新提交。"
FIELD_LABELS: dict[str, str] = {
    "version": "页面已过期，请刷新",
    "driver_id": "司机",
    "eta_minutes": "多少分钟到",
    "reason": "取消原因",
    "caller_number": "来电号码",
    "caller_name": "姓名",
    "pickup_address": "上车地点",
    "destination": "目的地",
    "company_id": "所属公司",
    "name": "名称",
    "phone": "电话",
    "plate": "车牌",
    "zone": "服务区域",
    "vehicle_type": "车型",
    "text": "备注",
    "q": "搜索内容",
    "page": "页码",
    "from": "开始日期",
    "to": "结束日期",
    "person_id": "老人",
    "pickup_place_id": "上车地点",
    "pickup_time": "接人时间",
    "pickup_day": "用车日期",
    "weekdays": "星期几",
    "first_day": "开始日期",
    "last_day": "结束日期",
    "day": "日期",
    "action": "操作",
}
# The page an action belongs to, by path prefix (longest first), when there is no referer.
PAGES = (
    ("/dispatch/scheduled", "/dispatch/scheduled"),
    ("/dispatch/regular", "/dispatch/regular"),
    ("/dispatch/fleet", "/dispatch/fleet"),
    ("/dispatch/history", "/dispatch/history"),
    ("/dispatch", "/dispatch"),
)


def _page_of(request: Request) -> str:
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = not referer.netloc or referer.netloc == request.url.netloc
    if same_site and referer.path.startswith("/dispatch") and request.method == "POST":
        return referer.path
    path = request.url.path
    return next(page for prefix, page in PAGES if path.startswith(prefix))


def _fields(exc: RequestValidationError) -> list[str]:
    names: list[str] = []
    for error in exc.errors():
        location = error.get("loc", ())
        name = str(location[-1]) if location else ""
        if name in FIELD_LABELS and name not in names:
            names.append(name)
    return names


def form_problem(request: Request) -> str | None:
    """The message for a page reached after a refused form (None otherwise)."""
    if request.query_params.get("problem") != "form":
        return None
    names = [n for n in request.query_params.get("fields", "").split(",") if n in FIELD_LABELS]
    return PROBLEM.format(fields="、".join(FIELD_LABELS[n] for n in names) or "表单")


class DispatchRoute(ConsoleRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def dispatch_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                if not wants_html(request):
                    raise
                db_session = getattr(request.state, "console_db_session", None)
                if db_session is not None:
                    await run_in_threadpool(db_session.rollback)
                query = urlencode({"problem": "form", "fields": ",".join(_fields(exc))})
                response = RedirectResponse(f"{_page_of(request)}?{query}", status_code=303)
                for name, value in SECURITY_HEADERS.items():
                    response.headers.setdefault(name, value)
                return response

        return dispatch_handler


def dispatch_router(**kwargs: Any) -> APIRouter:
    """An APIRouter for dispatch console routes (`console_router` plus the above)."""
    return APIRouter(route_class=DispatchRoute, **kwargs)
