"""Call safety on the taxi side, through the real flows, understanding and database:
keys keep one meaning across the top-level menus, drafts never stay "通话中" after a
call, a caller told "no car" keeps their ride, and promises fit the caller's line."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.callflow.actions import ActionContext
from app.callflow.messages import HangUp
from app.calls.service import CallService
from app.core.config import Settings
from app.core.db import Database
from app.hotline import build_call_service
from app.notify.models import OutboxMessage
from app.simulator import run_call
from app.taxi import queue as ride_queue
from app.taxi import rides
from app.taxi.enums import RideStatus
from app.taxi.models import Driver, Ride
from support.calls import play
from support.demo import demo_data

HOTLINE = "+868710000000"
ZHANG = "+8613800000001"  # 张奶奶, home saved
ZHANG_LANDLINE = "+868715550101"  # her landline, also registered
LI_LANDLINE = "+868715550104"
STRANGER = "+8613812345678"


@pytest.fixture
def service(db: Database) -> CallService:
    demo_data(db, today=date(2026, 11, 30))
    return build_call_service(Settings(database_url=db.url), db)


def call(service: CallService, number: str, *turns: str) -> list[str]:
    lines: list[str] = []
    run_call(service, from_number=number, to_number=HOTLINE, turns=iter(turns), show=lines.append)
    return [line for line in lines if line.startswith("热线")]


def all_rides(db: Database) -> list[Ride]:
    with db.session() as session:
        return list(session.scalars(select(Ride).order_by(Ride.id)))


def queued_ride(service: CallService, db: Database, number: str = ZHANG) -> Ride:
    lines = call(service, number, "1", "1")
    assert any("车已经叫了" in line for line in lines), lines
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.QUEUED
    return ride


# --- 1. one meaning per key --------------------------------------------------------------


def test_active_ride_caller_pressing_2_then_1_reaches_hospital_and_cancels_nothing(
    service: CallService, db: Database
) -> None:
    queued_ride(service, db)
    lines = call(service, ZHANG, "2", "1", "hangup")
    assert "挂号，请按2" in lines[1] and "取消叫车，请按8" in lines[1]
    assert not any("取消" in line for line in lines[3:]), lines  # the hospital flow answered
    assert [r.status for r in all_rides(db)] == [RideStatus.QUEUED]


def test_active_ride_caller_cancels_with_8_pressed_twice(
    service: CallService, db: Database
) -> None:
    queued_ride(service, db)
    lines = call(service, ZHANG, "8", "2", "8", "8")
    assert any("这辆车要取消吗？取消，请再按8。不取消，请按2" in line for line in lines)
    assert any("车已经取消了" in line for line in lines)
    assert [r.status for r in all_rides(db)] == [RideStatus.CANCELLED]


@pytest.mark.parametrize(
    "keys",
    [("1", "3", "1"), ("1", "1", "1"), ("3", "1"), ("8", "1", "1")],
    ids=["1-3-1", "1-1-1", "3-1", "8-1-1"],
)
def test_the_usual_keys_never_cancel_an_active_ride(
    service: CallService, db: Database, keys: tuple[str, ...]
) -> None:
    """1 3 1 is the habit of a regular hospital rider (1 taxi, 3 去医院, 1 对): at the
    ride's status menu it must cancel nothing; nor 1 at the cancel question."""
    queued_ride(service, db)
    lines = call(service, ZHANG, *keys, "hangup")
    assert not any("车已经取消了" in line for line in lines), lines
    assert [r.status for r in all_rides(db)] == [RideStatus.QUEUED]


@pytest.mark.parametrize(
    ("answer", "cancelled"),
    [
        ("要等车", False),
        ("要车", False),
        ("还是要", False),
        ("要，还要等", False),
        ("不取消", False),
        ("不要了", True),
        ("不要车了", True),
        ("我不要等车了", True),
        ("取消", True),
    ],
)
def test_the_cancel_question_hears_its_own_words_before_yes_and_no(
    service: CallService, db: Database, answer: str, cancelled: bool
) -> None:
    """ "这辆车要取消吗？": 要车 / 还要 keep the ride although they hold 要 (yes);
    不要了 / 不要车了 cancel it although they hold 不要 (no)."""
    queued_ride(service, db)
    lines = call(service, ZHANG, "8", answer, "hangup")
    assert any("车已经取消了" in line for line in lines) is cancelled, lines
    expected = RideStatus.CANCELLED if cancelled else RideStatus.QUEUED
    assert [r.status for r in all_rides(db)] == [expected]


def test_the_status_greeting_is_said_once_and_star_repeats_the_state_with_the_question(
    service: CallService, db: Database
) -> None:
    queued_ride(service, db)
    lines = call(service, ZHANG, "*", "1", "hangup")
    greeting, question, repeated, question_again = lines
    assert "张奶奶您好" in greeting
    # The state is part of the question (tenth trial: * repeated the keys only).
    assert question.startswith("热线：您叫的车，正在为您派车，请再等一等")
    assert "再听一遍车的情况，请按1" in question
    assert repeated.split("：", 1)[1] == question.split("：", 1)[1]  # * : state and keys
    assert question_again == question  # 1 : the state looked up again
    assert [r.status for r in all_rides(db)] == [RideStatus.QUEUED]


def test_zero_in_the_status_menu_reaches_a_person_and_keeps_the_ride(
    service: CallService, db: Database
) -> None:
    queued_ride(service, db)
    lines = call(service, ZHANG, "0")
    assert "转接工作人员" in lines[-1]
    assert [r.status for r in all_rides(db)] == [RideStatus.QUEUED]


# --- 2. a request handed to a person ------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "turns"),
    [
        (ZHANG, ("1", "0")),  # key 0 at the confirmation
        (ZHANG, ("1", "7", "7")),  # two failures
        (STRANGER, ("1", "翠湖北路菜市场门口", "2")),  # the flow's own "by person" state
    ],
    ids=["key-0", "two-failures", "by-person-state"],
)
def test_a_request_handed_to_a_person_waits_for_an_operator(
    service: CallService, db: Database, number: str, turns: tuple[str, ...]
) -> None:
    lines = call(service, number, *turns)
    assert "转接工作人员" in lines[-1] or "工作人员帮您叫车" in lines[-1]
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.HANDED_TO_PERSON
    with db.session() as session:
        (entry,) = ride_queue.live_queue(session, now=ride.created_at)
        assert entry.status_label == "已转人工" and entry.handed_to_person and entry.waiting
        driver = session.scalars(select(Driver.id).where(Driver.plate == "云A·D1234")).one()
        rides.assign_driver(
            session,
            ride_id=ride.id,
            driver_id=driver,
            eta_minutes=8,
            expected_version=ride.version,
        )
    assert [r.status for r in all_rides(db)] == [RideStatus.ASSIGNED]


def test_a_hang_up_after_the_hand_over_keeps_the_request_handed_to_a_person(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "1", "0")
    (ride,) = all_rides(db)
    service.handle(call_id=str(ride.call_id), event=HangUp(), event_key="hangup")
    assert [r.status for r in all_rides(db)] == [RideStatus.HANDED_TO_PERSON]


def test_a_step_that_fails_after_the_draft_hands_the_draft_to_a_person(
    service: CallService, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = service.engine.actions
    run = registry.run

    def run_with_a_broken_queue(name: str, ctx: ActionContext) -> str | None:
        if name == "queue_ride":
            raise RuntimeError("the queue is broken")
        return run(name, ctx)

    monkeypatch.setattr(registry, "run", run_with_a_broken_queue)
    lines = call(service, ZHANG, "1", "1")
    assert "系统出了点问题" in lines[-1]
    assert [r.status for r in all_rides(db)] == [RideStatus.HANDED_TO_PERSON]


# --- 3. a caller told "no car" calls back -------------------------------------------------


def _no_car(db: Database, ride: Ride) -> Ride:
    with db.session() as session:
        changed = rides.no_car_found(
            session, ride_id=ride.id, expected_version=ride.version, notify_voice_call=False
        )
        return changed


def test_a_caller_told_no_car_hears_it_and_keeps_waiting_in_their_place(
    service: CallService, db: Database
) -> None:
    ride = _no_car(db, queued_ride(service, db))
    lines = call(service, ZHANG, "1")
    assert "附近暂时还没有空车" in lines[1] and "继续等车，请按1" in lines[2]
    assert "排的位置不变" in lines[-1] and "发短信" in lines[-1]
    (again,) = all_rides(db)  # no duplicate ride
    assert again.id == ride.id and again.status == RideStatus.QUEUED
    assert again.priority == ride.priority and again.queued_at == ride.queued_at


def test_a_caller_told_no_car_who_says_they_still_want_it_keeps_waiting(
    service: CallService, db: Database
) -> None:
    _no_car(db, queued_ride(service, db))
    lines = call(service, ZHANG, "要，还要等")
    assert "排的位置不变" in lines[-1]
    assert [r.status for r in all_rides(db)] == [RideStatus.QUEUED]


def test_a_caller_told_no_car_can_cancel(service: CallService, db: Database) -> None:
    _no_car(db, queued_ride(service, db))
    lines = call(service, ZHANG, "8", "8")
    assert any("车已经取消了" in line for line in lines)
    assert [r.status for r in all_rides(db)] == [RideStatus.CANCELLED]


# --- 4. promises that fit the line ---------------------------------------------------------


def test_a_mobile_caller_is_promised_an_sms(service: CallService, db: Database) -> None:
    lines = call(service, ZHANG, "1", "1")
    assert "派好后会发短信告诉您车牌号" in lines[-1]


def test_a_landline_caller_is_promised_a_phone_call_not_an_sms(
    service: CallService, db: Database
) -> None:
    lines = call(service, LI_LANDLINE, "1", "1")
    assert "派好后会打电话告诉您车牌号" in lines[-1]
    assert "短信" not in lines[-1]


def test_a_withheld_caller_is_promised_nothing_we_cannot_do(
    service: CallService, db: Database
) -> None:
    lines = call(service, "anonymous", "1", "金马小区门口", "1")
    assert "短信" not in lines[-1] and "打电话" not in lines[-1]


def test_keeping_waiting_after_dispatch_found_a_car_says_the_new_state(
    service: CallService, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ride = _no_car(db, queued_ride(service, db))
    registry = service.engine.actions
    run = registry.run

    def driver_found_meanwhile(name: str, ctx: ActionContext) -> str | None:
        if name == "keep_waiting_for_car":
            with db.session() as session:
                driver = session.scalars(select(Driver.id).where(Driver.plate == "云A·D1234"))
                rides.assign_driver(
                    session,
                    ride_id=ride.id,
                    driver_id=driver.one(),
                    eta_minutes=6,
                    expected_version=ride.version,
                )
        return run(name, ctx)

    monkeypatch.setattr(registry, "run", driver_found_meanwhile)
    lines = call(service, ZHANG, "1", "hangup")
    assert "已经派好了" in lines[-1] and not any("排的位置不变" in line for line in lines)
    assert [r.status for r in all_rides(db)] == [RideStatus.ASSIGNED]


# --- a key press is not a pickup place ----------------------------------------------------


def test_a_key_at_the_pickup_question_is_asked_again_never_queued_as_the_address(
    service: CallService, db: Database
) -> None:
    lines = call(service, STRANGER, "1", "1", "金马小区门口", "1")
    again = lines.index(next(line for line in lines if "不用按键，请直接说" in line))
    assert "在哪里接您" in lines[again + 1] and "转人工，按0" in lines[again + 1]
    assert not any("您说的是：1" in line for line in lines)
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.QUEUED
    assert ride.pickup_transcript == "金马小区门口"


def test_keys_twice_at_the_pickup_question_reach_a_person_with_nothing_queued(
    service: CallService, db: Database
) -> None:
    lines = call(service, STRANGER, "1", "1", "1")
    assert any("转接工作人员" in line for line in lines)
    assert all(ride.status != RideStatus.QUEUED for ride in all_rides(db))


# --- "I don't want it" ---------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["不要了", "不消了", "莫整了", "不消", "莫要"])
def test_i_dont_want_it_at_the_confirmation_orders_nothing_and_returns_to_the_menu(
    service: CallService, db: Database, answer: str
) -> None:
    lines = call(service, ZHANG, "1", answer, "hangup")
    stop = lines.index(next(line for line in lines if "好的，没有叫车" in line))
    # Back to the caller's own home menu, not the generic one (P18).
    assert "叫车到您家，按1" in " ".join(lines[stop:])
    assert not any("在哪里接" in line for line in lines)
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.CANCELLED


def test_not_right_at_the_confirmation_still_asks_for_another_place(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "1", "不对", "hangup")
    assert any("在哪里接" in line for line in lines)


@pytest.mark.parametrize("answer", ["要要，我在螺蛳湾这边，搞快点", "要 要 我在螺蛳湾这边 搞快点"])
def test_a_yes_from_somewhere_else_at_the_home_read_back_sends_no_car_home(
    service: CallService, db: Database, answer: str
) -> None:
    """"车到家接您" answered with where the caller is: not a yes to her home; the no, so she
    is asked where to be picked up."""
    lines = call(service, ZHANG, "1", answer, "hangup")
    assert not any("车已经叫了" in line for line in lines), lines
    assert "在哪里接您？" in lines[-1], lines
    assert all(ride.status != RideStatus.QUEUED for ride in all_rides(db))


@pytest.mark.parametrize(
    "answer",
    [
        "要得 算了算了 我儿子开车送我", "要得，莫要了", "要得 哦 莫要了莫要了 我儿子来接我",
        "对 哦 等一下 不要了不要了 我儿子说他来接我",
    ],
)
def test_a_yes_given_up_in_the_same_breath_at_the_read_back_sends_no_car(
    service: CallService, db: Database, answer: str
) -> None:
    """"车到家接您" answered with a yes and then the car given up (the last word counts): no
    car is queued (a user trial had one queued), and with how she goes instead said after
    it, she hears that no car is ordered, not "在哪里接您？"."""
    lines = call(service, ZHANG, "1", answer, "hangup")
    assert not any("车已经叫了" in line for line in lines), lines
    assert any("没有叫车" in line for line in lines), lines
    assert all(ride.status != RideStatus.QUEUED for ride in all_rides(db))


def test_the_car_asked_to_come_home_at_the_home_read_back_is_the_yes(
    service: CallService, db: Database
) -> None:
    """"车到家接您" answered with a reason and the car asked home: the car is sent (a user
    trial heard "好的，这就帮您叫车" and the question again, and hung up with no car)."""
    lines = call(service, ZHANG, "1", "我走不动了 你们来家里接我嘛", "hangup")
    assert any("车已经叫了" in line for line in lines), lines
    assert [ride.status for ride in all_rides(db)] == [RideStatus.QUEUED]


@pytest.mark.parametrize("said", ["是的", "对头 对头"])
def test_only_a_yes_where_the_pick_up_place_is_said_is_no_place_a_person_helps(
    service: CallService, db: Database, said: str
) -> None:
    """After the tone for the pick-up place, a bare yes is no place to drive to (a user trial
    heard "您说的是：是的。车到这里接您，对吗？"): a person takes the call, nothing is queued."""
    lines = call(service, ZHANG, "1", "2", "9", said, "hangup")
    assert any("工作人员帮您叫车" in line for line in lines), lines
    assert not any("您说的是" in line for line in lines), lines
    assert all(ride.status != RideStatus.QUEUED for ride in all_rides(db))


def test_a_place_said_after_the_tone_is_still_read_back(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "1", "2", "9", "小区大门口 保安亭那点", "hangup")
    assert any("您说的是：小区大门口 保安亭那点" in line for line in lines), lines


def test_an_unsaved_sons_home_at_the_place_menu_is_not_the_callers_home(
    service: CallService, db: Database
) -> None:
    # 张奶奶 has 家, 女儿家 and 市一院: the 家 of "儿子家" is not hers; she says where.
    lines = play(service, ZHANG, "1", "2", "儿子家", "hangup")
    after = lines[lines.index("来电者：儿子家"):]
    assert any("请在嘀一声后说" in line for line in after), after
    assert not any("车到家接" in line for line in after), after


@pytest.mark.parametrize("answer", ["不消了", "莫整了"])
def test_never_mind_at_cancel_this_car_keeps_it_and_8_still_cancels(
    service: CallService, db: Database, answer: str
) -> None:
    """Issue 9 (call safety): 莫整了 / 不消了 at "这辆车要取消吗？" is "don't" (it was asked
    again, and twice reached a person): the car is kept; 8, 8 still cancels it."""
    ride = queued_ride(service, db)
    lines = call(service, ZHANG, "8", answer, "8", "8")
    kept = lines.index(next(line for line in lines if "好的，车给您留着。" in line))
    assert not any("没有听明白" in line for line in lines)
    assert any("车已经取消了" in line for line in lines[kept:])
    with db.session() as session:
        assert session.get(Ride, ride.id).status == RideStatus.CANCELLED  # type: ignore[union-attr]


# --- wording ---------------------------------------------------------------------------------


def test_keeping_the_ride_is_acknowledged(service: CallService, db: Database) -> None:
    queued_ride(service, db)
    lines = call(service, ZHANG, "8", "2", "hangup")
    kept = lines.index("热线：好的，车给您留着。")
    assert lines[kept + 1].startswith("热线：您叫的车，正在为您派车，请再等一等")
    assert [r.status for r in all_rides(db)] == [RideStatus.QUEUED]


def test_the_simpler_taxi_confirmation_keeps_the_hospital_key(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "1", "7", "3", "1")
    assert any("去医院，按3" in line and "对，按1" in line for line in lines[2:]), lines
    (ride,) = all_rides(db)
    assert ride.to_hospital and ride.status == RideStatus.QUEUED


def test_to_hospital_names_the_callers_usual_hospital_in_full(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "1", "3", "1")
    assert any("车到家接您去春城第一人民医院，对吗" in line for line in lines), lines
    (ride,) = all_rides(db)
    assert ride.destination == "春城第一人民医院"


def test_to_hospital_without_a_saved_hospital_says_hospital(
    service: CallService, db: Database
) -> None:
    lines = call(service, "+8613800000003", "1", "3", "1")  # 李桂芳: no hospital saved
    # nobody named the hospital: the rider tells the driver, and hears so
    assert any("去医院，哪家医院上车时告诉司机，对吗" in line for line in lines), lines


def test_a_ride_confirmed_after_a_hung_up_call_replaces_the_hung_up_request(
    service: CallService, db: Database
) -> None:
    """P8: hung up at "车到家接您，对吗？", then called again and confirmed: dispatch sees one
    request; the hung-up one is cancelled with a reason naming the new one, and nobody is
    texted about that cancellation (the caller never confirmed it)."""
    number = "+8613800000007"  # 周奶奶
    call(service, number, "1", "hangup")
    (hung_up,) = all_rides(db)
    assert hung_up.status == RideStatus.CALLER_HUNG_UP
    lines = call(service, number, "1", "1")
    assert any("车已经叫了" in line for line in lines)
    statuses = {ride.id: ride for ride in all_rides(db)}
    assert statuses[hung_up.id].status == RideStatus.CANCELLED
    (queued,) = [r for r in statuses.values() if r.status == RideStatus.QUEUED]
    assert f"叫车单{queued.id}" in (statuses[hung_up.id].cancel_reason or "")
    with db.session() as session:
        bodies = session.scalars(select(OutboxMessage.body)).all()
    assert not any("已取消" in body for body in bodies)


def test_another_persons_hung_up_request_is_not_replaced(
    service: CallService, db: Database
) -> None:
    """Only the same rider's hung-up request is replaced."""
    call(service, "+8613800000007", "1", "hangup")
    call(service, ZHANG, "1", "1")
    statuses = sorted(ride.status for ride in all_rides(db))
    assert statuses == sorted([RideStatus.CALLER_HUNG_UP, RideStatus.QUEUED])


def test_never_mind_at_the_place_question_orders_nothing(
    service: CallService, db: Database
) -> None:
    """P12 (flow side): 不消了 at "在哪里接您？" is no car, as at the confirmation."""
    lines = call(service, ZHANG, "1", "2", "不消了", "hangup")
    assert any("在哪里接" in line for line in lines)
    assert any("好的，没有叫车" in line for line in lines), lines
    assert not any("嘀一声" in line for line in lines)
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.CANCELLED


@pytest.mark.parametrize(
    "answer",
    [
        "对 到小区门口嘛", "是的，我在大门口保安亭那点等", "要得 叫他开到楼下",
        "是喽嘛 我到小区大门口等着 北门那点",
    ],
)
def test_the_very_spot_said_with_the_yes_at_the_home_read_back_reaches_the_dispatcher(
    service: CallService, db: Database, answer: str
) -> None:
    """"车到家接您" answered with a yes and where exactly (a user trial: the car went to the
    saved address and the gate was lost): the car goes home, and the caller's words are on
    the ride beside the saved address for the dispatcher to tell the driver."""
    lines = call(service, ZHANG, "1", answer, "hangup")
    assert any("车已经叫了" in line for line in lines), lines
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.QUEUED
    assert ride.pickup_place_id is not None and ride.pickup_address
    assert ride.pickup_transcript == answer


@pytest.mark.parametrize("answers", [("1",), ("对的",), ("要得 我在屋头等",)])
def test_a_yes_naming_no_spot_at_the_home_read_back_adds_nothing(
    service: CallService, db: Database, answers: tuple[str, ...]
) -> None:
    """A key, a bare yes, or words naming no spot leave the saved address alone."""
    call(service, ZHANG, "1", *answers, "hangup")
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.QUEUED
    assert ride.pickup_transcript is None


def test_the_spot_said_at_a_read_back_put_right_is_not_kept_for_another_place(
    service: CallService, db: Database
) -> None:
    """Words said at the home read-back that put it right (不对 到大门口) belong to no car sent
    elsewhere: the daughter's home chosen and confirmed by key carries no note."""
    lines = call(service, ZHANG, "1", "不对 到大门口", "1", "1")
    assert any("在哪里接您" in line for line in lines), lines
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.QUEUED
    assert ride.pickup_place_id is not None and ride.pickup_transcript is None


WANG = "+8613800000002"  # 王大爹, 滇池医院 saved


def test_another_hospital_named_at_the_hospital_read_back_is_where_the_car_goes(
    service: CallService, db: Database
) -> None:
    """A user trial: "不是滇池医院 今天要去市一院 复查" at "车到家接您去滇池老年病医院，对吗？"
    went back to the home read-back and "对" sent the car to the refused hospital."""
    lines = call(service, WANG, "1", "3", "不是滇池医院 今天要去市一院 复查", "对")
    assert any("车到家接您去春城第一人民医院，对吗" in line for line in lines), lines
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.QUEUED and ride.destination == "春城第一人民医院"


def test_a_plain_no_at_the_hospital_read_back_drops_the_hospital(
    service: CallService, db: Database
) -> None:
    lines = call(service, WANG, "1", "3", "不对 不去医院", "对")
    assert any("车已经叫了" in line for line in lines), lines
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.QUEUED
    assert ride.destination is None and not ride.to_hospital


def test_a_yes_at_a_menu_of_one_place_takes_it(service: CallService, db: Database) -> None:
    """A user trial: "对" at "在哪里接您？在儿子家，请按1。都不是，请按9。" was taken for none
    of these, and the car queued with words for an address and no saved place."""
    lines = call(service, "+8613800000004", "1", "2", "对", "1")
    assert any("车到儿子家接您，地址是" in line for line in lines), lines
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.QUEUED
    assert ride.pickup_address == "呈贡区吴家营街道大学城雨花小区"


def test_a_yes_at_a_menu_of_several_places_asks_which(service: CallService, db: Database) -> None:
    lines = call(service, ZHANG, "1", "2", "对", "hangup")
    assert any("您说的是哪一个？请按1、2或9" in line for line in lines), lines
    assert not any("嘀一声" in line for line in lines)
    assert all(ride.status != RideStatus.QUEUED for ride in all_rides(db))


def test_a_daughter_naming_her_own_home_is_read_back_her_home_not_her_mothers(
    service: CallService, db: Database
) -> None:
    """A user trial: 李梅 booking for her mother said "在我家 海埂花园" at "在哪里接您母亲张秀英？
    在您家，请按1…" and heard her mother's home read back."""
    lines = call(service, "+8613900000001", "1", "1", "2", "在我家 海埂花园", "1")
    read_back = "车到您家接您母亲张秀英，地址是滇池路569号海埂花园8栋"
    assert any(read_back in line for line in lines), lines
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.QUEUED
    assert ride.pickup_address == "西山区滇池路569号海埂花园8栋"


@pytest.mark.parametrize(
    "turns",
    [
        ("1", "哎呀不对不对 按错了 我是要挂号"),
        ("1", "2", "9", "我说了我不要车 我要挂号看病"),
        ("1", "2", "我不要车 我要挂号"),
    ],
)
def test_a_booking_asked_for_instead_of_the_car_drops_the_car_and_books(
    service: CallService, db: Database, turns: tuple[str, ...]
) -> None:
    """A user trial: 张奶奶 pressed 1 meaning to book; "我不要车 我要挂号" at the taxi's
    questions was read back as the pick-up place and a car was queued."""
    lines = call(service, ZHANG, *turns, "hangup")
    assert any("好的，没有叫车，给您挂号" in line for line in lines), lines
    assert any("您要看哪个科" in line for line in lines), lines
    assert all(ride.status != RideStatus.QUEUED for ride in all_rides(db))


def test_where_the_caller_says_she_is_at_the_menu_is_where_the_car_goes(
    service: CallService, db: Database
) -> None:
    """A user trial: "我要叫个车 我在市一院看完病了 要回家" at the menu was read back as
    "车到家接您", "对" sent the car to her empty home. A saved place named is read back."""
    lines = call(service, ZHANG, "我要叫个车 我在市一院看完病了 要回家", "对")
    assert any("车到春城第一人民医院接您" in line for line in lines), lines
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.QUEUED
    assert ride.pickup_address == "五华区青年路504号春城第一人民医院"


def test_a_place_not_saved_said_at_the_menu_is_read_back_in_her_words(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "帮我叫个车 我现在在菜市场门口", "对")
    assert any("您说的是：菜市场门口。车到这里接您，对吗" in line for line in lines), lines
    (ride,) = all_rides(db)
    assert ride.status == RideStatus.QUEUED
    assert ride.pickup_place_id is None and ride.pickup_transcript == "菜市场门口"


def test_home_said_at_the_menu_or_a_key_is_the_home_read_back(
    service: CallService, db: Database
) -> None:
    assert any("车到家接您" in line for line in call(service, ZHANG, "我在家 叫个车", "hangup"))
    assert any("车到家接您" in line for line in call(service, ZHANG, "1", "hangup"))


def test_the_car_asked_elsewhere_while_it_comes_reaches_a_person(
    service: CallService, db: Database
) -> None:
    """A user trial: "你们搞错了 我不在家 我在市一院门口 车要到医院来接我" at the status of
    her car was told to tell the driver, and the car stayed at her home: a person changes
    where it goes (the ride is kept, never a second car)."""
    queued_ride(service, db)
    lines = call(service, ZHANG, "你们搞错了 我不在家 我在市一院门口 车要到医院来接我")
    assert any("要改接您的地方，请稍等，工作人员帮您改" in line for line in lines), lines
    assert [r.status for r in all_rides(db)] == [RideStatus.QUEUED]
