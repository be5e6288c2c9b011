"""Reading one hospital's Schedules, Slots, Appointments and Patients as FHIR resources.

Search parameters (repeatable, FHIR prefixes eq/ne/gt/ge/lt/le on dates):

- Schedule: `_id`, `date` (the session's day), `actor` (Practitioner/{id})
- Slot: `_id`, `start` (day), `status`, `schedule` (Schedule/{id}), `service-type` (pool code)
- Appointment: `_id`, `date` (day), `status`, `practitioner`, `patient`, `_lastUpdated`

An unknown parameter or a malformed value raises `SearchError` (400 with an
OperationOutcome), rather than being silently ignored. Everything is scoped to the
hospital first; an id of another hospital is simply not found.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, not_, or_, select
from sqlalchemy.orm import Session

from app.core.local_time import LOCAL_TZ
from app.db.base import parse_id
from app.hospital.enums import AppointmentStatus, SlotStatus
from app.hospital.fhir import resources
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.hospital.rules import BookingRules
from app.people.models import Person

PREFIXES = ("eq", "ne", "gt", "ge", "lt", "le")
MAX_RESULTS = 1000


class SearchError(ValueError):
    """A search the API cannot answer; the message is for the HIS developer."""


def _split_prefix(raw: str) -> tuple[str, str]:
    if raw[:2] in PREFIXES and len(raw) > 2 and not raw[:2].isdigit():
        return raw[:2], raw[2:]
    return "eq", raw


def _compare(column: Any, prefix: str, low: Any, high: Any) -> ColumnElement[bool]:
    """`column` against the interval [low, high) of the searched value."""
    return {
        "eq": and_(column >= low, column < high),
        "ne": not_(and_(column >= low, column < high)),
        "gt": column >= high,
        "ge": column >= low,
        "lt": column < low,
        "le": column < high,
    }[prefix]


def date_filter(column: Any, raw: str) -> ColumnElement[bool]:
    prefix, value = _split_prefix(raw)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise SearchError(f"date value {raw!r}: expected [prefix]YYYY-MM-DD") from None
    return _compare(column, prefix, day, day + timedelta(days=1))


def instant_filter(column: Any, raw: str) -> ColumnElement[bool]:
    prefix, value = _split_prefix(raw)
    try:
        if len(value) == 10:
            low = datetime.combine(date.fromisoformat(value), time(0), tzinfo=LOCAL_TZ)
            high = low + timedelta(days=1)
        else:
            low = datetime.fromisoformat(value)
            if low.tzinfo is None:
                raise ValueError
            high = low + timedelta(seconds=1)
    except ValueError:
        raise SearchError(
            f"_lastUpdated value {raw!r}: expected [prefix]YYYY-MM-DD or an instant with zone"
        ) from None
    return _compare(column, prefix, low, high)


def _reference_id(raw: str, kind: str) -> int:
    row_id = parse_id(raw.removeprefix(f"{kind}/"))
    if row_id is None:
        raise SearchError(f"expected {kind}/<id>, got {raw!r}")
    return row_id


def _enum_filter(column: Any, raw: str, values: set[str], name: str) -> ColumnElement[bool]:
    wanted = raw.split(",")
    unknown = [v for v in wanted if v not in values]
    if unknown:
        raise SearchError(f"{name}: unknown value {unknown[0]!r}")
    return column.in_(wanted)


def _released_filter(rules: BookingRules, now: datetime) -> ColumnElement[bool]:
    """The sessions whose elderly share is released at `now` (`rules.elderly_release`)."""
    through = rules.elderly_released_through(now)
    if through is None:
        return false()
    day, sessions = through
    condition: ColumnElement[bool] = Schedule.day < day
    if sessions:
        condition = or_(condition, and_(Schedule.day == day, Schedule.session.in_(sessions)))
    return condition


def _pool_filter(raw: str, released: ColumnElement[bool]) -> ColumnElement[bool]:
    """Slots of one pool; an elderly slot of a released session is in the open pool."""
    code = raw.split("|")[-1]
    if code == resources.POOL_ONSITE:
        return Slot.reserved_for_onsite.is_(True)
    if code == resources.POOL_FAMILY_DOCTOR:
        return and_(
            Slot.reserved_for_family_doctor.is_(True), Slot.reserved_for_onsite.is_(False)
        )
    if code == resources.POOL_ELDERLY_PHONE:
        return and_(
            Slot.reserved_for_elderly.is_(True),
            Slot.reserved_for_onsite.is_(False),
            Slot.reserved_for_family_doctor.is_(False),
            not_(released),
        )
    if code == resources.POOL_OPEN:
        return and_(
            or_(Slot.reserved_for_elderly.is_(False), released),
            Slot.reserved_for_onsite.is_(False),
            Slot.reserved_for_family_doctor.is_(False),
        )
    raise SearchError(f"service-type: unknown pool {raw!r}")


Filters = dict[str, Callable[[str], ColumnElement[bool]]]


def _apply(query: Any, params: list[tuple[str, str]], filters: Filters) -> Any:
    for name, raw in params:
        if name in ("_format", "_count"):
            continue
        if name not in filters:
            raise SearchError(f"unsupported search parameter {name!r}")
        query = query.where(filters[name](raw))
    return query


def _in_hospital(query: Any, hospital_id: int) -> Any:
    return (
        query.join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
        .where(Department.hospital_id == hospital_id)
    )


def _slot_counts(session: Session, schedule_ids: set[int]) -> dict[int, int]:
    if not schedule_ids:
        return {}
    rows = session.execute(
        select(Slot.schedule_id, func.count(Slot.id))
        .where(Slot.schedule_id.in_(schedule_ids))
        .group_by(Slot.schedule_id)
    )
    return {schedule_id: count for schedule_id, count in rows}


def _limited(rows: list[Any]) -> list[Any]:
    if len(rows) > MAX_RESULTS:
        raise SearchError(f"more than {MAX_RESULTS} matches: narrow the search by date")
    return rows


def schedules(
    session: Session, hospital_id: int, params: list[tuple[str, str]], now: datetime
) -> list[resources.Resource]:
    filters: Filters = {
        "_id": lambda raw: Schedule.id == _reference_id(raw, "Schedule"),
        "date": lambda raw: date_filter(Schedule.day, raw),
        "actor": lambda raw: Schedule.doctor_id == _reference_id(raw, "Practitioner"),
    }
    query = _in_hospital(select(Schedule, Doctor, Department), hospital_id)
    rows = _limited(
        list(
            session.execute(
                _apply(query, params, filters)
                .order_by(Schedule.day, Schedule.id)
                .limit(MAX_RESULTS + 1)
            )
        )
    )
    return [resources.schedule_resource(s, doctor, dept) for s, doctor, dept in rows]


def slots(
    session: Session, hospital_id: int, params: list[tuple[str, str]], now: datetime
) -> list[resources.Resource]:
    """Slots with their pool as at `now`: after the hospital's elderly release moment of a
    session, its unused elderly slots are `open` (the rule `booking` applies)."""
    statuses = {s.value for s in SlotStatus}
    hospital = session.get(Hospital, hospital_id)
    rules = BookingRules.from_json(hospital.rules if hospital is not None else None)
    released = _released_filter(rules, now)
    filters: Filters = {
        "_id": lambda raw: Slot.id == _reference_id(raw, "Slot"),
        "start": lambda raw: date_filter(Schedule.day, raw),
        "status": lambda raw: _enum_filter(Slot.status, raw, statuses, "status"),
        "schedule": lambda raw: Slot.schedule_id == _reference_id(raw, "Schedule"),
        "service-type": lambda raw: _pool_filter(raw, released),
    }
    query = _in_hospital(
        select(Slot, Schedule).join(Schedule, Schedule.id == Slot.schedule_id), hospital_id
    )
    query = _apply(query, params, filters).order_by(Schedule.day, Slot.start_time, Slot.id)
    rows = _limited(list(session.execute(query.limit(MAX_RESULTS + 1))))
    counts = _slot_counts(session, {schedule.id for _, schedule in rows})
    return [
        resources.slot_resource(
            slot, sch, counts[sch.id], released=rules.elderly_released(sch.day, sch.session, now)
        )
        for slot, sch in rows
    ]


def appointment_query(hospital_id: int) -> Select[Any]:
    return _in_hospital(
        select(Appointment, Slot, Schedule, Doctor, Department)
        .join(Slot, Slot.id == Appointment.slot_id)
        .join(Schedule, Schedule.id == Slot.schedule_id),
        hospital_id,
    )


def appointments(
    session: Session, hospital_id: int, params: list[tuple[str, str]], now: datetime
) -> list[resources.Resource]:
    statuses = {s.value for s in AppointmentStatus}
    filters: Filters = {
        "_id": lambda raw: Appointment.id == _reference_id(raw, "Appointment"),
        "date": lambda raw: date_filter(Appointment.day, raw),
        "status": lambda raw: _enum_filter(Appointment.status, raw, statuses, "status"),
        "practitioner": lambda raw: Schedule.doctor_id == _reference_id(raw, "Practitioner"),
        "patient": lambda raw: Appointment.patient_id == _reference_id(raw, "Patient"),
        "_lastUpdated": lambda raw: instant_filter(Appointment.updated_at, raw),
    }
    query = _apply(appointment_query(hospital_id), params, filters)
    query = query.order_by(Appointment.day, Slot.start_time, Appointment.id)
    rows = _limited(list(session.execute(query.limit(MAX_RESULTS + 1))))
    counts = _slot_counts(session, {row[2].id for row in rows})
    return [
        resources.appointment_resource(a, slot, sch, doc, dept, counts[sch.id])
        for a, slot, sch, doc, dept in rows
    ]


def patient(session: Session, hospital_id: int, patient_id: int) -> resources.Resource | None:
    """The patient, only if they hold or held an appointment at this hospital."""
    booked_here = session.scalar(
        select(
            exists(
                appointment_query(hospital_id)
                .with_only_columns(Appointment.id)
                .where(Appointment.patient_id == patient_id)
            )
        )
    )
    person = session.get(Person, patient_id) if booked_here else None
    return resources.patient_resource(person) if person is not None else None
