"""国家节假日 (/hospital/holidays, service admins only): the official holidays and 调休
working days of a year the built-in holiday data does not cover, entered once for every
hospital and the regular rides (app.hospital.holidays).

- GET  /hospital/holidays: what the data covers, the days entered, the form;
- POST /hospital/holidays: enter a day or a range (放假 with the holiday's name, or
  调休上班);
- POST /hospital/holidays/{YYYY-MM-DD}/remove: remove a day entered by mistake.

Admins only (`AdminStaff`): a hospital admin enters the closed days of their own hospital
on its admin page, which win over these for that hospital. A refusal shows the page again
(409) with the reason and the form as it was sent.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.consoles.auth import AdminStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.http import commit_or_refuse, console_router
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.core.local_time import local_today
from app.hospital import holidays
from app.hospital.rules import calendar_gap, spoken_day

pages = console_router()
actions = console_router(dependencies=[CsrfProtected])
NOTICES = {
    "saved": "已保存：各医院的休息日和定时叫车的节假日都按这些日子算。",
    "removed": "已删除。",
}
DayText = Annotated[str, Form(max_length=10)]


def _day(raw: str, *, required: bool = True) -> date | None:
    if not raw.strip():
        if required:
            raise holidays.HolidayError("请填写日期。")
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise holidays.HolidayError("日期格式不对，请用日历选择。") from None


def _page(
    request: Request, session: Session, now: datetime, status_code: int = 200, **more: Any
) -> Response:
    today = local_today(now)
    last = holidays.last_package_year()
    gap = calendar_gap(today, date(today.year + 1, 12, 31))
    context = {
        "entries": holidays.entries(session),
        "kinds": holidays.KINDS,
        "names": holidays.HOLIDAY_NAMES,
        "last_year": last,
        "gap": gap,
        "spoken_day": spoken_day,
        "form": {},
        **more,
    }
    return render(request, "hospital/holidays.html", context, status_code=status_code)


@pages.get("/hospital/holidays", response_class=Response)
def holidays_page(
    request: Request, staff: AdminStaff, session: SessionDep, now: NowDep, done: str = ""
) -> Response:
    return _page(request, session, now, notice=NOTICES.get(done))


@actions.post("/hospital/holidays", response_class=Response)
def enter_days(
    request: Request,
    staff: AdminStaff,
    session: SessionDep,
    now: NowDep,
    first: DayText = "",
    last: DayText = "",
    kind: Annotated[str, Form(max_length=10)] = "",
    name: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    form = {"first": first, "last": last, "kind": kind, "name": name}

    def change() -> int:
        start = _day(first)
        assert start is not None
        return holidays.set_days(
            session, first=start, last=_day(last, required=False), kind=kind, name=name,
            actor_id=staff.id, now=now,
        )

    return commit_or_refuse(
        session,
        change,
        refused=holidays.HolidayError,
        show_refusal=lambda exc: _page(request, session, now, 409, error=str(exc), form=form),
        log_event="service holidays entered",
        fields={"staff_user_id": staff.id},
        done_url="/hospital/holidays?done=saved#entered",
    )


@actions.post("/hospital/holidays/{day}/remove", response_class=Response)
def remove_day(request: Request, day: str, staff: AdminStaff, session: SessionDep) -> Response:
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise HTTPException(status_code=404, detail="没有这一天。") from None
    return commit_or_refuse(
        session,
        lambda: holidays.remove_day(session, day=when),
        refused=holidays.HolidayError,
        show_refusal=lambda exc: Response(str(exc), status_code=409),
        log_event="service holiday removed",
        fields={"staff_user_id": staff.id},
        done_url="/hospital/holidays?done=removed#entered",
    )
