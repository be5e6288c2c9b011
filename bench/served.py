"""The service run as its own process by the benchmarks: a free port and its environment."""

from __future__ import annotations

import os
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def service_env(database_url: str, **settings: str) -> dict[str, str]:
    """This process's environment for `ivr serve` on `database_url`, the background threads
    (outbox, retention, scheduler) off and warnings only in the log; `settings` add to it
    (IVR_* names). Bytecode is written, as after an installation."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "IVR_DATABASE_URL": database_url,
        "IVR_OUTBOX_IN_PROCESS": "false",
        "IVR_RETENTION_IN_PROCESS": "false",
        "IVR_SCHEDULER_IN_PROCESS": "false",
        "IVR_LOG_LEVEL": "WARNING",
        **settings,
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env
