"""Registering an older person: name, resident ID, phones, home and saved places, family.

Used by the roster import now and by the community console and family self-service
later. Each function is one unit of work on the Session it is given: it validates
everything first (raising `RegistrationError` before anything is written), then changes
the rows and flushes; the caller commits or rolls back. Rules (docs/registration.md):

- a resident ID is optional; when given it must pass the GB 11643 check digit, and the
  birth date and sex are taken from it; one ID belongs to one person;
- every phone number, mobile or landline, is bound to exactly one person; a number bound
  to someone else is refused unless the caller explicitly asks to re-bind it;
- the home is saved place 1 (label 家 unless another is given); at most ten saved places
  in all, each with the label the person would say and a different label from the others;
- a family contact says what they may do: order taxis (`may_order_taxi`), book hospital
  appointments (`may_act_for`, which the hospital flow reads), be told (`notify`);
- every registration, change and deactivation is written to the audit trail
  (app/people/audit.py) with who made it; a person whose number is re-bound gets an entry too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.people import audit
from app.people.audit import Actor
from app.people.enums import ConsentBasis, PhoneKind, PlaceKind
from app.people.models import (
    MAX_SAVED_PLACES,
    Community,
    FamilyContact,
    Person,
    PersonPhone,
    SavedPlace,
)
from app.people.notice import tell_registered
from app.people.phones import LineKind, line_kind, mask_number, normalise_number
from app.people.resident_id import InvalidResidentId, parse_resident_id

HOME_LABEL = "家"
MAX_NAME = 50
MAX_CALL_NAME = 20
MAX_LABEL = 30
MAX_ADDRESS = 200
MAX_LANDMARK = 100
MAX_RELATION = 20
MAX_REGISTRAR = 100
# A Chinese landline without its leading 0: a 2-3 digit area code and 7-8 digit local number.
MIN_LANDLINE_DIGITS = 9
MAX_LANDLINE_DIGITS = 11


ID_OF_DEACTIVATED = (
    "这个身份证号是一位已经停用的老人的，不用重新登记：请在老人登记里按身份证号后几位找到这位老人，"
    "点“重新启用”（家属请联系老人所在社区）"
)


class RegistrationError(ValueError):
    """Refused input: `.code` is stable for programs, `.message` is Chinese for staff;
    `.number` is the phone number refused (normalised), when one is."""

    def __init__(self, code: str, message: str, *, number: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.number = number


@dataclass(frozen=True)
class PlaceInput:
    """A saved place: the label the person says, the address a driver reads, a landmark."""

    label: str
    address: str
    landmark: str | None = None
    kind: PlaceKind = PlaceKind.OTHER


@dataclass(frozen=True)
class ContactInput:
    """A relative or helper and what they may do for the person."""

    name: str
    relation: str
    phone: str
    may_order_taxi: bool = True
    may_book_appointments: bool = True
    notified: bool = True


@dataclass(frozen=True)
class _Phone:
    number: str
    kind: PhoneKind
    bound_elsewhere: bool = False  # to be taken from another person (rebind=True)


@dataclass(frozen=True)
class _Checked:
    full_name: str
    call_name: str | None
    id_number: str | None
    birth_date: date | None
    gender: str | None
    phones: list[_Phone]
    places: list[PlaceInput]
    contacts: list[ContactInput]


def register_person(
    session: Session,
    *,
    full_name: str,
    registered_by: str,
    consent_basis: ConsentBasis,
    community_id: int | None = None,
    id_number: str | None = None,
    call_name: str | None = None,
    phones: Sequence[str] = (),
    home: PlaceInput | None = None,
    places: Sequence[PlaceInput] = (),
    contacts: Sequence[ContactInput] = (),
    rebind: bool = False,
    now: datetime | None = None,
    staff_user_id: int | None = None,
    actor: Actor | None = None,
    told_by: str | None = None,
) -> Person:
    """Create a person with their phones, places and contacts; returns the flushed Person.

    `registered_by` is also the actor in the audit trail (with `staff_user_id` for staff)
    unless `actor` is given. The person is told by SMS or call that they were registered
    by `told_by` (default: their community, else the hotline) and how to undo it."""
    registrar = (registered_by or "").strip()
    if not registrar:
        raise RegistrationError("missing_registrar", "请填写登记人")
    if len(registrar) > MAX_REGISTRAR:
        raise RegistrationError("registrar_too_long", "登记人名称太长")
    _check_community(session, community_id)
    checked = _check(
        session,
        person_id=None,
        full_name=full_name,
        call_name=call_name,
        id_number=id_number,
        phones=phones,
        home=home,
        places=places,
        contacts=contacts,
        rebind=rebind,
    )
    person = Person(
        community_id=community_id,
        registered_by=registrar,
        registered_at=now or datetime.now(UTC),
        consent_basis=consent_basis,
        active=True,
        phones=[],  # new and empty: no lazy loading later in this unit of work
        places=[],
        contacts=[],
    )
    session.add(person)
    actor = actor or Actor(registrar, staff_user_id)
    _apply(session, person, checked, actor=actor, now=now)
    audit.record(
        session,
        person,
        actor=actor,
        action=audit.REGISTERED,
        lines=audit.describe_registration(person),
        now=now,
    )
    tell_registered(session, person, by=told_by or _community_name(session, community_id))
    return person


def _community_name(session: Session, community_id: int | None) -> str:
    community = session.get(Community, community_id) if community_id is not None else None
    return community.name if community is not None else "长者服务热线"


def update_person(
    session: Session,
    *,
    person_id: int,
    changed_by: Actor,
    full_name: str,
    id_number: str | None = None,
    call_name: str | None = None,
    phones: Sequence[str] = (),
    home: PlaceInput | None = None,
    places: Sequence[PlaceInput] = (),
    contacts: Sequence[ContactInput] = (),
    rebind: bool = False,
    now: datetime | None = None,
) -> Person:
    """Replace a person's details with the given ones (a whole form), same rules as register;
    what changed goes into the audit trail (nothing when nothing changed)."""
    person = _active_person(session, person_id)
    checked = _check(
        session,
        person_id=person.id,
        full_name=full_name,
        call_name=call_name,
        id_number=id_number,
        phones=phones,
        home=home,
        places=places,
        contacts=contacts,
        rebind=rebind,
    )
    before = audit.snapshot(person)
    _apply(session, person, checked, actor=changed_by, now=now)
    lines = audit.describe_changes(before, audit.snapshot(person))
    if lines:
        audit.record(session, person, actor=changed_by, action=audit.UPDATED, lines=lines, now=now)
    return person


def deactivate_person(
    session: Session, *, person_id: int, changed_by: Actor, now: datetime | None = None
) -> Person:
    """The person leaves the service: their numbers are unbound (a call from them is then an
    unknown caller and the numbers can be registered to someone else); history stays."""
    person = _active_person(session, person_id)
    unbound = [f"解绑电话：{mask_number(p.number)}" for p in person.phones]
    person.unbound_numbers = " ".join(p.number for p in person.phones) or None
    person.active = False
    person.deactivated_at = now or datetime.now(UTC)
    person.phones.clear()
    session.flush()
    audit.record(
        session,
        person,
        actor=changed_by,
        action=audit.DEACTIVATED,
        lines=["停用，资料和历史保留", *unbound],
        now=now,
    )
    return person


def reactivate_person(
    session: Session, *, person_id: int, changed_by: Actor, now: datetime | None = None
) -> list[str]:
    """A deactivated person comes back with their data as it was. The numbers they had are
    bound again if still free; a number registered to someone else meanwhile stays there
    (moving it is the edit form's explicit 改绑). Returns those numbers, masked."""
    person = session.get(Person, person_id)
    if person is None:
        raise RegistrationError("unknown_person", "找不到这位老人")
    if person.erased_at is not None:
        raise RegistrationError("erased_person", "这位老人已经注销，资料已删除，只能重新登记")
    if person.active:
        raise RegistrationError("already_active", "这位老人没有停用")
    numbers = person.former_numbers
    taken = set(session.scalars(select(PersonPhone.number).where(PersonPhone.number.in_(numbers))))
    lines = ["重新启用，资料和历史照旧"]
    for number in numbers:
        if number in taken:
            lines.append(f"电话{mask_number(number)}已登记在另一位老人名下，没有恢复")
            continue
        kind = PhoneKind.MOBILE if line_kind(number) == LineKind.MOBILE else PhoneKind.LANDLINE
        person.phones.append(PersonPhone(number=number, kind=kind))
        lines.append(f"恢复电话：{mask_number(number)}")
    person.active = True
    person.deactivated_at = None
    person.unbound_numbers = None
    session.flush()
    audit.record(session, person, actor=changed_by, action=audit.REACTIVATED, lines=lines, now=now)
    return [mask_number(n) for n in numbers if n in taken]


def owners_of_numbers(session: Session, raw_numbers: Sequence[str]) -> list[Person]:
    """The people the given numbers (as typed) are bound to now; unusable numbers are skipped."""
    numbers = [n for n in map(dialable_number, raw_numbers) if n is not None]
    if not numbers:
        return []
    return list(
        session.scalars(
            select(Person).join(PersonPhone).where(PersonPhone.number.in_(numbers)).distinct()
        )
    )


def _active_person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise RegistrationError("unknown_person", "找不到这位老人")
    if not person.active:
        raise RegistrationError("inactive_person", "这位老人已经停用，不能再修改")
    return person


def _check_community(session: Session, community_id: int | None) -> None:
    if community_id is not None and session.get(Community, community_id) is None:
        raise RegistrationError("unknown_community", "找不到这个社区")


def _check(
    session: Session,
    *,
    person_id: int | None,
    full_name: str,
    call_name: str | None,
    id_number: str | None,
    phones: Sequence[str],
    home: PlaceInput | None,
    places: Sequence[PlaceInput],
    contacts: Sequence[ContactInput],
    rebind: bool,
) -> _Checked:
    name = (full_name or "").strip()
    if not name:
        raise RegistrationError("missing_name", "请填写老人的姓名")
    if len(name) > MAX_NAME:
        raise RegistrationError("name_too_long", f"姓名不能超过{MAX_NAME}个字")
    spoken = (call_name or "").strip() or None
    if spoken is not None and len(spoken) > MAX_CALL_NAME:
        raise RegistrationError("call_name_too_long", f"称呼不能超过{MAX_CALL_NAME}个字")
    number, birth_date, gender = _check_id(session, person_id, id_number)
    return _Checked(
        full_name=name,
        call_name=spoken,
        id_number=number,
        birth_date=birth_date,
        gender=gender,
        phones=_check_phones(session, person_id, phones, rebind=rebind),
        places=_check_places(home, places),
        contacts=_check_contacts(contacts),
    )


def _check_id(
    session: Session, person_id: int | None, raw: str | None
) -> tuple[str | None, date | None, str | None]:
    if raw is None or not raw.strip():
        return None, None, None
    try:
        resident = parse_resident_id(raw)
    except InvalidResidentId as exc:
        raise RegistrationError("bad_id_number", f"身份证号不对：{exc}") from None
    owner = session.scalars(select(Person).where(Person.id_number == resident.number)).first()
    if owner is not None and owner.id != person_id:
        if not owner.active:
            raise RegistrationError("id_number_deactivated", ID_OF_DEACTIVATED)
        raise RegistrationError("id_number_taken", "这个身份证号已经登记给另一位老人")
    return resident.number, resident.birth_date, resident.gender


def _check_phones(
    session: Session, person_id: int | None, raw_numbers: Sequence[str], *, rebind: bool
) -> list[_Phone]:
    numbers: list[str] = []
    for raw in raw_numbers:
        number = dialable_number(raw)
        if number is None:
            raise RegistrationError(
                "bad_phone", "电话号码不对：手机写11位，固定电话要带区号（如0871-5550101）"
            )
        if number not in numbers:  # the same number written twice counts once
            numbers.append(number)
    owners: dict[str, int] = {}
    if numbers:
        rows = session.execute(
            select(PersonPhone.number, PersonPhone.person_id).where(PersonPhone.number.in_(numbers))
        )
        owners = {number: owner for number, owner in rows}
    phones: list[_Phone] = []
    for number in numbers:
        owner = owners.get(number)
        elsewhere = owner is not None and owner != person_id
        if elsewhere and not rebind:
            raise RegistrationError(
                "phone_bound_elsewhere",
                f"电话{mask_number(number)}已经登记在另一位老人名下；"
                "一个号码只能属于一位老人，确需改到这位老人名下请选择“改绑”",
                number=number,
            )
        kind = PhoneKind.MOBILE if line_kind(number) == LineKind.MOBILE else PhoneKind.LANDLINE
        phones.append(_Phone(number, kind, bound_elsewhere=elsewhere))
    return phones


def dialable_number(raw: str | None) -> str | None:
    """E.164 for a number that can be dialled back, else None: a Chinese mobile has 11
    digits, a landline its area code and a 7- or 8-digit local number."""
    number = normalise_number(raw)
    kind = line_kind(number)
    if number is None or kind == LineKind.UNKNOWN:
        return None
    if number.startswith("+86"):
        national = number[3:]
        if national.startswith("1"):
            return number if kind == LineKind.MOBILE and len(national) == 11 else None
        if not MIN_LANDLINE_DIGITS <= len(national) <= MAX_LANDLINE_DIGITS:
            return None
    return number


def _check_places(home: PlaceInput | None, places: Sequence[PlaceInput]) -> list[PlaceInput]:
    wanted: list[PlaceInput] = []
    if home is not None:
        wanted.append(
            PlaceInput(
                label=(home.label or "").strip() or HOME_LABEL,
                address=home.address,
                landmark=home.landmark,
                kind=PlaceKind.HOME,
            )
        )
    wanted.extend(places)
    if len(wanted) > MAX_SAVED_PLACES:
        raise RegistrationError(
            "too_many_places", f"最多只能保存{MAX_SAVED_PLACES}个常用地点（家也算一个）"
        )
    checked: list[PlaceInput] = []
    for place in wanted:
        label = (place.label or "").strip()
        address = (place.address or "").strip()
        landmark = (place.landmark or "").strip() or None
        if not label:
            raise RegistrationError(
                "missing_place_label", "每个地点都要有老人平时的叫法，如“女儿家”"
            )
        if not address:
            raise RegistrationError("missing_address", f"“{label}”缺少地址")
        if len(label) > MAX_LABEL or len(address) > MAX_ADDRESS:
            raise RegistrationError("place_too_long", f"“{label[:MAX_LABEL]}”的叫法或地址太长")
        if landmark is not None and len(landmark) > MAX_LANDMARK:
            raise RegistrationError("landmark_too_long", f"“{label}”的标志物写得太长")
        if any(c.label == label for c in checked):
            raise RegistrationError("duplicate_place_label", f"有两个地点都叫“{label}”，老人没法选")
        checked.append(PlaceInput(label, address, landmark, place.kind))
    return checked


def _check_contacts(contacts: Sequence[ContactInput]) -> list[ContactInput]:
    checked: list[ContactInput] = []
    for contact in map(_check_contact, contacts):
        if all(c.phone != contact.phone for c in checked):  # the same person twice
            checked.append(contact)
    return checked


def _check_contact(contact: ContactInput) -> ContactInput:
    name = (contact.name or "").strip()
    relation = (contact.relation or "").strip()
    if not name:
        raise RegistrationError("missing_contact_name", "请填写家属的姓名")
    if len(name) > MAX_NAME:
        raise RegistrationError("contact_name_too_long", "家属姓名太长")
    if not relation:
        raise RegistrationError("missing_relation", f"请填写{name}和老人的关系（如女儿）")
    if len(relation) > MAX_RELATION:
        raise RegistrationError("relation_too_long", "关系写得太长")
    number = dialable_number(contact.phone)
    if number is None:
        raise RegistrationError("bad_contact_phone", f"{name}的电话号码不对")
    return ContactInput(
        name=name,
        relation=relation,
        phone=number,
        may_order_taxi=contact.may_order_taxi,
        may_book_appointments=contact.may_book_appointments,
        notified=contact.notified,
    )


def _apply(
    session: Session, person: Person, checked: _Checked, *, actor: Actor, now: datetime | None
) -> None:
    """Write the checked data; existing rows are updated in place so history keeps its links."""
    person.full_name = checked.full_name
    person.call_name = checked.call_name
    if checked.id_number is not None or person.id_number is not None:
        person.id_number = checked.id_number
        person.birth_date = checked.birth_date
        person.gender = checked.gender
    _apply_phones(session, person, checked.phones, actor=actor, now=now)
    _apply_places(person, checked.places)
    _apply_contacts(person, checked.contacts)
    session.flush()


def _apply_phones(
    session: Session, person: Person, phones: list[_Phone], *, actor: Actor, now: datetime | None
) -> None:
    wanted = {p.number: p for p in phones}
    removed = [p for p in person.phones if p.number not in wanted]
    for existing in removed:
        person.phones.remove(existing)
    if removed:
        session.flush()  # free removed numbers before anything binds them again
    kept = {p.number for p in person.phones}
    for phone in phones:
        if phone.number in kept:
            continue
        if phone.bound_elsewhere:  # only with rebind=True (checked before)
            bound = session.scalars(
                select(PersonPhone).where(PersonPhone.number == phone.number)
            ).one()
            previous = bound.person
            session.delete(bound)
            session.flush()
            audit.record(
                session,
                previous,
                actor=actor,
                action=audit.UPDATED,
                lines=[audit.rebound_line(mask_number(phone.number), person)],
                now=now,
            )
        person.phones.append(PersonPhone(number=phone.number, kind=phone.kind))


def _apply_places(person: Person, places: list[PlaceInput]) -> None:
    existing = {p.position: p for p in person.places}
    for position, place in enumerate(places, start=1):
        row = existing.pop(position, None)
        if row is None:
            row = SavedPlace(position=position)
            person.places.append(row)
        row.kind, row.label, row.address, row.landmark = (
            place.kind,
            place.label,
            place.address,
            place.landmark,
        )
    for row in existing.values():
        person.places.remove(row)


def _apply_contacts(person: Person, contacts: list[ContactInput]) -> None:
    existing = {c.phone: c for c in person.contacts}
    for contact in contacts:
        row = existing.pop(contact.phone, None)
        if row is None:
            row = FamilyContact(phone=contact.phone)
            person.contacts.append(row)
        row.name, row.relation = contact.name, contact.relation
        row.may_order_taxi = contact.may_order_taxi
        row.may_act_for = contact.may_book_appointments
        row.notify = contact.notified
    for row in existing.values():
        person.contacts.remove(row)
