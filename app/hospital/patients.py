"""Who a caller may book for, and the real-name facts about a patient that booking needs.

`patients_for_caller` lists the caller themself (`SELF`, 本人) and the relatives who list
the caller's number as a family contact allowed to act for them; `set_id_number` stores a
resident ID typed on the keypad (real-name booking, measure 14). The small helpers
`get_patient`, `patient_age` and `check_not_suspended` are the patient checks shared by
offering and booking. Refusals raise `BookingError`; ID numbers are never logged.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.hospital.errors import BookingError
from app.people.age import age_on
from app.people.models import FamilyContact, Person, PersonPhone
from app.people.resident_id import InvalidResidentId, ResidentId, parse_resident_id

SELF = "本人"


class CallerPatient(NamedTuple):
    """Someone the caller may book for: themself (relation 本人) or a relative."""

    person: Person
    relation: str
    contact_id: int | None  # the FamilyContact to pass as booked_by_contact_id


# --- who may be booked ------------------------------------------------------------------

# A family contact's relation to the patient -> what the patient is to the caller
# (female, male): the daughter (女儿) calls about her 母亲.
_PATIENT_TO_CALLER: dict[str, tuple[str, str]] = {
    "女儿": ("母亲", "父亲"),
    "儿子": ("母亲", "父亲"),
    "子女": ("母亲", "父亲"),
    "孙女": ("奶奶", "爷爷"),
    "孙子": ("奶奶", "爷爷"),
    "外孙女": ("外婆", "外公"),
    "外孙": ("外婆", "外公"),
    "儿媳": ("婆婆", "公公"),
    "女婿": ("岳母", "岳父"),
    "妻子": ("老伴", "老伴"),
    "丈夫": ("老伴", "老伴"),
    "老伴": ("老伴", "老伴"),
    "家庭医生": ("签约居民", "签约居民"),
}


def patient_to_caller(relation: str, gender: str | None) -> str:
    """您母亲 / 您父亲 / 您家人: the patient named from the calling relative's side."""
    pair = _PATIENT_TO_CALLER.get(relation.strip())
    if pair is None or (gender not in ("F", "M") and pair[0] != pair[1]):
        return "您家人"
    return "您" + (pair[0] if gender == "F" else pair[1])



def patients_for_caller(session: Session, *, number: str) -> list[CallerPatient]:
    """The person registered with this phone (本人) first, then the people who list this
    number as a family contact allowed to act for them (family booking, measure 14)."""
    result: list[CallerPatient] = []
    own = session.scalar(select(Person).join(PersonPhone).where(PersonPhone.number == number))
    if own is not None:
        result.append(CallerPatient(own, SELF, None))
    contacts = session.execute(
        select(FamilyContact, Person)
        .join(Person, FamilyContact.person_id == Person.id)
        .where(FamilyContact.phone == number, FamilyContact.may_act_for.is_(True))
        .order_by(FamilyContact.id)
    ).all()
    seen = {own.id} if own is not None else set()
    for contact, person in contacts:
        if person.id not in seen:
            seen.add(person.id)
            result.append(CallerPatient(person, contact.relation, contact.id))
    return result


def check_id_number(
    session: Session, *, person_id: int, raw: str, today: date | None = None
) -> ResidentId:
    """Validate a resident ID typed for this person without storing it (the phone flow
    reads it back and keeps it only once a booking is confirmed).

    Refuses an invalid number (`id_invalid`), one registered to another person
    (`id_in_use`) and one whose birth date contradicts the registered one
    (`id_mismatch`).
    """
    person = get_patient(session, person_id)
    try:
        resident = parse_resident_id(raw, today=today)
    except InvalidResidentId as exc:
        raise BookingError("id_invalid", reason=str(exc)) from None
    other = session.scalar(
        select(Person.id).where(Person.id_number == resident.number, Person.id != person.id)
    )
    if other is not None:
        raise BookingError("id_in_use")
    if person.birth_date is not None and person.birth_date != resident.birth_date:
        raise BookingError("id_mismatch")
    return resident


def set_id_number(
    session: Session, *, person_id: int, raw: str, today: date | None = None
) -> str:
    """Validate (`check_id_number`) and store a resident ID; returns it masked.

    Fills in a missing birth date and gender from the number.
    """
    person = get_patient(session, person_id)
    resident = check_id_number(session, person_id=person_id, raw=raw, today=today)
    person.id_number = resident.number
    person.birth_date = person.birth_date or resident.birth_date
    person.gender = person.gender or resident.gender
    try:
        session.flush()
    except IntegrityError:  # another person took the number at the same moment
        raise BookingError("id_in_use") from None
    return resident.masked


# --- patient checks shared by offering and booking --------------------------------------


def get_patient(session: Session, patient_id: int, *, with_phones: bool = False) -> Person:
    """The registered person, or BookingError `patient_not_found`; `with_phones` loads
    their phones in the same statement (a booking texts them)."""
    options = [joinedload(Person.phones)] if with_phones else []
    patient = session.get(Person, patient_id, options=options)
    if patient is None:
        raise BookingError("patient_not_found")
    return patient


class PatientFacts(Protocol):
    """What the age and suspension checks read of a patient: a `Person`, or the row a
    booking reads (`app.hospital.appointments`)."""

    @property
    def birth_date(self) -> date | None: ...

    @property
    def id_number(self) -> str | None: ...

    @property
    def booking_suspended_until(self) -> date | None: ...


def patient_age(patient: PatientFacts | None, today: date) -> int | None:
    """Age from the registered birth date, else from the ID number; None if unknown."""
    if patient is None:
        return None
    born = patient.birth_date
    if born is None and patient.id_number:
        try:
            born = parse_resident_id(patient.id_number, today=today).birth_date
        except InvalidResidentId:
            born = None
    return age_on(born, today)


def check_not_suspended(patient: PatientFacts, today: date) -> None:
    """BookingError `suspended` while a no-show penalty keeps the patient from booking."""
    until = patient.booking_suspended_until
    if until is not None and today < until:
        raise BookingError("suspended", until=until)
