"""Actions of the one-key taxi flow (dialogs/taxi.yaml): the draft ride, pickup, queue.

A draft ride is opened when the flow starts, so a caller who hangs up half-way is still
seen by operators; it is queued only after the caller confirms. Changes to a ride after
the call go through `app.taxi.rides`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import object_session

from app import texts
from app.callflow.actions import ActionRegistry
from app.calls.service import StepContext
from app.core.local_time import local_now, local_today
from app.hospital import keypad_menus as menus
from app.hospital.call_actions import SPOUSE_RELATIONS
from app.hospital.models import Hospital
from app.hospital.patients import patient_to_caller
from app.people.age import age_on
from app.people.enums import PlaceKind
from app.people.models import Person
from app.people.phones import is_fixed_line
from app.people.places import spoken_address
from app.taxi import ahead, hospital_trips, rides
from app.taxi import ahead_readback as readback
from app.taxi.ahead_actions import (
    book_from_call,
    booked_for_caller,
    has_hospital_booking,
    start_booking,
)
from app.taxi.enums import RideStatus
from app.taxi.late_draft import late_check, register_late_draft_actions
from app.taxi.models import Driver, Ride, TaxiCompany
from app.taxi.passengers import SELF, Passenger, passengers_for_caller
from app.taxi.place_words import PLACE_SAID_AT_MENU, SAID_AT_READBACK, spot_said
from app.taxi.rules import ACTIVE_STATUSES, ride_priority, spoken_plate
from app.taxi.whose import booked_by_family, rider_for_caller, rider_short
from app.understanding import understand

# Promised at the queue only while a driver is on duty; with none, no time is promised
# (docs/taxi.md, "What a caller is promised").
USUAL_WAIT_MINUTES = 10
CALLERS_HOME = "您家"  # a rider's saved place that is the relative calling's own home
PLACES_BY_KEY = 7  # key 9 means "none of these"; 8 is 取消叫车 on the status menu
# Places said at the place question: two, and 9 "none of these", is three choices (the
# rule of docs/callflow.md). Every place up to PLACES_BY_KEY still answers to its key and name.
PLACES_SAID = 2


def register_taxi_actions(registry: ActionRegistry) -> None:
    _register_passenger_actions(registry)
    _register_ride_request_actions(registry)
    _register_active_ride_actions(registry)
    register_late_draft_actions(registry)


# --- for whom: the caller, or an older person who lets them order taxis ---------------------


def _register_passenger_actions(registry: ActionRegistry) -> None:
    @registry.register(
        "choose_passenger", outcomes=("self", "other", "several", "named", "whose")
    )
    def choose_passenger(ctx: StepContext) -> str:
        """Whom the caller may order for: themself and the people whose family contact they
        are with `may_order_taxi` (like `choose_patient` of the hospital flow). A spouse
        said at the menu ("给我老伴叫个车": noted `for_spouse`) is that person when the
        caller may order for them ("named"), else named as said in every read-back ("车到
        家接您老伴"), never "接您". Another relative (`for_relative`) is asked about
        ("whose") when the caller may order for nobody; else the usual question names the
        people they may order for."""
        ctx.vars.update(rider="您", waiter="", passenger_contact_id=None, rider_at_home=False)
        spouse = bool(ctx.vars.pop("for_spouse", False))
        relative = bool(ctx.vars.pop("for_relative", False))
        found = _passengers(ctx)
        others = [p for p in found if p.relation != SELF]
        if spouse:
            named = _spouse_named(ctx, others)  # (None with several on file: the question)
            if named is not None:
                return named
        elif relative and not others and not str(
            ctx.vars.get("destination_said") or ""
        ).endswith("家"):
            # Another relative the caller may not order for (their places unknown): asked
            # whose car it is ("去女儿家" said with a booking is a place, not a rider). With
            # people the caller may order for, the usual question names them.
            return "whose"
        if not others:
            return "self"  # the caller alone, registered or not: as before
        ctx.vars["passengers"] = [_passenger_choice(p) for p in found]
        ctx.vars["passengers_page"] = 0
        if len(found) == 1:
            ctx.vars["passenger_title"] = ctx.vars["passengers"][0]["title"]
            return "other"
        _passengers_menu(ctx)
        return "several"

    @registry.register("passenger_said", outcomes=("self", "named", "whose"))
    def passenger_said(ctx: StepContext) -> str:
        """(Twentieth round) Not the one the question named ("不是，给我老伴叫" at "是给您
        母亲张秀英叫车吗？"): the spouse said is the passenger, as at the menu (one on file,
        or named in every read-back from the caller's places); another relative said is
        asked about ("whose": for that person a member of staff takes the order); nobody
        said is the caller themself, the question's key 2."""
        spouse = bool(ctx.vars.pop("rider_spouse", False))
        relative = bool(ctx.vars.pop("rider_relative", False))
        if spouse:
            named = _spouse_named(ctx, [p for p in _passengers(ctx) if p.relation != SELF])
            return "whose" if named is None else named
        return "whose" if relative else "self"

    @registry.register("more_passengers", outcomes=("shown",))
    def more_passengers(ctx: StepContext) -> str:
        ctx.vars["passengers_page"] = ctx.vars.get("passengers_page", 0) + 1
        _passengers_menu(ctx)
        return "shown"

    @registry.register("pick_passenger", outcomes=("found", "not_found"))
    def pick_passenger(ctx: StepContext) -> str:
        choice = menus.chosen(
            ctx.vars.get("passengers", []),
            ctx.vars.get("passengers_page", 0),
            ctx.vars.get("passenger_choice"),
        )
        if choice is None:
            return "not_found"
        _set_passenger(ctx, choice)
        return "found"

    @registry.register("take_only_passenger", outcomes=("taken",))
    def take_only_passenger(ctx: StepContext) -> str:
        """The caller said yes to the one person they may order for."""
        _set_passenger(ctx, ctx.vars["passengers"][0])
        return "taken"


def _passengers(ctx: StepContext) -> list[Passenger]:
    """Whom the caller may order for (themself first when registered); none if withheld."""
    number = ctx.call.from_number
    return passengers_for_caller(ctx.session, number=number) if number else []


def _spouse_named(ctx: StepContext, others: list[Passenger]) -> str | None:
    """The spouse said: the one on file ("named"), or with none on file named as said in
    every read-back from the caller's places ("self": "车到家接您老伴"); None when several."""
    meant = [p for p in others if p.relation in SPOUSE_RELATIONS]
    if len(meant) == 1:
        _set_passenger(ctx, _passenger_choice(meant[0]))
        return "named"
    if meant:
        return None
    said = texts.spoken("relative_spouse")
    # The caller's home is theirs too: "车到家接您老伴", "请您老伴在家等车".
    ctx.vars.update(rider=said, waiter=said, rider_at_home=True)
    return "self"  # the caller's places: the spouse is named, not "您"


def _passenger_choice(passenger: Passenger) -> dict[str, Any]:
    return {
        "id": passenger.person.id,
        "relation": passenger.relation,
        "contact_id": passenger.contact_id,
        "title": _passenger_title(passenger.person, passenger.relation),
    }


def _passenger_title(person: Person, relation: str) -> str:
    """您自己 / 您母亲张秀英: the passenger named for the caller."""
    if relation == SELF:
        return "您自己"
    return f"{patient_to_caller(relation, person.gender)}{person.full_name}"


def _passengers_menu(ctx: StepContext) -> None:
    passengers = ctx.vars["passengers"]
    number = ctx.vars.get("passengers_page", 0)
    shown = menus.page(passengers, number)
    more = menus.more_label(passengers, number, "给更多的人叫车")
    ctx.vars["passengers_menu"] = menus.menu_text([f"给{p['title']}叫车" for p in shown], more=more)


def _set_passenger(ctx: StepContext, choice: dict[str, Any]) -> None:
    """The ride is for the chosen person: their places, age and name; the caller's number
    stays the contact (the ride's caller number)."""
    if choice["relation"] == SELF:
        return  # identify_caller already loaded the caller's own places
    person = ctx.session.get(Person, choice["id"])
    if person is None:
        return
    ctx.vars.update(
        person_id=person.id,
        passenger_contact_id=choice["contact_id"],
        passenger_name=person.full_name,
        rider=choice["title"],
        waiter=patient_to_caller(choice["relation"], person.gender),  # 请您母亲在家等车
        rider_pronoun={"F": "她", "M": "他"}.get(person.gender or "", ""),
        age=age_on(person.birth_date, ctx.today),
        places=[_callers_home(p, choice["relation"]) for p in place_vars(person)],
    )


def _callers_home(place: dict[str, Any], relation: str) -> dict[str, Any]:
    """The parent's place "女儿家" is, to the daughter calling, her own home: said "您家"
    ("在您家，请按1", "车到您家接您母亲张秀英"); its name still answers to 女儿家."""
    if relation and place["label"] == f"{relation}家":
        return {**place, "said": CALLERS_HOME}
    return place


def place_vars(person: Person) -> list[dict[str, Any]]:
    """A person's saved places as call variables. `said` is how the hotline names the
    place: the person's own label (女儿家), but a hospital by its full name (市一院 is
    春城第一人民医院), so the caller knows which one the car goes to."""
    session = object_session(person)
    to_name = any(p.kind == PlaceKind.HOSPITAL for p in person.places)  # most have none
    hospitals = list(session.scalars(select(Hospital))) if session and to_name else []
    return [
        {
            "id": p.id,
            "position": p.position,
            "label": p.label,
            "said": _hospital_name(hospitals, p.label, p.address)
            if p.kind == PlaceKind.HOSPITAL
            else p.label,
            "address": p.address,
            "kind": p.kind.value,
        }
        for p in person.places
    ]


def _hospital_name(hospitals: list[Hospital], label: str, address: str) -> str:
    """The full name of the hospital a saved place means (by its short name, full name,
    or the full name in the address); the label itself when none is known."""
    for hospital in hospitals:
        if label in (hospital.short_name, hospital.name) or hospital.name in address:
            return hospital.name
    return label


# --- asking for a car -------------------------------------------------------------------


def _register_ride_request_actions(registry: ActionRegistry) -> None:
    @registry.register(
        "start_ride_request",
        outcomes=(
            "active", "active_asked", "overlap", "home", "hospital", "places", "none", "place",
            "heard",
        ),
    )
    def start_ride_request(ctx: StepContext) -> str:
        """Open a draft ride so a caller who hangs up half-way is still seen by operators.
        "active" when the person already has a ride under way (a relative calling after the
        parent ordered): that ride is described instead, and no second one is opened.
        A booking ("overlap") is refused when it would double a ride of the rider's, and
        "hospital" reads back a hospital said with its time (app/taxi/ahead_readback.py)."""
        booking = bool(ctx.vars.get("pickup_at"))  # a ride for later: one now may be under way
        to = ctx.vars.pop("ride_to", None)  # "叫个车去医院" said at the menu (`ride_now`)
        under_way = None if booking else _active_ride_of_rider(ctx)
        if under_way is not None:
            ctx.vars["active_ride_id"] = under_way.id
            if to:
                # A car to the hospital asked for while this one is under way ("整个车克医院"
                # at its status menu): one car at a time, said so, never silently the
                # status again (ninth trial); the driver is told where to go.
                _one_car_vars(ctx, under_way, to_hospital=True)
                return "active_asked"
            return "active"
        if booking and readback.overlap(ctx, datetime.fromisoformat(ctx.vars["pickup_at"])):
            return "overlap"
        ride = Ride(
            person_id=ctx.vars.get("person_id"),
            call_id=ctx.call.id,
            caller_number=ctx.call.from_number,
            status=RideStatus.DRAFT,
            # Set now, so a caller who hangs up half-way is not sorted below everyone.
            priority=ride_priority(age=ctx.vars.get("age"), to_hospital=False),
            pickup_at=datetime.fromisoformat(ctx.vars["pickup_at"]) if booking else None,
        )
        ctx.session.add(ride)
        if booking:
            readback.start_booking(ctx, ride)
        else:
            readback.note_now_offered(ctx)  # "对，十点的" there is a booking for ten
        if not booking and to:
            _to_hospital(ctx, ride, to)  # the hospital said at the menu: never asked again
        at = None if booking else ctx.vars.pop(PLACE_SAID_AT_MENU, None)
        home = home_place(ctx.vars) if not at else None
        if home is not None:
            _set_pickup(ctx, ride, home)
        said_at = _pickup_said_at_menu(ctx, ride, at) if at else None
        ctx.session.flush()  # inserted with its pickup: one INSERT, no UPDATE after it
        ctx.vars["ride_id"] = ride.id
        if said_at is not None:
            return said_at  # 我要叫个车 我在市一院看完病了: picked up there (a user trial)
        if home is not None:
            return "hospital" if ride.to_hospital else "home"
        return "places" if _offer_places(ctx, exclude=None) else "none"

    @registry.register("count_other_places", outcomes=("some", "none"))
    def count_other_places(ctx: StepContext) -> str:
        """Offer the caller's other saved places, by key."""
        home = home_place(ctx.vars)
        return "some" if _offer_places(ctx, exclude=home["id"] if home else None) else "none"

    @registry.register(
        "pick_saved_place", outcomes=("found", "not_found", "wrong_key", "same", "which")
    )
    def pick_saved_place(ctx: StepContext) -> str:
        """The caller pressed a place's key or said its name (女儿家, 市一院). "wrong_key":
        a key the menu did not offer, asked again with the menu's keys (never 都不是). A yes
        (对) is the one place offered, or "which" of several."""
        answer = str(ctx.vars.get("place_answer", "")).strip()
        offered = ctx.vars.get("place_keys") or {}
        if answer.isdigit() and answer not in offered:
            ctx.vars["place_keys_said"] = _keys_said([*offered, "9"])
            return "wrong_key"
        choice = understand("choice", answer, ctx.today)  # 2, 两号, 第二个
        if not choice and _only_a_yes(answer, ctx.today):
            # 对 at a menu of places: the one offered (a user trial had it taken for "none
            # of these"); of several, the keys said again
            if len(offered) != 1:
                ctx.vars["place_keys_said"] = _keys_said([*offered, "9"])
                return "which"
            choice = next(iter(offered))
        places = ctx.vars.get("places", [])
        said = str(choice) if choice else _caller_home_named(places, answer) or answer
        place = _match_place(places, said, ctx.vars.get("place_keys"))
        if place is not None and not choice and _others_home_matched(place, answer):
            place = None  # "儿子家" not saved is not the caller's own 家
        if place is None:
            return "not_found"
        ride = _draft(ctx)
        _set_pickup(ctx, ride, place)
        # The booking's pickup is now where it was going: where to, asked (trial eleven).
        return "same" if readback.drop_same_destination(ctx, ride) else "found"

    @registry.register("note_spoken_pickup", outcomes=("heard", "recorded", "no_place"))
    def note_spoken_pickup(ctx: StepContext) -> str:
        """Keep the caller's own words: the recording for the operator, and what ASR heard.
        "no_place": only a yes said after the tone (是的, 对头), no place to drive to (a user
        trial had 是的 read back as the place): a person takes the call."""
        ride = _draft(ctx)
        said = str(ctx.vars.get("pickup_said") or "").strip()
        if _only_a_yes(said, ctx.today):
            return "no_place"
        _pickup_in_words(ctx, ride, said, ctx.vars.get("pickup_said_recording"))
        return "heard" if said else "recorded"

    @registry.register("mark_trip_to_hospital")
    def mark_trip_to_hospital(ctx: StepContext) -> None:
        """Key 3 (去医院): a trip to hospital goes ahead of the others in the queue."""
        _to_hospital(ctx, _draft(ctx))

    @registry.register("hospital_refused", outcomes=("booking", "hospital", "home"))
    def hospital_refused(ctx: StepContext) -> str:
        """不对 at the read-back of a car now to a hospital: another hospital named with it
        ("不是滇池医院 今天要去市一院") is where the car goes, read back again; else the
        hospital is dropped and the home read-back asked again (a user trial: the refused
        hospital stayed the car's destination). A booking asks what to change."""
        if ctx.vars.get("pickup_at"):
            return "booking"
        ride = _draft(ctx)
        said = str(ctx.vars.pop(SAID_AT_READBACK, None) or "")
        change = understand("change", said, ctx.today) if said else None
        named = change.get("to") if isinstance(change, dict) else None
        other = (
            readback.hospital_named(ctx, str(named))
            if named and named != readback.HOSPITAL
            else None
        )
        if other is not None and other != ride.destination:
            ride.destination = other
            _to_hospital(ctx, ride, said=other)
            return "hospital"
        ride.to_hospital = False
        ride.destination = None
        ctx.vars.update(to_said="", hospital_said="", place_to_said="")
        return "home"

    @registry.register(
        "queue_ride",
        outcomes=(
            "queued", "no_driver", "booked", "second", "moved", "booked_soon", "late", "same",
            "address",
        ),
        commits=True,
        hum_is_yes=True,
    )
    def queue_ride(ctx: StepContext) -> str:
        """Put the confirmed ride in the dispatch queue, or book it for the time asked for
        in the booking flow (`pickup_at`; app/taxi/ahead.py). "booked_soon": a ride now
        while a booked car of the rider's is due within the hour (asked about first).
        "no_driver": queued while no driver is on duty, so no waiting time is promised.
        "second": the rider has a car booked for that half-day already (more than the
        hour apart, else it was refused as an overlap): nothing is booked yet, the caller
        is asked whether both are wanted (asked once a draft: "both" comes back here).
        "late": a booking that would miss a visit of the rider's that day, nothing booked
        yet: the earlier car is offered first (app/taxi/late_draft.py). A booking is never
        made from a place to itself ("same": where to, asked) nor to a home not saved by its
        bare name ("address": its address asked; trial eleven)."""
        ride = _draft(ctx)
        if ride.pickup_at is not None:
            if readback.drop_same_destination(ctx, ride):
                return "same"
            if readback.needs_address(ctx):
                return "address"
        if late_check(ctx, ride):
            return "late"
        if ride.pickup_at is None and ctx.vars.get("second_car_asked") != ride.id:
            # A car now with a booked car of theirs due within the hour: asked, never sent
            # on top of it ("booked_soon": keep that one, this one instead, or both).
            soon = ahead.overlapping_ride(
                ctx.session, person_id=ride.person_id,
                number=None if ride.person_id else ride.caller_number,
                pickup_at=ctx.now, now=ctx.now, exclude_id=ride.id,
            )
            if soon is not None and soon.status == RideStatus.SCHEDULED:
                ctx.vars.update(second_car_asked=ride.id, other_car_id=soon.id,
                                other_car_when=_half_day_said(ctx, soon))
                return "booked_soon"
        if ride.pickup_at is not None and ctx.vars.get("second_car_asked") != ride.id:
            # A car refused in this call for overlapping a booked one, then booked at
            # another time ("改到后天" at the keep-or-change question): the caller may think
            # the first was moved. Said that it stays, with its time, and asked whether to
            # cancel it, before anything is booked (decision: docs/taxi.md).
            first_id = ctx.vars.pop("overlap_ride_id", None)
            first = ctx.session.get(Ride, first_id, populate_existing=True) if first_id else None
            if (first is not None and first.status == RideStatus.SCHEDULED
                    and first.pickup_at is not None and first.id != ride.id):
                ctx.vars.update(second_car_asked=ride.id, other_car_id=first.id,
                                other_car_when=ahead.spoken_pickup(first.pickup_at, ctx.now),
                                instead_reason="来电者改了时间，原来的车不要了")
                return "moved"
            other = same_half_day_car(ctx, ride)
            if other is not None:
                ctx.vars.pop("instead_reason", None)
                ctx.vars.update(second_car_asked=ride.id, other_car_id=other.id,
                                other_car_when=_half_day_said(ctx, other))
                return "second"
        outcome = _queue(ctx, ride)
        if outcome == "booked" and ctx.vars.get("late_asked") == ride.id:
            # Kept as read back after hearing it may miss the visit: remembered on the
            # ride, not flagged again at every call (trial eleven).
            hospital_trips.keep_late_ride(ctx.session, ride=ride, now=ctx.now,
                                          settings=ctx.settings)
        return outcome

    @registry.register(
        "queue_instead", outcomes=("queued", "no_driver", "booked"), commits=True, hum_is_yes=True
    )
    def queue_instead(ctx: StepContext) -> str:
        """The caller wants this car instead of the one booked for that half-day: that one
        is cancelled (not texted: the caller heard it) and this one booked, together."""
        other = ctx.session.get(Ride, ctx.vars.get("other_car_id"), populate_existing=True)
        if other is not None and other.status == RideStatus.SCHEDULED:
            rides.cancel(
                ctx.session, ride_id=other.id, expected_version=other.version,
                reason=str(ctx.vars.pop("instead_reason", "")
                           or "来电者换成了同一个半天的另一辆车"),
                notify=False,
            )
        return _queue(ctx, _draft(ctx))

    @registry.register("drop_ride_request")
    def drop_ride_request(ctx: StepContext) -> None:
        """The caller does not want a car after all: the draft is cancelled, nothing queued.
        Said before a draft was opened (at "给谁叫车？") there is nothing to cancel."""
        ride_id = ctx.vars.get("ride_id")
        ride = ctx.session.get(Ride, ride_id) if ride_id else None
        if ride is not None and ride.status == RideStatus.DRAFT:
            rides.cancel(
                ctx.session,
                ride_id=ride.id,
                expected_version=ride.version,
                reason="来电者在电话里说不要车了",
            )

    @registry.register("abandon_ride_request")
    def abandon_ride_request(ctx: StepContext) -> None:
        """The caller hung up before confirming: a ride now is kept, marked for operators;
        an unconfirmed booking is cancelled, never queued (`rides.abandon_draft`)."""
        ride_id = ctx.vars.get("ride_id")
        ride = ctx.session.get(Ride, ride_id) if ride_id else None
        if ride is not None:
            rides.abandon_draft(ctx.session, ride, handed_to_person=False)


# --- a ride already on its way ------------------------------------------------------------


def _register_active_ride_actions(registry: ActionRegistry) -> None:
    @registry.register("describe_active_ride", outcomes=("over", "no_car", "told"))
    def describe_active_ride(ctx: StepContext) -> str:
        """Say where the caller's car is: still being dispatched, or plate and minutes away;
        "no_car" when dispatch found none (the caller may keep waiting or cancel)."""
        ride = ctx.session.get(Ride, ctx.vars.get("active_ride_id"), populate_existing=True)
        if ride is None or ride.status not in ACTIVE_STATUSES:
            return "over"
        ctx.vars["ride_whose"] = _ride_whose(ctx, ride)
        if ride.status == RideStatus.NO_CAR:
            return "no_car"
        driver = ctx.session.get(Driver, ride.driver_id) if ride.driver_id else None
        if ride.status == RideStatus.QUEUED or driver is None:
            ctx.vars["ride_status"] = texts.spoken(
                "ride_dispatching", whom=rider_short(ctx, ride)
            ) + _dispatch_wait(ctx, ride)
        elif ride.status == RideStatus.ARRIVING:
            plate = spoken_plate(driver.plate)
            ctx.vars["ride_status"] = texts.spoken("ride_arriving", plate=plate)
        else:
            ctx.vars["ride_status"] = texts.spoken(
                "ride_assigned", plate=spoken_plate(driver.plate), minutes=_time_left(ride, ctx.now)
            )
        return "told"

    @registry.register("ride_query", outcomes=("active", "booked", "booking", "none"))
    def ride_query(ctx: StepContext) -> str:
        """"车到哪里了", "我的车去哪里" at a top menu (ninth trial: it went straight to a
        person). The caller's own ride under way (their person or their number: caller ID
        is enough for one's own car's state, docs/security.md) is told; else their booked
        cars, each read after its rider's last four digits; else a hospital booking, which
        a person tells (the query may be about it), as for a withheld number (nothing can be
        looked up); else "您现在没有叫车" and a car offered."""
        ride = active_ride(ctx)
        if ride is not None:
            ctx.vars["active_ride_id"] = ride.id
            return "active"
        if ctx.call.from_number is None:
            return "booking"  # a withheld number: nothing can be looked up, a person helps
        start_booking(ctx)
        booked = booked_for_caller(ctx)
        if booked:
            ctx.vars.update(booked_ids=[r.id for r in booked], booked_index=0,
                            booked_then="list")
            return "booked"
        return "booking" if has_hospital_booking(ctx) else "none"

    @registry.register("one_car_at_a_time")
    def one_car_at_a_time(ctx: StepContext) -> None:
        """"叫车", "再叫一辆" at the status menu: one car at a time, said so (not the
        state again as if nothing had been asked), then the ride's state and menu."""
        ride = ctx.session.get(Ride, ctx.vars.get("active_ride_id"))
        if ride is not None:
            _one_car_vars(ctx, ride, to_hospital=False)

    @registry.register("keep_waiting_for_car", outcomes=("over", "changed"))
    def keep_waiting_for_car(ctx: StepContext) -> str | None:
        """Told "no car", the caller keeps waiting: queued again, priority and place kept.
        "changed" when dispatch moved the ride meanwhile (a driver found): say it again."""
        ride = ctx.session.get(Ride, ctx.vars.get("active_ride_id"), populate_existing=True)
        if ride is None or ride.status not in ACTIVE_STATUSES:
            return "over"
        if ride.status != RideStatus.NO_CAR:
            return "changed"
        rides.keep_waiting(ctx.session, ride_id=ride.id, expected_version=ride.version)
        ctx.vars["notify_how"] = how_we_tell(ctx.call.from_number)
        return None

    @registry.register("cancel_active_ride", commits=True)
    def cancel_active_ride(ctx: StepContext) -> None:
        """The caller confirmed: cancel their active ride (a driver on the way is told)."""
        ride = ctx.session.get(Ride, ctx.vars.get("active_ride_id"))
        if ride is not None and ride.status in ACTIVE_STATUSES:
            rides.cancel(
                ctx.session,
                ride_id=ride.id,
                expected_version=ride.version,
                reason="来电者在电话里取消",
                by_number=ctx.call.from_number,
            )


# --- helpers ------------------------------------------------------------------------------


def _one_car_vars(ctx: StepContext, ride: Ride, *, to_hospital: bool) -> None:
    """What `taxi.one_car` says of the ride under way, and of the hospital when asked."""
    ctx.vars["ride_whose"] = _ride_whose(ctx, ride)
    said = ""
    if to_hospital:
        said = "one_car_to_hospital" if ride.to_hospital else "one_car_tell_driver"
    ctx.vars["one_car_to"] = texts.spoken(said) if said else ""


def _ride_whose(ctx: StepContext, ride: Ride) -> str:
    """您叫的车 / 您母亲张秀英的车 / 您女儿为您叫的车: whose ride under way, as heard."""
    rider = rider_for_caller(ctx, ride)
    booker = booked_by_family(ctx, ride)
    if rider is not None:
        return texts.spoken("ride_whose_other", rider=rider[0])
    if booker is not None:
        return texts.spoken("ride_whose_by", booker=booker)
    return texts.spoken("ride_whose_own")


def drivers_on_duty(ctx: StepContext) -> int:
    """How many drivers of active companies are on duty now."""
    return ctx.session.scalar(
        select(func.count(Driver.id))
        .join(TaxiCompany, TaxiCompany.id == Driver.company_id)
        .where(Driver.on_duty.is_(True), Driver.active.is_(True), TaxiCompany.active.is_(True))
    ) or 0


def _dispatch_wait(ctx: StepContext, ride: Ride) -> str:
    """How long until a car, for a ride still waiting for one (trial ten: "车到哪里了" heard
    only "正在为您派车"): the usual wait left since it was queued, that it takes longer
    than usual, or that no driver is on duty now (no time promised then, as at the queue)."""
    if not drivers_on_duty(ctx):
        return texts.spoken("ride_wait_no_driver")
    queued_at = ride.queued_at or ride.created_at
    if queued_at.tzinfo is None:
        queued_at = queued_at.replace(tzinfo=UTC)
    waited = int((ctx.now - queued_at).total_seconds() // 60)
    left = USUAL_WAIT_MINUTES - waited
    if left > 0:
        return texts.spoken("ride_wait_usual", minutes=left)
    return texts.spoken("ride_wait_longer")


def _time_left(ride: Ride, now: datetime) -> str:
    """"，大约5分钟到" counted from the assignment (the assigned ride's last change) plus
    the driver's ETA, never the ETA as given; "，车应该快到了" once that time has passed."""
    if not ride.eta_minutes:
        return ""
    assigned_at = ride.updated_at
    if assigned_at.tzinfo is None:
        assigned_at = assigned_at.replace(tzinfo=UTC)
    left = assigned_at + timedelta(minutes=ride.eta_minutes) - now
    minutes = -(-int(left.total_seconds()) // 60)  # 4 min 10 s left is "about 5 minutes"
    if minutes <= 0:
        return texts.spoken("ride_due")
    return texts.spoken("ride_minutes", eta=minutes)


def _supersede_hung_up(ctx: StepContext, ride: Ride) -> list[Ride]:
    """The confirmed ride replaces the same rider's requests left when a caller hung up
    before confirming (status caller_hung_up, no driver yet): they are cancelled, so
    dispatch never sees two requests for one trip. By person when known, else by number."""
    if ride.person_id is not None:
        same = Ride.person_id == ride.person_id
    elif ride.caller_number:
        same = (Ride.caller_number == ride.caller_number) & Ride.person_id.is_(None)
    else:
        return []
    old = list(
        ctx.session.scalars(
            select(Ride).where(same, Ride.id != ride.id, Ride.status == RideStatus.CALLER_HUNG_UP)
        )
    )
    for hung_up in old:
        rides.cancel(
            ctx.session,
            ride_id=hung_up.id,
            expected_version=hung_up.version,
            reason=f"来电者再次来电叫车，已由叫车单{ride.id}代替",
        )
    return old


def active_ride(ctx: StepContext) -> Ride | None:
    """The caller's newest active ride: the person's or the calling number's. Looked up once
    per index and the newer taken: one statement with an OR of both reads every live ride
    under the plan PostgreSQL keeps for a prepared statement (docs/performance.md)."""
    found = []
    if ctx.vars.get("person_id"):
        found.append(_newest_active(ctx, Ride.person_id == ctx.vars["person_id"]))
    if ctx.call.from_number:
        found.append(_newest_active(ctx, Ride.caller_number == ctx.call.from_number))
    return max((r for r in found if r is not None), key=lambda r: r.created_at, default=None)


def _newest_active(ctx: StepContext, who: ColumnElement[bool]) -> Ride | None:
    return ctx.session.scalars(
        select(Ride)
        .where(who, Ride.status.in_(ACTIVE_STATUSES))
        .order_by(Ride.created_at.desc())
        .limit(1)
    ).first()


def _active_ride_of_rider(ctx: StepContext) -> Ride | None:
    """The active ride of the person the car is for: by person when known (a daughter's
    own number may be on another parent's ride), else by the caller's number."""
    if not ctx.vars.get("person_id"):
        return active_ride(ctx)
    return _newest_active(ctx, Ride.person_id == ctx.vars["person_id"])


def how_we_tell(number: str | None) -> str:
    """What the caller is promised once a car is found: an SMS reaches a mobile only, so a
    landline is phoned, and a withheld number cannot be reached at all."""
    if number is None:
        return texts.spoken("ride_notify_none")
    if is_fixed_line(number):
        return texts.spoken("ride_notify_call")
    return texts.spoken("ride_notify_sms")


def home_place(variables: dict[str, Any]) -> dict[str, Any] | None:
    return next((p for p in variables.get("places", []) if p["kind"] == PlaceKind.HOME), None)


def _queue(ctx: StepContext, ride: Ride) -> str:
    """Queue the confirmed ride now, or book it for its `pickup_at`."""
    ride.priority = ride_priority(age=ctx.vars.get("age"), to_hospital=ride.to_hospital)
    _supersede_hung_up(ctx, ride)  # the caller's hung-up request of an earlier call
    spot = spot_said(ctx.vars.pop(SAID_AT_READBACK, None))
    if spot and ride.pickup_place_id is not None:
        ride.pickup_transcript = spot  # 对，到小区门口嘛: the saved place, and where exactly
    ctx.vars["notify_how"] = how_we_tell(ctx.call.from_number)
    if ctx.vars.get("pickup_at"):
        book_from_call(ctx, ride)
        return "booked"
    ride.status = RideStatus.QUEUED
    ride.queued_at = ctx.now
    ctx.vars["wait_minutes"] = USUAL_WAIT_MINUTES
    return "queued" if drivers_on_duty(ctx) else "no_driver"


def same_half_day_car(ctx: StepContext, ride: Ride) -> Ride | None:
    """Another car booked for the rider (or, without a person, this number) for the same
    morning or afternoon as this booking: two cars for one morning are never booked
    silently (user trial: two cars "去医院" one morning, the second without a hospital)."""
    assert ride.pickup_at is not None
    local = local_now(ride.pickup_at)
    morning = local.hour < 12
    for other in ahead.booked_rides_of(
        ctx.session, person_id=ride.person_id, number=None if ride.person_id else ride.caller_number
    ):
        if other.id == ride.id or other.pickup_at is None:
            continue
        when = local_now(other.pickup_at)
        if when.date() == local.date() and (when.hour < 12) == morning:
            return other
    return None


def _half_day_said(ctx: StepContext, ride: Ride) -> str:
    """明天上午 / 后天下午: the half-day of a booked car, without its hour or destination
    (said before any last-four check)."""
    assert ride.pickup_at is not None
    local = local_now(ride.pickup_at)
    day = ahead.spoken_day(local.date(), ctx.today)
    return day + ("上午" if local.hour < 12 else "下午")


def _to_hospital(ctx: StepContext, ride: Ride, said: str = readback.HOSPITAL) -> None:
    """The ride goes to a hospital: the one named, else the rider's booking that day, else
    their saved hospital (`readback.destination_for`, as for a car booked ahead), said
    back as `said_hospital` allows before the last four ID digits."""
    if not ride.to_hospital:
        ride.destination = None  # a place said before ("去女儿家"): the hospital instead
        ctx.vars["place_to_said"] = ""
    ride.to_hospital = True
    day = local_today(ride.pickup_at) if ride.pickup_at is not None else ctx.today
    ride.destination = ride.destination or readback.destination_for(ctx, said, day)
    ctx.vars["hospital_said"] = readback.said_hospital(ctx, ride.destination, day)
    ctx.vars["to_said"] = f"去{ctx.vars['hospital_said']}"


def _pickup_in_words(ctx: StepContext, ride: Ride, said: str, recording: str | None) -> None:
    """The pick-up is the caller's own words (and recording): no saved place."""
    ride.pickup_place_id = None
    ride.pickup_address = None
    ride.pickup_transcript = said or None
    ride.pickup_recording_url = recording
    ctx.vars.update(
        pickup_said=said,
        pickup_label=texts.spoken("place_said"),
        pickup_address=said,
        pickup_whom=ctx.vars.get("rider", "您"),
        wait_place=texts.spoken("place_said"),
    )


def _pickup_said_at_menu(ctx: StepContext, ride: Ride, said: str) -> str:
    """Where the caller said she is at the menu (我在市一院): a saved place by its name
    ("place"), else her words ("heard"); read back either way, never the home instead."""
    places = [p for p in ctx.vars.get("places", []) if p["kind"] != PlaceKind.HOME.value]
    saved = _match_place(places, said)
    if saved is not None:
        _set_pickup(ctx, ride, saved)
        return "place"
    _pickup_in_words(ctx, ride, said, None)
    return "heard"


def _draft(ctx: StepContext) -> Ride:
    ride = ctx.session.get(Ride, ctx.vars["ride_id"])
    if ride is None:
        raise LookupError("the call's draft ride is gone")
    return ride


def _set_pickup(ctx: StepContext, ride: Ride, place: dict[str, Any]) -> None:
    """The pickup said back. To a relative, a home is whose home, with its address, and
    the rider is "她 / 他" after it: "车到您母亲张秀英家（盘龙区…）接她" (the caller may live
    elsewhere); "请您母亲在家等车" then needs no address again."""
    ride.pickup_place_id = place["id"]
    ride.pickup_address = place["address"]
    label = place.get("said", place["label"])
    address = spoken_address(place["address"])
    waiter = ctx.vars.get("waiter", "")
    ctx.vars.update(
        pickup_label=label,
        pickup_address=address,
        pickup_whom=ctx.vars.get("rider", "您"),
        wait_place=label,
    )
    if waiter and place["kind"] == PlaceKind.HOME.value and not ctx.vars.get("rider_at_home"):
        ctx.vars.update(
            pickup_label=f"{ctx.vars.get('rider', waiter)}家（{address}）",
            pickup_whom=ctx.vars.get("rider_pronoun") or ctx.vars.get("rider", "您"),
            wait_place="家",
        )


def pickup_by_name(ctx: StepContext, said: str) -> bool:
    """A saved place named at a read-back ("是女儿家") becomes the draft's pickup; False
    when the caller has no such place."""
    place = place_by_name(ctx, said)
    if place is None:
        return False
    _set_pickup(ctx, _draft(ctx), place)
    return True


def place_by_name(ctx: StepContext, said: str) -> dict[str, Any] | None:
    """The rider's saved place a name said at a read-back means, or None. A label said
    exactly wins (家 is home, not 女儿家)."""
    places = ctx.vars.get("places", [])
    place = next((p for p in places if said in (p["label"], p.get("said"))), None)
    if place is None:
        place = _match_place(places, said)
        if place is not None and _others_home_matched(place, said):
            place = None  # "儿子家" not saved is not the caller's own 家
    return place


# Whose home a 家 said is when it is not the caller's own: "儿子家", "女儿那里的家", "他家".
_OTHERS = (
    "儿子", "女儿", "儿媳", "媳妇", "女婿", "孙子", "孙女", "外孙", "闺女", "姑娘", "老大",
    "老二", "老三", "哥", "姐", "弟", "妹", "舅", "姨", "姑", "叔", "伯", "亲戚", "朋友",
    "邻居", "他", "她",
)


def _others_home_matched(place: dict[str, Any], said: str) -> bool:
    """Did the caller's home match only by the 家 inside someone else's ("儿子家", "他家"),
    not their own ("家里", "在家", "我家")?"""
    name = said.strip()
    if place["kind"] != PlaceKind.HOME.value or name in (place["label"], place.get("said")):
        return False
    before = name[: name.rfind("家")] if "家" in name else ""
    before = before.removesuffix("的").removesuffix("那里").removesuffix("那边")
    return before.endswith(_OTHERS)


#: The caller's own home in a relative's words (在我家, 我屋头, 到我这点来).
_MY_HOME = re.compile(r"我(?:的)?家|我屋|我这[点里边儿]")


def _caller_home_named(places: list[dict[str, Any]], said: str) -> str | None:
    """A relative calling names her own home (在我家 海埂花园): the rider's saved place that
    is the caller's home (said "您家" to her), by its label; never the rider's own home (a
    user trial read "我家" back as the mother's)."""
    if not _MY_HOME.search(said):
        return None
    return next((p["label"] for p in places if p.get("said") == CALLERS_HOME), None)


def _keys_said(keys: list[str]) -> str:
    """"1或9", "1、2或9": the keys a menu offers, as said."""
    return "、".join(keys[:-1]) + "或" + keys[-1] if len(keys) > 1 else keys[0]


def place_keys(places: list[dict[str, Any]], *, exclude: int | None) -> dict[str, int]:
    """The keys of the place menu, from 1 in the saved order ({"1": place id, ...}): the
    home left out (the caller said it is not there) does not leave key 1 unused."""
    keyed = [p for p in places if p["id"] != exclude and p["position"] <= PLACES_BY_KEY]
    return {str(key): p["id"] for key, p in enumerate(keyed[:PLACES_BY_KEY], start=1)}


def places_menu(places: list[dict[str, Any]], keys: dict[str, int]) -> str:
    """The spoken list "在女儿家，请按1；在市一院，请按2" (at most PLACES_SAID places)."""
    by_id = {p["id"]: p for p in places}
    return "；".join(
        texts.spoken(
            "place_menu_item", label=by_id[pid].get("said", by_id[pid]["label"]), key=key
        )
        for key, pid in list(keys.items())[:PLACES_SAID]
    )


def _offer_places(ctx: StepContext, *, exclude: int | None) -> bool:
    """Set the place menu of the caller's saved places; False when there is none."""
    places = ctx.vars.get("places", [])
    ctx.vars["place_keys"] = place_keys(places, exclude=exclude)
    ctx.vars["places_menu"] = places_menu(places, ctx.vars["place_keys"])
    return bool(ctx.vars["places_menu"])


def _match_place(
    places: list[dict[str, Any]], answer: str, keys: dict[str, int] | None = None
) -> dict[str, Any] | None:
    answer = answer.strip()
    if answer.isdigit():  # a key of the place menu (8 is never a place)
        if keys is not None:
            return next((p for p in places if p["id"] == keys.get(answer)), None)
        key = int(answer)
        return next((p for p in places if p["position"] == key <= PLACES_BY_KEY), None)
    # The longest label heard wins: "儿子家" is the son's home, not 家.
    heard = [
        p
        for p in places
        for name in {p["label"], p.get("said", p["label"])}
        if name in answer or (answer and answer in name)
    ]
    return max(heard, key=lambda p: len(p["label"]), default=None)


#: A yes said after the tone is a few characters at most (是的, 对头, 要得嘛).
_SHORTEST_PLACE = 5


def _only_a_yes(said: str, today: date) -> bool:
    """Only a yes said where a place was asked for (是的, 好嘛): no place in it."""
    words = "".join(said.split())
    return 0 < len(words) < _SHORTEST_PLACE and understand("yesno", said, today) == "yes"
