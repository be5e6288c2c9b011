"""Import: the HIS defines sessions with a FHIR `Bundle` of `Schedule` and `Slot`.

The bundle (type `batch`, `transaction` or `collection`) is validated as FHIR with
`fhir.resources` (R4B models, whose Schedule, Slot and Bundle are R4's), then checked
against the hospital, and only then applied: one refusal and nothing is changed
(`ImportRefused`, the API answers 422 with an OperationOutcome naming the entry).

- `Schedule`: one doctor's session. `identifier` (the HIS id; system defaults to
  `urn:ivr:his`) is required; `actor` names `Practitioner/{doctor id}` of this hospital
  (and may name `Organization/{hospital id}`, which must be this hospital);
  `planningHorizon.start` gives the day and the session (before 12:00 morning). A 停用
  doctor (`Doctor.active` false) is refused, naming the entry and the doctor.
- `Slot`: `identifier` required; `schedule` refers to a Schedule entry of the bundle (its
  `fullUrl`) or to `Schedule/{id}` of an imported session; `start` on the session's day;
  `serviceType` coded in `urn:ivr:slot-pool` (`elderly-phone`, `onsite`, `family-doctor`,
  else open);
  `status` `free`, or `busy-unavailable` to withdraw a slot nobody booked (撤回). The
  HIS's word is kept in `Slot.his_withdrawn`: a 停诊 marks every slot busy-unavailable,
  and undoing it frees only the slots the HIS has not withdrawn, before or during the stop.
  While the session is stopped its slots stay busy-unavailable whatever the HIS sends.
  The HIS withdraws a slot only this way: `entered-in-error` is refused, and the API has
  no DELETE.

Idempotent by the HIS identifiers (`FhirIdentifier`): posting the same bundle again changes
nothing; a changed start, pool or status updates the slot unless it holds a booking.
Imported sessions have `Schedule.source == "his"`; the weekly templates never touch them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from pydantic import ValidationError
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.core.local_time import LOCAL_TZ
from app.db.base import parse_id
from app.hospital import audit
from app.hospital.enums import AppointmentStatus, ClinicSession, ScheduleStatus, SlotStatus
from app.hospital.fhir.models import FhirIdentifier
from app.hospital.fhir.resources import (
    HIS_DEFAULT_SYSTEM,
    POOL_ELDERLY_PHONE,
    POOL_FAMILY_DOCTOR,
    POOL_ONSITE,
    POOL_SYSTEM,
)
from app.hospital.models import Appointment, Department, Doctor, Schedule, Slot
from app.hospital.schedules import HIS, WITHDRAWN

BUNDLE_TYPES = {"batch", "transaction", "collection"}
SLOT_STATUSES = {SlotStatus.FREE.value, SlotStatus.BUSY_UNAVAILABLE.value}


class ImportRefused(ValueError):
    """The bundle is not applied; `code` is a FHIR IssueType, the message names the entry."""

    def __init__(self, message: str, code: str = "invalid", *, origin: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        # For a session that is already there: where it came from, in Chinese (the CSV
        # upload page says so).
        self.origin = origin


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    locations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _PlannedSchedule:
    index: int
    system: str
    value: str
    doctor_id: int
    day: date
    session: ClinicSession


def _validate(data: Any) -> Any:
    from fhir.resources.R4B.bundle import Bundle  # heavy import, only when importing

    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise ImportRefused("expected a FHIR Bundle (resourceType Bundle)")
    try:
        return Bundle.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ImportRefused(f"invalid FHIR: {where}: {first['msg']}") from None


def _identifier(resource: Any, where: str) -> tuple[str, str]:
    for ident in resource.identifier or []:
        if ident.value:
            return (ident.system or HIS_DEFAULT_SYSTEM)[:200], ident.value[:100]
    raise ImportRefused(f"{where}: identifier (the HIS id) is required")


def _local(value: datetime | None, where: str) -> datetime:
    if value is None:
        raise ImportRefused(f"{where}: a start time is required")
    if value.tzinfo is None:
        raise ImportRefused(f"{where}: the start time needs a time zone")
    return value.astimezone(LOCAL_TZ)


def _mapped(session: Session, hospital_id: int, kind: str, system: str, value: str) -> int | None:
    return session.scalar(
        select(FhirIdentifier.local_id).where(
            FhirIdentifier.hospital_id == hospital_id,
            FhirIdentifier.resource_type == kind,
            FhirIdentifier.system == system,
            FhirIdentifier.value == value,
        )
    )


def _origin(session: Session, hospital_id: int, schedule: Schedule) -> tuple[str, str]:
    """Where an existing session came from, in English and in Chinese."""
    if schedule.source == HIS:
        his_id = session.scalar(
            select(FhirIdentifier.value).where(
                FhirIdentifier.hospital_id == hospital_id,
                FhirIdentifier.resource_type == "Schedule",
                FhirIdentifier.local_id == schedule.id,
            ).order_by(FhirIdentifier.id)
        )
        if his_id is None:
            return "imported earlier from the HIS or a CSV file", "之前由HIS或CSV文件导入"
        return (
            f"imported earlier from the HIS or a CSV file as {his_id!r}",
            f"之前由HIS或CSV文件导入，出诊编号 {his_id}",
        )
    origins = {
        "template": ("from the hospital's weekly templates", "来自每周排班"),
        "extra": ("from a one-off extra session", "来自临时加诊"),
        WITHDRAWN: ("a session the weekly templates dropped", "每周排班已撤下的出诊"),
    }
    return origins.get(schedule.source or "", ("loaded with the initial data", "系统初始数据"))


def _doctor(session: Session, hospital_id: int, actors: list[Any], where: str) -> int:
    doctor_id, named = None, ""
    for actor in actors:
        reference = actor.reference or ""
        kind, _, raw = reference.partition("/")
        if kind == "Organization":
            if raw != str(hospital_id):
                raise ImportRefused(f"{where}: the bundle is for another hospital", "forbidden")
        elif kind == "Practitioner" and raw.isdigit():
            doctor_id, named = parse_id(raw) or 0, raw  # 0: no such doctor, no database error
    if doctor_id is None:
        raise ImportRefused(f"{where}: actor Practitioner/<doctor id> is required")
    owner = session.scalar(
        select(Department.hospital_id)
        .join(Doctor, Doctor.department_id == Department.id)
        .where(Doctor.id == doctor_id)
    )
    if owner is None:
        raise ImportRefused(f"{where}: no doctor Practitioner/{named}", "not-found")
    if owner != hospital_id:
        raise ImportRefused(f"{where}: the bundle is for another hospital", "forbidden")
    _refuse_inactive(session, doctor_id, where)
    return doctor_id


def _refuse_inactive(session: Session, doctor_id: int, where: str) -> None:
    """A 停用 doctor gets no imported sessions or slots (their sessions take no bookings)."""
    doctor = session.get(Doctor, doctor_id)
    if doctor is not None and not doctor.active:
        raise ImportRefused(
            f"{where}: Practitioner/{doctor.id} ({doctor.name}) is inactive (停用); "
            f"医生{doctor.name}（编号 {doctor.id}）已停用，不能导入出诊或号源，"
            "请先在医院管理里启用",
            "business-rule",
        )


def _pool(resource: Any) -> tuple[bool, bool, bool]:
    """(reserved_for_elderly, reserved_for_onsite, reserved_for_family_doctor) from the
    slot's serviceType."""
    codes = {
        coding.code
        for concept in resource.serviceType or []
        for coding in concept.coding or []
        if coding.system == POOL_SYSTEM
    }
    if POOL_ONSITE in codes:
        return True, True, False
    if POOL_FAMILY_DOCTOR in codes:
        return False, False, True
    return POOL_ELDERLY_PHONE in codes, False, False


def import_bundle(session: Session, *, hospital_id: int, data: Any, now: datetime) -> ImportResult:
    """Check the whole bundle, then apply it (see the module doc). The caller commits,
    or rolls back on `ImportRefused`."""
    bundle = _validate(data)
    if bundle.type not in BUNDLE_TYPES:
        raise ImportRefused(f"Bundle.type must be one of {sorted(BUNDLE_TYPES)}")
    planned: dict[str, _PlannedSchedule] = {}  # by fullUrl
    slots: list[tuple[int, Any]] = []
    for index, entry in enumerate(bundle.entry or []):
        resource = entry.resource
        where = f"entry[{index}]"
        kind = resource.get_resource_type() if resource is not None else None
        if kind == "Schedule":
            system, value = _identifier(resource, where)
            doctor_id = _doctor(session, hospital_id, resource.actor or [], where)
            horizon = resource.planningHorizon
            start = _local(horizon.start if horizon else None, f"{where}.planningHorizon")
            clinic_session = ClinicSession.AM if start.hour < 12 else ClinicSession.PM
            item = _PlannedSchedule(index, system, value, doctor_id, start.date(), clinic_session)
            planned[entry.fullUrl or f"Schedule/{value}"] = item
        elif kind == "Slot":
            slots.append((index, resource))
        else:
            raise ImportRefused(f"{where}: only Schedule and Slot can be imported, not {kind}")
    result = ImportResult()
    schedule_ids = {
        url: _apply_schedule(session, hospital_id, item, result) for url, item in planned.items()
    }
    for index, resource in slots:
        _apply_slot(session, hospital_id, index, resource, schedule_ids, result)
    session.flush()
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=None,
        now=now,
        action="his_import",
        target=f"hospital:{hospital_id}",
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    return result


def _apply_schedule(
    session: Session, hospital_id: int, item: _PlannedSchedule, result: ImportResult
) -> int:
    where = f"entry[{item.index}]"
    known = _mapped(session, hospital_id, "Schedule", item.system, item.value)
    existing = session.scalar(
        select(Schedule).where(
            Schedule.doctor_id == item.doctor_id,
            Schedule.day == item.day,
            Schedule.session == item.session,
        )
    )
    if known is not None:
        schedule = session.get(Schedule, known)
        if schedule is None or existing is None or existing.id != known:
            raise ImportRefused(
                f"{where}: the HIS id {item.value!r} names another session already; "
                "moving an imported session is not supported",
                "conflict",
            )
        result.unchanged += 1
        result.locations.append(f"Schedule/{known}")
        return known
    if existing is not None:
        english, chinese = _origin(session, hospital_id, existing)
        raise ImportRefused(
            f"{where}: this doctor already has that session ({english})",
            "duplicate",
            origin=chinese,
        )
    schedule = Schedule(
        doctor_id=item.doctor_id,
        day=item.day,
        session=item.session,
        status=ScheduleStatus.ACTIVE,
        source=HIS,
        kept=False,
    )
    session.add(schedule)
    session.flush()
    session.add(
        FhirIdentifier(
            hospital_id=hospital_id,
            resource_type="Schedule",
            system=item.system,
            value=item.value,
            local_id=schedule.id,
        )
    )
    result.created += 1
    result.locations.append(f"Schedule/{schedule.id}")
    return schedule.id


def _schedule_for_slot(
    session: Session, hospital_id: int, reference: str, schedule_ids: dict[str, int], where: str
) -> Schedule:
    if reference in schedule_ids:
        found = session.get(Schedule, schedule_ids[reference])
    else:
        kind, _, raw = reference.partition("/")
        local_id = parse_id(raw) if kind == "Schedule" else None
        found = session.get(Schedule, local_id) if local_id is not None else None
        if found is not None and found.source != HIS:
            found = None
        if found is not None:
            owner = session.scalar(
                select(Department.hospital_id)
                .join(Doctor, Doctor.department_id == Department.id)
                .where(Doctor.id == found.doctor_id)
            )
            if owner != hospital_id:
                raise ImportRefused(f"{where}: the bundle is for another hospital", "forbidden")
    if found is None:
        raise ImportRefused(
            f"{where}: schedule {reference!r} is not an imported session", "not-found"
        )
    _refuse_inactive(session, found.doctor_id, where)
    return found


def _apply_slot(
    session: Session,
    hospital_id: int,
    index: int,
    resource: Any,
    schedule_ids: dict[str, int],
    result: ImportResult,
) -> None:
    where = f"entry[{index}]"
    system, value = _identifier(resource, where)
    schedule = _schedule_for_slot(
        session, hospital_id, resource.schedule.reference or "", schedule_ids, where
    )
    start = _local(resource.start, f"{where}.start")
    if start.date() != schedule.day:
        raise ImportRefused(f"{where}: the slot starts on another day than its schedule")
    if resource.status not in SLOT_STATUSES:
        raise ImportRefused(f"{where}: status must be free or busy-unavailable")
    withdrawn = resource.status == SlotStatus.BUSY_UNAVAILABLE.value
    # A slot of a stopped session (停诊) stays busy-unavailable whatever the HIS says; the
    # HIS's word is kept in `his_withdrawn` and counts when the stop is undone.
    status = (
        SlotStatus.BUSY_UNAVAILABLE
        if withdrawn or schedule.status != ScheduleStatus.ACTIVE
        else SlotStatus.FREE
    )
    elderly, onsite, family = _pool(resource)
    start_time = time(start.hour, start.minute)
    known = _mapped(session, hospital_id, "Slot", system, value)
    if known is None:
        slot = Slot(
            schedule_id=schedule.id,
            start_time=start_time,
            reserved_for_elderly=elderly,
            reserved_for_onsite=onsite,
            reserved_for_family_doctor=family,
            status=status,
            his_withdrawn=withdrawn,
        )
        session.add(slot)
        session.flush()
        session.add(
            FhirIdentifier(
                hospital_id=hospital_id,
                resource_type="Slot",
                system=system,
                value=value,
                local_id=slot.id,
            )
        )
        result.created += 1
        result.locations.append(f"Slot/{slot.id}")
        return
    found = session.get(Slot, known)
    if found is None or found.schedule_id != schedule.id:
        raise ImportRefused(f"{where}: the HIS id {value!r} belongs to another session", "conflict")
    slot = found
    wanted = (start_time, elderly, onsite, family)
    current = (
        slot.start_time,
        slot.reserved_for_elderly,
        slot.reserved_for_onsite,
        slot.reserved_for_family_doctor,
    )
    if wanted == current and withdrawn == slot.his_withdrawn:
        result.unchanged += 1
    else:
        booked = session.scalar(
            select(
                exists().where(
                    Appointment.slot_id == slot.id, Appointment.status == AppointmentStatus.BOOKED
                )
            )
        )
        if booked:
            raise ImportRefused(
                f"{where}: slot {value!r} holds a booking; it cannot change", "conflict"
            )
        (
            slot.start_time,
            slot.reserved_for_elderly,
            slot.reserved_for_onsite,
            slot.reserved_for_family_doctor,
        ) = wanted
        if withdrawn or slot.status != SlotStatus.BUSY:  # a held slot stays busy
            slot.status = status
        slot.his_withdrawn = withdrawn
        result.updated += 1
    result.locations.append(f"Slot/{slot.id}")
