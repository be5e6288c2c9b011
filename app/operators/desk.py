"""The operators' desk: each panel action and each Twilio callback about operators' calls,
as database transactions around the Twilio requests they need.

A database change is committed before Twilio is asked for anything (so a second operator
already sees the caller taken), and undone in a new transaction when Twilio refuses (so
the caller is back first in line). Used by the console routes (app/operators/console) and
the webhooks (app/telephony/operator_routes.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.core.config import Settings
from app.core.db import Database
from app.core.logging import log_fields
from app.operators import requests
from app.operators.dialer import Dialer, DialError
from app.operators.enums import CallbackOutcome, RequestStatus
from app.operators.requests import OperatorRequestError
from app.staff.models import StaffUser
from app.taxi.models import Ride
from app.telephony import operator_twiml
from app.telephony.twiml import TwimlOptions

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bridge:
    """What to do with an operator's answered phone: join the caller, or be told why not."""

    request_id: int
    caller_gone: bool


class OperatorDesk:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        dialer_factory: Callable[[Settings], Dialer] = Dialer,
    ) -> None:
        self.db = db
        self.settings = settings
        self.options = TwimlOptions(base_url=settings.public_base_url.rstrip("/"))
        self._dialer_factory = dialer_factory
        self._dialer: Dialer | None = None

    def dialer(self) -> Dialer:
        if self._dialer is None:
            try:
                self._dialer = self._dialer_factory(self.settings)
            except DialError as exc:
                raise OperatorRequestError(exc.message, conflict=False) from exc
        return self._dialer

    # --- panel actions -----------------------------------------------------------------

    def pick_up(self, *, request_id: int, staff_id: int) -> None:
        """Ring the operator's phone for a waiting caller (who stays in the queue until the
        operator answers)."""
        dialer = self.dialer()
        with self.db.session() as session:
            staff = session.get(StaffUser, staff_id)
            assert staff is not None
            phone = requests.pick_up(session, request_id=request_id, staff=staff)
        self._ring(request_id, phone, operator_twiml.ANSWER_PATH, dialer)

    def call_back(self, *, request_id: int, staff_id: int) -> None:
        """Ring the operator's phone; when answered, Twilio dials the caller."""
        dialer = self.dialer()
        with self.db.session() as session:
            staff = session.get(StaffUser, staff_id)
            assert staff is not None
            phone, _caller = requests.start_callback(session, request_id=request_id, staff=staff)
        self._ring(request_id, phone, operator_twiml.CALLBACK_ANSWER_PATH, dialer)

    def call_back_ride(self, *, ride_id: int, staff_id: int) -> int:
        """ "回拨来电者" on a ride: its call-back task, dialled now."""
        self.dialer()
        with self.db.session() as session:
            ride = session.get(Ride, ride_id)
            if ride is None:
                raise OperatorRequestError("找不到这张叫车单。")
            request_id = requests.callback_for_ride(
                session, ride_id=ride_id, caller_number=ride.caller_number
            )
        self.call_back(request_id=request_id, staff_id=staff_id)
        return request_id

    def _ring(self, request_id: int, phone: str, answer_path: str, dialer: Dialer) -> None:
        try:
            sid = dialer.ring(
                to=phone,
                answer_url=operator_twiml.url(self.options, answer_path, request_id),
                status_url=operator_twiml.url(self.options, operator_twiml.STATUS_PATH, request_id),
            )
        except DialError as exc:
            logger.warning("operator's phone not rung", extra=log_fields(request_id=request_id))
            with self.db.session() as session:
                requests.dial_failed(session, request_id=request_id, reason=exc.message)
            raise OperatorRequestError(exc.message, conflict=False) from exc
        with self.db.session() as session:
            requests.dialled(session, request_id=request_id, operator_call_sid=sid)
        logger.info("operator's phone rung", extra=log_fields(request_id=request_id))

    # --- Twilio callbacks ----------------------------------------------------------------

    def offer_callback(self, *, call_sid: str, now: datetime) -> bool:
        """Whether this round of waiting offers a call-back (waited long enough)."""
        with self.db.session() as session:
            row = requests.waiting_call(session, call_sid)
            if row is None or row.status != RequestStatus.WAITING:
                return False
            waited = (now - row.queued_at).total_seconds()
            if waited < self.settings.operator_callback_offer_seconds:
                return False
            requests.callback_offered(session, call_id=call_sid)
            return True

    def choose_callback(self, *, call_sid: str) -> bool:
        with self.db.session() as session:
            return requests.callback_requested(session, call_id=call_sid)

    def caller_left(self, *, call_sid: str) -> None:
        with self.db.session() as session:
            requests.caller_left(session, call_id=call_sid)

    def answered_elsewhere(self, *, call_sid: str) -> None:
        with self.db.session() as session:
            requests.answered_elsewhere(session, call_id=call_sid)

    def operator_answered(self, *, request_id: int, operator_call_sid: str) -> Bridge:
        """The operator's phone answered a pick-up: move the caller into the conference."""
        with self.db.session() as session:
            row = requests.request_of(session, request_id)
            ready = (
                row is not None
                and row.status == RequestStatus.RINGING
                and row.call_id is not None
                and row.operator_call_sid in (None, operator_call_sid)
            )
            caller_sid = row.call_id if row is not None else None
        if not ready or caller_sid is None:
            return Bridge(request_id, caller_gone=True)
        try:
            self.dialer().redirect(caller_sid, operator_twiml.caller_into_conference(request_id))
        except (DialError, OperatorRequestError):
            # The caller's call is no longer in progress: they hung up while it rang.
            with self.db.session() as session:
                requests.caller_left(session, call_id=caller_sid)
            return Bridge(request_id, caller_gone=True)
        with self.db.session() as session:
            requests.connected(session, request_id=request_id, operator_call_sid=operator_call_sid)
        return Bridge(request_id, caller_gone=False)

    def callback_answered(self, *, request_id: int, operator_call_sid: str) -> str | None:
        """The operator answered a call-back: the caller's number to dial (None: stale)."""
        with self.db.session() as session:
            row = requests.request_of(session, request_id)
            if row is None or row.status != RequestStatus.CALLING_BACK:
                return None
            if row.operator_call_sid not in (None, operator_call_sid):
                return None
            return row.caller_number

    def callback_result(self, *, request_id: int, dial_status: str) -> CallbackOutcome:
        with self.db.session() as session:
            return requests.callback_result(session, request_id=request_id, dial_status=dial_status)

    def operator_call_ended(
        self, *, request_id: int, operator_call_sid: str, call_status: str
    ) -> None:
        with self.db.session() as session:
            requests.operator_call_ended(
                session,
                request_id=request_id,
                operator_call_sid=operator_call_sid,
                call_status=call_status,
            )


def desk_for(app_state: object) -> OperatorDesk:
    """One desk per app (its dialer keeps a connection pool)."""
    desk: OperatorDesk | None = getattr(app_state, "operator_desk", None)
    if desk is None:
        desk = OperatorDesk(app_state.db, app_state.settings)  # type: ignore[attr-defined]
        app_state.operator_desk = desk  # type: ignore[attr-defined]
    return desk
