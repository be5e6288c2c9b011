"""Property-based fuzzing of the whole HTTP API from its own OpenAPI schema (schemathesis).

One live test server on the demo data; every operation the schema describes is called
with generated requests (valid and invalid path, query, form and JSON values):

- signed in as each staff role, on the role's own pages, with the session's CSRF token,
  so forms reach their handlers (an admin never targets their own account);
- anonymously (sign-in, the family pages, static files, and once each staff page);
- as a family member signed in on the family pages (the session an SMS code starts);
- the FHIR API with a valid token of a demo hospital;
- the Twilio webhooks with a valid Twilio signature over generated form fields (the
  schema names none: Twilio's fields are added here) and, separately, with a forged one.

No answer may be a server error (5xx). A Twilio webhook answers with a 4xx or with TwiML
(an XML `<Response>`); a forged one is refused (400 for a body that is no form, else 403).
Every log line written meanwhile is scanned for the demo people's phone and ID numbers.

Examples are derandomised (the same requests each run) and few per operation, so the
whole test stays within about a minute on one core (docs/security.md gives the figure).
"""

from __future__ import annotations

import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy import select
from starlette.responses import Response
from twilio.request_validator import RequestValidator

from app.consoles.csrf import CSRF_COOKIE, session_token
from app.core.logging import JsonFormatter
from app.hospital.fhir import tokens
from app.hospital.models import Hospital
from app.people.family import session as family_session
from app.people.models import Community, FamilyContact, Person, PersonPhone
from app.staff.enums import StaffRole
from app.staff.models import StaffUser
from app.staff.sessions import start_session
from support.demo import demo_data
from support.live_server import LiveServer, csrf_from

DAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Kunming
AUTH_TOKEN = "fuzz-auth-token-0123456789"
PUBLIC_BASE = "https://hotline.example.org"

# Examples per operation (half valid, half invalid): a role's own pages, anonymous
# requests to pages for staff (refused before any work), the Twilio webhooks (signed,
# then forged). The budget is the whole test under 60 s on one core (docs/security.md).
OWN_EXAMPLES = 4
REFUSED_EXAMPLES = 1
TWILIO_EXAMPLES = 10
FORGED_EXAMPLES = 2

# Not fuzzed: the server-sent event stream never ends, and signing out would end the
# role's session (both have their own tests).
SKIPPED = {("GET", "/dispatch/events"), ("POST", "/logout")}
# Staff accounts an admin could lock themselves out of through a generated user id.
OWN_ACCOUNT_PATHS = ("/console/users/{user_id}",)

DEMO_CALLERS = [f"+86138000000{n:02d}" for n in range(1, 13)]
ID_TYPED = "530102194803092215"  # an ID number typed on the keypad
FAMILY_MOBILE = "+8613900000001"  # 李梅, the daughter of a demo caller
CALL_SIDS = ["CA" + "0" * 31 + "1", "CA" + "0" * 31 + "2"]
TWILIO_FIELDS: dict[str, list[str]] = {
    "CallSid": CALL_SIDS,
    "AccountSid": ["AC" + "0" * 32],
    "From": [*DEMO_CALLERS[:3], "+8613900000001", "anonymous", ""],
    "To": ["+868710000000"],
    "Digits": ["1", "2", "0", "*", "#", ID_TYPED],
    "SpeechResult": ["叫车", "挂号", "是喽嘛", ""],
    "Confidence": ["0.9", "abc"],
    "CallStatus": ["ringing", "in-progress", "completed", "busy", "no-answer", "failed"],
    "DialCallStatus": ["completed", "no-answer"],
    "DialCallDuration": ["30"],
    "QueueTime": ["130"],
    "QueueResult": ["hangup", "bridged"],
    "RecordingUrl": ["https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"],
    "RecordingSid": ["RE1"],
    "AnsweredBy": ["human", "machine_start"],
    "MessageSid": ["SM1"],
    "MessageStatus": ["delivered", "undelivered", "failed"],
    "SmsSid": ["SM1"],
    "SmsStatus": ["sent"],
    "ErrorCode": ["30003", "x"],
}
EXACT = ("CallSid", "From", "To")
# What the webhooks read from their URL (the TwiML that calls them back sets it).
TWILIO_QUERY: dict[str, list[str]] = {
    "step": ["0", "1", "2", "7"],
    "wait": ["1", "2"],
    "recording": ["RE1", "CA1-1.wav"],
    "silence": ["1"],
    "reminder": ["1", "2147483648"],
    "ref": ["1", "appointment:1"],
    "request": ["1", "2147483648"],
}


def _known_or_any(values: list[str]) -> dict[str, Any]:
    return {"anyOf": [{"enum": values}, {"type": "string"}]}


def _fuzzable_schema(raw: dict[str, Any]) -> dict[str, Any]:
    """The app's schema, with the Twilio webhooks' form fields and URL parameters (the
    routes read them from the request, so the schema names none): a call id and demo
    numbers (so calls get under way, and their logs are scanned), a known value or any
    text for the others, and any other field. Invalid examples break all of these."""
    form = {
        "type": "object",
        "properties": {
            name: {"enum": values} if name in EXACT else _known_or_any(values)
            for name, values in TWILIO_FIELDS.items()
        },
        "required": ["CallSid", "From", "To"],
        "additionalProperties": {"type": "string"},
    }
    query = [
        {"name": name, "in": "query", "required": False, "schema": _known_or_any(values)}
        for name, values in TWILIO_QUERY.items()
    ]
    for path, operations in raw["paths"].items():
        if not path.startswith("/twilio/"):
            continue
        for operation in operations.values():
            operation["parameters"] = [*operation.get("parameters", []), *query]
            operation["requestBody"] = {
                "required": True,
                "content": {"application/x-www-form-urlencoded": {"schema": form}},
            }
    return raw


@dataclass
class Identity:
    """Who calls: a staff role's session (cookie and CSRF header), a FHIR client, nobody."""

    name: str
    prefixes: tuple[str, ...]  # the pages fuzzed with this identity
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    excluded: tuple[str, ...] = ()  # not these pages (another identity covers them)

    def covers(self, path: str) -> bool:
        return path.startswith(self.prefixes) and not (
            self.excluded and path.startswith(self.excluded)
        )


@dataclass
class Findings:
    server_errors: list[str] = field(default_factory=list)
    bad_twiml: list[str] = field(default_factory=list)
    forged_accepted: list[str] = field(default_factory=list)
    requests: int = 0


def _describe(case: schemathesis.Case, status: int | str) -> str:
    body = case.body if isinstance(case.body, dict | list | str) else type(case.body).__name__
    return f"{status} {case.method} {case.formatted_path} query={case.query!r} body={body!r}"


def _fuzz(
    operation: Any,
    examples: int,
    send: Callable[[schemathesis.Case], None],
    accept: Callable[[schemathesis.Case], bool] | None = None,
) -> None:
    """`examples` generated requests to one operation, valid and invalid, the same each run."""
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    if accept is not None:
        strategy = strategy.filter(accept)

    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        send(case)

    run()


def _signed_in(
    server: LiveServer, username: str, prefixes: tuple[str, ...], *, staff: StaffUser | None = None
) -> Identity:
    """A session of `username` opened on the server, as signing in does (without the
    password hash's 0.7 s per role); `staff` adds that account first."""
    with server.db.session() as session:
        if staff is not None:
            session.add(staff)
            session.flush()
        user = session.scalars(select(StaffUser).where(StaffUser.username == username)).one()
        token = start_session(session, user=user, now=NOW)
    return Identity(
        username,
        prefixes,
        cookies={"ivr_staff": token},
        headers={"X-CSRF-Token": session_token(server.settings, token)},
    )


def _family_member(server: LiveServer, number: str) -> Identity:
    """The family page's session of `number` (as an accepted SMS code starts it) and the
    page's CSRF token with its seed cookie."""
    cookie = Response()
    family_session.start(cookie, server.settings, number=number, now=NOW)
    value = SimpleCookie(cookie.headers["set-cookie"])[family_session.COOKIE].value
    with requests.Session() as browser:
        page = browser.get(server.url + "/family", timeout=30)
        seed = browser.cookies[CSRF_COOKIE]
    return Identity(
        "family",
        ("/family",),
        cookies={family_session.COOKIE: value, CSRF_COOKIE: seed},
        headers={"X-CSRF-Token": csrf_from(page.text)},
    )


def _operations(server: LiveServer) -> list[Any]:
    schema = schemathesis.openapi.from_dict(_fuzzable_schema(server.app.openapi()))
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if (op.method.upper(), op.path) not in SKIPPED]


def _form_pairs(data: object) -> list[tuple[str, str]]:
    """A generated form body as the (name, value) pairs sent, repeated names included."""
    if isinstance(data, str | bytes):
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        return parse_qsl(text, keep_blank_values=True)
    if not isinstance(data, dict):
        return []
    pairs = []
    for name, values in data.items():
        for value in values if isinstance(values, list) else [values]:
            if value is not None:
                pairs.append((str(name), str(value)))
    return pairs


class _Signed(dict[str, list[str]]):
    """Form fields with `getlist`, as Twilio's validator reads a multi-valued form."""

    def getlist(self, name: str) -> list[str]:
        return self[name]


def _is_twiml(response: requests.Response) -> bool:
    """TwiML, or nothing at all (a status callback's 204)."""
    if response.status_code == 204 and not response.content:
        return True
    if "xml" not in response.headers.get("content-type", ""):
        return False
    try:
        root = ET.fromstring(response.content)
    except ET.ParseError:
        return False
    return root.tag == "Response"


def _personal_data(db: Any) -> tuple[set[str], set[str]]:
    with db.session() as session:
        phones = set(session.scalars(select(PersonPhone.number)))
        phones |= set(session.scalars(select(FamilyContact.phone)))
        ids = {i for i in session.scalars(select(Person.id_number)) if i}
    return phones, ids


@pytest.fixture
def fuzz_server(live_server_factory: Callable[..., LiveServer]) -> LiveServer:
    return live_server_factory(
        twilio_auth_token=AUTH_TOKEN,
        public_base_url=PUBLIC_BASE,
        outbox_in_process=False,
        scheduler_in_process=False,
    )


def test_no_request_the_schema_allows_gives_a_server_error(
    fuzz_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    started = time.monotonic()
    server, db = fuzz_server, fuzz_server.db
    demo_data(db, today=DAY)
    server.clock.set(NOW)
    with db.session() as session:
        hospital = session.scalars(select(Hospital.id).order_by(Hospital.id)).first()
        community = session.scalars(select(Community.id).order_by(Community.id)).first()
        assert hospital is not None and community is not None
        fhir_token = tokens.create(
            session, hospital_id=hospital, name="fuzz", actor_id=None, now=NOW
        ).token
        hash_ = session.scalars(select(StaffUser.password_hash)).first()
    caplog.set_level(logging.INFO)
    hospital_admin = "/hospital/{hospital_id}/admin"

    def account(name: str, role: StaffRole, **scope: int) -> StaffUser:
        return StaffUser(username=name, display_name=name, password_hash=hash_, role=role, **scope)

    staff = [
        _signed_in(server, "operator", ("/dispatch", "/console/report")),
        _signed_in(server, "hospital1", ("/hospital",)),
        _signed_in(
            server,
            "fuzz-hadmin",
            (hospital_admin,),
            staff=account("fuzz-hadmin", StaffRole.HOSPITAL_ADMIN, hospital_id=hospital),
        ),
        _signed_in(server, "familydoc1", ("/family-doctor",)),
        _signed_in(
            server,
            "fuzz-community",
            ("/people",),
            staff=account("fuzz-community", StaffRole.COMMUNITY_STAFF, community_id=community),
        ),
        _signed_in(server, "admin", ("/console/users",)),  # last: it changes staff accounts
    ]
    staff[1].excluded = (hospital_admin,)
    with db.session() as session:
        user_ids = {
            r.username: r.id for r in session.execute(select(StaffUser.username, StaffUser.id))
        }
    operations = _operations(server)
    findings = Findings()
    http = requests.Session()

    def send(case: schemathesis.Case, kwargs: dict[str, Any]) -> requests.Response | None:
        kwargs.update(allow_redirects=False, timeout=30)
        findings.requests += 1
        try:
            response = http.request(**kwargs)
        except requests.ConnectionError:  # no answer at all is a server error too
            findings.server_errors.append(_describe(case, "no answer"))
            return None
        if response.status_code >= 500:
            findings.server_errors.append(_describe(case, response.status_code))
        return response

    def call(case: schemathesis.Case, identity: Identity | None) -> None:
        kwargs = case.as_transport_kwargs(base_url=server.url)
        if identity is not None:
            kwargs["headers"] = {**(kwargs.get("headers") or {}), **identity.headers}
            kwargs["cookies"] = {**(kwargs.get("cookies") or {}), **identity.cookies}
        send(case, kwargs)

    def fuzz_as(identity: Identity | None, examples: int, wanted: Callable[[str], bool]) -> None:
        for op in operations:
            if not wanted(op.path):
                continue
            accept = None
            if identity is not None and op.path.startswith(OWN_ACCOUNT_PATHS):
                own = user_ids[identity.name]
                accept = lambda case, own=own: (case.path_parameters or {}).get("user_id") != own  # noqa: E731
            _fuzz(op, examples, lambda case: call(case, identity), accept)

    # --- each staff role on its own pages -----------------------------------------------
    for identity in staff:
        fuzz_as(identity, OWN_EXAMPLES, identity.covers)
        # the session must still be alive, or the role was not really fuzzed
        alive = http.get(
            server.url + "/console", cookies=identity.cookies, allow_redirects=False, timeout=30
        )
        assert alive.status_code in (200, 303), (identity.name, alive.status_code)
        assert "/login" not in alive.headers.get("location", ""), identity.name

    # --- anonymous: the public pages, and every staff page (refused) ---------------------
    public = ("/login", "/family", "/static", "/healthz", "/readyz")
    machines = ("/twilio/", "/fhir/")
    fuzz_as(None, OWN_EXAMPLES, lambda path: path.startswith(public))
    fuzz_as(None, REFUSED_EXAMPLES, lambda path: not path.startswith(public + machines))

    # --- a family member's pages, signed in by SMS code -----------------------------------
    family = _family_member(server, FAMILY_MOBILE)
    fuzz_as(family, OWN_EXAMPLES, family.covers)
    mine = http.get(server.url + "/family/people", cookies=family.cookies, timeout=30)
    assert mine.status_code == 200 and "张秀英" in mine.text  # signed in: her mother

    # --- the FHIR API with a valid token -------------------------------------------------
    fhir = Identity("fhir", ("/fhir/",), headers={"Authorization": f"Bearer {fhir_token}"})
    fuzz_as(fhir, OWN_EXAMPLES, fhir.covers)

    # --- Twilio webhooks: correctly signed, then forged ----------------------------------
    validator = RequestValidator(AUTH_TOKEN)

    def twilio(case: schemathesis.Case, *, forged: bool) -> None:
        kwargs = case.as_transport_kwargs(base_url=server.url)
        pairs = _form_pairs(kwargs.pop("data", None))
        fields = _Signed()
        for name, value in pairs:
            fields.setdefault(name, []).append(value)
        query = urlencode(kwargs.pop("params", None) or {}, doseq=True)
        path = case.formatted_path + (f"?{query}" if query else "")
        kwargs["url"] = server.url + path
        url = PUBLIC_BASE + path
        signature = "forged" if forged else validator.compute_signature(url, fields)
        kwargs["headers"] = {**(kwargs.get("headers") or {}), "X-Twilio-Signature": signature}
        kwargs["data"] = urlencode(pairs)
        response = send(case, kwargs)
        if response is None or response.status_code >= 500:
            return
        if forged and response.status_code not in (400, 403):
            findings.forged_accepted.append(_describe(case, response.status_code))
        elif response.status_code < 400 and not _is_twiml(response):
            findings.bad_twiml.append(_describe(case, response.status_code))

    for op in operations:
        if op.path.startswith("/twilio/"):
            _fuzz(op, TWILIO_EXAMPLES, lambda case: twilio(case, forged=False))
            _fuzz(op, FORGED_EXAMPLES, lambda case: twilio(case, forged=True))

    elapsed = time.monotonic() - started
    assert findings.server_errors == [], "\n".join(findings.server_errors)
    assert findings.bad_twiml == [], "\n".join(findings.bad_twiml)
    assert findings.forged_accepted == [], "\n".join(findings.forged_accepted)
    assert findings.requests > 600, findings.requests  # the fuzzing really ran

    # --- no personal data in the logs of all that ----------------------------------------
    phones, id_numbers = _personal_data(db)
    id_numbers.add(ID_TYPED)
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    # the server's own lines were captured, those of calls (with masked numbers) among them
    assert any('"incoming call"' in line for line in lines), len(lines)
    leaks = [
        line
        for line in lines
        if any(p in line or p.removeprefix("+86") in line for p in phones)
        or any(i in line for i in id_numbers)
    ]
    assert leaks == [], "\n".join(leaks[:5])
    print(f"fuzzed {len(operations)} operations: {findings.requests} requests, {elapsed:.0f} s")
