"""The outbox worker: claims due messages, sends each through a Sender, records the result.

Per message (see docs/notifications.md for the reasoning):

- claimed `pending` -> `sending` and committed before the HTTP request;
- success -> `sent` with the provider sid;
- permanent error (4xx) -> `failed`, never retried;
- transient error where Twilio certainly has nothing (5xx, 429, connection refused) ->
  back to `pending`, attempts + 1, next try after back-off;
- transient error where Twilio may have the message (timeout, dropped connection) -> stays
  `sending` with attempts + 1; after the back-off it is *recovered*: looked up at Twilio
  first and only sent if Twilio has no such message;
- a message left `sending` past its lease (a worker died mid-send) is recovered the same way;
- after `outbox_max_attempts` failed tries -> `failed`.

Every result is written only while this worker still holds the lease it claimed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from app.core.config import Settings
from app.core.db import Database
from app.core.logging import log_fields, mask_phone
from app.db.base import utcnow
from app.notify.claims import Claim, claim_due
from app.notify.enums import OutboxKind, OutboxStatus
from app.notify.models import OutboxMessage
from app.notify.outgoing import PermanentSendError, TransientSendError

if TYPE_CHECKING:  # app.notify.sender imports the twilio client: only where it sends
    from app.notify.sender import Sender

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=10)
LEASE = timedelta(minutes=2)


def backoff(settings: Settings, attempts: int) -> timedelta:
    """Delay before try `attempts + 1`: base, 2x base, 4x base, ... capped at 10 minutes."""
    seconds = settings.outbox_backoff_seconds * 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


class OutboxWorker:
    """Sends due outbox messages; safe to run several at once, in threads or processes."""

    def __init__(
        self,
        db: Database,
        sender: Sender,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        *,
        batch_size: int = 10,
        lease: timedelta = LEASE,
        send_timeout: timedelta = timedelta(seconds=10),
        kinds: Collection[OutboxKind] | None = None,
    ) -> None:
        self.db = db
        self.sender = sender
        self.settings = settings
        self.clock = clock
        self.batch_size = batch_size
        self.lease = lease
        self.send_timeout = send_timeout
        self.kinds = kinds

    # --- loop -------------------------------------------------------------------------

    def run_once(self) -> int:
        """Handle up to one batch of due messages (new ones, then recoveries); return count."""
        handled = 0
        for from_status in (OutboxStatus.PENDING, OutboxStatus.SENDING):
            now = self.clock()
            claims = claim_due(
                self.db,
                from_status=from_status,
                now=now,
                lease_until=now + self.lease,
                limit=self.batch_size,
                kinds=self.kinds,
            )
            for claim in claims:
                self._handle(claim)
                handled += 1
        return handled

    def run_forever(self, stop_event: threading.Event) -> None:
        """Poll until `stop_event` is set; a message being sent is finished first."""
        logger.info("outbox worker started")
        while not stop_event.is_set():
            try:
                handled = self.run_once()
            except Exception:  # the database was unreachable, say: log and keep polling
                logger.exception("outbox worker pass failed")
                handled = 0
            if handled == 0:
                stop_event.wait(self.settings.outbox_poll_seconds)
        logger.info("outbox worker stopped")

    # --- one message -------------------------------------------------------------------

    def _handle(self, claim: Claim) -> None:
        if claim.recovering:
            try:
                sid = self.sender.find_sent(claim.message, self._known_sids(claim))
            except TransientSendError as exc:
                self._retry(claim, str(exc), outcome_unknown=True)
                return
            if sid is not None:
                self._record_sent(claim, sid, recovered=True)
                return
        if self.clock() + self.send_timeout >= claim.lease_until:
            # The lease would run out mid-request and another worker could recover (and
            # send) the message meanwhile: leave it; it is recovered after the lease.
            logger.warning("outbox lease too short to send", extra=self._fields(claim))
            return
        try:
            sid = self.sender.send(claim.message)
        except PermanentSendError as exc:
            self._finish(claim, OutboxStatus.FAILED, error=str(exc), attempts=claim.attempts + 1)
            logger.warning("outbox message refused: %s", exc, extra=self._fields(claim))
        except TransientSendError as exc:
            self._retry(claim, str(exc), outcome_unknown=exc.ambiguous)
        else:
            self._record_sent(claim, sid, recovered=False)

    def _record_sent(self, claim: Claim, sid: str, *, recovered: bool) -> None:
        done = self._finish(
            claim,
            OutboxStatus.SENT,
            provider_sid=sid,
            sent_at=self.clock(),
            attempts=claim.attempts + (0 if recovered else 1),
        )
        event = "found at Twilio" if recovered else "sent"
        if not done:
            event += " (result already recorded elsewhere)"
        logger.info("outbox message %s", event, extra=self._fields(claim, sid=sid))

    def _retry(self, claim: Claim, error: str, *, outcome_unknown: bool) -> None:
        attempts = claim.attempts + 1
        if attempts >= self.settings.outbox_max_attempts:
            self._finish(claim, OutboxStatus.FAILED, error=error, attempts=attempts)
            logger.error("outbox message gave up: %s", error, extra=self._fields(claim))
            return
        delay = backoff(self.settings, attempts)
        status = OutboxStatus.SENDING if outcome_unknown else OutboxStatus.PENDING
        self._finish(
            claim, status, error=error, attempts=attempts, next_attempt_at=self.clock() + delay
        )
        logger.warning(
            "outbox message will be retried in %ss: %s",
            int(delay.total_seconds()),
            error,
            extra=self._fields(claim, attempts=attempts, outcome_unknown=outcome_unknown),
        )

    def _finish(
        self,
        claim: Claim,
        status: OutboxStatus,
        *,
        attempts: int,
        error: str | None = None,
        **values: object,
    ) -> bool:
        """Write the outcome if this worker still holds the lease; False if it does not."""
        if error is not None:
            values["last_error"] = error
        with self.db.session() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == claim.message.id,
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.next_attempt_at == claim.lease_until,
                )
                .values(status=status, attempts=attempts, **values)
                .execution_options(synchronize_session=False)
            )
            return bool(getattr(result, "rowcount", 0))

    def _known_sids(self, claim: Claim) -> set[str]:
        with self.db.session() as session:
            sids = session.scalars(
                select(OutboxMessage.provider_sid).where(
                    OutboxMessage.to_number == claim.message.to_number,
                    OutboxMessage.provider_sid.is_not(None),
                )
            )
            return {sid for sid in sids if sid}

    @staticmethod
    def _fields(claim: Claim, **more: object) -> dict[str, object]:
        return log_fields(
            message_id=claim.message.id,
            kind=claim.message.kind.value,
            to=mask_phone(claim.message.to_number),
            **more,
        )
