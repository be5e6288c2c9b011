"""Call words and call safety (issue 9, through the real flows, understanding and database):
"never mind" is one kind of answer (the understanding's `decline`) at every question where
the caller may want nothing at all; 算了 at a menu is no request for a person; a typed ID
number is kept only with a confirmed booking and asked once per call; nothing about a
booking reaches a relative before the patient's last four ID digits; a typed ID number of
another registered person is not revealed as such; the home menu names `*`."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.calls.service import CallService
from app.core.db import Database
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment
from app.people.models import FamilyContact, Person
from app.people.resident_id import make_resident_id
from app.taxi.enums import RideStatus
from app.taxi.models import Ride
from support.calls import demo_call_service, last_four
from support.calls import play as call

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
ZHANG = "+8613800000001"  # 张秀英 (张奶奶): home, saved places, ID number on file
LI_MEI = "+8613900000001"  # 李梅, 张秀英's daughter (taxi and hospital for her mother)
CHEN_WEI = "+8613900000006"  # 陈伟, son of 陈淑珍
MA = "+8613800000010"  # 马文才 (马大爹), no ID number on file, born 1947-01-15
MA_ID = "530111194701150017"
STRANGER = "+8613812345678"
REFUSALS = ["不消了", "不消", "莫要", "算了", "不要了", "不用了", "不整了", "要不得"]


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def after(lines: list[str], said: str) -> list[str]:
    """What the hotline said after the caller's turn `said` (its last occurrence)."""
    turn = max(i for i, line in enumerate(lines) if line == f"来电者：{said}")
    return [line for line in lines[turn + 1 :] if line.startswith("热线")]


def rides(db: Database) -> list[Ride]:
    with db.session() as session:
        return list(session.scalars(select(Ride).order_by(Ride.id)))


def booked(db: Database) -> list[Appointment]:
    with db.session() as session:
        return list(
            session.scalars(
                select(Appointment).where(Appointment.status == AppointmentStatus.BOOKED)
            )
        )


def person(db: Database, full_name: str) -> Person:
    with db.session() as session:
        return session.scalars(select(Person).where(Person.full_name == full_name)).one()


# --- 1, 2. "never mind" is the understanding's decline, at every question ---------------

TAXI_QUESTIONS = {
    "confirm_home": (ZHANG, ["1"]),
    "choose_place": (ZHANG, ["1", "2"]),
    "confirm_place": (ZHANG, ["1", "2", "2"]),
    "confirm_hospital": (ZHANG, ["1", "3"]),
    "record_pickup": (STRANGER, ["1"]),  # not an address to drive to
    "confirm_heard": (STRANGER, ["1", "五华区翠湖南路12号"]),
    "confirm_passenger": (LI_MEI, ["1"]),  # "是给您母亲张秀英叫车吗？": not "for yourself"
}
HOSPITAL_QUESTIONS = {
    "confirm_patient": (CHEN_WEI, ["2"]),
    "other_patient": (CHEN_WEI, ["2", "2"]),
    "department": (ZHANG, ["2"]),
    "pick_department": (ZHANG, ["2", "1"]),
    "dizzy": (ZHANG, ["2", "头晕"]),
    "offer": (ZHANG, ["2", "1", "1"]),
    "ask_day": (ZHANG, ["2", "1", "1", "3"]),
    "confirm_id": (MA, ["2", MA_ID]),  # not "type it again"
}


def _cases(questions: dict[str, tuple[str, list[str]]]) -> list[tuple[str, str]]:
    """Every refusal at the first question, then one refusal per question, in turn."""
    first, *others = questions
    cases = [(first, word) for word in REFUSALS]
    return cases + [(q, REFUSALS[i % len(REFUSALS)]) for i, q in enumerate(others, 1)]


@pytest.mark.parametrize(("question", "word"), _cases(TAXI_QUESTIONS))
def test_a_dialect_refusal_at_any_taxi_question_orders_no_car(
    service: CallService, db: Database, question: str, word: str
) -> None:
    number, turns = TAXI_QUESTIONS[question]
    lines = call(service, number, *turns, word, "hangup")
    answer = after(lines, word)
    assert answer[0] == "热线：好的，没有叫车。", (question, lines)
    assert "按1" in answer[1]  # the caller's menu again, no person
    assert not any("转接人工" in line for line in lines)
    assert all(ride.status == RideStatus.CANCELLED for ride in rides(db))


@pytest.mark.parametrize(("question", "word"), _cases(HOSPITAL_QUESTIONS))
def test_a_dialect_refusal_at_any_hospital_question_books_nothing(
    service: CallService, db: Database, question: str, word: str
) -> None:
    number, turns = HOSPITAL_QUESTIONS[question]
    lines = call(service, number, *turns, word, "hangup")
    answer = after(lines, word)
    assert answer[0] == "热线：好的，没有挂号。", (question, lines)
    assert "按1" in answer[1]
    assert not any("转接人工" in line for line in lines)
    assert booked(db) == []
    assert person(db, "马文才").id_number is None


def test_never_mind_at_the_booking_question_is_not_a_request_to_cancel(
    service: CallService, db: Database
) -> None:
    """N4: 算了 at "您已经挂了一个号……" was the cancel intent: the last-four question."""
    call(service, ZHANG, "2", "1", "1", "1")
    lines = call(service, ZHANG, "2", "算了", "hangup")
    assert after(lines, "算了")[0] == "热线：好的，没有挂新的号。原来挂的号还在，给您留着。", lines
    assert not any("最后4位" in line for line in lines)
    assert len(booked(db)) == 1


def test_a_correction_is_still_a_correction_not_a_refusal(
    service: CallService, db: Database
) -> None:
    """不对 at the relative's taxi question still means "for yourself"; 不对 at the home
    confirmation still asks for another place."""
    relative = call(service, LI_MEI, "1", "2", "hangup")
    assert any("在哪里接您" in line for line in after(relative, "2"))
    home = call(service, ZHANG, "1", "不对", "hangup")
    assert any("在哪里接您" in line for line in after(home, "不对"))


# --- 3. 算了 at a menu: nothing done, the menu again, no person -----------------------------


@pytest.mark.parametrize(
    ("number", "word"), [(ZHANG, "算了"), (ZHANG, "不消了"), (STRANGER, "算了")]
)
def test_never_mind_at_the_main_menu_says_nothing_was_done_and_gives_the_menu_again(
    service: CallService, number: str, word: str
) -> None:
    lines = call(service, number, word, "hangup")
    calm, menu = after(lines, word)[:2]
    assert calm == "热线：好的，什么都没有办。不用的话，直接挂电话就行。"
    assert "请按2" in menu or "挂号，按2" in menu
    assert "转人工，按0" in menu
    assert not any("转接人工" in line or "工作人员" in line for line in lines)


def test_a_person_is_still_on_0_and_on_asking(service: CallService) -> None:
    assert "   [转接人工：asked]" in call(service, ZHANG, "0")
    assert "   [转接人工：asked]" in call(service, ZHANG, "转人工")


# --- 4. a typed ID number: confirmed before use, stored only with a booking, asked once ---


def test_a_typed_id_number_not_confirmed_is_neither_used_nor_kept(
    service: CallService, db: Database
) -> None:
    """Typed, read back, 算了: nothing booked; asked again for it later in the same call."""
    lines = call(service, MA, "2", MA_ID, "算了", "2", "hangup")
    assert after(lines, "算了")[0] == "热线：好的，没有挂号。"
    assert any("请按键输入18位号码" in line for line in after(lines, "2"))
    assert person(db, "马文才").id_number is None


def test_a_confirmed_id_number_is_not_asked_again_in_the_call_and_kept_with_the_booking(
    service: CallService, db: Database
) -> None:
    lines = call(service, MA, "2", MA_ID, "1", "1", "1", "不要了", "2", "1", "1", "1")
    assert sum("请按键输入18位号码" in line for line in lines) == 1
    assert sum("您输入的是" in line for line in lines) == 1
    assert any("挂好了" in line for line in lines)
    assert person(db, "马文才").id_number == MA_ID and len(booked(db)) == 1


def test_an_id_number_typed_for_one_patient_is_never_used_for_another(
    service: CallService, db: Database
) -> None:
    """A family doctor types and confirms 刘大爹's number, books nothing, then books for
    何大妈 (no ID number either): asked for hers; his is never stored on her."""
    doctor = "+8613900000099"
    with db.session() as session:
        for name, gender in (("刘大爹", "M"), ("何大妈", "F")):
            patient = Person(full_name=name, gender=gender)
            patient.contacts = [FamilyContact(name="刘医生", relation="家庭医生", phone=doctor)]
            session.add(patient)
    menu = call(service, doctor, "2", "hangup")
    order = [line for line in menu if "给谁挂号" in line][0]
    first, second = ("1", "2") if order.index("刘大爹") < order.index("何大妈") else ("2", "1")
    lines = call(service, doctor, "2", first, MA_ID, "1", "算了", "2", second, "hangup")
    assert sum("请按键输入18位号码" in line for line in lines) == 2, lines
    assert person(db, "何大妈").id_number is None and person(db, "刘大爹").id_number is None


# --- 5. a relative hears nothing about a booking before the last four ID digits ----------


def test_a_relative_hears_nothing_of_a_booking_before_the_last_four_digits(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "2", "1", "1", "1")  # 张秀英 books 心血管内科 herself
    lines = call(service, LI_MEI, "2", "1", "hangup")
    heard = after(lines, "1")
    assert "最后4位" in heard[0], lines
    assert not any("挂了" in line or "号是" in line for line in lines)
    right = call(service, LI_MEI, "2", "1", last_four(db, "张秀英"), "hangup")
    assert any("您母亲张秀英已经挂了一个号" in line for line in right)


def test_every_relative_is_asked_alike_booked_or_not(service: CallService, db: Database) -> None:
    """Asking only when there is a booking would itself tell that there is one."""
    not_booked = after(call(service, LI_MEI, "2", "1", "hangup"), "1")
    call(service, ZHANG, "2", "1", "1", "1")
    booked_one = after(call(service, LI_MEI, "2", "1", "hangup"), "1")
    assert not_booked == booked_one


def test_wrong_last_four_digits_from_a_relative_reveal_nothing_and_reach_a_person(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "2", "1", "1", "1")
    wrong = "0000" if last_four(db, "张秀英") != "0000" else "1111"
    lines = call(service, LI_MEI, "2", "1", wrong, wrong, wrong)
    assert any("工作人员帮您核对身份" in line for line in lines)
    assert not any("挂了" in line or "心血管内科" in line for line in lines)
    assert len(booked(db)) == 1


def test_the_last_four_digits_of_one_patient_prove_nothing_for_another(
    service: CallService, db: Database
) -> None:
    """A family doctor proves 刘大爹's last four digits, books nothing, then turns to 何大妈:
    her own last four digits are asked before anything about her bookings."""
    doctor = "+8613900000099"
    with db.session() as session:
        for sequence, (name, gender) in enumerate((("刘大爹", "M"), ("何大妈", "F")), 1):
            patient = Person(
                full_name=name,
                gender=gender,
                id_number=make_resident_id("530102", date(1945, 5, sequence), sequence),
            )
            patient.contacts = [FamilyContact(name="刘医生", relation="家庭医生", phone=doctor)]
            session.add(patient)
    menu = call(service, doctor, "2", "hangup")
    order = [line for line in menu if "给谁挂号" in line][0]
    first, second = ("1", "2") if order.index("刘大爹") < order.index("何大妈") else ("2", "1")
    lines = call(
        service, doctor, "2", first, last_four(db, "刘大爹"), "算了", "2", second, "hangup"
    )
    asked = [line for line in lines if "最后4位" in line]
    assert len(asked) == 2 and "何大妈" in asked[1], lines


# --- 6. an ID number registered to someone else is not revealed -------------------------


def test_an_id_number_of_another_registered_person_is_not_revealed(
    service: CallService, db: Database
) -> None:
    others = person(db, "张秀英").id_number
    assert others is not None
    lines = call(service, MA, "2", others.replace("X", "*"))
    heard = " ".join(after(lines, others.replace("X", "*")))
    assert "要请工作人员帮您核对" in heard
    for telling in ("别人", "名下", "已经", "登记", "张"):
        assert telling not in heard, heard
    assert "   [转接人工：flow]" in lines
    assert person(db, "马文才").id_number is None


# --- 7. the home menu names * -------------------------------------------------------------


def test_the_first_home_menu_names_the_repeat_key(service: CallService) -> None:
    first = [line for line in call(service, ZHANG, "hangup") if line.startswith("热线")][0]
    assert first.startswith("热线：张奶奶您好，长者服务热线。叫车到您家，按1。")
    assert first.endswith("转人工，按0。按星号再听。")
