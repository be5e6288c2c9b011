"""The shape of a flow file in `dialogs/`, checked by pydantic when it is read.

A flow is a set of named states. Each state is exactly one of:
- an *ask* state: says a prompt and waits for keys and/or speech (`ask`, `expect`,
  `keys`, `answers`, `on_value`);
- a *say* state: says a prompt and moves on (`say`, `next`);
- an *action* state: runs a named Python action and branches on its outcome
  (`action`, `outcomes`, `next`); an action may be combined with `say` or `ask`, and
  then runs first;
- a *transfer* state: says a prompt and hands the caller to a person (`emergency: true`
  when the flow found an emergency: the prompt is said slowly and the reason recorded);
- an *end* state: says goodbye and hangs up.
Targets name a state of the same flow (`menu`), a state of another flow (`taxi.confirm`)
or another flow's start (`taxi`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# menu: the intent at a top-level menu, a car for later and a booked car given up told
# apart (app/understanding/menu.py).
# free_text: any words are the answer (e.g. a pickup place said after the tone).
Expect = Literal[
    "intent", "yesno", "digits", "department", "when", "choice", "free_text", "change", "menu"
]


def _key_text(key: object) -> str:
    if isinstance(key, bool):
        return "yes" if key else "no"
    return str(key)


class NotedAnswer(BaseModel):
    """The kind of answer noted by `note_answer` and the call variable it is kept in."""

    model_config = ConfigDict(extra="forbid")

    expect: Expect
    save_as: str


class OtherAnswer(BaseModel):
    """A second kind of answer a question takes when its own kind heard nothing: at an
    offer (yes/no) a day said instead ("礼拜六上午") goes to the day's offer."""

    model_config = ConfigDict(extra="forbid")

    expect: Expect
    save_as: str | None = None
    on_value: str
    # Also tried after a plain "no": a no that says something else ("不是九点，是十点")
    # corrects that part, it does not refuse the whole.
    after_no: bool = False
    # Only when this call variable is set (e.g. `pickup_at`: a ride booked ahead).
    only_if: str | None = None
    # The call variable holding what the yes/no question offers, as an answer of this kind
    # (`offer_when`: the day and half-day of the slot offered). A yes naming something that
    # differs from it ("好，明天下午" at an offer of 明天上午8点) is that answer, never the
    # yes; a yes naming only what agrees with it ("好，明天上午") is the yes. A list there
    # holds what is offered said in more than one way: agreeing with one is enough.
    offered: str | None = None
    # A yes (and any answer) also read as this kind, kept in its `save_as`: the parts it
    # names that `offered` holds are compared too. The hospital's offer takes a day
    # (`when`), which has no hour; read as a `change` too, "好，10点的" at an offer of 8点
    # names another hour, so it is that answer, never the yes.
    compare_as: NotedAnswer | None = None
    # While `only_if` is unset, a yes naming one of these parts of this kind differently
    # from `offered` is still this answer (nothing else is tried then): "对，十点的" at the
    # read-back of a car now wants the car at ten, not now.
    yes_naming: list[str] = Field(default_factory=list)
    # Keys whose own words (`key_words`), said with an answer of this kind naming
    # something, are that answer: "改到后天" at "留着原来的车，请按1。换一个时间，请按2" is
    # 后天, not the hour question its 改 (key 2) would ask. The step runs with the key in
    # `said_with_key` (engine.SAID_WITH_KEY): "换一天，下午的" (3 at the hospital's offer) is an
    # afternoon of another day, which only the flow's action can place.
    with_keys: list[str] = Field(default_factory=list)

    @field_validator("with_keys", mode="before")
    @classmethod
    def _keys_as_strings(cls, value: object) -> object:
        return [str(k) for k in value] if isinstance(value, list) else value


class StateSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str | None = None
    outcomes: dict[str, str] = Field(default_factory=dict)
    say: str | None = None
    next: str | None = None
    ask: str | None = None
    simpler: str | None = None
    expect: Expect | None = None
    input: Literal["keys", "speech", "both"] = "both"
    keys: dict[str, str] = Field(default_factory=dict)
    # Keys that stand for an answer (1: 心血管内科): pressing one is the same as saying it.
    key_answers: dict[str, str] = Field(default_factory=dict)
    answers: dict[str, str] = Field(default_factory=dict)
    # The question's own words for its keys ({2: [晚一点, 晚些]}), matched before `expect`:
    # "要晚一点的" at an offer is key 2, not the "yes" its 要 would otherwise be.
    key_words: dict[str, list[str]] = Field(default_factory=dict)
    on_value: str | None = None
    otherwise: OtherAnswer | None = None
    # At a yes/no question that reads a detail back, whether an answer putting the detail
    # right ("给我老伴挂" at "是给您母亲张秀英挂号吗？") is its no (docs/callflow.md). Only where
    # the no means "not that one" (the hospital's patient read-back: who then?); where the no
    # is a named alternative (不取消 keeps the booking, the taxi's "给您自己叫，请按2"), a
    # detail put right is asked again. A detail said again is the yes either way.
    put_right_is_no: bool = False
    # Ambiguous answers worth a follow-up question: {dizziness: ask_dizziness}.
    clarify: dict[str, str] = Field(default_factory=dict)
    save_as: str | None = None
    # Words noted as a call variable set to true when heard in the answer, whatever else
    # it means: {wants_expert: [专家号, 专家]} ("心血管内科的专家号" is still the department).
    notes: dict[str, list[str]] = Field(default_factory=dict)
    # A note heard in an answer that is nothing else ("我要看专家" at an offer), or in a no
    # that only puts the read-back right ("给我自己挂" at "是给您母亲张秀英挂号吗？"), goes to
    # this state: {wants_expert: expert_offer}.
    on_note: dict[str, str] = Field(default_factory=dict)
    # A second kind of answer noted, not followed: a spoken answer understood as this kind
    # too is kept in `save_as` (else that variable is dropped), whatever else it means:
    # "我要挂眼科" at the main menu is the `hospital` intent, and its department is kept
    # for the booking flow's department question.
    note_answer: NotedAnswer | None = None
    # A question that commits something (a booking, a cancel): a bare 嗯 / 嗯嗯 ("I am
    # listening") is no yes; this prompt asks again plainly (a failure counted, as any
    # answer that is none).
    on_hum: str | None = None
    record: bool = False  # keep the caller's own words as audio (saved as `<save_as>_recording`)
    # Another errand asked for instead of an answer ("哎呀按错了 我是要挂号" at a taxi
    # question): the intent named ({hospital: to_booking}) goes to its state when the
    # answer is no yes and says the words of `not_this` ("我不要车", "挂号").
    instead: dict[str, str] = Field(default_factory=dict)
    not_this: list[str] = Field(default_factory=list)
    # A spoken answer's words kept as said in this variable (dropped when a key answers):
    # what a yes adds at a read-back ("对，到小区门口嘛") is shown to the dispatcher.
    keep_said: str | None = None
    sensitive: bool = False  # the answer is personal data (an ID number): never stored as said
    max_digits: int = Field(default=1, ge=1, le=18)
    timeout_s: int = Field(default=8, ge=3, le=30)
    transfer: str | None = None
    # A transfer for a sudden serious emergency: said slowly, recorded as reason "emergency".
    emergency: bool = False
    end: str | None = None

    @field_validator("keys", "key_answers", "key_words", "answers", "outcomes", mode="before")
    @classmethod
    def _keys_as_strings(cls, value: object) -> object:
        """YAML 1.1 reads `1:` as an integer and `yes:`/`no:` as booleans; keys are strings."""
        if isinstance(value, dict):
            return {_key_text(k): v for k, v in value.items()}
        return value

    @property
    def kind(self) -> str:
        if self.ask is not None:
            return "ask"
        if self.transfer is not None:
            return "transfer"
        if self.end is not None:
            return "end"
        if self.say is not None:
            return "say"
        return "action"

    def targets(self) -> list[tuple[str, str]]:
        """Every (label, target) edge leaving this state."""
        edges = [(f"key {k}", t) for k, t in self.keys.items()]
        edges += [(f"answer {a}", t) for a, t in self.answers.items()]
        edges += [(f"outcome {o}", t) for o, t in self.outcomes.items()]
        if self.on_value:
            edges.append(("on_value", self.on_value))
        if self.otherwise:
            edges.append((f"otherwise {self.otherwise.expect}", self.otherwise.on_value))
        edges += [(f"clarify {q}", t) for q, t in self.clarify.items()]
        edges += [(f"note {n}", t) for n, t in self.on_note.items()]
        edges += [(f"instead {i}", t) for i, t in self.instead.items()]
        if self.next:
            edges.append(("next", self.next))
        return edges

    def prompt_names(self) -> list[str]:
        prompts = (self.say, self.ask, self.simpler, self.on_hum, self.transfer, self.end)
        return [p for p in prompts if p]


class FlowSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    start: str
    on_hang_up: str | None = None  # an action run when the caller hangs up inside this flow
    # A flow the hotline starts itself when it places a call (the appointment reminder):
    # reachable from its own start, not from the main menu.
    outbound: bool = False
    prompts: dict[str, str] = Field(default_factory=dict)
    states: dict[str, StateSpec]
