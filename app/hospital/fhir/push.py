"""Push: appointment changes go to the hospital's webhook as signed FHIR `Appointment`s.

Enqueue. Whenever a flush inserts an appointment or changes one (booked, moved, cancelled,
arrived, no-show: every path, phone, desk or console), the flush listener
(app.hospital.fhir.listener) calls `enqueue`; `app.hospital.appointments.book`, whose
insert is a Core statement past the flush, calls it itself. `enqueue` writes an
outbox row (`OutboxKind.FHIR_PUSH`, to `hospital:{id}`) in the same transaction, if the
hospital has a webhook URL. The row holds the resource as it was at that moment, with
`meta.versionId` = 1, 2, 3 ... per appointment (key `fhir:{appointment id}:v{n}`).

Send (`WebhookSender`, run by the outbox worker like SMS). Order per appointment:

- a row whose appointment already has a *later* row is *superseded*: it is not sent and
  is recorded as sent with provider id `superseded:{row}` (the later version says more);
- a row whose appointment has an *earlier* row still in flight (`sending`) waits: a
  transient error, retried after the back-off, so v2 never overtakes v1 on the wire;
- otherwise it is POSTed (`application/fhir+json`) with the headers of
  `app.hospital.fhir.signing`, using the webhook URL and secret of now.

Any 2xx is delivered. 408, 429, 5xx, timeouts and refused connections are retried with
back-off; other 4xx are permanent. A send whose outcome is unknown is simply sent again
(pushes are idempotent for the receiver by id and versionId). Failures show in the admin
page (`failures`).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.core.db import Database
from app.db.base import utcnow
from app.hospital import audit
from app.hospital.audit import AdminError
from app.hospital.fhir import resources
from app.hospital.fhir.models import FhirLink
from app.hospital.fhir.search import appointment_query
from app.hospital.fhir.signing import sign
from app.hospital.models import Appointment, Department, Doctor, Schedule, Slot
from app.notify.enums import OutboxKind, OutboxStatus
from app.notify.models import OutboxMessage
from app.notify.outgoing import Outgoing, PermanentSendError, TransientSendError

RETRIED_STATUSES = {408, 429}


def destination(hospital_id: int) -> str:
    return f"hospital:{hospital_id}"


def key_prefix(appointment_id: int) -> str:
    return f"fhir:{appointment_id}:v"


# --- enqueue ---------------------------------------------------------------------------


def enqueue(session: Session, appointment_id: int) -> None:
    """Write the outbox row of the appointment's current state (Core insert: this may run
    inside a flush)."""
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        return
    # The link of the appointment's hospital, in one statement (most have none).
    hospital = appointment_query_hospital().where(Appointment.id == appointment_id)
    link = session.scalar(
        select(FhirLink).where(FhirLink.hospital_id == hospital.scalar_subquery())
    )
    if link is None or not link.webhook_url:
        return
    hospital_id = link.hospital_id
    version = 1 + (
        session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.kind == OutboxKind.FHIR_PUSH,
                OutboxMessage.idempotency_key.startswith(key_prefix(appointment_id)),
            )
        )
        or 0
    )
    body = json.dumps(
        appointment_body(session, hospital_id, appointment_id, version),
        ensure_ascii=False,
        separators=(",", ":"),
    )
    now = utcnow()
    session.execute(
        insert(OutboxMessage).values(
            kind=OutboxKind.FHIR_PUSH,
            to_number=destination(hospital_id),
            body=body,
            idempotency_key=f"{key_prefix(appointment_id)}{version}",
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )


def appointment_query_hospital() -> Any:
    return (
        select(Department.hospital_id)
        .select_from(Appointment)
        .join(Slot, Slot.id == Appointment.slot_id)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .join(Doctor, Doctor.id == Schedule.doctor_id)
        .join(Department, Department.id == Doctor.department_id)
    )


def appointment_body(
    session: Session, hospital_id: int, appointment_id: int, version: int
) -> resources.Resource:
    row = session.execute(
        appointment_query(hospital_id).where(Appointment.id == appointment_id)
    ).one()
    appointment, slot, schedule, doctor, department = row
    count = session.scalar(select(func.count(Slot.id)).where(Slot.schedule_id == schedule.id))
    return resources.appointment_resource(
        appointment, slot, schedule, doctor, department, count or 1, version=version
    )


# --- send ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    url: str
    secret: str


class WebhookSender:
    """Sends FHIR_PUSH outbox rows (see the module doc); one per worker."""

    def __init__(self, db: Database, *, timeout: float = 10.0) -> None:
        self.db = db
        self.timeout = timeout

    def send(self, message: Outgoing) -> str:
        appointment_id = int(json.loads(message.body)["id"])
        target = self._check_order_and_target(message, appointment_id)
        if target is None:
            return f"superseded:{message.id}"
        body = message.body.encode()
        headers = {"Content-Type": "application/fhir+json", **sign(target.secret, body)}
        import httpx  # on first use: ~0.05 s that `ivr serve` need not spend starting

        try:
            response = httpx.post(target.url, content=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise TransientSendError(
                f"webhook unreachable: {type(exc).__name__}", ambiguous=False
            ) from exc
        if response.is_success:
            return f"webhook:{message.id}"
        text = f"webhook answered HTTP {response.status_code}"
        if response.status_code in RETRIED_STATUSES or response.status_code >= 500:
            raise TransientSendError(text, ambiguous=False)
        raise PermanentSendError(text)

    def find_sent(self, message: Outgoing, exclude: set[str]) -> str | None:
        return None  # a push is idempotent for the receiver: send it again

    def _check_order_and_target(self, message: Outgoing, appointment_id: int) -> _Target | None:
        same = (
            OutboxMessage.kind == OutboxKind.FHIR_PUSH,
            OutboxMessage.idempotency_key.startswith(key_prefix(appointment_id)),
        )
        with self.db.session() as session:
            later = session.scalar(
                select(func.count(OutboxMessage.id)).where(*same, OutboxMessage.id > message.id)
            )
            if later:
                return None
            earlier = session.scalar(
                select(func.count(OutboxMessage.id)).where(
                    *same,
                    OutboxMessage.id < message.id,
                    OutboxMessage.status == OutboxStatus.SENDING,
                )
            )
            if earlier:
                raise TransientSendError(
                    "waiting for the earlier version of this appointment", ambiguous=False
                )
            hospital_id = int(message.to_number.removeprefix("hospital:"))
            link = session.get(FhirLink, hospital_id)
            if link is None or not link.webhook_url:
                raise PermanentSendError("the hospital has no webhook URL any more")
            return _Target(link.webhook_url, link.webhook_secret)


def failures(session: Session, *, hospital_id: int, limit: int = 20) -> list[OutboxMessage]:
    """Pushes that failed, or are being retried after an error, newest first."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.kind == OutboxKind.FHIR_PUSH,
                OutboxMessage.to_number == destination(hospital_id),
                OutboxMessage.last_error.is_not(None),
                OutboxMessage.status != OutboxStatus.SENT,
            )
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def set_webhook(
    session: Session, *, hospital_id: int, url: str, actor_id: int | None, now: datetime
) -> FhirLink:
    """Set (or with "" clear) the webhook URL; a new link gets a random signing secret."""
    url = url.strip()
    if url and not (url.startswith("https://") or url.startswith("http://")):
        raise AdminError("推送地址要以 http:// 或 https:// 开头。")
    if len(url) > 300:
        raise AdminError("推送地址太长（最多300个字符）。")
    link = session.get(FhirLink, hospital_id)
    if link is None:
        link = FhirLink(hospital_id=hospital_id, webhook_secret=secrets.token_hex(32))
        session.add(link)
    link.webhook_url = url or None
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="fhir_webhook_set",
        target=f"hospital:{hospital_id}",
        url=url or "（无）",
    )
    session.flush()
    return link
