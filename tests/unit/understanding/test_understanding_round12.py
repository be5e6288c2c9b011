"""Rules of the twelfth method round (issue 12).

Each test states one rule with sentences written for the rule, not taken from the
independent sets in tests/data/understanding (which measure the rules). The day is
Monday 2026-11-30 (tests/support/understood.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.understanding import understand
from support.understood import MON, day, u

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("kind", "text", "meant"),
    [
        # Cantonese words of their own, read as their Putonghua (冇 had been heard as nothing
        # and 冇需要 as a yes)
        ("yesno", "冇 需 要 喇", "no"),
        ("department", "我阿妈成日唔开心，夜晚瞓唔着", "精神心理科"),
        ("department", "佢八十几岁，有冇专门睇老人嘅科", "老年医学科"),
        ("when", "听朝得唔得", day("2026-12-01", "am")),
        ("when", "后日朝早", day("2026-12-02", "am")),
        ("when", "你哋睇住安排啦", day(None)),
        ("intent", "我想问下我阿爸嗰个号系边日", "query"),
        ("emergency", "佢而家唔识郁，叫佢冇反应", True),
        # Putonghua words that only look like the Cantonese ones stay themselves
        ("emergency", "打你们电话好久都不应", False),
    ],
)
def test_cantonese_words(kind: str, text: str, meant: object) -> None:
    assert u(kind, text) == meant


@pytest.mark.parametrize(
    ("kind", "text", "meant"),
    [
        # the same relatives everywhere: a husband, a wife, a daughter-in-law, a son-in-law
        ("yesno", "不用，我问问我老公再说", "no"),
        ("when", "等我问问我老婆", None),
        ("when", "先问一下我女婿", None),
    ],
)
def test_relatives_asked_at_home(kind: str, text: str, meant: object) -> None:
    assert u(kind, text) == meant


def test_an_answer_left_to_a_husband_is_waited_for() -> None:
    assert understand("clarify:yesno", "我问问我老公，他说挂就挂", MON) == "ask_family"


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # 有没有 asks whether there is one: it negates nothing
        ("有没有专门看老人的科", "老年医学科"),
        ("没有心脏病", None),
        # low spirits said plainly, with poor sleep and appetite beside them
        ("我老伴最近老是不开心", "精神心理科"),
        ("不开心，不想吃东西，晚上睡不着", "精神心理科"),
        # many illnesses at once (the list a duplicated YAML key had dropped)
        ("老人家多病共存，想找个医生全面看一下", "老年医学科"),
        # dementia stays 神经内科's, as writers label it
        ("怕是老年痴呆", "神经内科"),
    ],
)
def test_department_rules(text: str, meant: str | None) -> None:
    assert u("department", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # why wouldn't I go: a want
        ("咋个不去嘛，你挂嘛", "yes"),
        ("怎么不挂，挂嘛", "yes"),
        # the message verb said back (要不要给您家里人发个短信？)
        ("发嘛", "yes"),
        ("发吧，发给我女儿", "yes"),
        ("不发", "no"),
        # "not too early" asks for a change; it refuses nothing
        ("可以，就是莫太早", "unknown"),
    ],
)
def test_yesno_rules(text: str, meant: str) -> None:
    assert u("yesno", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # a verb's 不 in the recogniser's gaps (起 不 来) takes nothing back
        ("后天 下午 我 妈 说 上午 她 起 不 来", day("2026-12-02", "pm")),
        ("下 午 吧 上 午 我 要 送 孙 子 走 不 开", day(None, "pm")),
        # ...while a bare 不 before another day still does
        ("下周二 呃 不 下周四 上午", day("2026-12-10", "am")),
        # a half-day answered alone first; the other told of after, with why it will not do
        ("上午吧，下午我容易犯困", day(None, "am")),
        ("上午，下午", day(None)),
        ("上午吧，下午也得", day(None)),
        # a half-day refused as "don't put me in it"
        ("下个礼拜一，上午，莫给我排到下午", day("2026-12-07", "am")),
        ("明天下午 莫 要 上午 我 起 不 来", day("2026-12-01", "pm")),
    ],
)
def test_half_days(text: str, meant: dict[str, str | None]) -> None:
    assert u("when", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # no preference said as "whatever you give me", "any day is the same", "any time"
        ("你们给我排，排着哪天我就去哪天", day(None)),
        ("我这把年纪，哪天不是一样", day(None)),
        ("你们咋个安排我就咋个去", day(None)),
        ("我们随时可以", day(None)),
        # "now" telling how things are is no day; "now" to go is today
        ("现在冷得很，等暖和点再说", None),
        ("现在退休了，天天闲着，哪天都得", day(None)),
        ("现在就去", day("2026-11-30")),
        # weekday and day numbers heard as sound-alikes (路 lu/liu, 饿 e/er, 牛 n/l)
        ("这个礼拜路下午", day("2026-12-05", "pm")),
        ("下个星期饿早上", day("2026-12-08", "am")),
        ("下个月牛号", day("2026-12-06")),
        # 星 dropped
        ("下个期五早上", day("2026-12-11", "am")),
        # days and weeks counted
        ("后天的后天", day("2026-12-04")),
        ("医生叫一个礼拜以后再去，下午", day("2026-12-07", "pm")),
        ("两个拜以后", day("2026-12-14")),
        # the day refused with who cannot come, then another
        ("今天来不赢了，明天嘛", day("2026-12-01")),
        ("明天我来不了，后天早上", day("2026-12-02", "am")),
        # a fallback said after the day is no putting off
        ("下个礼拜二下午，不行我再打电话改", day("2026-12-08", "pm")),
    ],
)
def test_days(text: str, meant: dict[str, str | None] | None) -> None:
    assert u("when", text) == meant


def _duplicate_keys(path: Path) -> list[str]:
    found: list[str] = []

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[object, object]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if key_node.tag.endswith("merge"):
                continue  # the YAML anchors the dialogs merge (<<: *offer_question)
            key = loader.construct_object(key_node)  # type: ignore[no-untyped-call]
            if key in seen:
                found.append(f"{path.name}:{key_node.start_mark.line + 1}: {key}")
            seen.add(key)
        return loader.construct_mapping(node)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    yaml.load(path.read_text(encoding="utf-8"), Loader=Strict)  # noqa: S506 (a safe loader)
    return found


@pytest.mark.parametrize(
    "path",
    sorted([*ROOT.glob("grammars/*.yaml"), *ROOT.glob("dialogs/*.yaml")]),
    ids=lambda p: p.name,
)
def test_no_key_is_written_twice(path: Path) -> None:
    """A key written twice in a YAML mapping keeps only its last value, silently (老年医学科's
    conditions were lost that way)."""
    assert _duplicate_keys(path) == []


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # an everyday word that only sounds like a phrase (没别的事 is no 的士)
        ("我就是帮她问问电话登记了没有，没别的事", "unknown"),
        ("帮我叫个的士", "taxi"),
        # 算了 said alone drops the grumbling before it; the request after it counts
        ("现在出租车招手都招不着，算了，你们帮我喊一个嘛", "taxi"),
        # ...but a booking refused with it is still cancelled (the documented decision)
        ("号不挂了，算了，你们帮我叫个车", "cancel"),
        ("算了，不要了", "cancel"),
    ],
)
def test_intent_rules(text: str, meant: str) -> None:
    assert u("intent", text) == meant


@pytest.mark.parametrize(
    ("text", "now"),
    [
        # "that day" of a story, and someone who pulled the caller up: over
        ("我那天在菜市场摔了一跤，幸好有人拉我起来", False),
        # still on the floor days later, said in a later clause: now
        ("前几天摔了一跤，到现在还起不来", True),
        # begun a week or more ago: a complaint to book for; begun last night: now
        ("他上周开始胸口闷，想挂个心内科", False),
        ("从昨晚上就喘不过气", True),
    ],
)
def test_emergency_rules(text: str, now: bool) -> None:
    assert u("emergency", text) is now


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # a refusal said last closes a long unpunctuated answer
        ("九 点 我 到 不 了 那 么 早 上 午 就 算 了", "no"),
        ("我想了想还是算了，过几天再说", "no"),
        # a reason that ends in 了 is no refusal
        ("要的嘛，回去还是要送，我儿子今天来不了", "unknown"),
        # a story, then the answer in clauses of nothing but yes words
        ("我跟你说我这个心口一跳一跳的，昨晚上一夜没睡着，要呢！咋个不要！", "yes"),
        ("我跟你说，我老伴又去他姑娘家了，要不要呢？", "unknown"),
    ],
)
def test_yesno_rules_of_the_second_pass(text: str, meant: str) -> None:
    assert understand("yesno", text, MON, backstop=False) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # a day said with a half-day phrase (吃过早饭) just says the day
        ("明天腊八，要去庙里供饭。后天嘛，后天吃过早饭去", day("2026-12-02", "am")),
        # the same bare half-day said twice, the reason after
        ("下半天嘛，下半天，太阳出来暖和些", day(None, "pm")),
        # 下下个 said before the weekday's own clause
        ("下下个礼拜，礼拜四，上午", day("2026-12-17", "am")),
        # a friend's game, a crowded market day
        ("今天下午老伙计约我下棋，明天下午嘛", day("2026-12-01", "pm")),
        ("十 三 号 街 子 天 车 挤 得 很 十 四 号 去 嘛", day("2026-12-14")),
        # 两 heard as 娘 (n/l)
        ("娘天以后下午", day("2026-12-02", "pm")),
    ],
)
def test_days_of_the_second_pass(text: str, meant: dict[str, str | None]) -> None:
    assert u("when", text) == meant


@pytest.mark.parametrize(
    ("text", "now"),
    [
        # choking, a face gone blue
        ("我孙子吃豆子卡着了，脸都憋紫了", True),
        ("糖卡在喉咙里，拍背也拍不出来", True),
        # a poison eaten or drunk now; a pet is no patient
        ("我爹吃了草乌炖的肉，现在嘴巴麻", True),
        ("我家猫吃了老鼠药", False),
        # a scald now, a fall from a height now
        ("开水烫得腿上起大泡", True),
        ("我爸从梯子上摔下来了，背疼", True),
        # sudden confusion, the worst headache of a life
        ("我妈突然不认得我了，问她话答非所问", True),
        ("他说这辈子没有这么疼过", True),
        # a stroke in a nurse's words
        ("口角右偏，考虑脑卒中", True),
        # first aid learnt, an ambulance driven for a living, nearly, a dream told after
        ("我孙子学了急救法，天天拿我练", False),
        ("我儿子在急救中心开救护车", False),
        ("看球赛激动得差点背过气去，哈哈", False),
        ("我妈说看到小人人，那是她做梦", False),
        # up by themselves, no harm done
        ("昨天滑了一跤，膝盖青了一块，自己爬起来的，没得事", False),
        # Cantonese: fallen and cannot get up, face drooping
        ("我阿嫲啱啱喺冲凉房跌低咗，佢自己起唔到身", True),
    ],
)
def test_emergency_rules_of_the_third_pass(text: str, now: bool) -> None:
    assert u("emergency", text) is now


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # a number begun again until it came out whole
        ("七……七零……七零四二", "7042"),
        ("幺三…幺三八…幺三八，七七零幺，九五二八", "13877019528"),
        ("九 八 九 八 七 九 八 七 二", "9872"),
        ("后四位是吧，七 七零 七零四二", "7042"),
        # a digit said twice is not taken as begun again, nor a number said twice
        ("后四位是 三 三 七 八 九", "33789"),
        ("五七！五七！三零！五七三零！", "5730"),
    ],
)
def test_digits_begun_again(text: str, meant: str) -> None:
    assert u("digits", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # gone to as soon as it is over: the day after
        ("初五过了就去", day("2026-12-14")),  # the next lunar 5th is 12-13
        ("过了初五就去", day("2026-12-14")),
        # a month begun again with its day
        ("八 月 八 月 二 号 早 上", day("2027-08-02", "am")),
        ("一月，一月五号，早上", day("2027-01-05", "am")),
        # a day gone by is no answer
        ("越快越好，我妈昨天晚上咳了一夜", day(None)),
        ("昨天", None),
        # sound-alikes and dialect day words
        ("下 下 个 礼 五 上 午", day("2026-12-18", "am")),
        ("明天桑五", day("2026-12-01", "am")),
        ("外后天", day("2026-12-03")),
        ("后早下午去", day("2026-12-02", "pm")),
    ],
)
def test_days_of_the_third_pass(text: str, meant: dict[str, str | None] | None) -> None:
    assert u("when", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # a part of what was read back said to be wrong: no (the caller's own slip is not)
        ("骨科没错，日子不对，我约的是后天", "no"),
        ("不对……哦不是，对的对的，我看错了", "yes"),
        # how something is (耳朵也不好了) is no answer
        ("对呢，给我阿妈挂的，她九十了，耳朵也不好了", "yes"),
        # the message verb said twice; the answer said last after a recogniser's gap
        ("发嘛发嘛，发给我家大儿子", "yes"),
        ("一三八零八七一 后面四位五五二零 对的", "yes"),
        ("不 对头", "no"),
    ],
)
def test_yesno_read_backs(text: str, meant: str) -> None:
    assert u("yesno", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # a staff member by name or surname (小伙子 is dropped as a filler), put through
        ("你们那个姓李的小伙子在不在", "operator"),
        ("我找王姐", "operator"),
        ("帮我转一下", "operator"),
        ("我姓王的，我要挂号", "hospital"),
        ("我找我姐", "unknown"),
        # too fast to follow
        ("你说得跟打机关枪一样，我听不过来", "repeat"),
        # a cancel told as done, then the service asked for again
        ("那个号取消掉了，现在想想还是要去，重新挂一个嘛", "hospital"),
        ("刚才那个车退了，现在又要出门，再叫一个", "taxi"),
        # ...but cancel first when the car is still there (never two cars)
        ("取消，再叫一个", "cancel"),
    ],
)
def test_intent_rules_of_the_fourth_pass(text: str, meant: str) -> None:
    assert u("intent", text) == meant


def test_ten_heard_as_shi_before_the_hour() -> None:
    assert u("when", "下个礼拜二 石 点") == day("2026-12-08", "am")


@pytest.mark.parametrize(
    ("kind", "text", "meant"),
    [
        # a torn answer is not a rhetorical want said after a yes
        ("yesno", "要 嘛 要 嘛 咋 个 不 要 嘛", "yes"),
        ("yesno", "要嘛又怕太贵，不要嘛又走不动", "unknown"),
        # 可以 written 克以 (克 is 去)
        ("yesno", "克以呢克以呢", "yes"),
        # a grandchild's sorry takes the digits back; the number meant, then the one it is not;
        # the last digit corrected in the recogniser's gaps (最后 一个 是 九)
        ("digits", "3 0 1 5 sorry 3 0 1 6", "3016"),
        ("digits", "我刚报错了，应该是七六五一，不是七六五二", "7651"),
        ("digits", "零 四 八 六 最后 一个 是 九 不是 六", "0489"),  # one digit: its place
        # a story dropped before the question (算了不说这个) cancels nothing
        ("intent", "我们单位以前……算了不说这个，我就问一下我那个号排到第几个了", "query"),
        # 礼 dropped from 下礼拜, 号 heard as 好, after the midday meal, 看错了 corrects
        ("when", "下拜二 三点钟左右", day("2026-12-08", "pm")),
        ("when", "十二好上午", day("2026-12-12", "am")),
        ("when", "后天吃过晌午去", day("2026-12-02", "pm")),
    ],
)
def test_rules_of_the_fifth_pass(kind: str, text: str, meant: object) -> None:
    assert u(kind, text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # several days in one unpunctuated answer: the one said last with nothing but going
        ("二 十 五 号 客 才 走 二 十 六 号 嘛", day("2026-12-26")),
        # ...not a reason after the day (后天过节), a day said to be another (街子天是礼拜五),
        # a weekday counted from a day, a weekday and its own date, a busy last day
        ("明 天 下 午 嘛 后 天 过 节", day("2026-12-01", "pm")),
        ("这个礼拜六上午 街子天是礼拜五", day("2026-12-05", "am")),
        ("中秋过后那个礼拜六", day("2027-09-18")),
        ("下 礼 拜 二 八 号 下 午", day("2026-12-08", "pm")),
        ("后天嘛明天我要去赶街", day("2026-12-02")),
        # a weekday's number is no number begun again (下 礼 拜 二 二 十 二 号)
        ("下 礼 拜 二 二 十 二 号", day("2026-12-22")),
        # 十 heard as 石 before a day's 号
        ("十二号 石二号", day("2026-12-12")),
    ],
)
def test_days_of_the_sixth_pass(text: str, meant: dict[str, str | None]) -> None:
    assert u("when", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # a relative's day off named, then the day they take the caller (拉老人家去)
        ("我兄弟礼拜二歇班，礼拜二他下来，礼拜三拉老人家去", day("2026-12-02")),
        ("儿 子 礼 拜 天 回 来 礼 拜 一 早 上 带 我 去", day("2026-12-07", "am")),
        # a month said with the first day carries to the bare day after it
        ("十 月 六 号 回 来 七 号 去 医 院", day("2027-10-07")),
    ],
)
def test_days_taken_there(text: str, meant: dict[str, str | None]) -> None:
    assert u("when", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # a no taken back with 哦, a yes said, then the slip named at the end
        ("不 要 哦 要 呢 要 呢 刚 才 说 错 了", "yes"),
        ("不对，哦，是的，我说错了", "yes"),
    ],
)
def test_own_slip_named_last(text: str, meant: str) -> None:
    assert u("yesno", text) == meant


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # "don't call it" after a hum is a no, not the hum's yes
        ("嗯……莫喊了，我等班车", "no"),
        # the message verb with its particle, then whom to send it to, in the recogniser's gaps
        ("发 嘛 发 给 我 儿 子 他 在 昆 明", "yes"),
    ],
)
def test_yesno_of_the_last_pass(text: str, meant: str) -> None:
    assert u("yesno", text) == meant


def test_busy_words_close_together_end_one_clause() -> None:
    # 约我下棋: two busy words, one errand; the day after them is the answer
    assert u("when", "今天下午老伙计约我下棋明天下午") == day("2026-12-01", "pm")


def test_a_long_run_of_one_digit_is_understood_at_once() -> None:
    # every way to cut a long run of 一 into beginnings was once tried one by one: this
    # answer never came back. Now it does, as all it said or a number said at its end.
    said = "1" * 26 + "2" + "1" * 11
    heard = u("digits", "一" * 26 + "二" + "一" * 11)
    assert heard in {said, *(said[-n:] for n in (4, 7, 8, 11, 12, 18))}
