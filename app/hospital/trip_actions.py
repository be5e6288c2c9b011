"""Actions of the hospital trip offer (dialogs/hospital.yaml, after a booking and after a
cancel) and of the reminder call the day before (dialogs/reminder.yaml).

They call `app.taxi.hospital_trips` (the ride linked to an appointment), the booking
service `app.hospital.appointments` and `app.hospital.reminders` (each answer of the
reminder call is recorded on its try). The appointment concerned is the call variable
`trip_appointment_id`; in a reminder call `reminder_id` names the try.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app import texts
from app.callflow.actions import ActionRegistry
from app.calls.service import StepContext
from app.hospital import appointments, reminders
from app.hospital.enums import AppointmentStatus, ClinicSession
from app.hospital.errors import BookingError, patient_in_call
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.hospital.rules import spoken_clock, spoken_visit_day
from app.people.enums import PlaceKind
from app.people.models import Person
from app.taxi import ahead, hospital_trips, notifications
from app.taxi.hospital_trips import Canceller, TripRefused
from app.taxi.models import Ride
from app.taxi.whose import rider_for_caller, rider_short

REMINDER_CANCEL_REASON = "提醒电话里取消"
CALLER = Canceller.CALLER  # every cancel here is by phone (hospital_trips.car_fate)


def register_trip_actions(registry: ActionRegistry) -> None:
    _register_trip(registry)
    _register_reminder(registry)


# --- the trip offer -------------------------------------------------------------------------


def _register_trip(registry: ActionRegistry) -> None:
    @registry.register(
        "plan_hospital_trip", outcomes=("offer", "has_ride", "late_ride", "other_ride", "none")
    )
    def plan_hospital_trip(ctx: StepContext) -> str:
        """After a booking (or key 3 of the reminder): a ride linked already is said (the
        booking joined a ride that goes there in time, `book_appointment`). Another ride of
        theirs that half-day is named as it is (`trip_other`, never changed); a new trip is
        offered when one can be booked (an address on file, a time a booked ride can serve,
        no ride of theirs within the hour), else `other_ride`: a person changes the car."""
        appointment_id = ctx.vars["trip_appointment_id"]
        ctx.vars["trip_other"] = ""
        linked = hospital_trips.booked_ride_of(ctx.session, appointment_id)
        if linked is not None and linked.pickup_at is not None:
            _trip_vars(ctx, appointment_id, linked.pickup_at)
            reminders.record_answer(ctx.session, reminder_id=ctx.vars.get("reminder_id"),
                                    answer="has_ride")
            return "has_ride"
        # A car to that hospital, else one naming no place, booked before this visit too.
        late = hospital_trips.replaceable_late_ride(
            ctx.session, appointment_id=appointment_id, now=ctx.now, settings=ctx.settings
        ) or hospital_trips.replaceable_late_ride(
            ctx.session, appointment_id=appointment_id, now=ctx.now, settings=ctx.settings,
            unnamed=True, booked_before_too=True,
        )
        if late is not None:
            # A car of theirs that would miss the visit (booked to that hospital, or to no
            # place named, before the visit): said so, and its replacement offered (never a
            # second car to the same visit); it stays only on their no.
            ride, pickup_at = late
            _trip_vars(ctx, appointment_id, pickup_at)
            assert ride.pickup_at is not None
            ctx.vars["trip_late_id"] = ride.id
            ctx.vars["trip_late_when"] = ahead.spoken_pickup(ride.pickup_at, ctx.now)
            named = hospital_trips.goes_to(ride, ctx.vars["trip_hospital"])
            ctx.vars["trip_other"] = texts.spoken(
                "trip_late_ride" if named else "trip_late_ride_unnamed",
                patient=ctx.vars.get("patient_name") or "您",
                when=ctx.vars["trip_late_when"],
                to=ctx.vars["trip_hospital"],
            )
            return "late_ride"
        other = hospital_trips.other_ride(
            ctx.session, appointment_id=appointment_id, now=ctx.now, settings=ctx.settings
        )
        if other is not None and other.pickup_at is not None:
            ctx.vars["trip_other"] = _other_said(ctx, other)
        try:
            pickup_at = hospital_trips.planned_pickup(
                ctx.session, appointment_id=appointment_id, now=ctx.now, settings=ctx.settings
            )
        except TripRefused as refusal:
            return "other_ride" if refusal.code == "overlap" and ctx.vars["trip_other"] else "none"
        _trip_vars(ctx, appointment_id, pickup_at)
        return "offer"

    @registry.register("book_hospital_trip", outcomes=("booked", "joined", "refused"), commits=True)
    def book_hospital_trip(ctx: StepContext) -> str:
        """The caller said yes to the car: book it, linked to the appointment."""
        outcome = _book(ctx, ctx.vars["trip_appointment_id"])
        return "refused" if outcome == "none" else outcome

    @registry.register("replace_late_ride", outcomes=("replaced", "refused"), commits=True)
    def replace_late_ride(ctx: StepContext) -> str:
        """The caller said yes: the late car is cancelled and the trip booked instead."""
        appointment_id = ctx.vars["trip_appointment_id"]
        try:
            trip = hospital_trips.replace_late_ride(
                ctx.session,
                appointment_id=appointment_id,
                ride_id=ctx.vars["trip_late_id"],
                now=ctx.now,
                settings=ctx.settings,
                caller_number=ctx.call.from_number,
                call_id=ctx.call.id,
            )
        except TripRefused:
            return "refused"
        whose_place, whom = ctx.vars.get("trip_place"), ctx.vars.get("trip_whom")
        _trip_vars(ctx, appointment_id, trip.pickup_at)
        if ctx.vars.get("late_whose", "您") != "您":  # a relative's car: their words kept
            ctx.vars.update(trip_place=whose_place, trip_whom=whom)
        late = ctx.session.get(Ride, ctx.vars["trip_late_id"])
        if late is not None:
            place = hospital_trips.pickup_place(ctx.session, late.person_id) if (
                late.person_id
            ) else None
            notifications.tell_passenger_replaced(
                ctx.session, late, by_number=ctx.call.from_number,
                when=ctx.vars["trip_when"],
                place="家" if place is not None and place.kind == PlaceKind.HOME else (
                    ctx.vars["trip_place"]
                ),
                late_when=ctx.vars["trip_late_when"],
            )
        return "replaced"

    @registry.register("check_listed_car_in_time", outcomes=("in_time", "late"))
    def check_listed_car_in_time(ctx: StepContext) -> str:
        """A booked car just read out (key 3, after the last four digits) that picks the
        rider up too late for a visit that day: said so, and the one-step replacement of the
        late-car path offered (`replace_late_ride`, never two cars). (A car being booked is
        checked at its read-back, app/taxi/late_draft.py.)"""
        ride_id = ctx.vars.get("booked_ride_id")
        ride = ctx.session.get(Ride, ride_id) if ride_id else None
        return "late" if ride is not None and _late_offer(ctx, ride) else "in_time"

    @registry.register("linked_hospital_trip", outcomes=("gone", "ride", "none"))
    def linked_hospital_trip(ctx: StepContext) -> str:
        """After a cancel: "gone" when the car booked for this appointment went with it
        (`cancel_car_made_for`, in the cancel's step); "ride" when a ride booked before
        and only joined is still booked (the caller is asked about it)."""
        appointment_id = ctx.vars.get("upcoming_id") or ctx.vars.get("trip_appointment_id")
        if appointment_id is None:
            return "none"
        if gone := ctx.vars.pop("car_cancelled_at", None):
            _trip_vars(ctx, appointment_id, datetime.fromisoformat(gone))
            return "gone"
        ride = hospital_trips.booked_ride_of(ctx.session, appointment_id)
        if ride is None or ride.pickup_at is None:
            return "none"
        ctx.vars["trip_appointment_id"] = appointment_id
        _trip_vars(ctx, appointment_id, ride.pickup_at)
        return "ride"

    @registry.register("cancel_hospital_trip", outcomes=("cancelled",), commits=True)
    def cancel_hospital_trip(ctx: StepContext) -> str:
        """The caller confirmed: the ride to the cancelled appointment goes too."""
        hospital_trips.cancel_for(ctx.session, appointment_id=ctx.vars["trip_appointment_id"])
        reminders.record_answer(ctx.session, reminder_id=ctx.vars.get("reminder_id"),
                                answer="cancelled_both")
        return "cancelled"


def _book(ctx: StepContext, appointment_id: int) -> str:
    try:
        trip = hospital_trips.book(
            ctx.session,
            appointment_id=appointment_id,
            now=ctx.now,
            settings=ctx.settings,
            caller_number=ctx.call.from_number,
            call_id=ctx.call.id,
        )
    except TripRefused:
        return "none"
    _trip_vars(ctx, appointment_id, trip.pickup_at)
    reminders.record_answer(
        ctx.session, reminder_id=ctx.vars.get("reminder_id"),
        answer="ride_joined" if trip.joined else "ride_booked",
    )
    return "joined" if trip.joined else "booked"


def _trip_vars(ctx: StepContext, appointment_id: int, pickup_at: datetime) -> None:
    appointment = ctx.session.get(Appointment, appointment_id)
    assert appointment is not None
    place = hospital_trips.pickup_place(ctx.session, appointment.patient_id)
    name, _ = hospital_trips.destination(ctx.session, appointment)
    ctx.vars["trip_when"] = ahead.spoken_pickup(pickup_at, ctx.now)
    # "要，八点的" at a car at 7:15 is never booked for 7:15 (docs/hospital_calls.md).
    ctx.vars["trip_offered"] = ahead.as_offered(pickup_at)
    ctx.vars["trip_place"] = place.label if place is not None else texts.spoken("place_said")
    # Where to wait for the car, said with its time where "提前半小时到" is said without one.
    ctx.vars["trip_wait"] = (
        "家" if place is not None and place.kind == PlaceKind.HOME else ctx.vars["trip_place"]
    )
    ctx.vars["trip_whom"] = ""
    relation = ctx.vars.get("patient_relation") or ""
    if relation and not ctx.vars.get("patient_self", True):
        # To a relative, whose home and whom the car fetches: 到您母亲家接她 (the caller's
        # own home may be elsewhere).
        person = ctx.session.get(Person, appointment.patient_id)
        gender = person.gender if person is not None else None
        ctx.vars["trip_whom"] = {"F": "她", "M": "他"}.get(gender or "", "")
        if place is not None and place.kind == PlaceKind.HOME:
            ctx.vars["trip_place"] = f"{relation}家"
    ctx.vars["trip_hospital"] = name
    ctx.vars.setdefault("patient_name", "您")


def _late_offer(ctx: StepContext, ride: Ride) -> bool:
    """Set the late-car question's variables when `ride` would miss a visit of its rider
    (`hospital_trips.appointment_missed_by`); False when it misses none."""
    missed = hospital_trips.appointment_missed_by(
        ctx.session, ride=ride, now=ctx.now, settings=ctx.settings
    )
    if missed is None or ride.pickup_at is None:
        return False
    appointment, pickup_at = missed
    _trip_vars(ctx, appointment.id, pickup_at)
    whom = rider_short(ctx, ride)  # 您, or 您母亲: never the caller's own for a relative's
    place = hospital_trips.pickup_place(ctx.session, appointment.patient_id)
    if whom != "您" and place is not None and place.kind == PlaceKind.HOME:
        ctx.vars["trip_place"] = f"{whom}家"  # 到您母亲家接她: not the caller's home
    rider = rider_for_caller(ctx, ride)
    ctx.vars["trip_whom"] = rider[1] if rider is not None and whom != "您" else ""
    ctx.vars.update(
        trip_appointment_id=appointment.id,
        trip_late_id=ride.id,
        trip_late_when=ahead.spoken_pickup(ride.pickup_at, ctx.now),
        late_whose=whom,
    )
    return True


def _other_said(ctx: StepContext, ride: Ride) -> str:
    """您明天早上8点已经约了车，去春城第一人民医院。这辆车不变。"""
    assert ride.pickup_at is not None
    to = (ride.destination or "").split("（")[0]
    if not (ctx.vars.get("reminder_id") or ctx.vars.get("identity_checked") == ride.person_id):
        to = ""  # where a car goes waits for the last four digits (not the reminder we placed)
    return texts.spoken(
        "trip_other_ride_to" if to else "trip_other_ride",
        patient=ctx.vars.get("patient_name") or "您",
        when=ahead.spoken_pickup(ride.pickup_at, ctx.now),
        to=to,
    )


# --- the reminder call ------------------------------------------------------------------------


def _register_reminder(registry: ActionRegistry) -> None:
    @registry.register("start_reminder", outcomes=("ready", "gone"))
    def start_reminder(ctx: StepContext) -> str:
        """The patient picked up: which try and appointment this call is about."""
        reminder = reminders.reminder_of_call(ctx.session, ctx.call.id)
        if reminder is None:
            return "gone"
        ctx.vars["reminder_id"] = reminder.id
        appointment = ctx.session.get(Appointment, reminder.appointment_id)
        if appointment is None or appointment.status != AppointmentStatus.BOOKED:
            return "gone"
        person = ctx.session.get(Person, appointment.patient_id)
        assert person is not None
        ctx.vars.update(_appointment_said(ctx, appointment))
        ctx.vars["cancel_car"] = car_note(ctx, appointment.id)
        ctx.vars.update(
            trip_appointment_id=appointment.id,
            upcoming_id=appointment.id,
            patient_id=appointment.patient_id,
            patient_name="您",
            call_name=person.call_name or "",
            reminder_ride="",
        )
        ride = hospital_trips.booked_ride_of(ctx.session, appointment.id)
        if ride is not None and ride.pickup_at is not None:
            _trip_vars(ctx, appointment.id, ride.pickup_at)
            ctx.vars["reminder_ride"] = texts.spoken(
                "reminder_ride_booked", when=ctx.vars["trip_when"], place=ctx.vars["trip_place"]
            )
        return "ready"

    @registry.register("reminder_kept", outcomes=("done",))
    def reminder_kept(ctx: StepContext) -> str:
        """Not cancelled after all: the answer is recorded."""
        reminders.record_answer(ctx.session, reminder_id=ctx.vars.get("reminder_id"), answer="kept")
        return "done"

    @registry.register("reminder_person", outcomes=("done",))
    def reminder_person(ctx: StepContext) -> str:
        """The patient asked for a person (or could not be understood)."""
        reminders.record_answer(ctx.session, reminder_id=ctx.vars.get("reminder_id"),
                                answer="person")
        return "done"

    @registry.register("reminder_hung_up")
    def reminder_hung_up(ctx: StepContext) -> None:
        """The call ended: a patient who chose nothing has heard the reminder."""
        reminders.record_answer(ctx.session, reminder_id=ctx.vars.get("reminder_id"),
                                answer="heard")

    @registry.register(
        "cancel_reminded_appointment", outcomes=("cancelled", "refused"), commits=True
    )
    def cancel_reminded_appointment(ctx: StepContext) -> str:
        """Confirmed by 8, after the last four digits of the ID number: cancel the booking."""
        if not ctx.vars.get("identity_checked"):  # never without the last four digits
            ctx.vars["cancel_problem"] = ""
            return "refused"
        try:
            appointments.cancel(
                ctx.session, appointment_id=ctx.vars["upcoming_id"], now=ctx.now,
                reason=REMINDER_CANCEL_REASON,
            )
        except BookingError as refusal:
            ctx.vars["cancel_problem"] = refusal.said(ctx.today, patient=patient_in_call(ctx.vars))
            return "refused"
        reminders.record_answer(ctx.session, reminder_id=ctx.vars.get("reminder_id"),
                                answer="cancelled")
        if cancel_car_made_for(ctx, ctx.vars["upcoming_id"]):
            reminders.record_answer(ctx.session, reminder_id=ctx.vars.get("reminder_id"),
                                    answer="cancelled_both")
        return "cancelled"


def cancel_car_made_for(ctx: StepContext, appointment_id: int) -> bool:
    """The appointment was just cancelled by phone: the car booked for it (not a ride
    booked before and only joined) goes too, in the same step, as the booking's goodbye
    promised ("不能去的话…打电话取消，车也会一起取消"). Its pickup is kept for the words
    that say so (`linked_hospital_trip`)."""
    trip = hospital_trips.trip_of(ctx.session, appointment_id)
    ride = hospital_trips.booked_ride_of(ctx.session, appointment_id) if trip else None
    if trip is None or ride is None or ride.pickup_at is None:
        return False
    if hospital_trips.car_fate(trip, CALLER) is not hospital_trips.CarFate.CANCELLED:
        return False  # a ride booked before and only joined: asked afterwards
    pickup_at = ride.pickup_at
    if hospital_trips.cancel_for(ctx.session, appointment_id=appointment_id) is None:
        return False  # still taking another booking of that morning
    ctx.vars["car_cancelled_at"] = pickup_at.isoformat()
    return True


def car_note(ctx: StepContext, appointment_id: int) -> str:
    """Said in the cancel question when a car was booked for this appointment."""
    trip = hospital_trips.trip_of(ctx.session, appointment_id)
    if trip is None or hospital_trips.car_fate(
        trip, CALLER
    ) is not hospital_trips.CarFate.CANCELLED or hospital_trips.booked_ride_of(
        ctx.session, appointment_id
    ) is None:
        return ""
    return texts.spoken("cancel_car_too")


def _appointment_said(ctx: StepContext, appointment: Appointment) -> dict[str, str]:
    """The reminder's variables: 明天星期二上午8点, the hospital, department and doctor."""
    row = ctx.session.execute(
        select(Slot, Doctor, Department, Hospital)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .join(Hospital, Hospital.id == Department.hospital_id)
        .where(Slot.id == appointment.slot_id)
    ).one()
    slot, doctor, department, hospital = row
    part = "上午" if appointment.session == ClinicSession.AM else "下午"
    when = f"{spoken_visit_day(appointment.day, ctx.today)}{part}{spoken_clock(slot.start_time)}"
    return {
        "reminder_when": when,
        "reminder_hospital": hospital.name,
        "reminder_department": department.name,
        # 李医生 as named on the schedule, 李明 -> 李明医生: never "李医生医生".
        "reminder_doctor": doctor.name if doctor.name.endswith("医生") else f"{doctor.name}医生",
        "cancel_text": f"{when}{department.name}",
    }
