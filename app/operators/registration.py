"""Registering a caller from the operators' panel (登记为老人).

An operator talking with an unregistered caller (they pressed 0 and were picked up) can
register them as a person: name, the name they are called by, home address, their
community (街道/社区, required, one of the existing communities: as in the community
console, so the community's workers see and look after them) and, when the caller gives
it, the resident ID. The number is the caller's, from the call, never from
the form; the consent is the caller's spoken one (`ConsentBasis.VERBAL_BY_PHONE`), which
the operator confirms by ticking a box. Everything else is
`app.people.registration.register_person`, as the community console and the roster import
use it (validation, one number per person, the audit trail with the operator's account,
the SMS or call telling the person they were registered and how to undo it).

A number already known as a family contact who may book for a registered elder is not
registered here (the panel does not offer it; a forged POST is refused): the caller is
that elder's relative, and a relative who is an elder too is registered by their community.

Only the operator on the line with the caller may register them (`RequestStatus.CONNECTED`
and `operator_id`): another operator is told who has the caller. One unit of work on the
given session; the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hospital.patients import SELF, patients_for_caller
from app.operators.requests import OperatorRequestError, held_by
from app.people.audit import Actor
from app.people.enums import ConsentBasis, PlaceKind
from app.people.models import Community, Person, PersonPhone
from app.people.registration import HOME_LABEL, PlaceInput, RegistrationError, register_person
from app.staff.models import StaffUser

TOLD_BY = "长者服务热线"
NO_NUMBER = "来电号码隐藏，不能登记：登记要用老人自己的电话号码。"
ALREADY = "这个号码已经登记在{name}名下，不用再登记。"
NO_CONSENT = "请先在电话里征得老人同意，再勾选“老人在电话里同意登记”。没有登记。"
NO_HOME = "请填写家庭住址（司机接老人用）。没有登记。"
NO_COMMUNITY = "请选择老人所在的社区（街道/社区，社区工作人员照看老人用）。没有登记。"
A_RELATIVE = (
    "这个号码是{names}的家属电话，不在这里登记为老人。来电者本人也是老人、要办理登记的，"
    "请社区工作人员在老人登记里办理。没有登记。"
)


def communities(session: Session) -> list[Community]:
    """The communities an operator chooses from, by district (街道/区) then name."""
    return list(session.scalars(select(Community).order_by(Community.district, Community.name)))


def register_caller(
    session: Session,
    *,
    request_id: int,
    staff: StaffUser,
    full_name: str,
    call_name: str,
    home_address: str,
    community_id: int | None,
    id_number: str,
    consented: bool,
    now: datetime,
) -> Person:
    """Register the caller on the line as a person with their number and home."""
    row = held_by(session, request_id=request_id, staff=staff, what="为他登记")
    if not row.caller_number:
        raise OperatorRequestError(NO_NUMBER, conflict=False)
    owner = session.scalar(
        select(Person).join(PersonPhone).where(PersonPhone.number == row.caller_number).limit(1)
    )
    if owner is not None:
        raise OperatorRequestError(
            ALREADY.format(name=owner.call_name or owner.full_name), conflict=False
        )
    relatives = [
        p.person.full_name for p in patients_for_caller(session, number=row.caller_number)
        if p.relation != SELF and p.person.active
    ]
    if relatives:  # the panel does not offer it: a known family contact is not an elder
        raise OperatorRequestError(A_RELATIVE.format(names="、".join(relatives)), conflict=False)
    if not consented:
        raise OperatorRequestError(NO_CONSENT, conflict=False)
    if not home_address.strip():
        raise OperatorRequestError(NO_HOME, conflict=False)
    if community_id is None:
        raise OperatorRequestError(NO_COMMUNITY, conflict=False)
    actor = Actor(f"{staff.display_name}（{staff.username}）", staff.id)
    try:
        return register_person(
            session,
            full_name=full_name,
            registered_by=actor.name,
            staff_user_id=staff.id,
            consent_basis=ConsentBasis.VERBAL_BY_PHONE,
            community_id=community_id,
            id_number=id_number.strip() or None,
            call_name=call_name.strip() or None,
            phones=[row.caller_number],
            home=PlaceInput(HOME_LABEL, home_address, kind=PlaceKind.HOME),
            now=now,
            actor=actor,
            told_by=TOLD_BY,
        )
    except RegistrationError as exc:
        raise OperatorRequestError(
            f"{exc.message.rstrip('。')}。没有登记。", conflict=False
        ) from exc
