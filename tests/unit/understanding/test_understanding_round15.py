"""Rules of the fifteenth method round (issue 12).

Each test states one rule with sentences written for the rule, not taken from the
independent sets in tests/data/understanding (which measure the rules). The day is
Monday 2026-11-30 (tests/support/understood.py).
"""

from __future__ import annotations

import pytest

from support.understood import u


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # the verb of the offer said back, doubled, with a particle, its object or "at once"
        ("转嘛，转嘛", "yes"),
        ("要 转 要 转 我 要 找 个 人 问", "yes"),
        ("发，发，发给我儿子", "yes"),
        ("下来喽，我拿个包就来", "yes"),
        ("我马上下来", "yes"),
        ("喊 个 车 来 嘛", "yes"),
        ("叫叫叫，快点叫", "yes"),
        # ... but not when something after it undoes it, asks, or waits
        ("叫嘛，不叫了，我儿子回来了", "no"),
        ("发嘛，算了算了", "no"),
        ("叫车噶？", "unknown"),
        ("喊嘛喊嘛，等哈，我找下钥匙", "unknown"),
        ("转人工要等好久？", "unknown"),
        # a bare verb before other words is no verb said back (叫我儿子来接我)
        ("叫我儿子来接我", "unknown"),
        ("我喊我孙子跟你说", "unknown"),
        # 挂 said back, the offer asked back first, 叫来, 要车 twice
        ("挂嘛挂嘛，我明天有空", "yes"),
        ("叫 车 噶 叫 嘞 我 在 楼 下", "yes"),
        ("叫来嘛，叫来嘛", "yes"),
        ("要车 要车 我走不动", "yes"),
        # ... the fee asked about, or a Kunming question at the end, is no verb said back
        ("挂号费好多钱", "unknown"),
        ("挂嘛，挂得成不", "unknown"),
    ],
)
def test_the_verb_of_the_offer_said_back(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # the question, or the detail read back, asked back with nothing else said
        ("是给我老伴挂的吗", "unknown"),
        ("是 要 叫 车 吗", "unknown"),
        ("是后天下午噶", "unknown"),
        # a hum, then "go on" or "what?"
        ("嗯嗯，你说", "unknown"),
        ("嗯 哪 样", "unknown"),
        ("嗯……不……嗯", "unknown"),
        # a yes with its particle and the same question tag stays a yes
        ("是的噶", "yes"),
        # ... and so do the answers put as a question: said already, "need you ask"
        ("我不是说了要吗", "yes"),
        ("那还用问吗", "yes"),
    ],
)
def test_asked_back_or_hummed_is_no_answer(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # the detail confirmed, then what it is not
        ("是给我自己挂的，不是给我老伴", "yes"),
        ("是下午嘛，不是上午", "yes"),
        # a detail put right stays a no
        ("是我……不是，是我老伴", "no"),
        ("是明天，不是，我说错了", "no"),
    ],
)
def test_confirmed_then_what_it_is_not(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("没得那个必要", "no"),  # 那 in 那个 is no "then" before a last word
        ("对的，我眼睛看不清楚了，要去看", "yes"),  # what the eyes do, not "I don't know"
    ],
)
def test_words_that_looked_like_other_answers(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "department"),
    [
        # the department a doctor sent the patient to outranks the doctor's own
        ("眼科医生叫我去内分泌科查一下血糖", "内分泌科"),
        ("心内科的大夫说让我转到肾内科", "肾内科"),
        ("神经内科出院的时候讲要去做康复训练", "康复科"),
        # words of a doctor that name no department leave the answer as it was
        ("胃疼，医生叫我来看看", "消化内科"),
    ],
)
def test_where_the_doctor_sent_the_patient(text: str, department: str | None) -> None:
    assert u("department", text) == department


@pytest.mark.parametrize(
    ("text", "department"),
    [
        # what is taken back across a pause before what is meant
        ("胸口痛，不是心脏嘛，是胃，吃了饭就胀", "消化内科"),
        # the treatment asked for outranks the illness that caused it
        ("我爹脑梗以后想做康复训练", "康复科"),
        ("腰椎间盘突出，医生喊做牵引", "康复科"),
        # in pregnancy the obstetrician sees every complaint
        ("我儿媳妇怀孕七个月了，最近头晕血压高", "产科"),
        # bleeding long after the menopause is the gynaecologist's, not a pregnancy
        ("断经十几年了，下面又见红了", "妇科"),
        # a word inside a longer phrase is part of it
        ("眼睛又红又痒", "眼科"),
        ("嘴巴歪了，眼睛闭不拢", "神经内科"),
    ],
)
def test_which_complaint_decides(text: str, department: str | None) -> None:
    assert u("department", text) == department


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("我是老齁病，一到冬天就齁起", "呼吸内科"),
        ("我妈下身掉出来个东西", "妇科"),
        ("嘴巴里头长了个疱，好久不好", "口腔科"),
        ("去年换了髋关节，要复查", "骨科"),
        ("医生讲是肾的问题", "肾内科"),
        ("孙媳妇娃娃有了，要检查", "产科"),
        ("我下面老是痒，不好意思说", "妇科"),
        ("饭吃了就胀，酸水往上冒", "消化内科"),
        ("血里面糖高，医生叫我去看糖的那里", "内分泌科"),
        ("我药吃了十几样，想找个医生看看哪些可以停", "老年医学科"),
    ],
)
def test_guidance_desk_words_of_the_round(text: str, department: str | None) -> None:
    assert u("department", text) == department


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # 算了 said alone, then a want of a car or a booking: that want
        ("我想问个事……算了，我要挂号", "hospital"),
        # one service refused, the other asked for after 还是: a changed mind
        ("不坐车了，还是挂个号", "hospital"),
        ("车不要了 还是 要 挂号", "hospital"),
        # the booking itself not wanted, then a car: the booking is cancelled first
        ("号不要了，我要叫车", "cancel"),
        # the car told not to come, the car left unsaid after its measure word
        ("你们莫来接我了，我儿子送我", "cancel"),
        ("帮我叫一辆，到火车站", "taxi"),
    ],
)
def test_a_changed_mind_at_the_opening_question(text: str, intent: str) -> None:
    assert u("intent", text) == intent


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("第一个……算了，还是第二个", 2),
        ("第三个 算了 第一个", 1),
        # 还是 between two without a pause, or with a question mark, asks
        ("第一个还是第二个", None),
        ("第一个，还是第二个？", None),
    ],
)
def test_a_choice_taken_back(text: str, choice: int | None) -> None:
    assert u("choice", text) == choice


def test_a_day_put_right_with_a_bare_no_between_pauses() -> None:
    # the day refused is named again only with its reason: the day said instead counts
    assert u("when", "明天上午 不 后天上午 明天我要去打疫苗") == {
        "date": "2026-12-02",
        "session": "am",
    }


def test_a_family_feast_makes_the_day_busy() -> None:
    assert u("when", "这个礼拜六，不，下个礼拜六，这个礼拜六我家办酒") == {
        "date": "2026-12-12",
        "session": None,
    }


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        # the X said as the multiplication sign, or as 十 and explained after
        ("后四位 三 五 七 乘", "357X"),
        ("二 八 四 十 那个十是罗马数字", "284X"),
        ("六 六 零 十，卡上是个叉，我们喊十", "660X"),
        ("五 五 二 叉 叉是那个字母", "552X"),
        # the count said first before a colon; the card read out slowly
        ("四个：三、八、零、九", "3809"),
        ("我慢慢念 三 九 九 二", "3992"),
        # a flat's building, unit, floor and door are no digits
        ("我住二单元三楼六号，号码我记不得", None),
    ],
)
def test_digits_said_the_ways_of_the_round(text: str, digits: str | None) -> None:
    assert u("digits", text) == digits


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # a no, 哦, then yes words: the no was a slip
        ("不是 哦 是是 是我自己", "yes"),
        ("不要……哦不对不对，要的要的", "yes"),
        # ... but a detail put right after 哦 stays a no, and 要去 is another matter
        ("不是我，哦，是我老伴", "no"),
        ("不 要 哦 要 去 也 是 后 天", "no"),
        # the last word counts with the recogniser's gaps too
        ("不 用 了 哎 算 了 还 是 叫 嘛", "yes"),
        # the caller overrules the one quoted, or tells the hotline to do it
        ("我姑娘说不要，莫听她的，叫！", "yes"),
        ("我老倌讲不消发，我说要发，你就发嘛", "yes"),
        # one quoted against another, nobody deciding: asked again
        ("孙女说不要，我说要", "unknown"),
    ],
)
def test_the_answer_after_a_slip_or_an_overruling(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # a booking told as made, and a question about it
        ("我约的是第几号", "query"),
        ("我的挂号是不是明天", "query"),
        ("我那个预约还在不在", "query"),
        ("我姑娘帮我挂的号，想问下是几点的", "query"),
        # ... a booking wanted stays a booking
        ("我想挂的是眼科，几点有号", "hospital"),
        # no car come yet; the car cancelled told as done, then asked for again
        ("咋个还没得车来接我", "query"),
        ("刚才那个车我取消了，现在又要去了，再帮我喊一个", "taxi"),
        ("去掉那个号", "cancel"),
    ],
)
def test_intents_of_the_round(text: str, intent: str) -> None:
    assert u("intent", text) == intent


@pytest.mark.parametrize(
    ("text", "emergency"),
    [
        # a sign heard only by sound across a pause is no sign (去|近得很 ~ 气紧得很)
        ("我自己走路去，近得很", False),
        ("气紧得很，喘不过来", True),
        # already in hospital
        ("我表哥前天遭车撞了，住院了", False),
    ],
)
def test_emergencies_of_the_round(text: str, emergency: bool) -> None:
    assert u("emergency", text) is emergency


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        # the last one said to be 十, explained as the X
        ("三 六 二 十 最后那个是十", "362X"),
        ("五五八，最后一个是十，就是那个叉叉", "558X"),
        # a pair of digits counted again after the number
        ("最后四个是三八三八，两个三八", "3838"),
        # a digit said last after a pause belongs to a number not yet whole
        ("电话，幺三九，八七幺，二零，五五，六", "13987120556"),
        # ... but a whole number's last digit said again is a remark
        ("五五六二，二", "5562"),
        # a house number said after the digits, whose it is, a question at the end
        ("七幺六二。我家门牌是一百零八号", "7162"),
        ("幺三八 七七 六五 四三二幺 是我儿子的", "13877654321"),
        ("零 六 八 八 是不是要说身份证的", "0688"),
        ("五 九 三 爱 克 死", "593X"),
    ],
)
def test_more_digits_of_the_round(text: str, digits: str | None) -> None:
    assert u("digits", text) == digits


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # another service asked for with the yes: asked again, one thing at a time
        ("要，顺便帮我挂个号嘛", "unknown"),
        ("好 的 车 来 了 以 后 再 帮 我 挂 一 个 后 天 的 号", "unknown"),
        ("要发，再帮我转个人工", "unknown"),
        # ... a detail of the same thing is no other request; a rhetorical one is a no
        ("发 发给我儿子 顺便把时间也发给他", "yes"),
        ("我还要叫车做哪样？我儿子都到门口了", "no"),
        # the verb said back with who is asked, its recipient, a count, a sound-alike
        ("要 你帮我转 我听不清楚", "yes"),
        ("要 麻 烦 你 喊 个 车 谢 谢", "yes"),
        ("要 叫 一 个 去 火 车 站", "yes"),
        ("发 短 心 给 我 姑 娘", "yes"),
        # sound-alikes of 不, 是 and 取消
        ("布 退", "no"),
        ("不 曲 消 还 是 要 去", "no"),
        ("十 呢 十 呢 我 自己 挂", "yes"),
        ("来了来了", "yes"),
    ],
)
def test_yes_no_answers_of_the_round(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # 后早: the day after tomorrow, in the morning; 明早 refused, 后早 meant
        ("后早 后早去", {"date": "2026-12-02", "session": "am"}),
        ("明早克不成，后早嘛", {"date": "2026-12-02", "session": "am"}),
        ("今早来不赢了，明早嘛", {"date": "2026-12-01", "session": "am"}),
        # breakfast said first
        ("礼拜五 早饭吃过就走", {"date": "2026-12-04", "session": "am"}),
        # 以后早上 is the morning after some days, no 后早
        ("再过十天嘛，十天以后早上", {"date": "2026-12-10", "session": "am"}),
    ],
)
def test_days_of_the_round(text: str, value: dict[str, str | None]) -> None:
    assert u("when", text) == value


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # where the caller is going is the purpose of what is offered, no other request
        ("要，我要克火车站", "yes"),
        ("我 要 的 我 要 去 人 民 医 院", "yes"),
        # Cantonese 唔得 after a gap is a no, not a hum
        ("唔 得 唔 得 明 天 上 午 佢 要 去 洗 肾", "no"),
    ],
)
def test_where_the_caller_is_going(text: str, answer: str) -> None:
    assert u("yesno", text) == answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # 嘎是 is the question 格是 as the recogniser writes it; a plain 是 stays a yes
        ("嘎 是 后 天", "unknown"),
        ("是 呢", "yes"),
        # a cancel with a concession, or a question about its cost, answers nothing yet
        ("取消也可以，就是那个号难得挂着", "unknown"),
        ("取 消 了 要 扣 钱 不", "unknown"),
        # a cancel and then a change, or another car, is another request
        ("取消，然后帮我重新喊一张后天的", "unknown"),
        ("取消然后改到下个礼拜嘛", "unknown"),
        # a slip owned after a doubled no, then yes words
        ("不是不是……哦是是是，对的，就是这个科", "yes"),
        ("不要 哦 搞错了 要 要 要", "yes"),
        # a read-back put right after 哦不对
        ("周 五 上 午 哦 不 对 是 周 五 下 午", "no"),
        # hums with pauses, a thank-you after the verb said back, 嗯呐 as written
        ("嗯……嗯……", "unknown"),
        ("要 发 谢 谢 你 们", "yes"),
        ("恩 那 门 口 来", "yes"),
    ],
)
def test_more_yes_no_of_the_round(text: str, answer: str) -> None:
    assert u("yesno", text) == answer
