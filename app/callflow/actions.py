"""The registry of named actions that flows may run.

An action is a Python function `(ctx) -> outcome | None`. It declares the outcomes it may
return (so a flow that forgets one is rejected at load time) and whether it commits
something the caller must confirm first (a booking, a cancellation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol


class ActionContext(Protocol):
    """What an action sees: the call, its variables, and the services behind it."""

    vars: dict[str, Any]
    now: datetime

    @property
    def today(self) -> date:
        """The caller's local date (今天, 明天 are understood relative to it)."""
        ...

    @property
    def call_id(self) -> str: ...

    @property
    def from_number(self) -> str | None: ...

    @property
    def services(self) -> Any: ...


ActionFn = Callable[[Any], str | None]  # takes the transport's ActionContext


@dataclass(frozen=True)
class ActionDef:
    name: str
    fn: ActionFn
    outcomes: frozenset[str] = field(default_factory=frozenset)
    commits: bool = False
    doc: str = ""
    # A bare 嗯 may be its yes (ordering a car now: the one-key taxi's "对" in the caller's
    # own sound); every other committing action's question asks again (`on_hum`).
    hum_is_yes: bool = False


class ActionRegistry:
    def __init__(self) -> None:
        self._actions: dict[str, ActionDef] = {}

    def register(
        self,
        name: str,
        *,
        outcomes: tuple[str, ...] = (),
        commits: bool = False,
        hum_is_yes: bool = False,
    ) -> Callable[[ActionFn], ActionFn]:
        def decorator(fn: ActionFn) -> ActionFn:
            if name in self._actions:
                raise ValueError(f"action {name!r} registered twice")
            self._actions[name] = ActionDef(
                name, fn, frozenset(outcomes), commits, (fn.__doc__ or "").strip(), hum_is_yes
            )
            return fn

        return decorator

    def get(self, name: str) -> ActionDef | None:
        return self._actions.get(name)

    def names(self) -> list[str]:
        return sorted(self._actions)

    def run(self, name: str, ctx: ActionContext) -> str | None:
        action = self._actions[name]
        outcome = action.fn(ctx)
        if outcome is not None and action.outcomes and outcome not in action.outcomes:
            raise ValueError(f"action {name!r} returned undeclared outcome {outcome!r}")
        return outcome
