"""Assemble the hotline once per process: flows, actions, understanding and the call service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.adapters.orm import utcnow
from app.callflow.engine import Engine, Understand
from app.callflow.loader import FlowSet, load_flows
from app.core.config import Settings
from app.core.db import Database
from app.services.call_actions import build_actions
from app.services.calls import CallService


def load_hotline_flows(settings: Settings) -> FlowSet:
    """Load and validate `dialogs/`; raises FlowError with every problem found."""
    return load_flows(settings.dialogs_dir, build_actions())


def default_understand() -> Understand:
    from app.understanding import understand

    return understand


def build_call_service(
    settings: Settings,
    db: Database,
    *,
    flows: FlowSet | None = None,
    understand: Understand | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> CallService:
    actions = build_actions()
    flows = flows or load_flows(settings.dialogs_dir, actions)
    engine = Engine(flows, actions, understand or default_understand())
    return CallService(db=db, engine=engine, settings=settings, clock=clock)
