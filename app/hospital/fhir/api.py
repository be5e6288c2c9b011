"""The FHIR R4 API of one hospital, for its HIS: /fhir/{hospital id}/...

    GET  /fhir/{h}/Schedule?date=&actor=          searchset Bundle
    GET  /fhir/{h}/Slot?start=&status=&schedule=&service-type=
    GET  /fhir/{h}/Appointment?date=&status=&practitioner=&patient=&_lastUpdated=
    GET  /fhir/{h}/{Schedule|Slot|Appointment|Patient}/{id}
    POST /fhir/{h}                                 import a Bundle of Schedule/Slot

`Authorization: Bearer <token>` of a client credential of hospital {h}
(`app.hospital.fhir.tokens`). A missing, unknown, revoked or expired token: 401; a token
of another hospital: 403; always with an OperationOutcome. Bad search: 400; a refused
import: 422 (400 when the body is not JSON), nothing applied. Answers are
`application/fhir+json`.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.consoles.auth import NowDep
from app.core.deps import SessionDep
from app.db.base import parse_id
from app.hospital.fhir import resources, search, tokens
from app.hospital.fhir.importer import ImportRefused, import_bundle
from app.hospital.fhir.resources import operation_outcome

router = APIRouter(prefix="/fhir", tags=["fhir"])
FHIR_JSON = "application/fhir+json"
MAX_BODY = 5_000_000


class FhirProblem(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def _answer(resource: resources.Resource, status: int = 200) -> JSONResponse:
    return JSONResponse(resource, status_code=status, media_type=FHIR_JSON)


def _problem(problem: FhirProblem) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="fhir"'} if problem.status == 401 else None
    return JSONResponse(
        operation_outcome(problem.code, str(problem)),
        status_code=problem.status,
        media_type=FHIR_JSON,
        headers=headers,
    )


def _authorize(request: Request, session: Any, hospital_id: int, now: Any) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise FhirProblem(401, "login", "a bearer token is required")
    client = tokens.authenticate(session, token=token.strip(), now=now)
    if client is None:
        raise FhirProblem(401, "expired", "the token is unknown, revoked or expired")
    if client.hospital_id != hospital_id:
        raise FhirProblem(403, "forbidden", "this token is for another hospital")


def _base_url(request: Request, hospital_id: int) -> str:
    return str(request.base_url).rstrip("/") + f"/fhir/{hospital_id}"


SEARCHES = {
    "Schedule": search.schedules,
    "Slot": search.slots,
    "Appointment": search.appointments,
}


@router.get("/{hospital_id}/{resource_type}")
def search_resources(
    hospital_id: int, resource_type: str, request: Request, session: SessionDep, now: NowDep
) -> JSONResponse:
    try:
        _authorize(request, session, hospital_id, now)
        if resource_type not in SEARCHES:
            raise FhirProblem(404, "not-supported", f"no search for {resource_type}")
        found = SEARCHES[resource_type](
            session, hospital_id, list(request.query_params.items()), now
        )
    except search.SearchError as exc:
        return _problem(FhirProblem(400, "invalid", str(exc)))
    except FhirProblem as problem:
        return _problem(problem)
    return _answer(resources.bundle(found, _base_url(request, hospital_id)))


@router.get("/{hospital_id}/{resource_type}/{resource_id}")
def read_resource(
    hospital_id: int,
    resource_type: str,
    resource_id: str,
    request: Request,
    session: SessionDep,
    now: NowDep,
) -> JSONResponse:
    try:
        _authorize(request, session, hospital_id, now)
        row_id = parse_id(resource_id)
        if row_id is None:
            raise FhirProblem(404, "not-found", f"no {resource_type}/{resource_id}")
        found: resources.Resource | None
        if resource_type == "Patient":
            found = search.patient(session, hospital_id, row_id)
        elif resource_type in SEARCHES:
            matches = SEARCHES[resource_type](session, hospital_id, [("_id", resource_id)], now)
            found = matches[0] if matches else None
        else:
            raise FhirProblem(404, "not-supported", f"{resource_type} is not served")
        if found is None:
            raise FhirProblem(404, "not-found", f"no {resource_type}/{resource_id}")
    except FhirProblem as problem:
        return _problem(problem)
    return _answer(found)


@router.post("/{hospital_id}")
async def post_bundle(
    hospital_id: int, request: Request, session: SessionDep, now: NowDep
) -> JSONResponse:
    try:
        _authorize(request, session, hospital_id, now)
        session.commit()  # the token's last use, even if the import is refused
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise FhirProblem(413, "too-costly", "the bundle is larger than 5 MB")
        try:
            data = json.loads(raw)
        except ValueError:
            raise FhirProblem(400, "structure", "the body is not JSON") from None
        try:
            result = import_bundle(session, hospital_id=hospital_id, data=data, now=now)
        except ImportRefused as exc:
            session.rollback()
            raise FhirProblem(422, exc.code, str(exc)) from None
        session.commit()  # before answering: the HIS may read its sessions at once
    except FhirProblem as problem:
        return _problem(problem)
    response = {
        "resourceType": "Bundle",
        "type": "batch-response",
        "entry": [
            {"response": {"status": "200 OK", "location": location}}
            for location in result.locations
        ],
    }
    return _answer(response)
