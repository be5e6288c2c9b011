"""Digit strings (ID and phone numbers): 幺 两 洞 拐 勾, Arabic digits, 叉 / 艾克斯 for X."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

from app.understanding import data
from app.understanding.fuzzy import char_key, is_han
from app.understanding.normalize import basic
from app.understanding.numerals import to_int

_UNITS = "十百千"
#: The characters of a digit said (as a regex class body), for the patterns below.
_D = "零〇洞一幺二两三四五六七拐八九勾0-9"


@cache
def _tables() -> tuple[dict[str, str], dict[str, str], re.Pattern[str], re.Pattern[str]]:
    """(digit words, sound-alike keys, X words pattern, not-digit words pattern)."""
    raw = data.load("digits")
    strong: dict[str, str] = {}
    keys: dict[str, str] = {}
    for digit, spoken in (raw.get("digits") or {}).items():
        for word in spoken:
            w = basic(str(word)) or str(word)
            strong[w] = str(digit)
            if is_han(w):
                keys[char_key(w)] = str(digit)
    x_words = sorted((basic(str(w)) or str(w) for w in raw.get("x") or []), key=len, reverse=True)
    not_digits = sorted(data.words("digits", "not_digits"), key=len, reverse=True)
    return (
        strong,
        keys,
        re.compile("|".join(map(re.escape, x_words))),
        re.compile("|".join(map(re.escape, not_digits))),
    )


def _expand_units(text: str, strong: dict[str, str]) -> str:
    """Numbers said with units (二十三) become their digits (23); a number in tens takes
    at most one digit on each side (九十九零八 is 99 then 08, 三十六八 is 36 then 8)."""
    chars = re.escape("".join(k for k in strong if len(k) == 1))
    nonzero = re.escape("".join(k for k, v in strong.items() if len(k) == 1 and v != "0"))
    pattern = re.compile(
        f"[{nonzero}]?十[{nonzero}]?(?![{_UNITS}])|[{chars}]*[百千][{chars}{_UNITS}]*"
    )

    def repl(m: re.Match[str]) -> str:
        value = to_int(m.group(0))
        return str(value) if value is not None else m.group(0)

    return pattern.sub(repl, text)


def _expand_birth_date(text: str, strong: dict[str, str]) -> str:
    """一九四一年十月十五号 inside an ID number is its eight digits 19411015 (month and
    day in two digits each, as the ID writes them)."""
    chars = re.escape("".join(k for k in strong if len(k) == 1))
    date = re.compile(f"([{chars}]{{4}})年([{chars}十]{{1,3}})月([{chars}十]{{1,3}})[号日]")

    def two(said: str) -> str | None:
        value = to_int(said)
        return f"{value:02d}" if value is not None and 1 <= value <= 31 else None

    def repl(m: re.Match[str]) -> str:
        year = "".join(strong[c] for c in m.group(1))
        month, day = two(m.group(2)), two(m.group(3))
        return year + month + day if month and day else m.group(0)

    return date.sub(repl, text)


def _drop_preamble(text: str, strong: dict[str, str]) -> str:
    """"后四位是…", "最后六个…", "十八位的…": the count of digits announced is not a digit,
    nor is 么 asking it back (后四位么？五三零六)."""
    chars = re.escape("".join(k for k in strong if len(k) == 1))
    announced = re.compile(
        f"(?:(?:最后|后面|后边|末尾|尾巴|后|末|还有|剩下)(?:那|这)?(?P<n>[{chars}十]+)(?:位数|位|个)"
        f"|后头(?:那|这)(?P<m>[{chars}十]+)(?:位数|位|个)"
        f"|[{chars}十]+位(?:数)?|(?:后|末)[{chars}]\\s*(?=么))"
        "(?P<ma>\\s*么)?"
    )
    digit = re.compile(f"[{chars}]")

    def repl(m: re.Match[str]) -> str:
        # (twenty-second round) 后四位 么 么 四 九: the 么 is the first of the four digits
        # announced when only three follow it, not the question said back
        count = to_int(m["n"] or m["m"] or "")
        rest = _CLAUSE_END.split(text[m.end() :], maxsplit=1)[0]
        if m["ma"] and count and len(digit.findall(rest)) == count - 1:
            return "|幺"
        return "|"

    return announced.sub(repl, text)


#: Where a clause ends (what follows the announced count up to it are its digits).
_CLAUSE_END = re.compile(r"[，,。.？?！!；;…]")


def _expand_counts(text: str, strong: dict[str, str]) -> str:
    """"四个八" is 8888, "两个三一个八" is 338: a count of 2-9 before 个 and a digit."""
    chars = re.escape("".join(k for k in strong if len(k) == 1))
    counted = re.compile(f"([{chars}])个([{chars}])")

    def repl(m: re.Match[str]) -> str:
        count = int(strong[m.group(1)])
        return m.group(2) * count if 1 <= count <= 9 else m.group(0)

    return counted.sub(repl, text)


#: 三四五六，说错了，三四五七: the digits said again after a correction count (so do those
#: after 对对对, "yes, that is it": 二三四六，哦对对对，二三四五).
_CORRECTIONS = re.compile(
    "说错了|讲错了|念错了|错了|不对不对|不对|哦不是|哦不|不是不是|重新说|重说|对对对|对对"
    "|说反了|念反了|说倒了|噢不|喔不"  # (nineteenth round: …说反了 …; …噢 不 …)
    "|唔系|唔係|唔啱|唔对"  # (a relative's Cantonese: 七五二一，唔系，七五二九)
    "|(?i:sorry)|对不起|不好意思"  # (a grandchild's sorry, 3 0 1 5 sorry 3 0 1 6)
    "|我这\\s*(?:张)?\\s*嘴|嘴\\s*瓢\\s*了"  # (幺 幺 幺 哎呀 我 这 嘴 幺 八 三 零)
)




#: 九 六 五 差 / 拐 八 两 乘: 叉 (the X) heard as 差, or said as 乘 (the multiplication sign),
#: said last after digits.
_X_HEARD_AS_CHA = re.compile(f"(?<=[{_D}])\\s*[差乘插]\\s*(?:[嘛哦呢。.！!]\\s*)*$")


@cache
def _x_words_spaced() -> re.Pattern[str]:
    """乘 号 / 艾 克 斯: an X word of grammars/digits.yaml (of two characters or more, not one
    said twice like 叉叉) written with the recogniser's gaps."""
    words = [str(w) for w in data.words("digits", "x") if len(set(str(w))) > 1 and is_han(str(w))]
    return re.compile("|".join("\\s+".join(map(re.escape, w)) for w in words) or "(?!)")


#: (seventeenth round) 莫记成零三九二了 / 别写成一二三四: what the number is not.
_NOT_WRITTEN_AS = re.compile(
    r"[，,。.\s]*(?:您|你)?\s*(?:莫|别|不要)\s*(?:记|写|搞|听|弄)\s*成\s*[^，,。.!！]*"
)
#: (seventeenth round) 幺就是一 / 两两就是二二 / 零是最后一位 / X就是罗马数字十那个叉 / 请注意:
#: a digit of the number said explained after the whole number.
_EXPLANATION_TAIL = re.compile(
    rf"[，,。.!！]\s*(?:(?:[{_D}]|叉|X|x){{1,2}}\s*(?:就\s*)?是\s*(?![{_D}\s]*$|这|那|对)|请\s*注\s*意"
    # (eighteenth round) 一七八的七就是拐 / 一三七就是幺三拐 / 七，七八的七: digits of the number
    # named by the group they are in, or said again in other words
    # (twenty-second round) a group of four explained so (…，两九两九就是二九二九)
    rf"|(?:[{_D}]\s*[，,]\s*)?[{_D}]{{2,4}}\s*的\s*[{_D}]|[{_D}]{{3,4}}\s*就\s*是\s*[{_D}]{{3,4}}[。.！!\s]*$)"
)
#: (seventeenth round) 一、二、三、四，四个数: the places counted aloud before the digits.
_COUNTING_ALOUD = re.compile(
    r"一\s*[、，,]\s*二\s*[、，,]\s*三\s*[、，,]\s*四\s*[，,。]?\s*[四4]\s*个\s*(?:数字?|位)\s*[：:，,]?"
)
#: (seventeenth round) ……零零零五，三个零一个五: the digits said again as counts, at the end.
_COUNT_SUMMARY = re.compile(
    f"[，,。.\\s]*(?:[一二两三四五六七八九]\\s*个\\s*[{_D}]\\s*){{1,4}}[。.!！]*\\s*$"
)


def _restates(before: str, summary: str) -> bool:
    """Do the counts at the end (三个零一个五) say again the last digits said before them?"""
    said, counted = parse_digits(before), parse_digits(summary)
    return bool(said and counted and len(said) >= min(_WHOLE_LENGTHS) and said.endswith(counted))


def parse_digits(text: str) -> str | None:
    """Return the digits said (``0-9`` and ``X``), or ``None`` when no digit was said.

    (Nineteenth round) Around :func:`_parse_digits`: the number's end said again after it
    (…，后头是二九), X as the Roman ten, 么 said last as a particle; no number when a digit is
    not known or the rest is forgotten (一三八……后头忘掉了, 两千零几); each group said twice
    said once; a group then the whole begun with it (我说 六幺 不对 八幺 八幺四四); a mobile
    number said whole again at the end after a correction."""
    again = _END_SAID_AGAIN.search(text)
    if again:  # 座机，六八三三零二二九，后头是二九: the number, then its end said again
        said_again = again["end"] or again["confirmed"]
        number, end = _parse_digits(text[: again.start()]), _digits_of(said_again)
        if number and end and len(number) in _WHOLE_LENGTHS and (
            number.endswith(end) or again["confirmed"] and end in number
        ):
            return number
        if number and end and len(number) in _WHOLE_LENGTHS and _PUT_RIGHT_LAST.search(
            text[: again.start()]
        ):
            return number[: -len(end)] + end  # …零三四六 不对 最后是零三四八: the end put right
        if number and end and len(number + end) == _MOBILE and number[0] == "1":
            return number + end  # 一三九八七二五 我姑娘说后头是三零四八: the rest of it
    text = _ROMAN_TEN.sub("叉", _X_REMARK.sub("", text))  # 罗马数字的十 / 是叉哈 不是十: the X
    # …幺 四 八 二 不对 是 四 八 三 / …九 七 哦 最后一个不是七 是八: the end put right
    end_put_right = _END_PUT_RIGHT.search(text)
    if end_put_right and not _OTHER_PLACE_NAMED.search(text[: end_put_right.start()]):
        number = _parse_digits(text[: end_put_right.start()])
        named = _digits_of(end_put_right["named"] or "") or ""
        if not (number or "").endswith(named):  # …四 八 二 不对: the number's own end
            number = _parse_digits(text[: end_put_right.end("named")])
        end = _digits_of(end_put_right["end"])
        if number and end and len(number) in _WHOLE_LENGTHS and len(end) < len(number):
            was = number[-len(end) :]
            differ = sum(a != b for a, b in zip(was, end, strict=True))
            # one digit changed, or (twentieth round) two swapped (四幺七六 不对 是四七幺六)
            if (differ == 1 or sorted(was) == sorted(end)) and number.endswith(named):
                return number[: -len(end)] + end
    counted = _counted_place_by_place(text) or _each_said_twice(text)
    if counted is not None:
        return counted  # 一个 幺 两个 五 …; 每个说两遍：九九、四四、零零、X X
    said = _parse_digits(_PARTICLE_LAST.sub(r"\1", text))
    if said is None or _ONLY_ANSWER_WORDS.fullmatch(text) or _BORN_ON.search(text):
        return None  # 是 是 是 吧: "yes, yes", no digit said; 一九四三年三月十二号生的: a birthday
    whole = len(said) in _WHOLE_LENGTHS
    if _UNSURE_DIGIT.search(text) or not whole and _UNSURE.search(text):
        return None  # 一三八……后头是哪样我忘掉了 / 五……还是三 / 两千零几: not the number
    if not whole or len(said) == _WHOLE_ID and not _looks_like_id(said):
        said = _groups_said_twice(text) or _begun_again_whole(text) or said
    return said if _looks_like_id(said) else _mobile_said_again(text, said)


def parse_digit_answer(text: str) -> str | None:
    """The digits said as an answer (:func:`parse_digits`), where (twentieth round) one
    digit among other words is none (我的有个叉), unless said as the one meant (最后一位是叉)."""
    said = parse_digits(text)
    words = _SPACES_ONLY.sub("", text)
    if said is not None and len(said) == 1 and len(words) > _ONE_DIGIT_SAID:
        return said if _SAID_AS_THE_ONE.search(words) else None
    return said


#: The one digit said as what is meant (最后一位是叉, 尾号是艾克斯), said last.
_SAID_AS_THE_ONE = re.compile(r"是[^是]{1,4}$")


def _mobile_said_again(text: str, said: str) -> str:
    """一五八 七七二三 四四六零 不对 最后是四四六八 一五八七七二三四四六八: the mobile number
    said whole again at the end, after its parts or a correction."""
    first = _digits_of(_CORRECTIONS.split(text, maxsplit=1)[0]) or ""
    heard = said if len(said) > _MOBILE else "".join(_groups(text))
    if len(heard) <= _MOBILE or (heard is not said and _PUT_RIGHT.search(text) is None):
        return said
    last = heard[-_MOBILE:]
    return last if last[0] == "1" and first.startswith(last[:3]) else said


#: A digit put right (不是六六二三，是六六三二) before the number said whole again.
_PUT_RIGHT = re.compile("不是|不对|错了")
#: ... said last, right before what follows (…零三四六 不对 | 最后是零三四八).
_PUT_RIGHT_LAST = re.compile(r"(?:不是|不对|错了)[\s，,。.]*$")
_MOBILE = 11
#: (nineteenth round) The caller does not know or cannot read the rest (忘掉了, 记不得,
#: 想不起来, 瞧不清楚), an unknown digit (幺三几), or one digit or another (四还是十).
_UNSURE = re.compile(
    r"忘|记\s*不\s*[得到住清]|想\s*不\s*起|不\s*记\s*得|[搞瞧看认]\s*不\s*[清到]|不\s*晓\s*得"
    r"|不\s*知\s*道|[找翻]\s*(?:一\s*)?下\s*本|信\s*号\s*不\s*好|听\s*不\s*[见到清]"
    r"|问\s*一\s*下|去\s*问|再\s*打|等\s*哈\s*再|回\s*头\s*再"
    # (twenty-first round) the line breaking up, the rest to be looked for or known by
    # another, the phone gone (…喂？喂？听得见吗？ / 我再找找 / 说不清楚 / 座机早就拆掉了)
    r"|喂\s*[？?，,。.…\s]*喂|听\s*得\s*[见到]|再\s*找|找\s*找|说\s*不\s*清|拆\s*掉"
    r"|刚\s*才\s*说\s*到|[他她]\s*晓\s*得"
    rf"|[{_D}]\s*几|[{_D}][\s…，,。.]*还\s*是\s*[{_D}]"
)
_NOT_SURE = (
    r"(?:不\s*敢\s*肯\s*定|拿\s*不\s*准|不\s*确\s*定|搞\s*不\s*[清准]|记\s*不\s*[清准]|说\s*不\s*准"
    r"|看\s*不\s*清|瞧\s*不\s*清|[弄搞记]\s*混)"
)
#: A number said as a quantity with a part not known (两千零几), or one of two numbers
#: (要么是六三幺二，要么是六三二幺): no number, however many digits.
_UNSURE_DIGIT = re.compile(
    r"[千百]\s*零?\s*几|要么.*要么|(?:几|什\s*么|啥)\s*来\s*着[\s。.？?…]*$"
    # (nineteenth round) one number or another, and not sure (八八八八还是八八八六，我不敢肯定;
    # 头一个 看不清 是 二 还是 三)
    rf"|[{_D}][\s，,…]*还\s*是\s*[{_D}].*{_NOT_SURE}"
    rf"|{_NOT_SURE}.*[{_D}]\s*还\s*是\s*[{_D}](?!.*(?:哦|噢|对|是))"  # unless settled after
    # the rest of the number missing (后头我要去翻下本本; 后头忘了)
    r"|(?:后\s*头|后\s*面|后\s*边|剩\s*下)[^。.]{0,10}?(?:忘|记\s*不|不\s*记|想\s*不|[翻找]\s*(?:一\s*)?下)"
    # (twenty-second round) the ID's digits not known, another card's said instead (身份证后四位
    # 不晓得，医保卡的后四位我倒是记得，三三二幺)
    r"|身\s*份\s*证[^。.]{0,10}?(?:不\s*晓\s*得|不\s*记\s*得|记\s*不|忘|想\s*不\s*起)"
    r"[^。.]*?(?:医\s*保|社\s*保|银\s*行|老\s*年|公\s*交)\s*卡"
    # (twentieth round) … 后头的我要翻本本 / 本本不见了 / 是好多嘞
    r"|(?:后\s*头|后\s*面|后\s*边|剩\s*下)[^。.]{0,10}?(?:翻\s*本|本\s*本|是\s*好\s*多|是\s*多\s*少)"
)
_WHOLE_ID = 18
#: Nothing but words of assent (是 是 是 吧): their sound-alike digits (四, 八) are no number.
_ONLY_ANSWER_WORDS = re.compile(r"[\s是吧嘛啊哦对好的嗯呢，,。.！!？?]+")
#: (twentieth round) A date of birth said as such (一九四三年三月十二号生的): no number asked.
_BORN_ON = re.compile(
    rf"[{_D}十]\s*年\s*[{_D}十]+\s*月(?:\s*[{_D}十]+\s*[号日])?\s*(?:生|出\s*生)"
)
_SPACES_ONLY = re.compile(r"[\s，,。.！!？?…]+")
_ONE_DIGIT_SAID = 3  # (幺 / 是 幺 嘛: a digit said alone, kept; more words around it are not)
#: (nineteenth round) The end of a whole number put right, one digit changed (…四 八 二 不对
#: 是 四 八 三; 最后一个不是七 是八).
_END_PUT_RIGHT = re.compile(
    rf"[，,。.…\s]*(?:哦|哎呀)?[，,\s]*(?:最\s*后\s*(?:一\s*个|那\s*个)?\s*)?"
    # (twentieth round) the group named before its 不对 (二二幺八不对，是二二八幺)
    rf"(?P<named>[{_D}](?:\s*[{_D}]){{1,3}}\s*)?"
    rf"(?:不\s*对|说\s*错\s*了|不\s*是\s*[{_D}](?:\s*[{_D}]){{0,3}})\s*[，,]?\s*(?:是|应该是)\s*"
    rf"(?P<end>[{_D}](?:\s*[{_D}]){{0,3}})[\s。.！!嘛哦]*$"
)
#: ... not another digit's place named just before it (第一个 不是 三 是 五).
_OTHER_PLACE_NAMED = re.compile(r"(?:第\s*[一二两三四五六七八九十]+|头\s*一)\s*[个位]\s*$")
#: (nineteenth round) The X said again as such after the number (八九六叉 是叉哈 不是十).
_X_REMARK = re.compile(
    r"(?<=叉)[\s，,。.]*(?:是\s*叉\s*[哈嘛哦]?)?[\s，,。.]*不\s*是\s*十[\s。.！!哈嘛哦]*$"
    # (…七 九 零 叉 叉 是 那 个 叉: the X said to be the letter)
    r"|(?<=叉)[\s，,。.]*是\s*(?:那\s*个\s*)?(?:叉|字\s*母)[\s。.！!哈嘛哦]*$"
    # (twentieth round) …零 X 大写的X: the letter said again as a capital
    r"|(?<=[叉Xx])[\s，,。.]*[大小]\s*写\s*的?\s*[叉Xx][\s。.！!哈嘛哦]*$"
)
#: (nineteenth round) X described as the Roman ten (罗马数字的十, 罗 马 数 字 那 个 十).
_ROMAN_TEN = re.compile(r"罗\s*马\s*(?:数\s*字)?\s*(?:的)?\s*(?:那\s*个)?\s*十")


def _begun_again_whole(text: str) -> str | None:
    """A group, then the whole number begun with it (我说 六幺 不对 八幺 八幺四四; 开头是七
    七六五四): the last group, when it is whole."""
    chunks = [c for c in _CHUNK_GAPS.split(text) if _digits_of(c)]
    if len(chunks) < 2:
        return None
    last, before = _digits_of(chunks[-1]), _digits_of(chunks[-2])
    if last is None or before is None or len(before) >= len(last):
        return None
    return last if len(last) in _WHOLE_LENGTHS and last.startswith(before) else None


_CHUNK_GAPS = re.compile(r"[\s，,。.…、：:；;]+")


def _groups_said_twice(text: str) -> str | None:
    """Each group said twice for certainty (一三六……一三六，九六一八……九六一八，零五二三):
    the number with each said once, when that makes a whole number."""
    groups = _groups(text)
    # a group said again, or begun and then said whole (零三幺……零三幺九): said once
    once = [
        g for i, g in enumerate(groups) if i + 1 == len(groups) or not groups[i + 1].startswith(g)
    ]
    joined = "".join(once)
    return joined if len(once) < len(groups) and len(joined) in _WHOLE_LENGTHS else None
#: (nineteenth round) The end of the number said again, last (…，后头是二九 / 末尾是九五).
_END_SAID_AGAIN = re.compile(
    rf"[，,。.\s]+(?:后\s*头|后\s*面|最\s*后|末\s*尾|尾\s*号)\s*(?:两\s*个|两\s*位|几\s*个)?\s*(?:是|就\s*是)?"
    rf"\s*(?P<end>[{_D}](?:[\s，,]*[{_D}]){{1,3}})[\s。.！!嘛哈哦]*$"
    # a group of it said again as right (…拐零九四没错)
    rf"|[，,。.\s]+(?P<confirmed>[{_D}](?:\s*[{_D}]){{1,3}})\s*(?:没错|对的|是对的|对头)[\s。.！!嘛哈哦]*$"
)
#: 么 said last after four digits or more as the question's particle (零 九 九 五 么).
_PARTICLE_LAST = re.compile(
    rf"(?<=[{_D}])((?:\s*[{_D}]){{3}})\s*(?:么|是|是的|是嘞|吧)[\s？?。.！!嘛哦]*$"
)


def _mobile_or_id(digits: str) -> bool:
    return len(digits) == _MOBILE and digits[0] == "1" or _looks_like_id(digits)


def _looks_like_id(digits: str) -> bool:
    """18 characters with a birth year of 19xx or 20xx where an ID holds it."""
    return len(digits) == 18 and digits[6:8] in ("19", "20")


def _parse_digits(text: str) -> str | None:
    """:func:`parse_digits` before a mobile number said again is looked for.

    Where other numbers come too (an age, a year, a house number: 我今年七十八了，身份证
    后面是幺九洞三), the digits after the last "是" / "就是" that make a number of a length
    asked for are the answer, else the whole, else the one run of four digits among
    several. Four digits said twice in a row (三四五六三四五六) are said once."""
    last_four_named = _LAST_FOUR_NAMED.search(text) is not None
    end_first = _END_THEN_FRONT.search(text)
    if end_first:  # 尾号是五五六六，前面是幺八九 零八七二 / 最后是X，前面是零零九
        end, front = parse_digits(end_first["end"]), parse_digits(end_first["front"])
        if end and front and len(front + end) in _WHOLE_LENGTHS:
            return front + end
    from_the_top = list(_FROM_THE_TOP.finditer(text))
    if from_the_top and (said := parse_digits(text[from_the_top[-1].end() :])) is not None:
        return said  # 六 八 等 哈 我 从 头 念 六 八 五 五 二: the number said again, whole
    text = _NOT_WRITTEN_AS.sub("", text)  # ……，莫记成零三九二了: not the number
    text = _ANCHOR_AGAIN.sub(r"\g<d>，", text)  # 八三五……五后面是啥子？哦，是六: 五 said once
    text = _without_group_refused(text)  # 是一五八，不是一五九，一五八，…: the group said again
    text = _COUNTING_ALOUD.sub("，", text)  # 我数一下，一、二、三、四，四个数：五、八、零、二
    explained = _EXPLANATION_TAIL.search(text)
    if explained and len(parse_digits(text[: explained.start()]) or "") in _WHOLE_LENGTHS:
        text = text[: explained.start()]  # ……九九二零。幺就是一: the number said, then explained
    summary = _COUNT_SUMMARY.search(text)
    if summary and summary.start() and _restates(text[: summary.start()], summary[0]):
        text = text[: summary.start()]  # 零，零，零，八。三个零一个八: said again as counts
    text = _x_words_spaced().sub(
        lambda m: "".join(m.group(0).split()), _X_HEARD_AS_CHA.sub(" 叉", text)
    )
    text = _TENS_SPACED.sub(lambda m: "".join(m.group(0).split()), text)
    tail = _tail_put_right(text)  # before 六 是 六 is read as a digit explained
    if tail is not None:
        return tail
    text = _said_plainly(text)
    by_place = _place_by_place(text)
    if by_place is not None:
        return by_place
    remarked = _remark_on_a_digit(text) or _digit_at_corrected(text)
    if remarked is not None:
        return remarked
    meant = _MEANT_NOT_THAT.search(text)
    said = _digits_of(meant["meant"]) if meant else None
    if meant and said and len(said) in _WHOLE_LENGTHS and len(said) == len(
        _digits_of(meant["not"]) or ""
    ):
        return said  # 应该是七六五一，不是七六五二: the whole number meant (not one digit's)
    text = _NOT_A_NUMBER_ASKED.sub("，", text)  # 我今年八十二了 / 住在二十六号: no digits asked
    text = _without_restated_beginning(_without_restatements(text))
    text = _ANNOUNCED.sub("，", text)  # 前面两个 五 五: no count (两个五 would be 55)
    put_first = _PUT_IN_FRONT.search(text) or _AREA_CODE_AFTER.search(text)
    if put_first and text[: put_first.start()].strip():
        # 六五八三二二幺零，前头还要加零八七幺 / 二幺二八八五零 区号零八七三: the area code said
        # after the number goes in front
        code, number = _digits_of(put_first["code"]), parse_digits(text[: put_first.start()])
        if code is not None and number is not None and code.startswith("0"):
            return code + number
    # 零八七六那个是区号，号码是… / 区号是零八七零，后头是二二幺三五八六: the code first
    for code_first in (_CODE_NAMED_AFTER.search(text), _AREA_CODE_BEFORE.search(text)):
        number = parse_digits(text[code_first.end() :]) if code_first else None
        if code_first and number and len(number) in (7, 8):
            code = _digits_of(code_first["code"] or code_first.groupdict().get("first") or "")
            if code is not None and code.startswith("0") and 3 <= len(code) <= 4:
                return code + number
    spelled = _spelled_out(text)
    if spelled is not None:
        return _four_said_again(spelled, text) or spelled
    whole = _digits_of(text)
    if whole is not None and (len(whole) == 18 or len(whole) == 11 and whole[0] == "1"):
        return whole  # a whole ID or mobile number, however its parts were announced
    groups = _groups(text)
    restarted = _begun_again_in_groups(groups)
    if restarted is not None:
        return restarted  # 七……七零……七零四二: begun again until said whole
    if (again := _four_said_again(whole, text)) is not None:
        return again  # 山 零 二 零 山 零 二 零 / 五二一六……哦，五二一七: four said again
    if whole and last_four_named and (four := _begun_again(whole, lengths=(4,))):
        return four  # 后四位是吧……七 七零 七零四二: the last four, begun again
    mobiles = [g for g in groups if len(g) == 11 and g[0] == "1"]
    if whole is not None and mobiles and not last_four_named:
        return mobiles[-1]  # ……幺三零零八七幺九九五二，后面是九九五二: the last mobile said whole
    for said in _after_markers(text):
        digits = _id_end_begun_again(_digits_of(said))
        if digits is not None and len(digits) in _WHOLE_LENGTHS:
            return digits
    whole = _id_end_begun_again(whole)
    if whole is None or len(whole) in _WHOLE_LENGTHS:
        return whole
    begun_again = _begun_again(whole)
    if begun_again is not None:
        return begun_again  # 九 八 九 八 七 九 八 七 二: begun again, the gaps unheard
    collapsed = _without_groups_begun_again(groups)
    if len(collapsed) in _WHOLE_LENGTHS and collapsed != "".join(groups):
        return collapsed  # 一三八，八七幺……八七幺几来着……八七幺五，二零三三: a group begun again
    fours = [g for g in groups if len(g) == 4]
    return fours[0] if fours and len(set(fours)) == 1 else whole


#: (eighteenth round) 八三五……五后面是啥子？哦，是六 / 三 六 九 呃 九 后 头 是 五: the last digit
#: said again as the place to go on from, after a pause (not 八 八 后头: two eights).
_ANCHOR_AGAIN = re.compile(
    rf"(?P<d>[{_D}])\s*(?:[，,。.…、]+|呃|嗯|哦)[\s，,。.…、]*(?P=d)\s*(?:后\s*面|后\s*头|后\s*边)"
)
#: (eighteenth round) 是一五八，不是一五九，一五八，…: a group refused between two sayings of it.
_GROUP_REFUSED = re.compile(
    rf"(?P<a>[{_D}](?:\s*[{_D}]){{1,4}})[\s，,。.]*不\s*是\s*(?P<b>[{_D}](?:\s*[{_D}]){{1,4}})[\s，,。.]*"
)


def _without_group_refused(text: str) -> str:
    m = _GROUP_REFUSED.search(text)
    if m is None:
        return text
    said, refused = _digits_of(m["a"]), _digits_of(m["b"])
    after = _digits_of(text[m.end() :]) or ""
    if said and refused and len(said) == len(refused) and after.startswith(said):
        return text[: m.start()] + text[m.end() :]
    return text


#: (eighteenth round) 尾号是五五六六，前面是幺八九零八七二 / 最后是X，大写的X，前面是零零九:
#: the end said first, then what goes in front of it.
_END_THEN_FRONT = re.compile(
    r"(?:尾\s*号|后\s*四\s*位|最\s*后(?:\s*一\s*[个位])?|后\s*头|后\s*面)\s*(?:就\s*)?是\s*"
    r"(?P<end>[^，,。.！!？?]+?)[，,。.！!？?\s]+(?:[^，,。.！!？?]*?[，,。.！!？?\s]+)?"
    r"(?:前\s*面|前\s*头|前\s*边)\s*(?:就\s*)?是\s*(?P<front>[^，,。.！!？?]+)[。.！!\s]*$"
)
#: (eighteenth round) 我从头念 / 重新说一遍 / 再报一次: the number begun again from the top.
_FROM_THE_TOP = re.compile(
    r"(?:从\s*头|重\s*新|再)\s*(?:念|说|讲|报|来)\s*(?:一\s*(?:遍|次|道|哈|下))?"
)
#: (sixteenth round) 第一个是五，第二个是零，第三个是二，第四个是三: each digit by its place.
_AT_EACH_PLACE = re.compile(
    f"(?:第\\s*(?P<n>[一二两三四五六七八九十]+)\\s*(?:个|位)|(?P<first>头\\s*一\\s*[个位])"
    f"|(?P<last>最\\s*后\\s*一\\s*[个位]))\\s*(?:数字|数)?\\s*(?:就|也)?\\s*(?P<is>是)?\\s*[…,，\\s]*"
    f"(?P<d>[{_D}]|叉|x|X)"
)


#: (nineteenth round) Each digit with its place counted aloud, the place before the digit
#: (一个 是 二 两个 是 二 …; 第一个一，第二个三，…) or after it (幺，一个；五，两个；… / 八，这是
#: 头一个；洞，第二个；…).
_NTH = r"(?P<n>[一二两三四五六七八九十]+|头\s*一|最\s*后\s*一)"
_PLACE_THEN_DIGIT = re.compile(
    rf"(?:第\s*)?{_NTH}\s*(?:个|位)\s*(?:数字|数)?\s*(?:就|也)?\s*(?:是)?\s*[…,，：:\s]*"
    rf"(?P<d>[{_D}]|叉|x|X)"
)
_DIGIT_THEN_PLACE = re.compile(
    rf"(?P<d>[{_D}]|叉|x|X)\s*[，,、：:]?\s*(?:这\s*是\s*)?(?:第\s*)?{_NTH}\s*(?:个|位)"
)
_LEAST_COUNTED = 4


#: (nineteenth round) Each digit said twice to be sure (九九、四四、零零; 幺 幺 零 零 八 八
#: 四 四 每个两遍), said so or in groups of two alike, four or more; a correction or 重来
#: before it leaves what follows.
_TWICE_SAID = re.compile(r"两\s*遍|两\s*次|说\s*两|念\s*两|每\s*个")
_START_AGAIN = re.compile(
    r"重\s*来|重\s*新|不\s*对|说\s*反\s*了|说\s*错\s*了|再\s*(?:说|念|讲|报)\s*一\s*[遍次]"
)
_PURE_DIGITS = re.compile(rf"(?:[{_D}]|叉|x|X)+")
_LEAST_PAIRS = 3


def _each_said_twice(text: str) -> str | None:
    """The number with each digit said once, when every digit was said twice (see above)."""
    restart = list(_START_AGAIN.finditer(text))
    rest = text[restart[-1].end() :] if restart else text
    heard = [
        (_PURE_DIGITS.fullmatch(c) is not None, _digits_of(c) or "")
        for c in _CHUNK_GAPS.split(rest)
        if c
    ]
    if any(not is_pure and len(digits) > 1 for is_pure, digits in heard):
        return None  # 幺三零，零零，幺幺: digits also said otherwise than twice
    pure = [digits for is_pure, digits in heard if is_pure]
    told = _TWICE_SAID.search(text) is not None
    if told and len(pure) == 1 or all(len(p) == 1 for p in pure if p != "X"):
        pure = list("".join(pure))  # 幺 幺 零 零 八 八 四 四 每个 两遍: one chunk per digit
        pairs = [pure[i] + pure[i + 1] for i in range(0, len(pure) - 1, 2)] if told else []
    else:
        pairs = [p for p in pure if p]
    digits: list[str] = []
    for p in pairs:
        if p == "X":
            if not digits or digits[-1] != "X":
                digits.append("X")  # X X / 叉叉: one X
        elif len(p) % 2 == 0 and all(p[i] == p[i + 1] for i in range(0, len(p), 2)):
            digits.extend(p[::2])
        else:
            return None
    said = "".join(digits)
    pair_count = sum(len(p) // 2 for p in pairs if p != "X")
    if pair_count < _LEAST_PAIRS or not (told or all(len(p) <= 2 for p in pairs)):
        return None
    return said if len(said) in _WHOLE_LENGTHS else None


def _counted_place_by_place(text: str) -> str | None:
    """The digits of the last run of places counted 1, 2, 3, … (four or more), on the side
    of the digit that gives the longer run."""
    best: list[re.Match[str]] = []
    for pattern in (_DIGIT_THEN_PLACE, _PLACE_THEN_DIGIT):
        run: list[re.Match[str]] = []
        found: list[re.Match[str]] = []
        for m in pattern.finditer(text):
            n = m["n"].replace(" ", "")
            place = 1 if n == "头一" else (len(run) + 1 if n == "最后一" else to_int(n))
            if place == 1:
                run = [m]
            elif run and place == len(run) + 1:
                run.append(m)
            else:
                run = []
            if len(run) >= _LEAST_COUNTED:
                found = list(run)
        best = found if len(found) > len(best) else best
    return "".join(_tables()[0].get(m["d"]) or "X" for m in best) if best else None


def _place_by_place(text: str) -> str | None:
    """(seventeenth round also) the place said with 头一个 / 最后一个, with or without 是 (第一个
    九，第二个也是九), a pause before the digit."""
    said = list(_AT_EACH_PLACE.finditer(text))
    if not any(m["is"] for m in said):
        return None  # 第一个九 alone in every place: no 是 anywhere, too loose to trust
    places = [1 if m["first"] else len(said) if m["last"] else to_int(m["n"]) for m in said]
    if len(said) < 3 or places != list(range(1, len(said) + 1)):
        return None
    return "".join(_tables()[0].get(m["d"]) or "X" for m in said)


#: (sixteenth round) 一三七八八零零九三四六 不是 三四六 是 六四三: the end of the number
#: taken back and said again (eighteenth round: or a part of it said once).
_TAIL_PUT_RIGHT = re.compile(
    f"(?P<head>[{_D}][{_D}\\s，,]*?)[，,\\s]*(?:[啊哦呃嗯哎][，,\\s]*)?不\\s*是\\s*(?P<not>[{_D}][{_D}\\s]*?)[，,\\s]*"
    f"(?:是|而是|应该是)\\s*(?P<meant>[{_D}][{_D}\\s]*?)[\\s。.！!嘛哦]*$"
)


def _tail_put_right(text: str) -> str | None:
    m = _TAIL_PUT_RIGHT.search(text)
    if m is None:
        return None
    head, wrong, meant = (_digits_of(m[k]) for k in ("head", "not", "meant"))
    if not head or not wrong or not meant or len(wrong) != len(meant) or len(wrong) < 2:
        return None
    if len(head) not in _WHOLE_LENGTHS:
        return None
    if head.endswith(wrong):
        return head[: -len(wrong)] + meant
    if head.count(wrong) == 1:  # (eighteenth round) ……零八六六一九 不是六六是六八: the one place
        return head.replace(wrong, meant)
    return None


#: 应该是七六五一，不是七六五二: the number meant, then the one it is not.
_MEANT_NOT_THAT = re.compile(
    rf"是\s*(?P<meant>[{_D}][{_D}\s]*?)\s*[，,、]?\s*不是\s*(?P<not>[{_D}][{_D}\s]*?)\s*[。.！!哈嘛哦噻]*$"
)
#: 后四位就是… / 尾号…: the last four named as the answer (not a mobile's tail said again).
_LAST_FOUR_NAMED = re.compile("后四位|后四个|后头四个|后面四个|尾号|最后四")
#: ……，前头还要加零八七幺 / 前面加上区号0871: digits said after the number to go before it.
_PUT_IN_FRONT = re.compile(
    r"[，,。.\s]*(?:前\s*头|前\s*面|前\s*边|区\s*号)\s*(?:还)?\s*(?:要)?\s*(?:加|是)\s*(?:上|个)?\s*(?:区号)?\s*"
    r"(?P<code>[0-9零〇洞一幺二两三四五六七拐八九勾\s]+)\s*[。.！!]?\s*$"
)
#: ……，区号零八七三，我在红河: an area code named after the number, words may follow.
_AREA_CODE_AFTER = re.compile(
    r"[，,。.\s]*区\s*号\s*(?:是|就是)?\s*"
    # (twentieth round) its place named before the code (区号昆明洞八拐幺), as after it below
    rf"(?:[^\W{_D}]{{1,4}}?\s*(?:的)?\s*)?"
    r"(?P<code>[0零〇洞][0-9零〇洞一幺二两三四五六七拐八九勾\s]{2,})"
)
#: (seventeenth round) 零八七六那个是区号: the area code said, then named as such.
#: (eighteenth round) 零八七幺 就是 昆明 的 区号: the place named with it.
_CODE_NAMED_AFTER = re.compile(
    rf"(?P<code>[0零〇洞](?:\s*[{_D}]){{2,3}})\s*(?:那\s*个|这\s*个)?\s*(?:就\s*)?是\s*"
    r"(?:[^\W\d]{1,4}\s*的\s*)?区\s*号"
)
#: 区号是零八七零，……后头是…: the area code named before the number; (eighteenth round) or
#: said first as a landline's (座机零八七四，号码是…: a code, then the number named).
_AREA_CODE_BEFORE = re.compile(
    rf"区\s*号\s*(?:是|就是)?\s*(?P<code>[0零〇洞](?:\s*[{_D}]){{2,3}})(?=\s*[^{_D}\s]|\s*$)"
    rf"|(?:^|[^{_D}\s])\s*(?P<first>[0零〇洞](?:\s*[{_D}]){{2,3}})\s*[，,。.\s]*"
    r"(?=(?:号\s*码|电\s*话|后\s*头|后\s*面)\s*(?:是|就是))"
)
#: (twentieth round) Not inside a longer run of digits, as a whole ID's birth date is
#: (…一九四一年十月十五号…; a gap or a comma may come between).
_NOT_AFTER_A_DIGIT = (
    "(?<![0-9零〇一二三四五六七八九十两幺拐洞年])(?<![0-9零〇一二三四五六七八九十两幺拐洞年][\\s，,、])"
)
#: An age, a year of birth, a house, a building or a floor: numbers the caller gives that
#: no question asked for (我今年八十二了, 一九三九年生的, 住在二十六号, 三号楼).
_NOT_A_NUMBER_ASKED = re.compile(
    # (eighteenth round) a floor and its flat (三楼三零一), before the floor alone
    r"[0-9零〇一二三四五六七八九十两]+\s*(?:楼|层)\s*[0-9零〇一二三四五六七八九两][0-9零〇一二三四五六七八九两\s]*"
    r"|(?:今年|我都|都)?[0-9零〇一二三四五六七八九十两百千\s]+"
    r"(?:周岁|岁|年\s*生|年\s*出\s*生|(?:号楼|栋|幢|单元|楼|层)"
    # (fifteenth round) with the rest of the flat's address after it (三单元四楼五号)
    r"(?:\s*[0-9零〇一二三四五六七八九十两]+\s*(?:单元|栋|幢|楼|层|号|室)(?!\s*码))*"
    # (nineteenth round) the flat's number said bare last (三号楼二单元五零二)
    r"(?:\s*[0-9零〇一二三四五六七八九两]{3,4}\s*(?:室|号)?(?![0-9零〇一二三四五六七八九两\s]))?)"
    r"|今\s*年\s*[0-9零〇一二三四五六七八九十两百\s]+了?"
    r"|(?:住\s*在|住|家\s*在|门\s*牌(?:\s*号)?\s*(?:是|就是)?)\s*[0-9零〇一二三四五六七八九十两百\s]+号(?!\s*码)"
    # (nineteenth round) an age named (年龄 七十三)
    r"|(?:年\s*龄|岁\s*数)\s*(?:是|有)?\s*[0-9零〇一二三四五六七八九十两百\s]+(?:岁)?"
    # (eleventh round) a number not known (六几开头的, 三十几): no digits; an age said with
    # 了 (我都九十了, 我老伴八十五了), a year (一九四六年的), a street number, a clock time
    r"|[0-9零〇一二三四五六七八九十两][0-9零〇一二三四五六七八九十两\s]*几"
    # (thirteenth round) a bus's number (七十四路, 坐 十 五 路 车)
    r"|[0-9零〇一二三四五六七八九十两][0-9零〇一二三四五六七八九十两\s]*路\s*(?:车|公交)?"
    r"|(?:我都|都|今年)?\s*[一二三四五六七八九]\s*十\s*[一二三四五六七八九]?\s*了"
    r"|[0-9零〇一二三四五六七八九十\s]+年\s*的"
    r"|路\s*[0-9零〇一二三四五六七八九十两百\s]+号(?!码)"
    r"|[0-9零〇一二三四五六七八九十两]+\s*点(?:\s*钟)?(?![0-9零〇一二三四五六七八九])"
    # (eighteenth round) a blood pressure or sugar, a bed, a street, years ago (血压一百六,
    # 十二床, 一二一大街, 二十年前)
    r"|(?:血\s*压|血\s*糖|高\s*压|低\s*压)\s*(?:是|有)?\s*[0-9零〇一二三四五六七八九十两百点\s]+"
    r"|(?:五\s*华\s*区\s*)?[0-9零〇一二三四五六七八九十两\s]+(?:床|大\s*街|街|巷|年\s*前|年\s*了)"
    # (twentieth round) a price (四十八块钱), a room (一二零六房间), a day of the month named
    # with its month or day (今天十五号, 上个月二十号), a year or years (一九四八年进的,
    # 干了三十五年) said alone
    r"|[0-9零〇一二三四五六七八九十两百\s]+(?:块|元)(?:\s*钱)?"
    # (twenty-second round) a room or a bed named first (我房间号是三零幺), a day said with 是
    # (今天是二十号)
    r"|(?:房\s*间\s*号?|房\s*号|床\s*号|床\s*位\s*号?|病\s*房\s*号?)\s*(?:是|就是)?"
    r"\s*[0-9零〇一二三四五六七八九十两幺拐洞\s]+"
    r"|[0-9零〇一二三四五六七八九十两][0-9零〇一二三四五六七八九十两\s]*(?:房\s*间|号\s*房)"
    r"|(?:今\s*天|明\s*天|后\s*天|昨\s*天|(?:上|下|这)\s*个\s*月)\s*(?:是\s*)?"
    r"[0-9一二三四五六七八九十\s]{1,5}[号日]"
    rf"|{_NOT_AFTER_A_DIGIT}"
    r"[0-9零〇一二三四五六七八九十两](?:\s*[0-9零〇一二三四五六七八九十两]){0,3}\s*年(?!\s*[龄纪])"
    r"(?!\s*[0-9零〇一二三四五六七八九十两]+\s*月)"
    # (twentieth round) a month or a date said alone (八月份, 三月十五号, 二零二六年一月份),
    # not the birth date inside a whole ID number (…一九四一年十月十五号…: digits before it)
    rf"|{_NOT_AFTER_A_DIGIT}"
    r"(?:[0-9零〇一二三四五六七八九两](?:\s*[0-9零〇一二三四五六七八九两]){3}\s*年\s*)?"
    r"[0-9一二三四五六七八九十]{1,2}(?:\s*[一二])?\s*月\s*(?:份|底|初|中)?"
    r"(?:\s*[0-9一二三四五六七八九十]{1,3}(?:\s*[一二三四五六七八九])?\s*[号日])?"
)
#: Digits said in Cantonese or English by a relative (yat, luk, gau; one, two).
_LATIN_DIGITS = {
    "yat": "一", "yi": "二", "saam": "三", "sei": "四", "luk": "六", "chat": "七", "baat": "八",
    "gau": "九", "ling": "零", "zero": "零", "one": "一", "two": "二", "three": "三", "four": "四",
    "five": "五", "six": "六", "seven": "七", "eight": "八", "nine": "九",
}
_LATIN_DIGIT = re.compile(
    r"(?<![a-z])(" + "|".join(_LATIN_DIGITS) + r")(?![a-z])(?!\s*(?:digits?|numbers?|位))",
    re.IGNORECASE,
)
#: 九九归一的九 / 六六大顺的六 / 拐弯的拐 / 五个指头的五 / 打叉的叉: a phrase naming the digit
#: after it, the digit once.
_IDIOM_OF_A_DIGIT = re.compile(
    f"(?:(?P<said>[{_D}]|叉)\\s*(?:就\\s*)?是\\s*|(?<=[，,；;：:\\s])|^)"
    f"(?P<idiom>[^\\W\\d是，,\\s]{{1,5}})的\\s*(?:那个\\s*)?(?P<d>[{_D}]|叉)(?![{_D}])"
)
#: 二是两 / 幺就是一 / 零说洞 / 七是拐: a digit said, then the same digit in other words.
_SAME_DIGIT_EXPLAINED = re.compile(f"([{_D}])\\s*(?:就\\s*)?(?:是|说)\\s*([{_D}])(?!\\s*个)")


def _idiom_digit(m: re.Match[str]) -> str:
    """The digit once for 九是九九归一的九 / 七是拐的那个七 / ，拐弯的拐 (the phrase holds the
    digit or another word for it); anything else as said (我的九 stays 我的九)."""
    digit, strong = m["d"], _tables()[0]
    same = digit == "叉" or any(strong.get(c) == strong.get(digit) for c in m["idiom"])
    if m["said"] and strong.get(m["said"], m["said"]) != strong.get(digit, digit):
        return m.group(0)  # 五是拐的那个七: not an explanation of the 五
    if not same:
        return m.group(0)
    if not m["said"]:
        return f"，{digit}，"
    told = sum(c in strong for c in m.string[: m.start()])
    return "，" if told >= 4 else f"{m['said']}，"  # after the number: only an explanation


def _same_digit(m: re.Match[str]) -> str:
    strong = _tables()[0]
    return m.group(1) if strong.get(m.group(1)) == strong.get(m.group(2)) else m.group(0)


#: double 四 / 双七: the digit twice.
_DOUBLE = re.compile(f"(?:double|双)\\s*([{_D}])", re.IGNORECASE)
#: 一二三的那个三: the digit named by what it follows in counting, said as itself.
_COUNTED_OFF = re.compile(f"[{_D}]{{2,}}的那个(?=\\s*[{_D}])")
#: 四 不对 不是四 是七: the digit taken back, the one said instead.
_NOT_THIS_DIGIT = re.compile(
    f"([{_D}])\\s*[，,]?\\s*(?:不对|说错了|错了)?\\s*[，,]?\\s*不是\\s*\\1\\s*[，,]?\\s*是\\s*([{_D}])"
)
#: ……这个十是个叉叉，罗马的那个十: the 十 said was the X, as the caller then explains.
_TEN_WAS_X = re.compile(
    "(?:这个|那个)?十(?:就)?是(?:个)?(?:叉叉|叉|x|艾克斯|乘号|罗马|字母)[^。]*[。.]?\\s*$"
    # (fifteenth round) 幺 二 幺 十 身份证上是个叉 我们喊十: the card has an X, called 十
    "|(?:身份证|证|卡)上(?:面|头)?(?:写的)?是(?:个)?(?:叉叉|叉|x|艾克斯|乘号)[^。]*[。.]?\\s*$",
    re.IGNORECASE,
)


def _said_plainly(text: str) -> str:
    """Digits said in other words made plain: yat 八 四 七 (Cantonese), double 四, 双七双零,
    一二三的那个三, 四 不对 不是四 是七, a digit explained by itself in other words (二是两,
    幺就是一, 九是九九归一的九, 零说洞), and a 十 said for the X and explained after."""
    text = _LATIN_DIGIT.sub(lambda m: _LATIN_DIGITS[m.group(1).lower()], text)
    text = _IDIOM_OF_A_DIGIT.sub(_idiom_digit, text)
    text = _SAME_DIGIT_EXPLAINED.sub(_same_digit, text)
    text = _DOUBLE.sub(r"\1\1", text)
    text = _COUNTED_OFF.sub("", text)
    text = _NOT_THIS_DIGIT.sub(r"\2", text)
    ten = _TEN_WAS_X.search(text)
    if ten and "十" in text[: ten.start()]:
        head = text[: ten.start()]
        at = head.rindex("十")
        text = head[:at] + "叉" + head[at + 1 :]
    return text


#: ……，两就是二嘛 / 叉就是那个乘号样子的 / 九就是gau: a clause explaining a digit said
#: before (its own clause, after three digits or more), no more digits.
_EXPLAINED = re.compile(
    f"(?:^|(?<=[，,。.！!？?\\s…]))(?:这个|那个)?(?:[{_D}]|叉|x|X)\\s*就是"
    # (nineteenth round) what it is said in other words (两就是二, 叉就是那个乘号), not a
    # remark after the last digit (就是我的, 就是这四个, 就是腾冲的)
    "(?!\\s*(?:我|他|她|这|对|了|的))"
    f"(?=[^，,。.！!？?]*(?:[{_D}]|叉|乘|字母|[a-zA-Z]))"
    f"[^，,。.！!？?]*[，,。.！!？?\\s]*$"
)
#: ……，两嘛 (两就是二嘛, made plain): one digit said again as the last clause, a remark.
_ONE_DIGIT_AGAIN = re.compile(
    f"(?<=[，,。.！!？?])(?:哦|嗯)?[，,]*(?:[{_D}]|叉)[。.！!嘛哦哈噻]*$"
)
#: ……，最后是七 / 最后那个是 X 不是 十 / 最后是个乘号: the last digit said (again or instead).
_LAST_IS = re.compile(
    "[，,。.！!？?\\s]*(?:哦)?\\s*最后\\s*(?:一个|那个|一位|那位|一个数)?\\s*"
    # (sixteenth round) 最后一个错了，是二: the slip owned before the digit
    "(?:(?:说|讲|念)?错了[，,\\s]*|不对[，,\\s]*)?(?:应该)?\\s*(?:就)?是\\s*(?:个)?\\s*"
    f"(?P<d>[{_D}]|叉叉|叉|x|X|艾克斯|乘号|十)[，,\\s]*(?:不是\\s*[{_D}十])?[\\s。.！!嘛哦]*"
    # (fifteenth round) 最后一个是十，就是那个叉叉: the 十 explained as the X
    "(?:[，,\\s]*(?:就是)?\\s*(?:那个)?\\s*(?:叉叉|叉|x|X|字母)[\\s。.！!嘛哦]*)?$"
)
#: ……，三个幺 / 两个八 / 两个九五: a count of a digit (or of two) said before it, restating it.
_COUNT_OF = re.compile(
    f"[，,。.\\s]*(?P<n>两|三|四)个(?P<d>[{_D}](?:[{_D}](?!个))?)[。.！!嘛哦\\s]*"
)


def _remark_on_a_digit(text: str) -> str | None:
    """The digits when the answer ends in a remark on its last digit (最后是七: that digit,
    in place of the last, or after three); else None. (A remark that adds nothing, 两就是二嘛
    or 三个幺 after 零幺幺幺, is dropped by `_without_restatements`.)"""
    last = _LAST_IS.search(text)
    if last and text[: last.start()].strip():
        before = parse_digits(text[: last.start()])
        said = _tables()[0].get(last["d"]) or "X"
        if before is not None and len(before) in _WHOLE_LENGTHS:
            return before[:-1] + said
        if before is not None and len(before) + 1 in _WHOLE_LENGTHS:
            return before + said
    return None


#: 第一个不是三是五 / 第二个说错了，不是八是六 / 倒数第二个是幺不是零: one digit corrected
#: by its place.
_AT_PLACE = re.compile(
    f"(?P<back>倒数)?\\s*第\\s*(?P<n>[一二两三四])\\s*(?:个|位)\\s*(?:(?:说|讲)\\s*错\\s*了)?[，,\\s]*"
    f"(?:不\\s*是\\s*(?P<was>[{_D}]|十)[，,\\s]*是\\s*(?P<d1>[{_D}]|叉)"
    f"|是\\s*(?P<d2>[{_D}]|叉)[，,\\s]*不\\s*是\\s*[{_D}十])"
)


#: 二 五 九 一 哦 错 了 第 三 个 是 八: a slip owned, then the digit at its place.
_AT_PLACE_AFTER_A_SLIP = re.compile(
    f"(?:错\\s*了|不\\s*对)[，,\\s]*(?:第\\s*(?P<n>[一二两三四])|(?P<back>最\\s*后)\\s*(?:一|那))"
    f"\\s*(?:个|位)\\s*(?:应该)?\\s*是\\s*(?P<d2>[{_D}]|叉)"
)


def _digit_at_corrected(text: str) -> str | None:
    """The number with one digit corrected by its place, unless the whole is said again
    after the correction (then that is the answer)."""
    m = _AT_PLACE.search(text) or _AT_PLACE_AFTER_A_SLIP.search(text)
    if m is None or not text[: m.start()].strip():
        return None
    again = parse_digits(text[m.end() :]) if text[m.end() :].strip() else None
    before = parse_digits(text[: m.start()])
    if again is not None and before is not None and len(again) == len(before):
        return again
    n = to_int(m["n"] or "一") or 0  # (最后一个: the last, counted from the end)
    if before is None or not 0 < n <= len(before):
        return None
    at = len(before) - n if m.groupdict().get("back") else n - 1
    said = _tables()[0].get(m.groupdict().get("d1") or m["d2"]) or "X"
    return before[:at] + said + before[at + 1 :]


def _without_restatements(text: str) -> str:
    """A clause explaining a digit, and a count of a digit said before it, dropped."""
    explained = _EXPLAINED.search(text) or _ONE_DIGIT_AGAIN.search(text)
    if explained and len(_digits_of(text[: explained.start()]) or "") >= 3:
        again = _digits_of(explained.group(0)) or ""
        said = _digits_of(text[: explained.start()]) or ""
        # ……二，两嘛: the last digit said again; a number not yet whole takes one more
        # (eighteenth round: 二，零，四，四 is four digits, each its own clause)
        if explained.re is _EXPLAINED or again and (
            said.endswith(again) and len(said + again) not in _WHOLE_LENGTHS
            or again in said and len(said) in _WHOLE_LENGTHS
        ):
            text = text[: explained.start()]
    for m in reversed(list(_COUNT_OF.finditer(text))):
        before = _digits_of(text[: m.start()]) if text[: m.start()].strip() else None
        digit = "".join(_tables()[0].get(d, "") for d in m["d"])  # 两个九五: 9595
        if before and digit * (to_int(m["n"]) or 0) in before:
            text = text[: m.start()] + "，" + text[m.end() :]
    return text


#: ……，真的是二五零开头的 / ……，前头两个是零: after the number, a remark on how it begins.
_RESTATED_BEGINNING = re.compile(
    rf"[，,。.\s]*(?:真的|就|确实)?\s*是?\s*(?P<digits>[{_D}\s]+?)\s*"
    r"(?:开头|打头|起头)的?"
    r"|[，,。.\s]*(?:前头|前面|前边|开头|头)(?:那)?\s*(?:两|三|四)?个?\s*(?:都|就)?\s*是\s*"
    rf"(?P<first>[{_D}\s]+?)\s*(?:嘛|哈|噻|啊|呀)?\s*[。.！!]?\s*$"
)


def _without_restated_beginning(text: str) -> str:
    """The remark goes when the digits before it make a number asked for and begin with
    what it restates; said first (幺三九开头的，…) it announces the number and stays."""
    for m in _RESTATED_BEGINNING.finditer(text):
        before = _digits_of(text[: m.start()]) if text[: m.start()].strip() else None
        restated = _digits_of(m["digits"] or m["first"] or "")
        if before and restated and len(before) in _WHOLE_LENGTHS and before.startswith(restated):
            return text[: m.start()] + "。" + text[m.end() :]
    return text


#: 六 十 三 二 十 一: a number in tens with the recogniser's gap around 十 is one number (63).
_TENS_SPACED = re.compile(
    r"(?<![\u4e00-\u9fff])[一二三四五六七八九两]\s+十"
    r"(?:\s+[一二三四五六七八九](?![\u4e00-\u9fff])(?!\s+十))?"
)


def _spelled_out(text: str) -> str | None:
    """酒 酒 巴 巴 / 后四位是 溜 酒 伞 要: the answer ends in three or more words of one
    character each, as the recogniser writes digits one by one, and every one of them is a
    digit or sounds like one (巴 8, 伞 3, 溜 6, 是 4): they are the digits. A 是 opening a
    run one longer than a number asked for is "it is" (是 零 零 幺 幺)."""
    strong, keys, x_words, _ = _tables()
    said: list[str] = []
    heard = False  # a sound-alike among them (digits as written take the usual path)
    words = [basic(w) for w in text.split()]
    while len(words) > 3 and words[-1] in _AFTER_THE_DIGITS:
        words.pop()  # 零 溜 久 依 嘛 / 二 溜 溜 酒 对 就是这个: what is said after them
    for word in reversed(words):
        if len(word) != 1:
            break
        digit = strong.get(word) or (keys.get(char_key(word)) if is_han(word) else None)
        if digit is None:
            break
        heard = heard or word not in strong
        said.insert(0, ("是" if word == _COPULA else "") + digit)
    rest = words[: len(words) - len(said)]
    if len(said) < 3 or not heard or x_words.search("".join(rest)):
        return None
    opened = said[0].startswith("是")  # 后面 是 爸 爸 灵 酒: "it is"
    rest = [w for w in rest if w not in _HUMS]  # 嗯 七 七 依 舞: a hum before them
    announced = (
        "".join(rest) + ("是" if opened else "")
    ).endswith(_ANNOUNCING) and len(said) - opened in _WHOLE_LENGTHS
    if announced and opened:
        said = said[1:]  # 后 面 是 爸 爸 灵 酒: announced by the words before
    if not announced and (
        rest and (len(rest[-1]) == 1 or rest[-1][-1:] in strong or rest[-1][-1:].isdigit())
    ):
        # 后四位是5 2 7 1: a digit glued to the words before; 尾 巴 是 八 十 八: every
        # character spaced, words and digits alike (the markers find the answer)
        return None
    if said[0].startswith("是") and len(said) - 1 in _WHOLE_LENGTHS:
        said = said[1:]
    if len(said) not in _WHOLE_LENGTHS and any(w in "是就" for w in words[-len(said) + 1 :]):
        return None  # 四 三 四 三 就 是 四 三 四 三: "that is" inside (the markers find it)
    return "".join(d.removeprefix("是") for d in said)


#: Words said after digits spelled out one by one, not digits (嘛, 对, 就是这个).
_AFTER_THE_DIGITS = frozenset(
    {"嘛", "哈", "对", "哦", "了", "嘞", "没得错", "没错", "就是这个", "是了", "对的"}
)
#: What announces digits spelled out one by one (后 四 位, 后面是).
_ANNOUNCING = ("后四位", "后四位是", "后面是", "后头是", "尾号是", "尾号", "就是", "后四")
_HUMS = frozenset({"嗯", "呃", "哦", "啊", "喂"})


#: Words that announce the answer: 后四位是…, 尾号就是…, 后头四个就是….
_MARKER = re.compile("就是|是")


def _after_markers(text: str) -> list[str]:
    """What follows each "是" / "就是" (the last first): where the answer is announced."""
    return [text[m.end() :] for m in reversed(list(_MARKER.finditer(text)))]


def _digits_of(text: str) -> str | None:
    digits = _with_x_last(_said_again(_groups(text)))
    if len(digits) == 8 and digits[:4] == digits[4:]:
        return digits[:4]  # 三四五六三四五六: four digits said twice for certainty
    return digits or None


#: 是 (s/sh merged with 四) after a word or opening the answer is "it is", not a digit;
#: so is 就 ("just": 就零零七, 后四位就三个八), not 九.
_COPULA = "是"
_OPENERS = "是就"


#: (twenty-first round) 后四 said as a word of its own by the recogniser (后四 一 五 五 叉):
#: "the last four", announced before the digits, not a digit.
_LAST_FOUR_AS_A_WORD = re.compile(r"(?:^|(?<=\s))(?:最后|后|末|尾)四(?=\s)")


@lru_cache(maxsize=256)
def _groups(text: str) -> tuple[str, ...]:
    """The digits between pauses and other words (remembered: `parse_digits` reads the
    whole answer's groups more than once). After a correction (不对, 说错了) the digits
    said again count: all of them when they are as long as those before, else they
    replace the end of a whole number said before (六幺，不对，六二; 零五八二，错了，最后一个
    是九 is 0589)."""
    strong = _tables()[0]
    t = _expand_chunks(_LAST_FOUR_AS_A_WORD.sub("，", text), strong)
    t = basic(t).replace("*", "x") if "*" in t else basic(t)
    parts = _CORRECTIONS.split(t)
    groups = _part_groups(parts[0])
    for part in parts[1:]:
        again = _part_groups(part)
        before, after = "".join(groups), "".join(again)
        if after and len(after) < len(before) and len(before) in _WHOLE_LENGTHS:
            groups = (before[: -len(after)] + after,)
        elif after and len(groups) > 1 and _last_group_said_again(groups, again):
            groups = (*groups[:-1], *again)
        elif after:
            groups = again
    return groups


def _last_group_said_again(groups: tuple[str, ...], again: tuple[str, ...]) -> bool:
    """After a correction, the groups said replace the last one said before: put right at
    its own length, the number going on (一三八，七七六五……不对，是七六七五，然后零零二三), or
    (twenty-first round) left short and said again whole (幺三九，八拐幺二，五五六……不对，
    五五八洞)."""
    before, after = "".join(groups), "".join(again)
    kept = before[: -len(groups[-1])]
    if len(again[0]) == len(groups[-1]) and len(kept + after) in (11, 18):
        return True
    return len(before) not in _WHOLE_LENGTHS and len(again) == 1 and _mobile_or_id(kept + after)


#: The groups announced before or after their digits (前头两个…后头两个, 就是这四个, 头三个):
#: counted digits, not digits said.
_ANNOUNCED = re.compile(
    "(?:前头|前面|后头|后面|头|前|后)(?:两|三|四)个(?![零〇洞一幺二两三四五六七拐八九勾0-9])"
    # (fifteenth round) 四个：七、零、四、X: the count said first, before a colon
    "|(?:^|(?<=[，,。\\s]))(?:四|六|十一|十八)个(?:数字|数|号码)?\\s*[：:]"
    "|就?是?这(?:两|三|四|几)个"
    # (twentieth round) the place of the digit said next (三，三，四……第四个是……一)
    "|(?:(?<!倒数)第\\s*[一二三四]|最\\s*后\\s*一)\\s*[个位]\\s*(?:是|数)?(?=[\\s，,。.…]*[零〇洞一幺二两三四五六七拐八九勾0-9叉])"
)


def _part_groups(t: str) -> tuple[str, ...]:
    strong, keys, x_words, not_digits = _tables()
    t = _drop_preamble(t, strong)
    t = _expand_counts(t, strong)
    t = not_digits.sub("|", t)
    t = x_words.sub("X", t)
    t = _expand_birth_date(t, strong)
    t = _expand_units(t, strong)
    tokens: list[str | None] = []  # a digit, "?<digit>" for a sound-alike, or None
    for i, ch in enumerate(t):
        if ch == "X" or ch in strong:
            tokens.append("X" if ch == "X" else strong[ch])
        elif ch in _OPENERS and (not tokens or tokens[-1] is None):
            tokens.append(None)  # 后面是幺九洞三 / 是零零幺幺: "it is", no 四
        elif (
            is_han(ch)
            and char_key(ch) in keys
            and not (ch not in _OPENERS and _starts_word(t, i + 1, strong, keys))
            and t[i + 1 : i + 2] != "|"  # (twenty-first round) 八零二四是后四位: "it is"
        ):
            tokens.append("?" + keys[char_key(ch)])
        else:  # a pause or another word: a sound-alike next to it is not a digit
            tokens.append(None)
    groups: list[str] = []
    for run in _runs(tokens):
        if _only_digit_sounds(run):  # 腰 动 八 气: nothing but digits and their sound-alikes
            groups.append("".join(tok.lstrip("?") for tok in run))
            continue
        group = ""
        for i, tok in enumerate(run):
            if tok.startswith("?"):
                # A sound-alike (腰 for 幺, 酒 for 九) counts only between two real digits.
                before = run[i - 1] if i > 0 else ""
                after = run[i + 1] if i + 1 < len(run) else ""
                if before and not before.startswith("?") and after and not after.startswith("?"):
                    group += tok[1:]
                continue
            group += tok
        groups.append(group)
    return tuple(g for g in groups if g)


def _starts_word(t: str, i: int, strong: dict[str, str], keys: dict[str, str]) -> bool:
    """Is ``t[i]`` a Chinese character that is no digit and sounds like none? Then the
    sound-alike before it begins a word (临沧, a place: no 零)."""
    return (
        i < len(t) and is_han(t[i]) and t[i] not in strong and char_key(t[i]) not in keys
        and t[i] not in _OPENERS
    )


def _runs(tokens: list[str | None]) -> list[list[str]]:
    """The tokens between pauses and other words."""
    runs: list[list[str]] = [[]]
    for tok in tokens:
        if tok is None:
            runs.append([])
        else:
            runs[-1].append(tok)
    return [r for r in runs if r]


def _only_digit_sounds(run: list[str]) -> bool:
    """A run of three or more, every word a digit or sounding like one, one at least as
    written (腰动八气 = 幺洞八七): the sound-alikes are digits too (a sentence has other
    words between them)."""
    return len(run) >= 3 and any(not tok.startswith("?") for tok in run)


def _expand_chunks(text: str, strong: dict[str, str]) -> str:
    """二十三 四十五 / 九十 三十: numbers said in tens, each between the recogniser's gaps,
    are their digits one after the other (2345, 9030), not one number."""
    chunks = text.split()
    if len(chunks) < 2 or not all(any(u in c for u in _UNITS) for c in chunks):
        return text
    return "".join(_expand_units(c, strong) for c in chunks)


def _with_x_last(digits: str) -> str:
    """叉在最后，前头是幺两三: the X of an ID number is its last character, however said."""
    if "X" not in digits:
        return digits
    plain = digits.replace("X", "")
    return plain + "X" if len(plain) in (3, 17) else digits


#: Lengths of the numbers asked for: an ID's last 4, a mobile (11), a landline (7, 8, 11, 12),
#: a whole ID (18).
_WHOLE_LENGTHS = frozenset({4, 7, 8, 11, 12, 18})


def _begun_again_in_groups(groups: tuple[str, ...]) -> str | None:
    """七……七零……七零四二 / 幺三…幺三八…幺三八，七七零幺，九五二八: groups each begun again
    by the next, then the rest: a number of a length asked for. (sixteenth round) 零……零六……
    零六八，零零六八: stumbled over, then said whole at last."""
    last = groups[-1] if groups else ""
    if (
        len(groups) > 1
        and len(last) in _WHOLE_LENGTHS
        # (twenty-second round) or said again with its front added (七四叉 哎呀 前面还有一个
        # 幺七四叉)
        and all(
            g in last and (g[0] == last[0] or len(g) > 1 and last.endswith(g))
            for g in groups[:-1]
        )
    ):
        return last
    first = grew = 0
    while first + 1 < len(groups) and groups[first + 1].startswith(groups[first]):
        grew += len(groups[first + 1]) > len(groups[first])
        first += 1
    rest = "".join(groups[first:])
    return rest if grew and len(rest) in _WHOLE_LENGTHS else None


def _without_groups_begun_again(groups: tuple[str, ...]) -> str:
    """(twenty-second round) The number with each group that the next one begins again
    left out, wherever in the number (…八七幺……八七幺五…)."""
    kept: list[str] = []
    dropped = False  # was the group after this one begun again by its own next?
    for g, after in reversed(list(zip(groups, (*groups[1:], ""), strict=False))):
        # begun again by a longer group, or said again whole before one that is (八七幺……
        # 八七幺……八七幺五); a group said twice and left so is no restart (七七零八，七七)
        dropped = after.startswith(g) and (len(after) > len(g) or after == g and dropped)
        if not dropped:
            kept.append(g)
    return "".join(reversed(kept))


#: 哦 / 不对 / a trailing off between two fours: the second put the first right.
_PUT_RIGHT_BETWEEN = re.compile(f"[{_D}](?:[^{_D}]*?(?:哦|噢|不对|不是|错了|……|…)[^{_D}]*)[{_D}]")


def _four_said_again(whole: str | None, text: str) -> str | None:
    """(fourteenth round) Eight digits that are one four said twice (三零二零 三零二零), or
    said again with one digit put right after 哦 / 不对 / a pause (五二一六……哦，五二一七):
    the four said last. Two different fours are a landline (六五三九 二六七幺)."""
    if whole is None or len(whole) != 8:
        return None
    first, last = whole[:4], whole[4:]
    if first == last:
        return last
    differ = sum(a != b for a, b in zip(first, last, strict=True))
    return last if differ == 1 and _PUT_RIGHT_BETWEEN.search(text) else None


def _id_end_begun_again(digits: str | None) -> str | None:
    """前面是二五五 二五五乘号: digits holding the X are an ID's end (four, or all 18); one
    of another length is the four begun again, when it is."""
    if digits and "X" in digits and len(digits) not in (4, 18):
        return _begun_again(digits, lengths=(4,)) or digits
    return digits


def _begun_again(digits: str, lengths: Iterable[int] = _WHOLE_LENGTHS) -> str | None:
    """九八九八七九八七二 (the pauses not heard): a number of one of ``lengths`` at the end,
    nothing before it but beginnings of that same number; the shortest such number."""
    for length in sorted(lengths):
        said = digits[:-length]
        # 一三八 一三八八七三二零零五幺: one beginning of three digits or more is begun again
        fewest = 1 if len(said) >= 3 else 2
        if len(digits) > length and _only_beginnings(said, digits[-length:], least=fewest):
            return digits[-length:]
    return None


def _only_beginnings(said: str, number: str, *, least: int = 2) -> bool:
    """Is ``said`` nothing but beginnings of ``number``, one after another, at least
    ``least`` of them (三 三七八九 may be a digit said twice: not taken as begun again)?

    The most beginnings that cover each prefix of ``said``, left to right: linear in its
    length times the number's (a search over every way to cut it is exponential on a long
    run of one digit)."""
    most: list[int | None] = [0] + [None] * len(said)
    for end in range(1, len(said) + 1):
        counts = [
            count for start in range(max(0, end - len(number)), end)  # (八零七一 八零 八零七一)
            if (count := most[start]) is not None and number.startswith(said[start:end])
        ]
        most[end] = max(counts) + 1 if counts else None
    return most[-1] is not None and most[-1] >= least


def _said_again(groups: tuple[str, ...]) -> str:
    """The digits meant when the caller started again after a pause: 一九四九，一九四九 is
    1949 said twice; 七零，七零一五 is 7015 begun twice. Only when the whole run is no
    number of a length asked for and the number said last is (a mobile 138 1380 1234 stays)."""
    whole = "".join(groups)
    for size in sorted(_WHOLE_LENGTHS):  # 八四七一。八四七一。八四七一嘛: said three times
        times = len(whole) // size
        if times >= 2 and whole == whole[:size] * times:
            return whole[:size]
    for k in range(1, len(groups)):
        first, rest = "".join(groups[:k]), "".join(groups[k:])
        if first == rest and len(first) >= 3:
            return rest
    last = groups[-1] if len(groups) > 1 else ""
    if len(last) in _WHOLE_LENGTHS and last.startswith("".join(groups[:-1])):
        return last  # 零二四，零二四五: begun, then said whole
    if len(whole) in _WHOLE_LENGTHS:
        return whole
    for k in range(1, len(groups)):
        first, rest = "".join(groups[:k]), "".join(groups[k:])
        if len(rest) in _WHOLE_LENGTHS and rest.startswith(first):
            return rest
    return whole
