"""The hotline assembled: every capability's call actions, the main flow's caller
identification, the flows and text catalogue, and the call service.

Each action runs inside the step's transaction (see `app.calls.service`), so what it writes
is saved together with the call's new state, or not at all. The taxi and hospital actions
live with their capability (`app.taxi.call_actions`, `app.hospital.call_actions`); this
module only gathers them, so the call machinery in `app.calls` depends on no capability.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import texts
from app.callflow.actions import ActionRegistry
from app.callflow.engine import Engine, Understand
from app.callflow.loader import FlowError, FlowSet, load_flows
from app.calls.enums import CallStatus
from app.calls.models import Call
from app.calls.service import CallService, StepContext
from app.core.config import Settings
from app.core.db import Database
from app.db.base import utcnow
from app.hospital.call_actions import register_hospital_actions
from app.hospital.trip_actions import register_trip_actions
from app.people.age import age_on
from app.people.models import Person, PersonPhone
from app.people.names import polite_name
from app.people.places import spoken_address
from app.taxi import ahead, hospital_trips, rides
from app.taxi.ahead_actions import register_ahead_actions
from app.taxi.call_actions import active_ride, home_place, place_vars, register_taxi_actions
from app.taxi.models import Ride
from app.taxi.rules import ACTIVE_STATUSES
from app.taxi.whose import rider_short
from app.texts import CatalogueError, load_catalogue
from app.understanding import understand
from app.understanding.menu import car_to_hospital as car_to_hospital_said


def build_actions() -> ActionRegistry:
    registry = ActionRegistry()
    _register_caller_actions(registry)
    register_taxi_actions(registry)
    register_ahead_actions(registry)
    register_hospital_actions(registry)
    register_trip_actions(registry)
    return registry


# --- who is calling ---------------------------------------------------------------------


def _register_caller_actions(registry: ActionRegistry) -> None:
    @registry.register(
        "identify_caller", outcomes=("active_ride", "known_home", "known", "unknown")
    )
    def identify_caller(ctx: StepContext) -> str:
        """Look the caller's number up: greet by name, load saved places, find an active ride."""
        person = _caller(ctx)
        ctx.vars.update(person_id=None, call_name="", places=[], age=None)
        if person is not None:
            ctx.call.person_id = person.id
            today = ctx.today
            ctx.vars.update(
                person_id=person.id,
                call_name=polite_name(
                    full_name=person.full_name,
                    gender=person.gender,
                    birth_date=person.birth_date,
                    today=today,
                    call_name=person.call_name,
                ),
                age=age_on(person.birth_date, today),
                places=place_vars(person),
            )
        active = active_ride(ctx)
        if active is not None:
            ctx.vars["active_ride_id"] = active.id
            return "active_ride"
        ctx.vars["booked_hint"] = booked_hint(ctx)
        home = home_place(ctx.vars) if person is not None else None
        if home is not None:
            ctx.vars["home_address"] = spoken_address(home["address"])
        if person is None:
            return "unknown"
        return "known" if home is None else "known_home"


    @registry.register("from_menu", outcomes=("ahead", "taxi", "ask"))
    def from_menu(ctx: StepContext) -> str:
        """What a top menu heard beyond its answers (`menu` understanding): a car to the
        hospital now ("叫个车去医院": the taxi flow takes the hospital, `menu_to`), going
        to the hospital with no car said ("明天要去医院": asked, 挂号 or a car), or the
        booking flow's words (a car for later, a booked car given up)."""
        heard = ctx.vars.get("menu_answer")
        if not isinstance(heard, dict):
            return "ahead"
        if heard.get("want") == "taxi_to":
            ctx.vars["menu_to"] = heard["to"]
            return "taxi"
        if heard.get("want") != "hospital_or_car":
            return "ahead"
        # The day said with it (明天要去医院) is kept for the booking, should the caller
        # choose 挂号 (hospital.find_first_offer offers that day first).
        day = understand("when", str(heard.get("said", "")), ctx.today)
        ctx.vars["menu_day"] = day if isinstance(day, dict) and day.get("date") else None
        return "ask"

    @registry.register("car_to_hospital", outcomes=("ahead", "taxi"))
    def car_to_hospital(ctx: StepContext) -> str:
        """"明天要去医院", then 2 (a car): a car booked for the day said (its hour asked),
        or a car now to the hospital."""
        heard = ctx.vars.get("menu_answer")
        said = str(heard.get("said", "")) if isinstance(heard, dict) else ""
        ctx.vars.pop("menu_day", None)  # a car, not a booking, for that day
        answer = car_to_hospital_said(said, ctx.today)
        ctx.vars["menu_answer"] = answer
        if answer["want"] == "taxi_to":
            ctx.vars["menu_to"] = answer["to"]
            return "taxi"
        return "ahead"

    @registry.register("menu_again", outcomes=("active", "home", "other"))
    def menu_again(ctx: StepContext) -> str:
        """Back to the caller's own menu: a caller greeted with their ride under way hears
        it and its status menu again (while it is under way), a caller with a home on file
        the home menu, others the generic menu."""
        ride_id = ctx.vars.get("active_ride_id")
        ride = ctx.session.get(Ride, ride_id, populate_existing=True) if ride_id else None
        if ride is not None and ride.status in ACTIVE_STATUSES:
            return "active"
        return "home" if ctx.vars.get("home_address") else "other"


def booked_hint(ctx: StepContext) -> str:
    """"您有一辆预约的车。" for a caller with rides booked ahead: calling again, they hear it
    first, neutrally (no time, no hospital, no relative's name: caller ID is no proof,
    docs/callflow.md); key 3 (约车) reads each ride after its rider's last four ID digits.
    A car that would miss a visit booked before it is kept in `late_ride_ids` and flagged
    by one neutral sentence, no question (trial eleven: a question before the menu took
    the habit "1 1" of the one-key taxi); it is offered on key 3's booked-car path, after
    the rider's last four digits (ahead.listed_late)."""
    booked = ahead.booked_rides_of(
        ctx.session, person_id=ctx.vars.get("person_id"), number=ctx.call.from_number
    )
    ctx.vars["late_ride_ids"] = [
        ride.id
        for ride in booked
        if hospital_trips.appointment_missed_by(
            ctx.session, ride=ride, now=ctx.now, settings=ctx.settings
        )
    ]
    if not booked:
        return ""
    hint = texts.spoken(
        "ride_booked_hint", whose=_whose_cars(ctx, booked), count=CAR_COUNTS.get(len(booked), "几")
    )
    return hint + texts.spoken("ride_booked_check") if ctx.vars["late_ride_ids"] else hint


def _whose_cars(ctx: StepContext, booked: list[Ride]) -> str:
    """"您", or "您母亲" when every car is a relative's (no name before the check), or
    "您和家人" for both."""
    owners = {rider_short(ctx, ride) for ride in booked}
    if owners == {"您"}:
        return "您"
    if len(owners) == 1 and (owner := owners.pop()).startswith("您"):
        return owner
    return "您和家人" if "您" in owners else "您家人"


CAR_COUNTS = {1: "一", 2: "两", 3: "三"}


def _caller(ctx: StepContext) -> Person | None:
    if ctx.call.from_number is None:
        return None
    return ctx.session.scalar(
        select(Person).join(PersonPhone).where(PersonPhone.number == ctx.call.from_number)
    )


# --- assembly ------------------------------------------------------------------------------


def load_hotline_flows(settings: Settings) -> FlowSet:
    """Load and validate `dialogs/`; raises FlowError with every problem found."""
    return load_dialogs(settings.dialogs_dir)


def load_dialogs(directory: Path) -> FlowSet:
    """The flows with the hotline's actions, and the text catalogue beside them; raises
    FlowError with every problem found in either."""
    problems: list[str] = []
    try:
        flows = load_flows(directory, build_actions())
    except FlowError as exc:
        problems.extend(exc.problems)
    try:  # the texts sent and said outside the flows live next to them
        load_catalogue(directory)
    except CatalogueError as exc:
        problems.append(str(exc))
    if problems:
        raise FlowError(problems)
    return flows


def default_understand() -> Understand:
    from app.understanding import understand

    return understand


def build_call_service(
    settings: Settings,
    db: Database,
    *,
    flows: FlowSet | None = None,
    understand: Understand | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> CallService:
    actions = build_actions()
    flows = flows or load_flows(settings.dialogs_dir, actions)
    engine = Engine(flows, actions, understand or default_understand())
    return CallService(
        db=db, engine=engine, settings=settings, clock=clock, on_end=settle_call_end
    )


def settle_call_end(session: Session, call: Call) -> None:
    """The call is over for the hotline: every draft ride it left waits for an operator,
    as handed to a person (the call was transferred) or as "caller hung up"."""
    rides.settle_call_drafts(
        session, call_id=call.id, handed_to_person=call.status == CallStatus.TRANSFERRED
    )
