"""Actions of the hospital registration flow (dialogs/hospital.yaml).

They call the booking services (`app.hospital.appointments`, `appointment_offers`,
`patients`, `upcoming_appointments`), which hold every booking rule; these only keep
the call's variables (who the patient is, what was offered) and turn results and refusals
into flow outcomes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.callflow.actions import ActionRegistry
from app.calls.service import StepContext
from app.hospital import appointments
from app.hospital import offers as appointment_offers
from app.hospital import upcoming as upcoming_appointments
from app.hospital.enums import ClinicSession
from app.hospital.errors import BookingError
from app.hospital.offers import Offer
from app.hospital.patients import SELF, patients_for_caller, set_id_number
from app.people.models import Person
from app.people.names import polite_name

ID_TRIES = 3  # wrong ID numbers typed before a person helps
LOOK_AHEAD = 30  # offers scanned for "a later one"
PATIENTS_BY_KEY = 9


def register_hospital_actions(registry: ActionRegistry) -> None:
    @registry.register("choose_patient", outcomes=("self", "other", "several", "none"))
    def choose_patient(ctx: StepContext) -> str:
        """Whom the caller may book for: themself and relatives who let them act for them."""
        number = ctx.call.from_number
        patients = patients_for_caller(ctx.session, number=number) if number else []
        ctx.vars["patients"] = [
            {
                "id": p.person.id,
                "name": _name(ctx, p.person),
                "relation": p.relation,
                "contact_id": p.contact_id,
            }
            for p in patients[:PATIENTS_BY_KEY]
        ]
        if not patients:
            return "none"
        if len(patients) > 1:
            ctx.vars["patients_menu"] = "；".join(
                f"给{'您自己' if p['relation'] == SELF else p['name']}挂，请按{i}"
                for i, p in enumerate(ctx.vars["patients"], start=1)
            )
            return "several"
        _set_patient(ctx, ctx.vars["patients"][0])
        return "self" if patients[0].relation == SELF else "other"

    @registry.register("pick_patient", outcomes=("found", "not_found"))
    def pick_patient(ctx: StepContext) -> str:
        choice = ctx.vars.get("patient_choice")
        patients = ctx.vars.get("patients", [])
        if not isinstance(choice, int) or not 1 <= choice <= len(patients):
            return "not_found"
        _set_patient(ctx, patients[choice - 1])
        return "found"

    @registry.register("check_patient_id", outcomes=("has_id", "no_id"))
    def check_patient_id(ctx: StepContext) -> str:
        """Real-name booking: the patient's ID number must be on file."""
        person = ctx.session.get(Person, ctx.vars["patient_id"])
        return "has_id" if person is not None and person.id_number else "no_id"

    @registry.register("store_id_number", outcomes=("stored", "invalid", "gave_up"))
    def store_id_number(ctx: StepContext) -> str:
        try:
            set_id_number(
                ctx.session,
                person_id=ctx.vars["patient_id"],
                raw=str(ctx.vars["id_typed"]),
                today=ctx.today,
            )
        except BookingError as refusal:
            tries = ctx.vars.get("id_tries", 0) + 1
            ctx.vars.update(id_tries=tries, id_problem=refusal.message.rstrip("。"))
            return "gave_up" if tries >= ID_TRIES else "invalid"
        finally:
            ctx.vars.pop("id_typed", None)  # the number itself is not kept in the call state
        return "stored"

    @registry.register("find_upcoming_booking", outcomes=("booked", "none"))
    def find_upcoming_booking(ctx: StepContext) -> str:
        """The patient's next live booking, to offer cancelling it."""
        upcoming = upcoming_appointments.upcoming(
            ctx.session, patient_id=ctx.vars["patient_id"], now=ctx.now
        )
        if not upcoming:
            return "none"
        ctx.vars.update(upcoming_id=upcoming[0].appointment_id, upcoming_text=upcoming[0].spoken)
        return "booked"

    @registry.register("cancel_upcoming_booking", outcomes=("cancelled", "refused"), commits=True)
    def cancel_upcoming_booking(ctx: StepContext) -> str:
        """The caller confirmed: cancel the booking read out to them (before the deadline)."""
        try:
            appointments.cancel(
                ctx.session,
                appointment_id=ctx.vars["upcoming_id"],
                now=ctx.now,
                reason="来电者在电话里取消",
            )
        except BookingError as refusal:
            ctx.vars["cancel_problem"] = refusal.message
            return "refused"
        return "cancelled"

    @registry.register("find_first_offer", outcomes=("found", "none"))
    def find_first_offer(ctx: StepContext) -> str:
        return _offer_first(ctx, _offers(ctx))

    @registry.register("find_later_offer", outcomes=("found", "none"))
    def find_later_offer(ctx: StepContext) -> str:
        current = ctx.vars.get("offer") or {}
        after = (current.get("day", ""), current.get("order", -1))
        later = [
            o for o in _offers(ctx, limit=LOOK_AHEAD) if (o.day.isoformat(), _order(o)) > after
        ]
        return _offer_first(ctx, later)

    @registry.register("find_offer_on_day", outcomes=("found", "none"))
    def find_offer_on_day(ctx: StepContext) -> str:
        wanted: dict[str, Any] = ctx.vars.get("wanted") or {}
        day = date.fromisoformat(wanted["date"]) if wanted.get("date") else None
        session = ClinicSession(wanted["session"]) if wanted.get("session") else None
        if day is None:
            return "none"
        return _offer_first(ctx, _offers(ctx, day=day, clinic_session=session))

    @registry.register(
        "book_appointment",
        outcomes=("booked", "taken", "already_booked", "id_required", "refused"),
        commits=True,
    )
    def book_appointment(ctx: StepContext) -> str:
        """The caller said yes to the offer read back in full: book it."""
        try:
            appointments.book(
                ctx.session,
                slot_id=ctx.vars["offer"]["slot_id"],
                patient_id=ctx.vars["patient_id"],
                now=ctx.now,
                booked_by_number=ctx.call.from_number,
                booked_by_contact_id=ctx.vars.get("patient_contact_id"),
                call_id=ctx.call.id,
            )
        except BookingError as refusal:
            ctx.vars["booking_problem"] = refusal.message
            if refusal.code in ("slot_taken", "slot_unavailable"):
                return "taken"
            if refusal.code in ("already_booked", "id_required"):
                return refusal.code
            return "refused"
        ctx.vars["booked_text"] = ctx.vars["offer_text"]
        return "booked"


def _name(ctx: StepContext, person: Person) -> str:
    return polite_name(
        full_name=person.full_name,
        gender=person.gender,
        birth_date=person.birth_date,
        today=ctx.today,
        call_name=person.call_name,
    )


def _set_patient(ctx: StepContext, patient: dict[str, Any]) -> None:
    self_booking = patient["relation"] == SELF
    ctx.vars.update(
        patient_id=patient["id"],
        patient_contact_id=patient["contact_id"],
        patient_name="您" if self_booking else patient["name"],
    )


def _offers(
    ctx: StepContext,
    *,
    limit: int = 1,
    day: date | None = None,
    clinic_session: ClinicSession | None = None,
) -> list[Offer]:
    try:
        return appointment_offers.find_offers(
            ctx.session,
            department=ctx.vars["department"],
            patient_id=ctx.vars["patient_id"],
            now=ctx.now,
            day=day,
            clinic_session=clinic_session,
            limit=limit,
        )
    except BookingError as refusal:  # e.g. suspended: no offers by phone
        ctx.vars["booking_problem"] = refusal.message
        return []


def _order(offer: Offer) -> int:
    """Position of an offer within its day, to find "a later one"."""
    session = 0 if offer.session == ClinicSession.AM else 1
    return session * 10_000 + offer.start_time.hour * 100 + offer.start_time.minute


def _offer_first(ctx: StepContext, offers: list[Offer]) -> str:
    if not offers:
        return "none"
    offer = offers[0]
    ctx.vars["offer"] = {
        "slot_id": offer.slot_id,
        "day": offer.day.isoformat(),
        "order": _order(offer),
    }
    ctx.vars["offer_text"] = offer.spoken
    return "found"
