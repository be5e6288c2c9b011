"""Regular rides (定期用车) in the community console: community staff set them up for the
people of their own community, see their next days, skip one and change a rule, through
the same service and form as the dispatch console (app/taxi/regular.py,
app/taxi/console/regular_routes.py), and pause, resume or end it.

    GET  /people/{pid}/regular                    the person's rules and the form
    POST /people/{pid}/regular                    a new rule
    POST /people/{pid}/regular/{id}/skip          one day without a car
    GET  /people/{pid}/regular/{id}/edit          the rule's form, the days made already
    POST /people/{pid}/regular/{id}/edit          change it (version seen)
    POST /people/{pid}/regular/{id}/status        pause, resume or end (version seen; end:
                                                  now, or after last_day; the days made
                                                  after it are cancelled and listed)

Community staff and admins (`CommunityConsoleStaff`); `load_person` keeps staff to their
own community (403), and a rule must be the person's (404). Every POST carries the CSRF
token; each action is logged as "community regular ride action", as dispatch's are. A
refused skip, pause, resume or end answers 303 back to the page with its message (a
flash, shown once); a refused form (new rule, change) is shown again with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Form, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.consoles.auth import CommunityConsoleStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.flash import forget_flash, redirect_with_flash, take_flash
from app.consoles.http import commit_or_refuse, console_router
from app.consoles.templating import render
from app.core.config import Settings
from app.core.deps import SessionDep, SettingsDep
from app.core.local_time import local_today
from app.people.console.view import load_person
from app.people.models import Person
from app.staff.models import StaffUser
from app.taxi import regular
from app.taxi.console.regular_routes import (
    NOTICES as DISPATCH_NOTICES,
)
from app.taxi.console.regular_routes import (
    STATUS_DONE,
    RuleFormDep,
    active_companies,
    cancelled_by_end,
    edit_context,
    form_date,
    holiday_gap,
    person_places,
    status_change,
    status_done,
)
from app.taxi.models import RegularRide
from app.taxi.regular import WEEKDAY_NAMES, RegularRideError, RegularRules

pages = console_router()
posts = console_router(dependencies=[CsrfProtected])

NOTICES = {
    "created": "已设好定期用车。每次的车在接车前一天自动生成预约单，调度台会派车。",
    "edited": "已改好定期用车。还没生成的日子按新的安排用车。",
    "skipped": "已取消这一次的车，以后的照常。",
    "paused": DISPATCH_NOTICES["paused"],
    "resumed": DISPATCH_NOTICES["resumed"],
    "ended": DISPATCH_NOTICES["ended"],
    "ends": DISPATCH_NOTICES["ends"],
}


def _context(
    session: Session, settings: Settings, now: datetime, person: Person
) -> dict[str, Any]:
    today = local_today(now)
    return {
        "person": person,
        "entries": regular.rule_list(session, now=now, person_id=person.id),
        "places": person_places(session, person),
        "companies": active_companies(session),
        "weekday_names": WEEKDAY_NAMES,
        "today": today,
        "tomorrow": today + timedelta(days=1),
        "ahead_hours": settings.regular_ride_ahead_hours,
        "holiday_gap": holiday_gap(now),
    }


def _own_rule(session: Session, person: Person, rule_id: int) -> RegularRide:
    rule = session.get(RegularRide, rule_id)
    if rule is None or rule.person_id != person.id:
        raise HTTPException(status_code=404, detail="找不到这个定期用车。")
    return rule


@pages.get("/people/{person_id}/regular", response_class=Response)
def regular_page(
    request: Request, person_id: int, staff: CommunityConsoleStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep, done: str = "", changed: int | None = None,
    cancelled: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    person = load_person(session, staff, person_id)
    context = _context(session, settings, now, person)
    context["notice"] = NOTICES.get(done)
    refusal = take_flash(request)  # an action on a rule refused (`_back_with`)
    if refusal is not None:
        context["error"] = str(refusal.get("error") or "")
    if done == "edited" and changed is not None:
        context["kept"] = regular.made_ahead(session, _own_rule(session, person, changed).id,
                                             now=now)
    if changed is not None and cancelled:  # the days an end cancelled
        context["ended_days"] = cancelled_by_end(
            session, _own_rule(session, person, changed).id, cancelled)
    response = render(request, "people/regular.html", context)
    forget_flash(request, response)
    return response


def _back_with(request: Request, person: Person, rule_id: int) -> Callable[[Exception], Response]:
    """A refused action on a rule (skip, pause, resume, end) goes back to the page with
    its message shown once (Post/Redirect/Get, as the dispatch page): a reload sends
    nothing again."""

    def refused(exc: Exception) -> Response:
        assert isinstance(exc, RegularRideError)
        return redirect_with_flash(request, f"/people/{person.id}/regular#rule-{rule_id}",
                                   {"error": exc.message})

    return refused


def _run(
    request: Request, session: Session, settings: Settings, staff: StaffUser, now: datetime,
    person: Person, *, action: str, change: Callable[[], object], rule_id: int | None = None,
    done_url: str | Callable[[Any], str] | None = None,
    show_refusal: Callable[[Exception], Response] | None = None,
    typed: dict[str, Any] | None = None,
) -> Response:
    def refused_page(exc: Exception) -> Response:
        assert isinstance(exc, RegularRideError)
        context = _context(session, settings, now, person)
        context.update(error=exc.message, typed=typed)
        return render(request, "people/regular.html", context, status_code=400)

    return commit_or_refuse(
        session, change, refused=RegularRideError, show_refusal=show_refusal or refused_page,
        log_event="community regular ride action",
        fields={"action": action, "rule_id": rule_id, "person_id": person.id,
                "staff_user_id": staff.id},
        done_url=done_url or f"/people/{person.id}/regular?done={action}",
    )


@posts.post("/people/{person_id}/regular", response_class=Response)
def create_rule(
    request: Request, person_id: int, staff: CommunityConsoleStaff, session: SessionDep,
    settings: SettingsDep, now: NowDep, form: RuleFormDep,
    first_day: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    person = load_person(session, staff, person_id)

    def change() -> object:
        return regular.create(
            session, person_id=person.id, fields=form.fields(),
            first_day=form_date(first_day, local_today(now) + timedelta(days=1))
            or local_today(now),
            staff_id=staff.id, now=now, rules=RegularRules.from_settings(settings),
        )

    return _run(request, session, settings, staff, now, person, action="created",
                change=change, typed=form.typed(first_day=first_day))


@posts.post("/people/{person_id}/regular/{rule_id}/skip", response_class=Response)
def skip_day(
    request: Request, person_id: int, rule_id: int, staff: CommunityConsoleStaff,
    session: SessionDep, settings: SettingsDep, now: NowDep,
    day: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    person = load_person(session, staff, person_id)
    rule = _own_rule(session, person, rule_id)

    def change() -> object:
        chosen = form_date(day, None)
        if chosen is None:
            raise RegularRideError("请选择要取消的那一天。")
        return regular.skip(session, rule_id=rule.id, day=chosen, now=now)

    return _run(request, session, settings, staff, now, person, action="skipped",
                change=change, rule_id=rule.id, show_refusal=_back_with(request, person, rule.id))


@pages.get("/people/{person_id}/regular/{rule_id}/edit", response_class=Response)
def edit_page(
    request: Request, person_id: int, rule_id: int, staff: CommunityConsoleStaff,
    session: SessionDep, settings: SettingsDep, now: NowDep,
) -> Response:
    person = load_person(session, staff, person_id)
    rule = _own_rule(session, person, rule_id)
    context = edit_context(session, settings, now, rule.id)
    context.update(action=f"/people/{person.id}/regular/{rule.id}/edit",
                   back=f"/people/{person.id}/regular")
    return render(request, "dispatch/regular_edit.html", context)


@posts.post("/people/{person_id}/regular/{rule_id}/edit", response_class=Response)
def edit_rule(
    request: Request, person_id: int, rule_id: int, staff: CommunityConsoleStaff,
    session: SessionDep, settings: SettingsDep, now: NowDep, form: RuleFormDep,
    version: Annotated[int, Form(ge=0)],
) -> Response:
    person = load_person(session, staff, person_id)
    rule = _own_rule(session, person, rule_id)

    def change() -> object:
        return regular.edit(
            session, rule_id=rule.id, expected_version=version, fields=form.fields(), now=now,
            rules=RegularRules.from_settings(settings),
        )

    def refused(exc: Exception) -> Response:
        assert isinstance(exc, RegularRideError)
        context = edit_context(session, settings, now, rule.id)
        context.update(error=exc.message, action=f"/people/{person.id}/regular/{rule.id}/edit",
                       back=f"/people/{person.id}/regular", typed=form.typed())
        return render(request, "dispatch/regular_edit.html", context, status_code=400)

    return _run(
        request, session, settings, staff, now, person, action="edited", change=change,
        rule_id=rule.id, show_refusal=refused,
        done_url=f"/people/{person.id}/regular?done=edited&changed={rule.id}",
    )


@posts.post("/people/{person_id}/regular/{rule_id}/status", response_class=Response)
def change_status(
    request: Request, person_id: int, rule_id: int, staff: CommunityConsoleStaff,
    session: SessionDep, settings: SettingsDep, now: NowDep,
    version: Annotated[int, Form(ge=0)],
    action: Annotated[str, Form(max_length=10)] = "",
    last_day: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    person = load_person(session, staff, person_id)
    rule = _own_rule(session, person, rule_id)

    def change() -> object:
        return status_change(session, settings, now, rule.id, action=action, version=version,
                             last_day=last_day)

    return _run(
        request, session, settings, staff, now, person,
        action=STATUS_DONE.get(action, "paused"), change=change, rule_id=rule.id,
        show_refusal=_back_with(request, person, rule.id),
        done_url=lambda cancelled: f"/people/{person.id}/regular?"
        + status_done(rule.id, action, last_day, cancelled),
    )
