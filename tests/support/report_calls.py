"""A known mix of stored calls and steps for the age-friendliness report tests.

Seven calls start on Monday 2026-03-02 (local time), one on Wednesday 2026-03-04 and one
on Sunday 2026-03-01 (outside both the day and the week); tests state every figure.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.calls.enums import CallChannel, CallStatus, TransferReason
from app.calls.models import Call, CallStep
from app.core.db import Database
from app.people.enums import PhoneKind
from app.people.models import Person, PersonPhone

REPORT_DAY = date(2026, 3, 2)

ASK = {"kind": "say", "text": "请问您要做什么？", "pace": "normal"}
SLOW = {"kind": "say", "text": "请按1叫车。", "pace": "slow"}
DIDNT_CATCH = {"kind": "say", "text": "没听清。", "pace": "slow"}
LISTEN = {"kind": "listen", "expect": "choice"}
BYE = {"kind": "hangup"}


def _transfer(reason: str) -> list[dict[str, Any]]:
    return [{"kind": "say", "text": "正在转人工。"}, {"kind": "transfer", "reason": reason}]


def _person(db: Database, name: str, birth: date | None, phone: str) -> int:
    with db.session() as session:
        person = Person(full_name=name, birth_date=birth)
        person.phones.append(PersonPhone(number=phone, kind=PhoneKind.LANDLINE))
        session.add(person)
        session.flush()
        return person.id


def _call(
    db: Database,
    call_id: str,
    *,
    start: datetime,
    seconds: int | None,
    status: CallStatus,
    from_number: str,
    person_id: int | None = None,
    reason: TransferReason | None = None,
    steps: list[tuple[dict[str, Any], str, str, list[dict[str, Any]]]],
) -> None:
    with db.session() as session:
        session.add(
            Call(
                id=call_id,
                channel=CallChannel.TWILIO,
                from_number=from_number,
                person_id=person_id,
                status=status,
                started_at=start,
                ended_at=start + timedelta(seconds=seconds) if seconds is not None else None,
                transfer_reason=reason,
            )
        )
        session.flush()
        for number, (event, before, after, outputs) in enumerate(steps, start=1):
            session.add(
                CallStep(
                    call_id=call_id,
                    step=number,
                    event_key=f"{call_id}-{number}",
                    event=event,
                    state_before=before,
                    state_after=after,
                    outputs=outputs,
                    created_at=start,
                )
            )


def _keys(digits: str) -> dict[str, Any]:
    return {"kind": "keys", "digits": digits}


def _speech(text: str) -> dict[str, Any]:
    return {"kind": "speech", "text": text, "confidence": 0.9, "recording_url": None}


STARTED = {"kind": "call_started", "from_number": None, "to_number": None}
SILENCE = {"kind": "silence"}
HANG_UP = {"kind": "hang_up"}


def add_report_calls(db: Database) -> None:
    """The mix described in tests/integration/reports/test_report_figures.py."""
    age_75 = _person(db, "张奶奶", date(1950, 6, 1), "+8687100000001")
    age_86 = _person(db, "李爷爷", date(1940, 1, 1), "+8687100000002")
    age_62 = _person(db, "王奶奶", date(1963, 3, 3), "+8687100000003")  # 63 tomorrow
    no_birth = _person(db, "赵爷爷", None, "+8687100000004")
    nine = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
    _call(db, "c1", start=nine, seconds=120, status=CallStatus.COMPLETED,
          from_number="+8687100000001", person_id=age_75, steps=[
              (STARTED, ".", "main.menu", [ASK, LISTEN]),
              (_keys("1"), "main.menu", "taxi.pickup", [ASK, LISTEN]),
              (_keys("*"), "taxi.pickup", "taxi.pickup", [SLOW, LISTEN]),
              (_keys("12"), "taxi.pickup", "taxi.done", [ASK, BYE]),
          ])
    _call(db, "c2", start=nine, seconds=60, status=CallStatus.COMPLETED,
          from_number="+8613900000009", person_id=age_86, steps=[  # a daughter's mobile
              (STARTED, ".", "main.menu", [ASK, LISTEN]),
              (_speech("挂号"), "main.menu", "hospital.id", [ASK, LISTEN]),
              (SILENCE, "hospital.id", "hospital.id", [SLOW, LISTEN]),
              (_keys("[redacted 18]"), "hospital.id", "hospital.done", [ASK, BYE]),
          ])
    _call(db, "c3", start=nine, seconds=40, status=CallStatus.TRANSFERRED,
          from_number="+8687100000003", person_id=age_62,
          reason=TransferReason.NOT_UNDERSTOOD, steps=[
              (STARTED, ".", "main.menu", [ASK, LISTEN]),
              (_speech("嗯嗯"), "main.menu", "main.menu", [DIDNT_CATCH, SLOW, LISTEN]),
              (_speech("啊"), "main.menu", "main.menu", _transfer("not_understood")),
          ])
    _call(db, "c4", start=nine, seconds=10, status=CallStatus.TRANSFERRED,
          from_number="+8687100000004", person_id=no_birth, reason=TransferReason.ASKED,
          steps=[
              (STARTED, ".", "main.menu", [ASK, LISTEN]),
              (_keys("0"), "main.menu", "main.menu", _transfer("asked")),
          ])
    _call(db, "c5", start=nine, seconds=30, status=CallStatus.CALLER_HUNG_UP,
          from_number="+8613900000005", steps=[
              (STARTED, ".", "main.menu", [ASK, LISTEN]),
              (_keys("1"), "main.menu", "taxi.pickup", [ASK, LISTEN]),
              (HANG_UP, "taxi.pickup", "taxi.pickup", []),
          ])
    # 00:30 on 2 March in Kunming is still 1 March in UTC: it belongs to 2 March.
    _call(db, "c6", start=datetime(2026, 3, 1, 16, 30, tzinfo=UTC), seconds=50,
          status=CallStatus.CALLER_HUNG_UP, from_number="+8687100000001", person_id=age_75,
          steps=[
              (STARTED, ".", "main.menu", [ASK, LISTEN]),
              (_speech("再说一遍"), "main.menu", "main.menu", [SLOW, LISTEN]),
              (HANG_UP, "main.menu", "main.menu", []),
          ])
    _call(db, "c7", start=nine, seconds=None, status=CallStatus.IN_PROGRESS,
          from_number="+8613900000007", steps=[(STARTED, ".", "main.menu", [ASK, LISTEN])])
    # Wednesday: in the week, not the day.
    _call(db, "c8", start=datetime(2026, 3, 4, 2, 0, tzinfo=UTC), seconds=30,
          status=CallStatus.COMPLETED, from_number="+8613900000008", steps=[
              (STARTED, ".", "main.menu", [ASK, LISTEN]),
              (_speech("叫车"), "main.menu", "taxi.done", [ASK, BYE]),
          ])
    # 23:30 on Sunday 1 March in Kunming: neither the day nor the week.
    _call(db, "c9", start=datetime(2026, 3, 1, 15, 30, tzinfo=UTC), seconds=30,
          status=CallStatus.COMPLETED, from_number="+8613900000008", steps=[
              (STARTED, ".", "main.menu", [ASK, LISTEN]),
              (_keys("1"), "main.menu", "taxi.done", [ASK, BYE]),
          ])
