"""The actions flows may name, implemented against the database.

Each runs inside the step's transaction (see `app.services.calls`), so what it writes is
saved together with the call's new state, or not at all.
"""

from __future__ import annotations

from sqlalchemy import select

from app.adapters.orm import Person, PersonPhone, Ride
from app.callflow.actions import ActionRegistry
from app.domain.enums import PlaceKind, RideStatus
from app.domain.people import polite_name
from app.domain.rides import age_on, ride_priority
from app.services.calls import StepContext

USUAL_WAIT_MINUTES = 10


def build_actions() -> ActionRegistry:
    registry = ActionRegistry()

    @registry.register("identify_caller", outcomes=("known", "unknown"))
    def identify_caller(ctx: StepContext) -> str:
        """Look the caller's number up; a registered person is greeted by name."""
        person = _caller(ctx)
        if person is None:
            ctx.vars.update(person_id=None, call_name="")
            return "unknown"
        ctx.call.person_id = person.id
        today = ctx.now.date()
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
            places=[
                {
                    "id": p.id,
                    "position": p.position,
                    "label": p.label,
                    "address": p.address,
                    "kind": p.kind.value,
                }
                for p in person.places
            ],
        )
        return "known"

    @registry.register("start_ride_request", outcomes=("home_known", "no_home"))
    def start_ride_request(ctx: StepContext) -> str:
        """Open a draft ride so a caller who hangs up half-way is still seen by operators."""
        home = next((p for p in ctx.vars.get("places", []) if p["kind"] == PlaceKind.HOME), None)
        ride = Ride(
            person_id=ctx.vars.get("person_id"),
            call_id=ctx.call.id,
            caller_number=ctx.call.from_number,
            status=RideStatus.DRAFT,
        )
        if home is not None:
            ride.pickup_place_id = home["id"]
            ride.pickup_address = home["address"]
            ctx.vars.update(pickup_label=home["label"], pickup_address=home["address"])
        ctx.session.add(ride)
        ctx.session.flush()
        ctx.vars["ride_id"] = ride.id
        return "home_known" if home is not None else "no_home"

    @registry.register("queue_ride", outcomes=("queued",), commits=True)
    def queue_ride(ctx: StepContext) -> str:
        """Put the confirmed ride in the dispatch queue."""
        ride = ctx.session.get(Ride, ctx.vars["ride_id"])
        assert ride is not None
        ride.status = RideStatus.QUEUED
        ride.queued_at = ctx.now
        ride.priority = ride_priority(age=ctx.vars.get("age"), to_hospital=ride.to_hospital)
        ctx.vars["wait_minutes"] = USUAL_WAIT_MINUTES
        return "queued"

    @registry.register("abandon_ride_request")
    def abandon_ride_request(ctx: StepContext) -> None:
        """The caller hung up before confirming: keep the request, marked for operators."""
        ride_id = ctx.vars.get("ride_id")
        ride = ctx.session.get(Ride, ride_id) if ride_id else None
        if ride is not None and ride.status == RideStatus.DRAFT:
            ride.status = RideStatus.CALLER_HUNG_UP

    return registry


def _caller(ctx: StepContext) -> Person | None:
    if ctx.call.from_number is None:
        return None
    return ctx.session.scalar(
        select(Person).join(PersonPhone).where(PersonPhone.number == ctx.call.from_number)
    )
