"""SMS codes that prove a family member holds the mobile they typed (family page).

`request_code` texts a fresh 6-digit code through the outbox to any Chinese mobile,
without looking the number up: the answer and the work done are the same for a number
the hotline knows and one it does not. `check_code` accepts a code once, within
`CODE_LIFETIME`. Stored are only keyed digests (HMAC with the secret key) of the number,
the client address and the code, never the values.

Limits (docs/registration.md): `PER_NUMBER` codes per number and `PER_CLIENT` per client
address within `LIMIT_WINDOW`; `MAX_WRONG_TRIES` wrong codes end a code. Refusals are
`FamilyCodeError` with a stable `.code` and a Chinese `.message` for the page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app import texts
from app.notify.enums import OutboxKind
from app.notify.outbox import enqueue_message
from app.people.models import FamilyCode
from app.people.phones import is_mobile
from app.people.registration import dialable_number

CODE_LIFETIME = timedelta(minutes=10)
LIMIT_WINDOW = timedelta(hours=1)
PER_NUMBER = 3
PER_CLIENT = 10
MAX_WRONG_TRIES = 5
CODE_DIGITS = 6


class FamilyCodeError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def family_mobile(raw: str | None) -> str:
    """The typed number as E.164; only a mobile can receive the code."""
    number = dialable_number(raw)
    if number is None or not is_mobile(number):
        raise FamilyCodeError("bad_number", "请填写您自己的11位手机号码（固定电话收不到短信）")
    return number


def _digest(secret: str, purpose: str, value: str) -> str:
    message = f"family|{purpose}|{value}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def request_code(session: Session, *, number: str, client: str, secret: str, now: datetime) -> None:
    """Text a new code to `number` (E.164 mobile) unless a limit is reached."""
    number_key, client_key = _digest(secret, "number", number), _digest(secret, "client", client)
    since = now - LIMIT_WINDOW
    by_client = session.scalar(
        select(func.count())
        .select_from(FamilyCode)
        .where(FamilyCode.client_digest == client_key, FamilyCode.created_at > since)
    )
    by_number = session.scalar(
        select(func.count())
        .select_from(FamilyCode)
        .where(FamilyCode.number_digest == number_key, FamilyCode.created_at > since)
    )
    if (by_client or 0) >= PER_CLIENT or (by_number or 0) >= PER_NUMBER:
        raise FamilyCodeError("too_many_codes", "获取验证码的次数太多了，请一小时后再试")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    # A new code replaces the ones before it.
    session.execute(
        update(FamilyCode)
        .where(FamilyCode.number_digest == number_key, FamilyCode.used_at.is_(None))
        .values(expires_at=now)
    )
    row = FamilyCode(
        number_digest=number_key,
        client_digest=client_key,
        code_digest=_digest(secret, "code", f"{number}|{code}"),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
        wrong_tries=0,
    )
    session.add(row)
    session.flush()
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    enqueue_message(
        session,
        kind=OutboxKind.SMS,
        to_number=number,
        body=texts.sms("family_code", code=code, minutes=minutes),
        idempotency_key=f"family-code:{row.id}",
    )


def check_code(session: Session, *, number: str, code: str, secret: str, now: datetime) -> None:
    """Accept `code` for `number` once; raises FamilyCodeError (wrong, expired, used)."""
    typed = "".join(ch for ch in (code or "") if not ch.isspace())
    number_key = _digest(secret, "number", number)
    rows = list(
        session.scalars(
            select(FamilyCode)
            .where(FamilyCode.number_digest == number_key)
            .where(FamilyCode.created_at > now - LIMIT_WINDOW - CODE_LIFETIME)
            .order_by(FamilyCode.created_at.desc(), FamilyCode.id.desc())
            .with_for_update()
        )
    )
    wanted = _digest(secret, "code", f"{number}|{typed}")
    match = next((r for r in rows if hmac.compare_digest(r.code_digest, wanted)), None)
    if match is None or not (len(typed) == CODE_DIGITS and typed.isdigit()):
        live = next((r for r in rows if r.used_at is None and r.expires_at > now), None)
        if live is not None:
            live.wrong_tries += 1
            if live.wrong_tries >= MAX_WRONG_TRIES:
                live.expires_at = now
        session.flush()
        raise FamilyCodeError("wrong_code", "验证码不对，请核对短信里的6位数字")
    if match.used_at is not None:
        raise FamilyCodeError("used_code", "这个验证码已经用过了，请重新获取验证码")
    if match.expires_at <= now:
        raise FamilyCodeError("expired_code", "验证码已经过期（10分钟内有效），请重新获取验证码")
    match.used_at = now
    session.flush()
