"""A yes/no answer heard against the question that read a detail back.

"是给您孙子挂号吗？" answered "给我孙子" is a yes, answered "给我外婆挂" a no: the caller
said the detail again, or put it right, instead of 是 or 不是. Only the question tells which
(``understand("yesno", text, today, question=...)``). The details compared: the person
booked for (kin words, the patient's name), the day and half-day, the department, and any
other words of the answer the question said too (a place, a hospital). A detail the
question did not name is no answer to it and is not compared.

(Nineteenth round) Also compared: how many people ride (两个 我跟老伴 at "一共两个人坐车"),
the digits read back (五六八幺 at "尾号是5618"), a street, gate or stop put right by a name
of its own (西门 at "翠湖东门"), a change asked for (改到后天), and the answer after a
question asked back (周四？是周五嘛). The detail said again while thinking aloud or with a
hindrance (我问一下我姑娘, 好像有个会) is no yes. A plain question's offer asked for in
words of its own (这个机器我弄不来 at "要转人工吗？") is a yes, "nothing more" (没得了) at
"还要办别的吗？" a no.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache, lru_cache

from app.understanding import data
from app.understanding.department import parse_department, spoken_names
from app.understanding.digits import parse_digits
from app.understanding.fuzzy import char_key, is_han
from app.understanding.intent import parse_intent
from app.understanding.numerals import NUM_CHARS, to_int
from app.understanding.people import KIN
from app.understanding.when import parse_when

_KIN_OF = {word: who for who, words in KIN.items() for word in words}
_KIN_WORD = "|".join(sorted(_KIN_OF, key=len, reverse=True))
#: A kin word as the one booked for (给我孙子 / 是我老伴 / 孙女的 / 孙子 alone), not one
#: only spoken of (我问问我老伴 / 我老伴他不在家; 自己打不来 is what one cannot do alone).
_KIN_BOOKED_FOR = re.compile(
    rf"(?:[给是帮替为]\s*(?:我|您|你)?\s*(?:的|家)?\s*[小大]?\s*({_KIN_WORD}))"
    rf"|({_KIN_WORD})\s*的|^\W*({_KIN_WORD})\W*$|(?<![他她])(自己|本人|自家|我个人|我本人)(?!\s*\w?\s*[不没])"
    rf"|^\W*({_KIN_WORD})\s*[，,。.]"
)
#: 给我 / 是我 said as the person: 给我挂, 就是我, 给我的 (not 给我妈, 给我孙子).
_ME = re.compile(r"(?:给|是)我(?=$|[挂看的嘛呢噻嘞哦啊呀，。,.!！?？])")
_SPACES = re.compile(r"\s+")
#: The question's own instructions (对，请按1。不对，请按2。转人工，按0。): not read-back.
_CLAUSE_CHARS = r"[^，。；？！,.;?!]*"
_KEY_INSTRUCTION = re.compile(f"{_CLAUSE_CHARS}按\\s*[0-9一二三四五六七八九零星#*]{_CLAUSE_CHARS}")
#: The answer asks back instead (孙子吗？/ 是哪个孙子 / 格是 / 周三还是周四): nothing to compare.
_ASKED_BACK = re.compile(
    r"吗|么|嘛\s*[?？]|[?？]|哪|啥|什么|咋个|(?<![前好这那十没])几(?!\s*天前|\s*年前)"
    r"|[格噶阿]\s*[是要对行有能会得退来可]|还\s*是(?!\s*[要算不莫可行对就])"
    r"|([是对要行])\s*不\s*\1"
)
#: Where an answer that asks back goes on after it: 礼拜二？是礼拜四嘛 / 你说哪点？我在正义路
#: (the clause after the last question is compared).
_CLAUSE_BREAK = re.compile(r"[，。；？！,.;?!…\s]+")
#: An assent said with the detail (对的, 是嘞, 嗯).
_ASSENT = re.compile(r"对|是|嗯|要得|可以|没错|行|好(?![点些])")  # (not 九点好点: better)
#: ... as a word of its own (not the 是 of 老是 or 我是).
_ASSENT_WORD = re.compile(r"对|就是|是的|是嘞|是呢|是嘛|是噻|没错|嗯|要得")
#: Asked to be changed (换成周三嘛, 改到下午): the detail read back is not the one wanted.
_CHANGED_TO = re.compile(r"换成|改成|改到|换到|改为|调到|换个|改个")
#: A number of people (两个, 三位, 一个人; not 第一人民医院), and the caller alone (就我).
_COUNT = re.compile(
    rf"(?<!第)(?<!没得)(?<!没有)(?<!不是)([{NUM_CHARS}])\s*(?:个人|个|位|人|口)(?!民)"
    # people, not things (两个，还有一个背篓); (twentieth round) a total said before its
    # parts (四个 两位老人 加我…)
    rf"(?=\s*(?:大人|小孩|小娃|娃娃|娃|老人|孩子|小的|大的|人|[{NUM_CHARS}]\s*(?:个|位)"
    r"|[，,。.！!？?\s咯嘛哦呢噻嘞啊吧喽我坐乘去来上对还加和跟]|$))"
)
#: The total said (两个大人一个小孩，算三个吧).
_TOTAL = re.compile(rf"(?:算|一共|总共|共)\s*([{NUM_CHARS}])\s*(?:个|位)")
_ALONE = re.compile(r"^\W*就我(?:自己|一个)?\W*$|^\W*我一个\W*$")
#: A question about how many people ride (一共两个人坐车 / 就您一位).
_COUNT_ASKED = re.compile(r"坐车|乘车|一共|几位|几个人|一位|一个人")
#: A place named (正义路, 南门, 汽车站, 州医院): its last word says its class (a street or a
#: stop, or a hospital); a place the question does not hold, of a class it names, differs.
_PLACE = re.compile(
    r"([^\W我你他她在到是去就从那这个的嘛呢噻哦嗯啊对头喽咯噶]{1,4}?)"
    r"(菜市场|市场|小区|广场|公园|超市|学校|医院|院|路|街|巷|门|站|村|镇)"
)
_HOSPITAL_ENDS = frozenset({"医院", "院"})
_NOT_A_NAME = re.compile(r"^[我你他她在到是去就从那这个的嘛呢噻哦嗯啊对头喽咯噶]+")
#: Words that name no particular place before 门 / 路 (大门, 单元门, 后门, 小区门口).
_ANY_PLACE = frozenset({"大", "单元", "后", "前", "正", "侧", "小区", "楼", "楼下", "家"})
#: What the caller had misheard, said as such (我听成华山西路了): not the place meant.
_MISHEARD = re.compile(r"(?:听成|以为是|以为)[^，。；？！,.;?!]*")
#: Thinking aloud, checking, or a hindrance said with the detail (我想想, 看一下日历, 问一下
#: 我女儿, 好像有个会, 我要上班): the detail said again is then no yes.
_NOT_SETTLED = re.compile(
    r"想想|想一下|再想|考虑|商量|看看|看一下|看下|看哈|查一下|查哈|问一下|问下|问哈|问问|等一下|等哈|稍等"
    r"|好像|可能|不一定|说不好|不好说|说不准|不晓得|不知道|不确定|记不清|有事|有客|有个会|有会|上班|走不开|忙|那个那个|喂$"
)
#: (twenty-first round) Something else the caller must go and do then (我要克赶街, 三点我要
#: 接孙子, 十一点我要煮饭), said at a day or an hour read back: that time is put right, no
#: yes (not the visit itself: 我要去看病, 要克医院).
_ENGAGED = re.compile(
    r"(?:要|得)(?:克|去|回)(?![的嘛呢噻哦啊了]|[省州市县]医|附[一二三]|人民|中医|医|看|挂|瞧"
    r"|复查|检查|拿药|打针|住院)\w{2}"
    r"|要(?:接|送)(?:孙|娃|小孩|学生)|要(?:煮饭|做饭|上坟|赶街|赶集|上班|下地|放牛|带孙)"
)
#: (twenty-first round) A time or a wait read back called too early, late or long, with no
#: yes after it (四十分钟太久了，我等不得; not 八点早了点，不过可以).
_TOO_MUCH = re.compile(r"太(?:早|晚|久|迟)|[早晚久迟]了|等不得|等不起|来不及|赶不上")
_WAIT_ASKED = re.compile(r"分钟|钟头|小时")
_WARNED = re.compile(r"(?:莫|别|不要|不能)\w{0,2}$")
#: A change or a cancel offered (要改到下午吗？ 要取消吗？): being busy then is a reason for it.
_CHANGE_ASKED = re.compile(r"改|换|取消|退")
#: (twenty-first round) The end of a number named as such (尾号, 最后是, 后四位).
_TAIL_NAMED = re.compile(r"尾号|尾数|最后|后四|后面|后头|末尾")
_TAIL = 4
#: An arabic or spoken number of three or more digits read back (尾号是3827).
_DIGITS_READ = re.compile(r"\d{3,}X?")
#: Adding to the read-back rather than putting it right (也给我外婆挂一个 / 还有我老伴).
_ADDING = re.compile(r"也(?!对|是|行|可以|没错)|还有|还要|再|另外|顺便|一起|一块")  # (not 医院也对)
#: The read-back refused in so many words (是明天，不是后天): what follows is the question's.
_REFUSED = re.compile(r"(?:不是|不对|不要|不去|不挂|不在|莫)\s*(\w{2,})")
#: An hour said (七点, 7点半): compared with the question's when both say one.
_HOUR = re.compile(rf"([{NUM_CHARS}]{{1,3}})\s*点\s*(半)?")
#: Words that say nothing of the detail, taken off before an answer is looked for in the
#: question's words (对嘛，金马小区 → 金马小区).
_EMPTY = re.compile(
    r"[，。；？！、,.;?!…\s]|对|是|就|嘛|呢|噻|嘞|哦|噢|啊|呀|的|了|嗯|喽|咯|撒|我|们|在|那个|这个"
    r"|那点|那里|这点|这里|那边|这边"
)
#: A detail said again with a doubt, a refusal or a complaint (太早了, 不得行, 莫): no yes.
_DOUBTS = re.compile(r"不(?!过)|[没莫别太怕难]")  # (不过我带个轮椅: a remark, no doubt)
_MIN_SAID_AGAIN = 2
_WEEK = 7


#: A daughter's child is called a grandchild too (是我外孙，就是孙子嘛): the same person.
_SAME_PERSON = {"daughters_son": "grandson", "daughters_daughter": "granddaughter"}


def _people(text: str) -> set[str]:
    found = {
        _SAME_PERSON.get(who, who)
        for m in _KIN_BOOKED_FOR.finditer(text)
        if (who := _KIN_OF[next(g for g in m.groups() if g)])
    }
    if _ME.search(text) and not found - {"self"}:
        found.add("self")
    return found


def _day(text: str, today: dt.date) -> tuple[str | None, str | None]:
    when = parse_when(text, today)
    if not isinstance(when, dict):
        return None, None
    return when.get("date"), when.get("session")


def _hours(text: str) -> list[tuple[int, bool]]:
    """Every hour said, in order (七点, 7点半)."""
    return [(h, bool(m[2])) for m in _HOUR.finditer(text) if (h := to_int(m[1])) is not None]


def _hour(text: str) -> tuple[int, bool] | None:
    """The last hour said (两点半我在睡午觉，整个四点嘛: four)."""
    hours = _hours(_HOUR_REFUSED.sub("", text))
    return hours[-1] if hours else None


#: (twentieth round) An hour said to be too late or too early (八点半晚了): not the one meant.
_HOUR_REFUSED = re.compile(
    rf"[{NUM_CHARS}]{{1,3}}\s*点\s*半?\s*(?:就|都|有点|太|还是)?\s*(?:太\s*)?(?:晚|迟|早)\s*了"
)


@cache
def _department_names() -> re.Pattern[str]:
    """A department named as one (眼科, 心内科), not a complaint that points to it."""
    return re.compile("|".join(sorted(map(re.escape, spoken_names()), key=len, reverse=True)))


def _same_day(said: str, asked: str, week_named: bool) -> bool:
    """The same day, or the same weekday said without its week (周四 for 下周四; not 这周四)."""
    a, b = dt.date.fromisoformat(said), dt.date.fromisoformat(asked)
    return a == b or (not week_named and abs((a - b).days) == _WEEK)


#: The week said with the weekday (这周三, 下个礼拜三): the day is that week's.
_WEEK_NAMED = re.compile(r"[这本下上]\s*(?:个)?\s*(?:周|礼拜|星期)")


#: (twenty-first round) The name of the one booked or ordered for, read back (是给您母亲张秀英
#: 挂号吗？ 是给普绍华挂号吗？): two or three characters after 给 and a kin word, before the
#: errand.
_NAME_READ = re.compile(
    rf"给(?:我|你)?(?:{_KIN_WORD})?(?!自己|本人|我|你|他|她)(\w{{2,3}}?)(?:挂号|叫车|挂|约|看病)"
)


@lru_cache(maxsize=256)  # the question's name is read for every answer to it
def _name_read(text: str) -> str | None:
    """The name of the one booked for (not a kin word: 给我家老倌挂)."""
    found = _NAME_READ.search(text)
    return found[1] if found and not re.search(_KIN_WORD, found[1]) else None


def _name_said(answer: str, name: str) -> bool | None:
    """Whether a name of the same surname said in the answer is the one read back (True),
    one character off it (False: 赵家友 at 赵家有, 我妈叫张秀珍 at 张秀英), or None (no such name
    said)."""
    same = False
    for at in (m.start() for m in re.finditer(re.escape(name[0]), answer)):
        said = answer[at : at + len(name)]
        if said == name:
            same = True
        elif (
            (at == 0 or answer[at - 1] in _NAME_FOLLOWS)  # said as a name, not 木子李 explained
            and len(said) == len(name)
            and all(map(is_han, said))
            and sum(a != b for a, b in zip(said, name, strict=True)) == 1
        ):
            return False
    return True if same else None


#: What a name said in an answer follows: its start, a pause, or 叫 / 是 (我妈叫张秀珍).
_NAME_FOLLOWS = frozenset("叫是，,。 ")


@lru_cache(maxsize=256)  # a question is asked, and maybe answered twice, in one call
def _question_details(
    question: str, today: dt.date
) -> tuple[set[str], str | None, str | None, str | None, tuple[int, bool] | None, str]:
    read_back = _KEY_INSTRUCTION.sub("", question)
    date, session = _day(read_back, today)
    plain = _SPACES.sub("", read_back).replace("您", "我")
    department = parse_department(read_back)
    return _people(plain), date, session, department, _hour(plain), plain


def _after_asking_back(answer: str) -> str | None:
    """The answer after the last clause that asks back (礼拜二？是礼拜四嘛 -> 是礼拜四嘛),
    or ``None`` when nothing follows it."""
    asked = list(_ASKED_BACK.finditer(answer))
    if not asked:
        return None
    last = asked[-1]
    if last[0] in "?？":
        rest = answer[last.end() :]
    else:
        brk = _CLAUSE_BREAK.search(answer, last.end())
        rest = answer[brk.end() :] if brk else ""
    return rest if rest.strip() and not _ASKED_BACK.search(rest) else None


def _refused_in(refused: str, plain: str) -> bool:
    """What follows 不是 / 不在 begins with words of the question (不在医院 你来家接 at
    "车到…州医院门口接您"): the read-back refused."""
    return any(
        refused[:n] in plain and not _PERSONS.search(refused[:n])
        for n in range(len(refused), _MIN_SAID_AGAIN - 1, -1)
    )


#: A person named (接我 / 给他): the people are compared on their own, not as words.
_PERSONS = re.compile(r"[我你您他她]")


def _count(text: str) -> int | None:
    """How many people the words name (两个 我和我阿妈: 2; 两个大人一个小娃娃: 3)."""
    if _ALONE.search(text):
        return 1
    if (said := _TOTAL.search(text)) is not None:
        return to_int(said[1])
    counts = [to_int(m[1]) or 0 for m in _COUNT.finditer(text)]
    if len(set(counts)) == 1 and not _ADDING.search(text):
        return counts[0] or None  # 是两个，我跟我姑娘两个: the same count said again
    return sum(counts) or None


@lru_cache(maxsize=256)  # the question's places are read for every comparison of its answers
def _places(text: str) -> tuple[tuple[str, bool], ...]:
    """The places named, each with whether it is a hospital (州医院, 市一院) rather than a
    street, a gate or a stop (正义路, 北门, 汽车站)."""
    named = ((_NOT_A_NAME.sub("", m[1]), m[2]) for m in _PLACE.finditer(text))
    return tuple((name + end, end in _HOSPITAL_ENDS) for name, end in named if name)


@lru_cache(maxsize=256)
def _with_short_names(plain: str) -> str:
    """The question with a hospital's everyday name added (曲靖市第一人民医院: 市一院;
    (twenty-first round) 鲁甸县人民医院: 县医院)."""
    short = re.sub(rf"第([{NUM_CHARS}]+)人民医院", r"\1院", plain)
    everyday = re.sub(r"([县市州])人民医院", r"\1医院", plain)
    return "|".join(dict.fromkeys((plain, short, everyday)))


#: What kind of hospital a name says (中医院 is not 人民医院).
_HOSPITAL_KINDS = ("中医", "人民", "妇幼", "儿童", "肿瘤", "精神", "口腔")


#: (twenty-first round) The number a hospital goes by (附一院, 市二院, 第三人民医院).
_HOSPITAL_NUMBER = re.compile(rf"([{NUM_CHARS}])(?:人民医院|医院|院)$")


def _hospital_number(name: str) -> str | None:
    found = _HOSPITAL_NUMBER.search(name)
    return found[1] if found else None


def _hospital_differs(answer: str, plain: str) -> bool:
    """A hospital named of another kind than the one read back (是中医院嘛 at "是保山市人民
    医院，对吗？"), or by another number (附一院近点 at "挂附二院的耳鼻喉科，对吗？")."""
    asked = [name for name, hospital in _places(plain) if hospital]
    numbers = {_hospital_number(a) for a in asked}
    for name, hospital in _places(answer):
        number = _hospital_number(name) if hospital else None
        if number and asked and None not in numbers and number not in numbers:
            return True
        kind = next((k for k in _HOSPITAL_KINDS if k in name), None)
        if (
            hospital
            and kind
            and asked
            and all(kind not in a and any(k in a for k in _HOSPITAL_KINDS) for a in asked)
        ):
            return True
    return False


#: Where the caller says she is (我在螺蛳湾这边), at a pick-up read back (车到家接您).
_PICKUP_ASKED = re.compile(r"接我|上车|接你|接您")
_I_AM_AT = re.compile(
    r"我(?:现在|人)?(?:在|走到|来到|到了)([^\s，,。.！!？?]{2,8}?)"
    r"(?:这边|那边|这点|那点|这里|那里|这儿|这块|[，,。.！!？?]|$)"
)
#: (twenty-first round) Where the caller asks the car to come (你叫他开到我家门口, 到巷子口嘛,
#: 到大门口保安亭那点嘛).
_COME_TO = re.compile(
    r"(?:^|[，,。.]|叫他|让他|喊他|叫师傅|让师傅|叫司机|让司机|你)(?:开到|开来|来到|到)"
    r"(?!了|时候|底|处|点了)"
    r"([^\s，,。.！!？?]{2,10}?)(?:来接|接|等|这点|那点|这边|那边|嘛|就行|[，,。.！!？?]|$)"
)
_HOME_WORDS = frozenset({"家", "家里", "家头", "屋头", "屋里", "楼下", "门口", "家门口", "小区"})


def _another_place(said: str, plain: str) -> bool:
    """A place asked for that the question did not read back (我家门口 at 村口; not 楼下 at
    "车到您家楼下接您")."""
    place = said.removeprefix("我").removeprefix("的")
    home = any(place.startswith(h) for h in _HOME_WORDS)
    return (
        place not in plain
        and not (home and any(h in plain for h in _HOME_WORDS))
        and not _NOT_A_PLACE.match(place)
        and not _PERSONS.match(place)
    )


#: (twenty-second round) Not where the car is sent, said before where she is (医院是对的，
#: 不过不在家，我在我孙女家这点): what was agreed to was something else.
_NOT_THERE = re.compile(r"[不没]在(?:家|屋|这|那)")


def _elsewhere(answer: str, plain: str) -> bool:
    """At a pick-up read back, the caller says she is somewhere the question does not name."""
    if not _PICKUP_ASKED.search(plain):
        return False
    found = list(_I_AM_AT.finditer(answer))
    come_to = [m for m in _COME_TO.finditer(answer) if _another_place(m[1], plain)]
    first = min((m.start() for m in (*found, *come_to)), default=None)
    if (
        first is not None
        and _PLACE_AGREED.search(answer[:first])
        and not _NOT_THERE.search(answer[:first])
    ):
        return False  # 对，大门口，我在保安亭那点等: the place agreed to, then the very spot
    return bool(come_to) or any(
        not any(m[1].startswith(h) for h in _HOME_WORDS)
        and m[1] not in plain
        and (not _PERSONS.search(m[1]) or _KINS_HOME.match(m[1]))
        and not _NOT_A_PLACE.search(m[1])
        for m in found
    )


def _place_said_first(text: str, known: str) -> bool:
    """At a pick-up read back, the answer's first words are the place read back (村口 / 翠湖
    宾馆 / 村委会), the rest the very spot or how to be found; no other place named."""
    said_first, *rest = _CLAUSE_BREAK.split(text.strip(), maxsplit=1)
    first = _EMPTY.sub("", said_first)
    if len(first) < _MIN_SAID_AGAIN or first not in known:
        return False
    return not any(name not in known for name, _ in _places("".join(rest)))  # (东风 西路)


def _question_said_first(text: str, plain: str) -> bool:
    """The answer opens with the words of what the question reads back first (three
    characters or more of its first clause, a statement: 两辆都要), said back as the answer."""
    said_first = _EMPTY.sub("", _CLAUSE_BREAK.split(_SPACES.sub("", text), maxsplit=1)[0])
    opening = re.split(r"[：:]", _CLAUSE_BREAK.split(plain.strip(), maxsplit=1)[0])[0]
    if opening.endswith(("吗", "呢", "么")):
        return False  # the question itself (要给您发短信吗), not a detail read back
    return len(said_first) >= _MIN_OPENING and (
        said_first in opening or len(opening) >= _MIN_OPENING and said_first.startswith(opening)
    )


_MIN_OPENING = 3


#: (twenty-first round) The car asked to come home (来家里接我, 到屋头接), at a pick-up at home
#: read back, not refused (莫来家里接).
_COME_HOME = re.compile(r"(?:来|到|开到|开来)(?:家|家里|家头|屋头|屋里|家门口|楼下)(?:来)?接")
_NEGATIONS_BEFORE = re.compile(r"[不莫别没]\w{0,2}$")
#: (twenty-first round) A relative's home (我女儿家, 她姑娘家): not the caller's own.
_KINS_HOME = re.compile(rf"[我他她]?(?:{_KIN_WORD})家")


#: The place read back agreed to (对, 是的, 没错), not only a ride wanted (要要).
_PLACE_AGREED = re.compile(r"对|是的|是嘞|是呢|是喽|是啰|没错|就是|要得")  # (是喽: 22nd round)
#: (twentieth round) A pick-up at home read back with no place named (车到家接您).
_HOME_PICKUP = re.compile(r"到家接|家门口接|在家等")


#: (twentieth round) What the caller says she wants (我要的是省中医的眼科, 我要去的是州医院).
_WANTED_IS = re.compile(r"我(?:要|想)(?:去|挂|看)?的是([^\s，,。.！!？?的]{2,8})")


def _other_wanted(answer: str, plain: str) -> bool:
    """The caller names what she wants, and the question read back none of its words."""
    known = _with_short_names(plain)
    return any(
        (_places(thing) or _department_names().search(thing) or _HALF_DAY.search(thing))
        and thing not in known
        and not any(name in known for name, _ in _places(thing))
        for thing in (m[1] for m in _WANTED_IS.finditer(answer))
    )


_HALF_DAY = re.compile(r"上午|下午|早上|晚上")


def _other_than_home(answer: str, plain: str) -> bool:
    """At a pick-up at home read back, the answer names another place first thing, with no
    agreement before it (医院门口 / 在村口大青树底下等 at "车到家接您，对吗？")."""
    if not _HOME_PICKUP.search(plain) or _places(plain):
        return False
    for name, _hospital in _places(_MISHEARD.sub("", answer)):
        at = answer.find(name)
        if name[:-1] in _ANY_PLACE or any(h in name for h in _HOME_WORDS if len(h) > 1):
            continue
        return not _PLACE_AGREED.search(answer, 0, at)
    return False


#: What follows 我在 that is no place (我在等, 我在想, 我在上班, 我在吃饭).
_NOT_A_PLACE = re.compile(r"^[等想看听吃睡忙上做弄搞找问打说讲]|这|那|哪")


def _place_differs(answer: str, plain: str) -> bool:
    """A street, gate or stop named where the question read back one with the same last
    word, and no word of its own name in the question (北门 at 南门, 北路 at 寥廓南路).
    Hospitals go by too many names (州医院, 市一院, 附一院) to be told apart this way."""
    ends = {name[-1] for name, hospital in _places(plain) if not hospital}
    for name, hospital in _places(_MISHEARD.sub("", answer)):
        own = name[:-1]
        if hospital or name[-1] not in ends or own in _ANY_PLACE or name in plain:
            continue
        if not any(c in plain for c in own) and not _sounds_in(own, plain):
            return True  # (twenty-second round: 背景路 at 北京路 is the recogniser's, the same)
    return False


def _sounds_in(said: str, plain: str) -> bool:
    """Does ``said`` sound like words of ``plain`` (the same folded syllables in a row)?"""
    keys = [char_key(c) for c in plain]
    said_keys = [char_key(c) for c in said]
    n = len(said_keys)
    return n > 1 and any(keys[i : i + n] == said_keys for i in range(len(keys) - n + 1))


def compare(text: str, question: str, today: dt.date) -> str | None:
    """``"agrees"`` when the answer names only details the question read back, ``"differs"``
    when it names one the question read back otherwise, ``None`` when it names none (or
    asks back and says nothing after, or adds to it rather than putting it right)."""
    answer = _SPACES.sub("", text)
    if not answer or _NOT_HEARD.search(answer) or _UNDECIDED.search(answer):
        return None  # (twenty-second round) 我还没想好去哪个医院好: nothing settled to compare
    people, date, session, department, hour, plain = _question_details(question, today)
    if _CHANGED_TO.search(answer) and not _CHANGED_TO.search(plain):
        return "differs"  # 他说周二要去打针，换成周三嘛
    if _ASKED_BACK.search(answer):
        after = _after_asking_back(text.strip())
        compared = None if after is None else compare(after, question, today)
        # 哪样 尾号 / 你问哪样 老伴: the detail said back as a question is no yes by itself
        return None if compared == "agrees" and not _ASSENT.search(after or "") else compared
    if any(_refused_in(m[1], plain) for m in _REFUSED.finditer(answer)):
        return "differs"  # 不是后天 at "是挂后天的号吗？"
    if _COUNT_ASKED.search(plain) and (asked := _count(plain)) is not None:
        said_count = _count(answer)
        if said_count is not None:
            if said_count != asked:
                return "differs"
            # a doubt said with the count itself (两个吧，不一定 / 两个，还有…), not a remark
            # after it (两个，你大声点说，我耳朵不好)
            count_said = _CLAUSE_BREAK.split(text.strip(), maxsplit=1)[0]
            doubted = _DOUBTS.search(count_said) or _NOT_SETTLED.search(answer)
            return None if doubted or _ADDING.search(answer) else "agrees"
    read = _DIGITS_READ.search(plain)
    said_digits = parse_digits(answer) if read else None
    if read and said_digits and len(said_digits) >= 3:
        if said_digits == read[0]:
            return None if _NOT_SETTLED.search(answer) else "agrees"
        if len(said_digits) == len(read[0]):
            return "differs"  # 三八七二 at 尾号是3827
        if read[0].endswith(said_digits):  # (twenty-first round) its end said again
            return None if _NOT_SETTLED.search(answer) else "agrees"
        if _TAIL_NAMED.search(answer) and len(said_digits) == _TAIL:
            return "differs"  # 尾号幺幺幺二 at "您的电话是13700001111，对吗？"
    if _place_differs(answer, plain) or _hospital_differs(answer, plain):
        return "differs"
    if _elsewhere(answer, plain) or _other_than_home(answer, plain):
        return "differs"  # 要要，我在螺蛳湾这边 / 医院门口 at "车到家接您": not where the car goes
    come_home = _COME_HOME.search(answer) if _HOME_PICKUP.search(plain) else None
    if come_home and not _NEGATIONS_BEFORE.search(answer, 0, come_home.start()):
        return "agrees"  # 我走不动了 你们来家里接我嘛 at "车到家接您": asked for
    if _other_wanted(answer, plain):
        return "differs"  # 我要的是省中医的眼科 at "挂的是昆华医院眼科，对吗？"
    engaged = _ENGAGED.search(answer) if date or session or hour else None
    if (
        engaged
        and not _CHANGE_ASKED.search(plain)
        and not _NOT_SETTLED.search(_ENGAGED.sub("", answer))
    ):
        return "differs"  # 二十五号下午我要克给老伴上坟 at "是11月25号下午，对吗？"
    too = _TOO_MUCH.search(answer) if date or session or hour or _WAIT_ASKED.search(plain) else None
    if (
        too
        and not _ASSENT.search(answer, too.end())
        and not _WARNED.search(answer, 0, too.start())  # (莫来迟了: don't be late)
        and not _CHANGE_ASKED.search(plain)
    ):
        return "differs"  # 四十分钟太久了，我等不得 at "司机大约四十分钟到，可以吗？"
    said: list[bool] = []  # per detail the answer and the question both name: the same?
    name = _name_read(plain)
    same_name = _name_said(answer, name) if name else None
    said_people = _people(answer)
    named = _name_read(answer) if name else None  # (今天是给我大嫂挂)
    if same_name is False or named and named != name:
        return "differs"  # 陈 志 祥 吉祥 的 祥 at "是给您父亲陈志强挂号吗？"
    if same_name and said_people and not people:
        return None  # 普绍华是我大哥，今天是给我大嫂挂: the name, and someone else booked for
    if same_name:
        said.append(True)  # 李桂芬 对 木子李 桂花的桂 at "是给您母亲李桂芬挂号吗？"
    if said_people and people:
        said.append(said_people <= people)
    # the day is read from the answer only when the question read one back
    said_date, said_session = _day(text, today) if date or session else (None, None)
    if said_date is not None and date is not None:
        said.append(_same_day(said_date, date, _WEEK_NAMED.search(answer) is not None))
    if said_session is not None and session is not None:
        said.append(said_session == session)
    said_hour = _hour(answer)
    if said_hour is not None and hour is not None:
        # the hour read back agreed to (八点，要得，我七点半就在门口等), else the last said
        agreed = _ASSENT.search(answer) and hour in _hours(answer)
        said.append(bool(agreed) or said_hour == hour)
    said_department = parse_department(text) if _department_names().search(answer) else None
    if said_department is not None and department is not None:
        said.append(said_department == department)
    if not all(said):
        return None if _ADDING.search(answer) else "differs"
    content = _EMPTY.sub("", answer)
    known = _with_short_names(plain)
    if len(content) >= _MIN_SAID_AGAIN and content in known:
        said.append(True)  # 金马小区门口 at "是从官渡区金马小区门口上车吗？"
    elif any(name in known for name, _ in _places(answer)):
        said.append(True)  # 附一院 就是喽 西昌路那个嘛 at "是在昆医附一院，对吗？"
    elif (words := [w for w in (_EMPTY.sub("", t) for t in text.split()) if w]) and all(
        len(w) >= _MIN_SAID_AGAIN and w in known for w in words
    ):
        said.append(True)  # 宣威 人民医院 是嘞 at "是去宣威市人民医院，对吗？": word by word
    elif _PICKUP_ASKED.search(plain) and _place_said_first(text, known):
        said.append(True)  # (twenty-first round) 村口 那棵大青树脚底下 我在那点等 at 车到村口接您
    elif _question_said_first(text, plain):
        said.append(True)  # (twenty-second round) 两 辆 都 要 现 在 这 个 快 点 at "两辆都要：…"
    if (
        department is not None
        and _ASSENT_WORD.search(answer)
        and not _REFUSED.search(answer)
        and parse_department(text) == department
    ):
        return "agrees"  # 耳朵 对 就是 耳朵 听 不 到 at "挂的是耳鼻喉科，对吗？": the complaint
    if _DOUBTS.search(answer) or _NOT_SETTLED.search(answer):
        return None  # 八点太早了 / 明天下午……我看一下日历: the detail said with a doubt is no yes
    return "agrees" if said else None


#: What a plain question offers (要转人工吗？ 要给您叫车吗？ 确认取消吗？ 还要办别的吗？), as the
#: opening question's intents that ask for it; "another" is any task at all.
_OFFERS = (
    (re.compile(r"人工|工作人员|话务员"), frozenset({"operator"})),
    (re.compile(r"取消"), frozenset({"cancel"})),
    # (twenty-second round) 约车 / 订车: the car to hospital offered after a booking
    (re.compile(r"叫车|喊车|派车|要车|约车|订车"), frozenset({"taxi"})),
    # (twenty-second round) another booking offered (还要再挂一个心血管内科的号)
    (re.compile(r"再挂|还要挂"), frozenset({"hospital"})),
    (re.compile(r"别的|其他|其它"), frozenset({"taxi", "hospital", "query", "cancel"})),
)
#: The offer refused in words of its own (先不用, 莫转, 不消): never turned into a yes.
_REFUSING = re.compile(
    r"不要|不用|不消|不转|不叫|不取消|不挂|不需要|不必|先不|莫|别|算了|没得了|没有了"
)
#: A question asked A-not-A (管不管, 能不能) or ending in 不 (要收钱的不, 还挂得上不嘛): no
#: request.
_A_NOT_A = re.compile(r"([^\W不])不\1|不[嘛呢噻哦啊]?\W*$")

@cache
def _on_a_condition() -> re.Pattern[str]:
    """(twenty-second round) The offer wanted only on a condition (要是下雨就要车; the
    grammar's `conditional` words, and 的话): no request yet."""
    return re.compile("|".join(map(re.escape, [*data.words("yesno", "conditional"), "的话"])))

#: (twenty-second round) Not decided yet (还没想好, 没定下来, 拿不定主意).
_UNDECIDED = re.compile(r"没(?:有)?想好|没(?:有)?定|没(?:有)?决定|拿不定|定不下")
#: Not heard (我听不清): nothing compared.
_NOT_HEARD = re.compile(r"听不清|听不到|听不见|听不着|没听清|没听到|没听见")


def offer_taken(text: str, question: str) -> bool:
    """The answer asks for what the question offers, in words of its own: 你这个我搞不懂 at
    "要转人工吗？", 再帮我叫个车 at "还要办别的吗？"."""
    answer = _SPACES.sub("", text)
    asked = _SPACES.sub("", question)
    wanted = next((intents for offer, intents in _OFFERS if offer.search(asked)), None)
    # not hearing the machine is a reason for the person offered (你这个我听不清), no other
    doubts = (_REFUSING, _ASKED_BACK, _A_NOT_A, _NOT_SETTLED, _on_a_condition()) + (
        () if wanted and "operator" in wanted else (_NOT_HEARD,)
    )
    if not answer or not wanted or any(p.search(answer) for p in doubts):
        return False  # 人工是要收钱的不？ / 你们管不管开药 / 等我孙子回来问他
    return parse_intent(answer) in wanted


#: (twenty-second round) The question's keys, sentence by sentence (还要再挂一个，请按1。不用了，
#: 请按2。转人工，按0。): the words of the key that says yes (1, or 8 at a cancel) are what
#: the question asks; the other keys' words offer other things (要晚一点的, 转人工).
_KEY_SENTENCE = re.compile(
    r"(?P<said>[^。；？！.;?!]*?)[，,]?\s*(?:请\s*)?(?:再\s*)?按\s*(?P<key>[0-9一二三四五六七八九零星#*])"
    r"[^。；？！.;?!]*[。；.;]?"
)
_YES_KEYS = frozenset("18一八")


#: (twenty-second round) A sentence telling what is done already (您已经挂了12月9号…的号。),
#: before the question asked about something else: its details are not read back for a yes
#: (下个礼拜三, that booking's day, at "还要再挂一个…的号" is no yes to another).
_TOLD = re.compile(r"[^。；？！.;?!]*已经[^。；？！.;?!]*[。；.;]")


def _without_told(question: str) -> str:
    asked = _TOLD.sub("", question)
    return asked if asked.strip() else question


def without_key_instructions(question: str) -> str:
    """The question as asked, without its key instructions and the other keys' words:
    "还要再挂一个眼科的号，请按1。不用了，请按2。转人工，按0。" asks "还要再挂一个眼科的号。"."""
    return _KEY_SENTENCE.sub(
        lambda m: f"{m['said']}。" if m["key"] in _YES_KEYS and m["said"].strip() else "",
        question,
    )


#: "Anything else?" (还要办别的吗？) and "nothing more" said to it (没得了, 就这些).
_ANYTHING_ELSE = re.compile(r"(?:还|另外).*(?:别的|其他|其它)")
_NOTHING_MORE = re.compile(
    r"没得了|没有了|没了|没得别的|没有别的|就这些|就这个|就这样|不用了|不消了"
)


#: A slip taken back (不对不对, 说错了; not 不是, which refuses what follows it).
_SLIP = re.compile(r"不对|说错了|讲错了|搞错了")
#: A cancel offered (要取消吗？ 要把车取消掉吗？ 确定退号吗？), and the trip given up in
#: words of its own (不去了, 车也莫来了, 那个号用不着了，退了吧), unless kept (不取消, 还是要去).
_CANCEL_ASKED = re.compile(r"取消|退号|退掉")
#: No use for it, said as a question (号都没得了，还要车做哪样): given up, no question asked.
_NO_USE = re.compile(r"还?要(?:车|号|它|那个)做(?:哪样|啥子?|什么)[?？]?")
_GIVEN_UP = re.compile(
    r"不去了|不克了|莫来了|不用来了|不要来了|用不着了|不来了|退了吧|退掉|取消掉|取消了"
    r"|去不了|克不了|去不成|克不成|来不了"  # (twentieth round: 明天去不了)
    # (twenty-second round) the cancel said, then "not wanted" (取消 不要了; 去消 as the
    # recogniser writes it), the thing itself not wanted (车也不要了), no use for it (_NO_USE)
    r"|[取去曲]消\w{0,6}?不要了|(?:车|号|那个|这个|它|都)[也都]?不要了"
    # (twenty-second round) both cancelled together, the visit itself given up
    r"|(?:一起|都|也)[取去曲]消|不[去克](?:医院|看病|看了)\w{0,3}?了"
    f"|{_NO_USE.pattern}"
)
#: (twenty-second round) A question in the answer (都取消了吗, 钱阿退给我; not the particle 么
#: of 么我就不去了).
_ASKING = re.compile(r"吗|[?？]|哪|啥|什么|咋|阿\s*[退要是能有得行会去]")
#: (twenty-second round) What a cancel would cost or leave, asked about (取消了还要扣钱).
_AFTER_CANCEL = re.compile(r"还(?:要|能|可以|挂|约)|钱")
_KEPT = re.compile(r"不取消|莫取消|别取消|不要取消|不退|莫退|别退|还要去|还是去|还是要")


#: The booking kept at a cancel question (先留着, 眼科的留着), not kept in vain (留着也没用).
_KEPT_AS_IT_IS = re.compile(
    r"(?:留着|留到|留起|保留)(?![也都]?没用|做(?:啥|哪样|什么))"
    # (twenty-second round) "don't bother cancelling" (费事取消了: Kunming 费事, "no need")
    r"|(?:费事|懒得|犯不着)(?:[取去曲]消|退)"
)


def _gives_it_up(answer: str, question: str) -> bool:
    """At a cancel question, the trip given up in words of its own, not kept after and
    not asked about."""
    return bool(
        _CANCEL_ASKED.search(question)
        and _GIVEN_UP.search(answer)
        and not _KEPT.search(answer)
        and not _KEPT_AS_IT_IS.search(answer)
        # (twenty-second round) not asked about (都取消了吗 那我还去不去 / 取消了还要扣钱)
        and not any(
            p.search(_NO_USE.sub("", answer))
            for p in (_ASKING, _A_NOT_A, _NOT_SETTLED, _AFTER_CANCEL)
        )
    )


def _put_right_to_it(text: str, question: str, today: dt.date) -> bool:
    """A slip put right to the detail read back (明天下午 不对不对 上午 上午 是上午 at "给您挂的
    是明天上午，对吗？"), or the trip given up at a cancel question (嗯，不去了，车也莫来了):
    the no heard is a yes."""
    answer = _SPACES.sub("", text)
    if _gives_it_up(answer, question):
        return True
    slips = list(_SLIP.finditer(answer))
    if not slips:
        return False
    before, after = answer[: slips[0].start()], answer[slips[-1].end() :]
    return (
        bool(before.strip())
        and compare(before, question, today) == "differs"
        and compare(after, question, today) == "agrees"
    )


def against_question(value: str, text: str, question: str, today: dt.date) -> str | None:
    """The yes/no answer given what the question read back, where the question settles it
    (``value`` the rules' answer; None when it settles nothing): a detail put right is a no
    (是给我外婆挂 at 给您孙子挂号吗, even with its 是), a detail said again with no answer of
    its own or with a yes a yes (no model's guess over it). A no stays a no. The question
    is read without its key instructions (要晚一点的，请按2 offers no later slot)."""
    question = _without_told(without_key_instructions(question))
    if value == "no":
        return "yes" if _put_right_to_it(text, question, today) else None
    if _gives_it_up(_SPACES.sub("", text), question):
        return "yes"  # 取 消 取 消 都 不 要 了 / 一起取消掉，不去医院了 at "…车也取消吗？"
    if _ANYTHING_ELSE.search(question) and _NOTHING_MORE.search(_SPACES.sub("", text)):
        return "no"  # 没得了 就这个 谢谢 at "还要办别的吗？"
    if _CANCEL_ASKED.search(question) and _KEPT_AS_IT_IS.search(_SPACES.sub("", text)):
        return "no"  # 眼科的留着，我要取消的是骨科那个 / 要取消，不对不对，先留着
    compared = compare(text, question, today)
    if compared == "differs":
        return "no"
    if compared == "agrees":
        return "yes"  # 是两个，我跟我姑娘两个 at "一共两个人，对吗？"
    if value != "unknown":
        return None
    after = _after_asking_back(text.strip()) if _ASKED_BACK.search(text) else None
    if offer_taken(text, question) or _able_said_back(text, question):
        return "yes"
    if after and _able_said_back(after, question):
        return "yes"  # 啊？下楼？能嘞能嘞: the question asked back, then its verb
    return "no" if _unable_said(text, question) else None  # 走不动 腿痛 at "您能下楼吗？"


#: (twentieth round) A question of being able (您能下楼吗？ 可以下来吗？), and its answer
#: opening with the same word, or with 下得来, in a first clause with no no (能 的 能 的 /
#: 能嘞 慢慢 下来 / 下得来，就是慢点).
#: (twenty-first round) So is a question of having or being somewhere (您身边有家人陪着吗？
#: 您现在在家吗？) answered with its verb (有，我姑娘在旁边 / 在呢 / 在 在家).
_ABLE_ASKED = re.compile(r"(能|可以|会)\w{0,8}吗")
_HAVE_ASKED = re.compile(r"^(?:您|你)\w{0,4}?(有|(?<!现)在)\w{0,10}吗")
#: (twenty-first round) The potential form said for "can" (下得来, 走得出来, 走得动, 去得了) and
#: its no (下不来, 走不动, 去不了).
_ABLE_SAID = re.compile(
    r"^[嗯哦啊呃]*(?:(?P<verb>能|可以|会|有|在)(?![不没点些哪个事问])"
    r"|[走下出上起来去站动坐爬挪]得(?:来|去|出来|下来|动|到|了))"
)
_NOT_ABLE = re.compile(
    r"不能|不可以|不会|没法|没得法|不得行|不行|没有|没得|不在"
    r"|[走下出上起来去站动坐爬挪]不(?:来|去|出来|下来|动|到|了)"
)
#: What may follow 在 said back: a particle, or the question's own place (在家 at 在家吗).
_PARTICLES_ONLY = re.compile(r"[呢嘛的噻嘞哦啊呀]*")


def _unable_said(text: str, question: str) -> bool:
    """At a question of being able, the answer's first words say the caller cannot."""
    first = _CLAUSE_BREAK.split(_SPACES.sub("", text), maxsplit=1)[0]
    asked = _ABLE_ASKED.search(_SPACES.sub("", question))
    said = first.lstrip("嗯哦啊呃哎唉").removeprefix("我")
    return bool(asked and _NOT_ABLE.match(said) and not _NOT_NOT.match(said))


#: A double negation (不能不下来: "must"), no "cannot".
_NOT_NOT = re.compile(r"不(?:能|会|可以)不")


def _able_said_back(text: str, question: str) -> bool:
    plain = _SPACES.sub("", question)
    asked = _ABLE_ASKED.search(plain) or _HAVE_ASKED.search(plain)
    answer = _SPACES.sub("", text)
    said = _ABLE_SAID.match(answer)
    if asked is None or said is None or _NOT_ABLE.search(answer):
        return False
    verb = asked[1]
    if said["verb"] == "在":  # 在呢 / 在家 at 在家吗, not 在外头
        rest = _CLAUSE_BREAK.split(answer[said.end() :], maxsplit=1)[0]
        place = _PARTICLES_ONLY.sub("", rest)
        if place and place not in asked[0]:
            return False
    return said["verb"] in (None, verb) and not _ASKED_BACK.search(answer)
