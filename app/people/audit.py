"""The audit trail of a person's data: who changed what, and when.

The registration service writes one `PersonAuditEntry` per registration, change,
deactivation and showing of full numbers (docs/registration.md). What changed is written
in Chinese, one line per change, with phone and ID numbers masked (138****0001,
530102********0021): the trail itself must not become a copy of the numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.people.enums import ConsentBasis
from app.people.models import Person, PersonAuditEntry
from app.people.phones import mask_number
from app.people.resident_id import mask_resident_id

REGISTERED = "registered"
UPDATED = "updated"
DEACTIVATED = "deactivated"
REACTIVATED = "reactivated"
NUMBERS_SHOWN = "numbers_shown"
ERASED = "erased"

ACTION_LABELS = {
    REGISTERED: "登记",
    UPDATED: "修改",
    DEACTIVATED: "停用",
    REACTIVATED: "重新启用",
    NUMBERS_SHOWN: "查看完整号码",
    ERASED: "注销并删除资料",
}
CONSENT_LABELS = {
    ConsentBasis.PAPER_FORM: "社区办公室签字的纸质同意书",
    ConsentBasis.VERBAL_BY_PHONE: "电话里口头同意（有录音）",
    ConsentBasis.IN_PERSON: "医院窗口当面登记（出示身份证）",
    ConsentBasis.FAMILY_SELF_SERVICE: (
        "家属在网页上自助登记（短信验证码核实家属手机，家属声明老人本人同意）"
    ),
}
YES_NO = {True: "可以", False: "不可以"}


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a display name for the trail and, for staff, their account."""

    name: str
    staff_user_id: int | None = None


@dataclass(frozen=True)
class Snapshot:
    """What the trail compares, numbers already masked."""

    full_name: str
    call_name: str | None
    id_number: str
    phones: tuple[str, ...]
    places: dict[int, tuple[str, str, str | None, str]]  # position -> label, address, ...
    contacts: dict[str, tuple[str, str, bool, bool, bool]]  # masked phone -> name, ...


def snapshot(person: Person) -> Snapshot:
    return Snapshot(
        full_name=person.full_name,
        call_name=person.call_name,
        id_number=mask_resident_id(person.id_number),
        phones=tuple(sorted(mask_number(p.number) for p in person.phones)),
        places={p.position: (p.label, p.address, p.landmark, str(p.kind)) for p in person.places},
        contacts={
            mask_number(c.phone): (c.name, c.relation, c.may_order_taxi, c.may_act_for, c.notify)
            for c in person.contacts
        },
    )


def describe_registration(person: Person) -> list[str]:
    after = snapshot(person)
    basis = CONSENT_LABELS.get(person.consent_basis, "未记录") if person.consent_basis else "未记录"
    lines = [f"同意方式：{basis}", f"姓名：{after.full_name}"]
    if person.id_number:
        lines.append(f"身份证号：{after.id_number}")
    lines += [f"电话：{phone}" for phone in after.phones]
    lines += [f"地点{key}：{place[0]}" for key, place in sorted(after.places.items())]
    lines += [f"家属：{c[0]}（{c[1]}）{phone}" for phone, c in after.contacts.items()]
    return lines


def describe_changes(before: Snapshot, after: Snapshot) -> list[str]:
    """One Chinese line per difference; empty when nothing changed."""
    lines: list[str] = []
    if before.full_name != after.full_name:
        lines.append(f"姓名：{before.full_name} → {after.full_name}")
    if before.call_name != after.call_name:
        lines.append(f"称呼：{before.call_name or '无'} → {after.call_name or '无'}")
    if before.id_number != after.id_number:
        lines.append(f"身份证号：{before.id_number} → {after.id_number}")
    lines += [f"新增电话：{p}" for p in after.phones if p not in before.phones]
    lines += [f"删除电话：{p}" for p in before.phones if p not in after.phones]
    for key in sorted(before.places.keys() | after.places.keys()):
        old, new = before.places.get(key), after.places.get(key)
        if old == new:
            continue
        if old is None and new is not None:
            lines.append(f"新增地点{key}：{new[0]}")
        elif new is None and old is not None:
            lines.append(f"删除地点{key}：{old[0]}")
        elif old is not None and new is not None:
            what = [
                name
                for name, a, b in zip(("叫法", "地址", "标志物", "类别"), old, new, strict=True)
                if a != b
            ]
            lines.append(f"修改地点{key}（{new[0]}）：{'、'.join(what)}")
    for phone in sorted(before.contacts.keys() | after.contacts.keys()):
        was, now = before.contacts.get(phone), after.contacts.get(phone)
        if was == now:
            continue
        if was is None and now is not None:
            lines.append(f"新增家属：{now[0]}（{now[1]}）{phone}")
        elif now is None and was is not None:
            lines.append(f"删除家属：{was[0]}（{was[1]}）{phone}")
        elif was is not None and now is not None:
            lines.append(f"修改家属：{now[0]}（{now[1]}）{phone}：{_contact_change(was, now)}")
    return lines


def _contact_change(
    was: tuple[str, str, bool, bool, bool], now: tuple[str, str, bool, bool, bool]
) -> str:
    parts = []
    if was[0] != now[0]:
        parts.append(f"姓名 {was[0]} → {now[0]}")
    if was[1] != now[1]:
        parts.append(f"关系 {was[1]} → {now[1]}")
    permissions = zip(("代叫车", "代挂号", "接收通知"), was[2:], now[2:], strict=True)
    for label, before, after in permissions:
        if before != after:
            parts.append(f"{label} {YES_NO[before]} → {YES_NO[after]}")
    return "，".join(parts)


def rebound_line(masked_number: str, new_holder: Person) -> str:
    """The line on the former holder's trail when a number is moved (改绑). The new holder's
    id is in it so erasing that person can blank their name here (`blank_rebound_names`)."""
    return f"电话{masked_number}改绑给另一位老人（{new_holder.full_name}，编号{new_holder.id}）"


def blank_rebound_names(session: Session, erased: Person) -> None:
    """An erased person's name leaves other people's trails: 改绑给另一位老人（已注销）."""
    named = re.compile(rf"另一位老人（[^\n]*?，编号{erased.id}）")
    marker = f"，编号{erased.id}）"
    for entry in session.scalars(
        select(PersonAuditEntry).where(
            PersonAuditEntry.person_id != erased.id,
            PersonAuditEntry.changes.contains(marker, autoescape=True),
        )
    ):
        entry.changes = named.sub("另一位老人（已注销）", entry.changes)


def record(
    session: Session,
    person: Person,
    *,
    actor: Actor,
    action: str,
    lines: list[str],
    now: datetime | None = None,
) -> PersonAuditEntry:
    entry = PersonAuditEntry(
        person_id=person.id,
        at=now or datetime.now(UTC),
        actor=actor.name[:100],
        staff_user_id=actor.staff_user_id,
        action=action,
        changes="\n".join(lines),
    )
    session.add(entry)  # flushed with the change it records (or by the next query)
    return entry


def trail(session: Session, person_id: int, *, limit: int = 100) -> list[PersonAuditEntry]:
    """The newest entries first."""
    return list(
        session.scalars(
            select(PersonAuditEntry)
            .where(PersonAuditEntry.person_id == person_id)
            .order_by(PersonAuditEntry.at.desc(), PersonAuditEntry.id.desc())
            .limit(limit)
        )
    )
