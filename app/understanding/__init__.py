"""Dialect-tolerant understanding of what an older Yunnan caller said.

``understand(expect, text, today)`` turns recognised (or typed) text into a value for the
kind of question the prompt asked. Everything is driven by the YAML data in ``grammars/``
(loaded once per process) and tolerant of Kunming / Southwestern Mandarin words and sounds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from app.understanding.change import parse_change
from app.understanding.choice import parse_choice
from app.understanding.decline import is_decline
from app.understanding.department import (
    department_question,
    names_several,
    parse_department,
    question_for_unparsed,
)
from app.understanding.digits import parse_digit_answer
from app.understanding.emergency import is_emergency
from app.understanding.intent import parse_intent, says_nothing_asked
from app.understanding.menu import parse_menu
from app.understanding.offer import parse_offer
from app.understanding.readback import against_question
from app.understanding.when import parse_when
from app.understanding.yesno import parse_yesno, yesno_question

_PARSERS: dict[str, Callable[[str, dt.date], object]] = {
    "intent": lambda text, _today: parse_intent(text),
    "yesno": lambda text, _today: parse_yesno(text),
    "department": lambda text, _today: parse_department(text),
    "when": parse_when,
    "digits": lambda text, _today: parse_digit_answer(text),
    "choice": lambda text, _today: parse_choice(text),
    # At a slot offer: yes / no / later / earlier / other_day, or a named day (when value).
    "offer": parse_offer,
    # Asked of every spoken answer before anything else: True sends the caller to a person.
    "emergency": lambda text, _today: is_emergency(text),
    # A no that wants nothing at all (不消了, 莫整了, 算了): stop, not "correct a detail".
    "decline": lambda text, _today: is_decline(text),
    # At the read-back of a ride booked ahead: a day, time or destination said again.
    "change": parse_change,
    # At a top-level menu: the intent, a car for later, a booked car given up, never mind.
    "menu": lambda text, today: parse_menu(text, today),
}

#: Follow-up questions worth asking when an answer was heard but is ambiguous.
_CLARIFIERS: dict[str, Callable[[str], str | None]] = {
    "department": department_question,
    "yesno": yesno_question,
}

#: The kinds of answer a prompt can expect.
KINDS: tuple[str, ...] = tuple(_PARSERS)

#: The "nothing understood" value of each kind.
NOTHING: dict[str, object] = {
    "intent": "unknown",
    "yesno": "unknown",
    "department": None,
    "when": None,
    "digits": None,
    "choice": None,
    "offer": "unknown",
    "emergency": False,
    "decline": False,
    "change": None,
    "menu": "unknown",
}


def understand(
    expect: str,
    text: str,
    today: dt.date,
    *,
    backstop: bool = True,
    question: str | None = None,
) -> object:
    """Understand ``text`` as an answer of kind ``expect`` (see :data:`KINDS`).

    Returns ``"unknown"`` (intent, yesno), ``False`` (emergency, decline) or ``None`` (other kinds)
    when nothing usable was said. Raises ``ValueError`` for an unknown kind.

    ``expect="clarify:KIND"`` names the follow-up question to ask when an answer of KIND
    was ambiguous (e.g. ``"dizziness"`` for a department), or ``None``.

    For intent, yes/no and department a statistical backstop reviews the rules' answer
    (``app.understanding.backstop``); ``backstop=False`` gives the rules alone.

    ``question`` is the yes/no question as asked, when it read a detail back ("是给您孙子挂号
    吗？"): the detail said again is a yes, put right a no (``app.understanding.readback``).
    """
    if expect.startswith("clarify:"):
        clarifier = _CLARIFIERS.get(expect.removeprefix("clarify:"))
        return clarifier(text or "") if clarifier else None
    try:
        parser = _PARSERS[expect]
    except KeyError:
        raise ValueError(f"unknown kind {expect!r}; expected one of {', '.join(KINDS)}") from None
    if expect == "menu":  # the intent as reviewed, then what it leaves apart
        intent = understand("intent", text, today, backstop=backstop)
        return parse_menu(text or "", today, str(intent))
    value = parser(text or "", today)
    if question and expect == "yesno":
        heard = against_question(str(value), text or "", question, today)
        if heard is not None:
            return heard  # the detail read back said again or put right: no model's guess
    if backstop and expect in _REVIEWED and not _yes_naming_a_time(expect, text, value, today):
        value = _review(expect, text or "", value)
    return value


def _yes_naming_a_time(expect: str, text: str, value: object, today: dt.date) -> bool:
    """A yes that names a day or an hour (好 明天早上八点; 对，十点的): the rules' yes stands,
    unreviewed. The flows read the time with it (a car now becoming a booking, the offer of
    that hour: docs/callflow.md, `yes_naming`), and the model, trained on answers whose
    words after the yes ask for a change, would set it aside."""
    if expect != "yesno" or value != "yes" or not _A_TIME_NAMED.search(text or ""):
        return False
    when = parse_when(text or "", today)
    return isinstance(when, dict) and (when.get("date") or when.get("session")) is not None


#: An hour (十点, 8 点) or a day or half-day said as the one meant (明天的, 下午的).
_A_TIME_NAMED = re.compile(
    r"[零一二两三四五六七八九十\d]\s*点|(?:今天|明天|后天|大后天|上午|下午|早上|晚上)\s*的"
)


#: Kinds whose rule answer the statistical backstop reviews.
_REVIEWED = frozenset({"intent", "yesno", "department"})


def _review(expect: str, text: str, value: object) -> object:
    from app.understanding import backstop

    if expect == "department" and value is None and (
        question_for_unparsed(text) is not None or names_several(text)
    ):
        return value  # dizziness, 内科/外科, a complaint for a person or several: ask
    if expect == "intent" and value == "unknown" and says_nothing_asked(text):
        return value  # the rules heard a sentence that asks nothing of the hotline
    return backstop.review(expect, text, value)


def warm_up() -> None:
    """Load every grammar and build every matcher now (start-up), not on the first call."""
    today = dt.date(2000, 1, 1)
    for kind in KINDS:
        understand(kind, "明天上午挂心内科一二三", today)


__all__ = ["KINDS", "NOTHING", "understand", "warm_up"]
