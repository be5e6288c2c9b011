"""A hospital's public phone numbers (总机, 挂号咨询 …), set by its admin.

Up to `MAX_PHONES` numbers, the main one first, each checked with the numbering plan
(`app.people.phones.chinese_business_number`, as taxi companies' phones are): a Chinese
fixed line with its area code, a mobile, or a 400/800 number; stored in E.164, shown as
dialled in China (0871 6555 1000). Audited like every admin change.

They are shown where someone outside the hospital needs to reach it: the walk-in slip the
patient takes home and the family doctor's booking pages; the admin page lists them. SMS to
patients do not carry them (docs/hospital_console.md: the hotline stays the one number an
older person is told to call back).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import phonenumbers
from sqlalchemy.orm import Session

from app.hospital import audit
from app.hospital.audit import AdminError, AdminNotFound
from app.hospital.models import Hospital
from app.people.phones import chinese_business_number

MAX_PHONES = 3


def shown(number: str) -> str:
    """+8687165551000 -> 0871 6555 1000: as staff and patients dial it in China."""
    try:
        parsed = phonenumbers.parse(number, "CN")
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def shown_phones(hospital: Hospital) -> list[str]:
    return [shown(number) for number in hospital.phones or []]


def set_phones(
    session: Session,
    *,
    hospital_id: int,
    typed: Sequence[str],
    actor_id: int | None,
    now: datetime,
) -> list[str]:
    """Replace the hospital's numbers with the typed ones (blank ones left out, the same
    number twice kept once); refused whole, naming the first bad one."""
    hospital = session.get(Hospital, hospital_id)
    if hospital is None:
        raise AdminNotFound("找不到这家医院。")
    numbers: list[str] = []
    for place, raw in enumerate(typed, start=1):
        if not raw.strip():
            continue
        number = chinese_business_number(raw)
        if number is None:
            raise AdminError(
                f"第{place}个电话“{raw.strip()[:20]}”不是有效的号码：请填写带区号的固定电话"
                "（如 0871-65551234）、手机号或 400/800 电话。",
                field=f"phone{place}",
            )
        if number not in numbers:
            numbers.append(number)
    if len(numbers) > MAX_PHONES:
        raise AdminError(f"最多填写 {MAX_PHONES} 个电话。")
    before = list(hospital.phones or [])
    if numbers == before:
        return numbers
    hospital.phones = numbers
    audit.record(
        session,
        hospital_id=hospital_id,
        actor_id=actor_id,
        now=now,
        action="phones_changed",
        target=f"hospital:{hospital_id}",
        phones={"before": "、".join(shown(n) for n in before),
                "after": "、".join(shown(n) for n in numbers)},
    )
    session.flush()
    return numbers
