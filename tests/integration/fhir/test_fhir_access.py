"""The FHIR API refuses what it must: tokens (missing, unknown, revoked, expired, rotated,
another hospital's), foreign ids, bad searches, and bundles that are invalid or for another
hospital, with an OperationOutcome each time and nothing half-applied."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import httpx
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir_helpers import NOW, ZHANG, add_doctor, new_token, session_bundle, slot_entry
from sqlalchemy import func, select

from app.core.db import Database
from app.hospital import appointments
from app.hospital.fhir import tokens
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule
from app.people.models import PersonPhone
from support.live_server import LiveServer


def _outcome(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    outcome = OperationOutcome.model_validate(response.json())
    assert outcome.issue[0].code == code
    return outcome.issue[0].diagnostics or ""


def _schedules(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Schedule.id)).where(Schedule.source == "his")) or 0


def _other_hospital(db: Database, clinic: int) -> int:
    with db.session() as session:
        return (
            session.scalars(
                select(Hospital.id).where(Hospital.id != clinic).order_by(Hospital.id)
            ).first()
            or 0
        )


def _get(server: LiveServer, path: str, token: str | None, **params: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{server.url}/fhir/{path}", headers=headers, params=params, timeout=30)


def _post(server: LiveServer, hospital: int, token: str, body: Any) -> httpx.Response:
    return httpx.post(
        f"{server.url}/fhir/{hospital}",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
        timeout=30,
    )


def test_tokens_and_isolation(clinic: int, demo: Database, live_server: LiveServer) -> None:
    live_server.clock.set(NOW)
    other = _other_hospital(demo, clinic)
    client_id, token = new_token(demo, clinic)
    _, other_token = new_token(demo, other)
    _, expired = new_token(demo, clinic, now=NOW - timedelta(days=366))

    assert _get(live_server, f"{clinic}/Schedule", token).status_code == 200
    _outcome(_get(live_server, f"{clinic}/Schedule", None), 401, "login")
    assert _get(live_server, f"{clinic}/Schedule", None).headers["www-authenticate"]
    _outcome(_get(live_server, f"{clinic}/Schedule", "ivrfhir_not-a-token"), 401, "expired")
    _outcome(_get(live_server, f"{clinic}/Schedule", expired), 401, "expired")
    # Hospital B's token reads nothing of A, by search or by id.
    _outcome(_get(live_server, f"{clinic}/Appointment", other_token), 403, "forbidden")
    _outcome(_get(live_server, f"{clinic}/Slot/1", other_token), 403, "forbidden")
    _outcome(_post(live_server, clinic, other_token, {}), 403, "forbidden")

    # The other hospital's demo sessions and bookings are not found with A's token.
    with demo.session() as session:
        patient_id = session.scalars(
            select(PersonPhone.person_id).where(PersonPhone.number == ZHANG)
        ).one()
        foreign_schedule = session.scalars(
            select(Schedule.id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .join(Department, Department.id == Doctor.department_id)
            .where(Department.hospital_id == other)
        ).first()
        assert foreign_schedule is not None
    free = _get(
        live_server,
        f"{other}/Slot",
        other_token,
        status="free",
        start=(NOW + timedelta(days=1)).date().isoformat(),
        **{"service-type": "open"},
    ).json()
    slot_id = int(free["entry"][0]["resource"]["id"])
    with demo.session() as session:
        appointment = appointments.book(
            session, slot_id=slot_id, patient_id=patient_id, now=NOW, booked_by_number=ZHANG
        )
        appointment_id = appointment.id
    assert _get(live_server, f"{other}/Patient/{patient_id}", other_token).status_code == 200
    _outcome(_get(live_server, f"{clinic}/Patient/{patient_id}", token), 404, "not-found")
    _outcome(_get(live_server, f"{clinic}/Appointment/{appointment_id}", token), 404, "not-found")
    _outcome(_get(live_server, f"{clinic}/Schedule/{foreign_schedule}", token), 404, "not-found")
    assert _get(live_server, f"{clinic}/Appointment", token).json()["total"] == 0
    with demo.session() as session:
        assert session.get(Appointment, appointment_id) is not None

    # Bad searches are refused, not ignored.
    assert "unsupported" in _outcome(
        _get(live_server, f"{clinic}/Appointment", token, colour="red"), 400, "invalid"
    )
    _outcome(_get(live_server, f"{clinic}/Appointment", token, date="tomorrow"), 400, "invalid")
    _outcome(_get(live_server, f"{clinic}/Appointment", token, status="gone"), 400, "invalid")
    _outcome(_get(live_server, f"{clinic}/Practitioner", token), 404, "not-supported")

    # Rotation: the old token works for the grace period, then not; revoking ends at once.
    with demo.session() as session:
        rotated = tokens.rotate(
            session, hospital_id=clinic, client_id=client_id, actor_id=None, now=NOW
        )
        new_id, new_token_value = rotated.client.id, rotated.token
    assert _get(live_server, f"{clinic}/Slot", token).status_code == 200
    assert _get(live_server, f"{clinic}/Slot", new_token_value).status_code == 200
    live_server.clock.set(NOW + tokens.ROTATION_GRACE + timedelta(minutes=1))
    _outcome(_get(live_server, f"{clinic}/Slot", token), 401, "expired")
    assert _get(live_server, f"{clinic}/Slot", new_token_value).status_code == 200
    with demo.session() as session:
        tokens.revoke(session, hospital_id=clinic, client_id=new_id, actor_id=None, now=NOW)
    _outcome(_get(live_server, f"{clinic}/Slot", new_token_value), 401, "expired")


def test_ids_no_row_can_hold_are_not_found_not_server_errors(
    clinic: int, demo: Database, live_server: LiveServer
) -> None:
    live_server.clock.set(NOW)
    _, token = new_token(demo, clinic)
    for resource_id in ("2147483648", "999999999999999999", "²"):
        for kind in ("Patient", "Slot", "Appointment"):
            _outcome(_get(live_server, f"{clinic}/{kind}/{resource_id}", token), 404, "not-found")
        found = _get(live_server, f"{clinic}/Slot", token, schedule=f"Schedule/{resource_id}")
        _outcome(found, 400, "invalid")
    assert _get(live_server, f"{clinic}/Schedule", token, _id="1").status_code == 200


def test_bad_bundles_change_nothing(clinic: int, demo: Database, live_server: LiveServer) -> None:
    live_server.clock.set(NOW)
    doctor_id = add_doctor(demo, clinic)
    other = _other_hospital(demo, clinic)
    _, token = new_token(demo, clinic)
    good = session_bundle(doctor_id, clinic, slots=2)

    # An invalid resource after a valid Schedule: nothing of the bundle is applied.
    invalid = copy.deepcopy(good)
    del invalid["entry"][2]["resource"]["schedule"]
    assert "schedule" in _outcome(_post(live_server, clinic, token, invalid), 422, "invalid")
    not_fhir = {"resourceType": "Bundle", "type": "batch", "entry": [{"resource": {"x": 1}}]}
    _outcome(_post(live_server, clinic, token, not_fhir), 422, "invalid")
    _outcome(_post(live_server, clinic, token, {"resourceType": "Slot"}), 422, "invalid")
    response = httpx.post(
        f"{live_server.url}/fhir/{clinic}",
        headers={"Authorization": f"Bearer {token}"},
        content=b"{not json",
        timeout=30,
    )
    _outcome(response, 400, "structure")

    # A bundle for another hospital: by its Organization, or by another hospital's doctor.
    for_other = copy.deepcopy(good)
    for_other["entry"][0]["resource"]["actor"][1]["reference"] = f"Organization/{other}"
    assert "another hospital" in _outcome(
        _post(live_server, clinic, token, for_other), 422, "forbidden"
    )
    with demo.session() as session:
        foreign_doctor = session.scalars(
            select(Doctor.id)
            .join(Department, Department.id == Doctor.department_id)
            .where(Department.hospital_id == other)
        ).first()
    foreign = session_bundle(foreign_doctor or 0, clinic)
    _outcome(_post(live_server, clinic, token, foreign), 422, "forbidden")

    # A slot on another day than its session, a missing HIS id, an unknown schedule.
    wrong_day = copy.deepcopy(good)
    wrong_day["entry"][1]["resource"]["start"] = "2026-12-02T08:00:00+08:00"
    _outcome(_post(live_server, clinic, token, wrong_day), 422, "invalid")
    no_id = copy.deepcopy(good)
    del no_id["entry"][1]["resource"]["identifier"]
    assert "identifier" in _outcome(_post(live_server, clinic, token, no_id), 422, "invalid")
    orphan = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [slot_entry("S-9", "Schedule/999999", "08:00")],
    }
    _outcome(_post(live_server, clinic, token, orphan), 422, "not-found")
    # References no row can hold: an unknown doctor or schedule, not a database error.
    for big in ("2147483648", "²"):
        no_doctor = copy.deepcopy(good)
        no_doctor["entry"][0]["resource"]["actor"][0]["reference"] = f"Practitioner/{big}"
        refused = _outcome(_post(live_server, clinic, token, no_doctor), 422, "not-found")
        assert f"Practitioner/{big}" in refused
        orphan["entry"] = [slot_entry("S-9", f"Schedule/{big}", "08:00")]
        _outcome(_post(live_server, clinic, token, orphan), 422, "not-found")
    assert _schedules(demo) == 0

    # The good bundle still goes in, once.
    assert _post(live_server, clinic, token, good).status_code == 200
    assert _post(live_server, clinic, token, good).status_code == 200
    assert _schedules(demo) == 1
