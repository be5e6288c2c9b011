"""What the last caller trial found on the call paths (issue 9), played as whole calls
through the real flows, understanding and database: plain emergency advice, a relative's
wrong last four digits kept apart from the patient's own, never mind at the identity and
cancel questions, "any day" at the day menu, spoken digits at the ID questions, the
booked rides' keys and whose ride they are, a car too late for a visit replaced rather
than doubled, and the wording of deadlines, a relative's
car, one-department groups and the menu after a kept ride. Clock: Monday 2026-11-30 09:00
in Kunming."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.callflow.messages import CallStarted, Keys, Say, Speech
from app.calls.enums import CallChannel, TransferReason
from app.calls.models import Call
from app.calls.service import CallService
from app.core.config import Settings
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.hospital import identity
from app.hospital.enums import AppointmentStatus
from app.hospital.models import Appointment, AppointmentReminder
from app.hotline import build_call_service
from app.operators.panel import open_requests
from app.people.models import Person
from app.taxi.enums import RideStatus
from app.taxi.models import HospitalTrip, Ride
from support.calls import HOTLINE, demo_call_service, rides
from support.calls import last_four as _last_four
from support.calls import local_pickup as local
from support.calls import play as call
from support.demo import demo_data

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
ZHANG = "+8613800000001"  # 张奶奶 (张秀英): a home, an ID number on file
DAUGHTER = "+8613900000001"  # 李梅, 张秀英's daughter, may book for her


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


def _wrong(right: str) -> str:
    return "1111" if right != "1111" else "2222"


def _booked(db: Database) -> list[Appointment]:
    with db.session() as session:
        return list(
            session.scalars(
                select(Appointment).where(Appointment.status == AppointmentStatus.BOOKED)
            )
        )


def _last_call(db: Database) -> Call:
    with db.session() as session:
        found = session.scalars(select(Call).order_by(Call.started_at.desc())).first()
        assert found is not None
        session.expunge(found)
        return found


def _after(lines: list[str], part: str) -> list[str]:
    """The lines after the first one holding `part`."""
    at = next(i for i, line in enumerate(lines) if part in line)
    return lines[at + 1 :]


# --- 1. clear emergency signs: plain advice, a person, flagged --------------------------


@pytest.mark.parametrize(
    "turns",
    [("胸口疼得很",), ("救命",), ("2", "头晕", "2"), ("2", "喘不过气")],
    ids=["chest-pain", "help", "stroke-signs-key", "breathless-at-department"],
)
def test_clear_emergency_signs_hear_plain_120_advice_then_a_person_as_an_emergency(
    service: CallService, db: Database, turns: tuple[str, ...]
) -> None:
    lines = call(service, ZHANG, *turns)
    advice = [line for line in lines if "120" in line]
    assert advice and all(line.startswith("热线（慢速）：") for line in advice), lines
    assert "请马上拨打120。您也可以不挂电话，我们马上给您转人工。" in advice[0]
    # not conditional on the signs (they are clear): the only "if" is about the phone
    assert not any(w in line for line in advice for w in ("如果严重", "如果是", "如果突然"))
    assert any("[转接人工：emergency]" in line for line in lines), lines
    made = _last_call(db)
    assert made.transfer_reason == TransferReason.EMERGENCY and made.emergency is True
    assert not any("最早的号是" in line for line in lines)


def test_an_emergency_caller_is_first_in_line_for_the_operators(db: Database) -> None:
    """Queued after an ordinary caller, the emergency is listed first, flagged."""
    demo_data(db, today=TODAY)
    clock = [NOW]
    service = build_call_service(Settings(database_url=db.url), db, clock=lambda: clock[0])
    for call_id, number, turn in (
        ("CA-ordinary", "+8613800000002", Keys("0")),
        ("CA-emergency", ZHANG, Speech("我 老伴 摔倒了 起不来")),
    ):
        service.handle(
            call_id=call_id, event=CallStarted(number, HOTLINE), event_key="start",
            channel=CallChannel.TWILIO,
        )
        service.handle(call_id=call_id, event=turn, event_key="t1", channel=CallChannel.TWILIO)
        clock[0] += timedelta(minutes=1)
    with db.session() as session:
        waiting = open_requests(session, now=clock[0])
    assert [entry.caller_number for entry in waiting] == [ZHANG, "+8613800000002"]
    assert waiting[0].emergency and not waiting[1].emergency


# --- 4. a relative's wrong last four digits count apart from the patient's own ---------


def test_a_relatives_wrong_tries_lock_the_relative_not_the_patient(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "2", "1", "1", "1", "1", "2")  # 张秀英 books for herself
    assert len(_booked(db)) == 1
    right = _last_four(db, "张秀英")
    wrong = _wrong(right)
    lines = call(service, DAUGHTER, "2", "1", wrong, wrong, wrong)
    assert sum("后4位不对" in line for line in lines) == 2
    assert any("工作人员帮您核对身份" in line for line in lines)  # a person after three
    assert "[转接人工：flow]" in "\n".join(lines)
    # The daughter calling again goes straight to a person.
    again = call(service, DAUGHTER, "2", "1")
    assert any("多次输错" in line for line in again), again
    # The patient herself is not locked out by her daughter's tries.
    own = call(service, ZHANG, "2", "2", right, "1")
    assert not any("多次输错" in line for line in own), own
    assert any("这个号是" in line for line in own), own
    with db.session() as session:
        mother = session.scalars(select(Person).where(Person.full_name == "张秀英")).one()
        assert identity.failures(session, person_id=mother.id, now=NOW, number=ZHANG) == 0
        assert identity.failures(session, person_id=mother.id, now=NOW, number=DAUGHTER) == 3


def test_the_patients_own_wrong_tries_still_lock_her_own_phone(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "2", "1", "1", "1", "1", "2")
    wrong = _wrong(_last_four(db, "张秀英"))
    call(service, ZHANG, "2", "2", wrong, wrong, wrong)
    again = call(service, ZHANG, "2", "2")
    assert any("多次输错" in line for line in again), again


@pytest.mark.parametrize("typed", ["5", "123"])
def test_fewer_than_four_keys_is_no_try_and_asked_again(
    service: CallService, db: Database, typed: str
) -> None:
    call(service, ZHANG, "2", "1", "1", "1", "1", "2")
    right = _last_four(db, "张秀英")
    lines = call(service, ZHANG, "2", "2", typed, right, "1")
    after = _after(lines, f"来电者：{typed}")
    assert after[0].endswith("请按4位数字。"), after
    assert not any("后4位不对" in line for line in lines)
    assert any("这个号是" in line for line in lines), lines
    with db.session() as session:
        mother = session.scalars(select(Person).where(Person.full_name == "张秀英")).one()
        assert identity.failures(session, person_id=mother.id, now=NOW) == 0


def test_two_short_answers_in_a_row_reach_a_person_without_counting(
    service: CallService, db: Database
) -> None:
    lines = call(service, DAUGHTER, "2", "1", "1", "2")
    assert sum("请按4位数字" in line for line in lines) == 1
    assert any("工作人员帮您核对身份" in line for line in lines), lines
    with db.session() as session:
        mother = session.scalars(select(Person).where(Person.full_name == "张秀英")).one()
        assert identity.failures(session, person_id=mother.id, now=NOW) == 0


# --- 5. "any day" at the day menu ------------------------------------------------------


@pytest.mark.parametrize("answer", ["哪天有号就哪天", "哪天都行"])
def test_any_day_at_the_day_menu_offers_the_earliest_free_day(
    service: CallService, answer: str
) -> None:
    # 内科 -> 心血管内科 -> "换一天" -> a later page of days -> any day
    lines = call(service, ZHANG, "2", "1", "1", "3", "9", answer, "hangup")
    first_menu = next(line for line in lines if "哪天去？按1，" in line)
    earliest = first_menu.split("按1，")[1].split("；")[0]  # the first day with a free slot
    offer = _after(lines, f"来电者：{answer}")[0]
    assert offer.startswith("热线：最早的号是：") and earliest in offer, (earliest, offer)


# --- 6. never mind at the last four digits and at the cancel question --------------------


def test_never_mind_at_the_last_four_digits_changes_nothing_and_gives_the_menu(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "2", "1", "1", "1", "1", "2")
    lines = call(service, ZHANG, "2", "2", "算了", "hangup")
    after = _after(lines, "来电者：算了")
    assert after[0] == "热线：好的，什么都没有改。", after
    assert "叫车到您家，按1。挂号，按2" in after[1]  # her own menu
    assert not any("没有听明白" in line or "转接人工" in line for line in lines)
    assert len(_booked(db)) == 1


@pytest.mark.parametrize("answer", ["不要了", "算了"])
def test_never_mind_at_the_cancel_question_keeps_the_booking(
    service: CallService, db: Database, answer: str
) -> None:
    call(service, ZHANG, "2", "1", "1", "1", "1", "2")
    right = _last_four(db, "张秀英")
    lines = call(service, ZHANG, "2", "2", right, "8", answer, "hangup")
    assert any("要取消" in line and "的号吗？" in line for line in lines), lines
    after = _after(lines, f"来电者：{answer}")
    assert after[0] == "热线：好的，什么都没有改。", after
    assert "挂号，按2" in after[1]
    assert len(_booked(db)) == 1  # not cancelled


# --- 7. spoken digits at the ID questions where speech is on ---------------------------


def test_the_last_four_digits_question_listens_for_speech_too(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "2", "1", "1", "1", "1", "2")
    right = _last_four(db, "张秀英")
    said = right.replace("*", "叉")
    lines = call(service, ZHANG, "2", "2", said, "1")
    question = lines.index(next(line for line in lines if "最后4位" in line))
    assert lines[question + 1].startswith("   [等待按键或说话"), lines[question + 1]
    assert any("这个号是" in line for line in lines), lines


def test_the_relatives_last_four_and_the_id_number_questions_listen_for_speech_too(
    service: CallService,
) -> None:
    relative = call(service, DAUGHTER, "2", "1", "hangup")
    question = relative.index(next(line for line in relative if "最后4位" in line))
    assert relative[question + 1].startswith("   [等待按键或说话"), relative
    no_id = call(service, "+8613800000010", "2", "hangup")  # 马大爹: no ID number on file
    question = no_id.index(next(line for line in no_id if "18位" in line))
    assert no_id[question + 1].startswith("   [等待按键或说话"), no_id


# --- 8. wording ---------------------------------------------------------------------------


def test_the_cancel_deadline_says_today_rather_than_todays_date(service: CallService) -> None:
    lines = call(service, ZHANG, "2", "1", "1", "1", "1", "2")
    ending = next(line for line in lines if "以前打电话取消" in line)
    assert "请在今天下午4点以前打电话取消" in ending, ending
    assert "11月30号" not in ending


def test_a_relatives_car_offer_says_whose_home_and_whom(
    service: CallService, db: Database
) -> None:
    right = _last_four(db, "张秀英")
    lines = call(service, DAUGHTER, "2", "1", right, "1", "1", "1", "1")
    offer = next(line for line in lines if "要不要约车" in line)
    assert "到您母亲家接她" in offer, offer
    booked = next(line for line in lines if "车约好了" in line)
    assert "车到您母亲家接她" in booked, booked


def test_a_group_of_one_department_goes_straight_to_it(service: CallService) -> None:
    lines = call(service, ZHANG, "2", "2", "hangup")  # 外科: only 骨科 in the demo hospitals
    after = _after(lines, "来电者：2")
    after = _after(after, "来电者：2")
    assert after[0].startswith("热线：外科只有骨科。最早的号是："), after
    assert "骨科" in after[0]
    assert not any(line.startswith("热线：外科：") for line in lines)


def test_keeping_the_first_car_returns_an_active_ride_caller_to_her_status_menu(
    service: CallService,
) -> None:
    call(service, ZHANG, "1", "1")  # a ride now, under way
    lines = call(service, ZHANG, "约车", "1", "上午九点四十", "1", "hangup")  # 约车, today
    after = _after(lines, "原来的车给您留着")
    assert after[0].startswith("热线：您叫的车，正在为您派车，请再等一等"), after
    assert "再听一遍车的情况，请按1。挂号，请按2。取消叫车，请按8。" in after[0], after
    assert not any("没听清，请按星号" in line for line in after)


# --- 2. the booked rides' menu: another car by key 3 (as 约车 at the main menu; then the
# day question's keys), a day said; no key acts unsaid (ninth trial: a hidden 2 for
# tomorrow is gone) ---------------------------------------------------------------------


def _booked_rides(db: Database) -> list[datetime]:
    return [local(r) for r in rides(db) if r.status == RideStatus.SCHEDULED]


def test_another_car_from_the_booked_rides_is_3_then_the_day(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "3", "2", "9", "1")  # tomorrow 9:00
    lines = call(service, ZHANG, "3", "1", _last_four(db), "3", "2", "下午两点", "1")
    assert any("您预约了明天上午9点，到家接的车" in line for line in lines), lines
    assert not any("没有这个按键" in line or "没有这个选项" in line for line in lines)
    assert any(line.startswith("热线：明天几点钟用车？") for line in lines), lines
    assert sorted(_booked_rides(db)) == [
        datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ),
        datetime(2026, 12, 1, 14, 0, tzinfo=LOCAL_TZ),
    ]


def test_3_then_3_with_a_ride_booked_is_another_day(service: CallService, db: Database) -> None:
    call(service, ZHANG, "3", "2", "9", "1")
    lines = call(service, ZHANG, "3", "1", _last_four(db), "3", "3", "5", "8", "1")  # 星期五 8:00
    assert any("星期几，就按几" in line for line in lines), lines
    assert datetime(2026, 12, 4, 8, 0, tzinfo=LOCAL_TZ) in _booked_rides(db)


def test_a_day_said_at_the_booked_rides_is_that_day(service: CallService, db: Database) -> None:
    call(service, ZHANG, "3", "2", "9", "1")
    lines = call(service, ZHANG, "3", "1", _last_four(db), "后天早上九点", "1")
    assert not any("没有听明白" in line for line in lines), lines
    assert datetime(2026, 12, 2, 9, 0, tzinfo=LOCAL_TZ) in _booked_rides(db)


def test_the_next_booked_ride_is_key_1_no_change(service: CallService, db: Database) -> None:
    call(service, ZHANG, "3", "2", "9", "1")
    call(service, ZHANG, "3", "1", _last_four(db), "3", "2", "下午两点", "1")
    lines = call(service, ZHANG, "3", "1", _last_four(db), "1", "hangup")
    menu = next(line for line in lines if "再约一辆，请按3" in line)
    assert "不用改，听下一辆，请按1。" in menu and "按9" not in menu
    assert any("您预约了明天下午2点，到家接的车" in line for line in _after(lines, "来电者：1"))


@pytest.mark.parametrize("words", ["取消", "不要这辆车了"])
def test_cancel_words_at_the_booked_rides_ask_to_cancel_that_ride(
    service: CallService, db: Database, words: str
) -> None:
    call(service, ZHANG, "3", "2", "9", "1")
    lines = call(service, ZHANG, "3", "1", _last_four(db), words, "8")
    assert any("明天上午9点的车要取消吗" in line for line in lines), lines
    assert _booked_rides(db) == []


# --- 3. a relative hears whose ride it is and where it goes ------------------------------------


def test_the_booked_rides_say_whose_ride_and_where_it_goes(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "3", "2", "9", "3", "1")  # tomorrow 9:00, to her hospital
    own = call(service, ZHANG, "3", "1", _last_four(db), "hangup")
    assert any(
        line.startswith("热线：您预约了明天上午9点，到家接的车，去春城第一人民医院。不用改")
        for line in own
    ), own
    daughter = call(service, DAUGHTER, "3", "1", _last_four(db), "8", "hangup")
    assert any(
        line.startswith("热线：您母亲张秀英预约了明天上午9点，到她家接的车，去春城第一人民医院。不用改")
        for line in daughter
    ), daughter
    assert not any("您预约了" in line for line in daughter)
    assert any("您母亲张秀英明天上午9点的车要取消吗" in line for line in daughter), daughter


def test_a_relative_who_booked_for_her_mother_is_greeted_without_whose_ride(
    service: CallService,
) -> None:
    """Issue 9 (call safety): the greeting names no relative and no time before the last
    four ID digits; it once said "给您母亲张秀英约了明天上午9点的车。"."""
    call(service, DAUGHTER, "3", "2", "9", "1", "1")  # for her mother, tomorrow 9:00
    lines = call(service, DAUGHTER, "hangup")
    assert any("您母亲有一辆预约的车。" in line for line in lines), lines  # her mother's
    assert not any("张秀英" in line or "9点" in line for line in lines)


# --- 9. a car to the hospital too late for the visit: replaced on a yes, never doubled --------


def _late_car_then_booking(service: CallService, *answer: str) -> list[str]:
    call(service, ZHANG, "3", "2", "9", "3", "1")  # tomorrow 9:00 to 春城第一人民医院
    # 内科 -> 心血管内科 -> yes to the 8:00 slot there tomorrow, then the answer
    return call(service, ZHANG, "2", "1", "1", "1", *answer)


def test_a_car_too_late_for_the_visit_is_said_so_and_replaced_on_a_yes(
    service: CallService, db: Database
) -> None:
    lines = _late_car_then_booking(service, "1")
    question = next(line for line in lines if "赶不上" in line)
    assert "您明天上午9点约的车去春城第一人民医院，赶不上这个号。" in question
    assert "换成明天早上7点15分到家接的车，请按1。" in question
    assert not any("这辆车不变" in line for line in lines)
    assert any("原来明天上午9点的车取消了" in line for line in lines), lines
    assert _booked_rides(db) == [datetime(2026, 12, 1, 7, 15, tzinfo=LOCAL_TZ)]
    with db.session() as session:
        (trip,) = session.scalars(select(HospitalTrip)).all()
        ride = session.get(Ride, trip.ride_id)
        assert ride is not None and ride.status == RideStatus.SCHEDULED
        assert local(ride) == datetime(2026, 12, 1, 7, 15, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize("answer", ["2", "不换", "hangup"])
def test_a_car_too_late_kept_or_left_is_the_only_car(
    service: CallService, db: Database, answer: str
) -> None:
    lines = _late_car_then_booking(service, answer)
    assert any("赶不上这个号" in line for line in lines), lines
    assert _booked_rides(db) == [datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ)]  # no second car
    assert len(_booked(db)) == 1  # the appointment itself is booked


# --- 6 (reminder call): never mind at the last four and the cancel question ------------------


def _reminder_call(service: CallService, db: Database, *turns: Keys | Speech) -> list[str]:
    """The reminder call the day before, for 张秀英's booking: what the hotline says."""
    call(service, ZHANG, "2", "1", "1", "1", "2")  # booked for tomorrow 8:00, no car
    (appointment,) = _booked(db)
    with db.session() as session:  # the first try, placed: its call is this one
        reminder = session.scalars(
            select(AppointmentReminder).where(
                AppointmentReminder.appointment_id == appointment.id
            )
        ).first()
        if reminder is None:
            reminder = AppointmentReminder(appointment_id=appointment.id, attempt=1, due_at=NOW)
            session.add(reminder)
        reminder.call_sid = "CA-reminder"
    said: list[str] = []
    for number, event in enumerate([CallStarted(ZHANG, HOTLINE, flow="reminder"), *turns]):
        result = service.handle(
            call_id="CA-reminder", event=event, event_key=f"e{number}",
            channel=CallChannel.TWILIO,
        )
        said += [o.text for o in result.outputs if isinstance(o, Say)]
    return said


@pytest.mark.parametrize("answer", ["算了", "不要了"])
def test_never_mind_in_the_reminder_call_keeps_the_booking(
    service: CallService, db: Database, answer: str
) -> None:
    at_last_four = _reminder_call(service, db, Keys("2"), Speech(answer))
    assert "心血管内科，李医生。" in at_last_four[0]  # the doctor named once, not 李医生医生
    assert at_last_four[-1] == "好的，这个号给您留着。明天见。再见。", at_last_four
    assert len(_booked(db)) == 1


def test_never_mind_at_the_reminder_calls_cancel_question_keeps_the_booking(
    service: CallService, db: Database
) -> None:
    right = _last_four(db, "张秀英")
    said = _reminder_call(service, db, Keys("2"), Keys(right), Speech("不要了"))
    assert any("对吗" in text or "要取消" in text for text in said), said
    assert said[-1] == "好的，这个号给您留着。明天见。再见。", said
    assert len(_booked(db)) == 1
