"""Read every flow in `dialogs/`, and refuse a broken one with a clear message.

Checks: unknown target state, unreachable state, missing prompt, unknown action, an
action outcome with nowhere to go, reserved keys (`0`, `*`) used by a flow, a loop of
states that never waits for the caller, and a committing action (a booking, a
cancellation) that can be reached without the caller confirming it first.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from app.callflow.actions import ActionRegistry
from app.callflow.spec import FlowSpec, StateSpec
from app.core.yaml_files import FAST_SAFE_LOADER
from app.texts import CATALOGUE_FILE

COMMON_FILE = "common.yaml"
MAIN_FLOW = "main"
RESERVED_KEYS = {"0": "transfer to a person", "*": "repeat the prompt"}
REQUIRED_COMMON_PROMPTS = (
    "didnt_catch",
    "wrong_key",
    "transferring",
    "system_error",
    "emergency",
    "restated",
)


class FlowError(Exception):
    """A flow file is broken; the message names the file, the state and the problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class StateRef:
    flow: str
    state: str

    def __str__(self) -> str:
        return f"{self.flow}.{self.state}"


class FlowSet:
    """All flows of the hotline plus the prompts shared by every flow."""

    def __init__(self, flows: dict[str, FlowSpec], common_prompts: dict[str, str]) -> None:
        self.flows = flows
        self.common_prompts = common_prompts

    def names(self) -> list[str]:
        return list(self.flows)

    def resolve(self, current_flow: str, target: str) -> StateRef:
        """`menu` -> this flow's state; `taxi` -> taxi's start; `taxi.confirm` -> that state."""
        if "." in target:
            flow, state = target.split(".", 1)
            return StateRef(flow, state)
        if target in self.flows.get(current_flow, _EMPTY).states:
            return StateRef(current_flow, target)
        if target in self.flows:
            return StateRef(target, self.flows[target].start)
        return StateRef(current_flow, target)

    def state(self, ref: StateRef) -> StateSpec:
        return self.flows[ref.flow].states[ref.state]

    def start(self, flow: str = MAIN_FLOW) -> StateRef:
        return StateRef(flow, self.flows[flow].start)

    def prompt(self, flow: str, name: str) -> str:
        flow_prompts = self.flows[flow].prompts
        return flow_prompts[name] if name in flow_prompts else self.common_prompts[name]

    def all_states(self) -> Iterator[tuple[StateRef, StateSpec]]:
        for flow_name, flow in self.flows.items():
            for state_name, spec in flow.states.items():
                yield StateRef(flow_name, state_name), spec


_EMPTY = FlowSpec(name="", start="", states={})


def load_flows(directory: Path, actions: ActionRegistry) -> FlowSet:
    """Load and validate every `*.yaml` flow in `directory`; raise FlowError if any is broken."""
    problems: list[str] = []
    common_path = directory / COMMON_FILE
    common_prompts: dict[str, str] = {}
    if common_path.exists():
        common = yaml.load(common_path.read_text("utf-8"), Loader=FAST_SAFE_LOADER)  # noqa: S506
        common_prompts = (common or {}).get("prompts", {})
    for name in REQUIRED_COMMON_PROMPTS:
        if name not in common_prompts:
            problems.append(f"{COMMON_FILE}: missing shared prompt {name!r}")

    flows: dict[str, FlowSpec] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name in (COMMON_FILE, CATALOGUE_FILE):
            continue
        try:
            raw = yaml.load(path.read_text("utf-8"), Loader=FAST_SAFE_LOADER)  # noqa: S506
            flow = FlowSpec.model_validate(raw)
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: not valid YAML: {exc}")
            continue
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                problems.append(f"{path.name}: {where}: {err['msg']}")
            continue
        if flow.name != path.stem:
            problems.append(f"{path.name}: flow name {flow.name!r} must match the file name")
        flows[flow.name] = flow

    if MAIN_FLOW not in flows and not problems:
        problems.append(f"no {MAIN_FLOW}.yaml flow in {directory}")
    flow_set = FlowSet(flows, common_prompts)
    if not problems:
        problems.extend(validate(flow_set, actions))
    if problems:
        raise FlowError(problems)
    return flow_set


def validate(flows: FlowSet, actions: ActionRegistry) -> list[str]:
    problems: list[str] = []
    for ref, spec in flows.all_states():
        problems.extend(_check_state(flows, actions, ref, spec))
    for flow in flows.flows.values():
        if flow.start not in flow.states:
            problems.append(f"{flow.name}: start state {flow.start!r} does not exist")
        if flow.on_hang_up and actions.get(flow.on_hang_up) is None:
            problems.append(f"{flow.name}: unknown on_hang_up action {flow.on_hang_up!r}")
    if problems:
        return problems
    problems.extend(_check_reachable(flows))
    problems.extend(_check_loops_wait(flows))
    problems.extend(_check_commits_confirmed(flows, actions))
    return problems


def _check_state(
    flows: FlowSet, actions: ActionRegistry, ref: StateRef, spec: StateSpec
) -> list[str]:
    problems = []
    where = f"{ref.flow}.yaml: state {ref.state!r}"
    for prompt in spec.prompt_names():
        if prompt not in flows.flows[ref.flow].prompts and prompt not in flows.common_prompts:
            problems.append(f"{where}: missing prompt {prompt!r}")
    for label, target in spec.targets():
        to = flows.resolve(ref.flow, target)
        if to.flow not in flows.flows or to.state not in flows.flows[to.flow].states:
            problems.append(f"{where}: {label} goes to unknown state {target!r}")
    kind = spec.kind
    if kind == "ask":
        if spec.simpler is None:
            problems.append(f"{where}: an ask state needs a `simpler` prompt for re-prompts")
        if spec.expect is None and not spec.keys:
            problems.append(f"{where}: an ask state needs `expect` or `keys`")
        if spec.expect is not None and not (spec.answers or spec.on_value):
            problems.append(f"{where}: `expect: {spec.expect}` needs `answers` or `on_value`")
        if spec.key_answers and not (spec.answers or spec.on_value):
            problems.append(f"{where}: `key_answers` need `answers` or `on_value`")
        # 0 (a person) is taken at every question: words for it are words for a person.
        for key in sorted(set(spec.key_words) - {*spec.keys, *spec.key_answers, "0"}):
            problems.append(
                f"{where}: `key_words` for key {key!r}, which the question does not take"
            )
        for key in [*spec.keys, *spec.key_answers]:
            if key in RESERVED_KEYS:
                problems.append(f"{where}: key {key!r} is reserved ({RESERVED_KEYS[key]})")
            elif len(key) != 1 or key not in string.digits + "#":
                problems.append(f"{where}: key {key!r} is not a single phone key")
    if spec.otherwise and spec.otherwise.offered and spec.expect != "yesno":
        problems.append(f"{where}: `otherwise.offered` belongs on a yes/no question")
    if spec.otherwise:
        for key in sorted(set(spec.otherwise.with_keys) - set(spec.key_words)):
            problems.append(
                f"{where}: `otherwise.with_keys` names key {key!r}, which has no `key_words`"
            )
    if spec.emergency and kind != "transfer":
        problems.append(f"{where}: `emergency` belongs on a transfer state")
    if kind in ("say", "action") and spec.next is None and not spec.outcomes:
        problems.append(f"{where}: needs `next` or `outcomes` to say where the call goes")
    if spec.action is not None:
        action = actions.get(spec.action)
        if action is None:
            problems.append(f"{where}: unknown action {spec.action!r}")
        elif spec.next is None and kind in ("say", "action"):
            for outcome in sorted(action.outcomes - set(spec.outcomes)):
                problems.append(f"{where}: outcome {outcome!r} of {spec.action!r} goes nowhere")
        if action is not None:
            for outcome in sorted(set(spec.outcomes) - action.outcomes):
                problems.append(f"{where}: {spec.action!r} never returns outcome {outcome!r}")
    return problems


def _edges(flows: FlowSet, ref: StateRef) -> list[tuple[str, StateRef]]:
    return [(label, flows.resolve(ref.flow, t)) for label, t in flows.state(ref).targets()]


def _check_reachable(flows: FlowSet) -> list[str]:
    seen: set[StateRef] = set()
    todo = [flows.start()]
    todo += [flows.start(f.name) for f in flows.flows.values() if f.outbound]
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        todo.extend(to for _, to in _edges(flows, ref))
    return [
        f"{ref.flow}.yaml: state {ref.state!r} is unreachable from the main menu"
        " (or an outbound flow's start)"
        for ref, _ in flows.all_states()
        if ref not in seen
    ]


def _check_loops_wait(flows: FlowSet) -> list[str]:
    """A cycle made only of say/action states would talk forever without listening."""
    problems = []
    for start, spec in flows.all_states():
        if spec.kind not in ("say", "action"):
            continue
        stack, seen = [start], set()
        while stack:
            ref = stack.pop()
            for _, to in _edges(flows, ref):
                if to == start:
                    problems.append(
                        f"{start.flow}.yaml: state {start.state!r} loops without "
                        "waiting for the caller"
                    )
                    stack.clear()
                    break
                if to not in seen and flows.state(to).kind in ("say", "action"):
                    seen.add(to)
                    stack.append(to)
    return problems


def _hum_is_yes(flows: FlowSet, actions: ActionRegistry, ref: StateRef) -> bool:
    action = actions.get(flows.state(ref).action or "")
    return action is not None and action.hum_is_yes


def _check_commits_confirmed(flows: FlowSet, actions: ActionRegistry) -> list[str]:
    """Every way into a committing state must be the `yes` of a yes/no question, and that
    question must ask again at a bare 嗯 (`on_hum`) unless the action says 嗯 is its yes."""
    problems = []
    committing = {
        ref
        for ref, spec in flows.all_states()
        if spec.action and (a := actions.get(spec.action)) is not None and a.commits
    }
    for ref, spec in flows.all_states():
        yes_target = spec.answers.get("yes") if spec.expect == "yesno" else None
        for label, to in _edges(flows, ref):
            if to not in committing:
                continue
            confirmed = yes_target is not None and flows.resolve(ref.flow, yes_target) == to
            if not confirmed:
                problems.append(
                    f"{ref.flow}.yaml: state {ref.state!r} reaches {to} ({label}), which runs "
                    f"committing action {flows.state(to).action!r}, without a yes/no confirmation"
                )
            elif spec.on_hum is None and label == "answer yes" and not _hum_is_yes(
                flows, actions, to
            ):
                # A bare 嗯 is "I am listening", never the yes that commits (trials ten, eleven).
                problems.append(
                    f"{ref.flow}.yaml: state {ref.state!r} confirms committing action "
                    f"{flows.state(to).action!r} without `on_hum` (a bare 嗯 would commit)"
                )
    return problems
