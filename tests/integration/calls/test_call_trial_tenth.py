"""What the tenth simulated-call trial (older callers, Yunnan dialect) found on the taxi
side of the call, played as whole calls against the demo data (Monday 2026-11-30 09:00 in
Kunming) through the real flows, understanding and database: where a booked car goes is
heard the same with 克 as with 去, a place said as where it goes is kept and read back,
and can be changed after 不对."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.callflow.messages import CallStarted, Keys, Speech
from app.calls.enums import CallChannel
from app.calls.service import CallService
from app.core.db import Database
from app.core.local_time import LOCAL_TZ
from app.operators.panel import open_requests
from app.taxi.enums import RideStatus
from support.booked import book_ride, kunming
from support.calls import HOTLINE, all_said, demo_call_service, last_four, local_pickup, rides
from support.calls import play as call

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Kunming
ZHANG = "+8613800000001"  # 张秀英: a home, 女儿家 and 市一院 saved, an ID number


@pytest.fixture
def service(db: Database) -> CallService:
    return demo_call_service(db, today=TODAY, now=NOW)


# --- 1. 克 is 去: "叫个车克医院" goes to the hospital -----------------------------------------


def test_a_car_booked_to_the_hospital_with_ke_goes_to_the_hospital(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "后天早上七点叫个车克医院", "1")
    said = all_said(lines)
    assert "车到家接您去春城第一人民医院，对吗" in said, lines
    assert "叫个车" not in said.split("来电者：后天早上七点叫个车克医院")[1], lines
    [ride] = rides(db)
    assert ride.status == RideStatus.SCHEDULED and ride.to_hospital, lines
    assert ride.destination == "春城第一人民医院", ride.destination


# --- 2. a saved place said as where the car goes is kept, and can be changed --------------


def test_a_saved_place_said_as_the_destination_is_kept_and_can_be_changed(
    service: CallService, db: Database
) -> None:
    # 不对 (2), then 3 (the place), then 2 (where to): the place said is read back.
    lines = call(service, ZHANG, "明天下午两点整个车克女儿家", "2", "3", "2", "去翠湖公园", "1")
    said = all_said(lines)
    assert "车到家接您去女儿家。对，按1" in said, lines
    assert "改去哪里，请按2" in said, lines
    assert "车约好了：明天（星期二）下午2点，车到家接您去翠湖公园。" in said, lines
    [ride] = rides(db)
    assert ride.status == RideStatus.SCHEDULED and not ride.to_hospital
    assert ride.destination == "翠湖公园"
    call(service, ZHANG, "3", "2", "后天上午十点叫车去女儿家", "1")
    assert rides(db)[-1].destination == "女儿家（西山区滇池路569号海埂花园8栋）"


# --- 3 and 4. a car that may miss a visit: asked before it is booked -----------------------

BOOK_CARDIOLOGY = ("2", "1", "1", "1", "2")  # 挂号, 内科, 心血管内科, Tue 8:00, no car


def test_a_car_that_may_miss_the_visit_is_asked_about_before_it_is_booked(
    service: CallService, db: Database
) -> None:
    assert "挂好了" in all_said(call(service, ZHANG, *BOOK_CARDIOLOGY))
    lines = call(service, ZHANG, "明天上午九点叫个车去医院", "1", last_four(db), "2", "1")
    said = all_said(lines)
    warned = said.index("这辆车的时间要再核对一下。要先核对身份。")  # no visit said yet
    assert "看病" not in said[said.index("来电者：明天上午九点") : warned], lines
    asked = said.index("请输入您身份证号的最后4位")
    offered = said.index("换成明天早上7点15分到家接、送到春城第一人民医院的车，请按1")
    assert warned < asked < offered, lines
    assert "车约好了" not in said[:offered], lines  # nothing booked before the answer
    # 2: the car as read back, confirmed once more, booked with the same destination.
    assert said.count("车到家接您去春城第一人民医院，对吗") == 2, lines
    assert "车约好了：明天（星期二）上午9点，车到家接您去春城第一人民医院。" in said, lines
    [ride] = rides(db)
    assert ride.status == RideStatus.SCHEDULED
    assert local_pickup(ride) == datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ)


# --- 5. the booked car's menu: * repeats the car too; "不用改" ends there ------------------


def test_star_at_the_booked_car_repeats_its_details_and_1_leaves_it_as_it_is(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "后天下午一点一刻叫车", "1")
    lines = call(service, ZHANG, "3", "1", last_four(db), "*", "1")
    menus = [line for line in lines if "再约一辆，请按3" in line]
    assert len(menus) == 2, lines  # the question, then * : the car's details both times
    assert all("您预约了后天下午1点15分，到家接的车。不用改，请按1。" in m for m in menus), menus
    assert all("取消这辆车，请按8。转人工，按0。" in m for m in menus), menus
    assert "车给您留着。没有别的事，可以挂电话了。再见。" in all_said(lines), lines
    assert [r.status for r in rides(db)] == [RideStatus.SCHEDULED]
    # Trial eleven: "改时间" there is a person told which car, never a second car.
    call_id = "CA-change-time"
    events: list[object] = [CallStarted(ZHANG, HOTLINE), Keys("3"), Keys("1"),
                            Keys(last_four(db)), Speech("改到下午三点")]
    for n, event in enumerate(events):
        result = service.handle(call_id=call_id, event=event, event_key=f"e{n}",  # type: ignore[arg-type]
                                channel=CallChannel.TWILIO)
    said = " ".join(o.text for o in result.outputs if o.kind == "say")
    assert "好的，改时间要请工作人员帮您改，车先给您留着。请稍等。" in said, result.outputs
    with db.session() as session:
        (waiting,) = open_requests(session, now=NOW)
    assert "来电者要改后天下午1点15分的车（说的是：改到下午三点）" in waiting.reason, waiting.reason
    assert [r.status for r in rides(db)] == [RideStatus.SCHEDULED]


# --- 6. the status menu of a ride under way: three choices, "车到哪里了" answered --------------


def test_the_status_menu_has_three_choices_and_where_is_my_car_says_how_long(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "1", "1")  # a car now, queued at 9:00
    lines = call(service, ZHANG, "车到哪里了", "hangup")
    menus = [line for line in lines if "取消叫车，请按8" in line]
    assert len(menus) == 2, lines
    for menu in menus:
        assert "再听一遍车的情况，请按1。挂号，请按2。取消叫车，请按8。转人工，按0。" in menu
        assert "按9" not in menu and "更多" not in menu, menu
        assert "正在为您派车，请再等一等，一般再过10分钟左右派好。" in menu, menu
    assert [r.status for r in rides(db)] == [RideStatus.QUEUED]
    # Trial eleven: the re-prompt keeps the 约车 words; said, 约车 books.
    lines = call(service, ZHANG, "3", "明天上午九点要车", "1")
    said = all_said(lines)
    assert "取消叫车，按8。转人工，按0。要约以后的车，请直接说。" in said, lines
    assert "车约好了：明天（星期二）上午9点" in said, lines
    assert sorted(r.status for r in rides(db)) == sorted([RideStatus.QUEUED, RideStatus.SCHEDULED])


# --- 7. a relative said is the rider named --------------------------------------------------


def test_a_car_for_the_spouse_names_the_spouse_as_the_rider(
    service: CallService, db: Database
) -> None:
    # 张秀英 has no spouse registered: the car comes to her home and names him as said.
    lines = call(service, ZHANG, "给我老伴叫个车", "1")
    said = all_said(lines)
    assert "车到家接您老伴。对，按1" in said, lines
    assert "请您老伴在家等车" in said, lines
    assert "车到家接您。" not in said, lines
    assert [r.status for r in rides(db)] == [RideStatus.QUEUED]


def test_a_car_for_a_relative_the_caller_may_not_order_for_is_asked_whose(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "给我儿子叫个车", "1", "1")
    said = all_said(lines)
    assert "这辆车是给谁坐的？给您自己，请按1。" in said, lines
    assert "车到家接您。对，按1" in said, lines  # 1: her own car, as she said
    assert [r.status for r in rides(db)] == [RideStatus.QUEUED]


# --- trial eleven: the late car out of the menu's way, nothing of a visit before the check ---


def test_the_late_car_keeps_the_menu_keys_and_is_heard_on_key_3(
    service: CallService, db: Database
) -> None:
    # Her 8:00 visit tomorrow, then a 9:00 car to the hospital booked (not by phone).
    assert "挂好了" in all_said(call(service, ZHANG, *BOOK_CARDIOLOGY))
    book_ride(db, number=ZHANG, pickup=kunming(1, 9), now=NOW, to_hospital=True)
    # Key 3, 1 (hear the booked cars), the digits, * (the car again), 嗯 (asked plainly), 2.
    lines = call(service, ZHANG, "3", "1", last_four(db), "*", "嗯", "2", "1")
    greeting = lines[0]
    assert "有一辆车的时间要再核对一下，请按3。叫车到您家，按1。" in greeting, lines
    assert "看病" not in greeting and "医院" not in greeting, greeting
    late = [line for line in lines if "这辆车赶不上您看病的号" in line]
    assert len(late) == 2 and all("您预约了明天上午9点" in q for q in late), lines  # * too
    assert "是要换成早一点的车吗？换，请按1。" in all_said(lines), lines
    assert "好的，车不换。" in all_said(lines), lines
    assert _pickups(db) == [datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ)]
    # 不换 is remembered on the ride: the next greeting flags nothing.
    assert "核对一下" not in call(service, ZHANG, "hangup")[0]
    # 1 1 from habit: a taxi now, never a question about the booked car.
    taxi = call(service, ZHANG, "1", "1")
    assert "车已经叫了" in all_said(taxi) and "最后4位" not in all_said(taxi), taxi


def _pickups(db: Database) -> list[datetime]:
    return [local_pickup(r) for r in rides(db) if r.status == RideStatus.SCHEDULED]


def test_not_knowing_the_booked_car_riders_digits_is_a_person_at_once(
    service: CallService, db: Database
) -> None:
    call(service, ZHANG, "后天下午一点一刻叫车", "1")
    lines = call(service, ZHANG, "3", "1", "不知道")
    said = all_said(lines).split("来电者：不知道")[1]
    assert "转人工" in said or "工作人员" in said, lines
    assert "没有听明白" not in said, lines


def test_a_booked_car_never_picks_up_where_it_goes(service: CallService, db: Database) -> None:
    # 不对, 3 (a place), 1 (where it picks up), 女儿家: where it was going, so where to, asked.
    lines = call(
        service, ZHANG, "3", "后天下午两点叫个车克女儿家", "不对", "3", "1", "从女儿家接",
        "去翠湖公园", "1",
    )
    said = all_said(lines)
    assert "在女儿家接，就不能再去女儿家了。\n热线：车去哪里？" in said, lines
    assert "接您去女儿家" not in said.split("来电者：从女儿家接")[1], lines
    [ride] = rides(db)
    assert ride.status == RideStatus.SCHEDULED and ride.destination == "翠湖公园", lines
    assert ride.pickup_address is not None and "滇池路569号" in ride.pickup_address


LI = "+8613800000002"  # no 女儿家 saved


def test_a_home_not_saved_as_where_the_car_goes_has_its_address_asked(
    service: CallService, db: Database
) -> None:
    lines = call(service, LI, "后天下午两点叫个车克女儿家", "1", "盘龙区北京路88号", "1")
    said = all_said(lines)
    assert "女儿家在哪里？请说是哪个小区" in said, lines
    assert "去女儿家（盘龙区北京路88号）" in said.split("来电者：盘龙区北京路88号")[1], lines
    [ride] = rides(db)
    assert ride.status == RideStatus.SCHEDULED, lines
    assert ride.destination == "女儿家（盘龙区北京路88号）"


def test_no_at_a_hospital_read_back_asks_which_part_and_keeps_the_hospital(
    service: CallService, db: Database
) -> None:
    lines = call(service, ZHANG, "明天早上八点整个车克医院", "不对", "1", "九点", "1")
    said = all_said(lines)
    assert "要改哪一样？改钟点，请按1。" in said, lines
    assert "明天（星期二）上午9点，车到家接您去春城第一人民医院，对吗" in said, lines
    [ride] = rides(db)
    assert ride.status == RideStatus.SCHEDULED and ride.to_hospital, lines
    assert local_pickup(ride) == datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ)
