"""The HIS link in the admin section (/hospital/{id}/admin/his): API tokens, the webhook
and the pushes that failed.

Hospital admins (their own hospital) and admins only (`HospitalAdminStaff`); the hospital
in the URL is checked first (403), a token id of another hospital is 404 with nothing
changed. A new or rotated token is shown once: the POST redirects (303) to the page with the
token in the signed, short-lived flash cookie (`app.consoles.flash`), the page shows it
and deletes the cookie, so a reload neither shows it again nor makes another token. It is
never in a URL or a log; only its hash is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.consoles.auth import HospitalAdminStaff, NowDep
from app.consoles.csrf import CsrfProtected
from app.consoles.flash import forget_flash, redirect_with_flash, take_flash
from app.consoles.http import commit_or_refuse, console_router
from app.consoles.templating import render
from app.core.deps import SessionDep
from app.hospital.audit import AdminError, AdminNotFound
from app.hospital.console.pages import load_hospital
from app.hospital.fhir import push, tokens
from app.hospital.fhir.models import FhirClient, FhirLink
from app.hospital.models import Hospital
from app.staff.models import StaffUser

pages = console_router()
actions = console_router(dependencies=[CsrfProtected])
NOTICES = {"revoked": "凭证已吊销，立即失效。", "webhook": "推送地址已保存。"}


def his_context(session: Session, hospital: Hospital, now: datetime) -> dict[str, Any]:
    return {
        "hospital": hospital,
        "now": now,
        "clients": tokens.clients(session, hospital_id=hospital.id),
        "link": session.get(FhirLink, hospital.id),
        "failures": push.failures(session, hospital_id=hospital.id),
        "api_base": f"/fhir/{hospital.id}",
    }


def _page(
    request: Request,
    session: Session,
    hospital: Hospital,
    now: datetime,
    status_code: int = 200,
    **more: Any,
) -> Response:
    context = his_context(session, hospital, now)
    context.update(more)
    return render(request, "hospital/his.html", context, status_code=status_code)


def _refused(
    request: Request, session: Session, hospital: Hospital, now: datetime
) -> Callable[[Exception], Response]:
    def show(exc: Exception) -> Response:
        assert isinstance(exc, AdminError)
        status = 404 if isinstance(exc, AdminNotFound) else 409
        return _page(request, session, hospital, now, status, error=exc.message)

    return show


@pages.get("/hospital/{hospital_id}/admin/his", response_class=Response)
def his_page(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    done: str = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    issued = _issued(session, hospital, take_flash(request))
    more: dict[str, Any] = {"notice": NOTICES.get(done)}
    if issued is not None:
        more.update(new_token=issued.token, new_client=issued.client, notice=None)
    response = _page(request, session, hospital, now, **more)
    forget_flash(request, response)
    return response


def _issued(
    session: Session, hospital: Hospital, flash: dict[str, Any] | None
) -> tokens.IssuedToken | None:
    """The token the redirect after issuing it left in the flash cookie, if it is one of
    this hospital's (checked against its stored hash)."""
    if flash is None or not isinstance(flash.get("token"), str):
        return None
    token = flash["token"]
    client = session.scalar(
        select(FhirClient).where(
            FhirClient.hospital_id == hospital.id,
            FhirClient.token_hash == tokens.token_hash(token),
        )
    )
    return tokens.IssuedToken(client=client, token=token) if client is not None else None


def _issue(
    request: Request,
    session: Session,
    staff: StaffUser,
    hospital: Hospital,
    now: datetime,
    issue: Callable[[], tokens.IssuedToken],
) -> Response:
    try:
        issued = issue()
        session.commit()
    except AdminError as exc:
        session.rollback()
        return _refused(request, session, hospital, now)(exc)
    return redirect_with_flash(
        request, f"/hospital/{hospital.id}/admin/his#tokens", {"token": issued.token}
    )


@actions.post("/hospital/{hospital_id}/admin/his/tokens", response_class=Response)
def create_token(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    name: Annotated[str, Form(max_length=80)] = "",
    days: Annotated[str, Form(max_length=5)] = "365",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)

    def issue() -> tokens.IssuedToken:
        if not days.strip().isdigit():
            raise AdminError("有效天数要填整数。")
        return tokens.create(
            session,
            hospital_id=hospital.id,
            name=name,
            actor_id=staff.id,
            now=now,
            lifetime=timedelta(days=int(days)),
        )

    return _issue(request, session, staff, hospital, now, issue)


@actions.post(
    "/hospital/{hospital_id}/admin/his/tokens/{client_id}/rotate", response_class=Response
)
def rotate_token(
    request: Request,
    hospital_id: int,
    client_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return _issue(
        request,
        session,
        staff,
        hospital,
        now,
        lambda: tokens.rotate(
            session, hospital_id=hospital.id, client_id=client_id, actor_id=staff.id, now=now
        ),
    )


@actions.post(
    "/hospital/{hospital_id}/admin/his/tokens/{client_id}/revoke", response_class=Response
)
def revoke_token(
    request: Request,
    hospital_id: int,
    client_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return commit_or_refuse(
        session,
        lambda: tokens.revoke(
            session, hospital_id=hospital.id, client_id=client_id, actor_id=staff.id, now=now
        ),
        refused=AdminError,
        show_refusal=_refused(request, session, hospital, now),
        log_event="fhir token revoked",
        fields={"staff_user_id": staff.id, "hospital_id": hospital.id},
        done_url=f"/hospital/{hospital.id}/admin/his?done=revoked",
    )


@actions.post("/hospital/{hospital_id}/admin/his/webhook", response_class=Response)
def set_webhook(
    request: Request,
    hospital_id: int,
    staff: HospitalAdminStaff,
    session: SessionDep,
    now: NowDep,
    url: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    hospital = load_hospital(session, staff, hospital_id)
    return commit_or_refuse(
        session,
        lambda: push.set_webhook(
            session, hospital_id=hospital.id, url=url, actor_id=staff.id, now=now
        ),
        refused=AdminError,
        show_refusal=_refused(request, session, hospital, now),
        log_event="fhir webhook set",
        fields={"staff_user_id": staff.id, "hospital_id": hospital.id},
        done_url=f"/hospital/{hospital.id}/admin/his?done=webhook",
    )
