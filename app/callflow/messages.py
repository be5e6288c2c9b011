"""What flows into the engine (events) and what comes out (outputs).

Both are plain dataclasses with a `to_dict`/`from_dict` round trip, so a step can be
stored and replayed. No transport detail (Twilio JSON, audio) appears here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

InputMode = Literal["keys", "speech", "both"]
Pace = Literal["normal", "slow"]


@dataclass(frozen=True)
class CallStarted:
    from_number: str | None
    to_number: str | None
    # The flow to start in: "" is the main flow (a call to the hotline); a call the hotline
    # places names its own (the appointment reminder: "reminder").
    flow: str = ""
    kind: Literal["call_started"] = "call_started"


@dataclass(frozen=True)
class Keys:
    digits: str
    kind: Literal["keys"] = "keys"


@dataclass(frozen=True)
class Speech:
    text: str
    confidence: float = 1.0
    recording_url: str | None = None
    kind: Literal["speech"] = "speech"


@dataclass(frozen=True)
class Silence:
    kind: Literal["silence"] = "silence"


@dataclass(frozen=True)
class HangUp:
    kind: Literal["hang_up"] = "hang_up"


Event = CallStarted | Keys | Speech | Silence | HangUp
_EVENT_TYPES: dict[str, type] = {
    "call_started": CallStarted,
    "keys": Keys,
    "speech": Speech,
    "silence": Silence,
    "hang_up": HangUp,
}


@dataclass(frozen=True)
class Say:
    text: str
    pace: Pace = "normal"
    kind: Literal["say"] = "say"


@dataclass(frozen=True)
class Listen:
    """Wait for the caller: keys, speech or both, understood as `expect`."""

    expect: str
    input: InputMode = "both"
    max_digits: int = 1
    timeout_s: int = 8
    finish_on_key: str = ""
    keys: tuple[str, ...] = field(default_factory=tuple)
    record: bool = False  # keep the audio of the answer (transports: a recording URL)
    kind: Literal["listen"] = "listen"


#: Why a caller is handed to a person (``Transfer.reason``, stored as ``calls.transfer_reason``):
#: asked for one (0, 转人工), two silences or two answers not understood at one question, an
#: unexpected error, an emergency, or a flow's own transfer state.
TRANSFER_REASONS: tuple[str, ...] = (
    "asked", "silence", "not_understood", "system_error", "emergency", "flow",
)


@dataclass(frozen=True)
class Transfer:
    """Hand the caller to a person. ``emergency``: the caller described a sudden serious
    emergency and was told to call 120 (steps stored before the field load as False)."""

    reason: str  # one of TRANSFER_REASONS
    emergency: bool = False
    # What the person should know first, set by the flow (call variable `handover_note`,
    # e.g. "乘客无身份证号，需告知去哪里"); shown on the operators' panel with the reason.
    note: str = ""
    kind: Literal["transfer"] = "transfer"


@dataclass(frozen=True)
class Hangup:
    kind: Literal["hangup"] = "hangup"


Output = Say | Listen | Transfer | Hangup
_OUTPUT_TYPES: dict[str, type] = {
    "say": Say,
    "listen": Listen,
    "transfer": Transfer,
    "hangup": Hangup,
}


def to_dict(message: Event | Output) -> dict[str, Any]:
    return asdict(message)


def event_from_dict(data: dict[str, Any]) -> Event:
    event: Event = _EVENT_TYPES[data["kind"]](**data)
    return event


def output_from_dict(data: dict[str, Any]) -> Output:
    fields = dict(data)
    if "keys" in fields:
        fields["keys"] = tuple(fields["keys"])
    output: Output = _OUTPUT_TYPES[fields["kind"]](**fields)
    return output
