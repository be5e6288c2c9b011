"""Sessions and slots from a CSV file: the spreadsheet alternative to the FHIR Bundle import.

One row per slot; rows with the same session id make one doctor's session. Columns (the
header row names them, in English or Chinese, in any order):

| column | 中文 | value |
|---|---|---|
| `session_id` | 出诊编号 | the HIS id of the session (required) |
| `date` | 日期 | `2026-12-03` |
| `session` | 时段 | 上午 / 下午 (`am` / `pm`) |
| `doctor_id` | 医生编号 | the hotline's doctor id (the upload page lists them) |
| `slot_id` | 号源编号 | the HIS id of the slot (required) |
| `time` | 时间 | `08:20` (morning before 12:00, afternoon from 12:00) |
| `pool` | 号池 | 普通 (default) / 长者电话 / 现场 / 家庭医生, or the FHIR codes |
| `status` | 状态 | 可约 (default, `free`) / 撤回 (`busy-unavailable`: a slot nobody booked) |

A row for a day before today or after the last day of the hospital's booking window
(today + `booking_window_days`) is refused with its line: sessions are imported for the
days the hotline can book, not silently kept for a past or far-off day.

Every row is checked first and every problem is reported with its line number
(`CsvRefused.errors`); one problem and nothing is changed. A clean file is turned into a
FHIR Bundle and applied by `importer.import_bundle`, so the rules and the idempotence are
the FHIR import's: the same file twice changes nothing, a changed time, pool or status
updates the slot unless it holds a booking. Files up to `MAX_ROWS` rows, UTF-8 (with or
without BOM) or GB18030 (what Excel saves on Chinese Windows).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.local_time import LOCAL_TZ, local_today
from app.db.base import parse_id
from app.hospital.enums import ClinicSession, SlotStatus
from app.hospital.fhir import resources
from app.hospital.fhir.importer import ImportRefused, ImportResult, import_bundle
from app.hospital.models import Department, Doctor, Hospital, Schedule
from app.hospital.rules import BookingRules

MAX_ROWS = 5000
MAX_BYTES = 1_000_000
COLUMNS = {
    "session_id": ("session_id", "出诊编号"),
    "date": ("date", "日期"),
    "session": ("session", "时段"),
    "doctor_id": ("doctor_id", "医生编号"),
    "slot_id": ("slot_id", "号源编号"),
    "time": ("time", "时间"),
    "pool": ("pool", "号池"),
    "status": ("status", "状态"),
}
OPTIONAL = {"pool", "status"}
SESSIONS = {"上午": ClinicSession.AM, "am": ClinicSession.AM, "下午": ClinicSession.PM,
            "pm": ClinicSession.PM}
SESSION_START = {ClinicSession.AM: time(8, 0), ClinicSession.PM: time(14, 0)}
POOLS = {
    "": resources.POOL_OPEN,
    "普通": resources.POOL_OPEN,
    resources.POOL_OPEN: resources.POOL_OPEN,
    "长者电话": resources.POOL_ELDERLY_PHONE,
    resources.POOL_ELDERLY_PHONE: resources.POOL_ELDERLY_PHONE,
    "现场": resources.POOL_ONSITE,
    resources.POOL_ONSITE: resources.POOL_ONSITE,
    "家庭医生": resources.POOL_FAMILY_DOCTOR,
    resources.POOL_FAMILY_DOCTOR: resources.POOL_FAMILY_DOCTOR,
}
STATUSES = {
    "": SlotStatus.FREE.value,
    "可约": SlotStatus.FREE.value,
    SlotStatus.FREE.value: SlotStatus.FREE.value,
    "撤回": SlotStatus.BUSY_UNAVAILABLE.value,
    SlotStatus.BUSY_UNAVAILABLE.value: SlotStatus.BUSY_UNAVAILABLE.value,
}
_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")


class CsvRefused(ValueError):
    """Nothing was imported: `errors` lists each problem (Chinese, with its line)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class _Row:
    line: int
    session_id: str
    day: date
    session: ClinicSession
    doctor_id: int
    slot_id: str
    start: time
    pool: str
    status: str


@dataclass
class _Session:
    line: int
    day: date
    session: ClinicSession
    doctor_id: int
    rows: list[_Row] = field(default_factory=list)


def _decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise CsvRefused([f"文件太大（最多 {MAX_BYTES // 1000} KB），请分成几个文件上传。"])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvRefused(["读不出文件内容：请存成 CSV（UTF-8 或 GBK 编码）。"])


def _header(fields: list[str]) -> dict[str, int]:
    names = [f.strip().lower() for f in fields]
    found: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                found[key] = names.index(alias)
                break
    missing = [COLUMNS[k][1] + f"（{k}）" for k in COLUMNS if k not in found and k not in OPTIONAL]
    if missing:
        raise CsvRefused([f"第1行（表头）缺少列：{'、'.join(missing)}。"])
    return found


@dataclass(frozen=True)
class _Window:
    """The days a file may hold sessions for: today .. the last day of the booking window."""

    today: date
    last: date

    def problem(self, line: int, day: date) -> str | None:
        if day < self.today:
            return (
                f"第{line}行：日期 {day.isoformat()} 已经过去，不能导入过去的出诊。"
                f"请只导入今天（{self.today.isoformat()}）及以后的号源。"
            )
        if day > self.last:
            return (
                f"第{line}行：日期 {day.isoformat()} 超出了本院的预约周期，"
                f"现在最晚只能导入到 {self.last.isoformat()}。"
                "这一天的号源请等放号周期到了再导入（或在“预约规则”里延长预约周期）。"
            )
        return None


def booking_window(session: Session, hospital_id: int, now: datetime) -> _Window:
    """Today and the last day of the hospital's booking window (hospital local time)."""
    hospital = session.get(Hospital, hospital_id)
    rules = BookingRules.from_json(hospital.rules if hospital is not None else None)
    today = local_today(now)
    return _Window(today, today + timedelta(days=rules.booking_window_days))


def _parse_row(
    line: int, cells: list[str], columns: dict[str, int], doctors: dict[int, Doctor],
    window: _Window,
) -> tuple[_Row | None, list[str]]:
    def cell(key: str) -> str:
        index = columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    errors: list[str] = []
    session_id, slot_id = cell("session_id"), cell("slot_id")
    for label, value in (("出诊编号", session_id), ("号源编号", slot_id)):
        if not value:
            errors.append(f"第{line}行：{label}不能为空。")
        elif not _ID.fullmatch(value):
            errors.append(
                f"第{line}行：{label}“{value[:20]}”只能用字母、数字和 . _ : -，最长64位。"
            )
    day = None
    try:
        day = date.fromisoformat(cell("date"))
    except ValueError:
        errors.append(
            f"第{line}行：日期“{cell('date')[:20]}”不对。日期格式应为 年-月-日，例如 2026-12-03。"
        )
    if day is not None and (outside := window.problem(line, day)) is not None:
        errors.append(outside)
    clinic_session = SESSIONS.get(cell("session").lower())
    if clinic_session is None:
        errors.append(f"第{line}行：时段“{cell('session')[:10]}”不对，应为上午或下午。")
    doctor_id = parse_id(cell("doctor_id"))
    if doctor_id is None or doctor_id not in doctors:
        errors.append(f"第{line}行：医生编号“{cell('doctor_id')[:10]}”不是本院的医生。")
    elif not doctors[doctor_id].active:
        errors.append(inactive_doctor(line, doctors[doctor_id]))
    start = None
    match = re.fullmatch(r"(\d{1,2})[:：](\d{2})", cell("time"))
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        start = time(int(match[1]), int(match[2]))
    else:
        errors.append(
            f"第{line}行：时间“{cell('time')[:10]}”不对。时间格式应为 时:分（24小时制），"
            "例如 08:20、14:30。"
        )
    if (
        start is not None
        and clinic_session is not None
        and (start.hour < 12) != (clinic_session is ClinicSession.AM)
    ):
        errors.append(f"第{line}行：时间 {start:%H:%M} 不在{cell('session')}。")
    pool = POOLS.get(cell("pool").lower())
    if pool is None:
        errors.append(f"第{line}行：号池“{cell('pool')[:10]}”不对，应为普通、长者电话、现场或家庭医生。")
    status = STATUSES.get(cell("status").lower())
    if status is None:
        errors.append(f"第{line}行：状态“{cell('status')[:10]}”不对，应为可约或撤回。")
    if errors:
        return None, errors
    assert day and clinic_session and doctor_id and start and pool and status
    return _Row(line, session_id, day, clinic_session, doctor_id, slot_id, start, pool,
                status), []


def inactive_doctor(line: int, doctor: Doctor) -> str:
    return (
        f"第{line}行：医生编号 {doctor.id}（{doctor.name}）已停用，不能导入出诊。"
        "请删掉这一行，或先在“医院管理”的医生里启用。"
    )


def _hospital_doctors(session: Session, hospital_id: int) -> dict[int, Doctor]:
    return {
        doctor.id: doctor
        for doctor in session.scalars(
            select(Doctor)
            .join(Department, Department.id == Doctor.department_id)
            .where(Department.hospital_id == hospital_id)
        )
    }


def parse(
    session: Session, *, hospital_id: int, raw: bytes, now: datetime
) -> dict[str, _Session]:
    """Check every row; the sessions by their HIS id, or `CsvRefused` with every problem.
    Rows for a past day or a day beyond the hospital's booking window are refused."""
    text = _decode(raw)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvRefused(["文件是空的。"]) from None
    except csv.Error:
        raise CsvRefused(["第1行：不是有效的 CSV。"]) from None
    columns = _header(header)
    doctors = _hospital_doctors(session, hospital_id)
    window = booking_window(session, hospital_id, now)
    sessions: dict[str, _Session] = {}
    slot_lines: dict[str, int] = {}
    errors: list[str] = []
    count = 0
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            count += 1
            if count > MAX_ROWS:
                raise CsvRefused([f"行数太多（最多 {MAX_ROWS} 行），请分成几个文件上传。"])
            row, problems = _parse_row(line, cells, columns, doctors, window)
            errors.extend(problems)
            if row is None:
                continue
            if row.slot_id in slot_lines:
                errors.append(
                    f"第{line}行：号源编号 {row.slot_id} 和第{slot_lines[row.slot_id]}行重复。"
                )
                continue
            slot_lines[row.slot_id] = line
            known = sessions.get(row.session_id)
            if known is None:
                known = sessions[row.session_id] = _Session(
                    line, row.day, row.session, row.doctor_id
                )
            elif (known.day, known.session, known.doctor_id) != (
                row.day, row.session, row.doctor_id
            ):
                errors.append(
                    f"第{line}行：出诊编号 {row.session_id} 在第{known.line}行是另一个日期、"
                    "时段或医生。"
                )
                continue
            known.rows.append(row)
    except csv.Error as exc:
        errors.append(f"CSV 格式不对：{exc}")
    if errors:
        raise CsvRefused(errors)
    if not sessions:
        raise CsvRefused(["文件里没有号源行。"])
    return sessions


def _bundle(sessions: dict[str, _Session]) -> tuple[dict[str, Any], list[int]]:
    """The FHIR Bundle of the sessions, and the CSV line of each entry."""
    entries: list[dict[str, Any]] = []
    lines: list[int] = []
    for session_id, item in sessions.items():
        url = f"urn:csv:schedule:{session_id}"
        start = datetime.combine(item.day, SESSION_START[item.session], LOCAL_TZ)
        entries.append({
            "fullUrl": url,
            "resource": {
                "resourceType": "Schedule",
                "identifier": [{"system": resources.HIS_DEFAULT_SYSTEM, "value": session_id}],
                "actor": [{"reference": f"Practitioner/{item.doctor_id}"}],
                "planningHorizon": {"start": start.isoformat()},
            },
        })
        lines.append(item.line)
        for row in item.rows:
            begin = datetime.combine(row.day, row.start, LOCAL_TZ)
            entries.append({
                "resource": {
                    "resourceType": "Slot",
                    "identifier": [{"system": resources.HIS_DEFAULT_SYSTEM, "value": row.slot_id}],
                    "schedule": {"reference": url},
                    "status": row.status,
                    "start": begin.isoformat(),
                    "end": begin.isoformat(),
                    "serviceType": [
                        {"coding": [{"system": resources.POOL_SYSTEM, "code": row.pool}]}
                    ],
                },
            })
            lines.append(row.line)
    return {"resourceType": "Bundle", "type": "batch", "entry": entries}, lines


_ENTRY = re.compile(r"entry\[(\d+)\]")
_WHY = {
    "holds a booking": "这个号已有预约，不能修改",
    "names another session already": "这个出诊编号已用于另一个出诊，不能移动已导入的出诊",
    "already has that session": "这位医生这个时段已有出诊（{origin}）",
    "is not an imported session": "出诊不是导入的",
    "belongs to another session": "这个号源编号已属于另一个出诊",
}


def import_csv(session: Session, *, hospital_id: int, raw: bytes, now: datetime) -> ImportResult:
    """Check the file, then apply it as a FHIR import; the caller commits (or rolls back on
    `CsvRefused`)."""
    sessions = parse(session, hospital_id=hospital_id, raw=raw, now=now)
    bundle, lines = _bundle(sessions)
    try:
        return import_bundle(session, hospital_id=hospital_id, data=bundle, now=now)
    except ImportRefused as exc:
        message = str(exc)
        match = _ENTRY.search(message)
        line = lines[int(match[1])] if match and int(match[1]) < len(lines) else None
        why = next((cn for en, cn in _WHY.items() if en in message), message)
        why = why.replace("{origin}", exc.origin or "不是这个文件里的")
        prefix = f"第{line}行：" if line is not None else ""
        raise CsvRefused([f"{prefix}{why}。"]) from None


SAMPLE_TIMES = {ClinicSession.AM: (time(8, 0), time(8, 20)),
                ClinicSession.PM: (time(14, 0), time(14, 20))}
SAMPLE_HEADER = "出诊编号,日期,时段,医生编号,号源编号,时间,号池,状态"


def sample(session: Session, *, hospital_id: int, now: datetime) -> str | None:
    """The example file the upload page shows: two slots of one session that this hospital
    could import as it is (an open day of the booking window, an active doctor of the
    hospital with no session then). None when the hospital has no active doctors."""
    doctors = sorted(
        doctor_id for doctor_id, doctor in _hospital_doctors(session, hospital_id).items()
        if doctor.active
    )
    if not doctors:
        return None
    window = booking_window(session, hospital_id, now)
    hospital = session.get(Hospital, hospital_id)
    rules = BookingRules.from_json(hospital.rules if hospital is not None else None)
    first = window.today + timedelta(days=1)
    taken = {
        (doctor_id, day, clinic_session)
        for doctor_id, day, clinic_session in session.execute(
            select(Schedule.doctor_id, Schedule.day, Schedule.session).where(
                Schedule.doctor_id.in_(doctors), Schedule.day >= first, Schedule.day <= window.last
            )
        )
    }
    choice = (doctors[0], first, ClinicSession.AM)
    day = first
    found = False
    while day <= window.last and not found:
        if not rules.is_closed(day):
            for clinic_session in ClinicSession:
                free = [d for d in doctors if (d, day, clinic_session) not in taken]
                if free:
                    choice, found = (free[0], day, clinic_session), True
                    break
        day += timedelta(days=1)
    doctor_id, day, clinic_session = choice
    word = "上午" if clinic_session is ClinicSession.AM else "下午"
    stem = f"{day:%Y%m%d}-{doctor_id}-{clinic_session.value.upper()}"
    lines = [SAMPLE_HEADER]
    for number, (start, pool) in enumerate(
        zip(SAMPLE_TIMES[clinic_session], ("长者电话", "普通"), strict=True), start=1
    ):
        lines.append(
            f"HIS-S-{stem},{day.isoformat()},{word},{doctor_id},HIS-H-{stem}-{number},"
            f"{start:%H:%M},{pool},可约"
        )
    return "\n".join(lines) + "\n"
