"""The operators' panel read model and state machine on the real database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from app.calls.enums import CallChannel, TransferReason
from app.calls.models import Call
from app.core.db import Database
from app.operators import panel, requests
from app.operators.enums import RequestStatus
from app.staff.enums import StaffRole
from app.staff.models import StaffUser

NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


def _transferred(db: Database, sid: str, *, at: datetime, emergency: bool = False) -> int:
    with db.session() as session:
        call = Call(
            id=sid,
            channel=CallChannel.TWILIO,
            from_number="+8613800000077",
            transfer_reason=TransferReason.EMERGENCY if emergency else TransferReason.SILENCE,
            emergency=emergency,
        )
        session.add(call)
        session.flush()
        requests.on_transfer(session, call, now=at)
        requests.on_transfer(session, call, now=at)  # a replayed step adds nothing
        row = requests.waiting_call(session, sid)
        assert row is not None
        return row.id


def _marker(db: Database) -> tuple[int, str, int, int]:
    with db.session() as session:
        return panel.change_marker(session)


def test_emergencies_come_first_then_the_longest_wait(db: Database) -> None:
    early = _transferred(db, "CA-early", at=NOW - timedelta(minutes=5))
    late = _transferred(db, "CA-late", at=NOW - timedelta(minutes=1))
    urgent = _transferred(db, "CA-urgent", at=NOW, emergency=True)
    with db.session() as session:
        entries = panel.open_requests(session, now=NOW)
    assert [e.id for e in entries] == [urgent, early, late]
    assert entries[0].emergency and "紧急" in entries[0].reason
    assert entries[1].reason == "两次没有回应" and entries[1].waiting_label == "5分00秒"


def test_a_simulated_call_waits_nowhere_and_gets_no_row(db: Database) -> None:
    with db.session() as session:
        call = Call(id="SIM-1", channel=CallChannel.SIMULATOR, transfer_reason=TransferReason.ASKED)
        session.add(call)
        session.flush()
        requests.on_transfer(session, call, now=NOW)
        assert requests.waiting_call(session, "SIM-1") is None


def test_the_marker_moves_with_every_change_and_only_then(db: Database) -> None:
    seen = [_marker(db)]
    request_id = _transferred(db, "CA-1", at=NOW)
    seen.append(_marker(db))
    assert _marker(db) == seen[-1]
    with db.session() as session:
        requests.callback_requested(session, call_id="CA-1")
    seen.append(_marker(db))
    with db.session() as session:
        requests.callback_result(session, request_id=request_id, dial_status="busy")  # not calling
    assert _marker(db) == seen[-1]  # a callback about another state changes nothing
    with db.session() as session:
        requests.caller_left(session, call_id="CA-1")  # a call-back task is not a waiting caller
        row = requests.request_of(session, request_id)
        assert row is not None and row.status == RequestStatus.CALLBACK
    assert _marker(db) == seen[-1]
    assert len(set(seen)) == len(seen)


def test_a_note_stays_with_the_call_and_a_too_long_one_is_refused(db: Database) -> None:
    request_id = _transferred(db, "CA-note", at=NOW)
    with db.session() as session:
        staff = StaffUser(
            username="op9", display_name="调度9", password_hash="x", role=StaffRole.OPERATOR
        )
        session.add(staff)
        session.flush()
        with pytest.raises(requests.OperatorRequestError, match="备注太长了"):
            requests.write_note(session, request_id=request_id, text="很" * 501, staff=staff)
        requests.write_note(session, request_id=request_id, text=" 要轮椅 ", staff=staff)
        requests.caller_left(session, call_id="CA-note")
    with db.session() as session:
        row = requests.waiting_call(session, "CA-note")
        assert row is not None and row.operator_note == "要轮椅（调度9）"
        assert row.status == RequestStatus.LEFT


def test_a_ring_never_reported_on_can_be_taken_over_after_a_while(db: Database) -> None:
    request_id = _transferred(db, "CA-lost", at=NOW)
    with db.session() as session:
        first = StaffUser(
            username="op7",
            display_name="调度7",
            password_hash="x",
            role=StaffRole.OPERATOR,
            phone_number="+8615800000007",
        )
        second = StaffUser(
            username="op8",
            display_name="调度8",
            password_hash="x",
            role=StaffRole.OPERATOR,
            phone_number="+8615800000008",
        )
        session.add_all([first, second])
        session.flush()
        requests.pick_up(session, request_id=request_id, staff=first)
        ringing = requests.request_of(session, request_id)
        assert ringing is not None
        rang_at = ringing.updated_at
    with db.session() as session, pytest.raises(requests.OperatorRequestError, match="调度7"):
        requests.pick_up(session, request_id=request_id, staff=second, now=rang_at)
    later = rang_at + requests.STALE_RING + timedelta(seconds=1)
    with db.session() as session:
        assert (
            requests.pick_up(session, request_id=request_id, staff=second, now=later)
            == "+8615800000008"
        )
        row = requests.request_of(session, request_id)
        assert row is not None and row.operator_id == second.id


def test_the_step_reached_is_shown_in_chinese_never_by_its_internal_name() -> None:
    dialogs = Path(__file__).resolve().parents[3] / "dialogs"
    seen = 0
    for flow in ("main", "taxi", "hospital", "ahead", "reminder"):
        states = yaml.safe_load((dialogs / f"{flow}.yaml").read_text(encoding="utf-8"))["states"]
        for state in states:
            label = panel._state_label(f"{flow}.{state}")
            assert label and not re.search(r"[A-Za-z_]", label), (flow, state, label)
            seen += 1
    assert seen > 100
    assert panel._state_label("main.menu") == "主菜单"
    assert panel._state_label("hospital.pick_department") == "挂号 · 选科室"
    assert panel._state_label("taxi.confirm_home") == "叫车 · 确认在家上车"
    assert panel._state_label("nosuchflow.x") is None
