"""Routes of the family page (/family): number, code, the relative's people, the forms.

Every POST carries the CSRF token (the pre-session signed double-submit of
app/consoles/csrf.py). The pages after the code need the signed family session
(`session.py`); without it they go back to /family. A relative sees and changes only
people who list their verified number as a family contact (else 403).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.consoles.auth import NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.http import console_router
from app.consoles.login import client_address
from app.consoles.templating import render
from app.core.deps import SessionDep, SettingsDep
from app.core.logging import log_fields
from app.people.audit import Actor
from app.people.enums import ConsentBasis
from app.people.family import session as family_session
from app.people.family.form import FamilyForm, FormRefused, masked_phones
from app.people.family_codes import FamilyCodeError, check_code, family_mobile, request_code
from app.people.models import Community, FamilyContact, Person
from app.people.notice import tell_registered
from app.people.phones import mask_number
from app.people.registration import (
    ContactInput,
    RegistrationError,
    register_person,
    update_person,
)

logger = logging.getLogger(__name__)
router = console_router()

MAX_FIELD = 200
NOT_YOURS = "您不是这位老人登记的家属联系人，不能查看或修改。请联系老人所在社区。"
ID_ON_FILE = "这个身份证号已经登记过了。要修改这位老人的资料，请联系老人所在的社区。"
BOUND_ELSEWHERE = "电话{number}已经登记在另一位老人名下，这里不能改。请联系老人所在社区的工作人员。"
NO_CONSENT = "请先问过老人本人，并勾选“老人本人知道并同意登记”，才能登记。"
NO_COMMUNITY = (
    "请选择老人住在哪个社区（社区工作人员会为老人打印热线卡）。不清楚的话，请先问问老人。"
)
NOTICES = {
    "registered": "登记好了。老人会收到短信或电话，告诉他们是谁登记的、怎样取消。",
    "updated": "已保存。",
}


async def _read_form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_read_form)]


def _verified(request: Request, settings: SettingsDep, now: NowDep) -> str:
    number = family_session.verified_number(request, settings, now)
    if number is None:
        raise HTTPException(status_code=303, headers={"location": "/family"})
    return number


FamilyNumber = Annotated[str, Depends(_verified)]


def _actor(number: str) -> Actor:
    return Actor(f"家属{mask_number(number)}（家属自助登记）")


# --- the code ---------------------------------------------------------------------------


@router.get("/family", response_class=Response)
def start_page(request: Request, settings: SettingsDep, now: NowDep) -> Response:
    if family_session.verified_number(request, settings, now) is not None:
        return RedirectResponse("/family/people", status_code=303)
    return render(request, "family/start.html", {})


@router.post("/family/code", response_class=Response, dependencies=[CsrfProtected])
def send_code(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    number: Annotated[str, Form(max_length=MAX_FIELD)] = "",
) -> Response:
    try:
        mobile = family_mobile(number)
        request_code(
            session,
            number=mobile,
            client=client_address(request),
            secret=settings.secret_key,
            now=now,
        )
    except FamilyCodeError as exc:
        session.rollback()
        status = 429 if exc.code == "too_many_codes" else 400
        logger.info("family code refused", extra=log_fields(code=exc.code))
        return render(
            request,
            "family/start.html",
            {"error": exc.message, "number": number},
            status_code=status,
        )
    session.commit()
    return _code_page(request, mobile)


def _code_page(
    request: Request, number: str, *, error: str | None = None, status_code: int = 200
) -> Response:
    context = {"number": number, "masked": mask_number(number), "error": error}
    return render(request, "family/code.html", context, status_code=status_code)


@router.post("/family/verify", response_class=Response, dependencies=[CsrfProtected])
def verify(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    number: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    code: Annotated[str, Form(max_length=MAX_FIELD)] = "",
) -> Response:
    try:
        mobile = family_mobile(number)
        check_code(session, number=mobile, code=code, secret=settings.secret_key, now=now)
    except FamilyCodeError as exc:
        session.commit()  # a wrong code counts against the code
        logger.info("family code not accepted", extra=log_fields(code=exc.code))
        if exc.code == "bad_number":
            return render(request, "family/start.html", {"error": exc.message}, status_code=400)
        return _code_page(request, number, error=exc.message, status_code=400)
    session.commit()
    response = RedirectResponse("/family/people", status_code=303)
    family_session.start(response, settings, number=mobile, now=now)
    return response


@router.post("/family/logout", response_class=Response, dependencies=[CsrfProtected])
def logout(settings: SettingsDep) -> Response:
    response = RedirectResponse("/family", status_code=303)
    family_session.end(response, settings)
    return response


# --- the relative's people --------------------------------------------------------------


def _people_of(session: Session, number: str) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .join(FamilyContact, FamilyContact.person_id == Person.id)
            .where(FamilyContact.phone == number, Person.active.is_(True))
            .order_by(Person.id)
        ).unique()
    )


class FamilyRefusal(HTTPException):
    """Shown in the family page's own layout (no staff header, back to /family/people)."""

    template = "family/error.html"


def _load(session: Session, number: str, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None or not person.active or all(c.phone != number for c in person.contacts):
        raise FamilyRefusal(status_code=403, detail=NOT_YOURS)
    return person


@router.get("/family/people", response_class=Response)
def people_page(
    request: Request,
    session: SessionDep,
    number: FamilyNumber,
) -> Response:
    rows = [(p, masked_phones(p)) for p in _people_of(session, number)]
    notice = NOTICES.get(request.query_params.get("done", ""))
    context = {"rows": rows, "masked": mask_number(number), "notice": notice}
    return render(request, "family/people.html", context)


def _form_page(
    request: Request,
    session: Session,
    form: FamilyForm,
    *,
    person: Person | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    communities = list(session.scalars(select(Community).order_by(Community.id)))
    context = {
        "form": form,
        "person": person,
        "kept_phones": masked_phones(person) if person else [],
        "communities": communities,
        "error": error,
    }
    return render(request, "family/form.html", context, status_code=status_code)


def _read(data: FormData) -> FamilyForm:
    try:
        return FamilyForm.from_form(data)
    except FormRefused:
        raise FamilyRefusal(
            status_code=400, detail="表单内容不对，请刷新页面后重新填写。"
        ) from None


def _refusal(exc: RegistrationError) -> str:
    if exc.code == "phone_bound_elsewhere":
        return BOUND_ELSEWHERE.format(number=mask_number(exc.number) if exc.number else "")
    if exc.code in ("id_number_taken", "id_number_deactivated"):
        # One answer for both: a relative learns no more than that the ID is on file
        # (whether the person was deactivated is for the community office).
        return ID_ON_FILE
    return exc.message


@router.get("/family/new", response_class=Response)
def new_form(request: Request, session: SessionDep, number: FamilyNumber) -> Response:
    return _form_page(request, session, FamilyForm())


@router.post("/family/new", response_class=Response, dependencies=[CsrfProtected])
def register(
    request: Request, session: SessionDep, now: NowDep, number: FamilyNumber, data: FormDep
) -> Response:
    form = _read(data)
    try:
        community_id = _community(session, form.community_id)
        if not form.my_relation:
            raise RegistrationError("missing_relation", "请填写您是老人的什么人（如女儿）")
        if not form.parent_agreed:
            raise RegistrationError("no_consent_statement", NO_CONSENT)
        actor = _actor(number)
        person = register_person(
            session,
            full_name=form.full_name,
            registered_by=actor.name,
            actor=actor,
            consent_basis=ConsentBasis.FAMILY_SELF_SERVICE,
            community_id=community_id,
            id_number=form.id_number or None,
            call_name=form.call_name,
            phones=form.new_phones,
            home=form.home(),
            places=form.place_inputs(),
            contacts=[form.my_contact(number)],
            told_by=f"您的{form.my_relation}{form.my_name}",
            now=now,
        )
        session.commit()
    except RegistrationError as exc:
        session.rollback()
        logger.info("family registration refused", extra=log_fields(code=exc.code))
        return _form_page(request, session, form, error=_refusal(exc), status_code=400)
    logger.info("family registration", extra=log_fields(person_id=person.id))
    return RedirectResponse("/family/people?done=registered", status_code=303)


def _community(session: Session, raw: str) -> int:
    """Required: a person without a community is seen by no community worker."""
    if not raw:
        raise RegistrationError("missing_community", NO_COMMUNITY)
    if not raw.isdigit() or session.get(Community, int(raw)) is None:
        raise RegistrationError("unknown_community", "找不到这个社区，请重新选择")
    return int(raw)


@router.get("/family/people/{person_id}", response_class=Response)
def edit_form(
    request: Request, person_id: int, session: SessionDep, number: FamilyNumber
) -> Response:
    person = _load(session, number, person_id)
    return _form_page(request, session, FamilyForm.of(person, number), person=person)


@router.post("/family/people/{person_id}", response_class=Response, dependencies=[CsrfProtected])
def update(
    request: Request,
    person_id: int,
    session: SessionDep,
    now: NowDep,
    number: FamilyNumber,
    data: FormDep,
) -> Response:
    person = _load(session, number, person_id)
    form = _read(data)
    kinds = {p.label: p.kind for p in person.places}
    others = [c for c in person.contacts if c.phone != number]
    mine = next(c for c in person.contacts if c.phone == number)  # _load checked it
    # Their own permissions stay as the community office left them: only name and relation.
    own = replace(_kept(mine), name=form.my_name, relation=form.my_relation)
    before = {p.number for p in person.phones}
    try:
        update_person(
            session,
            person_id=person.id,
            changed_by=_actor(number),
            full_name=form.full_name,
            id_number=form.id_number or person.id_number,
            call_name=form.call_name,
            phones=[p.number for p in person.phones] + form.new_phones,
            home=form.home(),
            places=form.place_inputs(kinds),
            contacts=[_kept(c) for c in others] + [own],
            now=now,
        )
        added = {p.number for p in person.phones} - before
        if added:  # a number added by a relative is told like a new registration
            tell_registered(session, person, by=f"您的{own.relation}{own.name}", numbers=added)
        session.commit()
    except RegistrationError as exc:
        session.rollback()
        logger.info("family update refused", extra=log_fields(code=exc.code, person_id=person_id))
        person = _load(session, number, person_id)
        return _form_page(
            request, session, form, person=person, error=_refusal(exc), status_code=400
        )
    return RedirectResponse("/family/people?done=updated", status_code=303)


def _kept(contact: FamilyContact) -> ContactInput:
    return ContactInput(
        name=contact.name,
        relation=contact.relation,
        phone=contact.phone,
        may_order_taxi=contact.may_order_taxi,
        may_book_appointments=contact.may_act_for,
        notified=contact.notify,
    )
