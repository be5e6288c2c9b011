"""The call-flow engine: one step turns (call state, event) into (new state, outputs).

It knows nothing of Twilio, audio or the database. Behaviour shared by every state lives
here, once: speech understood as an emergency (胸口疼, 喘不过气 ...) comes first, at every
question: the caller hears slowly the advice to call 120 and is handed to a person; `*` or
"再说一遍" repeats the prompt more slowly; `0` or "转人工" hands the caller to a person;
a question's own words for its keys (`key_words`: "晚一点" at an offer) come before its
kind of answer (yes/no), so "要晚一点的" is never a "yes"; a no that wants nothing at all
(不消了, 算了: the understanding's `decline`) goes where the question's `answers: {decline}`
says, at a question of any kind; an answer the question's kind
makes nothing of may be a second kind it also takes (`otherwise`: a day said at an offer),
and a no that names a day at a question taking a day too is that day ("后天上午不行，下午嘛"),
as is a yes naming a day or an hour other than the one the question offers ("好，明天下午",
"好，10点的" at an offer of 明天上午8点: never booked), and a key's own words naming what it
changes to ("改到后天");
an answer that only says again what the flow is for ("我想挂个号" at the department
question) asks the question again kindly, never "didn't understand";
at a question that commits something a bare 嗯 is no yes (`on_hum`: asked again plainly);
the first silence, misunderstanding or wrong key re-prompts in simpler words (a wrong key
with "请再按一遍", never "再说一遍"; a key where the caller's own words are recorded
with "请直接说"), and the
second hands the caller to a person. The engine never hangs up on a caller who has not
finished: only an `end` state hangs up.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from app.callflow.actions import ActionContext, ActionRegistry
from app.callflow.key_words import keys_said
from app.callflow.loader import FlowSet, StateRef
from app.callflow.messages import (
    CallStarted,
    Event,
    HangUp,
    Hangup,
    Keys,
    Listen,
    Output,
    Say,
    Silence,
    Speech,
    Transfer,
)
from app.callflow.spec import StateSpec

logger = logging.getLogger(__name__)



class Understand(Protocol):
    """``app.understanding.understand``: the answer of a kind to what the caller said; for a
    yes/no question that read a detail back, the question as asked too."""

    def __call__(
        self, expect: str, text: str, today: date, *, question: str | None = None
    ) -> object: ...


MAX_HOPS = 25  # states entered in one step before the engine assumes a bug
FAILURES_BEFORE_TRANSFER = 2
REPEAT_KEY = "*"
OPERATOR_KEY = "0"
DECLINE = "decline"  # the answer kind (and `answers` key) of a no that wants nothing
# A call variable a flow's action sets when a person taking the call must know something
# first (a rider with no ID number to check: "乘客无身份证号，需告知去哪里"); every transfer
# while it is set carries it (`Transfer.note`), and the operators' panel shows it.
HANDOVER_NOTE = "handover_note"
# Set for the step in which the second kind of answer was taken from an answer that was
# also a no ("后天上午不行，下午嘛"; dropped at the next event): the day a no names may be
# the one refused ("明天不行" at an offer of tomorrow), which only the flow's action can
# tell (it knows what was offered).
SAID_WITH_NO = "said_with_no"
# The same for a yes naming something other than what the question offers (`offered`:
# "好，明天下午" at an offer of 明天上午8点): the caller agreed to a time, not to the one
# offered; a half-day alone ("好，下午的") is only the flow's action to place.
SAID_WITH_YES = "said_with_yes"
# The key whose own words came with the answer (`with_keys`: "换一天，下午的" at the
# hospital's offer is key 3 with an afternoon), for that step only: what the key changes
# (another day, a later hour) tells the flow's action where a half-day alone belongs.
SAID_WITH_KEY = "said_with_key"
# Set when the caller said only what the flow is for at the question they are at, dropped
# when the call moves on: the first time it is asked again kindly, a second time counts as
# an answer that is none.
RESTATED_HERE = "restated_here"


@dataclass
class CallState:
    """Everything the engine remembers about one call between two steps."""

    flow: str = ""
    state: str = ""
    vars: dict[str, Any] = field(default_factory=dict)
    failures: int = 0
    repeats: int = 0
    ended: bool = False
    outcome: str | None = None  # why the call ended: completed, transferred, caller_hung_up

    def to_dict(self) -> dict[str, Any]:
        """The state as stored (JSON): shallow, since storing it serialises it at once
        (a deep copy of the variables per step cost more than the rest of this)."""
        return {
            "flow": self.flow,
            "state": self.state,
            "vars": self.vars,
            "failures": self.failures,
            "repeats": self.repeats,
            "ended": self.ended,
            "outcome": self.outcome,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallState:
        # A deep copy: the stored dict must stay as loaded, or saving the changed state
        # would compare equal to it and the change would never be written.
        return cls(**copy.deepcopy(data))

    @property
    def ref(self) -> StateRef:
        return StateRef(self.flow, self.state)


class _SafeVars(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        logger.warning("prompt variable %r is not set", key)
        return ""


class Engine:
    def __init__(self, flows: FlowSet, actions: ActionRegistry, understand: Understand) -> None:
        self.flows = flows
        self.actions = actions
        self.understand = understand

    # --- the one public step ---------------------------------------------------------

    def step(self, call: CallState, event: Event, ctx: ActionContext) -> list[Output]:
        """Apply one event to the call; mutate `call` and return what to say and do."""
        out: list[Output] = []
        # Said with the answer of the step before, if any.
        call.vars.pop(SAID_WITH_NO, None)
        call.vars.pop(SAID_WITH_YES, None)
        call.vars.pop(SAID_WITH_KEY, None)
        if isinstance(event, CallStarted):
            start = self.flows.start(event.flow) if event.flow else self.flows.start()
            self._enter(call, start, ctx, out)
        elif isinstance(event, HangUp):
            self._hang_up(call, ctx)
        elif call.ended:
            logger.info("event %s after the call ended; ignored", event.kind)
        elif isinstance(event, Keys):
            current = self._current(call)
            if current.note_answer is not None:  # a key says no department (nothing noted)
                call.vars.pop(current.note_answer.save_as, None)
            if current.keep_said:
                call.vars.pop(current.keep_said, None)  # a key says nothing more
            self._on_keys(call, event.digits, ctx, out)
        elif isinstance(event, Speech):
            self._on_speech(call, event, ctx, out)
        elif isinstance(event, Silence):
            self._fail(call, "silence", out)
        return out

    # --- input handling ---------------------------------------------------------------

    def _on_keys(self, call: CallState, digits: str, ctx: ActionContext, out: list[Output]) -> None:
        spec = self._current(call)
        digits = digits.strip()
        if digits == REPEAT_KEY or (digits.startswith(REPEAT_KEY) and spec.max_digits == 1):
            self._repeat(call, out)
            return
        if digits == OPERATOR_KEY or (digits.startswith(OPERATOR_KEY) and spec.max_digits == 1):
            self._transfer(call, "asked", out)
            return
        if digits in spec.keys:
            self._go(call, spec.keys[digits], ctx, out)
            return
        if digits in spec.key_answers:
            self._on_value(call, spec, spec.key_answers[digits], ctx, out, why="wrong_key")
            return
        if spec.record:
            # A question answered by the caller's own words (a pickup place): a key press is
            # no answer ("1" is not an address). Asked again to say it; 0 still reaches a person.
            self._fail(call, "key_not_words", out)
            return
        if spec.expect == "digits":
            digits = digits.replace(REPEAT_KEY, "X")  # X in an ID number is typed with *
        if spec.expect is not None and spec.expect != "yesno":
            # Typed answers (an ID number, a choice) go through the same understanding.
            value = self._value(call, spec, digits, ctx)
            self._on_value(call, spec, value, ctx, out, why="wrong_key")
            return
        self._fail(call, "wrong_key", out)

    def _on_speech(
        self, call: CallState, event: Speech, ctx: ActionContext, out: list[Output]
    ) -> None:
        spec = self._current(call)
        text = event.text.strip()
        if spec.record and spec.save_as and event.recording_url:
            # The caller's own words are kept even when recognition made nothing of them:
            # a person can listen to the recording.
            call.vars[f"{spec.save_as}_recording"] = event.recording_url
            if not text:
                self._on_value(call, spec, "", ctx, out)
                return
        if text and self.understand("emergency", text, ctx.today) is True:
            self._emergency(call, out)  # before any other meaning, at every question
            return
        if not text:
            self._fail(call, "silence", out)
            return
        if spec.keep_said:
            call.vars[spec.keep_said] = text
        intent = self.understand("intent", text, ctx.today)
        if intent == "repeat":
            self._repeat(call, out)
            return
        if intent == "operator":
            self._transfer(call, "asked", out)
            return
        noted = keys_said(spec.notes, text)  # the words of key_words, read the same way
        new_wish = any(not call.vars.get(note) for note in noted)
        for note in noted:
            call.vars[note] = True
        if spec.note_answer is not None:
            also = self.understand(spec.note_answer.expect, text, ctx.today)
            if isinstance(also, str) and also and also != "unknown":
                call.vars[spec.note_answer.save_as] = also
            else:
                call.vars.pop(spec.note_answer.save_as, None)
        # The question's own words for its keys win over its kind of answer.
        keys = keys_said(spec.key_words, text)
        if len(keys) == 1:
            key = keys.pop()
            # "就挂这个，明天下午的": the yes in the question's own words, the same rule.
            if self._is_yes_key(call, spec, key) and self._take_other(
                call, spec, "yes", text, ctx, out
            ):
                return
            # "改到后天" at "…换一个时间，请按2": the key's words with what it changes to.
            if (
                spec.otherwise is not None
                and key in spec.otherwise.with_keys
                and self._take_other(call, spec, "key", text, ctx, out, key=key)
            ):
                return
            self._on_keys(call, key, ctx, out)
            return
        if keys:  # words of two different keys ("晚一点的，换一天也行"): ask again
            self._fail(call, "nomatch", out)
            return
        if spec.on_hum and _bare_hum(text):
            self._fail(call, "hum", out, ask=spec.on_hum)
            return
        # A no that wants nothing at all (不消了, 算了, 要不得: the understanding's `decline`)
        # has a state of its own where the question says so (`answers: {decline: ...}`),
        # whatever the question's kind: no car / no booking, never "correct one detail",
        # a place, a passenger or a department.
        declined = spec.answers.get(DECLINE)
        if declined and self.understand(DECLINE, text, ctx.today) is True:
            self._go(call, declined, ctx, out)
            return
        if spec.expect is None:
            self._fail(call, "nomatch", out)
            return
        value = self._value(call, spec, text, ctx)
        if self._asked_instead(spec, intent, value, text):
            self._go(call, spec.instead[str(intent)], ctx, out)  # 按错了 我是要挂号
            return
        if self._take_other(call, spec, value, text, ctx, out):
            return
        if self._choice_said_as_yes(spec, value, text, ctx):
            # "好嘞，就挂这个" at a menu that offers one thing first: the flow's yes decides
            # which (the one offered, or which of two asked).
            self._go(call, spec.answers["yes"], ctx, out)
            return
        if (value is None or value == "unknown") and spec.clarify:
            # Asked of the question's kind, then of its second kind (头晕 at the second
            # department menu, whose own kind is a choice among the names said).
            kinds = [spec.expect] + ([spec.otherwise.expect] if spec.otherwise else [])
            for kind in kinds:
                question = self.understand(f"clarify:{kind}", text, ctx.today)
                if isinstance(question, str) and question in spec.clarify:
                    self._go(call, spec.clarify[question], ctx, out)  # ask, don't guess
                    return
        noted_target = next((spec.on_note[n] for n in sorted(noted) if n in spec.on_note), None)
        if noted_target is not None and (
            value is None or value == "unknown" or (value == "no" and not _REFUSAL.search(text))
        ):
            self._go(call, noted_target, ctx, out)  # "我要看专家" at an offer: an expert's
            return
        if new_wish and (value is None or value == "unknown"):
            # "要专家号" alone at the department question: the wish is kept and the question
            # asked again in its simpler words, no failure counted (the same words twice are).
            assert spec.simpler is not None
            out.append(Say(self._render(call, spec.simpler), pace="slow"))
            out.append(self._listen(spec))
            return
        if intent == call.flow and (value is None or value == "unknown"):
            self._restated(call, out)  # "我想挂个号" at the department question
            return
        self._on_value(call, spec, value, ctx, out)

    def _take_other(
        self,
        call: CallState,
        spec: StateSpec,
        value: object,
        text: str,
        ctx: ActionContext,
        out: list[Output],
        *,
        key: str | None = None,
    ) -> bool:
        """Go where the question's second kind of answer (`otherwise`) goes, if the answer
        is one: when the question's own kind heard nothing ("礼拜六上午" at an offer); after
        a no naming something the second kind may correct (a day always: "后天上午不行，
        下午嘛" wants the afternoon; other kinds with `after_no`); after a yes naming
        something other than what the question offers (`offered`: "好，明天下午" at an
        offer of 明天上午8点 agrees to the afternoon, not to 8:00; with `compare_as` the
        answer read as that kind too: "好，10点的" at 8点), or a yes at a question whose yes
        goes nowhere; after a key's own words naming what it changes to (`with_keys`,
        `value` "key", `key` the key: "改到后天"). A no or a yes naming nothing, or a yes
        naming only what is offered ("好，明天上午"), stays the no or yes. The step runs
        with `said_with_no` / `said_with_yes` / `said_with_key` set. False when not taken."""
        other = spec.otherwise
        if other is None:
            return False
        gated = self._gated(call, spec)
        heard_nothing = value is None or value == "unknown"
        corrects = value == "no" and (other.after_no or other.expect == "when")
        checks_yes = value == "yes" and (other.offered is not None or "yes" not in spec.answers)
        if gated:
            # Only a yes naming a part that still counts ("对，十点的" at a car now).
            if not (checks_yes and other.yes_naming):
                return False
            heard_nothing = corrects = False
        if not (heard_nothing or corrects or checks_yes or value == "key"):
            return False
        offered = call.vars.get(str(other.offered)) if other.offered else None
        said = _answer(self.understand(other.expect, text, ctx.today))
        if gated:
            said = _only(said, other.yes_naming)
        compared = kept = None
        if other.compare_as is not None:
            kept = _answer(self.understand(other.compare_as.expect, text, ctx.today))
            compared = _within(kept, offered)
        if heard_nothing:
            if said is None and not _named(compared):
                return False
        elif not (_named(said) or _named(compared)):
            return False  # a day answer naming no day nor half-day: the plain no it is
        if checks_yes and _agrees_or_none(said, offered) and _agrees_or_none(compared, offered):
            return False  # "好，明天上午" at an offer of 明天上午8点: the yes it is
        if other.save_as:
            if said is None:
                call.vars.pop(other.save_as, None)
            else:
                call.vars[other.save_as] = said
        if other.compare_as is not None:  # all of it: "改到下午三点" offers nothing to compare
            call.vars[other.compare_as.save_as] = kept
        if value == "no":
            call.vars[SAID_WITH_NO] = True
        elif value == "yes":
            call.vars[SAID_WITH_YES] = True
        elif value == "key" and key is not None:
            call.vars[SAID_WITH_KEY] = key
        self._go(call, other.on_value, ctx, out)
        return True

    def _is_yes_key(self, call: CallState, spec: StateSpec, key: str) -> bool:
        """Does this key of a yes/no question do what its yes does (1: 挂这个 at an offer)?"""
        yes, to = spec.answers.get("yes"), spec.keys.get(key)
        if spec.expect != "yesno" or yes is None or to is None:
            return False
        return self.flows.resolve(call.flow, yes) == self.flows.resolve(call.flow, to)

    def _restated(self, call: CallState, out: list[Output]) -> None:
        """The caller said again only what the flow is for (the intent named as the flow:
        "我想挂个号" inside `hospital`): no "didn't understand", the question again in its
        simpler words after the flow's `restated` words ("好的，这就帮您挂号。"). Free the first
        time at a question; a second time it counts as an answer that is none."""
        spec = self._current(call)
        if call.vars.get(RESTATED_HERE):
            self._fail(call, "restated", out, lead="restated")
            return
        call.vars[RESTATED_HERE] = True
        assert spec.simpler is not None
        out.append(Say(self._render(call, "restated"), pace="slow"))
        out.append(Say(self._render(call, spec.simpler), pace="slow"))
        out.append(self._listen(spec))

    def _value(
        self, call: CallState, spec: StateSpec, answer: str, ctx: ActionContext
    ) -> object:
        """What the caller's answer means for this question (free text is kept as said). A
        yes/no question is heard with its words as asked ("是给您孙子挂号吗？" answered "给我
        孙子" is a yes, "给我外婆挂" a no), unless it has a second kind of answer that
        applies, which takes the details it names its own way (`otherwise`; one gated by
        `only_if` unset, as at the read-back of a car now, leaves the question its words:
        "要要，我在螺蛳湾这边" at 车到家接您 is not where the car goes). A detail put right is
        the no only where the flow says so (`put_right_is_no`); elsewhere a no is the caller's own,
        and a yes said with a detail put right (是的，给我老伴叫 at "是给您母亲叫车吗？") is
        asked again."""
        assert spec.expect is not None
        if spec.expect == "free_text":
            return answer
        if spec.expect != "yesno" or spec.ask is None:
            return self.understand(spec.expect, answer, ctx.today)
        if self._takes_details(call, spec, answer, ctx):
            own = self.understand(spec.expect, answer, ctx.today)
            if own != "unknown" or self._names_details(spec, answer, ctx):
                return own
            # No answer of its own and no detail named: the question may settle it ("她走不动
            # 要车" at "要不要约车送她去医院？", a user trial asked again).
        asked = self._render(call, spec.ask)
        heard = self.understand(spec.expect, answer, ctx.today, question=asked)
        if heard != "no" or spec.put_right_is_no:
            return heard
        own = self.understand(spec.expect, answer, ctx.today)
        return "unknown" if own == "yes" else own

    @staticmethod
    def _asked_instead(spec: StateSpec, intent: object, value: object, text: str) -> bool:
        """Is the answer another errand asked for instead (`instead`, `not_this`)?"""
        if str(intent) not in spec.instead or value == "yes":
            return False
        return bool(keys_said({"not_this": spec.not_this}, text))

    def _choice_said_as_yes(
        self, spec: StateSpec, value: object, text: str, ctx: ActionContext
    ) -> bool:
        """A menu answered with a yes and no choice, where the question takes a yes."""
        return (
            value is None
            and spec.expect == "choice"
            and "yes" in spec.answers
            and self.understand("yesno", text, ctx.today) == "yes"
        )

    def _names_details(self, spec: StateSpec, answer: str, ctx: ActionContext) -> bool:
        """Does the answer name anything the question's second kind of answer takes?"""
        other = spec.otherwise
        if other is None:
            return False
        kinds = [other.expect] + ([other.compare_as.expect] if other.compare_as else [])
        return any(_named(_answer(self.understand(k, answer, ctx.today))) for k in kinds)

    def _takes_details(
        self, call: CallState, spec: StateSpec, answer: str, ctx: ActionContext
    ) -> bool:
        """Does the question's second kind of answer take the details this answer names?
        Always where it applies; where it is gated (`only_if` unset), only the parts it
        still counts in a yes (`yes_naming`: "对，下午三点的" at the read-back of a car now)."""
        other = spec.otherwise
        if other is None:
            return False
        if not self._gated(call, spec):
            return True
        said = _only(_answer(self.understand(other.expect, answer, ctx.today)), other.yes_naming)
        return bool(other.yes_naming) and _named(said)

    @staticmethod
    def _gated(call: CallState, spec: StateSpec) -> bool:
        """Is the question's second kind of answer gated (its `only_if` unset)?"""
        other = spec.otherwise
        return other is not None and bool(other.only_if) and not call.vars.get(str(other.only_if))

    def _on_value(
        self,
        call: CallState,
        spec: StateSpec,
        value: object,
        ctx: ActionContext,
        out: list[Output],
        *,
        why: str = "nomatch",
    ) -> None:
        """`why` is the failure when the value is no answer: nomatch (speech), wrong_key."""
        if value is None or value == "unknown" or (value == "" and not spec.record):
            self._fail(call, why, out)
            return
        if spec.save_as:
            call.vars[spec.save_as] = value
        target = spec.answers.get(str(value))
        if target is None and spec.expect == "choice":
            target = spec.keys.get(str(value))
        if target is None:
            target = spec.on_value
        if target is None:
            self._fail(call, why, out)
            return
        self._go(call, target, ctx, out)

    # --- shared behaviour ---------------------------------------------------------------

    def _repeat(self, call: CallState, out: list[Output]) -> None:
        spec = self._current(call)
        call.repeats += 1
        assert spec.ask is not None
        out.append(Say(self._render(call, spec.ask), pace="slow"))
        out.append(self._listen(spec))

    def _fail(
        self,
        call: CallState,
        why: str,
        out: list[Output],
        *,
        ask: str | None = None,
        lead: str | None = None,
    ) -> None:
        """An answer that is none: the question again in simpler words (or in `ask`, its own
        plain words for a bare 嗯 at a commit question; after the prompt `lead`, if any),
        the second time a person."""
        spec = self._current(call)
        call.failures += 1
        logger.info("caller input not usable (%s), failure %d", why, call.failures)
        if call.failures >= FAILURES_BEFORE_TRANSFER:
            self._transfer(call, "silence" if why == "silence" else "not_understood", out)
            return
        if why == "nomatch":
            out.append(Say(self._common(call, "didnt_catch"), pace="slow"))
        elif why == "wrong_key":  # a key press: "press again", never "say again"
            out.append(Say(self._common(call, "wrong_key"), pace="slow"))
        elif why == "key_not_words":  # a key where words are wanted: "say it"
            out.append(Say(self._common(call, "say_not_key"), pace="slow"))
        if lead:
            out.append(Say(self._render(call, lead), pace="slow"))
        prompt = ask or spec.simpler
        assert prompt is not None
        out.append(Say(self._render(call, prompt), pace="slow"))
        out.append(self._listen(spec))

    def _transfer(self, call: CallState, reason: str, out: list[Output]) -> None:
        out.append(Say(self._common(call, "transferring")))
        out.append(Transfer(reason=reason, note=_handover_note(call)))
        call.ended = True
        call.outcome = "transferred"

    def _emergency(self, call: CallState, out: list[Output]) -> None:
        """Say slowly to call 120 now, then hand the caller to a person."""
        logger.warning("emergency words heard; the caller is handed to a person")
        out.append(Say(self._common(call, "emergency"), pace="slow"))
        out.append(Transfer(reason="emergency", emergency=True))
        call.ended = True
        call.outcome = "transferred"

    def _hang_up(self, call: CallState, ctx: ActionContext) -> None:
        if call.ended:
            return
        call.ended = True
        call.outcome = "caller_hung_up"
        flow = self.flows.flows.get(call.flow)
        if flow is not None and flow.on_hang_up:
            self.actions.run(flow.on_hang_up, ctx)

    # --- moving between states ----------------------------------------------------------

    def _go(self, call: CallState, target: str, ctx: ActionContext, out: list[Output]) -> None:
        self._enter(call, self.flows.resolve(call.flow, target), ctx, out)

    def _enter(self, call: CallState, ref: StateRef, ctx: ActionContext, out: list[Output]) -> None:
        call.vars.pop(RESTATED_HERE, None)
        for _ in range(MAX_HOPS):
            call.flow, call.state = ref.flow, ref.state
            call.failures = 0
            spec = self.flows.state(ref)
            outcome = self.actions.run(spec.action, ctx) if spec.action else None
            if outcome is not None and outcome in spec.outcomes:
                if spec.say:
                    out.append(Say(self._render(call, spec.say)))
                ref = self.flows.resolve(ref.flow, spec.outcomes[outcome])
                continue
            kind = spec.kind
            if kind == "ask":
                assert spec.ask is not None
                out.append(Say(self._render(call, spec.ask)))
                out.append(self._listen(spec))
                return
            if kind == "transfer":
                assert spec.transfer is not None
                if spec.emergency:
                    out.append(Say(self._render(call, spec.transfer), pace="slow"))
                    out.append(Transfer(reason="emergency", emergency=True))
                else:
                    out.append(Say(self._render(call, spec.transfer)))
                    out.append(Transfer(reason="flow", note=_handover_note(call)))
                call.ended, call.outcome = True, "transferred"
                return
            if kind == "end":
                assert spec.end is not None
                out.append(Say(self._render(call, spec.end)))
                out.append(Hangup())
                call.ended, call.outcome = True, "completed"
                return
            if spec.say:
                out.append(Say(self._render(call, spec.say)))
            if spec.next is None:
                raise RuntimeError(f"state {ref} has no way on for outcome {outcome!r}")
            ref = self.flows.resolve(ref.flow, spec.next)
        raise RuntimeError(f"more than {MAX_HOPS} states entered without waiting for the caller")

    # --- helpers ------------------------------------------------------------------------

    def _current(self, call: CallState) -> StateSpec:
        spec = self.flows.state(call.ref)
        if spec.kind != "ask":
            raise RuntimeError(f"input arrived in non-ask state {call.ref}")
        return spec

    def _listen(self, spec: StateSpec) -> Listen:
        assert spec.expect is not None or spec.keys
        return Listen(
            expect=spec.expect or "keys",
            input=spec.input,
            max_digits=spec.max_digits,
            timeout_s=spec.timeout_s,
            finish_on_key="#" if spec.max_digits > 1 else "",
            keys=tuple(sorted({*spec.keys, *spec.key_answers})),
            record=spec.record,
        )

    def _render(self, call: CallState, prompt: str) -> str:
        template = self.flows.prompt(call.flow, prompt)
        return template.format_map(_SafeVars(call.vars))

    def _common(self, call: CallState, prompt: str) -> str:
        return self.flows.common_prompts[prompt].format_map(_SafeVars(call.vars))


_HUMS = frozenset("嗯唔哦噢恩")
# A no with no word of refusal in it is a detail put right ("给我自己挂" at "是给您母亲张秀英
# 挂号吗？", heard against the read-back): a note it names says what instead (`on_note`).
# With one ("不要专家", "不是，给我自己挂") the no is the no it is.
_REFUSAL = re.compile("[不没莫别]")
_NOT_WORDS = re.compile(r"[\W_]+")


def _bare_hum(text: str) -> bool:
    """Only 嗯 / 嗯嗯 / 唔 (what a listener says while listening), nothing else."""
    said = _NOT_WORDS.sub("", text)
    return bool(said) and set(said) <= _HUMS


def _names(value: object) -> bool:
    """Does an understood value name something? A day answer with neither a day nor a
    half-day ({"date": None, "session": None}: "some time", as in 不行，随便哪天) does not."""
    if isinstance(value, dict):
        return any(v is not None for v in value.values())
    return True


def _answer(value: object) -> object:
    """An understood value, or None when nothing was understood."""
    return None if value is None or value == "unknown" else value


def _named(value: object) -> bool:
    return value is not None and _names(value)


def _only(value: object, parts: list[str]) -> object:
    """Only these parts of a dict answer (the others as not named)."""
    if not isinstance(value, dict):
        return value
    return {k: (v if k in parts else None) for k, v in value.items()}


def _within(value: object, offered: object) -> dict[str, Any] | None:
    """The parts of a dict answer that what is offered holds (an hour, not a place, at the
    hospital's offer); None when there is nothing to compare with."""
    first = next(iter(offered), None) if isinstance(offered, list) else offered
    if not isinstance(value, dict) or not isinstance(first, dict):
        return None
    return {k: v for k, v in value.items() if k in first}


def _agrees_or_none(said: object, offered: object) -> bool:
    return said is None or not _names(said) or _agrees(said, offered)


def _agrees(said: object, offered: object) -> bool:
    """Does all an answer names agree with what the question offers? A day answer naming
    only some of it agrees ({"date": D, "session": None} with {"date": D, "session": "am"});
    nothing offered, nothing agrees (a booking is never made for a time unchecked). A list
    is what is offered said in more than one way (a read-back of 晚上7点 and the caller's
    own "七点" found to mean it): agreeing with one of them is enough."""
    if offered is None:
        return False
    if isinstance(offered, list):
        return any(_agrees(said, one) for one in offered)
    if isinstance(said, dict) and isinstance(offered, dict):
        return all(v is None or offered.get(k) == v for k, v in said.items())
    return said == offered


def _handover_note(call: CallState) -> str:
    return str(call.vars.get(HANDOVER_NOTE) or "")


def fallback_outputs(flows: FlowSet) -> list[Output]:
    """What the caller hears when a step fails unexpectedly: never silence, never a hang-up."""
    return [Say(flows.common_prompts["system_error"]), Transfer(reason="system_error")]
