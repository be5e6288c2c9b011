"""POST routes of the community console; every change goes through app.people.registration.

Each form carries the CSRF token. A refused form is shown again, filled in, with the
Chinese reason (HTTP 400); nothing is saved. A number bound to another person is only
moved when the worker ticks 改绑 on that second showing, and only from a person of their
own community. Showing full numbers is a POST, written to the person's audit trail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.consoles.auth import (
    CommunityConsoleStaff,
    NowDep,
    community_scope,
    ensure_community_access,
)
from app.consoles.csrf import CsrfProtected
from app.consoles.http import commit_or_refuse, console_router
from app.consoles.templating import render
from app.core.deps import SessionDep, SettingsDep
from app.core.local_time import local_today
from app.core.logging import log_fields
from app.people import audit
from app.people.audit import Actor
from app.people.console.form import FormRefused, PersonForm
from app.people.console.view import form_context, load_person, person_context
from app.people.enums import ConsentBasis
from app.people.erasure import erase_person
from app.people.models import Community, Person
from app.people.registration import (
    RegistrationError,
    deactivate_person,
    owners_of_numbers,
    reactivate_person,
    register_person,
    update_person,
)
from app.staff.models import StaffUser

logger = logging.getLogger(__name__)
router = console_router(dependencies=[CsrfProtected])

MISSING_COMMUNITY = "请选择老人所在的社区"
REBIND_OTHER_COMMUNITY = "这个号码登记在其他社区的老人名下，只能由那个社区或管理员改绑，请联系他们"


async def read_form(request: Request) -> FormData:
    return await request.form()  # already parsed (and cached) by the CSRF check


FormDep = Annotated[FormData, Depends(read_form)]


def actor_of(staff: StaffUser) -> Actor:
    return Actor(f"{staff.display_name}（{staff.username}）", staff.id)


def _read(data: FormData) -> PersonForm:
    try:
        return PersonForm.from_form(data)
    except FormRefused:
        raise HTTPException(
            status_code=400, detail="表单内容不对，请刷新页面后重新填写。"
        ) from None


def _check_rebind(
    session: Session, staff: StaffUser, form: PersonForm, person_id: int | None
) -> None:
    """改绑 only takes numbers from people this worker may change."""
    scope = community_scope(staff)
    if not form.rebind or scope is None:
        return
    for owner in owners_of_numbers(session, form.phones):
        if owner.id != person_id and owner.community_id != scope:
            raise RegistrationError("phone_in_other_community", REBIND_OTHER_COMMUNITY)


def _refused(
    request: Request,
    session: Session,
    staff: StaffUser,
    form: PersonForm,
    exc: RegistrationError,
    person: Person | None,
) -> Response:
    session.rollback()
    logger.info(
        "person change refused",
        extra=log_fields(code=exc.code, staff_user_id=staff.id, person_id=person and person.id),
    )
    form.rebind = False  # ticked again on purpose, never carried over
    context = form_context(
        session,
        staff,
        form,
        person=person and session.get(Person, person.id),
        error=exc.message,
        offer_rebind=exc.code == "phone_bound_elsewhere",
    )
    return render(request, "people/form.html", context, status_code=400)


def _told_by(session: Session, staff: StaffUser, community_id: int) -> str:
    """Who the registered person hears registered them: 翠湖社区王主任."""
    community = session.get(Community, community_id)
    name = community.name if community is not None else ""
    shown = staff.display_name
    return shown if shown.startswith(name) else f"{name}{shown}"


@router.post("/people", response_class=Response)
def register(
    request: Request, staff: CommunityConsoleStaff, session: SessionDep, now: NowDep, data: FormDep
) -> Response:
    form = _read(data)
    community_id = form.community if form.community_id else staff.community_id
    if community_id is None:
        exc = RegistrationError("missing_community", MISSING_COMMUNITY)
        return _refused(request, session, staff, form, exc, None)
    ensure_community_access(staff, community_id)
    try:
        _check_rebind(session, staff, form, None)
        person = register_person(
            session,
            full_name=form.full_name,
            registered_by=actor_of(staff).name,
            staff_user_id=staff.id,
            consent_basis=ConsentBasis(form.consent_basis),
            community_id=community_id,
            id_number=form.id_number or None,
            call_name=form.call_name,
            phones=form.phones,
            home=form.home,
            places=form.places,
            contacts=form.contact_inputs,
            rebind=form.rebind,
            now=now,
            told_by=_told_by(session, staff, community_id),
        )
        session.commit()
    except RegistrationError as exc:
        return _refused(request, session, staff, form, exc, None)
    logger.info("person registered", extra=log_fields(staff_user_id=staff.id, person_id=person.id))
    return RedirectResponse(f"/people/{person.id}?done=registered", status_code=303)


@router.post("/people/{person_id}", response_class=Response)
def update(
    request: Request,
    person_id: int,
    staff: CommunityConsoleStaff,
    session: SessionDep,
    now: NowDep,
    data: FormDep,
) -> Response:
    person = load_person(session, staff, person_id)
    form = _read(data).unmask(person)
    if form.community_id and form.community != person.community_id:
        # Moving a person to another community is not done here (the form has no field).
        raise HTTPException(status_code=403, detail="不能在这里把老人改到其他社区。")
    try:
        _check_rebind(session, staff, form, person.id)
        update_person(
            session,
            person_id=person.id,
            changed_by=actor_of(staff),
            full_name=form.full_name,
            id_number=form.id_number or None,
            call_name=form.call_name,
            phones=form.phones,
            home=form.home,
            places=form.places,
            contacts=form.contact_inputs,
            rebind=form.rebind,
            now=now,
        )
        session.commit()
    except RegistrationError as exc:
        return _refused(request, session, staff, form, exc, person)
    logger.info("person updated", extra=log_fields(staff_user_id=staff.id, person_id=person_id))
    return RedirectResponse(f"/people/{person_id}?done=updated", status_code=303)


def _confirmed_step(
    request: Request,
    session: Session,
    staff: StaffUser,
    person: Person,
    *,
    confirm: str,
    template: str,
    change: Callable[[], str],
    event: str,
) -> Response:
    """A two-step action: without `confirm=yes` the confirmation page; with it `change()`
    (which returns the `done` notice), committed, or 409 with the service's reason."""
    if confirm != "yes":
        return render(request, template, {"person": person})

    def conflict(exc: Exception) -> Response:
        raise HTTPException(status_code=409, detail=str(exc)) from None

    return commit_or_refuse(
        session,
        change,
        refused=RegistrationError,
        show_refusal=conflict,
        log_event=event,
        fields={"staff_user_id": staff.id, "person_id": person.id},
        done_url=lambda done: f"/people/{person.id}?done={done}",
    )


@router.post("/people/{person_id}/deactivate", response_class=Response)
def deactivate(
    request: Request,
    person_id: int,
    staff: CommunityConsoleStaff,
    session: SessionDep,
    now: NowDep,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Step one (no `confirm`): the confirmation page. Step two (`confirm=yes`): deactivate."""
    person = load_person(session, staff, person_id)

    def change() -> str:
        deactivate_person(session, person_id=person.id, changed_by=actor_of(staff), now=now)
        return "deactivated"

    return _confirmed_step(
        request,
        session,
        staff,
        person,
        confirm=confirm,
        template="people/deactivate.html",
        change=change,
        event="person deactivated",
    )


@router.post("/people/{person_id}/reactivate", response_class=Response)
def reactivate(
    request: Request,
    person_id: int,
    staff: CommunityConsoleStaff,
    session: SessionDep,
    now: NowDep,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """重新启用: step one shows what happens; step two (`confirm=yes`) reactivates."""
    person = load_person(session, staff, person_id)

    def change() -> str:
        left_out = reactivate_person(
            session, person_id=person.id, changed_by=actor_of(staff), now=now
        )
        return "reactivated_partly" if left_out else "reactivated"

    return _confirmed_step(
        request,
        session,
        staff,
        person,
        confirm=confirm,
        template="people/reactivate.html",
        change=change,
        event="person reactivated",
    )


@router.post("/people/{person_id}/reveal", response_class=Response)
def reveal(
    request: Request, person_id: int, staff: CommunityConsoleStaff, session: SessionDep, now: NowDep
) -> Response:
    """显示完整号码: the person's page with full ID and numbers; recorded in the trail."""
    person = load_person(session, staff, person_id)
    audit.record(
        session,
        person,
        actor=actor_of(staff),
        action=audit.NUMBERS_SHOWN,
        lines=["查看了完整的身份证号和电话"],
        now=now,
    )
    session.commit()
    logger.info(
        "person numbers shown", extra=log_fields(staff_user_id=staff.id, person_id=person_id)
    )
    return render(request, "people/person.html", person_context(session, person, revealed=True))


@router.post("/people/{person_id}/erase", response_class=Response)
def erase(
    request: Request,
    person_id: int,
    staff: CommunityConsoleStaff,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """注销: step one shows what is erased and kept; step two (`confirm=yes`) erases."""
    person = load_person(session, staff, person_id)
    if confirm != "yes":
        return render(request, "people/erase.html", {"person": person})
    try:
        erase_person(
            session,
            person_id=person.id,
            changed_by=actor_of(staff),
            today=local_today(now),
            recordings_dir=settings.recordings_dir,
            now=now,
        )
        session.commit()
    except RegistrationError as exc:
        session.rollback()
        context = person_context(session, person)
        context["error"] = exc.message
        return render(request, "people/person.html", context, status_code=409)
    logger.info("person erased", extra=log_fields(staff_user_id=staff.id, person_id=person_id))
    return RedirectResponse(f"/people/{person_id}?done=erased", status_code=303)
