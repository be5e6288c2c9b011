"""The retention job on the real database (SQLite and PostgreSQL), with a controlled clock.

Each kind: a row one second past its period goes, a row one second inside it stays. Then:
a dry run changes nothing, a second run the same day does nothing, a Twilio failure keeps
the reference for the next run, and a live ride or a booking ahead is never touched.
Twilio is the fake Twilio of tests/support at the HTTP boundary (the real twilio client).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.calls.enums import CallChannel, CallStatus
from app.calls.models import Call, CallSession, CallStep
from app.core.config import Settings
from app.core.db import Database
from app.core.local_time import local_today
from app.db.base import utcnow
from app.hospital.enums import AppointmentStatus, ClinicSession
from app.hospital.models import Appointment, Doctor, Hospital, HospitalAudit, Schedule, Slot
from app.main import create_app
from app.notify.enums import OutboxKind, OutboxStatus
from app.notify.models import OutboxMessage
from app.people.audit import Actor
from app.people.erasure import erase_person
from app.people.models import FamilyCode, Person, PersonAuditEntry
from app.reports.rows import Period, report_for
from app.retention.job import BLANKED, claim_day, run_daily, run_retention
from app.retention.models import RecordingDeletion, RetentionRun
from app.retention.runner import run_if_due
from app.schema import Base
from app.staff.models import StaffAudit, StaffFlash, StaffSession, StaffUser
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.demo import demo_data
from support.fake_twilio import FakeTwilio

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Kunming
DAY = date(2026, 11, 30)  # the day most tests load the demo data for (one snapshot)
SECOND = timedelta(seconds=1)
WORDS = "我在翠湖北路8号"
ID_KEYS = "530102194803092215"


def _settings(db: Database, tmp_path: Path, fake: FakeTwilio | None = None, **kw: Any) -> Settings:
    twilio: dict[str, Any] = {}
    if fake is not None:
        twilio = {
            "twilio_account_sid": fake.account_sid,
            "twilio_auth_token": fake.auth_token,
            "twilio_api_base": fake.url,
        }
    folder = tmp_path / "recordings"
    folder.mkdir(exist_ok=True)
    return Settings(database_url=db.url, recordings_dir=folder, **twilio, **kw)


def _past(days: int) -> datetime:
    return NOW - timedelta(days=days) - SECOND


def _inside(days: int) -> datetime:
    return NOW - timedelta(days=days) + SECOND


def _call(
    db: Database,
    call_id: str,
    started_at: datetime,
    *,
    recording: str | None = None,
    from_number: str = "+8613900001111",
) -> None:
    speech: dict[str, Any] = {"kind": "speech", "text": WORDS, "confidence": 0.9}
    if recording:
        speech["recording_url"] = recording
    with db.session() as session:
        session.add(
            Call(
                id=call_id,
                channel=CallChannel.TWILIO,
                from_number=from_number,
                to_number="+868710000000",
                status=CallStatus.COMPLETED,
                started_at=started_at,
                ended_at=started_at + timedelta(minutes=2),
            )
        )
        session.flush()
        data: dict[str, Any] = {"vars": {"pickup_said": WORDS, "caller_name": "赵桂兰"}}
        if recording:
            data["vars"]["pickup_said_recording"] = recording
        session.add(CallSession(call_id=call_id, flow="main", state="done", data=data, ended=True))
        events = [
            ({"kind": "call_started", "from_number": from_number, "to_number": "+86871"}, "menu"),
            ({"kind": "keys", "digits": "1"}, "menu"),  # a menu choice: kept
            ({"kind": "keys", "digits": ID_KEYS}, "id"),
            (speech, "pickup"),
            ({"kind": "keys", "digits": "*"}, "pickup"),
        ]
        for number, (event, state) in enumerate(events):
            session.add(
                CallStep(
                    call_id=call_id,
                    step=number,
                    event_key=f"e{number}",
                    event=event,
                    state_before=state,
                    state_after=state if number else "menu",
                    outputs=[
                        {"kind": "say", "text": f"赵奶奶您好，{WORDS}"},
                        {"kind": "listen", "expect": "menu"},
                    ],
                    created_at=started_at,
                )
            )


def _ride(
    db: Database,
    created_at: datetime,
    *,
    status: RideStatus = RideStatus.COMPLETED,
    recording: str | None = None,
    call_id: str | None = None,
) -> int:
    with db.session() as session:
        ride = Ride(
            call_id=call_id,
            caller_number="+8613900001111",
            caller_name="赵桂兰",
            pickup_address="五华区翠湖北路8号",
            pickup_transcript=WORDS,
            pickup_recording_url=recording,
            destination="云南省第一人民医院",
            to_hospital=True,
            status=status,
            created_at=created_at,
            updated_at=created_at,
        )
        session.add(ride)
        session.flush()
        return ride.id


def _message(db: Database, created_at: datetime, key: str, status: OutboxStatus) -> int:
    with db.session() as session:
        message = OutboxMessage(
            kind=OutboxKind.SMS,
            to_number="+8613900001111",
            body="赵奶奶，已为您派车：云A12345",
            idempotency_key=key,
            status=status,
            created_at=created_at,
            last_error="The 'To' number +8613900001111 is not valid",
        )
        session.add(message)
        session.flush()
        return message.id


def _recording_file(folder: Path, name: str, written: datetime) -> Path:
    path = folder / name
    path.write_bytes(b"RIFF")
    os.utime(path, (written.timestamp(), written.timestamp()))
    return path


def _dump(db: Database) -> dict[str, list[str]]:
    """Every row of every table, as text: to show that nothing changed."""
    tables: dict[str, list[str]] = {}
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            rows = session.execute(select(table)).all()
            tables[table.name] = sorted(
                json.dumps([str(cell) for cell in row], ensure_ascii=False) for row in rows
            )
    return tables


# --- each kind: one second past goes, one second inside stays -----------------------


def test_recordings_past_their_period_are_deleted_here_and_at_twilio(
    db: Database, tmp_path: Path, fake_twilio: FakeTwilio
) -> None:
    settings = _settings(db, tmp_path, fake_twilio)
    folder = settings.recordings_dir
    old_file = _recording_file(folder, "CAold-3.wav", _past(30))
    new_file = _recording_file(folder, "CAnew-3.wav", _inside(30))
    notes = folder / "notes.txt"  # not a recording
    notes.write_text("x")
    os.utime(notes, (_past(400).timestamp(),) * 2)
    old_ride_rec, new_ride_rec = fake_twilio.add_recording(), fake_twilio.add_recording()
    old_call_rec, new_call_rec = fake_twilio.add_recording(), fake_twilio.add_recording()
    old_ride = _ride(db, _past(30), recording=old_ride_rec)
    new_ride = _ride(db, _inside(30), recording=new_ride_rec)
    _call(db, "CAold", _past(30), recording=old_call_rec)
    _call(db, "CAnew", _inside(30), recording=new_call_rec)

    report = run_retention(db, settings, now=NOW)

    assert report.counts["recordings"] == {
        "files_deleted": 1,
        "twilio_deleted": 2,
        "twilio_failed": 0,
        "references_cleared": 3,  # the ride's, the call step's and the call's saved variable
    }
    assert not old_file.exists() and new_file.exists() and notes.exists()
    sid = old_ride_rec.rsplit("/", 1)[1], old_call_rec.rsplit("/", 1)[1]
    assert fake_twilio.recordings == {
        new_ride_rec.rsplit("/", 1)[1],
        new_call_rec.rsplit("/", 1)[1],
    }
    assert sorted(r.path.rsplit("/", 1)[1] for r in fake_twilio.deletes()) == sorted(
        f"{s}.json" for s in sid
    )
    with db.session() as session:
        assert session.get_one(Ride, old_ride).pickup_recording_url is None
        assert session.get_one(Ride, new_ride).pickup_recording_url == new_ride_rec
        old_steps = session.scalars(select(CallStep).where(CallStep.call_id == "CAold")).all()
        assert all("recording_url" not in s.event for s in old_steps)
        assert "pickup_said_recording" not in session.get_one(CallSession, "CAold").data["vars"]
        assert session.get_one(Call, "CAold").recordings_removed_at == NOW
        new_steps = session.scalars(select(CallStep).where(CallStep.call_id == "CAnew")).all()
        assert [s.event["recording_url"] for s in new_steps if "recording_url" in s.event] == [
            new_call_rec
        ]
        assert session.get_one(Call, "CAnew").recordings_removed_at is None
        # the words are the transcripts' kind, whose period (90 days) has not passed
        assert any(s.event.get("text") == WORDS for s in old_steps)


def test_transcripts_past_their_period_lose_the_words_and_keep_what_the_report_counts(
    db: Database, tmp_path: Path
) -> None:
    settings = _settings(db, tmp_path)
    _call(db, "CAold", _past(90))
    _call(db, "CAnew", _inside(90))
    old_ride, new_ride = _ride(db, _past(90)), _ride(db, _inside(90))
    period = Period.of("week", _past(90).date())
    with db.session() as session:
        before = report_for(session, period=period)

    report = run_retention(db, settings, now=NOW)

    assert report.counts["transcripts"] == {"calls": 1, "steps": 5, "ride_transcripts": 1}
    with db.session() as session:
        old = session.scalars(
            select(CallStep).where(CallStep.call_id == "CAold").order_by(CallStep.step)
        ).all()
        assert [s.event for s in old] == [
            {"kind": "call_started"},
            {"kind": "keys", "digits": "1"},
            {"kind": "keys", "digits": f"[redacted {len(ID_KEYS)}]"},
            {"kind": "speech", "text": f"[redacted {len(WORDS)}]"},
            {"kind": "keys", "digits": "*"},
        ]
        assert all(s.outputs == [{"kind": "say"}, {"kind": "listen"}] for s in old)
        assert session.get_one(CallSession, "CAold").data == {}
        assert session.get_one(Call, "CAold").words_removed_at == NOW
        new = session.scalars(select(CallStep).where(CallStep.call_id == "CAnew")).all()
        assert any(s.event.get("text") == WORDS for s in new)
        assert session.get_one(CallSession, "CAnew").data["vars"]["pickup_said"] == WORDS
        assert session.get_one(Ride, old_ride).pickup_transcript is None
        assert session.get_one(Ride, new_ride).pickup_transcript == WORDS
        # numbers and addresses belong to the rides' period (a year)
        assert session.get_one(Ride, old_ride).pickup_address == "五华区翠湖北路8号"
        assert session.get_one(Call, "CAold").from_number == "+8613900001111"
        # the age-friendliness report of that week reads the same figures as before
        assert report_for(session, period=period) == before


def test_rides_bookings_and_calls_past_their_period_are_anonymised_not_deleted(
    db: Database, tmp_path: Path
) -> None:
    demo_data(db, today=DAY)
    settings = _settings(db, tmp_path)
    old_ride, new_ride = _ride(db, _past(365)), _ride(db, _inside(365))
    _call(db, "CAold", _past(365))
    _call(db, "CAnew", _inside(365))
    old_booking = _booking(db, created_at=_past(365), day=DAY - timedelta(days=300))
    new_booking = _booking(db, created_at=_inside(365), day=DAY - timedelta(days=299))
    with db.session() as session:
        rides_before = session.scalar(select(func.count()).select_from(Ride))

    report = run_retention(db, settings, now=NOW)

    assert report.counts["rides"] == {
        "rides": 1,
        "bookings": 1,
        "calls": 1,
        "operator_requests": 0,
    }
    with db.session() as session:
        ride = session.get_one(Ride, old_ride)
        assert (ride.caller_number, ride.caller_name, ride.pickup_address, ride.destination) == (
            None,
            None,
            None,
            None,
        )
        assert (ride.status, ride.to_hospital, ride.created_at, ride.updated_at) == (
            RideStatus.COMPLETED,
            True,
            _past(365),
            _past(365),
        )
        assert session.get_one(Ride, new_ride).caller_number == "+8613900001111"
        assert session.get_one(Ride, new_ride).pickup_address == "五华区翠湖北路8号"
        booking = session.get_one(Appointment, old_booking)
        assert booking.booked_by_number is None and booking.status == AppointmentStatus.FULFILLED
        assert booking.updated_at == _past(365)
        assert session.get_one(Appointment, new_booking).booked_by_number == "+8613900002222"
        assert session.get_one(Call, "CAold").from_number is None
        assert session.get_one(Call, "CAnew").from_number == "+8613900001111"
        assert session.scalar(select(func.count()).select_from(Ride)) == rides_before


def test_outbox_texts_past_their_period_are_blanked_once_sent_or_given_up(
    db: Database, tmp_path: Path
) -> None:
    settings = _settings(db, tmp_path)
    sent = _message(db, _past(90), "ride:1:assigned:sms", OutboxStatus.SENT)
    failed = _message(db, _past(90), "ride:2:assigned:sms", OutboxStatus.FAILED)
    recent = _message(db, _inside(90), "ride:3:assigned:sms", OutboxStatus.DELIVERED)
    pending = _message(db, _past(90), "ride:4:assigned:sms", OutboxStatus.PENDING)

    report = run_retention(db, settings, now=NOW)

    assert report.counts["outbox"] == {"messages": 2}
    with db.session() as session:
        for blanked in (sent, failed):
            message = session.get_one(OutboxMessage, blanked)
            assert (message.body, message.to_number, message.last_error) == (
                BLANKED,
                "+86139******11",
                None,
            )
        for kept in (recent, pending):
            assert session.get_one(OutboxMessage, kept).to_number == "+8613900001111"
        assert session.get_one(OutboxMessage, sent).status == OutboxStatus.SENT


def test_audit_rows_past_their_period_are_deleted(db: Database, tmp_path: Path) -> None:
    demo_data(db, today=DAY)
    settings = _settings(db, tmp_path)
    with db.session() as session:
        staff = session.scalars(select(StaffUser.id).order_by(StaffUser.id)).first()
        person = session.scalars(select(Person.id).order_by(Person.id)).first()
        hospital = session.scalars(select(Hospital.id).order_by(Hospital.id)).first()
        assert staff and person and hospital
        before = {
            model: session.scalar(select(func.count()).select_from(model))
            for model in (StaffAudit, PersonAuditEntry, HospitalAudit)
        }
        for at in (_past(730), _inside(730)):
            session.add(StaffAudit(at=at, actor_id=staff, target_id=staff, action="unlock"))
            session.add(
                PersonAuditEntry(
                    person_id=person, at=at, actor="王主任", action="updated", changes="电话"
                )
            )
            session.add(
                HospitalAudit(hospital_id=hospital, at=at, action="rules", target="规则", detail={})
            )

    report = run_retention(db, settings, now=NOW)

    assert report.counts["audit"] == {"staff_audit": 1, "person_audit": 1, "hospital_audit": 1}
    with db.session() as session:
        for model in (StaffAudit, PersonAuditEntry, HospitalAudit):
            times = session.scalars(select(model.at).where(model.at < NOW - timedelta(days=700)))
            assert list(times) == [_inside(730)]
            assert session.scalar(select(func.count()).select_from(model)) == before[model] + 1


def _staff_session(
    db: Database, token: str, created: datetime, seen: datetime, ended: datetime | None = None
) -> None:
    with db.session() as session:
        staff = session.scalars(select(StaffUser.id).order_by(StaffUser.id)).first()
        assert staff is not None
        session.add(
            StaffSession(
                token_hash=token,
                staff_user_id=staff,
                created_at=created,
                last_seen_at=seen,
                ended_at=ended,
                end_reason=None if ended is None else "signed_out",
            )
        )


def _flash(db: Database, token: str, session_token: str, expires: datetime) -> None:
    with db.session() as session:
        owner = session.scalars(
            select(StaffSession.id).where(StaffSession.token_hash == session_token)
        ).one()
        session.add(
            StaffFlash(
                token_hash=token, session_id=owner, data='{"typed": "13900001111"}',
                expires_at=expires,
            )
        )


def test_staff_sessions_ended_or_expired_past_their_period_are_deleted(
    db: Database, tmp_path: Path
) -> None:
    demo_data(db, today=DAY)
    settings = _settings(db, tmp_path)  # idle 60 minutes, lifetime 12 hours, kept 180 days
    idle, lifetime, minute = timedelta(minutes=60), timedelta(hours=12), timedelta(minutes=1)
    # signed out: the end's time counts
    _staff_session(db, "ended-past", _past(400), _past(181), ended=_past(180))
    _staff_session(db, "ended-inside", _past(400), _past(181), ended=_inside(180))
    # never marked: idle from its last request, or at the end of its lifetime
    _staff_session(db, "idle-past", _past(180) - idle - minute, _past(180) - idle)
    _staff_session(db, "idle-inside", _inside(180) - idle - minute, _inside(180) - idle)
    _staff_session(db, "lifetime-past", _past(180) - lifetime, _past(180) - 5 * minute)
    _staff_session(db, "lifetime-inside", _inside(180) - lifetime, _inside(180) - 5 * minute)
    _staff_session(db, "live", NOW - timedelta(hours=2), NOW - minute)
    # flashes never shown (app/consoles/flash.py): gone once expired, whatever the session
    _flash(db, "expired", "live", NOW - SECOND)
    _flash(db, "expired-long-ago", "ended-inside", _past(100))
    _flash(db, "unread", "live", NOW + SECOND)

    assert run_retention(db, settings, now=NOW, dry_run=True).counts["staff_flashes"] == {
        "flashes": 2
    }
    report = run_retention(db, settings, now=NOW)

    assert report.counts["staff_sessions"] == {"sessions": 3}
    assert report.counts["staff_flashes"] == {"flashes": 2}
    with db.session() as session:
        left = set(session.scalars(select(StaffSession.token_hash)))
        flashes = set(session.scalars(select(StaffFlash.token_hash)))
    assert left == {"ended-inside", "idle-inside", "lifetime-inside", "live"}
    assert flashes == {"unread"}


def _family_code(db: Database, key: str, expires: datetime, used: datetime | None = None) -> None:
    with db.session() as session:
        session.add(
            FamilyCode(
                number_digest=key,
                client_digest="client",
                code_digest="code",
                created_at=expires - timedelta(minutes=10),
                expires_at=expires,
                used_at=used,
                wrong_tries=0,
            )
        )


def test_family_codes_used_or_expired_past_their_period_are_deleted(
    db: Database, tmp_path: Path
) -> None:
    settings = _settings(db, tmp_path)  # kept 7 days
    five = timedelta(minutes=5)
    _family_code(db, "used-past", _past(7) + five, used=_past(7))
    _family_code(db, "used-inside", _inside(7) + five, used=_inside(7))
    _family_code(db, "expired-past", _past(7))
    _family_code(db, "expired-inside", _inside(7))
    _family_code(db, "live", NOW + five)

    report = run_retention(db, settings, now=NOW)

    assert report.counts["family_codes"] == {"codes": 2}
    with db.session() as session:
        left = set(session.scalars(select(FamilyCode.number_digest)))
    assert left == {"used-inside", "expired-inside", "live"}
    settings = _settings(db, tmp_path, retention_family_codes_days=0)
    assert "family_codes: off" in run_retention(db, settings, now=NOW + timedelta(days=99)).lines()
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(FamilyCode)) == 3


def test_a_kind_with_zero_days_is_kept_for_ever(db: Database, tmp_path: Path) -> None:
    settings = _settings(db, tmp_path, retention_transcripts_days=0, retention_rides_days=0)
    ride = _ride(db, _past(3000))

    report = run_retention(db, settings, now=NOW)

    assert "transcripts: off" in report.lines() and "rides: off" in report.lines()
    with db.session() as session:
        assert session.get_one(Ride, ride).pickup_transcript == WORDS


# --- the job as a whole ------------------------------------------------------------


def _everything(db: Database, tmp_path: Path, fake: FakeTwilio) -> Settings:
    settings = _settings(db, tmp_path, fake)
    _recording_file(settings.recordings_dir, "CAold-1.wav", _past(400))
    _ride(db, _past(400), recording=fake.add_recording(), call_id=None)
    _call(db, "CAold", _past(400), recording=fake.add_recording())
    _message(db, _past(400), "ride:9:assigned:sms", OutboxStatus.SENT)
    return settings


def test_a_dry_run_counts_what_a_run_removes_and_changes_nothing(
    db: Database, tmp_path: Path, fake_twilio: FakeTwilio
) -> None:
    demo_data(db, today=DAY)
    settings = _everything(db, tmp_path, fake_twilio)
    files = sorted(settings.recordings_dir.iterdir())
    at_twilio = set(fake_twilio.recordings)
    rows = _dump(db)

    dry = run_retention(db, settings, now=NOW, dry_run=True)

    assert _dump(db) == rows
    assert sorted(settings.recordings_dir.iterdir()) == files
    assert fake_twilio.recordings == at_twilio and fake_twilio.deletes() == []
    real = run_retention(db, settings, now=NOW)
    assert dry.counts == real.counts
    assert real.counts["recordings"]["twilio_deleted"] == 2
    assert real.counts["outbox"] == {"messages": 1}
    assert fake_twilio.recordings == set()


def test_a_second_run_the_same_day_does_nothing(
    db: Database, tmp_path: Path, fake_twilio: FakeTwilio
) -> None:
    settings = _everything(db, tmp_path, fake_twilio)
    first = run_daily(db, settings, now=NOW)
    assert first is not None and first.counts["transcripts"]["calls"] == 1
    late = _ride(db, _past(400))  # past due, but today's run is done

    assert run_daily(db, settings, now=NOW + timedelta(hours=13)) is None  # 23:00 local
    with db.session() as session:
        assert session.get_one(Ride, late).caller_number == "+8613900001111"
        run = session.scalars(select(RetentionRun)).one()
        assert (run.day, run.finished_at) == (DAY, NOW)
        assert run.report is not None
        assert run.report["counts"]["transcripts"]["calls"] == 1
        assert "+86" not in json.dumps(run.report)  # counts only

    tomorrow = run_daily(db, settings, now=NOW + timedelta(hours=14))  # 00:00 local, Dec 1
    assert tomorrow is not None and tomorrow.counts["rides"]["rides"] == 1
    assert tomorrow.counts["transcripts"]["calls"] == 0
    with db.session() as session:
        assert session.get_one(Ride, late).caller_number is None


def test_one_process_claims_the_day(db: Database) -> None:
    assert claim_day(db, NOW)
    assert not claim_day(db, NOW + timedelta(hours=1))
    assert claim_day(db, NOW + timedelta(days=1))


def test_the_service_runs_it_from_the_configured_local_hour(db: Database, tmp_path: Path) -> None:
    settings = _settings(db, tmp_path, retention_hour=11)  # NOW is 10:00 local
    ride = _ride(db, _past(400))
    assert run_if_due(db, settings, now=NOW) is None
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(RetentionRun)) == 0
    report = run_if_due(db, settings, now=NOW + timedelta(hours=1))
    assert report is not None and report.counts["rides"]["rides"] == 1
    with db.session() as session:
        assert session.get_one(Ride, ride).caller_number is None


def test_a_recording_twilio_did_not_delete_is_kept_and_tried_again(
    db: Database, tmp_path: Path, fake_twilio: FakeTwilio, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.retention")
    settings = _settings(db, tmp_path, fake_twilio)
    failing, gone = fake_twilio.add_recording(), fake_twilio.add_recording()
    fake_twilio.recordings.discard(gone.rsplit("/", 1)[1])  # deleted by hand at Twilio
    ride = _ride(db, _past(30), recording=failing)
    _call(db, "CAold", _past(30), recording=gone)
    fake_twilio.fail_next("error500")

    first = run_daily(db, settings, now=NOW)

    assert first is not None
    assert first.counts["recordings"]["twilio_failed"] == 1
    assert first.counts["recordings"]["twilio_deleted"] == 1  # Twilio's 404: already gone
    assert failing.rsplit("/", 1)[1] in fake_twilio.recordings
    logged = [r.getMessage() for r in caplog.records]
    assert "retention: 1 Twilio recordings not deleted, tried again next run" in logged
    assert any(getattr(r, "fields", None) == {"retention": first.counts} for r in caplog.records)
    assert not [line for line in logged if "+86" in line or WORDS in line]
    with db.session() as session:
        assert session.get_one(Ride, ride).pickup_recording_url == failing
        assert session.get_one(Call, "CAold").recordings_removed_at == NOW

    second = run_daily(db, settings, now=NOW + timedelta(days=1))

    assert second is not None and second.counts["recordings"]["twilio_deleted"] == 1
    assert second.counts["recordings"]["twilio_failed"] == 0
    assert fake_twilio.recordings == set()
    with db.session() as session:
        assert session.get_one(Ride, ride).pickup_recording_url is None


def test_without_twilio_a_twilio_recording_is_reported_and_kept(
    db: Database, tmp_path: Path
) -> None:
    settings = _settings(db, tmp_path)
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE" + "a" * 32
    ride = _ride(db, _past(30), recording=url)

    report = run_retention(db, settings, now=NOW)

    assert report.counts["recordings"]["twilio_failed"] == 1
    with db.session() as session:
        assert session.get_one(Ride, ride).pickup_recording_url == url


def _booking(
    db: Database,
    *,
    created_at: datetime,
    day: date,
    status: AppointmentStatus = AppointmentStatus.FULFILLED,
    call_id: str | None = None,
) -> int:
    with db.session() as session:
        person = session.scalars(select(Person).order_by(Person.id)).first()
        doctor = session.scalars(select(Doctor).order_by(Doctor.id)).first()
        assert person and doctor
        schedule = session.scalars(
            select(Schedule).where(Schedule.doctor_id == doctor.id, Schedule.day == day)
        ).first() or Schedule(doctor_id=doctor.id, day=day, session=ClinicSession.AM)
        session.add(schedule)
        session.flush()
        slot = Slot(schedule_id=schedule.id, start_time=datetime(2026, 1, 1, 9).time())
        session.add(slot)
        session.flush()
        booking = Appointment(
            slot_id=slot.id,
            patient_id=person.id,
            department_id=doctor.department_id,
            department_name="心血管内科",
            day=day,
            session=schedule.session,
            booked_by_number="+8613900002222",
            call_id=call_id,
            status=status,
            created_at=created_at,
            updated_at=created_at,
        )
        session.add(booking)
        session.flush()
        return booking.id


def test_a_live_ride_and_a_booking_ahead_are_never_touched(
    db: Database, tmp_path: Path, fake_twilio: FakeTwilio
) -> None:
    demo_data(db, today=DAY)
    settings = _settings(db, tmp_path, fake_twilio)
    long_ago = _past(3000)
    ride_recording, call_recording = fake_twilio.add_recording(), fake_twilio.add_recording()
    _call(db, "CAride", long_ago, recording=call_recording)
    _call(db, "CAbooking", long_ago)
    ride = _ride(
        db, long_ago, status=RideStatus.ASSIGNED, recording=ride_recording, call_id="CAride"
    )
    booking = _booking(
        db, created_at=long_ago, day=DAY, status=AppointmentStatus.BOOKED, call_id="CAbooking"
    )
    _recording_file(settings.recordings_dir, "CAride-3.wav", long_ago)
    _message(db, long_ago, f"ride:{ride}:assigned:sms", OutboxStatus.SENT)
    _message(db, long_ago, f"appointment:{booking}:booked:sms", OutboxStatus.SENT)
    finished = _ride(db, long_ago, status=RideStatus.COMPLETED)  # the control: this one goes
    rows = _dump(db)

    report = run_retention(db, settings, now=NOW)

    assert report.counts["rides"]["rides"] == 1
    after = _dump(db)
    changed = {name for name in rows if rows[name] != after[name]}
    assert changed == {"rides"}  # the finished ride only
    with db.session() as session:
        assert session.get_one(Ride, finished).caller_number is None
        live = session.get_one(Ride, ride)
        assert (live.caller_number, live.pickup_transcript, live.pickup_recording_url) == (
            "+8613900001111",
            WORDS,
            ride_recording,
        )
    assert (settings.recordings_dir / "CAride-3.wav").exists()
    assert fake_twilio.deletes() == []


def test_the_service_runs_the_job_by_itself_once_started(db: Database, tmp_path: Path) -> None:
    """`ivr serve`'s app checks at start-up; stopping it lets the run under way finish."""
    settings = _settings(
        db, tmp_path, retention_in_process=True, retention_hour=0, outbox_in_process=False
    )
    old = _ride(db, utcnow() - timedelta(days=400))

    app = create_app(settings)

    async def start_and_stop() -> None:
        async with app.router.lifespan_context(app):
            pass

    asyncio.run(start_and_stop())

    with db.session() as session:
        run = session.scalars(select(RetentionRun)).one()
        assert run.day == local_today(run.started_at) and run.finished_at is not None
        assert session.get_one(Ride, old).caller_number is None


def test_twilio_recordings_of_an_erased_person_are_deleted_at_twilio_by_the_next_run(
    db: Database, tmp_path: Path, fake_twilio: FakeTwilio
) -> None:
    demo_data(db, today=DAY)
    settings = _settings(db, tmp_path, fake_twilio, retention_recordings_days=0)  # even so
    recording = fake_twilio.add_recording()
    _call(db, "CAhers", NOW - timedelta(days=2), recording=recording)
    with db.session() as session:
        person = session.scalars(select(Person).order_by(Person.id)).first()
        assert person is not None
        person_id = person.id
        session.get_one(Call, "CAhers").person_id = person_id
    ride = _ride(db, NOW - timedelta(days=2), recording=recording, call_id="CAhers")
    with db.session() as session:
        session.get_one(Ride, ride).person_id = person_id
        erase_person(
            session, person_id=person_id, changed_by=Actor("管理员", None), today=DAY, now=NOW
        )
    with db.session() as session:
        assert session.get_one(Ride, ride).pickup_recording_url is None  # erased at once
        queued = session.scalars(select(RecordingDeletion)).all()
        assert [q.sid for q in queued] == [recording.rsplit("/", 1)[1]]

    report = run_retention(db, settings, now=NOW)  # two days old, and recordings "kept"

    assert report.counts["recordings"]["twilio_deleted"] == 1
    assert fake_twilio.recordings == set()
    with db.session() as session:
        assert session.scalars(select(RecordingDeletion)).all() == []


def test_two_processes_at_once_run_the_day_once(db: Database, tmp_path: Path) -> None:
    settings = _settings(db, tmp_path)
    ride = _ride(db, _past(400))
    start = threading.Barrier(2)
    reports: list[object] = []

    def service_process() -> None:
        own = Database(db.url)  # its own engine and connections, like another process
        try:
            start.wait()
            reports.append(run_daily(own, settings, now=NOW))
        finally:
            own.dispose()

    threads = [threading.Thread(target=service_process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(reports) == 2 and reports.count(None) == 1
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(RetentionRun)) == 1
        assert session.get_one(Ride, ride).caller_number is None
