"""Sessions and slots from a CSV file (app.hospital.fhir.slots_csv): the service on SQLite
and PostgreSQL, and the upload page over HTTP (TestClient) for every role."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import Database
from app.hospital import desk
from app.hospital.enums import AppointmentStatus, ClinicSession, SlotStatus
from app.hospital.fhir.slots_csv import CsvRefused, import_csv
from app.hospital.models import Appointment, Department, Doctor, Hospital, Schedule, Slot
from app.people.models import PersonPhone
from app.staff.enums import StaffRole
from support.app_client import AppClients, Clock
from support.demo import demo_data
from support.live_server import add_staff, csrf_from

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in Kunming
DAY = date(2026, 12, 16)  # beyond the demo schedules (14 days): a free day for the doctor
WINDOW_DAYS = 21  # the first hospital books three weeks ahead here, so DAY is in its window


def _doctors(db: Database) -> tuple[int, int, int]:
    """(first hospital, a doctor of it, a doctor of the other hospital)."""
    with db.session() as session:
        hospitals = list(session.scalars(select(Hospital.id).order_by(Hospital.id)))

        def first_doctor(hospital_id: int) -> int:
            return session.scalars(
                select(Doctor.id)
                .join(Department, Department.id == Doctor.department_id)
                .where(Department.hospital_id == hospital_id)
                .order_by(Doctor.id)
            ).first() or 0

        return hospitals[0], first_doctor(hospitals[0]), first_doctor(hospitals[1])


HEADER = "出诊编号,日期,时段,医生编号,号源编号,时间,号池,状态"


def _csv(doctor: int, *rows: str, header: str = HEADER) -> bytes:
    lines = [header] + [row.format(doctor=doctor, day=DAY.isoformat()) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


GOOD = (
    "S1,{day},上午,{doctor},H1,08:00,长者电话,可约",
    "S1,{day},上午,{doctor},H2,08:20,普通,",
    "S1,{day},上午,{doctor},H3,08:40,家庭医生,可约",
)


def _slots(db: Database, doctor: int) -> list[tuple[time, bool, bool, str]]:
    with db.session() as session:
        return [
            (slot.start_time, slot.reserved_for_elderly, slot.reserved_for_family_doctor,
             str(slot.status))
            for slot in session.scalars(
                select(Slot)
                .join(Schedule, Schedule.id == Slot.schedule_id)
                .where(Schedule.doctor_id == doctor, Schedule.day == DAY)
                .order_by(Slot.start_time)
            )
        ]


@pytest.fixture
def demo(db: Database) -> Database:
    demo_data(db, today=NOW.date())
    with db.session() as session:
        hospital = session.scalars(select(Hospital).order_by(Hospital.id)).first()
        assert hospital is not None
        hospital.rules = {**hospital.rules, "booking_window_days": WINDOW_DAYS}
    return db


def test_import_is_idempotent_and_updates_a_changed_slot(demo: Database) -> None:
    hospital, doctor, _ = _doctors(demo)
    with demo.session() as session:
        first = import_csv(session, hospital_id=hospital, raw=_csv(doctor, *GOOD), now=NOW)
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0)
    assert _slots(demo, doctor) == [
        (time(8, 0), True, False, "free"),
        (time(8, 20), False, False, "free"),
        (time(8, 40), False, True, "free"),
    ]
    with demo.session() as session:
        again = import_csv(session, hospital_id=hospital, raw=_csv(doctor, *GOOD), now=NOW)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    changed = (GOOD[0], GOOD[1], "S1,{day},上午,{doctor},H3,09:00,普通,撤回")
    with demo.session() as session:
        third = import_csv(session, hospital_id=hospital, raw=_csv(doctor, *changed), now=NOW)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 3)
    assert _slots(demo, doctor)[-1] == (time(9, 0), False, False, "busy-unavailable")
    # English headers, GBK encoding, columns in another order, optional columns left out.
    english = "slot_id,session_id,date,session,doctor_id,time\nH4,S2,{day},pm,{doctor},14:00\n"
    with demo.session() as session:
        fourth = import_csv(
            session, hospital_id=hospital,
            raw=english.format(day=DAY.isoformat(), doctor=doctor).encode("gb18030"), now=NOW,
        )
    assert (fourth.created, fourth.updated) == (2, 0)


def test_undoing_a_stop_keeps_the_slots_the_his_withdrew(demo: Database) -> None:
    """撤销停诊 frees only what was open: not a slot the HIS withdrew before the stop (H3) or
    during it (H2); one the HIS gave back during the stop (H4) is free again."""
    hospital, doctor, _ = _doctors(demo)
    before = (GOOD[0], GOOD[1], "S1,{day},上午,{doctor},H3,08:40,普通,撤回",
              "S1,{day},上午,{doctor},H4,09:00,普通,撤回")
    with demo.session() as session:
        import_csv(session, hospital_id=hospital, raw=_csv(doctor, *before), now=NOW)
        schedule_id = session.scalars(
            select(Schedule.id).where(Schedule.doctor_id == doctor, Schedule.day == DAY)
        ).one()
        desk.stop_session(session, schedule_id=schedule_id, now=NOW, reason="设备故障",
                          hospital_id=hospital)
    during = (GOOD[0], "S1,{day},上午,{doctor},H2,08:20,普通,撤回", before[2],
              "S1,{day},上午,{doctor},H4,09:00,普通,可约")
    with demo.session() as session:
        changed = import_csv(session, hospital_id=hospital, raw=_csv(doctor, *during), now=NOW)
    assert changed.updated == 2  # H2 withdrawn, H4 given back: the HIS's word is kept
    assert {status for *_, status in _slots(demo, doctor)} == {"busy-unavailable"}  # stopped
    with demo.session() as session:
        desk.reopen_session(session, schedule_id=schedule_id, hospital_id=hospital,
                            actor_id=None, now=NOW)
    assert [status for *_, status in _slots(demo, doctor)] == [
        "free", "busy-unavailable", "busy-unavailable", "free"
    ]


def test_every_bad_row_is_reported_and_nothing_is_imported(demo: Database) -> None:
    hospital, doctor, foreign = _doctors(demo)
    raw = _csv(
        doctor,
        "S1,{day},上午,{doctor},H1,08:00,,",
        "S1,2026-13-01,上午,{doctor},H2,08:20,,",
        "S1,{day},晚上,{doctor},H3,08:40,,",
        f"S3,{{day}},上午,{foreign},H4,08:00,,",
        "S1,{day},上午,{doctor},H5,15:00,,",
        "S1,{day},上午,{doctor},H6,09:00,贵宾,",
        "S1,{day},上午,{doctor},H1,09:20,,",
        "S1,{day},下午,{doctor},H7,14:00,,",
        ",{day},上午,{doctor},H8,10:00,,撤销",
        "S1,{day},上午,²,H9,10:20,,",
        "S1,{day},上午,2147483648,H10,10:40,,",
    )
    with demo.session() as session, pytest.raises(CsvRefused) as refused:
        import_csv(session, hospital_id=hospital, raw=raw, now=NOW)
    errors = refused.value.errors
    expected = [
        ("第3行", "日期"), ("第4行", "时段"), ("第5行", "不是本院的医生"), ("第6行", "不在上午"),
        ("第7行", "号池"), ("第8行", "和第2行重复"), ("第9行", "另一个日期"),
        ("第10行", "出诊编号不能为空"), ("第10行", "状态"),
        ("第11行", "不是本院的医生"), ("第12行", "不是本院的医生"),
    ]
    for line, words in expected:
        assert any(e.startswith(line) and words in e for e in errors), (line, words, errors)
    assert not any(e.startswith("第2行") for e in errors)
    assert _slots(demo, doctor) == []
    with demo.session() as session:
        for bad, words in (
            (b"", "空"),
            ("日期,时段\n".encode(), "缺少列"),
            (_csv(doctor), "没有号源行"),
        ):
            with pytest.raises(CsvRefused) as caught:
                import_csv(session, hospital_id=hospital, raw=bad, now=NOW)
            assert words in caught.value.errors[0]


def test_a_booked_slot_cannot_change_and_the_line_is_named(demo: Database) -> None:
    hospital, doctor, _ = _doctors(demo)
    with demo.session() as session:
        import_csv(session, hospital_id=hospital, raw=_csv(doctor, *GOOD), now=NOW)
    with demo.session() as session:  # a booking in the second slot (08:20)
        slot = session.scalars(
            select(Slot).join(Schedule).where(Schedule.doctor_id == doctor, Schedule.day == DAY)
            .order_by(Slot.start_time)
        ).all()[1]
        department = session.scalars(
            select(Department).join(Doctor).where(Doctor.id == doctor)
        ).one()
        person = session.scalars(select(PersonPhone.person_id)).first()
        assert person is not None
        slot.status = SlotStatus.BUSY
        session.add(Appointment(
            slot_id=slot.id, patient_id=person, department_id=department.id,
            department_name=department.name, day=DAY, session=ClinicSession.AM,
            status=AppointmentStatus.BOOKED,
        ))
    changed = (GOOD[0], "S1,{day},上午,{doctor},H2,10:00,普通,", GOOD[2])
    with demo.session() as session, pytest.raises(CsvRefused) as refused:
        import_csv(session, hospital_id=hospital, raw=_csv(doctor, *changed), now=NOW)
    assert refused.value.errors == ["第3行：这个号已有预约，不能修改。"]
    assert _slots(demo, doctor)[1][0] == time(8, 20)


def test_a_session_already_there_is_named_by_where_it_came_from(demo: Database) -> None:
    hospital, doctor, _ = _doctors(demo)
    with demo.session() as session:
        import_csv(session, hospital_id=hospital, raw=_csv(doctor, *GOOD), now=NOW)
    # The same doctor and session under another 出诊编号: the one already there came from
    # a CSV file (S1), not from the weekly templates.
    again = ("S9,{day},上午,{doctor},H9,08:00,,",)
    with demo.session() as session, pytest.raises(CsvRefused) as refused:
        import_csv(session, hospital_id=hospital, raw=_csv(doctor, *again), now=NOW)
    assert refused.value.errors == [
        "第2行：这位医生这个时段已有出诊（之前由HIS或CSV文件导入，出诊编号 S1）。"
    ]
    # A session of the weekly templates, and one loaded with the demo data, say so.
    with demo.session() as session:
        loaded = session.scalars(
            select(Schedule).where(Schedule.doctor_id == doctor, Schedule.day > NOW.date())
            .order_by(Schedule.day)
        ).first()
        assert loaded is not None
        day, word = loaded.day, "上午" if loaded.session is ClinicSession.AM else "下午"
        hour = "08:00" if loaded.session is ClinicSession.AM else "14:00"
    row = f"T1,{day.isoformat()},{word},{doctor},T1-1,{hour},,"
    for source, origin in ((None, "系统初始数据"), ("template", "来自每周排班"),
                           ("extra", "来自临时加诊")):
        with demo.session() as session:
            session.get(Schedule, loaded.id).source = source  # type: ignore[union-attr]
        with demo.session() as session, pytest.raises(CsvRefused) as refused:
            import_csv(session, hospital_id=hospital, raw=_csv(doctor, row), now=NOW)
        assert refused.value.errors == [f"第2行：这位医生这个时段已有出诊（{origin}）。"]


def test_past_days_and_days_beyond_the_window_are_refused_per_row(demo: Database) -> None:
    hospital, doctor, _ = _doctors(demo)
    last = NOW.date() + timedelta(days=WINDOW_DAYS)  # 2026-12-21, still importable
    raw = _csv(
        doctor,
        "S1,2026-11-29,上午,{doctor},H1,08:00,,",  # yesterday
        f"S2,{last.isoformat()},上午,{{doctor}},H2,08:00,,",
        f"S3,{(last + timedelta(days=1)).isoformat()},上午,{{doctor}},H3,08:00,,",
        "S4,{day},上午,{doctor},H4,8.20,,",
    )
    with demo.session() as session, pytest.raises(CsvRefused) as refused:
        import_csv(session, hospital_id=hospital, raw=raw, now=NOW)
    errors = refused.value.errors
    assert len(errors) == 3, errors
    assert errors[0].startswith("第2行：日期 2026-11-29 已经过去") and "2026-11-30" in errors[0]
    assert errors[1].startswith("第4行：日期 2026-12-22 超出了本院的预约周期")
    assert "最晚只能导入到 2026-12-21" in errors[1]
    # The time message says what to write, not only an example.
    assert errors[2] == "第5行：时间“8.20”不对。时间格式应为 时:分（24小时制），例如 08:20、14:30。"
    assert _slots(demo, doctor) == []
    with demo.session() as session:  # the last day of the window alone is fine
        done = import_csv(
            session, hospital_id=hospital,
            raw=_csv(doctor, f"S2,{last.isoformat()},上午,{{doctor}},H2,08:00,,"), now=NOW,
        )
    assert (done.created, done.updated) == (2, 0)


@pytest.fixture
def app(demo: Database) -> Iterator[AppClients]:
    hospital, _, _ = _doctors(demo)
    with demo.session() as session:
        other = session.scalars(select(Hospital.id).where(Hospital.id != hospital)).first()
    add_staff(demo, "boss", StaffRole.HOSPITAL_ADMIN, hospital_id=hospital)
    add_staff(demo, "boss.other", StaffRole.HOSPITAL_ADMIN, hospital_id=other)
    add_staff(demo, "desk", StaffRole.HOSPITAL_STAFF, hospital_id=hospital)
    add_staff(demo, "fd.one", StaffRole.FAMILY_DOCTOR, hospital_id=hospital)
    add_staff(demo, "op1", StaffRole.OPERATOR)
    clients = AppClients(demo, Clock(NOW))
    yield clients
    clients.close()


def test_upload_page_roles_and_results(demo: Database, app: AppClients) -> None:
    hospital, doctor, foreign = _doctors(demo)
    path = f"/hospital/{hospital}/admin/slots-csv"
    for username in ("boss.other", "desk", "fd.one", "op1"):
        assert app.client(username).get(path).status_code == 403, username
    stranger = app.client().get(path)
    assert stranger.status_code == 303 and stranger.headers["location"].startswith("/login")
    boss = app.client("boss")
    page = boss.get(path)
    assert page.status_code == 200 and 'id="csv-doctors"' in page.text
    token = csrf_from(page.text)
    files = {"file": ("slots.csv", _csv(doctor, *GOOD), "text/csv")}
    assert boss.post(path, data={"csrf_token": "forged"}, files=files).status_code == 403
    other = app.client("boss.other")
    other_token = csrf_from(other.get(f"/hospital/{other_hospital(demo, hospital)}/admin").text)
    assert other.post(path, data={"csrf_token": other_token}, files=files).status_code == 403
    assert _slots(demo, doctor) == []
    # Post/Redirect/Get: the import answers 303, the page shows the counts once, and
    # reloading it neither uploads again nor shows them again.
    done = boss.post(path, data={"csrf_token": token}, files=files)
    assert done.status_code == 303 and done.headers["location"] == path
    shown = boss.get(path)
    assert shown.status_code == 200 and "新建 4 条" in shown.text
    assert 'id="csv-result"' not in boss.get(path).text
    again = boss.post(path, data={"csrf_token": token}, files=files)
    assert again.status_code == 303 and "未变 4 条" in boss.get(path).text
    # Another admin's browser, or a forged cookie, shows nothing.
    boss.post(path, data={"csrf_token": token}, files=files)
    forged = boss.cookies.get("ivr_flash", path=path)
    assert forged is not None
    boss.cookies.set("ivr_flash", forged[:-4] + "0000", path=path)
    assert 'id="csv-result"' not in boss.get(path).text
    bad = boss.post(
        path, data={"csrf_token": token},
        files={
            "file": ("x.csv", _csv(doctor, f"S9,{{day}},上午,{foreign},Z1,08:00,,"), "text/csv")
        },
    )
    assert bad.status_code == 409 and "第2行：医生编号" in bad.text and "不是本院的医生" in bad.text
    missing = boss.post(path, data={"csrf_token": token})
    assert missing.status_code == 409 and "请选择要上传的 CSV 文件" in missing.text
    with demo.session() as session:
        assert session.scalar(
            select(func.count(Schedule.id)).where(
                Schedule.doctor_id == foreign, Schedule.day == DAY
            )
        ) == 0


def other_hospital(db: Database, hospital: int) -> int:
    with db.session() as session:
        return session.scalars(select(Hospital.id).where(Hospital.id != hospital)).first() or 0


def test_the_sample_on_the_page_imports_as_it_is(demo: Database, app: AppClients) -> None:
    hospital, _, _ = _doctors(demo)
    path = f"/hospital/{hospital}/admin/slots-csv"
    boss = app.client("boss")
    page = boss.get(path)
    assert page.status_code == 200
    sample = html.unescape(page.text.split('id="csv-sample">', 1)[1].split("</pre>", 1)[0])
    lines = sample.strip().splitlines()
    assert lines[0] == "出诊编号,日期,时段,医生编号,号源编号,时间,号池,状态" and len(lines) == 3
    day = date.fromisoformat(lines[1].split(",")[1])
    assert NOW.date() < day <= NOW.date() + timedelta(days=WINDOW_DAYS)
    files = {"file": ("sample.csv", sample.encode("utf-8"), "text/csv")}
    done = boss.post(path, data={"csrf_token": csrf_from(page.text)}, files=files)
    assert done.status_code == 303, done.text
    assert "新建 3 条" in boss.get(path).text  # one session, two slots
    doctor = int(lines[1].split(",")[3])
    clinic_session = ClinicSession.AM if lines[1].split(",")[2] == "上午" else ClinicSession.PM
    with demo.session() as session:
        imported = session.scalars(
            select(Schedule).where(
                Schedule.doctor_id == doctor, Schedule.day == day,
                Schedule.session == clinic_session,
            )
        ).one()
        assert imported.source == "his"
    again = boss.post(path, data={"csrf_token": csrf_from(page.text)}, files=files)
    assert again.status_code == 303 and "未变 3 条" in boss.get(path).text
    # The page now offers another session (this one is taken).
    second = boss.get(path).text
    assert html.unescape(second.split('id="csv-sample">', 1)[1].split("</pre>", 1)[0]) != sample
