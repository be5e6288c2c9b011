"""Why a call reached a person is stored (`calls.transfer_reason`, `calls.emergency`), and
emergencies reach a person first with the 120 advice: real flows, real understanding, real
database (SQLite + PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.callflow.messages import TRANSFER_REASONS, CallStarted, Keys, Say, Speech, Transfer
from app.calls.enums import CallStatus, TransferReason
from app.calls.models import Call, CallStep
from app.calls.service import CallService
from app.core.db import Database
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment
from app.simulator import run_call
from app.taxi.models import Ride
from support.calls import demo_call_service

ZHANG = "+8613800000001"  # 张奶奶 in the demo data: registered, ID number on file
STRANGER = "+8613812345678"
HOTLINE = "+868710000000"
TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
ADVICE = "请马上拨打120"


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def play(service: CallService, number: str, *turns: str) -> tuple[Call, list[str]]:
    lines: list[str] = []
    played = run_call(
        service, from_number=number, to_number=HOTLINE, turns=iter(turns), show=lines.append
    )
    with service.db.session() as session:
        call = session.get(Call, played.call_id)
        assert call is not None
        session.expunge(call)
    return call, lines


def booked(db: Database) -> list[Appointment]:
    with db.session() as session:
        return list(
            session.scalars(
                select(Appointment).where(Appointment.status == AppointmentStatus.BOOKED)
            )
        )


def test_the_reason_codes_of_engine_and_database_agree() -> None:
    assert set(TRANSFER_REASONS) == {r.value for r in TransferReason}


def test_an_emergency_at_the_main_menu_is_stored_as_one(service: CallService) -> None:
    call, lines = play(service, ZHANG, "胸口 疼 得 很")
    assert any(ADVICE in line and "慢速" in line for line in lines)
    assert call.status == CallStatus.TRANSFERRED
    assert call.transfer_reason == TransferReason.EMERGENCY and call.emergency is True


@pytest.mark.parametrize("words", ["心口疼", "喘不过气", "我 老伴 说话 不 清楚 了"])
def test_acute_signs_at_the_department_question_hear_120_before_any_slot(
    service: CallService, db: Database, words: str
) -> None:
    call, lines = play(service, ZHANG, "2", words)
    assert any("哪个科" in line for line in lines)  # it was the department question
    assert any(ADVICE in line for line in lines)
    assert not any("最早的号是" in line for line in lines)
    assert call.transfer_reason == TransferReason.EMERGENCY and call.emergency is True
    assert booked(db) == []


def test_stroke_signs_after_dizziness_reach_a_person_not_a_slot(
    service: CallService, db: Database
) -> None:
    call, lines = play(service, ZHANG, "2", "我脑壳晕得很", "2")
    assert any("按2，手脚发麻、说话不清楚" in line for line in lines)
    assert any(ADVICE in line and "慢速" in line for line in lines)
    assert not any("最早的号是" in line for line in lines)
    assert call.transfer_reason == TransferReason.EMERGENCY and call.emergency is True
    assert booked(db) == []


def test_a_racing_heart_or_tight_chest_with_dizziness_is_an_emergency_not_a_slot(
    service: CallService, db: Database
) -> None:
    call, lines = play(service, ZHANG, "2", "头晕", "1")
    assert any("按1，心慌、胸口闷" in line for line in lines)
    assert any(ADVICE in line and "慢速" in line for line in lines)
    assert not any("最早的号是" in line for line in lines)
    assert call.transfer_reason == TransferReason.EMERGENCY and call.emergency is True
    assert booked(db) == []


def test_numb_hands_said_after_dizziness_are_stroke_signs_too(service: CallService) -> None:
    call, lines = play(service, ZHANG, "2", "头晕", "手脚发麻")
    assert any(ADVICE in line for line in lines)
    assert call.transfer_reason == TransferReason.EMERGENCY and call.emergency is True


def test_a_complaint_that_needs_a_person_is_not_guessed_into_a_department(
    service: CallService, db: Database
) -> None:
    call, lines = play(service, ZHANG, "2", "这几天老是低烧")
    assert any("要问清楚了才好选科" in line for line in lines)
    assert call.transfer_reason == TransferReason.FLOW and call.emergency is False
    assert booked(db) == []


def test_an_old_complaint_is_not_an_emergency(service: CallService) -> None:
    # 1 books the offer; 2: no car to the hospital.
    call, lines = play(service, ZHANG, "2", "以前中过风，胸口疼是老毛病了，我要挂心内科", "1", "2")
    assert not any(ADVICE in line for line in lines)
    assert any("挂好了" in line for line in lines)
    assert call.transfer_reason is None and call.emergency is False
    assert call.status == CallStatus.COMPLETED


@pytest.mark.parametrize(
    ("number", "turns", "reason"),
    [
        (ZHANG, ["0"], TransferReason.ASKED),
        (ZHANG, ["转人工"], TransferReason.ASKED),
        (ZHANG, ["", ""], TransferReason.SILENCE),
        (ZHANG, ["我家猫跑了", "我家猫跑了"], TransferReason.NOT_UNDERSTOOD),
        (STRANGER, ["2"], TransferReason.FLOW),  # not registered: a person registers them
    ],
)
def test_every_transfer_records_why(
    service: CallService, number: str, turns: list[str], reason: TransferReason
) -> None:
    call, _ = play(service, number, *turns)
    assert call.status == CallStatus.TRANSFERRED
    assert call.transfer_reason == reason and call.emergency is False


def test_a_system_error_records_why(service: CallService, db: Database) -> None:
    service.handle(call_id="CA1", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    service.handle(call_id="CA1", event=Keys("1"), event_key="k1")
    with db.session() as session:  # the draft ride disappears behind the flow's back
        session.delete(session.scalars(select(Ride)).one())
    result = service.handle(call_id="CA1", event=Keys("1"), event_key="k2")
    assert result.outputs[-1] == Transfer(reason="system_error")
    with db.session() as session:
        call = session.get(Call, "CA1")
        assert call is not None
        assert call.transfer_reason == TransferReason.SYSTEM_ERROR and call.emergency is False


def test_a_replayed_emergency_step_gives_the_same_answer_and_keeps_the_flag(
    service: CallService, db: Database
) -> None:
    service.handle(call_id="CA2", event=CallStarted(ZHANG, HOTLINE), event_key="start")
    first = service.handle(call_id="CA2", event=Speech("救命"), event_key="k1")
    again = service.handle(call_id="CA2", event=Speech("救命"), event_key="k1")
    assert again.replayed and again.outputs == first.outputs
    assert isinstance(first.outputs[0], Say) and first.outputs[0].pace == "slow"
    assert first.outputs[-1] == Transfer(reason="emergency", emergency=True)
    with db.session() as session:
        call = session.get(Call, "CA2")
        assert call is not None and call.emergency is True
        steps = session.scalars(select(CallStep).where(CallStep.call_id == "CA2")).all()
        assert len(steps) == 2


def test_chest_pain_after_an_everyday_clause_at_the_taxi_question_is_no_taxi(
    service: CallService, db: Database
) -> None:
    # 平时都好好的 ("usually I'm fine") neither makes the pain old nor says yes to the car.
    call, lines = play(service, "+8613800000002", "1", "平时都好好的，心口疼得很")
    assert any(ADVICE in line for line in lines)
    assert call.transfer_reason == TransferReason.EMERGENCY and call.emergency is True
    with db.session() as session:
        assert session.scalars(select(Ride).where(Ride.status == "queued")).all() == []


def test_a_complaint_at_the_slot_offer_books_nothing(service: CallService, db: Database) -> None:
    call, lines = play(service, ZHANG, "2", "1", "1", "嗯，我想想")
    assert any("最早的号是" in line for line in lines)
    assert not any("挂好了" in line for line in lines)
    assert booked(db) == []
