"""The dispatch console's 定期用车 page (/dispatch/regular): regular rides (爱心车队) set up
by operators for a person, kept as rules; the scheduler makes each day's ride a booked ride
`IVR_REGULAR_RIDE_AHEAD_HOURS` before its pickup (app/taxi/regular.py). Operators and
admins only (`DispatchStaff`); every POST carries the CSRF token.

    GET  /dispatch/regular[?q=…][&person=ID]     the rules with their next days; find a
                                                  person (name or phone), then the form
    POST /dispatch/regular                        a new rule
    GET  /dispatch/regular/{id}/edit              the rule's form, with the days made already
    POST /dispatch/regular/{id}/edit              change it (version seen): the days not made
                                                  yet follow; those made are kept and listed
    POST /dispatch/regular/{id}/skip              one day without a car (day=YYYY-MM-DD)
    POST /dispatch/regular/{id}/status            pause, resume or end (version seen; end:
                                                  now, or after last_day=YYYY-MM-DD)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.consoles.auth import DispatchStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.http import commit_or_refuse
from app.consoles.templating import render
from app.core.config import Settings
from app.core.deps import SessionDep, SettingsDep
from app.core.local_time import local_today
from app.hospital.rules import calendar_gap
from app.people import directory
from app.people.models import Person, SavedPlace
from app.people.phones import mask_number
from app.staff.models import StaffUser
from app.taxi import regular
from app.taxi.console.forms import dispatch_router, form_problem
from app.taxi.enums import RideStatus
from app.taxi.models import RegularRide, Ride, TaxiCompany
from app.taxi.regular import WEEKDAY_NAMES, RegularRideError, RegularRules

router = dispatch_router()
posts = dispatch_router(dependencies=[CsrfProtected])

NOTICES = {
    "created": "已设好定期用车。每次的车会在接车前一天自动变成预约单，出现在“预约用车”里。",
    "edited": "已改好定期用车。还没生成的日子按新的安排用车。",
    "skipped": "已取消这一次的车，以后的照常。",
    "paused": "已暂停：暂停期间不再生成新的预约单（已生成的照常，可以单独取消）。",
    "resumed": "已恢复定期用车。",
    "ended": "已停止这个定期用车，还没进入队列的预约单都已取消。",
    "ends": "已设好最后一天：那天以后不再用车，到那天为止的照常。",
}
STATUS_DONE = {"pause": "paused", "resume": "resumed", "end": "ended"}
HOLIDAY_WARNING_DAYS = 60


def form_date(raw: str, default: date | None) -> date | None:
    raw = raw.strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise RegularRideError("日期的格式不对，请用日历选择。") from None


def _time(raw: str) -> time:
    try:
        return time.fromisoformat(raw.strip())
    except ValueError:
        raise RegularRideError("请填写接人的时间，比如 08:00。") from None


def _return_time(raw: str) -> time | None:
    if not raw.strip():
        return None
    try:
        return time.fromisoformat(raw.strip())
    except ValueError:
        raise RegularRideError("回程时间的格式不对，比如 12:00；没有回程就不填。") from None


@dataclass
class RuleForm:
    """The rule form's fields as posted (the dispatch and the community console share it)."""

    pickup_place_id: int
    pickup_time: str = ""
    return_time: str = ""
    weekdays: list[int] | None = None
    destination: str = ""
    to_hospital: str = ""
    last_day: str = ""
    skip_holidays: str = ""
    company_id: str = ""
    note: str = ""

    def fields(self) -> regular.RuleFields:
        return regular.RuleFields(
            weekdays=set(self.weekdays or []), pickup_time=_time(self.pickup_time),
            return_time=_return_time(self.return_time), pickup_place_id=self.pickup_place_id,
            destination=self.destination, to_hospital=bool(self.to_hospital),
            last_day=form_date(self.last_day, None), skip_holidays=bool(self.skip_holidays),
            company_id=int(self.company_id) if self.company_id.strip().isdigit() else None,
            note=self.note,
        )

    def typed(self, **more: str) -> dict[str, Any]:
        """The fields as typed, for the form shown again with a refusal
        (dispatch/_regular_fields.html fills itself from `typed` before `rule`)."""
        return {**asdict(self), "weekdays": list(self.weekdays or []), **more}


def rule_form(
    pickup_place_id: Annotated[int, Form(ge=1)],
    pickup_time: Annotated[str, Form(max_length=8)] = "",
    return_time: Annotated[str, Form(max_length=8)] = "",
    weekdays: Annotated[list[int] | None, Form()] = None,
    destination: Annotated[str, Form(max_length=200)] = "",
    to_hospital: Annotated[str, Form(max_length=5)] = "",
    last_day: Annotated[str, Form(max_length=10)] = "",
    skip_holidays: Annotated[str, Form(max_length=5)] = "",
    company_id: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=100)] = "",
) -> RuleForm:
    return RuleForm(pickup_place_id, pickup_time, return_time, weekdays, destination,
                    to_hospital, last_day, skip_holidays, company_id, note)


RuleFormDep = Annotated[RuleForm, Depends(rule_form)]


def person_places(session: Session, person: Person | None) -> list[SavedPlace]:
    if person is None:
        return []
    return list(session.scalars(
        select(SavedPlace).where(SavedPlace.person_id == person.id).order_by(SavedPlace.position)
    ))


def active_companies(session: Session) -> list[TaxiCompany]:
    return list(session.scalars(
        select(TaxiCompany).where(TaxiCompany.active.is_(True)).order_by(TaxiCompany.id)
    ))


def holiday_gap(now: datetime) -> date | None:
    """The day the holiday data ends, when it is within HOLIDAY_WARNING_DAYS: from then on
    no public holiday is skipped; staff are warned a while ahead."""
    today = local_today(now)
    return calendar_gap(today, today + timedelta(days=HOLIDAY_WARNING_DAYS))


def regular_context(
    session: Session, settings: Settings, now: datetime, *, query: str = "",
    person_id: int | None = None,
) -> dict[str, Any]:
    person = session.get(Person, person_id) if person_id is not None else None
    if person is not None and not person.active:
        person = None
    found = (
        [p for p in directory.search(session, query, community_id=None) if p.active][:10]
        if query.strip() else []
    )
    today = local_today(now)
    return {
        "holiday_gap": holiday_gap(now),
        "entries": regular.rule_list(session, now=now),
        "query": query,
        "found": found,
        "person": person,
        "places": person_places(session, person),
        "companies": active_companies(session),
        "weekday_names": WEEKDAY_NAMES,
        "tomorrow": today + timedelta(days=1),
        "today": today,
        "ahead_hours": settings.regular_ride_ahead_hours,
        "mask_number": mask_number,
    }


@router.get("/dispatch/regular", response_class=Response)
def regular_page(
    request: Request, staff: DispatchStaff, session: SessionDep, settings: SettingsDep,
    now: NowDep, done: str = "", q: Annotated[str, Query(max_length=50)] = "",
    person: Annotated[int | None, Query(ge=1)] = None,
    changed: Annotated[int | None, Query(ge=1)] = None,
    cancelled: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    context = regular_context(session, settings, now, query=q, person_id=person)
    context["notice"] = NOTICES.get(done)
    context["error"] = form_problem(request)
    if changed is not None and cancelled:  # the days an end cancelled
        context["ended_days"] = cancelled_by_end(session, changed, cancelled)
    if done == "edited" and changed is not None:  # the days made before the change, kept
        context["kept"] = regular.made_ahead(session, changed, now=now)
        context["changed"] = changed
    return render(request, "dispatch/regular.html", context)


def _run(
    request: Request, session: Session, settings: Settings, staff: StaffUser, now: datetime,
    *, action: str, change: Callable[[], object], rule_id: int | None = None,
    person_id: int | None = None, done_url: str | Callable[[Any], str] | None = None,
    show_refusal: Callable[[Exception], Response] | None = None,
    typed: dict[str, Any] | None = None,
) -> Response:
    def refused_page(exc: Exception) -> Response:
        assert isinstance(exc, RegularRideError)
        context = regular_context(session, settings, now, person_id=person_id)
        context.update(error=exc.message, typed=typed)
        return render(request, "dispatch/regular.html", context, status_code=400)

    return commit_or_refuse(
        session, change, refused=RegularRideError, show_refusal=show_refusal or refused_page,
        log_event="dispatch regular ride action",
        fields={"action": action, "rule_id": rule_id, "staff_user_id": staff.id},
        done_url=done_url or f"/dispatch/regular?done={action}",
    )


@posts.post("/dispatch/regular", response_class=Response)
def create_rule(
    request: Request, staff: DispatchStaff, session: SessionDep, settings: SettingsDep,
    now: NowDep,
    person_id: Annotated[int, Form(ge=1)],
    form: RuleFormDep,
    first_day: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def change() -> object:
        return regular.create(
            session, person_id=person_id, fields=form.fields(),
            first_day=form_date(first_day, local_today(now) + timedelta(days=1))
            or local_today(now),
            staff_id=staff.id, now=now, rules=RegularRules.from_settings(settings),
        )

    return _run(request, session, settings, staff, now, action="created", change=change,
                person_id=person_id, typed=form.typed(first_day=first_day))


def edit_context(
    session: Session, settings: Settings, now: datetime, rule_id: int
) -> dict[str, Any]:
    """The form of one rule, filled in, and the days made already (which stay)."""
    rule = session.get(RegularRide, rule_id)
    if rule is None:
        raise HTTPException(status_code=404, detail="找不到这个定期用车。")
    person = session.get(Person, rule.person_id)
    return {
        "rule": rule,
        "person": person,
        "places": person_places(session, person),
        "companies": active_companies(session),
        "weekday_names": WEEKDAY_NAMES,
        "chosen_days": regular.weekdays_of(rule),
        "kept": regular.made_ahead(session, rule.id, now=now),
        "today": local_today(now),
        "ahead_hours": settings.regular_ride_ahead_hours,
        "holiday_gap": holiday_gap(now),
    }


@router.get("/dispatch/regular/{rule_id}/edit", response_class=Response)
def edit_page(
    request: Request, rule_id: int, staff: DispatchStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep,
) -> Response:
    context = edit_context(session, settings, now, rule_id)
    context["action"] = f"/dispatch/regular/{rule_id}/edit"
    context["back"] = "/dispatch/regular"
    return render(request, "dispatch/regular_edit.html", context)


@posts.post("/dispatch/regular/{rule_id}/edit", response_class=Response)
def edit_rule(
    request: Request, rule_id: int, staff: DispatchStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep, form: RuleFormDep,
    version: Annotated[int, Form(ge=0)],
) -> Response:
    def change() -> object:
        return regular.edit(
            session, rule_id=rule_id, expected_version=version, fields=form.fields(), now=now,
            rules=RegularRules.from_settings(settings),
        )

    def refused(exc: Exception) -> Response:
        assert isinstance(exc, RegularRideError)
        context = edit_context(session, settings, now, rule_id)
        context.update(error=exc.message, action=f"/dispatch/regular/{rule_id}/edit",
                       back="/dispatch/regular", typed=form.typed())
        return render(request, "dispatch/regular_edit.html", context, status_code=400)

    return _run(
        request, session, settings, staff, now, action="edited", change=change,
        rule_id=rule_id, show_refusal=refused,
        done_url=f"/dispatch/regular?done=edited&changed={rule_id}#rule-{rule_id}",
    )


@posts.post("/dispatch/regular/{rule_id}/skip", response_class=Response)
def skip_day(
    request: Request, rule_id: int, staff: DispatchStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep, day: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def change() -> object:
        chosen = form_date(day, None)
        if chosen is None:
            raise RegularRideError("请选择要取消的那一天。")
        return regular.skip(session, rule_id=rule_id, day=chosen, now=now)

    return _run(request, session, settings, staff, now, action="skipped", change=change,
                rule_id=rule_id)


def status_change(
    session: Session, settings: Settings, now: datetime, rule_id: int, *, action: str,
    version: int, last_day: str,
) -> list[Ride]:
    """Pause, resume or end a rule (the dispatch and the community console share it); the
    rides an end cancelled, for the page to list."""
    if action == "pause":
        regular.pause(session, rule_id=rule_id, expected_version=version)
        return []
    if action == "resume":
        regular.resume(session, rule_id=rule_id, expected_version=version, now=now,
                       rules=RegularRules.from_settings(settings))
        return []
    if action == "end":
        return regular.end(session, rule_id=rule_id, expected_version=version, now=now,
                           last_day=form_date(last_day, None))
    raise RegularRideError("不知道要做什么操作。")


def status_done(rule_id: int, action: str, last_day: str, cancelled: list[Ride]) -> str:
    """The query of the page shown after a status change: what was done (an end after a
    last day is `ends`) and the rides an end cancelled (`changed=ID&cancelled=1,2`)."""
    done = STATUS_DONE.get(action, "paused")
    if done == "ended" and last_day.strip():
        done = "ends"
    ids = ",".join(str(ride.id) for ride in cancelled)
    return f"done={done}" + (f"&changed={rule_id}&cancelled={ids}" if ids else "")


def cancelled_by_end(session: Session, rule_id: int, raw: str) -> list[Ride]:
    """The rides of `cancelled=1,2` that are this rule's and cancelled (never others)."""
    ids = [int(part) for part in raw.split(",")[:20] if part.strip().isdigit()]
    if not ids:
        return []
    return list(session.scalars(
        select(Ride).where(Ride.id.in_(ids), Ride.regular_ride_id == rule_id,
                           Ride.status == RideStatus.CANCELLED)
        .order_by(Ride.pickup_at, Ride.id)
    ))


@posts.post("/dispatch/regular/{rule_id}/status", response_class=Response)
def change_status(
    request: Request, rule_id: int, staff: DispatchStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep, version: Annotated[int, Form(ge=0)],
    action: Annotated[str, Form(max_length=10)] = "",
    last_day: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def change() -> list[Ride]:
        return status_change(session, settings, now, rule_id, action=action, version=version,
                             last_day=last_day)

    return _run(
        request, session, settings, staff, now, action=STATUS_DONE.get(action, "paused"),
        change=change, rule_id=rule_id,
        done_url=lambda cancelled: "/dispatch/regular?"
        + status_done(rule_id, action, last_day, cancelled),
    )
