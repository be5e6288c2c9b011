"""GET /dispatch/history: past and current rides, searched and filtered, a page at a time.

A read-only page (a GET form, so a search can be bookmarked or reloaded); numbers are
masked like everywhere in the consoles. The search rules are in `app.taxi.history`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import Response

from app.consoles.auth import DispatchStaff
from app.consoles.paging import PageNumber
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.people.phones import mask_number
from app.taxi import history
from app.taxi.console.forms import dispatch_router, form_problem
from app.taxi.enums import RideStatus
from app.taxi.rides import STATUS_LABELS

router = dispatch_router()

BAD_DATE = "日期请按 2026-11-30 的格式填写；这个条件没有用上。"
BAD_RANGE = "开始日期晚于结束日期，请检查。"


def _day(raw: str) -> tuple[date | None, bool]:
    raw = raw.strip()
    if not raw:
        return None, True
    try:
        return date.fromisoformat(raw), True
    except ValueError:
        return None, False


@router.get("/dispatch/history", response_class=Response)
def history_page(
    request: Request,
    staff: DispatchStaff,
    session: SessionDep,
    q: Annotated[str, Query(max_length=50)] = "",
    status: Annotated[list[str] | None, Query()] = None,
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    page: PageNumber = 1,
) -> Response:
    chosen = tuple(
        s for s in history.FILTER_STATUSES if s.value in set(status or ())
    )
    start, start_ok = _day(date_from)
    end, end_ok = _day(date_to)
    errors = [] if start_ok and end_ok else [BAD_DATE]
    problem = form_problem(request)
    if problem:
        errors.append(problem)
    if start and end and start > end:
        errors.append(BAD_RANGE)
    query = history.HistoryQuery(
        text=q, statuses=chosen, date_from=start, date_to=end, page=page
    )
    result = history.search(session, query)
    params = {"q": q, "from": date_from, "to": date_to}

    def page_url(number: int) -> str:
        pairs = [(k, v) for k, v in params.items() if v] + [("status", s.value) for s in chosen]
        return "/dispatch/history?" + urlencode([*pairs, ("page", str(number))])

    return render(
        request,
        "dispatch/history.html",
        {
            "result": result,
            "q": q,
            "date_from": date_from,
            "date_to": date_to,
            "chosen": {s.value for s in chosen},
            "statuses": [(s.value, STATUS_LABELS[s]) for s in history.FILTER_STATUSES],
            "errors": errors,
            "page_url": page_url,
            "mask_number": mask_number,
            "page_size": history.PAGE_SIZE,
            "RideStatus": RideStatus,
        },
    )
