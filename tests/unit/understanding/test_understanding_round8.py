"""Rules of the eighth method round (issue 12).

Each test states one rule with sentences written for the rule, not taken from the
independent sets in tests/data/understanding (which measure the rules). Lunar dates are
worked out by the lunardate library here, apart from the code under test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from lunardate import LunarDate

from app.understanding import understand

MON = dt.date(2026, 11, 30)
TUE, WED, THU = (MON + dt.timedelta(days=n) for n in (1, 2, 3))


def u(kind: str, text: str) -> object:
    return understand(kind, text, MON)


def when(date: dt.date | None, session: str | None) -> dict[str, str | None]:
    return {"date": date.isoformat() if date else None, "session": session}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("大后天上午，大后天是礼拜四嘛", when(THU, "am")),  # 上午|大后天 is no 午后
        ("后 天 早 上 嘛 后 天 要 得", when(WED, "am")),
        ("明天，上下午都得", when(TUE, None)),  # either half-day
        ("后天嘛，上午下午都行", when(WED, None)),
        ("后天，下午合适点，上午我要去买药", when(WED, "pm")),  # the half-day said to suit
        ("明天早上 莫 要 下午 我 要 睡 觉", when(TUE, "am")),  # a half-day refused after
    ],
)
def test_half_days_said_twice_either_suiting_or_refused(text: str, said: dict) -> None:
    assert u("when", text) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("明天，不对，后天早上，下午我要接孙子", when(WED, "am")),
        ("明天，哦不对，明天我要赶街，大后天下午嘛", when(THU, "pm")),
        ("下礼拜一，不对，下礼拜二，礼拜一孙女考试", when(MON + dt.timedelta(days=8), None)),
    ],
)
def test_a_correction_with_its_reason_the_day_said_after_counts(text: str, said: dict) -> None:
    assert u("when", text) == said


def test_a_lunar_day_said_without_its_month_is_the_next_one() -> None:
    day = MON
    while LunarDate.from_solar_date(day.year, day.month, day.day).day != 15:
        day += dt.timedelta(days=1)
    assert u("when", "农 历 十 五 下 午") == when(day, "pm")
    assert u("when", "老历的十五") == when(day, None)


@pytest.mark.parametrize(
    "text", ["过两天再说嘛", "年过完了再讲，现在不去", "等我问了儿子到时候再说"]
)
def test_a_day_put_off_is_no_day(text: str) -> None:
    assert u("when", text) is None


@pytest.mark.parametrize("text", ["看你们方便", "哪天你们说了算", "你们做主嘛"])
def test_left_to_the_hospital_is_no_preference(text: str) -> None:
    assert u("when", text) == when(None, None)


def test_put_off_with_no_preference_is_still_no_preference() -> None:
    assert u("when", "随便哪天，到时候再打电话给我") == when(None, None)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("next week 礼拜三 afternoon", when(MON + dt.timedelta(days=9), "pm")),
        ("Tomorrow morning 嘛", when(TUE, "am")),
        ("嗯 nextfriday 早上", when(MON + dt.timedelta(days=11), "am")),
    ],
)
def test_english_day_words_mixed_in(text: str, said: dict) -> None:
    assert u("when", text) == said


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("嗯 唔 好 吧 好", "yes"),  # thinking aloud, then the answer said again
        ("刚刚没听清楚，对的对的", "yes"),  # not heard, then the answer
        ("没 听 见 哦 不 要", "no"),
        ("没听清，你再说一遍嘛", "unknown"),
        ("好也好不好也不好", "unknown"),  # both ways, neither chosen
        ("也行也不行", "unknown"),
        ("我奶奶今天先不叫了", "no"),  # not for now
        ("我没说要挂号，是你听错了", "no"),
        ("要嘛 你 快 点 喊", "yes"),  # hurrying the yes
    ],
)
def test_yes_no_after_not_hearing_both_ways_and_not_for_now(text: str, answer: str) -> None:
    assert understand("yesno", text, MON, backstop=False) == answer


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("车有没得嘛，我要克拿药", "taxi"),  # is there a car, then the errand
        ("帮我整个号，后天克看眼睛", "hospital"),
        ("我是五华区华山街道的社区工作人员，帮老人挂号", "hospital"),  # who is calling
    ],
)
def test_a_car_asked_back_a_number_in_dialect_and_a_staff_member_saying_who(
    text: str, intent: str
) -> None:
    assert understand("intent", text, MON, backstop=False) == intent


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("肺和心脏都不好", None),  # one complaint of two organs: two departments
        ("尿里头好多泡泡", "肾内科"),
        ("小便起泡沫尿", "肾内科"),
    ],
)
def test_two_organs_in_one_complaint_and_foamy_urine(text: str, department: str | None) -> None:
    assert understand("department", text, MON, backstop=False) == department


@pytest.mark.parametrize(
    ("text", "digits"),
    [("七 十 八 三 十 二", "7832"), ("九 十 九 十 一", "9091"), ("五 十 五 十", "5050")],
)
def test_numbers_in_tens_with_gaps_around_ten(text: str, digits: str) -> None:
    assert understand("digits", text, MON) == digits


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("when", "后日下昼", when(WED, "pm")),  # Cantonese day and half-day words
        ("when", "听 日 上 昼 啦", when(TUE, "am")),
        ("yesno", "系呀，唔该晒", "yes"),
        ("yesno", "唔使喇，多谢", "no"),
        ("intent", "架的士仲要几耐先到", "query"),
    ],
)
def test_cantonese_said_by_relatives_in_guangdong(kind: str, text: str, value: object) -> None:
    assert understand(kind, text, MON, backstop=False) == value


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("想要看个医生，你帮我约一个", "hospital"),  # 想要 is no key said by sound (选幺)
        ("下个月的号还没挂，麻烦你们帮我挂", "hospital"),  # not booked yet: no query
        ("过两天可能要去医院，到时候再打电话", "unknown"),  # will call again
        ("车子我自家有，电动车", "unknown"),
        ("啥？啥？", "repeat"),
    ],
)
def test_wanting_not_yet_booked_calling_later_and_own_vehicle(text: str, intent: str) -> None:
    assert understand("intent", text, MON, backstop=False) == intent


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("早 上 可 以 下 午 不 行", when(None, "am")),  # 不 行 is no bare 不
        ("礼拜三或者礼拜四都得，下午好些", when(None, "pm")),  # either of two days
        ("明天后天都可以，就后天嘛", when(WED, None)),  # ... then one chosen
    ],
)
def test_a_half_day_refused_in_gaps_and_either_of_two_days(text: str, said: dict) -> None:
    assert u("when", text) == said


@pytest.mark.parametrize(
    ("text", "emergency"),
    [("我老伴不会呼吸了", True), ("嘴唇都紫了，叫不醒", True), ("他嘴唇有点紫，老毛病", False)],
)
def test_not_breathing_and_a_blue_face(text: str, emergency: bool) -> None:
    assert understand("emergency", text, MON) is emergency


def test_shingles_in_cantonese_and_described() -> None:
    assert understand("department", "佢生蛇，好痛", MON) == "皮肤科"
    assert understand("department", "腰上长了一圈小泡泡", MON, backstop=False) == "皮肤科"


@pytest.mark.parametrize("text", ["明天不得空", "后天我来不及", "礼拜三有事"])
def test_a_day_said_only_to_be_refused_is_no_day(text: str) -> None:
    assert u("when", text) is None


@pytest.mark.parametrize(
    ("text", "said"),
    [("不是上午，下午", when(None, "pm")), ("不 是 下 午 是 早 上", when(None, "am"))],
)
def test_an_answer_opening_by_refusing_a_half_day(text: str, said: dict) -> None:
    assert u("when", text) == said


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("后 头 那 个", 2),  # of the two said, the later one
        ("前面的嘛", 1),
        ("第二个，不对，第一个", 1),  # after a correction the one said last
        ("不是第一个，是第二个", 2),
        ("不要第二个", None),  # the one refused: none chosen
    ],
)
def test_the_one_before_or_after_and_a_choice_corrected(text: str, choice: int | None) -> None:
    assert understand("choice", text, MON) == choice


@pytest.mark.parametrize(
    ("text", "emergency"),
    [
        ("去年 跌了一跤 到 现在 腿 还 疼", False),  # the recogniser's gap after the time word
        ("上个月摔了一跤，现在还痛", False),  # pain from long ago that goes on is over
        ("前两天摔了一跤到现在还爬不起来", True),  # helpless since then: now
        ("昨天晚上摔了一跤，现在还痛得很", True),  # since yesterday: still now
    ],
)
def test_a_fall_long_ago_with_pain_still(text: str, emergency: bool) -> None:
    assert understand("emergency", text, MON) is emergency


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("when", "后天嘛，早上人太多，下午", when(WED, "pm")),  # a crowded half-day
        ("yesno", "不碍事 喊嘛", "yes"),  # "it doesn't matter" is no no
        ("intent", "我约的号能不能退，我不想去了", "cancel"),
        ("intent", "还要等多久嘛", "query"),
    ],
)
def test_a_crowded_half_day_no_matter_returning_and_waiting(
    kind: str, text: str, value: object
) -> None:
    assert understand(kind, text, MON, backstop=False) == value


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("要得要得，我老伴也要跟着去，你们喊个大点的车", "yes"),  # details of the same thing
        ("对，我要去医院，我腰疼", "yes"),
        ("要，要晚一点的", "unknown"),  # a change asked for
        ("好，我还想问下几点开门", "unknown"),  # another matter
        ("嗯……要是不下雨就去，下雨就算了", "unknown"),  # a condition after a hum
        ("那还用说，肯定要", "yes"),
        ("我问问我老伴……他说不去了", "no"),  # an answer passed on
        ("我妈说要，你们喊嘛", "yes"),
        ("你是说后天那个号哈 对的", "yes"),  # what was asked said back, then the answer
    ],
)
def test_a_yes_with_more_of_it_conditions_and_answers_passed_on(text: str, answer: str) -> None:
    assert understand("yesno", text, MON, backstop=False) == answer


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("中秋前头两天", when(dt.date(2027, 9, 13), None)),  # 中秋 2027-09-15
        ("中秋节后第一个礼拜六下午", when(dt.date(2027, 9, 18), "pm")),
        ("中秋过后三天", when(dt.date(2027, 9, 18), None)),
        ("中秋后一个星期", when(dt.date(2027, 9, 22), None)),
        ("中秋前一个礼拜", when(dt.date(2027, 9, 8), None)),
    ],
)
def test_days_counted_from_a_festival(text: str, said: dict) -> None:
    assert understand("when", text, dt.date(2027, 9, 1)) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("三天以后，早上太早了赶不上车，下午", when(THU, "pm")),  # a half-day too early
        ("下礼拜的今天", when(MON + dt.timedelta(days=7), None)),
        ("这个月最后一天", when(dt.date(2026, 11, 30), None)),
        ("下个月的最后一天，上午", when(dt.date(2026, 12, 31), "am")),
        ("下周二上午不行，周二上午要去接人，周二下午得", when(MON + dt.timedelta(days=8), "pm")),
        ("明早没空，要去地里，大后天嘛", when(THU, None)),  # the morning of the day refused
        ("后天早上去看病，看完下午回家", when(WED, "am")),  # the half-day of the visit
        ("莫要礼拜三，礼拜三我要赶街，礼拜四", when(THU, None)),  # refused, said again
        ("下 周 五 一 早", when(MON + dt.timedelta(days=11), "am")),  # 周五一早 is no 五一
        ("哪天都得，就是要早上，下午我走不动", when(None, "am")),
    ],
)
def test_more_ways_of_saying_the_day_and_half_day(text: str, said: dict) -> None:
    assert u("when", text) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("我们五天一街，今天刚赶过，下个街子天", when(MON + dt.timedelta(days=5), None)),
        ("六天一街，昨晚赶过了，下个街子天早上", when(MON + dt.timedelta(days=5), "am")),
        ("明天赶街那天去", when(TUE, None)),  # the market day said is the one meant
    ],
)
def test_market_days_just_held_and_the_one_named(text: str, said: dict) -> None:
    assert u("when", text) == said


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("department", "昨天摔了一跤，脚背肿起好高", "骨科"),  # the swelling is the fall's
        ("department", "脚肿，尿也少", "肾内科"),
        ("department", "吃了不消化，肚子胀", "消化内科"),
        ("emergency", "刀割到手了，血一直流，按不住", True),
        ("intent", "我约的是哪个医生嘛", "query"),
    ],
)
def test_a_swollen_foot_after_a_fall_bleeding_that_will_not_stop_and_whose_booking(
    kind: str, text: str, value: object
) -> None:
    assert understand(kind, text, MON, backstop=False) == value


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("我儿子九岁，老是咳嗽", "儿科"),  # a child's age
        ("孙子三 岁 半 老是拉肚子", "儿科"),
        ("我爸八十三岁，老是咳嗽", "呼吸内科"),  # not a child's age
        ("外孙女一岁多，老是哭", "儿科"),  # a small child's crying
        ("我奶奶骨头酥得很，背都驼了", "骨科"),
        ("在路上滑了一跤，手腕肿了", "骨科"),
        ("月经早就断了，这几天下面又见红", "妇科"),
    ],
)
def test_a_childs_age_brittle_bones_a_slip_and_bleeding_after_the_change(
    text: str, department: str
) -> None:
    assert understand("department", text, MON, backstop=False) == department


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("我想一下……不要嘛……还是要！", "yes"),  # the last word counts after weighing it
        ("我老伴说不消，算了算了，听他的，不要了", "no"),
        ("儿子说要，那就要嘛", "yes"),
        ("孙 子 在 旁 边 说 要 的", "yes"),  # passed on, with the recogniser's gaps
        ("我儿子说要，我说不要", "unknown"),  # two people disagree
        ("不对，不是三号，是五号", "no"),  # 是五号 is no plain yes at the end
        ("还是要", "unknown"),  # said alone it still wants something
        ("莫得事，要得", "yes"),  # "no problem" is no no
        ("好 冷 哦 今 天", "unknown"),  # 好 as "so", not a yes
        ("对 面 那 家 也 要 叫", "unknown"),  # 对面: across the way
        ("要嘛我就在楼下等", "yes"),  # a particle ends the yes's clause
    ],
)
def test_the_last_word_people_in_the_room_and_adverbs(text: str, answer: str) -> None:
    assert understand("yesno", text, MON, backstop=False) == answer


def test_a_bare_no_between_pauses_takes_back_the_request_before_it() -> None:
    assert understand("intent", "叫车……不是，挂号，我要挂号", MON, backstop=False) == "hospital"


@pytest.mark.parametrize("text", ["我姑娘说打车不如坐公交划算", "看个专家要一百块，哪个看得起"])
def test_a_comparison_or_a_price_asks_nothing(text: str) -> None:
    assert understand("intent", text, MON, backstop=False) == "unknown"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("大后天嘛，大后天下午，上午我要打针", when(THU, "pm")),  # the half-day said with the day
        ("十二月三号，早上，下午我们要开会", when(THU, "am")),  # the half-day said right after
        ("明天嘛，下半天，上半天要吸氧", when(TUE, "pm")),
        ("元旦过了再说，元旦我要值班，到时候再打", None),  # put off: the last said counts
        ("暂时不约了，过几天再打", None),
    ],
)
def test_the_half_day_said_with_the_day_and_a_day_put_off_to_another_call(
    text: str, said: object
) -> None:
    assert u("when", text) == said


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("要呢要呢，我跟你讲，我腰杆疼得很，快点给我喊个车", "yes"),  # emphatic, then telling
        ("好，我跟你说个事", "unknown"),  # a plain one turns to something else
        ("好嘛，等一下", "unknown"),  # not decided yet
        ("我 爹 讲 要 得", "yes"),  # passed on with 讲
    ],
)
def test_an_emphatic_yes_goes_on_telling(text: str, answer: str) -> None:
    assert understand("yesno", text, MON, backstop=False) == answer


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("intent", "车 子 呢", "query"),  # where is the car
        ("intent", "喊的车叫他回去，我不走了", "cancel"),
        ("intent", "我是他姑娘，我妈让我接一下", "unknown"),  # taking the phone
        ("department", "我儿媳妇怀娃娃了，想去检查", "产科"),  # the baby is not born yet
        ("department", "从楼梯上滚下来，脚肿了", "骨科"),
        ("department", "想找个看草药的医生", "中医科"),
        ("emergency", "人倒了，快来人", True),
        ("emergency", "就是问问，中风是什么症状", False),
    ],
)
def test_where_the_car_is_sending_it_back_and_more_complaints(
    kind: str, text: str, value: object
) -> None:
    assert understand(kind, text, MON, backstop=False) == value


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("我 老 公 讲 要 他 讲 腿 走 不 动", "yes"),  # what each says: one answers
        ("我也说不好", "unknown"),  # "I can't say" quotes nobody
        ("要 要 要 你 快 点 喊", "yes"),  # a yes said over and over, then the hurry
        ("你说的是后天吗？后天我没空", "no"),
    ],
)
def test_who_says_what_a_yes_said_over_and_no_time(text: str, answer: str) -> None:
    assert understand("yesno", text, MON, backstop=False) == answer


def test_an_answer_opening_with_a_condition_is_never_filled_in_by_the_model() -> None:
    assert understand("yesno", "要是下雨就不去了", MON) == "unknown"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("夏 礼 拜 三", when(MON + dt.timedelta(days=9), None)),  # 夏 heard for 下
        ("明天要去地里，后天嘛", when(WED, None)),  # a day said with what must be done
    ],
)
def test_a_sound_alike_next_week_and_a_day_taken_by_work(text: str, said: dict) -> None:
    assert u("when", text) == said


def test_asking_for_the_person_who_answered_last_time() -> None:
    assert u("intent", "上回接电话的那个姑娘呢，我要找她说") == "operator"


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("我想一下……嗯，还是要的，谢谢", "yes"),  # decided, then a courtesy
        ("我看还是算了吧，对不起啊", "no"),
        ("搞嘛搞嘛", "yes"),  # Kunming 搞: do it
        ("那就不麻烦你了，我自己坐公交", "no"),
    ],
)
def test_a_decision_closed_by_a_courtesy_and_kunming_do_it(text: str, answer: str) -> None:
    assert understand("yesno", text, MON, backstop=False) == answer


def test_a_half_day_taken_by_a_drip() -> None:
    assert u("when", "明天下午嘛，早上他还要输液") == when(TUE, "pm")


@pytest.mark.parametrize(
    "text", ["星期六上午不行，下午嘛", "礼 拜 三 不 得 礼 拜 四 嘛", "明天早上不行"]
)
def test_a_time_refused_is_a_no_by_the_rules_alone(text: str) -> None:
    assert understand("yesno", text, MON, backstop=False) == "no"
