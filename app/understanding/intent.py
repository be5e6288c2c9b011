"""What the caller wants: taxi, hospital, cancel, query, repeat, operator or unknown."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from app.understanding import data
from app.understanding.department import named_department
from app.understanding.emergency import is_emergency
from app.understanding.fuzzy import Hit, Matcher
from app.understanding.normalize import (
    SEP,
    alternation,
    clause_len,
    clause_start,
    clean,
    said_again,
)
from app.understanding.patterns import compile_phrase

INTENTS = ("taxi", "hospital", "cancel", "query", "repeat", "operator")
_SHORT_CLAUSE = 4


@cache
def matcher() -> Matcher:
    """Matcher whose labels are ``"<intent>:strong"`` or ``"<intent>:weak"``."""
    entries: list[tuple[str, str]] = []
    intents = data.load("intent").get("intents") or {}
    for strength in ("strong", "weak"):
        for name, groups in intents.items():
            entries += [
                (c, f"{name}:{strength}")
                for p in groups.get(strength) or []
                for c in compile_phrase(str(p), clean)
            ]
            # A phrase the lexicon rewrites (喊个车 -> 叫个车) is also kept as written, so
            # a sound-alike of the dialect word is found (汉个车 ~ 喊个车).
            entries += [
                (c, f"{name}:{strength}")
                for p in groups.get(strength) or []
                for c in compile_phrase(str(p), _as_written)
            ]
    return Matcher(list(dict.fromkeys(entries)), fuzzy_min=2)


def _as_written(text: str) -> str:
    return clean(text, use_dialect=False)


@cache
def priority() -> tuple[str, ...]:
    return tuple(data.words("intent", "priority"))


@cache
def request_words() -> tuple[str, ...]:
    return tuple(clean(w) for w in data.words("intent", "request") if clean(w))


@cache
def narrative_words() -> tuple[str, ...]:
    return tuple(clean(w) for w in data.words("intent", "narrative") if clean(w))


def _any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """One regex found wherever any of ``words`` is (never, for no words)."""
    return re.compile(alternation(words) or "(?!)")


@cache
def _request() -> re.Pattern[str]:
    return _any_of(request_words())


@cache
def _narrative() -> re.Pattern[str]:
    return _any_of(narrative_words())


#: Request words that ask wherever they sit in the clause (叫个车，麻烦你).
_COURTESIES = ("麻烦", "请")
#: Words that ask in a clause after the story (我不会用手机打车，你们帮我叫一个).
_ASKING_US = (
    *("你帮我", "你们帮我", "帮我叫", "帮我喊", "帮我挂", "帮我约", "帮我订", "给我叫", "给我挂"),
)
_ASKING = (
    *_ASKING_US,
    *("麻烦你", "麻烦您", "请你", "请您", "能不能", "可不可以", "我要", "我想", "想要"),
)
_ASKING_AT = _any_of(_ASKING)
#: Asking the hotline itself, later in the story's own clause (医生叫我下个月再来复查你帮我约一下).
_ASKED_OF_US_AT = _any_of((*_ASKING_US, "麻烦你", "麻烦您"))
#: A phrase that opens with a want (想挂, 要挂) asks, whatever story came before.
_WANTING = ("想", "要")


def _told_not_asked(text: str, hit: Hit) -> bool:
    """A taxi or hospital phrase after or inside a story (the past, hearsay, a habit,
    another person's doing) with no request word before it in its clause and no asking
    words after it: 以前挂号要排队 asks nothing; 以前的号不要了，我要挂号 and 我不会用手机打车，
    你们帮我叫一个 do."""
    if not hit.label.startswith(("taxi:", "hospital:")):
        return False
    start = clause_start(text, hit.start)
    end = start + clause_len(text, hit.start)
    if _narrative().search(text, 0, end) is None:
        return False  # no story up to the end of its clause
    if text.startswith(_WANTING, hit.start):
        return False  # 那天我姑娘说可以打这个电话，就是想挂个号: the phrase itself asks
    before = text[start : hit.start]
    for told in narrative_words():  # 医生叫我: the 叫 of the story asks nothing
        before = before.replace(told, "|")
    return not (
        _request().search(before) is not None
        or any(w in text[start:end] for w in _COURTESIES)
        or _ASKING_AT.search(text, end) is not None
        or _ASKED_OF_US_AT.search(text, hit.end, end) is not None
    )


@cache
def trip_purposes() -> frozenset[str]:
    words = data.words("intent", "trip_purpose")
    return frozenset(c for w in words for c in compile_phrase(w, clean))


def _weak_counts(text: str, hit: Hit) -> bool:
    """A weak phrase is a request only in a short answer (little besides the phrase: 去医院,
    车嘛, not 医院好远) or next to a request word."""
    length = clause_len(text, hit.start)
    short = length <= 3 or length <= _SHORT_CLAUSE and length - hit.size <= 1
    if hit.label.startswith("repeat:"):
        return short  # 什么 / 啥 said alone; 我打电话做什么 asks nothing to be said again
    if hit.label.startswith("operator:") and _A_NUMBER.search(text.replace(SEP, "")):
        return False  # 零，三，五，七 (an ID's last four said): a number, not the key 0
    return short or _request().search(text) is not None


#: Three digits or more said together: a number (an ID's end, a phone number), in which a
#: 零 or 洞 is a digit, not the menu's key 0.
_A_NUMBER = re.compile("[零〇洞一幺二两三四五六七拐八九勾0-9]{3,}")


def _strong_names(text: str, hits: tuple[Hit, ...]) -> set[str]:
    """Intents heard strongly; a hospital phrase that only gives the purpose of a requested
    taxi (叫个车去医院看病) is not a second request."""
    names = {h.label.split(":")[0] for h in hits if h.label.endswith(":strong")}
    if {"taxi", "hospital"} <= names:
        hospital = [h for h in hits if h.label == "hospital:strong"]
        if all(text[h.start : h.end] in trip_purposes() for h in hospital):
            names.discard("hospital")
    return names


#: A booking told as news, not asked about or for (号已经挂好了, 号都挂起了, 挂号的事已经办好
#: 了): a query phrase with 已经 or 都 before it in its clause, a hospital phrase with 已经 in
#: its clause, and no question word in the clause.
_AS_NEWS = ("已经", "都", "早就")
_ASKS = ("没", "吗", "不", "?", "几", "哪", "多久", "什么")


def _said_as_news(text: str, hit: Hit) -> bool:
    start = clause_start(text, hit.start)
    clause = text[start : start + clause_len(text, hit.start)]
    if hit.label.startswith("query:"):
        if text.startswith("好了", hit.end - 2):  # 号挂好了，就是没得车: news; 挂好了没 asks
            return not text.startswith(_ASKS, hit.end)
        # 号早就挂好了 / 上回挂的号已经看过了 / 那个号，我已经去看过了
        told = any(w in text[start : hit.start] for w in _AS_NEWS) or "已经" in clause or (
            "已经" in text[hit.end :] and not any(w in text for w in _ASKS)
        )
    elif hit.label.startswith("hospital:"):
        told = "已经" in clause
    else:
        return False
    return told and not any(w in clause for w in _ASKS)


def _just_do_it(text: str, hit: Hit, hits: tuple[Hit, ...]) -> bool:
    """给我喊个车算了: 算了 right after a request in its clause means "just do it"."""
    return (
        hit.label.startswith("cancel:")
        and text[hit.start : hit.end] == "算了"
        and any(
            h.end == hit.start and h.label.startswith(("taxi:", "hospital:")) for h in hits
        )
    )


def _about_something_else(text: str, hit: Hit, hits: tuple[Hit, ...]) -> bool:
    """快递到哪里了: a query in a clause that names what the hotline does not do."""
    return hit.label.startswith("query:") and any(
        h.label == "none:strong"
        and h.exact
        and clause_start(text, h.start) == clause_start(text, hit.start)
        for h in hits
    )


#: 我要看医生，不要车 / 叫车嘛，挂号不消 (不用): a car or a booking said as not wanted.
_NOT_WANTED_BEFORE = ("不要", "不用", "莫要", "不叫", "不坐", "不挂", "不是")
_NOT_WANTED_AFTER = ("不要", "不用", "不叫", "不坐", "不挂", "就不用")


def _not_wanted(text: str, hit: Hit) -> bool:
    if not hit.label.startswith(("taxi:", "hospital:")):
        return False
    said = text[hit.start : hit.end]
    before = text[: hit.start].removesuffix("要").removesuffix("想")  # 不是要叫车
    if before.endswith(_NOT_WANTED_BEFORE) or (
        text[: hit.start].endswith("不") and said.startswith(("要", "用", "叫", "坐", "挂"))
    ):
        return True  # 不要车 / 不用挂号
    after = next((w for w in _NOT_WANTED_AFTER if text.startswith(w, hit.end)), None)
    # 车不要，/ 挂号不用: the refusal ends the clause (看医生不要车 refuses the car only)
    return after is not None and text[hit.end + len(after) : hit.end + len(after) + 1] in (
        "", "|", "了", "嘛", "啰", "咯"
    )


#: 这个月的号还没挂 / 车还没叫: what is not booked yet is no question about a booking.
_NOT_YET = re.compile("还?没(?:有|得)?(?:挂|约|订|预约|叫|喊)(?![好上到起着没吗])")


#: Everyday words that only sound like a phrase: never taken by sound.
_EVERYDAY_WORDS = frozenset({"的事", "拉我起"})


def _counts(text: str, hit: Hit) -> bool:
    if _said_as_news(text, hit) or _not_wanted(text, hit):
        return False
    if hit.label.startswith("query:") and _NOT_YET.match(text, hit.end):
        return False
    if (
        hit.label.startswith("cancel:")
        and not hit.exact
        and hit.size <= 2
        and any(c in "车号" for c in text[hit.start : hit.end])
    ):
        return False  # 坐错车了 is no 撤了: the car itself heard, not a sound-alike
    if not hit.exact and hit.size <= 2 and "好" in text[hit.start : hit.end]:
        return False  # 我好了 is no 我(那个)号: 好, one of the commonest words, not by sound
    if not hit.exact and text[hit.start : hit.end] in _EVERYDAY_WORDS:
        return False  # 没别的事 is no 的士, 拉我起来 no 拉我去
    if hit.label.startswith("none:") and not hit.exact:
        # a sentence is set aside only for words heard as written (丝胡四 is no 是护士)
        return False
    if _told_not_asked(text, hit):
        return False
    if hit.exact and hit.size >= 2 or hit.size >= 3:
        return True
    at_start = hit.start == clause_start(text, hit.start)
    return at_start or clause_len(text, hit.start) <= _SHORT_CLAUSE


def _decide(names: set[str]) -> str:
    for name in priority():
        if name in names:
            if name in ("taxi", "hospital") and {"taxi", "hospital"} <= names:
                return "unknown"
            return name
    return "unknown"


def parse_intent(text: str) -> str:
    """Return one of :data:`INTENTS` or ``"unknown"``.

    A sentence that is an emergency (``emergency.is_emergency``: 遭车撞了, 我妈摔了) is
    ``"operator"``, never a taxi or a hospital request: the kinds agree even for a caller
    of ``intent`` that does not ask ``emergency`` first.
    """
    intent = _parse_intent(text)
    if intent != "operator" and is_emergency(text):
        return "operator"
    return intent


@lru_cache(maxsize=64)
def _found(cleaned: str) -> tuple[Hit, ...]:
    """Every phrase found in a cleaned answer (remembered: the rules, the review of the
    backstop and the story check all read them)."""
    return tuple(matcher().hits(cleaned))


@lru_cache(maxsize=64)
def _heard(cleaned: str) -> tuple[Hit, ...]:
    """The phrases that count in a cleaned answer."""
    hits = _found(cleaned)
    return tuple(
        h
        for h in hits
        if _counts(cleaned, h)
        and not _just_do_it(cleaned, h, hits)
        and not _about_something_else(cleaned, h, hits)
    )


def says_nothing_asked(text: str) -> bool:
    """Did a ``none`` phrase hold the sentence (开出租的, 查养老金, 订火车票), or was every
    taxi or hospital phrase in it part of a story (听说叫车要用手机)? Then nothing was asked
    of the hotline, and no second opinion should find a request in it."""
    cleaned = clean(text)
    heard = _heard(cleaned)
    strong = {h.label for h in heard if h.label.endswith(":strong")}
    if strong == {"none:strong"}:
        return True
    if heard:
        return False
    return any(_told_not_asked(cleaned, h) for h in _found(cleaned))


#: 到时候再打电话 / 过几天再联系: the caller will call again; nothing is asked now.
_PUT_OFF = re.compile("(?:到时候|到时|以后|过几天|过两天|改天)再(?:打电话|打来|打给你|来电话|联系)")


#: 啊？ / 啥？ said alone with a question mark: "what did you say?" (the clean-up drops these
#: interjections, so they are read from the words as said).
_WHAT = re.compile(r"(?:\s*(?:啊|哈|啥|啥子|么子|什么|哪样|嗯)\s*[?？]+\s*)+")


#: The menu's keys said alone instead of pressed (一, 二, 零; 幺 and 两 as callers say them).
_KEYS_SAID = dict.fromkeys("一幺1", "taxi") | dict.fromkeys("二两2", "hospital")
_KEYS_SAID |= dict.fromkeys("零洞0", "operator")


#: 不叫车我打你们电话做什么 ("why else would I call") / 还不是要叫个车: asked for, not refused.
_WHY_ELSE_CALL = re.compile(
    r"不(叫|挂|约|订|看)(\w{0,4}?)我?还?(?:打|拨)(?:你们|你)?的?电话(?:来)?做什么"
)
_OF_COURSE = re.compile("还不是(?=要|想|为了)")


def _wanted_after_cancel(cleaned: str, hits: tuple[Hit, ...]) -> bool:
    """The cancel word said as "not cancelling" (不是取消) or refusing the other service
    (叫车是不用了), then a car or a booking asked for with 我要 / 我是要 / 我想 in a later
    clause: the caller wants that one (号不要了，我要叫车 still cancels the booking)."""
    last_cancel = max(h.start for h in hits if h.label.startswith("cancel:"))
    begins = clause_start(cleaned, last_cancel)
    after = begins + clause_len(cleaned, last_cancel)
    wanted = {
        h.label.split(":")[0]
        for h in hits
        if h.label in ("taxi:strong", "hospital:strong")
        and h.start > after
        and _WANT_SAID.search(cleaned, clause_start(cleaned, h.start), h.start + 2) is not None
    }
    refused = {
        h.label.split(":")[0]
        for h in hits
        if h.label.startswith(("taxi:", "hospital:")) and begins <= h.start < last_cancel
    }
    not_cancelling = cleaned.endswith("不是", 0, last_cancel)
    return bool(wanted) and (not_cancelling or bool(refused - wanted))


#: 算了 said alone, as many times as it comes.
_NEVER_MIND = re.compile("(?:算了)+")
#: 再叫一个 / 重新挂一个: the same service asked for again.
_ASKED_AGAIN = re.compile(
    "(?:再|重新)(?:帮我|给我)?(?P<verb>叫|挂)(?:一个|一辆|个|辆|一下|嘛)"
)


def _never_mind_then_asked(cleaned: str, hits: tuple[Hit, ...]) -> bool:
    """招手都招不着，算了，你们帮我喊一个嘛: 算了 said alone drops the grumbling before it,
    then the hotline is asked for something, or a car or a booking is wanted (我要喊车);
    nothing is cancelled (号不挂了，算了，… still cancels: every cancel word must be such a
    算了)."""
    cancels = [h for h in hits if h.label.startswith("cancel:")]
    for h in cancels:
        start = clause_start(cleaned, h.start)
        if not _NEVER_MIND.fullmatch(cleaned, start, start + clause_len(cleaned, h.start)):
            return False
    if _ASKED_OF_US_AT.search(cleaned, cancels[-1].end) is not None:
        return True
    # 我要找个人说话……算了，你说嘛，我要喊车: a want said after it, of a car or a booking
    return any(
        h.label in ("taxi:strong", "hospital:strong")
        and h.start > cancels[-1].end
        and _WANT_SAID.search(cleaned, clause_start(cleaned, h.start), h.start + 2) is not None
        for h in hits
    )


#: 挂号不挂了，还是喊个车 / 不坐车了还是挂个号: "rather" (还是) at most this many characters
#: (要, 想, 帮我) before the other service asked for.
_RATHER_REACH = 2


def _rather_the_other(cleaned: str, hits: tuple[Hit, ...]) -> bool:
    """One service refused, then the other asked for after 还是 ("rather"): the caller changed
    their mind, nothing is cancelled."""
    last = max(h.end for h in hits if h.label.startswith("cancel:"))
    refused = {
        h.label.split(":")[0]
        for h in hits
        if h.label.startswith(("taxi:", "hospital:")) and h.end <= last
    }
    return any(
        h.label in ("taxi:strong", "hospital:strong")
        and h.start >= last
        and h.label.split(":")[0] not in refused
        and (rather := cleaned.rfind("还是", last, h.start)) >= 0
        and h.start - (rather + 2) <= _RATHER_REACH
        for h in hits
    )


def _asked_again_after_cancel(cleaned: str, hits: tuple[Hit, ...]) -> str | None:
    """刚才那个车退了，现在又要出门了，再喊一个 / 那个号取消掉了……重新挂一个嘛: what was
    cancelled told as done, then the service asked for again after it: that request."""
    last = max((h for h in hits if h.label.startswith("cancel:")), key=lambda h: h.end)
    told_done = cleaned[last.start : last.end].endswith("了") or cleaned.startswith(
        ("了", "掉了"), last.end
    )
    again = _ASKED_AGAIN.search(cleaned, last.end)
    if again is None or not told_done:
        return None  # 取消，再叫一个: the car there is cancelled first, not doubled
    return "taxi" if again["verb"] == "叫" else "hospital"  # (喊 is 叫 after the clean-up)


#: (fifteenth round) A booking told as made (我约的, 帮我挂的号, 我的挂号, 那个预约) and a question
#: about it (几, 是不是, 在不在, 哪天 ...): a query, not a new booking (我想挂的是骨科 wants one).
_BOOKING_MADE = re.compile(
    "(?<![想要])(?:挂|约|预约)的(?:号|那个号|是)|我的(?:挂号|号|预约)|那个(?:号|预约|挂号)"
    "|我的?预约(?=还|是不是|在不在)"  # 我那个预约还在不在 (那个 dropped by the clean-up)
    # (sixteenth round) 姑娘帮我挂了号，你帮我看看是哪天: the booking told as made already
    "|(?<![想要])(?:挂|约|预约|订)(?:了|好了|到了)(?:\\w{0,4}?的)?号"
)
_ABOUT_IT = re.compile("几|是不是|在不在|还在|哪天|什么时候|啥时候|吗|作数|算数|有没有效")


def _asks_about_a_booking(cleaned: str) -> bool:
    made = _BOOKING_MADE.search(cleaned)
    return made is not None and _ABOUT_IT.search(cleaned, made.start()) is not None


#: 我要 / 我是要 / 我想: a want said by the caller.
_WANT_SAID = re.compile("我(?:是|就是|还是)?(?:要|想)")


def _person_given_up(cleaned: str, hits: tuple[Hit, ...]) -> bool:
    """(eighteenth round) A person asked for, then 算了 and a car or a booking asked for."""
    asked = max(h.end for h in hits if h.label == "operator:strong")
    never_mind = cleaned.find("算了", asked)
    return never_mind >= 0 and any(
        h.label in ("taxi:strong", "hospital:strong") and h.start > never_mind for h in hits
    )


def _parse_intent(text: str) -> str:
    cleaned = _OF_COURSE.sub("", _WHY_ELSE_CALL.sub(r"\1\2", clean(said_again(text))))
    if not cleaned:
        return "repeat" if _WHAT.fullmatch(text or "") else "unknown"
    if cleaned.rstrip("号个") in _KEYS_SAID:
        return _KEYS_SAID[cleaned.rstrip("号个")]
    hits = _heard(cleaned)
    if _PUT_OFF.search(cleaned) and not any(w in cleaned for w in _ASKING):
        return "unknown"  # 下个月可能要去复查，到时候再打电话: nothing asked today
    strong = _strong_names(cleaned, hits)
    if "cancel" in strong and (
        _wanted_after_cancel(cleaned, hits)
        or _never_mind_then_asked(cleaned, hits)
        or _rather_the_other(cleaned, hits)
    ):
        strong.discard("cancel")  # 叫车是不用了，我是要预约个大夫: the last wish counts
    if "cancel" in strong and (again := _asked_again_after_cancel(cleaned, hits)):
        strong = (strong - {"cancel"}) | {again}  # 上回那个号取消掉了……重新挂一个嘛
    if "operator" in strong and _person_given_up(cleaned, hits):
        strong.discard("operator")  # 我要找个人说话……算了，你说嘛，我要喊车: the last wish
    if strong == {"hospital"} and _asks_about_a_booking(cleaned):
        return "query"  # 我约的是第几号 / 我那个预约还在不在: a booking made, asked about
    if strong:
        return _decide(strong)
    weak = {h.label.split(":")[0] for h in hits if _weak_counts(cleaned, h)}
    if not weak and named_department(cleaned) is not None:
        return "hospital"  # "心内科" said on its own: the caller wants to book there
    return _decide(weak)
