"""Per-hospital client credentials of the HIS: bearer tokens, stored as SHA-256 only.

A token is shown once, when it is created (by the hospital admin in the admin section or
by `ivr fhir token create`). Rotating makes a new token and lets the old one run out
after `ROTATION_GRACE`, so the HIS can switch without downtime; revoking ends a token at
once. `authenticate` answers which hospital a presented token belongs to, or None when it
is unknown, revoked or expired. Every change is audited. Keyword-only; the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hospital import audit
from app.hospital.audit import AdminError, AdminNotFound
from app.hospital.fhir.models import FhirClient
from app.hospital.models import Hospital

TOKEN_PREFIX = "ivrfhir_"
DEFAULT_LIFETIME = timedelta(days=365)
ROTATION_GRACE = timedelta(hours=24)
LAST_USE_PRECISION = timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedToken:
    client: FhirClient
    token: str  # shown once, never stored


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _hospital(session: Session, hospital_id: int) -> Hospital:
    hospital = session.get(Hospital, hospital_id)
    if hospital is None:
        raise AdminNotFound("找不到这家医院。")
    return hospital


def _client(session: Session, hospital_id: int, client_id: int) -> FhirClient:
    client = session.get(FhirClient, client_id)
    if client is None or client.hospital_id != hospital_id:
        raise AdminNotFound("找不到这个接口凭证。")
    return client


def create(
    session: Session,
    *,
    hospital_id: int,
    name: str,
    actor_id: int | None,
    now: datetime,
    lifetime: timedelta = DEFAULT_LIFETIME,
) -> IssuedToken:
    """A new token for the hospital's HIS, valid for `lifetime`."""
    _hospital(session, hospital_id)
    name = name.strip()
    if not name or len(name) > 50:
        raise AdminError("请填写凭证名称（50个字以内）。")
    if lifetime <= timedelta(0):
        raise AdminError("有效期必须大于0天。")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = FhirClient(
        hospital_id=hospital_id,
        name=name,
        token_hash=token_hash(token),
        token_prefix=token[: len(TOKEN_PREFIX) + 4],
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(client)
    session.flush()
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="fhir_token_created",
        target=f"fhir_client:{client.id}",
        name=name,
        expires=client.expires_at.date().isoformat(),
    )
    return IssuedToken(client, token)


def rotate(
    session: Session, *, hospital_id: int, client_id: int, actor_id: int | None, now: datetime
) -> IssuedToken:
    """A new token with the same name; the old one stops working after ROTATION_GRACE."""
    old = _client(session, hospital_id, client_id)
    if old.revoked_at is not None or old.expires_at <= now:
        raise AdminError("这个凭证已失效，请新建一个。")
    issued = create(
        session,
        hospital_id=hospital_id,
        name=old.name,
        actor_id=actor_id,
        now=now,
        lifetime=max(old.expires_at - old.created_at, ROTATION_GRACE),
    )
    old.expires_at = min(old.expires_at, now + ROTATION_GRACE)
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="fhir_token_rotated",
        target=f"fhir_client:{old.id}",
        name=old.name,
    )
    return issued


def revoke(
    session: Session, *, hospital_id: int, client_id: int, actor_id: int | None, now: datetime
) -> FhirClient:
    client = _client(session, hospital_id, client_id)
    if client.revoked_at is None:
        client.revoked_at = now
        audit.record(
            session,
            hospital_id=hospital_id,
            actor_id=actor_id,
            now=now,
            action="fhir_token_revoked",
            target=f"fhir_client:{client.id}",
            name=client.name,
        )
    return client


def clients(session: Session, *, hospital_id: int) -> list[FhirClient]:
    return list(
        session.scalars(
            select(FhirClient)
            .where(FhirClient.hospital_id == hospital_id)
            .order_by(FhirClient.created_at.desc(), FhirClient.id.desc())
        )
    )


def authenticate(session: Session, *, token: str, now: datetime) -> FhirClient | None:
    """The live client the token belongs to, or None (unknown, revoked or expired)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    client = session.scalar(select(FhirClient).where(FhirClient.token_hash == token_hash(token)))
    if client is None or client.revoked_at is not None or client.expires_at <= now:
        return None
    if client.last_used_at is None or now - client.last_used_at >= LAST_USE_PRECISION:
        client.last_used_at = now  # not on every read: a write per request is not needed
    return client
