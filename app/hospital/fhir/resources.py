"""FHIR R4 JSON of the hotline's sessions, slots, appointments and patients.

Plain dicts, built from the rows; the tests validate them with `fhir.resources`. Times
are local (Asia/Shanghai, +08:00). The reserved pools of a slot are its `serviceType`
coded in `POOL_SYSTEM`; the department is the Schedule's and Appointment's
`serviceType` text; the doctor is `Practitioner/{doctor id}` (the id the import uses).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from app.core.local_time import LOCAL_TZ
from app.hospital.models import Appointment, Department, Doctor, Schedule, Slot
from app.hospital.schedules import SESSION_SPANS
from app.people.models import Person

POOL_SYSTEM = "urn:ivr:slot-pool"
POOL_ELDERLY_PHONE = "elderly-phone"  # kept for older phone callers until released
POOL_ONSITE = "onsite"  # kept for older walk-ins booked at the desk
POOL_FAMILY_DOCTOR = "family-doctor"  # kept for family doctors' signed patients
POOL_OPEN = "open"
POOL_DISPLAY = {
    POOL_FAMILY_DOCTOR: "家庭医生签约号源",
    POOL_ELDERLY_PHONE: "老年人电话预约号源",
    POOL_ONSITE: "老年人现场号源",
    POOL_OPEN: "普通号源",
}
RESIDENT_ID_SYSTEM = "urn:ivr:resident-id"  # 居民身份证号码
HIS_DEFAULT_SYSTEM = "urn:ivr:his"
Resource = dict[str, Any]


def instant(value: datetime) -> str:
    return value.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def local_instant(day: date, at: time) -> str:
    return instant(datetime.combine(day, at, tzinfo=LOCAL_TZ))


def pool_of(slot: Slot, *, released: bool = False) -> str:
    """The slot's pool; `released`: its session's elderly share is released (open)."""
    if slot.reserved_for_onsite:
        return POOL_ONSITE
    if slot.reserved_for_family_doctor:
        return POOL_FAMILY_DOCTOR
    if slot.reserved_for_elderly and not released:
        return POOL_ELDERLY_PHONE
    return POOL_OPEN


def _pool_concept(code: str) -> dict[str, Any]:
    return {"coding": [{"system": POOL_SYSTEM, "code": code, "display": POOL_DISPLAY[code]}]}


def _department(department: Department) -> dict[str, Any]:
    return {"text": department.display_name or department.name}


def _practitioner(doctor: Doctor) -> dict[str, Any]:
    return {"reference": f"Practitioner/{doctor.id}", "display": f"{doctor.name} {doctor.title}"}


def session_bounds(schedule: Schedule) -> tuple[datetime, datetime]:
    start, minutes = SESSION_SPANS[schedule.session]
    begin = datetime.combine(schedule.day, start, tzinfo=LOCAL_TZ)
    return begin, begin + timedelta(minutes=minutes)


def slot_bounds(slot: Slot, schedule: Schedule, slots_in_session: int) -> tuple[str, str]:
    """Start and end of a slot: the session's length shared by its slots (at least 5 min)."""
    _, minutes = SESSION_SPANS[schedule.session]
    length = max(minutes // max(slots_in_session, 1), 5)
    begin = datetime.combine(schedule.day, slot.start_time, tzinfo=LOCAL_TZ)
    return instant(begin), instant(begin + timedelta(minutes=length))


def schedule_resource(schedule: Schedule, doctor: Doctor, department: Department) -> Resource:
    begin, end = session_bounds(schedule)
    return {
        "resourceType": "Schedule",
        "id": str(schedule.id),
        "active": schedule.status == "active",
        "serviceType": [_department(department)],
        "actor": [_practitioner(doctor)],
        "planningHorizon": {"start": instant(begin), "end": instant(end)},
        "comment": "专家号" if doctor.clinic_type == "expert" else "普通号",
    }


def slot_resource(
    slot: Slot, schedule: Schedule, slots_in_session: int, *, released: bool = False
) -> Resource:
    start, end = slot_bounds(slot, schedule, slots_in_session)
    status = slot.status.value if schedule.status == "active" else "busy-unavailable"
    return {
        "resourceType": "Slot",
        "id": str(slot.id),
        "schedule": {"reference": f"Schedule/{schedule.id}"},
        "serviceType": [_pool_concept(pool_of(slot, released=released))],
        "status": status,
        "start": start,
        "end": end,
    }


def appointment_resource(
    appointment: Appointment,
    slot: Slot,
    schedule: Schedule,
    doctor: Doctor,
    department: Department,
    slots_in_session: int,
    *,
    version: int | None = None,
) -> Resource:
    start, end = slot_bounds(slot, schedule, slots_in_session)
    meta: dict[str, Any] = {"lastUpdated": instant(appointment.updated_at)}
    if version is not None:
        meta["versionId"] = str(version)
    resource: Resource = {
        "resourceType": "Appointment",
        "id": str(appointment.id),
        "meta": meta,
        "status": appointment.status.value,
        "serviceType": [_department(department)],
        "slot": [{"reference": f"Slot/{slot.id}"}],
        "start": start,
        "end": end,
        "created": instant(appointment.created_at),
        "participant": [
            {"actor": {"reference": f"Patient/{appointment.patient_id}"}, "status": "accepted"},
            {"actor": _practitioner(doctor), "status": "accepted"},
        ],
    }
    if appointment.cancel_reason and appointment.status == "cancelled":
        resource["cancelationReason"] = {"text": appointment.cancel_reason}
    return resource


def patient_resource(person: Person) -> Resource:
    """Only what the hospital needs: name, resident ID number, phone."""
    resource: Resource = {
        "resourceType": "Patient",
        "id": str(person.id),
        "name": [{"text": person.full_name}],
    }
    if person.id_number:
        resource["identifier"] = [{"system": RESIDENT_ID_SYSTEM, "value": person.id_number}]
    phones = [phone.number for phone in person.phones]
    if phones:
        resource["telecom"] = [{"system": "phone", "value": number} for number in phones[:1]]
    return resource


def bundle(resources: list[Resource], base_url: str) -> Resource:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {
                "fullUrl": f"{base_url}/{item['resourceType']}/{item['id']}",
                "resource": item,
                "search": {"mode": "match"},
            }
            for item in resources
        ],
    }


def operation_outcome(code: str, diagnostics: str, severity: str = "error") -> Resource:
    """`code` from the FHIR IssueType value set (security, invalid, not-found, ...)."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }
