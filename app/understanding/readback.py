"""A yes/no answer heard against the question that read a detail back.

"是给您孙子挂号吗？" answered "给我孙子" is a yes, answered "给我外婆挂" a no: the caller
said the detail again, or put it right, instead of 是 or 不是. Only the question tells which
(``understand("yesno", text, today, question=...)``). The details compared: the person
booked for (kin words, the patient's name), the day and half-day, the department, and any
other words of the answer the question said too (a place, a hospital). A detail the
question did not name is no answer to it and is not compared.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache, lru_cache

from app.understanding.department import parse_department, spoken_names
from app.understanding.numerals import NUM_CHARS, to_int
from app.understanding.people import KIN
from app.understanding.when import parse_when

_KIN_OF = {word: who for who, words in KIN.items() for word in words}
_KIN_WORD = "|".join(sorted(_KIN_OF, key=len, reverse=True))
#: A kin word as the one booked for (给我孙子 / 是我老伴 / 孙女的 / 孙子 alone), not one
#: only spoken of (我问问我老伴 / 我老伴他不在家).
_KIN_BOOKED_FOR = re.compile(
    rf"(?:[给是帮替为]\s*(?:我|您|你)?\s*(?:的|家)?\s*({_KIN_WORD}))"
    rf"|({_KIN_WORD})\s*的|^\W*({_KIN_WORD})\W*$|(自己|本人|自家|我个人|我本人)"
)
#: 给我 / 是我 said as the person: 给我挂, 就是我, 给我的 (not 给我妈, 给我孙子).
_ME = re.compile(r"(?:给|是)我(?=$|[挂看的嘛呢噻嘞哦啊呀，。,.!！?？])")
_SPACES = re.compile(r"\s+")
#: The question's own instructions (对，请按1。不对，请按2。转人工，按0。): not read-back.
_CLAUSE_CHARS = r"[^，。；？！,.;?!]*"
_KEY_INSTRUCTION = re.compile(f"{_CLAUSE_CHARS}按\\s*[0-9一二三四五六七八九零星#*]{_CLAUSE_CHARS}")
#: The answer asks back instead (孙子吗？/ 是哪个孙子 / 格是 / 周三还是周四): nothing to compare.
_ASKED_BACK = re.compile(
    r"吗|么|嘛\s*[?？]|[?？]|哪|啥|什么|咋个|几|[格噶阿]\s*[是要对行]"
    r"|还\s*是(?!\s*[要算不莫可行对就])"
)
#: Adding to the read-back rather than putting it right (也给我外婆挂一个 / 还有我老伴).
_ADDING = re.compile(r"也|还有|还要|再|另外|顺便|一起|一块")
#: The read-back refused in so many words (是明天，不是后天): what follows is the question's.
_REFUSED = re.compile(r"(?:不是|不对|不要|不去|不挂|莫)\s*(\w{2,})")
#: An hour said (七点, 7点半): compared with the question's when both say one.
_HOUR = re.compile(rf"([{NUM_CHARS}]{{1,3}})\s*点\s*(半)?")
#: Words that say nothing of the detail, taken off before an answer is looked for in the
#: question's words (对嘛，金马小区 → 金马小区).
_EMPTY = re.compile(
    r"[，。；？！、,.;?!…\s]|对|是|就|嘛|呢|噻|嘞|哦|噢|啊|呀|的|了|嗯|喽|咯|撒|我|们|在|那个|这个"
)
#: A detail said again with a doubt, a refusal or a complaint (太早了, 不得行, 莫): no yes.
_DOUBTS = re.compile(r"[不没莫别太怕难]")
_MIN_SAID_AGAIN = 2
_WEEK = 7


def _people(text: str) -> set[str]:
    found = {
        _KIN_OF[next(g for g in m.groups() if g)] for m in _KIN_BOOKED_FOR.finditer(text)
    }
    if _ME.search(text) and not found - {"self"}:
        found.add("self")
    return found


def _day(text: str, today: dt.date) -> tuple[str | None, str | None]:
    when = parse_when(text, today)
    if not isinstance(when, dict):
        return None, None
    return when.get("date"), when.get("session")


def _hour(text: str) -> tuple[int, bool] | None:
    m = _HOUR.search(text)
    hour = to_int(m[1]) if m else None
    return None if m is None or hour is None else (hour, bool(m[2]))


@cache
def _department_names() -> re.Pattern[str]:
    """A department named as one (眼科, 心内科), not a complaint that points to it."""
    return re.compile("|".join(sorted(map(re.escape, spoken_names()), key=len, reverse=True)))


def _same_day(said: str, asked: str) -> bool:
    """The same day, or the same weekday said without its week (周四 for 下周四)."""
    a, b = dt.date.fromisoformat(said), dt.date.fromisoformat(asked)
    return a == b or (abs((a - b).days) == _WEEK)


@lru_cache(maxsize=256)  # a question is asked, and maybe answered twice, in one call
def _question_details(
    question: str, today: dt.date
) -> tuple[set[str], str | None, str | None, str | None, tuple[int, bool] | None, str]:
    read_back = _KEY_INSTRUCTION.sub("", question)
    date, session = _day(read_back, today)
    plain = _SPACES.sub("", read_back).replace("您", "我")
    department = parse_department(read_back)
    return _people(plain), date, session, department, _hour(plain), plain


def compare(text: str, question: str, today: dt.date) -> str | None:
    """``"agrees"`` when the answer names only details the question read back, ``"differs"``
    when it names one the question read back otherwise, ``None`` when it names none (or
    asks back, or adds to it rather than putting it right)."""
    answer = _SPACES.sub("", text)
    if not answer or _ASKED_BACK.search(answer):
        return None
    people, date, session, department, hour, plain = _question_details(question, today)
    if any(m[1] in plain for m in _REFUSED.finditer(answer)):
        return "differs"  # 不是后天 at "是挂后天的号吗？"
    said: list[bool] = []  # per detail the answer and the question both name: the same?
    said_people = _people(answer)
    if said_people and people:
        said.append(said_people <= people)
    said_date, said_session = _day(text, today)
    if said_date is not None and date is not None:
        said.append(_same_day(said_date, date))
    if said_session is not None and session is not None:
        said.append(said_session == session)
    said_hour = _hour(answer)
    if said_hour is not None and hour is not None:
        said.append(said_hour == hour)
    said_department = parse_department(text) if _department_names().search(answer) else None
    if said_department is not None and department is not None:
        said.append(said_department == department)
    if not all(said):
        return None if _ADDING.search(answer) else "differs"
    content = _EMPTY.sub("", answer)
    if len(content) >= _MIN_SAID_AGAIN and content in plain:
        said.append(True)  # 金马小区门口 at "是从官渡区金马小区门口上车吗？"
    if _DOUBTS.search(answer):
        return None  # 八点太早了 / 明天下午不得行: the detail said with a doubt is no yes
    return "agrees" if said else None


def against_question(value: str, text: str, question: str, today: dt.date) -> str:
    """The yes/no answer ``value`` (the rules' and the model's) given what the question read
    back: a detail put right is a no (是给我外婆挂 at 给您孙子挂号吗, even with its 是), a
    detail said again with no answer of its own a yes. A no stays a no."""
    if value == "no":
        return value
    compared = compare(text, question, today)
    if compared == "differs":
        return "no"
    if compared == "agrees" and value == "unknown":
        return "yes"
    return value
