"""A choice from a short spoken list: "第二个", "两号", "2" -> 2 (numbers 1 to 10)."""

from __future__ import annotations

import re
from functools import cache

from app.understanding import data
from app.understanding.normalize import SEP, clean
from app.understanding.numerals import NUM_CHARS, to_int

_N = f"[{NUM_CHARS}]+"


@cache
def _tables() -> tuple[dict[str, int], re.Pattern[str], re.Pattern[str]]:
    raw = data.load("choice")
    ordinals = {clean(str(k)): int(v) for k, v in (raw.get("ordinals") or {}).items()}
    pre = "|".join(map(re.escape, data.words("choice", "prefixes")))
    post = "|".join(map(re.escape, data.words("choice", "suffixes")))
    marked = re.compile(f"(?:{pre})(?P<a>{_N})|(?P<b>{_N})(?:{post})")
    not_digits = sorted(data.words("digits", "not_digits"), key=len, reverse=True)
    return ordinals, marked, re.compile("|".join(map(re.escape, not_digits)))


#: 第一个不对，第二个 / 第一个不是，要第二个: what was said before a correction is taken back;
#: so is what was weighed before 那就 / 就要 (第一个，第二个好，那就第二个) and what a lone 不
#: takes back (第一个，哦不，第二个); so is what came before 算了 or a 还是 after a pause
#: (第二个……算了，还是第一个; 第一个还是第二个, or with a pause and a question mark, asks).
_REFUSAL = r"不对|不是|说错了|错了|不要|不\|*还是"
_TAKEN_BACK = re.compile(
    _REFUSAL
    + r"|那就|就要|\|不不?\||(?<=[个面头的])(?:哦|噢)?不(?=第|前|后|头|上|另)|算了|(?<=\|)还是"
)
#: (seventeenth round) 要第二个，不要第一个: the one refused after the one chosen.
_REFUSED_ONE = re.compile(r"(?:不要|不是|不选)([^|]+)")
_REFUSED_AFTER = re.compile(r"([^|]+?)(?:不要|不行|不得行|不合适)了?$")
#: 不是第二个 / 不要第一个: the answer opens with a refusal.
_REFUSED = re.compile(_REFUSAL)
#: 最后一个 / 最后那个: the last of the list, its number not said (后一个 is the second of two).
_THE_LAST = re.compile("最后(?:一个|那个|的)")
#: 第一个是哪天 / 第二个在几点: a question about one of the list, none chosen yet.
_ASKED_ABOUT = re.compile(
    "(?:是|在)(?:哪天|哪一天|几点|几号|什么时候|星期几|礼拜几|哪个医生"
    # (eighteenth round) 你说的第一个是哪样: what it is, asked
    "|哪样|什么|啥子|啥)"
)


#: (sixteenth round) 哎呀就第一个 / 那还是第二个: the clause that settles it.
_SETTLED = re.compile("(?:哎呀|哎|唉|算了|那)?(?:就|还是|干脆)")


def parse_choice(text: str) -> int | None:
    """Return the chosen number 1-10, or ``None`` when none (or several) was said; after a
    correction (第一个不对，第二个) the one said last counts."""
    cleaned = clean(text, use_dialect=False)
    if _ASKED_ABOUT.search(cleaned):
        # (seventeenth round) 第一个是哪天来着？礼拜六啊？那就第二个: asked, then settled
        settled = re.search(r"(?:那就|就要|那还是)([^|]+)$", cleaned)
        return _choice(settled[1]) if settled else None
    clauses = cleaned.split(SEP)
    refused_values = {v for m in _REFUSED_ONE.finditer(cleaned) if (v := _choice(m[1])) is not None}
    refused_after = {  # (seventeenth round) 前面的不要: refused after it is named
        v for c in clauses if (m := _REFUSED_AFTER.match(c)) and (v := _choice(m[1]))
    }
    refused_values |= refused_after
    kept = {
        v
        for c in clauses
        if not _REFUSED.match(c) and (v := _choice(c)) is not None and v not in refused_values
    }
    if refused_values and len(kept) == 1 and not _REFUSED.match(cleaned):
        return kept.pop()  # 要第二个，不要第一个
    if refused_after and not kept:
        return None  # 前面的不要: only a refusal
    cleaned = _THE_LAST.sub(SEP, cleaned)  # 最后一个，第四个: no 后一个
    said = [_choice(c) for c in cleaned.split(SEP)]
    singles = {v for v in said if v is not None}
    if len(said) > 1 and len(singles) == 1:
        return singles.pop()  # 第一个还是第二个？第二个: the question said back, then one
    if len(said) > 2 and said[-1] is not None and said[-1] == said[-2] != said[0] is not None:
        return said[-1]  # 第一个……哦第二个，第二个时间好点: said again last, it counts
    last_clause = cleaned.split(SEP)[-1]
    asked = "?" in text or "？" in text  # 第一个，还是第二个？: both weighed, none chosen
    if len(said) > 1 and said[-1] is not None and not asked and _SETTLED.match(last_clause):
        return said[-1]  # 第一个——第二个——哎呀就第一个嘛: weighed aloud, then settled
    weighed = cleaned.replace("|还是", "还是") if asked else cleaned
    parts = [p for p in _TAKEN_BACK.split(weighed) if p.strip("|")]
    if len(parts) > 1 and (last := _choice(parts[-1])) is not None:
        return last
    refused = _REFUSED.match(cleaned)
    if refused:  # 不是第二个，是第一个: the one said after; 不要第一个: none chosen
        said = [c for p in re.split(r"是|要|就|\|", cleaned[refused.end() :]) if (c := _choice(p))]
        return said[-1] if len(said) > 1 else None
    return _choice(cleaned)


_JUST_AND_PARTICLES = re.compile("^(?:那就|就)|[嘛吧呢哦啊噻撒]+$")
_ORDINAL_ALONE = re.compile(f"第({_N})(?=$|\\||还|[吧嘛呢哦啊撒噻])")
#: The longest answer in which 两个 / 3号 with no 第 still names a choice.
_BARE_MAX = 4


def _choice(cleaned: str) -> int | None:
    ordinals, marked, not_digits = _tables()
    if not cleaned:
        return None
    found: set[int | None] = {v for k, v in ordinals.items() if k in cleaned}
    # (eighteenth round) 我选第一 / 第二嘛: the ordinal said without 个, ending its clause
    found |= {to_int(m[1]) for m in _ORDINAL_ALONE.finditer(cleaned)}
    rest = not_digits.sub("|", cleaned)  # 第一个还是第二个: both, none chosen
    # (seventeenth round) a number before 个 with no 第 is a choice only as the whole answer
    # (第二个吧……以前一个科室的: 一个 is "one", not the first)
    found |= {
        to_int(m["a"] or m["b"])
        for m in marked.finditer(rest)
        if m["a"] or len(cleaned) <= _BARE_MAX
    }
    bare = _JUST_AND_PARTICLES.sub("", cleaned.replace("|", ""))  # (eighteenth round) 就一嘛
    if not found and re.fullmatch(_N, bare):
        found = {to_int(bare)}
    values = {v for v in found if v is not None and 1 <= v <= 10}
    return values.pop() if len(values) == 1 else None
