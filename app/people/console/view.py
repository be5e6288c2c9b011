"""What the community console's templates need: the person's page, the form page, notices,
and the access check every route makes (own communities only, admins all)."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.consoles.auth import FORBIDDEN_COMMUNITY, community_scope
from app.people import audit, directory
from app.people.card import written_number
from app.people.console.form import PLACE_KIND_LABELS, PersonForm
from app.people.enums import STAFF_CONSENT_BASES, PhoneKind
from app.people.models import Community, Person
from app.people.phones import mask_number
from app.people.resident_id import mask_resident_id
from app.staff.models import StaffUser

NOT_FOUND = "找不到这位老人。"
NOTICES = {
    "registered": "已登记。可以打印热线卡，放在老人的电话旁边。",
    "updated": "已保存修改。",
    "deactivated": "已停用：号码已解绑，历史记录保留。",
    "reactivated": "已重新启用：原来的号码已重新绑定，可以打电话试试。",
    "reactivated_partly": (
        "已重新启用。有的号码已经登记给另一位老人，没有恢复（见下面的记录）；"
        "确需改回，请在“修改”里填上号码并勾选“改绑”。"
    ),
    "erased": "已注销：个人资料已删除，叫车和挂号记录保留（不含个人信息）。",
}
PHONE_KIND_LABELS = {PhoneKind.MOBILE: "手机", PhoneKind.LANDLINE: "座机"}
CONSENT_CHOICES = [(basis.value, audit.CONSENT_LABELS[basis]) for basis in STAFF_CONSENT_BASES]


def load_person(session: Session, staff: StaffUser, person_id: int) -> Person:
    """The person in the URL, if this user may see them (404 unknown, 403 another community)."""
    scope = community_scope(staff)
    person = session.get(Person, person_id)
    if person is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    if scope is not None and person.community_id != scope:
        raise HTTPException(status_code=403, detail=FORBIDDEN_COMMUNITY)
    return person


def communities_for(session: Session, staff: StaffUser) -> list[Community]:
    scope = community_scope(staff)
    statement = select(Community).order_by(Community.id)
    if scope is not None:
        statement = statement.where(Community.id == scope)
    return list(session.scalars(statement))


def person_context(
    session: Session, person: Person, *, revealed: bool = False, notice: str | None = None
) -> dict[str, Any]:
    community = session.get(Community, person.community_id) if person.community_id else None
    return {
        "person": person,
        "community": community,
        "id_shown": (person.id_number or "未登记")
        if revealed
        else mask_resident_id(person.id_number),
        "phones": [
            (
                written_number(p.number) if revealed else mask_number(p.number),
                PHONE_KIND_LABELS[p.kind],
            )
            for p in person.phones
        ],
        "contacts": [
            (c, written_number(c.phone) if revealed else mask_number(c.phone))
            for c in person.contacts
        ],
        "revealed": revealed,
        "place_kinds": PLACE_KIND_LABELS,
        "consent": audit.CONSENT_LABELS.get(person.consent_basis, "未记录")
        if person.consent_basis
        else "未记录",
        "trail": audit.trail(session, person.id),
        "action_labels": audit.ACTION_LABELS,
        "rides": directory.recent_rides(session, person.id),
        "bookings": directory.recent_bookings(session, person.id),
        "notice": notice,
    }


def form_context(
    session: Session,
    staff: StaffUser,
    form: PersonForm,
    *,
    person: Person | None = None,
    error: str | None = None,
    offer_rebind: bool = False,
) -> dict[str, Any]:
    return {
        "form": form,
        "person": person,
        "communities": communities_for(session, staff),
        "consent_choices": CONSENT_CHOICES,
        "place_kinds": PLACE_KIND_LABELS,
        "error": error,
        "offer_rebind": offer_rebind,
    }
