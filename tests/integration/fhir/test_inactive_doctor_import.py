"""Imports refuse a 停用 doctor: a FHIR Bundle (a new session, or a new slot in a session
imported earlier) and a CSV file are refused whole, naming the entry or line and the doctor;
nothing is imported. The same file imports once the doctor is 启用 again."""

from __future__ import annotations

import pytest
from fhir_helpers import NOW, TOMORROW, add_doctor, session_bundle, slot_entry
from sqlalchemy import func, select

from app.core.db import Database
from app.hospital import administration
from app.hospital.fhir.importer import ImportRefused, import_bundle
from app.hospital.fhir.slots_csv import CsvRefused, import_csv
from app.hospital.models import Schedule, Slot


def _set_active(db: Database, hospital: int, doctor: int, active: bool) -> None:
    with db.session() as session:
        administration.set_doctor_active(session, hospital_id=hospital, doctor_id=doctor,
                                         active=active, actor_id=None, now=NOW)


def _counts(db: Database, doctor: int) -> tuple[int, int]:
    with db.session() as session:
        schedules = session.scalar(
            select(func.count(Schedule.id)).where(Schedule.doctor_id == doctor))
        slots = session.scalar(
            select(func.count(Slot.id)).join(Schedule, Schedule.id == Slot.schedule_id)
            .where(Schedule.doctor_id == doctor))
        return schedules or 0, slots or 0


def test_a_bundle_for_a_disabled_doctor_is_refused_naming_entry_and_doctor(
    db: Database, clinic: int
) -> None:
    doctor = add_doctor(db, clinic)
    _set_active(db, clinic, doctor, False)
    with pytest.raises(ImportRefused) as refused, db.session() as session:
        import_bundle(session, hospital_id=clinic, data=session_bundle(doctor, clinic), now=NOW)
    message = str(refused.value)
    assert message.startswith("entry[0]:") and f"Practitioner/{doctor}" in message
    assert "和医生" in message and "已停用" in message and refused.value.code == "business-rule"
    assert _counts(db, doctor) == (0, 0)

    # Enabled, the same bundle imports; disabled again, a new slot for that session is refused.
    _set_active(db, clinic, doctor, True)
    with db.session() as session:
        result = import_bundle(session, hospital_id=clinic, data=session_bundle(doctor, clinic),
                               now=NOW)
    schedule_ref = result.locations[0]
    assert schedule_ref.startswith("Schedule/") and _counts(db, doctor) == (1, 3)
    _set_active(db, clinic, doctor, False)
    more = {"resourceType": "Bundle", "type": "batch",
            "entry": [slot_entry("SLOT-9", schedule_ref, "11:00")]}
    with pytest.raises(ImportRefused) as again, db.session() as session:
        import_bundle(session, hospital_id=clinic, data=more, now=NOW)
    assert str(again.value).startswith("entry[0]:") and "已停用" in str(again.value)
    assert _counts(db, doctor) == (1, 3)


def test_a_csv_row_for_a_disabled_doctor_is_refused_with_its_line(
    db: Database, clinic: int
) -> None:
    doctor = add_doctor(db, clinic)
    day = TOMORROW.isoformat()
    raw = (
        "出诊编号,日期,时段,医生编号,号源编号,时间\n"
        f"S1,{day},上午,{doctor},H1,08:00\n"
        f"S1,{day},上午,{doctor},H2,08:20\n"
    ).encode()
    _set_active(db, clinic, doctor, False)
    with pytest.raises(CsvRefused) as refused, db.session() as session:
        import_csv(session, hospital_id=clinic, raw=raw, now=NOW)
    assert refused.value.errors == [
        f"第{line}行：医生编号 {doctor}（和医生）已停用，不能导入出诊。"
        "请删掉这一行，或先在“医院管理”的医生里启用。"
        for line in (2, 3)
    ]
    assert _counts(db, doctor) == (0, 0)
    _set_active(db, clinic, doctor, True)
    with db.session() as session:
        assert import_csv(session, hospital_id=clinic, raw=raw, now=NOW).created == 3
    assert _counts(db, doctor) == (1, 2)
