"""A new hospital sets itself up in the browser (on-site share, department, doctor, weekly
template, a closed day); a simulated phone call books the new doctor's first session through
the real call flow; on the visit day the desk books an older walk-in into the on-site share
and gets the slip with the visit number, and refuses him a second time in that department;
then the admin sets the doctor 停用. At 1024 px no page scrolls sideways."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.calls.service import CallService
from app.core.config import Settings
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment, Department, Doctor, Schedule, Slot
from app.hotline import build_call_service
from app.people.models import Person, PersonPhone
from app.simulator import run_call
from app.staff.enums import StaffRole
from support.demo import demo_data
from support.live_server import PASSWORD, LiveServer, add_hospital, add_staff

pytestmark = pytest.mark.browser
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in Kunming
FIRST_SESSION = date(2026, 12, 1)  # the first Tuesday of the booking window
HOTLINE = "+868710000000"
ZHANG = "+8613800000001"
SCREENSHOT = Path("var/screenshots/hospital_admin.png")
SLIP_SCREENSHOT = Path("var/screenshots/hospital_walk_in_slip.png")
HIS_SCREENSHOT = Path("var/screenshots/hospital_his.png")
WALK_IN_TWICE_SCREENSHOT = Path("var/screenshots/hospital_walk_in_twice.png")
DISABLED_SCREENSHOT = Path("var/screenshots/hospital_admin_doctor_disabled.png")
VISIT = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # the visit day, 09:00 in Kunming
WANG = "+8613800000002"


def _phone_call(live_server: LiveServer, *turns: str) -> list[str]:
    service: CallService = build_call_service(
        Settings(database_url=live_server.db.url), live_server.db, clock=lambda: NOW
    )
    lines: list[str] = []
    run_call(service, from_number=ZHANG, to_number=HOTLINE, turns=iter(turns), show=lines.append)
    return lines


def _id_number(live_server: LiveServer, number: str) -> str:
    with live_server.db.session() as session:
        person = session.scalars(
            select(Person).join(PersonPhone).where(PersonPhone.number == number)
        ).one()
        assert person.id_number is not None
        return person.id_number


def test_a_hospital_admin_sets_up_a_clinic_that_a_caller_then_books(
    live_server: LiveServer, page: Any
) -> None:
    demo_data(live_server.db, today=NOW.date())
    live_server.clock.set(NOW)
    hospital = add_hospital(live_server.db, "云南省第一人民医院")
    add_staff(live_server.db, "yuanban", StaffRole.HOSPITAL_ADMIN, hospital_id=hospital)

    page.goto(f"{live_server.url}/hospital")
    page.fill("#username", "yuanban")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/hospital/{hospital}")
    page.click("#admin-link")
    page.wait_for_url(f"{live_server.url}/hospital/{hospital}/admin")

    # Every box of the rules form is on screen beside its label at 1366 and 1024 px wide.
    for width in (1366, 1024):
        page.set_viewport_size({"width": width, "height": 768})
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"the admin page scrolls sideways by {overflow}px at {width}px"
        for box in ("#rule-window", "#rule-elderly", "#rule-release-time", "#rule-onsite"):
            right = page.eval_on_selector(box, "el => el.getBoundingClientRect().right")
            assert right <= width, f"{box} ends at {right}px, off a {width}px screen"
    # The HIS page (a new token shown once, a long webhook URL, its signing secret) does
    # not scroll sideways at 1024 px either.
    page.goto(f"{live_server.url}/hospital/{hospital}/admin/his")
    page.fill("input[name=url]", "https://his.example.yn.cn/fhir/r4/appointment-inbox/" + "x" * 60)
    page.click("#save-webhook")
    expect(page.locator("#his-notice")).to_contain_text("推送地址已保存")
    page.fill("input[name=name]", "本院HIS")
    page.click("#create-token")
    expect(page.locator("#new-token-value")).to_contain_text("ivrfhir_")
    page.click("#webhook summary")
    expect(page.locator("#webhook-secret")).to_be_visible()
    page.screenshot(path=str(HIS_SCREENSHOT), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"the HIS page scrolls sideways by {overflow}px at 1024px"
    page.goto(f"{live_server.url}/hospital/{hospital}/admin#rules")

    page.fill("#rule-onsite", "25")
    page.click("#save-rules")
    expect(page.locator("#admin-notice")).to_contain_text("预约规则已保存")

    page.select_option("#dept-name", "皮肤科")
    page.fill("#dept-display", "皮肤病门诊")
    page.click("#add-department")
    expect(page.locator("#admin-notice")).to_contain_text("科室已添加")
    expect(page.locator("#department-list")).to_contain_text("皮肤病门诊")

    page.fill("#doctor-name", "和医生")
    page.select_option("#doctor-title", "主任医师")
    page.select_option("#doctor-clinic", "expert")
    page.fill("#doctor-fee", "25")
    page.click("#add-doctor")
    expect(page.locator("#admin-notice")).to_contain_text("医生已添加")

    page.select_option("#template-weekday", "1")  # 星期二
    page.select_option("#template-session", "am")
    page.fill("#template-capacity", "12")
    page.click("#add-template")
    expect(page.locator("#admin-notice")).to_contain_text("已生成号源")
    expect(page.locator("#template-table")).to_contain_text("星期二 上午")
    expect(page.locator("#window-sessions")).to_have_text("1")
    # 出诊一览 shows the generated session under its weekday, and the page still fits.
    expect(page.locator("#week-table tbody tr")).to_have_count(1)
    expect(page.locator("#week-table tbody td").nth(1)).to_contain_text("上午 1次")
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"the admin page scrolls sideways by {overflow}px with its week"
    # 医院电话: the main number, shown on the walk-in slip below.
    page.fill("#hospital-phone-1", "0871-65551234")
    page.click("#save-phones")
    expect(page.locator("#admin-notice")).to_contain_text("医院电话已保存")
    expect(page.locator("#hospital-phone-1")).to_have_value("0871 6555 1234")
    expect(page.locator("#audit-table")).to_contain_text("新增排班模板")
    # A closed day of its own (Thursday 3 December): listed, and the page still fits.
    page.fill("#calendar-day", "2026-12-03")
    page.select_option("#calendar-kind", "closed")
    page.click("#calendar form button[type=submit]")
    expect(page.locator("#admin-notice")).to_contain_text("休息日/工作日已保存")
    expect(page.locator("#calendar-list")).to_contain_text("12月3日")
    expect(page.locator("#calendar-list")).to_contain_text("休息")
    _fits(page, "the admin page with a closed day")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # 张奶奶 calls the hotline and asks for dermatology: the new doctor's session is offered.
    lines = _phone_call(live_server, "挂号", "皮肤科", "是")
    offer = next(line for line in lines if "号是" in line)
    assert "明天星期二上午8点" in offer and "云南省第一人民医院" in offer and "皮肤科" in offer
    assert any("挂好了" in line for line in lines)
    with live_server.db.session() as session:
        appointment, doctor = session.execute(
            select(Appointment, Doctor)
            .join(Slot, Slot.id == Appointment.slot_id)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .join(Doctor, Doctor.id == Schedule.doctor_id)
            .where(Appointment.department_name == "皮肤科")
        ).one()
        assert doctor.name == "和医生" and appointment.day == FIRST_SESSION
        assert appointment.status == AppointmentStatus.BOOKED

    page.goto(f"{live_server.url}/hospital/{hospital}?day={FIRST_SESSION.isoformat()}")
    expect(page.locator(f"#appt-{appointment.id}")).to_contain_text("张秀英")
    expect(page.locator(f"#appt-{appointment.id}")).to_contain_text("和医生")

    # The visit day: the desk books 王大爹, who walked in, into the on-site share.
    live_server.clock.set(VISIT)
    add_staff(live_server.db, "chuangkou", StaffRole.HOSPITAL_STAFF, hospital_id=hospital)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/hospital")
    page.fill("#username", "chuangkou")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/hospital/{hospital}")
    page.click("#walk-in-link")
    expect(page.locator("#onsite-table .onsite-left")).to_have_text("3")  # 25% of 12
    page.fill("#walk-in-id", _id_number(live_server, WANG))
    page.keyboard.press("Enter")
    page.wait_for_url("**/slip")
    expect(page.locator("#visit-number")).to_have_text("5")  # after the 4 elderly phone slots
    expect(page.locator("#slip-patient")).to_contain_text("王建国")
    expect(page.locator("#slip-when")).to_contain_text("12月1日 星期二 上午 09:20")
    expect(page.locator("#slip-phones")).to_have_text("0871 6555 1234")
    page.screenshot(path=str(SLIP_SCREENSHOT), full_page=True)

    # He comes to the window again for the same department: refused, the typed number kept.
    page.goto(f"{live_server.url}/hospital/{hospital}")
    page.click("#walk-in-link")
    page.fill("#walk-in-id", _id_number(live_server, WANG))
    page.keyboard.press("Enter")
    expect(page.locator("#walk-in-error")).to_contain_text("同一科室一天只能挂一个")
    expect(page.locator("#walk-in-id")).to_have_value(_id_number(live_server, WANG))
    expect(page.locator("#onsite-table .onsite-left")).to_have_text("2")
    page.screenshot(path=str(WALK_IN_TWICE_SCREENSHOT), full_page=True)
    _fits(page, "the walk-in page with its refusal")

    # The admin sets 和医生 停用: the doctor list and 出诊一览 say so, the page still fits.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/hospital")
    page.fill("#username", "yuanban")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/hospital/{hospital}")
    page.goto(f"{live_server.url}/hospital/{hospital}/admin")
    page.click(f"#doctor-toggle-{doctor.id}")
    expect(page.locator("#admin-notice")).to_contain_text("今天的出诊在工作台照常签到")
    expect(page.locator("#audit-table")).to_contain_text("停用医生")
    expect(page.locator(f"#doctor-state-{doctor.id}")).to_contain_text("已停用")
    expect(page.locator(f"#week-doctor-{doctor.id}")).to_contain_text("已停用")
    page.screenshot(path=str(DISABLED_SCREENSHOT), full_page=True)
    _fits(page, "the admin page with a 停用 doctor")
    # Names are not broken one character a line (和医 / 生 once, in both tables), nor the
    # week's headers (星 / 期 / 日) and short words (共7 / 号), at 1024 and 1366 px.
    for width in (1024, 1366):
        page.set_viewport_size({"width": width, "height": 768})
        for selector in (f"#doctor-{doctor.id} td:nth-child(1)",
                         f"#doctor-{doctor.id} td:nth-child(2)",
                         f"#week-doctor-{doctor.id} th .nowrap",
                         f"#week-doctor-{doctor.id} .week-cell > .nowrap",
                         f"#week-doctor-{doctor.id} .week-cell .sub .nowrap",
                         "#week-table thead th"):
            broken = page.eval_on_selector_all(selector, LINES)
            assert broken and all(lines == 1 for lines in broken), (width, selector, broken)
    # The same on a full week (the demo hospital: a doctor in clinic every weekday).
    with live_server.db.session() as session:
        busiest = session.scalars(
            select(Department.hospital_id).join(Doctor).join(Schedule)
            .group_by(Department.hospital_id).order_by(func.count().desc())).first()
    add_staff(live_server.db, "demoban", StaffRole.HOSPITAL_ADMIN, hospital_id=busiest)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/hospital")
    page.fill("#username", "demoban")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/hospital/{busiest}")
    page.goto(f"{live_server.url}/hospital/{busiest}/admin")
    for width in (1024, 1366):
        page.set_viewport_size({"width": width, "height": 768})
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"the full week scrolls the page sideways at {width}px"
        for selector in ("#week-table thead th", "#week-table .week-cell .sub .nowrap"):
            broken = page.eval_on_selector_all(selector, LINES)
            assert broken and all(lines == 1 for lines in broken), (width, selector, broken)


LINES = """els => els.map(el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].map(r => Math.round(r.bottom))).size;
})"""


def _fits(page: Any, what: str) -> None:
    """At 1024 px wide the page does not scroll sideways."""
    assert page.viewport_size["width"] == 1024
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways by {overflow}px at 1024px"
