"""Is the caller describing a sudden, serious emergency now? (``grammars/emergency.yaml``)

True for chest pain or tightness, a heart disease flaring up, not being able to breathe,
stroke signs (numb hands and feet, one side weak), a fall or a person down, fainting or
not responding, vomiting blood or heavy bleeding, seizures, severe palpitations,
poisoning and self-harm, being hit by a vehicle and cries for help; and for pairs that
are an emergency only together (``together``: a sudden severe headache, very high blood
pressure with symptoms, sudden loss of sight, sudden palpitations). False when the sign is
negated (没有胸口疼, 胸口不疼了), in the past (上个月摔了一跤, unless it still goes on:
到现在还起不来), an old complaint (老毛病, 经常手脚发麻), over (现在好多了) or not there at all.

Recognisers put spaces between words and no punctuation, so the spaces are removed and the
whole utterance is read as one stretch; signs are found as written or, from three
characters on, by sound (兄口疼 = 胸口疼) with the same folded pinyin as the other kinds.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from app.understanding import data
from app.understanding.fuzzy import Hit, Matcher
from app.understanding.normalize import SEP, clean, without_english
from app.understanding.patterns import compile_phrase

_SOUND_ALIKE_MIN = 3  # shorter signs (救命, 嘴歪) count only as written
_EXACT_ONLY = 99  # the parts of a pair are short everyday words: heard only as written
_NEGATION_LINKS = "有是会再太怎"  # 没有 / 不是 / 不会 ... before a sign still negate it
_PAST_WINDOW = 2  # a past word qualifies a sign only this close before it (昨天晚上摔倒了)
_CHRONIC_WINDOW = 2  # 经常手脚发麻, 平时有点胸闷, 老毛病了，胸口闷
_CHRONIC_AFTER = 4  # 手脚发麻好几年了, 心口疼了好多年
_SPACES = re.compile(r"\s+")


@cache
def _matchers() -> tuple[Matcher, Matcher]:
    """(signs found as written or by sound, signs found only as written)."""
    hiding = [(clean(p), "none") for p in data.words("emergency", "not_signs")]
    signs = [
        (c, "sign") for p in data.words("emergency", "signs") for c in compile_phrase(p, clean)
    ]
    exact = [(clean(p), "sign") for p in data.words("emergency", "exact")]
    return (
        Matcher(hiding + signs, fuzzy_min=_SOUND_ALIKE_MIN),
        Matcher(hiding + exact, fuzzy_min=max((len(p) for p, _ in exact), default=0) + 1),
    )


@cache
def _together() -> tuple[tuple[tuple[Matcher, frozenset[str]], ...], ...]:
    """For each ``together`` entry, one matcher per group (every group must be heard), with
    the characters its signs can start with.

    The parts (突然, 头疼, 血压好高) are short everyday words: they count only as written,
    which also keeps the check cheap (no sound-alike pass per group; a group none of whose
    signs can start in the text is not searched). A group written the same way in several
    entries (the "sudden" words) is one matcher, searched once.
    """
    raw = data.load("emergency").get("together") or []
    hiding = [(clean(p), "none") for p in data.words("emergency", "not_signs")]
    built: dict[tuple[str, ...], tuple[Matcher, frozenset[str]]] = {}
    for entry in raw:
        for group in entry:
            key = tuple(str(p) for p in group)
            if key not in built:
                signs = [(c, "sign") for p in key for c in compile_phrase(p, clean)]
                firsts = frozenset(c[0] for c, _ in signs)
                built[key] = (Matcher(hiding + signs, fuzzy_min=_EXACT_ONLY), firsts)
    return tuple(tuple(built[tuple(str(p) for p in group)] for group in entry) for entry in raw)


def _heard_together(cleaned: str, pauses: tuple[int, ...]) -> bool:
    """Is every group of some ``together`` entry heard, each part "now"?"""
    heard: dict[int, bool] = {}
    chars = set(cleaned)

    def group_heard(group: tuple[Matcher, frozenset[str]]) -> bool:
        matcher, firsts = group
        if id(matcher) not in heard:
            heard[id(matcher)] = not chars.isdisjoint(firsts) and any(
                h.label == "sign" and _counts(cleaned, h, pauses) for h in matcher.hits(cleaned)
            )
        return heard[id(matcher)]

    return any(all(group_heard(group) for group in entry) for entry in _together())


@cache
def _words(key: str) -> tuple[str, ...]:
    return tuple(w for w in (clean(x) for x in data.words("emergency", key)) if w)


def cleaned_utterance(text: str) -> str:
    """The caller's words cleaned like every kind, as one stretch without separators."""
    return _stretch(text)[0]


def _without_gaps(text: str) -> str:
    """The recogniser's spaces: between words of several characters (上个月摔了一跤 现在还有点疼)
    they are pauses; between single characters (胸 口 疼 得 很) they are nothing."""
    words = text.split()
    if len(words) > 1 and sum(map(len, words)) >= 2 * len(words):
        return "，".join(words)
    return "".join(words)


def _supposed(text: str) -> bool:
    """如果他再中风，嘴歪了，我咋个晓得？: an answer that opens with a supposition and ends in a
    question supposes every sign in it."""
    opening = text.strip().lstrip("那哎呀嗯，, ")
    return opening.startswith(_words("hypothetical")) and (
        text.rstrip().endswith(("？", "?")) or text.rstrip("？?。 ").endswith(_QUESTION_ENDS)
    )


_QUESTION_ENDS = ("怎么办", "咋个办", "咋办", "咋个晓得", "怎么晓得", "怎么知道", "咋个整")


def _stretch(text: str) -> tuple[str, tuple[int, ...]]:
    """The cleaned words as one stretch, and where the caller paused (punctuation)."""
    out: list[str] = []
    pauses: list[int] = []
    # 好多年 / 好几年 is how long, not how much (吃了好多年的药 is no overdose)
    # English first, while its words still have their gaps (can't breathe)
    said = _without_gaps(without_english(unicodedata.normalize("NFKC", text or "")))
    said = said.replace("好多年", "多年").replace("好几年", "多年")
    for ch in clean(said):
        if ch == SEP:
            pauses.append(len(out))
        else:
            out.append(ch)
    return "".join(out), tuple(pauses)


def _last(text: str, words: tuple[str, ...]) -> int:
    """End index of the last occurrence of any of ``words`` in ``text`` (-1: none)."""
    ends = [text.rfind(w) + len(w) for w in words if w in text]
    return max(ends, default=-1)


def _first(text: str, words: tuple[str, ...]) -> int:
    """Start index of the first occurrence of any of ``words`` in ``text`` (-1: none)."""
    starts = [text.find(w) for w in words if w in text]
    return min(starts, default=-1)


def _past_word_runs_into(before: str, rest: str) -> bool:
    """A past word whose last characters are the first of a sign found by sound."""
    return any(
        before.endswith(w[:k]) and rest.startswith(w[k:])
        for w in _words("past")
        for k in range(1, len(w))
    )


def _negated(before: str) -> bool:
    """A negation just before the sign (没胸口疼, 没有胸口疼, 不是喘不过气), not one inside
    another word (站不稳，说话不清; 无缘无故摔倒了)."""
    negators = _words("negators")
    if before.endswith(negators):
        return True
    return before[-2:-1] in negators and before[-1:] in _NEGATION_LINKS


def _denied(before: str) -> bool:
    """The clause opens with a denial a few words before the sign: 不是我要救命 (not me
    crying for help), 不是说胸口疼, 我不是说我不行了."""
    before = before.removeprefix("我").removeprefix("他").removeprefix("她")  # 我不是说…
    return before.startswith(("不是", "并不是", "又不是")) and len(before) <= 5


def _while_now(before: str) -> str:
    """刚刚吃饭的时候: "while" something done just now is no past time (那个时候, cleaned to
    时候, and 十几岁的时候 are)."""
    while_at = before.find("的时候")
    if while_at > 0 and _last(before[:while_at], _words("now")) >= 0:
        return before[:while_at] + "###" + before[while_at + 3 :]
    return before


def _counts(text: str, hit: Hit, pauses: tuple[int, ...] = ()) -> bool:
    """A sign counts unless negated, in the past, an old complaint or already over.

    Only words of the sign's own clause (up to the caller's pauses) and close to it qualify
    it: 我昨天挂的号，心口疼得很 and 平时都好好的，心口疼得很 are emergencies. When in
    doubt the sign counts: a person and the advice to call 120 cost far less than a missed
    stroke.
    """
    if not hit.exact and any(hit.start < p < hit.end for p in pauses):
        return False  # 我自己走路去，近得很: 去|近得很 only sounds like 气紧得很 across a pause
    starts = [0, *(p for p in pauses if p <= hit.start)]
    end = min((p for p in pauses if p >= hit.end), default=len(text))
    before, after = text[starts[-1] : hit.start], text[hit.end : end]
    if _negated(before) or _denied(before):
        return False
    if any(w in text[: hit.start] for w in _words("hearsay")):
        return False  # 电视里头说老年人摔倒了: seen on television, not happening here
    if any(w in before for w in _words("hypothetical")):
        return False  # 要是我晕倒了咋个办: a supposition
    if after.startswith("过") and not after.startswith(("过去", "过来")):
        return False  # 晕倒过一次: V过 says it happened once, in the past
    if any(w in text[hit.end :] for w in _words("resolved")):
        return False
    story = _last(text[: hit.start], _words("long_ago"))
    if story >= 0 and _last(text[story : hit.start], _words("now")) < 0:
        return False  # 年轻时候逃难，……脚上磨得全是血: the sign is part of an old story
    if not before.strip() and len(starts) > 1:
        # 去年 摔了一跤: the recogniser's gap after the time word is no new clause
        before = text[starts[-2] : hit.start]
    now = _last(before, _words("now"))
    # 昏过去了 / 晕过去了: 过去 as a verb's ending is no "in the past"
    past = _last(_while_now(before.replace("过去了", "###")), _words("past"))
    if not hit.exact and _past_word_runs_into(before, text[hit.start :]):
        past = len(before)  # 前年倒在路上, heard by sound from 年: the sign begins in 前年
    # Right before the sign; or, for anything longer ago than yesterday, anywhere in its
    # clause (上个月我在菜地里跌了一跤: 我昨天挂的号心口疼得很 keeps the close window).
    long_ago = past > now and not before[:past].endswith(_words("yesterday"))
    recent_past = past > now and (len(before) - past <= _PAST_WINDOW or long_ago)
    # Begun then and still going: 从昨晚上就喘不过气, 昨天开始胸口疼; or said to go on in a
    # later clause: 昨天胸口疼，现在还疼; 昨晚上摔倒了，到现在还起不来.
    # (not a week or more ago: 他上周开始胸口闷 is a complaint to book for)
    begun = any(w in before[past:] for w in _words("since")) and not any(
        w in before[:past] for w in _words("weeks_ago")
    )
    # what says it still goes on, in the rest of the words: after yesterday any "still",
    # after anything longer ago only helplessness (前几天摔了一跤，到现在还起不来), not pain that
    # goes on (上个月跌了一跤现在还有点痛 is over)
    yesterday = before[:past].endswith(_words("yesterday"))
    still = _words("still") if yesterday else _words("still_helpless")
    if recent_past and not begun and not any(w in text[hit.end :] for w in still):
        return False
    # An old complaint: 经常手脚发麻, 老毛病了，胸口闷, 手脚发麻好几年了 (not 老毛病，喘不过气了:
    # 了 says it is happening now).
    lead = text[starts[-2] if len(starts) > 1 else 0 : hit.start]
    chronic_before = _last(lead, _words("chronic"))
    habit = chronic_before > _last(lead, _words("now"))
    if habit and len(lead) - chronic_before <= _CHRONIC_WINDOW and not after.startswith("了"):
        return False
    if any(w in text[hit.start : hit.end] for w in _words("chronic")):
        return False  # 胸口有时候闷: the old-complaint word inside the sign's own words
    chronic_after = _first(after, _words("chronic"))
    if 0 <= chronic_after <= _CHRONIC_AFTER or _MONTHS.match(after):
        return False
    return not _said_to_be_old(text, end, pauses)


#: 疼了两个月了 / 闷了好几年: months or years of it (hours or days may be an emergency).
_MONTHS = re.compile(
    "(?:得很|得凶)?(?:了|都|有)*(?:(?:[一二两三四五六七八九十几半]|好几|十几)(?:个多?月|年)|多年)"
)


_MONTHS_CLAUSE = re.compile(f"[\u4e00-\u9fff]?{_MONTHS.pattern}(?:了|啰|喽|嘞)?")


def _said_to_be_old(text: str, end: int, pauses: tuple[int, ...]) -> bool:
    """胸口闷，好几年了 / 心口疼，老毛病了 / 心口闷，闷了两个月了: the clause after the sign
    says only how old it is."""
    following = min((p for p in pauses if p > end), default=len(text))
    clause = text[end:following].removeprefix("都").removeprefix("有")
    if any(clause in (w, w + "了") for w in _words("chronic")):
        return True
    return _MONTHS_CLAUSE.fullmatch(clause) is not None


@lru_cache(maxsize=256)
def is_emergency(text: str) -> bool:
    """True when the words describe a sudden serious emergency happening now.

    Remembered for the last few hundred texts: the call engine asks it of every spoken
    answer, and understanding an intent asks it again of the same words.
    """
    cleaned, pauses = _stretch(text)
    if not cleaned or _supposed(text or ""):
        return False
    if any(cleaned == w * (len(cleaned) // len(w)) for w in _words("alone_only")):
        return True  # said alone, or again and again (不行了不行了)
    for matcher in _matchers():
        for hit in matcher.hits(cleaned):
            if hit.label == "sign" and _counts(cleaned, hit, pauses):
                return True
    return _heard_together(cleaned, pauses)
