"""Helpers for the HIS link tests: a clinic with one doctor, bundles, a fake HIS receiver."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from app.core.db import Database
from app.hospital import administration
from app.hospital.fhir import push, tokens

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in Kunming
TOMORROW = date(2026, 12, 1)
DERMA = "皮肤科"  # in no demo hospital: offers come only from the imported sessions
ZHANG = "+8613800000001"
HIS_SYSTEM = "urn:oid:1.2.156.999.1"


def add_doctor(db: Database, hospital_id: int) -> int:
    with db.session() as session:
        department = administration.add_department(
            session,
            hospital_id=hospital_id,
            name=DERMA,
            display_name="皮肤病门诊",
            actor_id=None,
            now=NOW,
        )
        doctor = administration.add_doctor(
            session,
            hospital_id=hospital_id,
            department_id=department.id,
            name="和医生",
            title="主任医师",
            clinic_type="expert",
            fee_yuan=25,
            actor_id=None,
            now=NOW,
        )
        return doctor.id


def new_token(db: Database, hospital_id: int, *, now: datetime = NOW) -> tuple[int, str]:
    with db.session() as session:
        issued = tokens.create(session, hospital_id=hospital_id, name="HIS", actor_id=None, now=now)
        return issued.client.id, issued.token


def set_webhook(db: Database, hospital_id: int, url: str) -> str:
    """Returns the signing secret."""
    with db.session() as session:
        link = push.set_webhook(session, hospital_id=hospital_id, url=url, actor_id=None, now=NOW)
        return link.webhook_secret


def slot_entry(
    his_id: str, schedule_ref: str, start: str, pool: str | None = None, status: str = "free"
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Slot",
        "identifier": [{"system": HIS_SYSTEM, "value": his_id}],
        "schedule": {"reference": schedule_ref},
        "status": status,
        "start": f"{TOMORROW.isoformat()}T{start}:00+08:00",
        "end": f"{TOMORROW.isoformat()}T{start[:3]}59:00+08:00",
    }
    if pool:
        resource["serviceType"] = [{"coding": [{"system": "urn:ivr:slot-pool", "code": pool}]}]
    return {"fullUrl": f"urn:uuid:slot-{his_id}", "resource": resource}


def session_bundle(doctor_id: int, hospital_id: int, *, slots: int = 3) -> dict[str, Any]:
    """One morning session of the doctor tomorrow with `slots` slots: the first kept for
    older phone callers, the last for walk-ins (when there are three or more)."""
    schedule = {
        "fullUrl": "urn:uuid:schedule-1",
        "resource": {
            "resourceType": "Schedule",
            "identifier": [{"system": HIS_SYSTEM, "value": "SCH-20261201-AM-1"}],
            "actor": [
                {"reference": f"Practitioner/{doctor_id}"},
                {"reference": f"Organization/{hospital_id}"},
            ],
            "planningHorizon": {
                "start": f"{TOMORROW.isoformat()}T08:00:00+08:00",
                "end": f"{TOMORROW.isoformat()}T12:00:00+08:00",
            },
        },
    }
    pools = ["elderly-phone"] + [None] * max(slots - 2, 0) + ["onsite"]
    entries = [
        slot_entry(f"SLOT-{n + 1}", "urn:uuid:schedule-1", f"{8 + n:02d}:00", pools[n])
        for n in range(slots)
    ]
    return {"resourceType": "Bundle", "type": "batch", "entry": [schedule, *entries]}


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]


class FakeHis:
    """A webhook receiver on loopback (a real HTTP server); answers `status` (200)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status = 200
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                owner.received.append(Received(body, {k: v for k, v in self.headers.items()}))
                self.send_response(owner.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/fhir-inbox"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
