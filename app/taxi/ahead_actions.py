"""Actions of the booking flow (dialogs/ahead.yaml): the caller's booked rides, the day and
the hour asked for, checked against the rules of `app.taxi.ahead`. The pickup and the
booking itself are the taxi flow's (`queue_ride` books when the call carries a
`pickup_at`); what its read-back says and the changes said there are
`app.taxi.ahead_readback`'s."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date, datetime

from app import texts
from app.callflow.actions import ActionRegistry
from app.callflow.engine import HANDOVER_NOTE
from app.calls.service import StepContext
from app.core.local_time import local_now, local_today
from app.hospital import identity
from app.hospital import upcoming as upcoming_appointments
from app.hospital.call_actions import check_typed_last_four
from app.hospital.patients import patients_for_caller as patients_for_hospital
from app.people.enums import PlaceKind
from app.people.models import Person, SavedPlace
from app.taxi import ahead, hospital_trips, regular
from app.taxi import ahead_readback as readback
from app.taxi.ahead import AheadRules
from app.taxi.ahead_readback import register_readback_actions
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from app.taxi.passengers import passengers_for_caller
from app.taxi.place_words import MENU_SAID, PLACE_SAID_AT_MENU, place_said_at_menu
from app.taxi.whose import booked_by_family, rider_for_caller, rider_short
from app.understanding import understand
from app.understanding.when import parse_clock

MAX_UNCLEAR = 2  # then a person helps
# Shown on the operators' panel with the reason of a hand-over after a rider with no ID
# number on file heard that a person tells where their car goes (staff words, not said).
NO_ID_HANDOVER = "乘客无身份证号，需告知去哪里"
# A booked car's time (or place) to change, said at its menu: a person changes it.
_CHANGE_WORDS = re.compile(r"改|推迟|提前|往后|往前|晚一点|早一点|换个时间|换时间|换个钟点")


def register_ahead_actions(registry: ActionRegistry) -> None:
    register_readback_actions(registry)

    @registry.register("ride_now")
    def ride_now(ctx: StepContext) -> None:
        """The taxi flow from the menus is a ride now: no booked time is carried over (a
        booking begun in this call and not confirmed is dropped: a time too soon to book
        taken as a car now is read back as one, "现在就叫车，不用等到…")."""
        ride = ctx.session.get(Ride, ctx.vars["ride_id"]) if ctx.vars.get("ride_id") else None
        # (A car now too: one the caller began to book instead, "对，十点的", and then took
        # now after all, "现在就叫车"; the flow opens a new draft.)
        if ride is not None and ride.status == RideStatus.DRAFT:
            ahead.rides.cancel(
                ctx.session,
                ride_id=ride.id,
                expected_version=ride.version,
                reason="来电者改为现在叫车",
            )
        readback.reset(ctx.vars)
        # The hospital said with the car at the menu ("叫个车去医院"), for this entry only: a
        # later key 1 at a menu is a car home again.
        ctx.vars["ride_to"] = ctx.vars.pop("menu_to", None)
        # Where the caller said she is with it ("我在市一院看完病了"), for this entry only.
        ctx.vars[PLACE_SAID_AT_MENU] = place_said_at_menu(ctx.vars.pop(MENU_SAID, None))
        instead = ctx.vars.pop("now_instead_of", None)
        if instead:  # asked for too soon to book: the read-back says the car comes now
            ctx.vars["when_said"] = texts.spoken("ride_now_instead", when=instead)

    @registry.register("booking_or_now", outcomes=("booking", "now"))
    def booking_or_now(ctx: StepContext) -> str:
        """At a read-back: a ride booked ahead (its time may be what is wrong) or now."""
        return "booking" if ctx.vars.get("pickup_at") else "now"

    @registry.register("ride_now_instead")
    def ride_now_instead(ctx: StepContext) -> None:
        """The caller takes a car now instead of the time said too soon to book."""
        ctx.vars["now_instead_of"] = ctx.vars.get("when_said", "")

    @registry.register("ride_now_after_past")
    def ride_now_after_past(ctx: StepContext) -> None:
        """The caller takes a car now instead of a time already past today: the car now
        is read back as one (nothing to wait for, so no "不用等到…")."""
        ctx.vars.pop("now_instead_of", None)

    @registry.register(
        "ahead_from_menu", outcomes=("ask", "day", "full", "cancel", "none", "withheld")
    )
    def ahead_from_menu(ctx: StepContext) -> str:
        """What a menu heard (`menu` understanding): a car for later, with the day and
        hour said kept ("我明天早上要车": the hour is asked for tomorrow; "约个车": the
        usual start), or a booked car given up ("明天的车不要了": that day's booked ride,
        else the soonest, is read back and one key cancels it)."""
        heard = ctx.vars.get("menu_answer")
        said = str(heard.get("said", "")) if isinstance(heard, dict) else ""
        want = heard.get("want") if isinstance(heard, dict) else None
        start_booking(ctx)
        when = understand("when", said, ctx.today)
        found = when.get("date") if isinstance(when, dict) else None
        day = date.fromisoformat(found) if found else None
        if want == "cancel_booked":
            booked = booked_for_caller(ctx)
            ctx.vars["booked_not_day"] = ""
            if day is not None:
                that_day = [r for r in booked if r.pickup_at and local_today(r.pickup_at) == day]
                if not that_day and booked:
                    # "明天的车不要了" with the car on 后天 (ninth trial: "没有找到您预约的车"):
                    # that day has none; the caller's car (the soonest) is said with its
                    # day, after the last four digits as every cancel, and asked about.
                    ctx.vars["booked_not_day"] = texts.spoken(
                        "ride_booked_not_day", day=ahead.spoken_day(day, ctx.today)
                    )
                else:
                    booked = that_day
            ctx.vars["booked_ids"] = [r.id for r in booked]
            ctx.vars["booked_index"] = 0
            ctx.vars["booked_then"] = "cancel"
            if not booked:
                return "none"
            return "cancel"
        if ctx.call.from_number is None:
            return "withheld"
        if day is None and parse_clock(said) is None:
            return "ask"
        outcome = _note_day(ctx, said, None)
        return outcome if outcome in ("day", "full") else "ask"

    @registry.register("cancel_from_menu", outcomes=("car", "booking", "both", "none"))
    def cancel_from_menu(ctx: StepContext) -> str:
        """"车不要了", "明天的号不要了", "我要退号" at a top menu (the `cancel` intent, which
        does not say which): a booked car's cancel when the caller has booked cars only, the
        hospital flow's when their people have bookings only, "both" asks which, "none"
        says there is nothing to cancel. Nothing of a car or a booking is said here: each
        cancel path reads it back after the last four digits."""
        start_booking(ctx)
        booked = booked_for_caller(ctx) if ctx.call.from_number else []
        ctx.vars.update(booked_ids=[r.id for r in booked], booked_index=0, booked_then="cancel")
        has_booking = has_hospital_booking(ctx)
        if booked and has_booking:
            return "both"
        if booked:
            return "car"
        return "booking" if has_booking else "none"

    @registry.register("list_booked_rides", outcomes=("none", "some", "withheld"))
    def list_booked_rides(ctx: StepContext) -> str:
        """The caller's booked rides (their own and their relatives'): the first is said.
        "withheld": no booking ahead from a withheld number (nobody could find or cancel
        the ride later by phone; docs/taxi.md)."""
        start_booking(ctx)
        if ctx.call.from_number is None:
            return "withheld"
        booked = booked_for_caller(ctx)
        ctx.vars["booked_ids"] = [r.id for r in booked]
        ctx.vars["booked_index"] = 0
        ctx.vars["booked_then"] = "list"
        if not booked:
            return "none"
        return "some"

    @registry.register(
        "note_booked_answer",
        outcomes=("day", "full", "unclear", "wrong_key", "person", "change"),
    )
    def note_booked_answer(ctx: StepContext) -> str:
        """An answer at the booked rides' menu that is none of its keys (1 nothing to
        change, 3 another, 8 cancel): a day said ("后天早上九点") is a new car that day; any
        other key is no choice ("没有这个选项"). "change": the booked car's time to change
        ("改时间", "改到九点": never a second car), a person does it, told which car
        (trial eleven: "没有听明白"; no change path by phone yet, docs/taxi.md)."""
        answer = str(ctx.vars.get("day_answer") or "").strip()
        if _CHANGE_WORDS.search(answer):
            when = ctx.vars.get("booked_when") if ctx.vars.get("booked_ride_id") else ""
            ctx.vars[HANDOVER_NOTE] = texts.spoken(
                "booked_change_note", car=f"{when}的车" if when else "约的车", said=answer[:30]
            )
            return "change"
        if answer.isdigit():
            # A key the menu does not say does nothing (no hidden key: 2 once booked
            # tomorrow unsaid). Counted with the unclear answers: the second is a person.
            return "wrong_key" if _unclear(ctx) == "unclear" else "person"
        when = understand("when", answer, ctx.today)
        if not (isinstance(when, dict) and when.get("date")) and parse_clock(answer) is None:
            return _unclear(ctx)
        return _note_day(ctx, answer, None)

    @registry.register("next_booked_ride", outcomes=("told", "none"))
    def next_booked_ride(ctx: StepContext) -> str:
        ids = ctx.vars.get("booked_ids", [])
        index = ctx.vars.get("booked_index", 0) + 1
        if index >= len(ids):
            return "none"
        ctx.vars["booked_index"] = index
        return "told"

    @registry.register("booked_ride_identity", outcomes=("checked", "ask", "locked"))
    def booked_ride_identity(ctx: StepContext) -> str:
        """Before a booked ride is read out: the last four digits of its rider's ID number
        (caller ID is no proof; the rule of docs/callflow.md, "Booking details and the last
        four digits"). Checked once per rider in a call (the hospital flow's check counts
        too); a rider without an ID number on file has nothing to check: their ride is
        read without where it goes, and they are told a person says it (`_describe_booked`)."""
        rider = _booked_rider(ctx)
        if rider is None or not rider.id_number or ctx.vars.get("identity_checked") == rider.id:
            return "checked"
        if identity.is_locked(
            ctx.session, person_id=rider.id, now=ctx.now, number=ctx.call.from_number
        ):
            return "locked"
        # The caller's own car by their phone ("person_id" is the rider's once a relative
        # books for a parent: never "您" for the parent's digits).
        ride = ctx.session.get(Ride, ctx.vars["booked_ids"][ctx.vars["booked_index"]])
        own = ride is not None and rider_short(ctx, ride) == "您"
        ctx.vars["last_four_whose"] = "您" if own else "坐车人"
        return "ask"

    @registry.register("check_booked_last_four", outcomes=("verified", "wrong", "short", "gave_up"))
    def check_booked_last_four(ctx: StepContext) -> str:
        rider = _booked_rider(ctx)
        return check_typed_last_four(ctx, rider.id) if rider is not None else "gave_up"

    @registry.register("booked_ride_checked", outcomes=("list", "cancel", "late"))
    def booked_ride_checked(ctx: StepContext) -> str:
        """The check passed (or had nothing to check): the ride is read out, then the
        booked rides' menu, or the cancel question when the caller gave a car up; "late":
        the car read back (not booked yet) would miss a visit, and the earlier car is
        offered (app/taxi/late_draft.py)."""
        then = ctx.vars.get("booked_then")
        if then == "late":
            return "late"
        _describe_booked(ctx)
        return "cancel" if then == "cancel" else "list"

    @registry.register("cancel_booked_ride", commits=True)
    def cancel_booked_ride(ctx: StepContext) -> None:
        """The caller confirmed with 8 again: the booked ride said is cancelled."""
        ride = ctx.session.get(Ride, ctx.vars.get("booked_ride_id"), populate_existing=True)
        if ride is not None:
            # Cancelled or released meanwhile: nothing left to cancel.
            with suppress(ahead.rides.RideNotFound):
                ahead.cancel_booked(
                    ctx.session,
                    ride_id=ride.id,
                    reason="来电者在电话里取消预约",
                    by_number=ctx.call.from_number,
                )
        # Decision (docs/taxi.md): one leg of a regular ride's day is cancelled alone; the
        # caller hears that the other still comes.
        other = _other_leg(ctx, ride) if ride is not None else None
        ctx.vars["leg_kept"] = (
            texts.spoken("regular_leg_kept", when=ahead.spoken_pickup(other.pickup_at, ctx.now),
                         leg=_leg_said(other))
            if other is not None and other.pickup_at is not None
            and other.status != RideStatus.CANCELLED else ""
        )

    @registry.register("note_day", outcomes=("day", "full", "unclear", "person"))
    def note_day(ctx: StepContext) -> str:
        """1 today, 2 tomorrow; or said ("明天早上八点", "礼拜三下午两点")."""
        answer = str(ctx.vars.get("day_answer") or "").strip()
        return _note_day(ctx, answer, ahead.day_by_key(answer, ctx.now))

    @registry.register("note_other_day", outcomes=("day", "full", "unclear", "person"))
    def note_other_day(ctx: StepContext) -> str:
        """Another day: said ("后天", "星期五下午两点"), or its weekday's key (5 星期五)."""
        answer = str(ctx.vars.get("day_answer") or "").strip()
        return _note_day(ctx, answer, ahead.day_by_weekday_key(answer, ctx.now))

    @registry.register("note_hour", outcomes=("time", "day", "unclear", "person"))
    def note_hour(ctx: StepContext) -> str:
        """The hour said ("早上八点", "下午两点半") or pressed (8 is 8:00, 2 is 14:00)."""
        answer = str(ctx.vars.get("hour_answer") or "").strip()
        held = str(ctx.vars.pop("half_day_held", "") or "")
        clock = ahead.hour_by_key(answer) if answer.isdigit() else parse_clock(answer)
        if clock is not None and held and not answer.isdigit() and not _HALF_DAY.search(answer):
            # "后天下午的", then "三点": the half-day said before is the hour's ("下午三点").
            clock = parse_clock(held + answer) or clock
        if clock is None:
            if not answer.isdigit() and _note_day_at_hour(ctx, answer):
                return "day"
            return _unclear(ctx)
        ctx.vars["pickup_clock"] = list(clock)
        if not answer.isdigit():
            _note_said_day(ctx, answer)  # "后天上午九点" at the hour: the day changes too
            _note_destination(ctx, answer)
        return "time"

    @registry.register("note_new_destination", outcomes=("again", "unclear", "person"))
    def note_new_destination(ctx: StepContext) -> str:
        """Where the car goes, said after 不对 (3, then 2): "去女儿家", "医院", "翠湖公园";
        the read-back again with it."""
        answer = str(ctx.vars.get("destination_answer") or "").strip()
        to = readback.said_destination(answer if "去" in answer else f"去{answer}")
        if answer.isdigit() or not to:
            return _unclear(ctx)
        ctx.vars["destination_said"] = to
        return "again"

    @registry.register("keep_late_car")
    def keep_late_car(ctx: StepContext) -> None:
        """车不换 at a booked car that may miss a visit: remembered on the ride (linked to
        the visit as joined), never asked about again (trial eleven)."""
        ride = ctx.session.get(Ride, ctx.vars.get("booked_ride_id"), populate_existing=True)
        if ride is not None:
            hospital_trips.keep_late_ride(ctx.session, ride=ride, now=ctx.now,
                                          settings=ctx.settings)

    @registry.register("name_place_to_ask")
    def name_place_to_ask(ctx: StepContext) -> None:
        """Which home's address is asked: the name said ("女儿家")."""
        ctx.vars["place_to_ask"] = str(ctx.vars.get("destination_said") or "")

    @registry.register("note_place_address", outcomes=("again", "person"))
    def note_place_address(ctx: StepContext) -> str:
        """The address of the home the car goes to, as heard: kept with its name for the
        driver and read back; nothing heard (or only a key), a person takes the booking."""
        words = str(ctx.vars.get("place_address_said") or "").strip()
        if not words or words.isdigit():
            return "person"
        ctx.vars["destination_address"] = {"for": ctx.vars.get("destination_said"),
                                           "words": words}
        return "again"

    @registry.register(
        "check_pickup_time",
        outcomes=("ok", "again", "past", "past_today", "soon", "hours", "far"),
    )
    def check_pickup_time(ctx: StepContext) -> str:
        """The rules: not past, not sooner than the release (that is a ride now), within
        the service hours and the booking window. "again": a time changed after the
        read-back, which is read back again (the pickup is kept)."""
        rules = AheadRules.from_settings(ctx.settings)
        hour, minute = ctx.vars["pickup_clock"]
        pickup_at = ahead.pickup_time(date.fromisoformat(ctx.vars["pickup_day"]), hour, minute)
        ctx.vars["when_said"] = ahead.spoken_pickup(pickup_at, ctx.now)
        found = ahead.problem(pickup_at, ctx.now, rules)
        if found == "past" and local_now(pickup_at).date() == ctx.today:
            return "past_today"  # "对，九点的" at 9:20: the car now is offered too
        if found is not None:
            return found
        ctx.vars["pickup_at"] = pickup_at.isoformat()
        ctx.vars["when_said"] = ahead.spoken_pickup(pickup_at, ctx.now) + "，"
        ctx.vars["unclear"] = 0
        draft = ctx.session.get(Ride, ctx.vars["ride_id"]) if ctx.vars.get("ride_id") else None
        if ctx.vars.get("readback") and draft is not None and draft.status == RideStatus.DRAFT:
            return "again"
        return "ok"


def start_booking(ctx: StepContext) -> None:
    rules = AheadRules.from_settings(ctx.settings)
    readback.reset(ctx.vars)
    ctx.vars.update(
        unclear=0,
        booked_not_day="",
        service_hours=ahead.service_hours(rules),
        release_minutes=rules.release_minutes,
        booking_days=rules.booking_days,
    )


def booked_for_caller(ctx: StepContext) -> list[Ride]:
    """The caller's booked rides (their own and their relatives'), soonest first."""
    number = ctx.call.from_number
    people = [p.person.id for p in passengers_for_caller(ctx.session, number=number)] if (
        number
    ) else []
    if ctx.vars.get("person_id") and ctx.vars["person_id"] not in people:
        people.append(ctx.vars["person_id"])
    return list(ahead.booked_rides_for_caller(ctx.session, person_ids=people, number=number))


def has_hospital_booking(ctx: StepContext) -> bool:
    """Whether anyone the caller may book for (themself, a parent) has a live booking."""
    number = ctx.call.from_number
    if not number:
        return False
    return any(
        upcoming_appointments.upcoming(ctx.session, patient_id=p.person.id, now=ctx.now)
        for p in patients_for_hospital(ctx.session, number=number)
    )


def book_from_call(ctx: StepContext, ride: Ride) -> None:
    """`queue_ride` of the taxi flow, for a call carrying a booked time."""
    rules = AheadRules.from_settings(ctx.settings)
    pickup_at = datetime.fromisoformat(ctx.vars["pickup_at"])
    reminded = ahead.book(ctx.session, ride, pickup_at=pickup_at, now=ctx.now, rules=rules)
    ctx.vars["remind_how"] = ahead.reminder_how(ctx.call.from_number, reminded)


def _note_day(ctx: StepContext, answer: str, day: date | None) -> str:
    """The day (and the hour, when said with it) of a day answer."""
    clock = None
    if day is None:
        when = understand("when", answer, ctx.today)
        found = when.get("date") if isinstance(when, dict) else None
        day = date.fromisoformat(found) if found else None
        clock = parse_clock(answer)
        if day is None and clock is not None:
            day = ctx.today  # "下午三点": today
    if day is None:
        return _unclear(ctx)
    ctx.vars["pickup_day"] = day.isoformat()
    ctx.vars["day_said"] = ahead.spoken_day(day, ctx.today)
    _note_destination(ctx, answer)
    if clock is None:
        return "day"
    ctx.vars["pickup_clock"] = list(clock)
    return "full"


_HALF_DAY = re.compile("早上|上午|中午|下午|晚上|半夜|凌晨")


def _note_day_at_hour(ctx: StepContext, answer: str) -> bool:
    """"后天下午的", "明天", "下午的" at the hour question (no hour): the day asked about
    changes (the half-day is kept for the hour said next), and that day's hour is asked
    ("后天下午几点钟用车？"). False when neither a day nor a half-day is said."""
    when = understand("when", answer, ctx.today)
    found = when.get("date") if isinstance(when, dict) else None
    half = _HALF_DAY.search(answer)
    if not found and half is None:
        return False
    day = date.fromisoformat(found) if found else date.fromisoformat(
        str(ctx.vars.get("pickup_day") or ctx.today.isoformat()))
    ctx.vars["pickup_day"] = day.isoformat()
    ctx.vars["day_said"] = ahead.spoken_day(day, ctx.today) + (half.group() if half else "")
    ctx.vars["half_day_held"] = half.group() if half else ""
    _note_destination(ctx, answer)
    return True


def _note_said_day(ctx: StepContext, answer: str) -> None:
    when = understand("when", answer, ctx.today)
    found = when.get("date") if isinstance(when, dict) else None
    if found:
        day = date.fromisoformat(found)
        ctx.vars.update(pickup_day=day.isoformat(), day_said=ahead.spoken_day(day, ctx.today))


def _note_destination(ctx: StepContext, answer: str) -> None:
    """"明天八点去医院", "去云大医院", "整个车克女儿家": where the car goes, kept for the
    read-back (`readback.said_destination`: 克 is 去, a place said is kept too)."""
    if not answer.isdigit() and (to := readback.said_destination(answer)):
        ctx.vars["destination_said"] = to


def _unclear(ctx: StepContext) -> str:
    ctx.vars["unclear"] = ctx.vars.get("unclear", 0) + 1
    return "person" if ctx.vars["unclear"] >= MAX_UNCLEAR else "unclear"


def _booked_rider(ctx: StepContext) -> Person | None:
    """The person the booked ride at `booked_index` is for (None: a ride by number only)."""
    ride = ctx.session.get(Ride, ctx.vars["booked_ids"][ctx.vars["booked_index"]])
    if ride is None or ride.person_id is None:
        return None
    return ctx.session.get(Person, ride.person_id)


def _other_leg(ctx: StepContext, ride: Ride) -> Ride | None:
    """The day's other ride of a regular ride with a return (there for back, back for
    there); None for any other ride."""
    if ride.regular_ride_id is None or ride.regular_day is None:
        return None
    return regular.instance(ctx.session, ride.regular_ride_id, ride.regular_day,
                            back=not ride.regular_return)


def _leg_said(ride: Ride) -> str:
    return texts.spoken("regular_leg_back" if ride.regular_return else "regular_leg_there")


def _describe_booked(ctx: StepContext) -> None:
    """The booked ride at `booked_index`, as the caller hears it: whose ride (a relative's
    is named: 给您母亲张秀英约了…), when, where the car picks up (到她家接 for a relative's
    home) and where it goes (去春城第一人民医院)."""
    ride = ctx.session.get(Ride, ctx.vars["booked_ids"][ctx.vars["booked_index"]])
    if ride is None or ride.pickup_at is None:
        return
    place = ctx.session.get(SavedPlace, ride.pickup_place_id) if ride.pickup_place_id else None
    when = ahead.spoken_pickup(ride.pickup_at, ctx.now)
    rider = rider_for_caller(ctx, ride)
    booker = booked_by_family(ctx, ride)  # 您女儿为您约了…: not heard as the caller's own
    place_said = place.label if place else texts.spoken("place_said")
    if rider is not None and place is not None and place.kind == PlaceKind.HOME:
        place_said = f"{rider[1] or rider[0]}家"
    # Where it goes only after the rider's last four digits. A rider nothing in a call can
    # prove (no ID number on file, a ride by number only) hears the time and the pickup,
    # and that a person tells where it goes (docs/callflow.md: the person calls back).
    checked = ride.person_id is not None and ctx.vars.get("identity_checked") == ride.person_id
    to = (ride.destination or "").split("（")[0] if checked else ""
    person = ctx.session.get(Person, ride.person_id) if ride.person_id else None
    unprovable = bool(ride.destination) and not checked and not (person and person.id_number)
    # Told "转人工，按0" for where the car goes: the person taking the call sees why
    # (ninth trial: the operator was not told); another car read next clears it.
    if unprovable:
        ctx.vars[HANDOVER_NOTE] = NO_ID_HANDOVER
    else:
        ctx.vars.pop(HANDOVER_NOTE, None)
    ctx.vars.update(
        booked_ride_id=ride.id,
        # a leg of a regular ride's day with a return is named: 明天中午12点回来(的车)
        booked_when=(f"{rider[0]}{when}" if rider else when)
        + (_leg_said(ride) if _other_leg(ctx, ride) is not None else ""),
        booked_said=texts.spoken(
            ("ride_booked_other" if ride.caller_number == ctx.call.from_number
             else "ride_booked_of")
            if rider
            else ("ride_booked_by" if booker else "ride_booked"),
            rider=rider[0] if rider else "",
            booker=booker or "",
            when=when,
            place=place_said,
            to=texts.spoken("ride_booked_to", to=to) if to else "",
        ),
        booked_to_person=texts.spoken("ride_booked_to_person") if unprovable else "",
        booked_next=texts.spoken("ride_booked_next")
        if ctx.vars["booked_index"] + 1 < len(ctx.vars["booked_ids"])
        else "",
    )
