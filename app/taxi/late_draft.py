"""A car about to be booked that would miss a visit of its rider that day (dialogs/taxi.yaml,
`queue`): checked at the read-back, BEFORE anything is booked (trial ten: the check came
after "车约好了", then an unexplained last-four question).

Before the last four ID digits the caller hears only that the car's time needs checking
and that the digits come first (trial eleven: "您那天有看病的号" before them revealed a
visit) (docs/callflow.md, "Booking details and the last
four digits"); after them, the earlier car (its time, pickup and hospital). 1 books that
car instead (the draft is dropped: never two cars for one visit); 2 books the car as read
back. "车约好了" is said only once a car is booked.
"""

from __future__ import annotations

from datetime import datetime

from app import texts
from app.callflow.actions import ActionRegistry
from app.calls.service import StepContext
from app.hospital.models import Appointment
from app.people.enums import PlaceKind
from app.people.models import Person
from app.taxi import ahead, hospital_trips, rides
from app.taxi.ahead import AheadRules
from app.taxi.enums import RideStatus
from app.taxi.hospital_trips import TripRefused
from app.taxi.models import Ride
from app.taxi.whose import rider_for_caller, rider_short

DROPPED_REASON = "来电者换成了赶得上看病的车"


def register_late_draft_actions(registry: ActionRegistry) -> None:
    @registry.register("book_earlier_instead", outcomes=("booked", "refused"), commits=True)
    def book_earlier_instead(ctx: StepContext) -> str:
        """1 at the offer: the earlier car, linked to the visit, is booked; the draft read
        back is dropped. "refused": that car cannot be booked after all (the read-back's
        car is then booked as said)."""
        ride = _draft(ctx)
        try:
            with ctx.session.begin_nested():
                if ride is not None and ride.status == RideStatus.DRAFT:
                    rides.cancel(ctx.session, ride_id=ride.id, expected_version=ride.version,
                                 reason=DROPPED_REASON)
                trip = hospital_trips.book(
                    ctx.session, appointment_id=ctx.vars["trip_appointment_id"], now=ctx.now,
                    settings=ctx.settings, caller_number=ctx.call.from_number,
                    call_id=ctx.call.id,
                )
        except TripRefused:
            return "refused"
        rules = AheadRules.from_settings(ctx.settings)
        remind_at = ahead.reminder_time(trip.pickup_at, rules)
        reminded = remind_at is not None and remind_at > ctx.now and not trip.joined
        ctx.vars["remind_how"] = ahead.reminder_how(ctx.call.from_number, reminded)
        ctx.vars["trip_when"] = ahead.spoken_pickup(trip.pickup_at, ctx.now)
        from app.taxi.call_actions import how_we_tell  # it imports this module

        ctx.vars["notify_how"] = how_we_tell(ctx.call.from_number)
        return "booked"


def late_check(ctx: StepContext, ride: Ride) -> bool:
    """The read-back was confirmed: True when this booking would miss a visit of its rider
    that day (`hospital_trips.appointment_missed_by`), asked about once a call; the offer's
    words are set."""
    if ride.pickup_at is None or ctx.vars.get("late_asked") == ride.id:
        return False
    missed = _missed(ctx, ride)
    if missed is None:
        return False
    appointment, pickup_at = missed
    ctx.vars["late_asked"] = ride.id
    _offer_vars(ctx, ride, appointment.id, pickup_at)
    rider = ctx.session.get(Person, ride.person_id) if ride.person_id else None
    needs_check = bool(rider is not None and rider.id_number) and (
        ctx.vars.get("identity_checked") != ride.person_id
    )
    # Why the digits are asked, said before them: nothing of the visit yet (trial eleven).
    ctx.vars["late_check_why"] = texts.spoken("late_draft_check") if needs_check else ""
    ctx.vars["late_draft_said"] = (
        texts.spoken("late_draft_unchecked") if needs_check
        else texts.spoken("late_draft_checked", whose=rider_short(ctx, ride))
    )
    ctx.vars.update(booked_ids=[ride.id], booked_index=0, booked_then="late")
    return True


def _draft(ctx: StepContext) -> Ride | None:
    ride_id = ctx.vars.get("ride_id")
    return ctx.session.get(Ride, ride_id) if ride_id else None


def _missed(ctx: StepContext, ride: Ride) -> tuple[Appointment, datetime] | None:
    """`appointment_missed_by` for the draft, checked as if it were booked."""
    return hospital_trips.appointment_missed_by(
        ctx.session, ride=ride, now=ctx.now, settings=ctx.settings
    )


def _offer_vars(ctx: StepContext, ride: Ride, appointment_id: int, pickup_at: datetime) -> None:
    """What the offer says after the last four digits: the earlier car's time, where it
    picks up (a relative's home is theirs: 到您母亲家接她) and the hospital."""
    appointment = ctx.session.get(Appointment, appointment_id)
    assert appointment is not None and ride.pickup_at is not None
    place = hospital_trips.pickup_place(ctx.session, appointment.patient_id)
    name, _ = hospital_trips.destination(ctx.session, appointment)
    whom = rider_short(ctx, ride)  # 您, or 您母亲
    rider = rider_for_caller(ctx, ride)
    at_home = place is not None and place.kind == PlaceKind.HOME
    ctx.vars.update(
        trip_appointment_id=appointment_id,
        trip_when=ahead.spoken_pickup(pickup_at, ctx.now),
        trip_offered=ahead.as_offered(pickup_at),  # "换，八点的" is no yes to it
        trip_place=(f"{whom}家" if whom != "您" else "家") if at_home else (
            place.label if place is not None else texts.spoken("place_said")
        ),
        trip_whom=rider[1] if rider is not None and whom != "您" else "",
        trip_hospital=name,
        trip_late_when=ahead.spoken_pickup(ride.pickup_at, ctx.now),
        late_whose=whom,
    )
