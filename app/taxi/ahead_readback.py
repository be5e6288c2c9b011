"""The read-back of a ride booked ahead (dialogs/ahead.yaml, the taxi flow's confirmations
with a `pickup_at`): whose ride, the day with its weekday, from where and to where; a
second car at the same hour refused; a change said at the read-back made and read back.

- Whose and when: "给您母亲张秀英约的车，明天（星期二）早上8点，车到……" (`when_said`).
- Where to: a hospital said with the time ("明天八点去医院", "去云大医院") is kept; 医院
  alone is the rider's booking that day, else their saved hospital (`destination_for`).
- One car at a time: a booking less than `ahead.OVERLAP` from another of the rider's, or
  from now while a ride now is under way, is refused naming the first (`overlap`).
- Changes: "不是九点，是十点", "改到明天", "去市一院", "不是家里，是女儿家" at the read-back
  change that part, are checked again and read back again (`correct_booking`,
  `read_back_again`); "太早了", "时间不对" ask the hour again (`time_again`); a day with
  the other half-day ("明天下午" at 明天上午9点) asks the hour of it.
- A yes naming something else ("对，十点的", "好，后天", "对的，明天下午") is such a change,
  never the yes: every read-back keeps what it says as an answer of the change kind
  (`readback_offered`, the taxi flow's `otherwise.offered`), and the engine books at once
  only a yes naming nothing or only what agrees ("对，九点的", "好，明天"). A yes whose
  words the engine cannot match part by part but that mean what was read back ("对，七点"
  at 晚上7点, "对，去医院" at 去云大医院, "对，到家接我" at 车到家接您) changes nothing:
  read back once more, those words now agreeing (`echoes_read_back`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from app import texts
from app.callflow.actions import ActionRegistry
from app.callflow.engine import SAID_WITH_YES
from app.calls.service import StepContext
from app.core.local_time import local_now
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment, Department, Hospital
from app.hospital.rules import SESSION_WORDS
from app.people.enums import PlaceKind
from app.people.models import SavedPlace
from app.taxi import ahead, rides
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from app.taxi.rules import ride_priority
from app.understanding.change import destination
from app.understanding.normalize import SEP, clean

HOSPITAL = "医院"  # a hospital not named
# What the read-back says, as answers of the change kind (the taxi flow's read-backs name
# it as their `otherwise.offered`): a yes naming anything else is a change.
OFFERED = "readback_offered"
# A yes at the read-back found to mean what was read back, kept for the next read-back's
# `OFFERED` (said again, it agrees).
ECHO = "readback_echo"


def register_readback_actions(registry: ActionRegistry) -> None:
    @registry.register(
        "read_back_again",
        outcomes=("home", "place", "heard", "recorded", "hospital", "overlap", "same", "address"),
    )
    def read_back_again(ctx: StepContext) -> str:
        """After a change: the draft takes the new time and destination, and the caller
        hears the read-back again (the one that fits its pickup). "same": the pickup and
        where the car goes are one place (trial eleven: "车到女儿家接您去女儿家"), the
        destination dropped and asked again; "address": a home not saved named as where
        the car goes, its address asked (`needs_address`)."""
        ride = _draft(ctx)
        if ride is None:
            raise LookupError("the call's draft ride is gone")
        echo = ctx.vars.pop(ECHO, None)  # for this read-back only
        if ctx.vars.get("pickup_at"):
            pickup_at = datetime.fromisoformat(ctx.vars["pickup_at"])
            if overlap(ctx, pickup_at, exclude_id=ride.id):
                return "overlap"
            ride.pickup_at = pickup_at
            apply_destination(ctx, ride)
            ctx.vars["when_said"] = when_said(ctx, pickup_at)
            if drop_same_destination(ctx, ride):
                return "same"
            if needs_address(ctx):
                return "address"
            note_offered(ctx, ride, also=echo)
        return readback_kind(ctx, ride)

    @registry.register(
        "correct_booking",
        outcomes=("check", "hour", "again", "places", "time_again", "withheld"),
    )
    def correct_booking(ctx: StepContext) -> str:
        """A change said at the read-back ("不是九点，是十点", "改到明天", "去市一院", "不是家里，
        是女儿家"): that part is replaced, the rest kept; a part of the day alone asks the
        hour again; a place the caller has not saved, the place question. A yes naming
        something that means what was read back changes nothing: read back once more.
        At the read-back of a car now, a yes naming a time ("对，十点的", "好，明天早上八
        点": the engine's `yes_naming`) makes the car a booking for that time, checked and
        read back (its day today unless said; a day or half-day without an hour asks the
        hour); never from a withheld number ("withheld", as key 3 says)."""
        change = ctx.vars.get("change") or {}
        now_car = not ctx.vars.get("pickup_at")
        if now_car:
            if ctx.call.from_number is None:
                return "withheld"
            _booking_from_now(ctx)
        elif ctx.vars.get(SAID_WITH_YES) and echoes_read_back(ctx, change):
            ctx.vars[ECHO] = change
            return "again"
        if any(change.get(part) for part in ("date", "clock", "session")):
            # Another time: a car booked for its half-day is asked about again (an answer
            # to "两辆都要…" or "原来那辆取消…" was about the car at the time before).
            ctx.vars.pop("second_car_asked", None)
        if change.get("time_again"):
            return "time_again"  # "太早了", "时间不对": the hour again
        if change.get("place") and not now_car:
            # Imported here: the taxi flow's actions import this module.
            from app.taxi.call_actions import pickup_by_name

            return "again" if pickup_by_name(ctx, str(change["place"])) else "places"
        if change.get("to"):
            ctx.vars["destination_said"] = change["to"]
        if change.get("date"):
            day = date.fromisoformat(change["date"])
            ctx.vars.update(pickup_day=day.isoformat(), day_said=ahead.spoken_day(day, ctx.today))
        if change.get("clock"):
            ctx.vars["pickup_clock"] = list(change["clock"])
        elif now_car:
            return "hour"  # "对，明天的" at a car now: which hour of it?
        elif change.get("session") and (
            not change.get("date") or not _in_half_day(_held_hour(ctx), change["session"])
        ):
            # The half-day goes with the hour said next ("后天下午几点钟用车？", "三点").
            half = SESSION_WORDS[change["session"]]
            day = date.fromisoformat(str(ctx.vars.get("pickup_day") or ctx.today.isoformat()))
            ctx.vars.update(day_said=ahead.spoken_day(day, ctx.today) + half,
                            half_day_held=half)
            return "hour"  # "下午" alone, "明天下午" at 明天上午9点: which hour?
        if change.get("date") or change.get("clock"):
            return "check"
        return "again"  # the destination only

    @registry.register("keep_first_ride")
    def keep_first_ride(ctx: StepContext) -> None:
        """The caller keeps the ride they had: this call's unconfirmed booking is dropped."""
        ride = _draft(ctx)
        if ride is not None and ride.status == RideStatus.DRAFT:
            rides.cancel(
                ctx.session,
                ride_id=ride.id,
                expected_version=ride.version,
                reason="来电者留着原来的车，没有再约",
            )
        ctx.vars.update(pickup_at=None, when_said="", readback=False, **{OFFERED: None})


def _booking_from_now(ctx: StepContext) -> None:
    """A car now becoming a booking (a yes naming a time at its read-back): the booking
    rules said in its prompts, the day today until one is said, no hour held; the draft is
    read back again once the time is checked (`readback`)."""
    rules = ahead.AheadRules.from_settings(ctx.settings)
    ctx.vars.pop("pickup_clock", None)
    ctx.vars.update(
        readback=True,
        unclear=0,
        pickup_day=ctx.today.isoformat(),
        day_said=ahead.spoken_day(ctx.today, ctx.today),
        service_hours=ahead.service_hours(rules),
        release_minutes=rules.release_minutes,
        booking_days=rules.booking_days,
    )


# A time within this many minutes of the read-back of a car now, either side, is that car:
# "对，九点的" at 9:00 (or at 8:57, or heard at 9:03) wants the car now, never a booking
# refused as past. Further ahead the booking rules say it is too soon and offer the car now.
NOW_MINUTES = 5


def note_now_offered(ctx: StepContext) -> None:
    """What the read-back of a car now offers, as a change answer: today, the half-day it
    is, no hour ("对，今天的" agrees; "对，十点的", "好，明天" name another time), and every
    minute within `NOW_MINUTES` of now ("对，九点的" at 9:00 agrees: a car now), in the
    evening also as the bare hour reads (九点 is 9:00 to the understanding, at 21:00 too)."""
    now = local_now(ctx.now)
    today = now.date().isoformat()
    offered: list[dict[str, Any]] = [
        {"date": today, "clock": None, "session": ahead.half_day(now.hour), "to": None}
    ]
    for minutes in range(-NOW_MINUTES, NOW_MINUTES + 1):
        moment = now + timedelta(minutes=minutes)
        if moment.date() != now.date():
            continue
        hours = [moment.hour] + ([moment.hour - 12] if moment.hour >= 18 else [])
        offered += [
            {"date": today, "clock": [hour, moment.minute], "session": ahead.half_day(hour),
             "to": None}
            for hour in hours
        ]
    ctx.vars[OFFERED] = offered


# --- used by the taxi flow's start_ride_request ------------------------------------------


def overlap(ctx: StepContext, pickup_at: datetime, *, exclude_id: int | None = None) -> bool:
    """Would this booking double a ride of the rider's? The first is then named for the
    caller (`overlap_said`)."""
    first = ahead.overlapping_ride(
        ctx.session,
        person_id=ctx.vars.get("person_id"),
        number=ctx.call.from_number,
        pickup_at=pickup_at,
        now=ctx.now,
        exclude_id=exclude_id,
    )
    if first is None:
        return False
    whose = ctx.vars.get("rider", "您") if ctx.vars.get("passenger_contact_id") else "您"
    ctx.vars.pop("overlap_ride_id", None)
    if first.status == RideStatus.SCHEDULED and first.pickup_at is not None:
        # Remembered: a car then booked at another time in this call is asked about
        # against this one ("改到后天" may mean moving it; app/taxi/call_actions.queue_ride).
        ctx.vars["overlap_ride_id"] = first.id
        place_id = first.pickup_place_id
        place = ctx.session.get(SavedPlace, place_id) if place_id else None
        ctx.vars["overlap_said"] = texts.spoken(
            "ride_overlap_booked",
            whose=whose,
            when=ahead.spoken_pickup(first.pickup_at, ctx.now),
            place=place.label if place else texts.spoken("place_said"),
        )
    else:
        ctx.vars["overlap_said"] = texts.spoken("ride_overlap_now", whose=whose)
    return True


def start_booking(ctx: StepContext, ride: Ride) -> None:
    """The draft of a booking: its time and destination, and the read-back's opening."""
    pickup_at = datetime.fromisoformat(ctx.vars["pickup_at"])
    ride.pickup_at = pickup_at
    apply_destination(ctx, ride)
    ctx.vars.update(readback=True, when_said=when_said(ctx, pickup_at))
    note_offered(ctx, ride)


def note_offered(ctx: StepContext, ride: Ride, *, also: dict[str, Any] | None = None) -> None:
    """What the read-back says, as the understanding gives a change ("明天上午9点" is
    {"date": 明天, "clock": [9, 0], "session": "am", "to": None}), for the engine to tell a
    yes naming the same ("对，九点的") from one naming another time ("对，十点的"). The
    half-day of an evening hour is not kept: the understanding names none for 晚上. `also`:
    the caller's own words found to mean it (`echoes_read_back`)."""
    assert ride.pickup_at is not None
    local = local_now(ride.pickup_at)
    offered = {
        "date": local.date().isoformat(),
        "clock": [local.hour, local.minute],
        "session": ahead.half_day(local.hour) if local.hour < 18 else None,
        "to": ctx.vars.get("destination_said") or None,
    }
    ctx.vars[OFFERED] = [offered, also] if also else [offered]


def _in_half_day(hour: int, session: str) -> bool:
    """Is the hour held one of the half-day said? 上午 (am) is before 12; 下午 (pm) is
    13 to 17 o'clock: 中午12点 and the evening are not (decision: "后天下午的" at 中午12点
    was read back as 后天中午12点; the hour is asked instead)."""
    return hour < 12 if session == "am" else 12 < hour < 18


def _held_hour(ctx: StepContext) -> int:
    """The hour of the pickup held (read back, or just asked for)."""
    clock = ctx.vars.get("pickup_clock")
    return int(clock[0]) if clock else 0


def echoes_read_back(ctx: StepContext, change: dict[str, Any]) -> bool:
    """Does every part a yes names mean what was read back, although the engine could not
    match it part by part? An evening hour said bare ("对，七点" at 晚上7点: a bare 6 to 11
    is understood as the morning); a hospital by another of its names ("对，去医院" at
    去春城第一人民医院); the pickup by its name ("对，到家接我" at 车到家接您). Anything else
    named, or a time found wrong ("对，太早了"), is a change."""
    offered = next(iter(ctx.vars.get(OFFERED) or []), None)
    ride = _draft(ctx)
    if offered is None or ride is None or ride.pickup_at is None or change.get("time_again"):
        return False
    if change.get("date") not in (None, offered["date"]):
        return False
    clock, held = change.get("clock"), offered["clock"]
    if clock is not None:
        evening = held[0] >= 18 and [clock[0] + 12, clock[1]] == held
        if list(clock) != held and not evening:
            return False
    elif change.get("session") not in (None, offered["session"]):
        return False
    to = change.get("to")
    if to and to != offered["to"] and not _same_hospital(ctx, ride, str(to)):
        return False
    place = change.get("place")
    if place:
        # Imported here: the taxi flow's actions import this module.
        from app.taxi.call_actions import place_by_name

        found = place_by_name(ctx, str(place))
        if found is None or found["id"] != ride.pickup_place_id:
            return False
    return True


def _same_hospital(ctx: StepContext, ride: Ride, said: str) -> bool:
    """A hospital said that is where the ride goes: 医院 itself, or one of its names."""
    if not ride.to_hospital or ride.pickup_at is None or not is_hospital(ctx, said):
        return False
    day = local_now(ride.pickup_at).date()
    return said == HOSPITAL or destination_for(ctx, said, day) == ride.destination


def when_said(ctx: StepContext, pickup_at: datetime) -> str:
    """给您母亲张秀英约的车，明天（星期二）早上8点， / 明天（星期二）早上8点，"""
    whose = (
        texts.spoken("ride_booked_for", rider=ctx.vars.get("rider", ""))
        if ctx.vars.get("passenger_contact_id")
        else ""
    )
    return f"{whose}{ahead.spoken_pickup(pickup_at, ctx.now, weekday=True)}，"


def apply_destination(ctx: StepContext, ride: Ride) -> None:
    """Where the car goes, said with the time, becomes the ride's destination and is read
    back (`to_said`): a hospital (the ride goes ahead in the queue); else a saved place of
    the rider's by its name ("女儿家", with its address for the driver); else the words
    said, for the driver. Never dropped silently (trial ten: "克女儿家" was)."""
    said = ctx.vars.get("destination_said")
    if not said or ride.pickup_at is None:
        return
    if not is_hospital(ctx, said):
        place = _saved_place(ctx, said)
        ride.to_hospital = False
        address = ctx.vars.get("destination_address") or {}
        if place:
            ride.destination = f"{place['label']}（{place['address']}）"
        elif address.get("for") == said:  # a home not saved: its address as the caller said it
            ride.destination = f"{said}（{address['words']}）"
        else:
            ride.destination = said
        ride.priority = ride_priority(age=ctx.vars.get("age"), to_hospital=False)
        to = f"去{place.get('said', place['label']) if place else said}"
        if not place and address.get("for") == said:
            to = f"去{said}（{address['words']}）"
        ctx.vars.update(hospital_said="", to_said=to, place_to_said=to)
        return
    name = destination_for(ctx, said, local_now(ride.pickup_at).date())
    ride.to_hospital = True
    ride.destination = name
    ride.priority = ride_priority(age=ctx.vars.get("age"), to_hospital=True)
    spoken = said_hospital(ctx, name, local_now(ride.pickup_at).date())
    ctx.vars.update(hospital_said=spoken, to_said=f"去{spoken}", place_to_said="")


# "去女儿家", "克翠湖公园": the words after the last 去 (克 is 去 once cleaned), to the end of
# the clause. Not a pickup ("去女儿家接我": that is where the car picks up).
_TO_WORDS = re.compile(r"去(?P<to>[^|去]{1,16})$")
# Words that are no place: the time, the car, the asking ("去七点叫个车" is no destination).
_NOT_A_PLACE = re.compile(
    r"[0-9零一二两三四五六七八九十]点|钟|叫|车|接|约|今天|明天|后天|早上|上午|中午|下午|晚上"
)


def said_destination(text: str) -> str | None:
    """Where the car goes in the caller's words, or None: a hospital as the understanding
    finds it (`destination`), on the words with the dialect cleaned, so 克 is 去 ("叫个车克
    医院" is 医院, never "七点叫个车克医院"); else the words after 去 when they name a place
    ("克女儿家" is 女儿家). What the understanding gives is checked: words with a clock or
    the car in them are no destination."""
    cleaned = clean(text or "")
    to = destination(cleaned)
    if to is not None:
        return None if _NOT_A_PLACE.search(to) else to
    for clause in reversed(cleaned.split(SEP)):
        found = _TO_WORDS.search(clause)
        if found is None:
            continue
        words = found["to"].removesuffix("吧").removesuffix("嘛").removesuffix("了")
        return None if not words or _NOT_A_PLACE.search(words) else words
    return None


def is_hospital(ctx: StepContext, said: str) -> bool:
    """A destination said is a hospital: 医院 itself, a hospital's name or short name, a
    saved hospital of the rider's, or words ending in 院."""
    if said == HOSPITAL or said.endswith("院"):
        return True
    place = _saved_place(ctx, said)
    if place is not None:
        return bool(place["kind"] == PlaceKind.HOSPITAL)
    return destination_for(ctx, said, ctx.today) != said


def _saved_place(ctx: StepContext, said: str) -> dict[str, Any] | None:
    """The rider's saved place named (its label or its name as said: 女儿家, 市一院)."""
    places = ctx.vars.get("places", [])
    return next((p for p in places if said in (p["label"], p.get("said"))), None)


def said_hospital(ctx: StepContext, name: str, day: date) -> str:
    """How a car's destination is said: the hospital of the rider's booking that day is a
    booking detail, "医院" until the rider's last four ID digits were typed in this call
    (docs/callflow.md); the ride keeps the full name for the operator and the driver. The
    rider's saved hospital is theirs to hear (a saved place, said at the confirmation). A
    hospital nobody named is said as such: the rider tells the driver which."""
    if name == HOSPITAL:
        return texts.spoken("hospital_unnamed")
    person_id = ctx.vars.get("person_id")
    if not person_id or ctx.vars.get("identity_checked") == person_id:
        return name
    saved = {p["said"] for p in ctx.vars.get("places", []) if p["kind"] == PlaceKind.HOSPITAL}
    if name in saved or name != hospital_booked_on(ctx, day):
        return name
    return HOSPITAL


def destination_for(ctx: StepContext, said: str, day: date) -> str:
    """The hospital by its full name: a short name or name heard among the hospitals; 医院
    alone is the rider's booking on the pickup `day`, else their saved hospital; else as
    said. One rule for every car: a ride now ("叫个车去医院", key 3 去医院), booked ahead."""
    if said == HOSPITAL:
        return (
            hospital_booked_on(ctx, day)
            or next(
                (p["said"] for p in ctx.vars.get("places", []) if p["kind"] == PlaceKind.HOSPITAL),
                None,
            )
            or HOSPITAL
        )
    return hospital_named(ctx, said) or said


def hospital_named(ctx: StepContext, said: str) -> str | None:
    """The full name of the hotline's hospital ``said`` names (市一院, 滇池医院), if any."""
    for hospital in ctx.session.scalars(select(Hospital).order_by(Hospital.id)):
        names = [n for n in (hospital.short_name, hospital.name) if n]
        if any(n in said or said in n for n in names):
            return hospital.name
    return None


def hospital_booked_on(ctx: StepContext, day: date) -> str | None:
    """The hospital of the rider's booking that day, by its full name."""
    person_id = ctx.vars.get("person_id")
    if not person_id:
        return None
    return ctx.session.scalar(
        select(Hospital.name)
        .join(Department, Department.hospital_id == Hospital.id)
        .join(Appointment, Appointment.department_id == Department.id)
        .where(
            Appointment.patient_id == person_id,
            Appointment.day == day,
            Appointment.status == AppointmentStatus.BOOKED,
        )
        .order_by(Appointment.id)
        .limit(1)
    )


# Someone's home ("女儿家", "儿子那里", "我姐家"): a place only the caller knows the way to.
_A_HOME = re.compile(r"(家|家里|那里|那边|屋头)$")
_OWN_HOME = ("家", "家里", "屋头", "屋里", "这里", "那里", "那边")


def needs_address(ctx: StepContext) -> bool:
    """A home not saved named as where a booked car goes ("去女儿家" from a caller with no
    女儿家 on file): never booked as a bare name (trial eleven), its address is asked."""
    said = ctx.vars.get("destination_said")
    if not said or not _A_HOME.search(said) or _saved_place(ctx, said) is not None:
        return False
    if said.removeprefix("我") in _OWN_HOME or is_hospital(ctx, said):  # 回家里: their own
        return False
    return (ctx.vars.get("destination_address") or {}).get("for") != said


def drop_same_destination(ctx: StepContext, ride: Ride) -> bool:
    """Never a car from a place to itself: when the booking's pickup is the saved place
    the car was going to (or the place said as where it goes is the pickup), the
    destination is dropped (`same_place` names it) and the caller asked where it goes."""
    said = ctx.vars.get("destination_said")
    if not said or ride.pickup_place_id is None or ride.pickup_at is None:
        return False
    pickup = next((p for p in ctx.vars.get("places", []) if p["id"] == ride.pickup_place_id), None)
    if pickup is None or said not in (pickup["label"], pickup.get("said")):
        if pickup is None or not ride.to_hospital or pickup["kind"] != PlaceKind.HOSPITAL:
            return False
        if destination_for(ctx, said, local_now(ride.pickup_at).date()) != pickup.get("said"):
            return False
    ride.destination = None
    ride.to_hospital = False
    ride.priority = ride_priority(age=ctx.vars.get("age"), to_hospital=False)
    ctx.vars.update(
        destination_said=None, to_said="", place_to_said="", hospital_said="",
        same_place=pickup.get("said", pickup["label"]),
    )
    return True


def readback_kind(ctx: StepContext, ride: Ride) -> str:
    """Which read-back fits the draft: to a hospital from home, home, a saved place, the
    words heard, or the recording only."""
    place = ctx.session.get(SavedPlace, ride.pickup_place_id) if ride.pickup_place_id else None
    if place is not None and place.kind == PlaceKind.HOME:
        return "hospital" if ride.to_hospital else "home"
    if place is not None:
        return "place"
    return "heard" if ride.pickup_transcript else "recorded"


def reset(variables: dict[str, Any]) -> None:
    """No booking in progress (a ride now, or a booking starting afresh)."""
    variables.update(
        pickup_at=None, when_said="", readback=False, destination_said=None, to_said="",
        place_to_said="", **{OFFERED: None, ECHO: None},
    )


def _draft(ctx: StepContext) -> Ride | None:
    ride_id = ctx.vars.get("ride_id")
    return ctx.session.get(Ride, ride_id) if ride_id else None
