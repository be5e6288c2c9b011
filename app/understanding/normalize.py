"""Text clean-up before matching: width, punctuation, dialect lexicon, particles, fillers.

The same functions are applied to the caller's words and to the grammar phrases, so a
phrase may be written in dialect or in Putonghua in ``grammars/``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache

from app.understanding import data

#: Clause separator left where the caller (or the recogniser) put punctuation.
SEP = "|"

# A recogniser writes Chinese with a space between words (Vosk: "血压 高"): a space
# between two Chinese characters is not a pause, so it is removed before the rest.
_WORD_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_PUNCT = re.compile(r"[\s,.!?;:，。！？；：、…~～\"'“”‘’()（）\[\]【】<>《》·\-—_/\\|]+")


def alternation(words: Iterable[str], *, gaps: bool = False) -> str:
    """A regex alternation of ``words``, the longest tried first (莫得 before 莫); with ``gaps``
    each word may have spaces between its letters (next week, nextweek)."""
    escape = (lambda w: r"\s*".join(map(re.escape, w))) if gaps else re.escape
    return "|".join(escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _lexicon() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    table = {str(k): str(v) for k, v in (data.load("lexicon").get("dialect") or {}).items()}
    if not table:
        return None, table
    return re.compile(alternation(table)), table


@cache
def _droppers() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    particles = data.words("lexicon", "particles")
    fillers = data.words("lexicon", "fillers")
    p = re.compile("[" + "".join(map(re.escape, particles)) + "]") if particles else None
    f = re.compile(alternation(fillers)) if fillers else None
    return p, f


@cache
def _english() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    table = {
        "".join(str(k).lower().split()): str(v)
        for k, v in (data.load("lexicon").get("english") or {}).items()
    }
    if not table:
        return None, table
    words = alternation(table, gaps=True)
    return re.compile(f"(?<![a-z])(?:{words})(?![a-z])", re.IGNORECASE), table


_LATIN = re.compile("[a-zA-Z]")


def without_english(text: str) -> str:
    """English day and service words mixed in (next week星期五, morning) said in Chinese;
    the recogniser's or a writer's gaps inside them do not matter."""
    pattern, table = _english()
    if pattern is None or _LATIN.search(text) is None:
        return text
    return pattern.sub(lambda m: table["".join(m.group(0).lower().split())], text)


#: 我……的……号……是……哪……天: words said one by one, slowly, with a trailing pause after
#: each (four or more words of one or two characters): one phrase, not seven clauses.
_SLOW_WORDS = re.compile(
    r"[\u4e00-\u9fff]{1,2}(?:(?:…+|\.{3,}|—+)[\u4e00-\u9fff]{1,2}(?![\u4e00-\u9fff])){3,}"
)
_TRAILING = re.compile(r"…+|\.{3,}|—+")


def basic(text: str) -> str:
    """NFKC width folding, lower case, English words mixed in -> Chinese, punctuation ->
    ``SEP`` (collapsed, trimmed)."""
    text = without_english(unicodedata.normalize("NFKC", text).lower())
    text = _SLOW_WORDS.sub(lambda m: _TRAILING.sub("", m.group(0)), text)
    text = _WORD_SPACE.sub("", text)
    text = _PUNCT.sub(SEP, text)
    return text.strip(SEP)


def dialect(text: str) -> str:
    """Rewrite dialect words with their Putonghua meaning (longest entry first)."""
    pattern, table = _lexicon()
    if pattern is None:
        return text
    return pattern.sub(lambda m: table[m.group(0)], text)


_SEPS = re.compile(r"\|{2,}")


def drop_particles(text: str) -> str:
    """Remove particles and filler words, then tidy the clause separators."""
    particles, fillers = _droppers()
    if fillers is not None:
        text = fillers.sub("", text)
    if particles is not None:
        text = particles.sub("", text)
    text = _SEPS.sub(SEP, text)
    return text.strip(SEP)


@lru_cache(maxsize=256)
def clean(text: str, *, use_dialect: bool = True) -> str:
    """Full clean-up used by the word-level kinds (intent, yes/no, department, when).

    Remembered for the last few hundred texts: one answer is cleaned by several kinds."""
    text = basic(text)
    if use_dialect:
        text = dialect(text)
    return drop_particles(text)


def clause_start(text: str, index: int) -> int:
    """Index of the first character of the clause containing ``index``."""
    return text.rfind(SEP, 0, index) + 1


def clause_len(text: str, index: int) -> int:
    """Length of the clause containing ``index``."""
    start = clause_start(text, index)
    end = text.find(SEP, index)
    return (len(text) if end < 0 else end) - start


#: "哦不" / "噢不是" / "哎不对": the caller takes back what they just said and says it again.
_CORRECTION = re.compile(r"[哦噢喔哎唉诶欸][\s,，、.。…]*不(?!好意思|说这|说那|讲这|讲那)(是|对)?")
#: 不对不对，哦，是的是的: after a no, 哦 and a yes said again take it back.
_YES_AGAIN = re.compile(
    r"不(?:对|是|要)[^哦噢喔哎唉诶欸]*[哦噢喔哎唉诶欸][\s,，、.。…]*(?P<rest>(?:是|对|要)的?.*)$"
)
#: 我要喊个车，不是不是，我要挂号 / 看心脏，不对不对，看眼睛: a doubled no, or 说错了, takes
#: back the words before it when more words follow; so does 算了，还是 (叫车算了，还是先挂号).
_TAKEN_BACK = re.compile(
    r"(不是不是|不对不对|不不不|说错了|讲错了|搞错了|算了[\s,，、.。…]*还是)[\s,，、.。…]*"
)
_GAPS = re.compile(r"\s+")
#: 叫车……不是，挂号: a bare 不是 / 不对 between two pauses, after words, takes them back.
_NO_BETWEEN_PAUSES = re.compile(r"(?<=[,，、.。…])\s*不(?:是|对)\s*[,，、.。…]+")
_SEPARATORS = " \t,，、.。…!！?？;；:："
#: Every taking-back mark above holds 不, 错 or 算: without one, nothing is taken back.
_MAY_TAKE_BACK = re.compile("[不错算]")


def _bare_no(text: str, end: int) -> bool:
    """哦不 on its own before more words (骨科，哦不，眼科; 骨科 哦不 还是挂眼科), not 哦不舒服."""
    return text[end : end + 1] in _SEPARATORS or text.startswith("还是", end)


def said_again(text: str) -> str:
    """The words said after the caller took back what came before (哦不是 / 哎不对 /
    不对不对 / 说错了 followed by more words), else ``text``: for answers that are not a
    yes or no (an intent, a department), where "不对" alone answers nothing."""
    if _MAY_TAKE_BACK.search(text) is None:
        return text
    for said in (text, _GAPS.sub("", text)):  # 哦 不 对: the recogniser's word gaps
        marks = [m for m in _CORRECTION.finditer(said) if m.group(1) or _bare_no(said, m.end())]
        marks += _TAKEN_BACK.finditer(said)
        marks += _NO_BETWEEN_PAUSES.finditer(said)
        # the words after the last mark that has any (是挂号，我说错了: 说错了 ends it)
        for end in sorted({m.end() for m in marks}, reverse=True):
            rest = said[end:].strip(_SEPARATORS)
            if rest:
                return rest
        if marks:
            return text
    return text


def after_correction(text: str) -> str:
    """What counts of an answer the caller corrected: the words after the last 哦不 / 哦不是 /
    哦不对 ("后天上午，哦不，下午" -> "下午"; "不对……哦不是，对的" -> "对的"). 哦不 followed
    directly by a word negates it (哦不对不对 -> 不对不对); said last, it is the answer (不)."""
    again = _YES_AGAIN.search(text)
    if again:
        return again["rest"]
    matches = list(_CORRECTION.finditer(text))
    if not matches:
        return text
    m = matches[-1]
    rest = text[m.end() :]
    said_again = rest.strip(_SEPARATORS)
    if not said_again:
        return m.group(0)[-2:] if m.group(1) else "不"
    if m.group(1) or rest[:1] in _SEPARATORS:
        return said_again
    return "不" + said_again
