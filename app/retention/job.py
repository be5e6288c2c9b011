"""The retention job: personal data past its period is deleted or anonymised, once a day.

Per kind (periods in `Settings.retention_*_days`; the table and the reasons are in
docs/security.md):

- recordings: WAV/MP3 files in the recordings folder, and recordings Twilio keeps, are
  deleted (and, whatever their age, Twilio recordings queued by a deregistration with
  erasure, `recording_deletions`); the references to them (a ride's pickup recording, a call step's
  `recording_url`, a call's saved `*_recording` variables) are cleared. A Twilio
  recording whose deletion Twilio did not confirm keeps its reference, so the next run
  tries again; it is reported as `twilio_failed`.
- transcripts: the words of each call (recognised text, long key entries, the prompts read
  back, the engine's saved variables) and rides' pickup transcripts are removed. Each
  step keeps its kind, the menu key (one or two digits), the length of a longer entry and
  whether speech had words: what the age-friendliness report counts.
- rides: rides, bookings, calls and operator requests lose numbers, names, addresses and
  notes; their status, times, driver, hospital and department stay for statistics.
- outbox: the text, full number and error of SMS and calls sent (or given up) are blanked;
  kind, status and times stay.
- audit: staff, person and hospital audit rows are deleted.
- staff_sessions: staff sessions ended (sign-out, idle, ...) or expired (their idle time or
  lifetime ran out, marked or not) are deleted; a live session is never touched.
- family_codes: family SMS codes used or expired are deleted (their digests only serve the
  per-hour limits, which look back 70 minutes).
- staff_flashes: console results left to show once (app/consoles/flash.py: a refusal with
  what was typed, e.g. a caller's number) and never shown are deleted once expired (they
  live two minutes); no setting, as an expired flash can never be shown.

A row is past its period when its time is strictly before `now - days`. Never touched: a
ride still waiting or under way, a booking for today or later, the calls that made them or
wait for an operator, and their messages; they are handled by a later run once finished.

Every step is repeatable (a marker or an emptied column says what is done), so a run that
dies midway is finished by the next one. `run_daily` claims the local day first
(`retention_runs.day` is unique), so of several service processes only one runs each day.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.calls.models import Call, CallSession, CallStep
from app.calls.recordings import RECORDING_SUFFIXES
from app.core.config import Settings
from app.core.db import Database
from app.core.local_time import local_today
from app.core.logging import log_fields, mask_phone
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment, HospitalAudit
from app.notify.enums import OutboxStatus
from app.notify.models import OutboxMessage
from app.operators.enums import OPEN
from app.operators.models import OperatorRequest
from app.people.models import FamilyCode, PersonAuditEntry
from app.retention.models import RecordingDeletion, RetentionRun
from app.retention.twilio_recordings import (
    RecordingDeleteError,
    RecordingDeleter,
    default_deleter,
    twilio_recording_sid,
)
from app.staff.models import StaffAudit, StaffFlash, StaffSession
from app.taxi.models import Ride
from app.taxi.rides import LIVE

logger = logging.getLogger(__name__)

KINDS = (
    "recordings", "transcripts", "rides", "outbox", "audit", "staff_sessions", "family_codes",
    "staff_flashes",
)
BLANKED = "[已删除]"  # an outbox text after retention
MENU_KEY_LENGTH = 2  # one or two keys are a menu choice, kept; longer input may be an ID
CHUNK = 500
FINISHED = (OutboxStatus.SENT, OutboxStatus.DELIVERED, OutboxStatus.FAILED)
_ABOUT = re.compile(r"^(?P<what>ride|appointment|hospital-noshow|hospital-stop|fhir):(?P<id>\d+):")


@dataclass
class RetentionReport:
    """What one run did (or, dry, would do): counts per kind, never personal data."""

    now: datetime
    dry_run: bool
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, kind: str, what: str, count: int = 1) -> None:
        self.counts.setdefault(kind, {})
        self.counts[kind][what] = self.counts[kind].get(what, 0) + count

    def lines(self) -> list[str]:
        """One line per kind, `kind: what=count ...`; `off` for a kind kept for ever."""
        lines = []
        for kind in KINDS:
            figures = self.counts.get(kind)
            if figures is None:
                lines.append(f"{kind}: off")
            else:
                lines.append(f"{kind}: " + " ".join(f"{k}={v}" for k, v in figures.items()))
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {"now": self.now.isoformat(), "dry_run": self.dry_run, "counts": self.counts}


@dataclass(frozen=True)
class Protected:
    """What retention leaves alone today: live rides, bookings ahead, their calls."""

    ride_ids: frozenset[int]
    appointment_ids: frozenset[int]
    call_ids: frozenset[str]

    def covers_message(self, idempotency_key: str) -> bool:
        match = _ABOUT.match(idempotency_key)
        if match is None:
            return False
        ids = self.ride_ids if match["what"] == "ride" else self.appointment_ids
        return int(match["id"]) in ids


def protected(session: Session, now: datetime) -> Protected:
    today = local_today(now)
    rides = session.execute(select(Ride.id, Ride.call_id).where(Ride.status.in_(LIVE))).all()
    bookings = session.execute(
        select(Appointment.id, Appointment.call_id).where(
            Appointment.status == AppointmentStatus.BOOKED, Appointment.day >= today
        )
    ).all()
    waiting = session.scalars(
        select(OperatorRequest.call_id).where(OperatorRequest.status.in_(OPEN))
    ).all()
    calls = {r.call_id for r in rides} | {b.call_id for b in bookings} | set(waiting)
    calls.discard(None)
    return Protected(
        frozenset(r.id for r in rides),
        frozenset(b.id for b in bookings),
        frozenset(c for c in calls if c is not None),
    )


def run_retention(
    db: Database,
    settings: Settings,
    *,
    now: datetime,
    dry_run: bool = False,
    deleter: RecordingDeleter | None = None,
) -> RetentionReport:
    """Apply every kind's period once, as of `now`; `dry_run` only counts."""
    report = RetentionReport(now=now, dry_run=dry_run)
    with db.session() as session:
        keep = protected(session, now)
    job = _Job(db, settings, now, dry_run, deleter or default_deleter(settings), keep, report)
    job.erased_recordings()
    for kind, days in (
        ("recordings", settings.retention_recordings_days),
        ("transcripts", settings.retention_transcripts_days),
        ("rides", settings.retention_rides_days),
        ("outbox", settings.retention_outbox_days),
        ("audit", settings.retention_audit_days),
        ("staff_sessions", settings.retention_staff_sessions_days),
        ("family_codes", settings.retention_family_codes_days),
    ):
        if days > 0:
            getattr(job, kind)(now - timedelta(days=days))
    job.staff_flashes(now)  # useless once expired: always on, no period to set
    _log(report)
    return report


def claim_day(db: Database, now: datetime) -> bool:
    """Claim today's (local) run; False if this or another process already did."""
    try:
        with db.session() as session:
            session.add(RetentionRun(day=local_today(now), started_at=now))
    except IntegrityError:
        return False
    return True


def run_daily(
    db: Database,
    settings: Settings,
    *,
    now: datetime,
    deleter: RecordingDeleter | None = None,
) -> RetentionReport | None:
    """Run once per local day: claim the day, run, store the counts. None: already ran."""
    if not claim_day(db, now):
        return None
    report = run_retention(db, settings, now=now, deleter=deleter)
    with db.session() as session:
        session.execute(
            update(RetentionRun)
            .where(RetentionRun.day == local_today(now))
            .values(finished_at=now, report=report.as_dict())
        )
    return report


def _log(report: RetentionReport) -> None:
    verb = "would remove (dry run)" if report.dry_run else "done"
    logger.info("retention %s", verb, extra=log_fields(retention=report.counts))
    failed = report.counts.get("recordings", {}).get("twilio_failed", 0)
    if failed:
        logger.warning("retention: %s Twilio recordings not deleted, tried again next run", failed)


def _chunks(ids: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def bare_event(event: dict[str, Any]) -> dict[str, Any]:
    """What the report reads of an event: its kind, a menu key, the length of a longer
    entry (`[redacted 18]`, the call service's own form) and whether speech had words. A
    recording reference stays until the recordings step deletes what it points to."""
    bare: dict[str, Any] = {"kind": event.get("kind")}
    if "digits" in event:
        digits = str(event["digits"] or "")
        keep = len(digits) <= MENU_KEY_LENGTH or digits.startswith("[redacted ")
        bare["digits"] = digits if keep else f"[redacted {len(digits)}]"
    if "text" in event:
        text = str(event["text"] or "")
        bare["text"] = f"[redacted {len(text)}]" if text else ""
    if event.get("recording_url"):
        bare["recording_url"] = event["recording_url"]
    return bare


def _recording_vars(data: dict[str, Any]) -> dict[str, Any]:
    """The saved `*_recording` variables of a call's engine state (top level or `vars`)."""
    found = {k: v for k, v in data.items() if k.endswith("_recording") and v}
    found.update(
        {k: v for k, v in (data.get("vars") or {}).items() if k.endswith("_recording") and v}
    )
    return found


class _Job:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        now: datetime,
        dry_run: bool,
        deleter: RecordingDeleter,
        keep: Protected,
        report: RetentionReport,
    ) -> None:
        self.db = db
        self.settings = settings
        self.now = now
        self.dry_run = dry_run
        self.deleter = deleter
        self.keep = keep
        self.report = report
        self.folder = settings.recordings_dir.resolve()
        self.twilio_outcomes: dict[str, bool] = {}  # sid -> deleted, once per run
        self.files_seen: set[Path] = set()  # a dry run counts each file once too

    def _delete_file(self, path: Path) -> None:
        if path in self.files_seen:
            return
        self.files_seen.add(path)
        if not self.dry_run:
            path.unlink(missing_ok=True)
        self.report.add("recordings", "files_deleted")

    # --- recordings -------------------------------------------------------------------

    def recordings(self, cutoff: datetime) -> None:
        report = self.report
        for what in ("files_deleted", "twilio_deleted", "twilio_failed", "references_cleared"):
            report.add("recordings", what, 0)
        with self.db.session() as session:
            live_files = set(
                session.scalars(
                    select(Ride.pickup_recording_url).where(
                        Ride.id.in_(self.keep.ride_ids), Ride.pickup_recording_url.is_not(None)
                    )
                )
            )
        self._old_files(cutoff, live_files)
        with self.db.session() as session:
            rides = session.scalars(
                select(Ride)
                .where(
                    Ride.created_at < cutoff,
                    Ride.pickup_recording_url.is_not(None),
                    Ride.status.not_in(LIVE),
                )
                .order_by(Ride.id)
            ).all()
            for ride in rides:
                if not self._remove([ride.pickup_recording_url or ""]):
                    continue
                self.report.add("recordings", "references_cleared")
                if not self.dry_run:
                    ride.pickup_recording_url = None
                    session.commit()
        with self.db.session() as session:
            calls = session.scalars(
                select(Call)
                .where(Call.started_at < cutoff, Call.recordings_removed_at.is_(None))
                .order_by(Call.started_at, Call.id)
            ).all()
            for call in calls:
                if call.id in self.keep.call_ids:
                    continue
                self._call_recordings(session, call)

    def erased_recordings(self) -> None:
        """Twilio recordings an erasure unlinked: due whatever their age or the period
        (even with recordings kept for ever, an erasure is an erasure)."""
        with self.db.session() as session:
            for queued in session.scalars(
                select(RecordingDeletion).order_by(RecordingDeletion.queued_at)
            ).all():
                if self._delete_at_twilio(queued.sid) and not self.dry_run:
                    session.delete(queued)
                    session.commit()

    def _old_files(self, cutoff: datetime, live_files: set[str | None]) -> None:
        if not self.folder.is_dir():
            return
        calls = tuple(f"{call_id}-" for call_id in self.keep.call_ids)
        for path in sorted(self.folder.iterdir()):
            if (
                path.suffix not in RECORDING_SUFFIXES
                or not path.is_file()
                or path.stat().st_mtime >= cutoff.timestamp()
                or path.name in live_files
                or path.name.startswith(calls)
            ):
                continue
            self._delete_file(path)

    def _call_recordings(self, session: Session, call: Call) -> None:
        steps = session.scalars(select(CallStep).where(CallStep.call_id == call.id)).all()
        state = session.get(CallSession, call.id)
        saved = _recording_vars(state.data) if state is not None else {}
        urls = [str(s.event["recording_url"]) for s in steps if s.event.get("recording_url")]
        urls += [str(v) for v in saved.values()]
        if not self._remove(urls):
            return  # a Twilio recording is still there: the references stay for next run
        if urls:
            self.report.add("recordings", "references_cleared", len(urls))
        if self.dry_run:
            return
        if self.folder.is_dir():
            for path in self.folder.glob(f"{call.id}-*"):
                if path.suffix in RECORDING_SUFFIXES:
                    self._delete_file(path)
        for step in steps:
            if step.event.get("recording_url"):
                step.event = {k: v for k, v in step.event.items() if k != "recording_url"}
        if state is not None and saved:
            data = {k: v for k, v in state.data.items() if k not in saved}
            if isinstance(data.get("vars"), dict):
                data["vars"] = {k: v for k, v in data["vars"].items() if k not in saved}
            state.data = data
        call.recordings_removed_at = self.now
        session.commit()

    def _remove(self, urls: Iterable[str]) -> bool:
        """Delete what each reference points to; True if every one is gone (dry: would be
        tried). A Twilio recording Twilio did not confirm deleted makes it False."""
        done = True
        for url in urls:
            sid = twilio_recording_sid(url)
            if sid is not None:
                done = self._delete_at_twilio(sid) and done
            elif url and "://" not in url:  # a file in the recordings folder
                path = (self.folder / url).resolve()
                if path.parent == self.folder and path.is_file():
                    self._delete_file(path)
        return done

    def _delete_at_twilio(self, sid: str) -> bool:
        if sid in self.twilio_outcomes:
            return self.twilio_outcomes[sid]
        if self.dry_run:
            self.twilio_outcomes[sid] = True
            self.report.add("recordings", "twilio_deleted")
            return True
        try:
            self.deleter.delete(sid)
        except RecordingDeleteError as exc:
            logger.warning("retention: Twilio recording not deleted: %s", exc)
            self.twilio_outcomes[sid] = False
            self.report.add("recordings", "twilio_failed")
            return False
        self.twilio_outcomes[sid] = True
        self.report.add("recordings", "twilio_deleted")
        return True

    # --- transcripts ------------------------------------------------------------------

    def transcripts(self, cutoff: datetime) -> None:
        self.report.add("transcripts", "calls", 0)
        self.report.add("transcripts", "steps", 0)
        with self.db.session() as session:
            calls = session.scalars(
                select(Call)
                .where(Call.started_at < cutoff, Call.words_removed_at.is_(None))
                .order_by(Call.started_at, Call.id)
            ).all()
            for call in calls:
                if call.id in self.keep.call_ids:
                    continue
                steps = session.scalars(select(CallStep).where(CallStep.call_id == call.id)).all()
                self.report.add("transcripts", "calls")
                self.report.add("transcripts", "steps", len(steps))
                if self.dry_run:
                    continue
                for step in steps:
                    step.event = bare_event(step.event)
                    step.outputs = [{"kind": o.get("kind")} for o in step.outputs]
                state = session.get(CallSession, call.id)
                if state is not None:
                    saved = _recording_vars(state.data)
                    state.data = {"vars": saved} if saved else {}
                call.words_removed_at = self.now
                session.commit()
        self._blank(
            "transcripts",
            "ride_transcripts",
            Ride,
            [Ride.created_at < cutoff, Ride.status.not_in(LIVE)],
            [Ride.pickup_transcript],
        )

    # --- rides, bookings, calls -------------------------------------------------------

    def rides(self, cutoff: datetime) -> None:
        self._blank(
            "rides",
            "rides",
            Ride,
            [Ride.created_at < cutoff, Ride.status.not_in(LIVE)],
            [
                Ride.caller_number,
                Ride.caller_name,
                Ride.pickup_place_id,
                Ride.pickup_address,
                Ride.pickup_transcript,
                Ride.destination,
            ],
        )
        ahead = (Appointment.status == AppointmentStatus.BOOKED) & (
            Appointment.day >= local_today(self.now)
        )
        self._blank(
            "rides",
            "bookings",
            Appointment,
            [Appointment.created_at < cutoff, ~ahead],
            [Appointment.booked_by_number, Appointment.booked_by_contact_id],
        )
        self._blank(
            "rides",
            "calls",
            Call,
            [Call.started_at < cutoff, Call.id.not_in(self.keep.call_ids)],
            [Call.from_number],
        )
        self._blank(
            "rides",
            "operator_requests",
            OperatorRequest,
            [OperatorRequest.queued_at < cutoff, OperatorRequest.status.not_in(OPEN)],
            [OperatorRequest.caller_number, OperatorRequest.operator_note],
        )

    def _blank(
        self,
        kind: str,
        what: str,
        model: Any,
        conditions: list[ColumnElement[bool]],
        columns: list[Any],
    ) -> None:
        """Set `columns` to NULL on the rows matching `conditions` that still hold any."""
        with self.db.session() as session:
            ids = session.scalars(
                select(model.id).where(*conditions, or_(*[c.is_not(None) for c in columns]))
            ).all()
            self.report.add(kind, what, len(ids))
            if self.dry_run:
                return
            values: dict[str, Any] = {c.key: None for c in columns}
            if hasattr(model, "updated_at"):  # the record's own times stay (statistics, FHIR)
                values["updated_at"] = model.updated_at
            for chunk in _chunks(ids):
                session.execute(
                    update(model)
                    .where(model.id.in_(chunk))
                    .values(values)
                    .execution_options(synchronize_session=False)
                )

    # --- outbox -----------------------------------------------------------------------

    def outbox(self, cutoff: datetime) -> None:
        with self.db.session() as session:
            rows = session.execute(
                select(OutboxMessage.id, OutboxMessage.idempotency_key).where(
                    OutboxMessage.created_at < cutoff,
                    OutboxMessage.status.in_(FINISHED),
                    OutboxMessage.body != BLANKED,
                )
            ).all()
            ids = [r.id for r in rows if not self.keep.covers_message(r.idempotency_key)]
            self.report.add("outbox", "messages", len(ids))
            if self.dry_run:
                return
            for chunk in _chunks(ids):
                for message in session.scalars(
                    select(OutboxMessage).where(OutboxMessage.id.in_(chunk))
                ):
                    message.body = BLANKED
                    message.to_number = mask_phone(message.to_number)
                    message.last_error = None
                session.flush()

    # --- audit trails -----------------------------------------------------------------

    def audit(self, cutoff: datetime) -> None:
        with self.db.session() as session:
            for what, model in (
                ("staff_audit", StaffAudit),
                ("person_audit", PersonAuditEntry),
                ("hospital_audit", HospitalAudit),
            ):
                ids = session.scalars(select(model.id).where(model.at < cutoff)).all()
                self.report.add("audit", what, len(ids))
                if not self.dry_run:
                    for chunk in _chunks(ids):
                        session.execute(delete(model).where(model.id.in_(chunk)))

    # --- staff sessions and family codes ----------------------------------------------

    def staff_sessions(self, cutoff: datetime) -> None:
        """Delete the sessions that ended, or expired, before `cutoff`. An unmarked session
        expired at `last_seen_at + idle` or `created_at + lifetime`, whichever came first."""
        idle = timedelta(minutes=self.settings.session_idle_minutes)
        lifetime = timedelta(hours=self.settings.session_lifetime_hours)
        self._delete(
            "staff_sessions",
            "sessions",
            StaffSession,
            or_(
                StaffSession.ended_at < cutoff,
                StaffSession.ended_at.is_(None)
                & or_(
                    StaffSession.last_seen_at < cutoff - idle,
                    StaffSession.created_at < cutoff - lifetime,
                ),
            ),
        )

    def family_codes(self, cutoff: datetime) -> None:
        """Delete the codes used, or expired, before `cutoff` (a code is used before it
        expires, and a replaced code expires when replaced)."""
        self._delete(
            "family_codes",
            "codes",
            FamilyCode,
            or_(FamilyCode.used_at < cutoff, FamilyCode.expires_at < cutoff),
        )

    def staff_flashes(self, now: datetime) -> None:
        """Delete the flashes never shown that expired before `now` (the next flash also
        deletes them, but a quiet console may leave one for months)."""
        self._delete("staff_flashes", "flashes", StaffFlash, StaffFlash.expires_at < now)

    def _delete(self, kind: str, what: str, model: Any, condition: ColumnElement[bool]) -> None:
        with self.db.session() as session:
            ids = session.scalars(select(model.id).where(condition)).all()
            self.report.add(kind, what, len(ids))
            if not self.dry_run:
                for chunk in _chunks(ids):
                    session.execute(delete(model).where(model.id.in_(chunk)))
