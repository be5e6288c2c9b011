"""A fake Twilio REST API on loopback, for tests that run the real twilio client.

Implements only what app.notify and app.operators use, under
/2010-04-01/Accounts/{AccountSid}/: POST Messages.json and Calls.json (create), GET
Messages.json and Calls.json (list, filtered by To and From), and POST Calls/{Sid}.json
(update an ongoing call, e.g. redirect it with new TwiML; a sid in `ended_calls` gets
Twilio's 400 code 21220 "Call is not in-progress"), and DELETE Recordings/{Sid}.json
(204 for a recording in `recordings`, which `add_recording` fills; 404 code 20404 for
any other, as Twilio answers for one already deleted). Answers are shaped like Twilio's
(sid, status, date_created in RFC 2822, ...). Every request is recorded (`requests`);
created resources are kept (`created`). Basic auth must match the account sid and token, else 401.

Failure modes (`fake.mode = ...`, or `fake.fail_next(mode, n)` for the next n creates):
  "ok"          normal
  "error500"    500 with a Twilio error body; nothing created
  "error400"    400 code 21211 (invalid 'To' number); nothing created
  "hang"        create the resource, then wait `hang_seconds` before answering
  "drop"        create the resource, then close the connection without answering
  "drop_before" close the connection without creating anything
Numbers in `invalid_numbers` always get the 400.

    from support.fake_twilio import fake_twilio  # noqa: F401   (in a conftest.py)
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "fake-twilio-auth-token-0123456789"
_PATH = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/(?P<kind>Messages|Calls|Recordings)(?:/(?P<sid>[A-Za-z0-9]+))?\.json$"
)
MODES = {"ok", "error500", "error400", "hang", "drop", "drop_before"}


@dataclass
class RecordedRequest:
    method: str
    path: str
    kind: str  # "Messages", "Calls" or "Recordings"
    form: dict[str, str]
    query: dict[str, str]
    auth: tuple[str, str] | None
    outcome: str  # the mode applied, or "401"


@dataclass
class FakeTwilio:
    """State of the fake server; tests read `requests`/`created` and set `mode`."""

    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    url: str = ""
    mode: str = "ok"
    hang_seconds: float = 2.0
    invalid_numbers: set[str] = field(default_factory=set)
    ended_calls: set[str] = field(default_factory=set)  # calls that can no longer be updated
    recordings: set[str] = field(default_factory=set)  # recording sids Twilio still keeps
    requests: list[RecordedRequest] = field(default_factory=list)
    created: list[dict[str, object]] = field(default_factory=list)
    _next: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, mode: str, count: int = 1) -> None:
        assert mode in MODES, mode
        with self.lock:
            self._next.extend([mode] * count)

    def creates(self, kind: str | None = None) -> list[RecordedRequest]:
        """POST requests (attempted creates), optionally only "Messages" or "Calls"."""
        with self.lock:
            return [r for r in self.requests if r.method == "POST" and kind in (None, r.kind)]

    def updates(self, sid: str | None = None) -> list[RecordedRequest]:
        """POST requests updating a call (`Calls/{sid}.json`), optionally of one call."""
        with self.lock:
            return [
                r
                for r in self.requests
                if r.method == "POST"
                and (m := _PATH.match(r.path)) is not None
                and m["sid"] is not None
                and sid in (None, m["sid"])
            ]

    def add_recording(self) -> str:
        """A recording Twilio keeps; returns its URL as a RecordingUrl webhook field has it."""
        sid = "RE" + uuid.uuid4().hex
        with self.lock:
            self.recordings.add(sid)
        return f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}/Recordings/{sid}"

    def deletes(self) -> list[RecordedRequest]:
        """DELETE requests (recording deletions), whatever their outcome."""
        with self.lock:
            return [r for r in self.requests if r.method == "DELETE"]

    def created_of(self, kind: str) -> list[dict[str, object]]:
        with self.lock:
            return [c for c in self.created if c["_kind"] == kind]

    def _take_mode(self) -> str:
        with self.lock:
            return self._next.pop(0) if self._next else self.mode


def _resource(fake: FakeTwilio, kind: str, form: dict[str, str]) -> dict[str, object]:
    prefix = "SM" if kind == "Messages" else "CA"
    sid = prefix + uuid.uuid4().hex
    now = format_datetime(datetime.now(UTC), usegmt=False)
    base = f"/2010-04-01/Accounts/{fake.account_sid}/{kind}/{sid}.json"
    resource: dict[str, object] = {
        "_kind": kind,
        "sid": sid,
        "account_sid": fake.account_sid,
        "to": form.get("To"),
        "from": form.get("From"),
        "status": "queued",
        "date_created": now,
        "date_updated": now,
        "api_version": "2010-04-01",
        "uri": base,
    }
    if kind == "Messages":
        resource.update(
            body=form.get("Body"),
            num_segments="1",
            direction="outbound-api",
            date_sent=None,
            price=None,
            error_code=None,
            error_message=None,
        )
    else:
        resource.update(direction="outbound-api", start_time=None, end_time=None)
    return resource


def _public(resource: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in resource.items() if not k.startswith("_")}


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = -1  # buffer headers and body into one write (no Nagle/delayed-ACK stall)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return None

        def _send_json(self, status: int, payload: object) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _auth(self) -> tuple[str, str] | None:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Basic "):
                return None
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            return user, password

        def _drop(self) -> None:
            self.close_connection = True
            self.connection.close()

        def _route(self, method: str) -> None:
            parts = urlsplit(self.path)
            match = _PATH.match(parts.path)
            if not match:
                self._send_json(404, {"code": 20404, "message": "not found", "status": 404})
                return
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            kind = match["kind"]
            auth = self._auth()
            ok_auth = match["account"] == fake.account_sid and auth == (
                fake.account_sid,
                fake.auth_token,
            )
            mode = "401" if not ok_auth else ("ok" if method == "GET" else fake._take_mode())
            if method == "POST" and mode == "ok" and form.get("To") in fake.invalid_numbers:
                mode = "error400"
            with fake.lock:
                fake.requests.append(
                    RecordedRequest(method, parts.path, kind, form, query, auth, mode)
                )
            if mode == "401":
                self._send_json(401, {"code": 20003, "message": "Authenticate", "status": 401})
            elif method == "DELETE":
                self._delete(match["sid"], mode)
            elif match["sid"] is not None:
                self._update(match["sid"], form, parts.path)
            elif method == "GET":
                self._list(kind, query, parts.path)
            elif mode == "error500":
                self._send_json(
                    500, {"code": 20500, "message": "Internal Server Error", "status": 500}
                )
            elif mode == "error400":
                to = form.get("To", "")
                self._send_json(
                    400,
                    {
                        "code": 21211,
                        "status": 400,
                        "message": f"The 'To' number {to} is not a valid phone number.",
                        "more_info": "https://www.twilio.com/docs/errors/21211",
                    },
                )
            elif mode == "drop_before":
                self._drop()
            else:
                resource = _resource(fake, kind, form)
                with fake.lock:
                    fake.created.append(resource)
                if mode == "drop":
                    self._drop()
                    return
                if mode == "hang":
                    time.sleep(fake.hang_seconds)
                with contextlib.suppress(OSError):  # the client may have given up waiting
                    self._send_json(201, _public(resource))

        def _delete(self, sid: str | None, mode: str) -> None:
            if mode == "error500":
                self._send_json(
                    500, {"code": 20500, "message": "Internal Server Error", "status": 500}
                )
                return
            if mode in ("drop_before", "drop"):
                if mode == "drop":
                    with fake.lock:
                        fake.recordings.discard(sid or "")
                self._drop()
                return
            with fake.lock:
                known = sid in fake.recordings
                fake.recordings.discard(sid or "")
            if not known:
                self._send_json(
                    404,
                    {
                        "code": 20404,
                        "message": "The requested resource was not found",
                        "status": 404,
                    },
                )
                return
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _update(self, sid: str, form: dict[str, str], path: str) -> None:
            if sid in fake.ended_calls:
                self._send_json(
                    400,
                    {
                        "code": 21220,
                        "status": 400,
                        "message": "Call is not in-progress. Cannot redirect.",
                        "more_info": "https://www.twilio.com/docs/errors/21220",
                    },
                )
                return
            now = format_datetime(datetime.now(UTC), usegmt=False)
            self._send_json(
                200,
                {
                    "sid": sid,
                    "account_sid": fake.account_sid,
                    "status": "in-progress",
                    "date_created": now,
                    "date_updated": now,
                    "api_version": "2010-04-01",
                    "uri": path,
                    "to": None,
                    "from": None,
                    "direction": "inbound",
                },
            )

        def _list(self, kind: str, query: dict[str, str], path: str) -> None:
            with fake.lock:
                items = [
                    _public(c)
                    for c in reversed(fake.created)
                    if c["_kind"] == kind
                    and query.get("To") in (None, c["to"])
                    and query.get("From") in (None, c["from"])
                ]
            size = int(query.get("PageSize", 50))
            key = "messages" if kind == "Messages" else "calls"
            self._send_json(
                200,
                {
                    key: items[:size],
                    "first_page_uri": path,
                    "next_page_uri": None,
                    "previous_page_uri": None,
                    "page": 0,
                    "page_size": size,
                    "start": 0,
                    "end": max(len(items[:size]) - 1, 0),
                    "uri": path,
                },
            )

        def do_POST(self) -> None:  # noqa: N802
            self._route("POST")

        def do_GET(self) -> None:  # noqa: N802
            self._route("GET")

        def do_DELETE(self) -> None:  # noqa: N802
            self._route("DELETE")

    return Handler


class FakeTwilioServer:
    """Runs a FakeTwilio on 127.0.0.1 (a free port) in a background thread."""

    def __init__(self, fake: FakeTwilio | None = None) -> None:
        self.fake = fake or FakeTwilio()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        self.httpd.daemon_threads = True
        self.fake.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeTwilio:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    """A running fake Twilio; point settings.twilio_api_base at `fake_twilio.url`."""
    with FakeTwilioServer() as fake:
        yield fake
